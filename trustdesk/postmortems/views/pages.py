"""Post-mortem pages: the search list and the post-mortem itself, with its actions. Each
view checks access, calls a service, and renders (see ``common`` for the answers)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from trustdesk.accounts.models import User
from trustdesk.core.forms import first_error
from trustdesk.core.http import AuthedRequest
from trustdesk.incidents.forms import apply_domain_error
from trustdesk.lib.errors import DomainError

from .. import access, search, services
from ..forms import (
    SECTIONS,
    ActionItemForm,
    CommentForm,
    DecisionForm,
    FactorForm,
    ReviewersForm,
    SearchForm,
    TimelineForm,
)
from ..lifecycle import ActionStatus
from ..models import ActionItem, PostMortem
from .common import detail_context, done, error_message, failed, reload

PAGE_SIZE = 25


def _published_stats(user: User) -> dict[str, int | None]:
    """Counted over published post-mortems only, as analytics count them."""
    published = PostMortem.objects.visible_to(user).published()
    items = ActionItem.objects.filter(postmortem__in=published.values("pk")).aggregate(
        counted=Count("pk", filter=~Q(status=ActionStatus.CANCELLED)),
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
    )
    percent = round(100 * items["done"] / items["counted"]) if items["counted"] else None
    return {"published": published.count(), "percent": percent}


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    results = search.search(request.user, form.filters())
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "overdue": search.overdue_by_owner(request.user),
        "stats": _published_stats(request.user),
        "searching": any(form.filters().__dict__.values()),
    }
    return render(request, "postmortems/index.html", context)


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    pm = access.get_for_user(request.user, pk)
    return render(request, "postmortems/detail.html", detail_context(request, pm))


def _text_editable(request: AuthedRequest, pk: int) -> PostMortem:
    pm = access.get_rw_for_user(request.user, pk)
    if not access.can_edit_text(request.user, pm):
        raise PermissionDenied(
            f"This post-mortem is {pm.get_status_display().lower()}; move it back to draft "
            "to change the text."
        )
    return pm


@login_required
@require_POST
def save_section(request: AuthedRequest, pk: int, key: str) -> HttpResponse:
    if key not in SECTIONS:
        raise Http404("No such section")
    pm = _text_editable(request, pk)
    title, form_class = SECTIONS[key]
    form = form_class(request.POST, postmortem=pm, auto_id=f"{key}-%s")
    if form.is_valid():
        try:
            services.update(actor=request.user, postmortem=pm, **form.changes())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return done(request, pk, (f"section-{key}", "pm-flags", "pm-head"), f"{title} saved.")
    return failed(request, pm, f"section-{key}", first_error(form), 422, section_forms={key: form})


@login_required
@require_POST
def refresh_facts(request: AuthedRequest, pk: int) -> HttpResponse:
    pm = _text_editable(request, pk)
    services.refresh_facts(actor=request.user, postmortem=pm)
    return done(request, pk, ("panel-facts",), "Impact counted again from the incident.")


@login_required
@require_POST
def save_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    pm = _text_editable(request, pk)
    form = TimelineForm(request.POST, postmortem=pm, auto_id="timeline-%s")
    if form.is_valid():
        try:
            services.set_timeline(
                actor=request.user,
                postmortem=pm,
                event_ids=form.cleaned_data["event_ids"],
                tz=form.cleaned_data["tz"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return done(request, pk, ("panel-timeline",), "Timeline saved.")
    return failed(request, pm, "panel-timeline", first_error(form), 422, timeline_form=form)


@login_required
@require_POST
def add_factor(request: AuthedRequest, pk: int) -> HttpResponse:
    pm = _text_editable(request, pk)
    form = FactorForm(request.POST, auto_id="factor-%s")
    if form.is_valid():
        try:
            link = services.add_factor(actor=request.user, postmortem=pm, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            message = f"Contributing factor added: {link.factor.name}."
            return done(request, pk, ("panel-factors", "panel-actions"), message)
    return failed(request, pm, "panel-factors", first_error(form), 422, factor_form=form)


@login_required
@require_POST
def remove_factor(request: AuthedRequest, pk: int, link_id: int) -> HttpResponse:
    pm = _text_editable(request, pk)
    link = get_object_or_404(pm.factor_links.select_related("factor"), pk=link_id)
    services.remove_factor(actor=request.user, factor_link=link)
    message = f"Contributing factor removed: {link.factor.name}."
    return done(request, pk, ("panel-factors", "panel-actions"), message)


@login_required
@require_POST
def add_action(request: AuthedRequest, pk: int) -> HttpResponse:
    pm = access.get_rw_for_user(request.user, pk)
    form = ActionItemForm(request.POST, postmortem=pm, auto_id="action-%s")
    if form.is_valid():
        try:
            item = services.create_action_item(
                actor=request.user, postmortem=pm, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return done(request, pk, ("panel-actions",), f"Action item added: {item}")
    return failed(request, pm, "panel-actions", first_error(form), 422, action_form=form)


@login_required
@require_POST
def action_status(request: AuthedRequest, pk: int, item_id: int) -> HttpResponse:
    pm = access.get_for_user(request.user, pk)
    item = get_object_or_404(pm.action_items.select_related("postmortem__incident"), pk=item_id)
    if not access.can_update_item(request.user, item):
        raise PermissionDenied("Only the owner or the incident's responders move this item.")
    try:
        item = services.update_action_item(
            actor=request.user, item=item, status=request.POST.get("status", "")
        )
    except DomainError as exc:
        return failed(request, pm, "panel-actions", error_message(exc), exc.status_code)
    message = f"{item.get_status_display()}: {item.description}"
    return done(request, pk, ("panel-actions",), message)


@login_required
@require_POST
def set_reviewers(request: AuthedRequest, pk: int) -> HttpResponse:
    pm = access.get_rw_for_user(request.user, pk)
    form = ReviewersForm(request.POST, postmortem=pm, auto_id="reviewers-%s")
    if form.is_valid():
        try:
            services.set_reviewers(
                actor=request.user, postmortem=pm, reviewers=form.cleaned_data["reviewers"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return done(request, pk, ("panel-review",), "Reviewers saved.")
    return failed(request, pm, "panel-review", first_error(form), 422, reviewers_form=form)


@login_required
@require_POST
def transition(request: AuthedRequest, pk: int) -> HttpResponse:
    pm = access.get_rw_for_user(request.user, pk)
    try:
        pm = services.transition(actor=request.user, postmortem=pm, to=request.POST.get("to", ""))
    except DomainError as exc:
        return failed(request, pm, "panel-review", error_message(exc), exc.status_code)
    return reload(request, pk, f"{pm.ref} is now {pm.get_status_display().lower()}.")


@login_required
@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    pm = access.get_for_user(request.user, pk)
    form = DecisionForm(request.POST, auto_id="decision-%s")
    if form.is_valid():
        try:
            services.decide(actor=request.user, postmortem=pm, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return reload(request, pk, "Your review is recorded.")
    return failed(request, pm, "panel-review", first_error(form), 422, decision_form=form)


@login_required
@require_POST
def comment(request: AuthedRequest, pk: int) -> HttpResponse:
    pm = access.get_for_user(request.user, pk)
    if not access.can_comment(request.user, pm):
        raise PermissionDenied("You can read this post-mortem but not comment on it.")
    form = CommentForm(request.POST, auto_id="comment-%s")
    if form.is_valid():
        try:
            services.add_comment(actor=request.user, postmortem=pm, text=form.cleaned_data["text"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return done(request, pk, ("panel-comments",), "Comment added.")
    return failed(request, pm, "panel-comments", first_error(form), 422, comment_form=form)
