"""Every change to a post-mortem goes through these functions.

Each one runs in one transaction and writes its audit event with the change; opening and
publishing also note it on the incident's timeline (DESIGN.md invariant 2). Arguments are
keyword-only; the acting user is always named.
"""

from .actions import create_action_item, update_action_item
from .drafting import (
    add_factor,
    create_draft,
    on_incident_transition,
    refresh_facts,
    remove_factor,
    require,
    set_timeline,
    update,
)
from .review import add_comment, decide, set_reviewers, transition

__all__ = [
    "add_comment",
    "add_factor",
    "create_action_item",
    "create_draft",
    "decide",
    "on_incident_transition",
    "refresh_facts",
    "remove_factor",
    "require",
    "set_reviewers",
    "set_timeline",
    "transition",
    "update",
    "update_action_item",
]
