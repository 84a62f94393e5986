"""Tags for the regulatory pages: due times in three zones, countdowns, verification badges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from trustdesk.lib.timefmt import format_duration, in_zone
from trustdesk.regulatory.lifecycle import Status
from trustdesk.regulatory.models import RegulatoryRequest, RuleVersion, Verification

register = template.Library()

VERIFICATION_HELP = {
    "V": "Verified: confirmed in the primary legal text or a close copy.",
    "S": "Not verified: rests on news or law-firm commentary only. Check before relying on it.",
    "G": "Not verified: general knowledge, unchecked. Check before relying on it.",
}


@register.simple_tag
def verification_badge(version: RuleVersion) -> SafeString:
    label = {"V": "Verified", "S": "Secondary sources", "G": "Unchecked"}[version.verification]
    title = VERIFICATION_HELP[version.verification]
    if version.uncertain:
        title += " Marked ! in the reference: changed 2024-2026 or uncertain."
    return format_html(
        '<span class="verif verif-{}" title="{}"><abbr>{}</abbr> {}{}</span>',
        version.verification,
        title,
        version.verification,
        label,
        "!" if version.uncertain else "",
    )


@register.simple_tag
def verification_help(code: str) -> str:
    return VERIFICATION_HELP[Verification(code).value]


def _utc_attrs(value: datetime) -> tuple[str, str]:
    utc = value.astimezone(UTC)
    return (
        utc.isoformat(timespec="seconds").replace("+00:00", "Z"),
        utc.strftime("%Y-%m-%d %H:%M UTC"),
    )


@register.simple_tag(takes_context=True)
def due_times(context: template.Context, request: RegulatoryRequest) -> SafeString:
    """The due time in the authority's zone, then the viewer's, with UTC on hover."""
    viewer = getattr(getattr(context.get("request"), "user", None), "tz", "") or "UTC"
    return two_zones(request.due_at, request.tz, viewer)


def two_zones(value: datetime, authority_tz: str, viewer_tz: str) -> SafeString:
    stamp, title = _utc_attrs(value)
    authority = in_zone(value, authority_tz)
    viewer = in_zone(value, viewer_tz)
    mine = ""
    if viewer.utcoffset() != authority.utcoffset() or viewer_tz == "UTC":
        mine = format_html(
            '<span class="due-viewer">{} <span class="muted">your time ({})</span></span>',
            viewer.strftime("%a %d %b %H:%M"),
            viewer_tz,
        )
    return format_html(
        '<time class="due" datetime="{}" title="{}"><span class="due-authority">{} '
        '<span class="muted">{}</span></span>{}</time>',
        stamp,
        title,
        authority.strftime("%a %d %b %Y %H:%M"),
        authority.strftime("%Z") if authority.strftime("%Z")[:1].isalpha() else authority_tz,
        mine,
    )


@register.simple_tag
def authority_time(value: datetime | None, tz: str) -> SafeString | str:
    if value is None:
        return "—"
    stamp, title = _utc_attrs(value)
    local = in_zone(value, tz)
    return format_html(
        '<time datetime="{}" title="{}">{} <span class="muted">{}</span></time>',
        stamp,
        title,
        local.strftime("%a %d %b %Y %H:%M"),
        tz,
    )


@register.simple_tag
def countdown(risk: str, left: timedelta, result: str = "") -> SafeString:
    if risk == "done":
        text = {"met": "Deadline met", "breached": "Deadline missed"}.get(result, "Closed")
    elif risk == "paused":
        text = f"Paused · {format_duration(left)} left"
    elif left < timedelta(0):
        text = f"Overdue {format_duration(-left)}"
    else:
        text = f"{format_duration(left)} left"
    return format_html('<span class="countdown countdown-{}">{}</span>', risk, text)


@register.filter
def tens(percent: int) -> int:
    """Round a percentage to the nearest ten, for the meter's width class."""
    return int(min(100, max(0, round(percent / 10) * 10)))


@register.simple_tag
def request_status(value: str) -> SafeString:
    try:
        status = Status(value)
    except ValueError:
        return format_html('<span class="chip">{}</span>', value)
    return format_html('<span class="chip chip-{}">{}</span>', status.value, status.label)
