"""What the post-mortem page shows, and the answers its actions give.

Actions answer an HTMX request with the panels they changed, swapped out of band, and a plain
form post with a redirect, so the page also works without JavaScript. A domain error comes
back in the panel (HTMX) or on the whole page, naming what is wrong.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from trustdesk.core.http import AuthedRequest
from trustdesk.lib.errors import DomainError, IllegalTransition

from .. import access, blameless, document
from ..forms import (
    SECTIONS,
    ActionItemForm,
    CommentForm,
    DecisionForm,
    FactorForm,
    ReviewersForm,
    SectionForm,
    TimelineForm,
)
from ..lifecycle import (
    ACTION_LABELS,
    ACTION_LABELS_FOR_ITEMS,
    VIA_REVIEW,
    allowed_action_transitions,
    allowed_transitions,
)
from ..models import PostMortem


def _section(
    key: str, pm: PostMortem, flags: list[blameless.Flag], form: SectionForm | None
) -> dict[str, Any]:
    title, form_class = SECTIONS[key]
    form = form or form_class(postmortem=pm, auto_id=f"{key}-%s")
    labels = {str(field.label) for field in form.fields.values()}
    if key == "whys":
        labels = {f"Why {i}" for i in range(1, 6)}
    return {
        "key": key,
        "title": title,
        "form": form,
        "display": form.display(),
        "flags": [flag for flag in flags if flag.field in labels],
    }


def _transitions(pm: PostMortem) -> list[dict[str, str]]:
    return [
        {"to": s.value, "label": ACTION_LABELS[s]}
        for s in allowed_transitions(pm.status)
        if s not in VIA_REVIEW
    ]


def _items(doc: document.Document) -> list[dict[str, Any]]:
    return [
        {
            "item": item,
            "moves": [
                {"to": s.value, "label": ACTION_LABELS_FOR_ITEMS[s]}
                for s in allowed_action_transitions(item.status)
            ],
        }
        for item in doc.action_items
    ]


def detail_context(request: AuthedRequest, pm: PostMortem, **overrides: Any) -> dict[str, Any]:
    """Everything the post-mortem page and its panels show."""
    user = request.user
    doc = document.build(pm, user)
    flags = blameless.postmortem_flags(pm)
    bound: dict[str, SectionForm] = overrides.pop("section_forms", {})
    context: dict[str, Any] = {
        "pm": pm,
        "incident": pm.incident,
        "doc": doc,
        "items": _items(doc),
        "flags": flags,
        "sections": {key: _section(key, pm, flags, bound.get(key)) for key in SECTIONS},
        "can_edit_text": access.can_edit_text(user, pm),
        "can_manage": access.can_manage(user, pm),
        "can_comment": access.can_comment(user, pm),
        "is_reviewer": access.is_pending_reviewer(user, pm),
        "transitions": _transitions(pm),
        "all_events": _all_events(pm),
        "comments": pm.comments.select_related("author"),
        "timeline_form": TimelineForm(postmortem=pm, auto_id="timeline-%s"),
        "factor_form": FactorForm(auto_id="factor-%s"),
        "action_form": ActionItemForm(postmortem=pm, auto_id="action-%s"),
        "reviewers_form": ReviewersForm(postmortem=pm, auto_id="reviewers-%s"),
        "decision_form": DecisionForm(auto_id="decision-%s"),
        "comment_form": CommentForm(auto_id="comment-%s"),
    }
    context.update(overrides)
    return context


def _all_events(pm: PostMortem) -> list[Any]:
    """The incident's events for the selection list: pinned first, then in time order."""
    events = list(pm.incident.events.select_related("actor").order_by("occurred_at", "id"))
    chosen = set(pm.timeline_event_ids)
    for event in events:
        event.chosen = event.pk in chosen  # type: ignore[attr-defined]
    return sorted(events, key=lambda e: not e.pinned)


def panels(
    request: AuthedRequest,
    pm: PostMortem,
    names: tuple[str, ...],
    *,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    full = detail_context(request, pm, **context)
    full["panels"] = names
    return render(request, "postmortems/_panels.html", full, status=status)


def done(request: AuthedRequest, pk: int, names: tuple[str, ...], message: str) -> HttpResponse:
    """After a change: the fresh panels for HTMX, a redirect back to them otherwise."""
    pm = access.get_for_user(request.user, pk)
    if request.htmx:
        return panels(request, pm, names, flash=message)
    messages.success(request, message)
    return redirect(reverse("postmortems:detail", args=[pk]) + f"#{names[0]}")


def reload(request: AuthedRequest, pk: int, message: str) -> HttpResponse:
    """After a workflow move: the whole page again, since what may be edited has changed."""
    messages.success(request, message)
    url = reverse("postmortems:detail", args=[pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def failed(
    request: AuthedRequest,
    pm: PostMortem,
    panel: str,
    message: str,
    status: int,
    **context: Any,
) -> HttpResponse:
    """The panel again with the error in it (HTMX), or the whole page (no JavaScript)."""
    context.update(flash=message, flash_error=True)
    if request.htmx:
        return panels(request, pm, (panel,), status=status, **context)
    full = detail_context(request, pm, **context)
    return render(request, "postmortems/detail.html", full, status=status)


def error_message(exc: DomainError) -> str:
    if isinstance(exc, IllegalTransition):
        allowed = ", ".join(exc.allowed) or "none"
        return f"Cannot move from {exc.current} to {exc.target}. Allowed: {allowed}."
    return exc.message
