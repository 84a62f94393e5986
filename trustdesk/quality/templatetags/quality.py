"""The ``quality`` tag library: percentages, target comparisons and server-drawn sparklines
(inline SVG with classes only: the CSP forbids inline styles and scripts)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from trustdesk.quality.access import leads_anyone as _leads_anyone

register = template.Library()

_WIDTH, _HEIGHT, _PAD = 120, 28, 3


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


@register.filter
def decimal2(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@register.filter
def get(mapping: dict[Any, Any] | None, key: Any) -> Any:
    return (mapping or {}).get(key)


@register.simple_tag
def target_class(value: float | None, target: float) -> str:
    """``on-target``, ``below-target`` or ``no-data``, for colouring a number."""
    if value is None:
        return "no-data"
    return "on-target" if value >= target - 1e-9 else "below-target"


def _range(values: Sequence[float | None], target: float | None) -> tuple[float, float]:
    """The band the line is drawn in: from a tenth below the lowest value (or target) to
    100%, so a team moving between 70% and 80% does not look flat."""
    known = [v for v in values if v is not None]
    if target is not None:
        known.append(target)
    low = min(known, default=0.0)
    return max(0.0, math.floor(low * 10) / 10 - 0.1), 1.0


def _points(
    values: Sequence[float | None], width: int, height: int, span: tuple[float, float]
) -> list[list[tuple[float, float]]]:
    """Runs of consecutive known values as SVG coordinates; a gap breaks the line."""
    step = (width - 2 * _PAD) / max(len(values) - 1, 1)
    runs: list[list[tuple[float, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((round(_PAD + index * step, 1), _y(value, height, span)))
    return [run for run in runs if run]


def _y(value: float, height: int, span: tuple[float, float]) -> float:
    low, high = span
    share = (min(max(value, low), high) - low) / (high - low)
    return round(height - _PAD - share * (height - 2 * _PAD), 1)


@register.simple_tag
def sparkline(
    values: Sequence[float | None],
    target: float | None = None,
    label: str = "",
    width: int = _WIDTH,
    height: int = _HEIGHT,
) -> SafeString:
    """A small line of ``values`` (0..1, oldest first) with the target as a dashed line.
    The numbers are in the accessible name, so a screen reader hears the trend."""
    spoken = ", ".join("none" if v is None else f"{round(v * 100)}%" for v in values)
    name = f"{label}: {spoken}" if label else spoken
    span = _range(values, target)
    runs = _points(values, width, height, span)
    parts = []
    if target is not None:
        y = _y(target, height, span)
        parts.append(
            format_html('<line class="spark-target" x1="0" x2="{}" y1="{}" y2="{}"/>', width, y, y)
        )
    for run in runs:
        if len(run) == 1:
            x, y = run[0]
            parts.append(format_html('<circle class="spark-dot" cx="{}" cy="{}" r="2"/>', x, y))
        else:
            coords = " ".join(f"{x},{y}" for x, y in run)
            parts.append(format_html('<polyline class="spark-line" points="{}"/>', coords))
    if runs:
        x, y = runs[-1][-1]
        parts.append(format_html('<circle class="spark-last" cx="{}" cy="{}" r="2.5"/>', x, y))
    body = format_html_join("", "{}", ((p,) for p in parts))
    return format_html(
        '<svg class="spark" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}">{}</svg>',
        width,
        height,
        width,
        height,
        name,
        body,
    )


@register.filter
def plain_number(value: Decimal | float | None) -> str:
    """``1.50`` as ``1.5`` and ``2.00`` as ``2``."""
    if value is None:
        return ""
    text = f"{Decimal(str(value)).normalize():f}"
    return text


@register.simple_tag
def review_status(value: str, label: str) -> SafeString:
    return format_html('<span class="chip qchip-{}">{}</span>', value, label)


@register.simple_tag(takes_context=True)
def leads_anyone(context: template.Context) -> bool:
    """Whether the viewer leads anyone (shows the Team and Calibration tabs)."""
    user = getattr(context.get("request"), "user", None)
    return bool(user is not None and user.is_authenticated and _leads_anyone(user))
