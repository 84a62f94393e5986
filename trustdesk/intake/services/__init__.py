"""Intake services: the only code that changes reports, groups and dead letters."""

from .deadletters import keep_dead_letter, replay_dead_letter
from .receive import receive_batch, receive_report
from .suspected import raise_suspected_group
from .triage import (
    GROUP_TRANSITIONS,
    attach_group,
    dismiss_group,
    mark_spam,
    open_incident_from_group,
    reopen_group,
)

__all__ = [
    "GROUP_TRANSITIONS",
    "attach_group",
    "dismiss_group",
    "keep_dead_letter",
    "mark_spam",
    "open_incident_from_group",
    "raise_suspected_group",
    "receive_batch",
    "receive_report",
    "reopen_group",
    "replay_dead_letter",
]
