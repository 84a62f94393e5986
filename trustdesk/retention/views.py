"""The retention page: policies, legal holds, recent purge runs."""

from __future__ import annotations

from datetime import UTC

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from trustdesk.core.forms import first_error
from trustdesk.core.http import AuthedRequest
from trustdesk.lib.errors import DomainError

from . import services
from .forms import HoldForm, PolicyForm, ReleaseForm
from .models import LegalHold, PurgeRun


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    if not services.can_view(request.user):
        raise PermissionDenied
    context = {
        "policies": services.effective_policies(),
        "holds": LegalHold.objects.select_related("placed_by", "released_by")[:200],
        "runs": PurgeRun.objects.select_related("actor")[:20],
        "can_edit_policies": services.can_manage_policies(request.user),
        "can_manage_holds": services.can_manage_holds(request.user),
        "policy_form": PolicyForm(auto_id="policy-%s"),
        "hold_form": HoldForm(user=request.user, auto_id="hold-%s"),
    }
    return render(request, "retention/index.html", context)


@login_required
@require_POST
def set_policy(request: AuthedRequest) -> HttpResponse:
    if not services.can_manage_policies(request.user):
        raise PermissionDenied
    form = PolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("retention:index")
    try:
        services.set_policy(actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Retention policy saved.")
    return redirect("retention:index")


@login_required
@require_POST
def place_hold(request: AuthedRequest) -> HttpResponse:
    if not services.can_manage_holds(request.user):
        raise PermissionDenied
    form = HoldForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("retention:index")
    data = form.cleaned_data
    ends_at = data["ends_at"].astimezone(UTC) if data["ends_at"] else None
    try:
        hold = services.place_hold(
            actor=request.user,
            scope=data["scope"],
            reason=data["reason"],
            incident=data["incident"],
            request=data["request"],
            data_class=data["data_class"],
            ends_at=ends_at,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Legal hold placed on {hold.target}.")
    return redirect("retention:index")


@login_required
@require_POST
def release_hold(request: AuthedRequest, pk: int) -> HttpResponse:
    if not services.can_manage_holds(request.user):
        raise PermissionDenied
    hold = get_object_or_404(LegalHold, pk=pk)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("retention:index")
    try:
        services.release_hold(actor=request.user, hold=hold, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Legal hold on {hold.target} released.")
    return redirect("retention:index")
