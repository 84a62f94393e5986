"""The post-mortem panel on an incident's page, loaded by HTMX: this incident's post-mortem
(or a lead's "require one"), and similar past incidents with their lessons and open action
items. Everything in it is limited to what the reader may see."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from trustdesk.core.http import AuthedRequest
from trustdesk.incidents import access as incident_access
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import DomainError

from .. import access, search, services
from ..forms import RequireForm
from ..models import PostMortem, Requirement


def _panel(
    request: AuthedRequest, incident: Incident, form: RequireForm | None = None, **extra: object
) -> HttpResponse:
    user = request.user
    pm = PostMortem.objects.filter(incident=incident).select_related("author").first()
    requirement = Requirement.objects.filter(incident=incident).first()
    context = {
        "incident": incident,
        "pm": pm,
        "requirement": requirement,
        "can_require": pm is None and requirement is None and access.can_require(user),
        "require_form": form or RequireForm(auto_id="require-%s"),
        "matches": search.similar(incident, user),
        **extra,
    }
    status = 422 if form is not None and form.errors else 200
    return render(request, "postmortems/_incident_panel.html", context, status=status)


@login_required
@require_GET
def incident_panel(request: AuthedRequest, incident_id: int) -> HttpResponse:
    incident = incident_access.get_incident_for_user(request.user, incident_id)
    return _panel(request, incident)


@login_required
@require_POST
def require(request: AuthedRequest, incident_id: int) -> HttpResponse:
    incident = incident_access.get_incident_for_user(request.user, incident_id)
    form = RequireForm(request.POST, auto_id="require-%s")
    if form.is_valid():
        try:
            pm = services.require(
                actor=request.user, incident=incident, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error("reason", exc.message)
        else:
            message = f"{pm.ref} opened." if pm else "A post-mortem will open when it is resolved."
            if request.htmx:
                return _panel(request, incident, flash=message)
            messages.success(request, message)
            return redirect("incidents:detail", pk=incident.pk)
    if request.htmx:
        return _panel(request, incident, form)
    messages.error(request, "; ".join(str(e) for e in form.errors.get("reason", [])))
    return redirect("incidents:detail", pk=incident.pk)
