from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from trustdesk.core.http import AuthedRequest
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import DomainError
from trustdesk.lib.regions import Region

from .. import access, services
from .. import evidence as evidence_store
from ..forms import AttachForm, OpenIncidentForm, ReasonForm
from ..models import Attachment, ContentItem, GroupStatus, Report, ReportGroup

PAGE_SIZE = 50


@login_required
@require_GET
def queue(request: AuthedRequest) -> HttpResponse:
    """Open groups (or another status), newest activity first, for the viewer's eyes only."""
    user = request.user
    access.require_queue(user)
    status = request.GET.get("status", GroupStatus.OPEN)
    if status not in GroupStatus.values:
        status = GroupStatus.OPEN
    region = request.GET.get("region", "")
    groups = (
        ReportGroup.objects.visible_to(user)
        .filter(status=status)
        .select_related("category", "team", "incident")
        .order_by("-last_seen_at", "-id")
    )
    if region in Region.values:
        groups = groups.filter(region=region)
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": GroupStatus.choices,
        "region": region,
        "regions": Region.choices,
        "can_triage": access.can_triage(user),
    }
    return render(request, "intake/queue.html", context)


@login_required
@require_GET
def group_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_user(request.user, pk)
    reports = (
        Report.objects.filter(group=group)
        .select_related("market", "category", "submitted_by")
        .order_by("-received_at", "-id")[:200]
    )
    items = ContentItem.objects.filter(group=group).order_by("id")
    attachments = Attachment.objects.filter(report__group=group).select_related("evidence")
    by_report: dict[int, list[object]] = {}
    for item in items:
        by_report.setdefault(item.report_id, []).append(item)
    evidence: dict[int, list[Attachment]] = {}
    for attachment in attachments:
        evidence.setdefault(attachment.report_id, []).append(attachment)
    rows = [(r, by_report.get(r.pk, []), evidence.get(r.pk, [])) for r in reports]
    context = {
        "group": group,
        "rows": rows,
        "sensitive": bool(group.category and group.category.sensitive),
        "viewing": evidence_store.viewing(request.user, group.category),
        "can_triage": access.can_triage(request.user) and group.status == GroupStatus.OPEN,
        "can_reopen": access.can_triage(request.user)
        and group.status in (GroupStatus.DISMISSED, GroupStatus.SPAM),
        "open_form": OpenIncidentForm(),
        "attach_form": AttachForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "intake/group.html", context)


def _back(request: AuthedRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/triage/") else fallback


def _act(request: AuthedRequest, pk: int, verb: str) -> HttpResponse:
    group = access.get_rw_group_for_user(request.user, pk)
    queue_url = reverse("intake:triage")
    try:
        if verb == "open":
            form = OpenIncidentForm(request.POST)
            form.is_valid()
            incident = services.open_incident_from_group(
                actor=request.user, group=group, **form.cleaned_data
            )
            messages.success(request, f"{group.ref} opened as {incident.ref}.")
            return redirect("incidents:detail", incident.pk)
        if verb == "attach":
            attach = AttachForm(request.POST)
            if not attach.is_valid():
                raise DomainError(str(attach.errors["incident"][0]), field="incident")
            target = (
                Incident.objects.visible_to(request.user)
                .filter(pk=attach.cleaned_data["incident"])
                .first()
            )
            if target is None:
                raise DomainError("No such incident, or not one you can see.", field="incident")
            services.attach_group(actor=request.user, group=group, incident=target)
            messages.success(request, f"{group.ref} attached to {target.ref}.")
        elif verb == "dismiss":
            reason = request.POST.get("reason", "")
            services.dismiss_group(actor=request.user, group=group, reason=reason)
            messages.success(request, f"{group.ref} dismissed.")
        elif verb == "spam":
            services.mark_spam(
                actor=request.user, group=group, reason=request.POST.get("reason", "")
            )
            messages.success(request, f"{group.ref} marked as spam.")
        else:
            services.reopen_group(actor=request.user, group=group)
            messages.success(request, f"{group.ref} is open again.")
    except DomainError as exc:
        messages.error(request, f"{group.ref}: {exc.message}")
        return redirect(_back(request, reverse("intake:group", args=[group.pk])))
    return redirect(_back(request, queue_url))


@login_required
@require_POST
def open_incident(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "open")


@login_required
@require_POST
def attach(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "attach")


@login_required
@require_POST
def dismiss(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "dismiss")


@login_required
@require_POST
def spam(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "spam")


@login_required
@require_POST
def reopen(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reopen")
