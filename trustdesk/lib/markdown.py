"""Markdown written in the UI (playbooks, market profiles), rendered safely."""

from __future__ import annotations

import markdown as md
import nh3

_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> str:
    """Markdown to HTML with every tag and attribute outside a short list removed: what a
    lead writes can hold links and lists, never scripts, styles or images."""
    html = md.markdown(text or "", extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
