"""The ``td`` tag library: the small pieces every trustdesk page shows the same way.

Times are stored in UTC and shown in the viewer's own zone (``User.tz``), always inside a
``<time>`` element whose ``datetime`` and ``title`` carry the UTC instant, so a responder in
APAC and a lawyer in EMEA can quote the same moment without converting by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from trustdesk.incidents.lifecycle import Status
from trustdesk.lib.timefmt import format_duration, in_zone
from trustdesk.taxonomy.severity import Severity

register = template.Library()

_FORMATS = {
    "short": "%d %b %H:%M",
    "long": "%a %d %b %Y %H:%M %Z",
    "date": "%d %b %Y",
}


def _viewer_tz(context: template.Context) -> str:
    user = getattr(context.get("request"), "user", None)
    return getattr(user, "tz", "") or "UTC"


@register.simple_tag(takes_context=True)
def show_time(context: template.Context, value: datetime | None, fmt: str = "short") -> str:
    """``<time>`` in the viewer's zone; the UTC instant is in ``datetime`` and ``title``."""
    if value is None:
        return "—"
    local = in_zone(value, _viewer_tz(context))
    utc = value.astimezone(UTC)
    text = local.strftime(_FORMATS.get(fmt, _FORMATS["short"]))
    if fmt == "short" and local.year != timezone.now().year:
        text = local.strftime("%d %b %Y %H:%M")
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        utc.isoformat(timespec="seconds").replace("+00:00", "Z"),
        utc.strftime("%Y-%m-%d %H:%M UTC"),
        text,
    )


@register.simple_tag(takes_context=True)
def show_age(context: template.Context, value: datetime | None) -> str:
    """How long ago, e.g. ``3h 05m``, with the exact local time on hover."""
    if value is None:
        return "—"
    local = in_zone(value, _viewer_tz(context))
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        local.strftime("%Y-%m-%d %H:%M %Z"),
        format_duration(timezone.now() - value),
    )


@register.filter
def duration(value: timedelta | None) -> str:
    return format_duration(value)


@register.simple_tag
def severity_badge(value: str) -> SafeString:
    try:
        severity = Severity(value)
    except ValueError:
        return format_html('<span class="sev">{}</span>', value)
    return format_html(
        '<span class="sev sev-{}" title="{}">{}</span>',
        severity.value[-1],
        severity.label,
        severity.value,
    )


@register.simple_tag
def status_chip(value: str) -> SafeString:
    try:
        status = Status(value)
    except ValueError:
        return format_html('<span class="chip">{}</span>', value)
    return format_html('<span class="chip chip-{}">{}</span>', status.value, status.label)


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (``None`` or ``""`` drops
    one). Changing a filter also drops ``page``, so nobody lands on an empty page 7."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    encoded = urlencode(sorted(params.lists()), doseq=True)
    return f"?{encoded}" if encoded else "?"
