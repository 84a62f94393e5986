"""What a post-mortem draft knows without anyone typing it: durations from the incident's
lifecycle stamps, impact counted from intake and the regulatory register, the timeline.

Durations are computed every time from the incident, so they cannot drift from the stamps.
Counts are taken when the draft opens and again when someone refreshes them, and kept on
the post-mortem, so a published text keeps the figures its reviewers approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps

from trustdesk.incidents.models import EventKind, Incident, TimelineEvent
from trustdesk.lib.timefmt import format_duration, in_zone

from .models import DetectionSource, PostMortem

# (key, label, from stamp, to stamp). Reported is when the desk knew: every clock but
# detection starts there.
_DURATIONS = (
    ("detect", "Time to detect", "detected_at", "reported_at"),
    ("acknowledge", "Time to acknowledge", "reported_at", "triaged_at"),
    ("mitigate", "Time to mitigate", "reported_at", "mitigating_at"),
    ("resolve", "Time to resolve", "reported_at", "resolved_at"),
)

# Timeline events left out of a new draft: who was put on the need-to-know list is not part
# of what happened (and names people needlessly).
_LEFT_OUT = (EventKind.ACCESS,)

_REPORTER_TO_SOURCE = {
    "user": DetectionSource.USER_REPORT,
    "trusted_flagger": DetectionSource.TRUSTED_FLAGGER,
    "regulator": DetectionSource.REGULATOR,
    "law_enforcement": DetectionSource.LAW_ENFORCEMENT,
    "ngo": DetectionSource.NGO,
    "press": DetectionSource.PRESS,
    "internal": DetectionSource.INTERNAL,
    "detection": DetectionSource.PROACTIVE,
}


@dataclass(frozen=True)
class Duration:
    key: str
    label: str
    start_field: str
    end_field: str
    start: datetime | None
    end: datetime | None

    @property
    def value(self) -> timedelta | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start

    @property
    def text(self) -> str:
        return format_duration(self.value)

    @property
    def explanation(self) -> str:
        start = self.start_field.removesuffix("_at")
        end = self.end_field.removesuffix("_at")
        return f"{end} - {start}"


def durations(incident: Incident) -> list[Duration]:
    return [
        Duration(key, label, start, end, getattr(incident, start), getattr(incident, end))
        for key, label, start, end in _DURATIONS
    ]


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _intake_counts(incident: Incident) -> dict[str, int | None]:
    if not apps.is_installed("trustdesk.intake"):
        return {"reports": None, "content_items": None, "accounts": None}
    report_model = apps.get_model("intake", "Report")
    item_model = apps.get_model("intake", "ContentItem")
    items = item_model.objects.filter(group__incident=incident)
    return {
        "reports": report_model.objects.filter(group__incident=incident).count(),
        "content_items": items.exclude(key="").values("key").distinct().count(),
        "accounts": items.exclude(account_key="").values("account_key").distinct().count(),
    }


def _requests(incident: Incident) -> list[dict[str, Any]]:
    if not apps.is_installed("trustdesk.regulatory"):
        return []
    model = apps.get_model("regulatory", "RegulatoryRequest")
    rows = model.objects.filter(incident=incident).select_related("authority", "rule_version")
    return [
        {
            "id": r.pk,
            "ref": r.ref,
            "title": r.title,
            "authority": r.authority.name,
            "due_at": _iso(r.due_at),
            "met_at": _iso(r.deadline_met_at),
            "result": r.deadline_result,
            "outcome": r.get_outcome_display() if r.outcome else "",
            "status": r.get_status_display(),
            "content_items": len(r.content_items),
            "accounts": len(r.accounts),
        }
        for r in rows.order_by("received_at", "id")
    ]


def count_impact(incident: Incident) -> dict[str, Any]:
    """The impact figures the desk can count itself, JSON-ready for ``PostMortem.facts``."""
    return {
        **_intake_counts(incident),
        "markets": [{"code": m.code, "name": m.name} for m in incident.markets.all()],
        "requests": _requests(incident),
    }


def suggest_detection_source(incident: Incident) -> str:
    """Who told us first: the earliest report's reporter type, when intake knows it."""
    if not apps.is_installed("trustdesk.intake"):
        return ""
    report_model = apps.get_model("intake", "Report")
    first = (
        report_model.objects.filter(group__incident=incident)
        .order_by("received_at", "id")
        .values_list("reporter_type", flat=True)
        .first()
    )
    return _REPORTER_TO_SOURCE.get(first or "", "")


def default_timeline_ids(incident: Incident) -> list[int]:
    events = incident.events.exclude(kind__in=_LEFT_OUT).order_by("occurred_at", "id")
    return list(events.values_list("pk", flat=True))


@dataclass(frozen=True)
class Timeline:
    pinned: list[TimelineEvent]
    entries: list[TimelineEvent]


def timeline(pm: PostMortem) -> Timeline:
    """The selected events in time order; the pinned ones also on their own, shown first."""
    events = list(
        TimelineEvent.objects.filter(incident_id=pm.incident_id, pk__in=pm.timeline_event_ids)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    return Timeline(pinned=[e for e in events if e.pinned], entries=events)


def both_zones(value: datetime, tz: str) -> tuple[str, str]:
    """The instant in UTC and in ``tz``, as ``2026-03-01 14:05 UTC`` and ``15:05 CET``."""
    utc = value.astimezone(UTC)
    local = in_zone(value, tz)
    local_text = local.strftime("%H:%M %Z")
    if local.date() != utc.date():
        local_text = local.strftime("%d %b %H:%M %Z")
    return utc.strftime("%Y-%m-%d %H:%M UTC"), local_text
