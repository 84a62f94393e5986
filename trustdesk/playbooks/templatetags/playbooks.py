from __future__ import annotations

from django import template

from trustdesk.playbooks import clocks, matching
from trustdesk.playbooks.models import Step

register = template.Library()


@register.filter
def offset_text(step: Step) -> str:
    return clocks.describe_offset(step)


@register.filter
def condition_text(step: Step) -> str:
    return matching.condition_text(step.condition or {})


@register.filter
def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key) if isinstance(mapping, dict) else None
