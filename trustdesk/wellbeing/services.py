"""The only place wellbeing data changes. Exposure events are deliberately not copied into
the audit log: the audit log is readable by auditors, exposure is not (the reveal itself is
audited by intake). Preference and note changes are audited without their content."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import Team, User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import InvalidInput
from trustdesk.taxonomy.models import Category

from . import conf
from .models import ExposureEvent, ExposureKind, OrgPolicy, RotationNote, ViewingPreference
from .viewing import effective

PREFERENCE_FIELDS = ("blur_level", "greyscale", "mute_video", "pause_video", "collapse_text")


def start_exposure(
    *, user: User, category: Category, kind: str, at: datetime | None = None
) -> ExposureEvent:
    """Open an exposure event: ``user`` has just revealed media or expanded text."""
    if kind not in ExposureKind.values:
        raise InvalidInput({"kind": f"One of {', '.join(ExposureKind.values)}."})
    with transaction.atomic():
        return ExposureEvent.objects.create(
            user=user, category=category, kind=kind, started_at=at or timezone.now()
        )


def end_exposure(*, user: User, event: ExposureEvent, at: datetime | None = None) -> bool:
    """Close the event with how long it stayed revealed (at most ``conf.max_look()``).
    Only its owner closes it; a second end (beacon and fetch both arrived) changes nothing."""
    now = at or timezone.now()
    cap = conf.max_look()
    with transaction.atomic():
        locked = ExposureEvent.objects.select_for_update().get(pk=event.pk, user=user)
        if locked.ended_at is not None:
            return False
        elapsed = max(now - locked.started_at, timedelta(0))
        locked.ended_at = now
        locked.revealed_duration = min(elapsed, cap)
        locked.capped = elapsed > cap
        locked.save(update_fields=["ended_at", "revealed_duration", "capped"])
    event.refresh_from_db()
    return True


def close_stale(*, now: datetime | None = None) -> int:
    """Close events whose page never said goodbye, counting them for the capped duration."""
    now = now or timezone.now()
    cap = conf.max_look()
    with transaction.atomic():
        stale = ExposureEvent.objects.open().filter(started_at__lte=now - cap)
        closed = 0
        for event in stale.select_for_update():
            event.ended_at = event.started_at + cap
            event.revealed_duration = cap
            event.capped = True
            event.save(update_fields=["ended_at", "revealed_duration", "capped"])
            closed += 1
    return closed


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete exposure events older than the wellbeing retention period."""
    cutoff = (now or timezone.now()) - conf.retention()
    with transaction.atomic():
        deleted, _ = ExposureEvent.objects.filter(started_at__lt=cutoff).delete()
    return deleted


def save_preference(
    *, actor: User, category: Category | None, values: dict[str, Any]
) -> ViewingPreference:
    """Store the actor's viewing preference for ``category`` (None: every category). A value
    below the organisation's minimum for the category is refused, naming the field."""
    policy = OrgPolicy.objects.filter(category=category).first() if category else None
    if policy is not None:
        errors = {}
        if values["blur_level"] < policy.min_blur_level:
            errors["blur_level"] = (
                f"{category} needs at least blur level {policy.get_min_blur_level_display()}."
            )
        for field, required in (
            ("greyscale", policy.require_greyscale),
            ("mute_video", policy.require_muted_video),
            ("pause_video", policy.require_paused_video),
            ("collapse_text", policy.require_collapsed_text),
        ):
            if required and not values[field]:
                errors[field] = f"Your organisation requires this for {category}."
        if errors:
            raise InvalidInput(errors)
    with transaction.atomic():
        pref = ViewingPreference.objects.filter(user=actor, category=category).first()
        before = model_to_dict(pref, fields=PREFERENCE_FIELDS) if pref else None
        pref = pref or ViewingPreference(user=actor, category=category)
        for field in PREFERENCE_FIELDS:
            setattr(pref, field, values[field])
        pref.save()
        audit.record(
            actor=actor,
            action="wellbeing.preference",
            obj=pref,
            before=before,
            after={"category": category.code if category else "", **values},
        )
    return pref


def save_rotation_note(*, actor: User, team: Team, text: str) -> RotationNote:
    """The team lead's planning note. The audit event says who changed it, not what it says
    (it may name people and their load)."""
    with transaction.atomic():
        note, _ = RotationNote.objects.select_for_update().get_or_create(team=team)
        note.text = text
        note.updated_by = actor
        note.updated_at = timezone.now()
        note.save()
        audit.record(
            actor=actor, action="wellbeing.rotation_note", obj=note, after={"team": team.slug}
        )
    return note


def on_evidence_revealed(user: User, attachment: Any, category: Category | None) -> dict[str, Any]:
    """Intake's ``on_reveal`` hook: start the exposure and tell the page where to end it."""
    if category is None:
        return {}
    event = start_exposure(user=user, category=category, kind=ExposureKind.MEDIA)
    return {"exposure": {"id": event.pk, "end_url": reverse("wellbeing:end", args=[event.pk])}}


def viewing_for(user: User, category: Category | None) -> dict[str, Any]:
    """Intake's ``viewing_hooks`` hook: classes and flags the evidence templates apply."""
    viewing = effective(user, category)
    return {
        "media_class": viewing.media_class,
        "mute_video": viewing.mute_video,
        "pause_video": viewing.pause_video,
        "collapse_text": viewing.collapse_text,
        "start_url": reverse("wellbeing:start"),
    }
