"""Coaching notes and goals (written by a person's leads), and a region's programme."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import Conflict, InvalidInput
from trustdesk.quality import access
from trustdesk.quality.models import CoachingNote, Goal, GoalStatus, Program, Review
from trustdesk.quality.people import leads_of

from .common import clean_text, tell

MAX_NOTE = 10000
# A follow-up further out than this is a typo, not a plan.
MAX_FOLLOW_UP = timedelta(days=366)


def _require_coach(actor: User, person: User) -> None:
    if not access.can_coach(actor, person):
        raise PermissionDenied("Only this person's leads and admins coach them.")


def _scorecard_link(person: User) -> str:
    return reverse("quality:scorecard_for", args=[person.username])


@transaction.atomic
def add_note(
    *, actor: User, person: User, text: str, draft: bool = False, review: Review | None = None
) -> CoachingNote:
    """A coaching note on the person's scorecard. A draft stays with the leads until shared;
    a shared note is the person's to read."""
    _require_coach(actor, person)
    text = clean_text(text, field="text", max_length=MAX_NOTE, required=True)
    if review is not None and review.reviewee_id != person.pk:
        raise InvalidInput({"review": "That review is of someone else's work."})
    note = CoachingNote.objects.create(
        person=person, author=actor, text=text, draft=draft, review=review
    )
    audit.record(
        actor=actor,
        action="quality.note.create",
        obj=note,
        after={"person": person.username, "draft": draft},
    )
    if not draft:
        _tell_person_of_note(note)
    return note


@transaction.atomic
def share_note(*, actor: User, note: CoachingNote) -> CoachingNote:
    _require_coach(actor, note.person)
    if not note.draft:
        raise Conflict("This note is already shared.")
    note.draft = False
    note.save(update_fields=["draft"])
    audit.record(actor=actor, action="quality.note.share", obj=note)
    _tell_person_of_note(note)
    return note


def _tell_person_of_note(note: CoachingNote) -> None:
    author = note.author.display_name if note.author else "Your lead"
    tell(
        [note.person],
        event_key=f"quality.note.{note.pk}.shared",
        subject=f"{author} left you a coaching note",
        body=note.text[:300],
        link=_scorecard_link(note.person),
    )


def _follow_up(value: date | None, *, field: str = "follow_up_on") -> date:
    if value is None:
        raise InvalidInput({field: "When will you follow up?"})
    today = timezone.now().date()
    if value < today:
        raise InvalidInput({field: "Follow up today or later."})
    if value > today + MAX_FOLLOW_UP:
        raise InvalidInput({field: "Follow up within a year."})
    return value


@transaction.atomic
def add_goal(
    *,
    actor: User,
    person: User,
    title: str,
    follow_up_on: date | None,
    criterion_key: str = "",
) -> Goal:
    """A goal with a follow-up date; the lead is reminded when the date comes."""
    _require_coach(actor, person)
    title = clean_text(title, field="title", max_length=200, required=True)
    follow_up = _follow_up(follow_up_on)
    criterion_key = clean_text(criterion_key, field="criterion_key", max_length=40)
    goal = Goal.objects.create(
        person=person,
        set_by=actor,
        title=title,
        follow_up_on=follow_up,
        criterion_key=criterion_key,
    )
    audit.record(
        actor=actor,
        action="quality.goal.create",
        obj=goal,
        after={"person": person.username, "title": title, "follow_up_on": follow_up.isoformat()},
    )
    tell(
        [person],
        event_key=f"quality.goal.{goal.pk}.set",
        subject=f"New goal: {title}"[:200],
        body=f"Follow-up on {follow_up:%d %b %Y}.",
        link=_scorecard_link(person),
    )
    return goal


@transaction.atomic
def update_goal(
    *,
    actor: User,
    goal: Goal,
    status: str,
    outcome: str = "",
    follow_up_on: date | None = None,
) -> Goal:
    """Close a goal as met or dropped, or keep it open with a new follow-up date."""
    goal = Goal.objects.select_for_update().select_related("person").get(pk=goal.pk)
    _require_coach(actor, goal.person)
    if status not in GoalStatus.values:
        raise InvalidInput({"status": f"One of {', '.join(GoalStatus.values)}."})
    if goal.status != GoalStatus.OPEN:
        raise Conflict(f"This goal is already {goal.get_status_display().lower()}.")
    before = {"status": goal.status, "follow_up_on": goal.follow_up_on.isoformat()}
    goal.outcome = clean_text(outcome, field="outcome", max_length=MAX_NOTE)
    goal.status = status
    if status == GoalStatus.OPEN:
        goal.follow_up_on = _follow_up(follow_up_on)
    else:
        goal.closed_at = timezone.now()
    goal.save()
    audit.record(
        actor=actor,
        action="quality.goal.update",
        obj=goal,
        before=before,
        after={"status": goal.status, "follow_up_on": goal.follow_up_on.isoformat()},
    )
    return goal


def remind_follow_ups(today: date) -> int:
    """Remind whoever set each goal (or the person's leads) when its follow-up date has
    come; once per goal and date, however often the job runs. Returns reminders sent."""
    sent = 0
    due = Goal.objects.filter(status=GoalStatus.OPEN, follow_up_on__lte=today).select_related(
        "person", "set_by"
    )
    for goal in due:
        setter = goal.set_by
        recipients = [setter] if setter and setter.is_active else list(leads_of(goal.person))
        sent += len(
            tell(
                recipients,
                event_key=f"quality.goal.{goal.pk}.follow_up.{goal.follow_up_on.isoformat()}",
                subject=f"Follow up with {goal.person.display_name}: {goal.title}"[:200],
                body=f"Follow-up was set for {goal.follow_up_on:%d %b %Y}.",
                link=_scorecard_link(goal.person),
            )
        )
    return sent


_PROGRAM_FIELDS = {
    "period_days": (7, 28),
    "sample_size": (1, 20),
    "high_risk_weight": (1, 10),
    "calibration_share": (0, 100),
    "quality_target": (0, 100),
    "accuracy_target": (0, 100),
}


def _program_value(name: str, value: Any) -> Any:
    low, high = _PROGRAM_FIELDS[name]
    try:
        number = Decimal(str(value)) if name == "high_risk_weight" else int(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput({name: "Give a number."}) from None
    if not low <= number <= high:
        raise InvalidInput({name: f"Between {low} and {high}."})
    if name == "period_days" and number % 7:
        raise InvalidInput({name: "Whole weeks: 7, 14, 21 or 28 days."})
    return number


@transaction.atomic
def update_program(*, actor: User, program: Program, **changes: Any) -> Program:
    """Change a region's sample size, period, weights or targets. A new period length takes
    effect from the next run; past runs keep the settings they were drawn with."""
    if not access.can_edit_program(actor, program.region):
        raise PermissionDenied("Only the region's leads and admins change its programme.")
    unknown = set(changes) - set(_PROGRAM_FIELDS)
    if unknown:
        raise InvalidInput({sorted(unknown)[0]: "This setting cannot be changed here."})
    program, _ = Program.objects.select_for_update().get_or_create(region=program.region)
    before, after = {}, {}
    for name, value in changes.items():
        clean = _program_value(name, value)
        if getattr(program, name) != clean:
            before[name], after[name] = str(getattr(program, name)), str(clean)
            setattr(program, name, clean)
    if after:
        program.updated_by = actor
        program.updated_at = timezone.now()
        program.save()
        audit.record(
            actor=actor, action="quality.program.update", obj=program, before=before, after=after
        )
    return program
