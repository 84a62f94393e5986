"""Every change to quality data goes through these functions (one transaction each, with
its audit event)."""

from .coaching import (
    add_goal,
    add_note,
    remind_follow_ups,
    share_note,
    update_goal,
    update_program,
)
from .reviews import ScoreInput, acknowledge, dispute, reassign, resolve, result_of, save_scores
from .rubrics import publish_version
from .runs import last_complete_period, period_start_for, redraw, run_period
from .signals import collect as collect_signals

__all__ = [
    "ScoreInput",
    "acknowledge",
    "add_goal",
    "add_note",
    "collect_signals",
    "dispute",
    "last_complete_period",
    "period_start_for",
    "publish_version",
    "reassign",
    "redraw",
    "remind_follow_ups",
    "resolve",
    "result_of",
    "run_period",
    "save_scores",
    "share_note",
    "update_goal",
    "update_program",
]
