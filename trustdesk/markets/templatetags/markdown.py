from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from trustdesk.lib.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    # Safe: render_markdown keeps only an allow-list of tags and attributes (nh3).
    return mark_safe(render_markdown(text))  # noqa: S308
