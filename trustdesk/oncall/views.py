"""Engagement rules: responders read them, leads edit them. Others get 404."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from trustdesk.core.http import AuthedRequest
from trustdesk.incidents import access
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import Conflict, InvalidInput

from . import escalation, handoffs, ical, schedule, services, updates
from .forms import EngagementRuleForm
from .models import Audience, EngagementRule, Handoff, Page, Rotation

WEEK = timedelta(days=7)


def _require_reader(request: AuthedRequest) -> None:
    if not request.user.is_responder and request.user.role != "auditor":
        raise Http404


def _require_lead(request: AuthedRequest) -> None:
    if not request.user.sees_everything:
        raise Http404


@login_required
@require_GET
def rules(request: AuthedRequest) -> HttpResponse:
    _require_reader(request)
    rows = (
        EngagementRule.objects.select_related("team", "person")
        .prefetch_related("categories", "keywords", "markets")
        .annotate(fired=Count("matches"))
    )
    return render(request, "oncall/rules.html", {"rules": rows})


@login_required
def edit_rule(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    _require_lead(request)
    rule = get_object_or_404(EngagementRule, pk=pk) if pk else None
    form = EngagementRuleForm(request.POST or None, instance=rule)
    if request.method == "POST":
        if form.is_valid():
            services.save_rule(actor=request.user, form=form)
            return redirect("oncall:rules")
        return render(request, "oncall/rule_form.html", {"form": form, "rule": rule}, status=422)
    return render(request, "oncall/rule_form.html", {"form": form, "rule": rule})


def _rotations() -> list[Rotation]:
    return list(
        Rotation.objects.select_related("team").prefetch_related("members__user", "overrides")
    )


@login_required
@require_GET
def rotations(request: AuthedRequest) -> HttpResponse:
    """Who is on call now, each rotation's next shifts, and coverage gaps this week."""
    _require_reader(request)
    now = timezone.now()
    rows = _rotations()
    context = {
        "rows": [
            (r, schedule.on_call(r, now), schedule.shifts(r, now, now + WEEK)[:4]) for r in rows
        ],
        "gaps": schedule.gaps(schedule.incident_rotations(), now, now + WEEK),
        "has_incident_rotations": bool(schedule.incident_rotations()),
    }
    return render(request, "oncall/rotations.html", context)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_GET
def rotation_ics(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    rotation = get_object_or_404(Rotation, pk=pk)
    body = ical.feed([rotation], now=timezone.now(), name=str(rotation))
    return _ics(body, f"rotation-{rotation.pk}.ics")


@login_required
@require_GET
def my_ics(request: AuthedRequest) -> HttpResponse:
    """My shifts in every rotation I am on (anyone may have their own)."""
    mine = Rotation.objects.filter(members__user=request.user).distinct()
    body = ical.feed(mine, now=timezone.now(), name="My on-call shifts", user=request.user)
    return _ics(body, "my-on-call.ics")


@login_required
@require_POST
def acknowledge_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """Acknowledge a page (stops its escalation); invisible incidents are 404."""
    visible = Incident.objects.visible_to(request.user)
    page = get_object_or_404(Page.objects.filter(incident__in=visible), pk=pk)
    try:
        escalation.acknowledge(actor=request.user, page=page)
    except Conflict as exc:
        return HttpResponse(str(exc), status=409)
    return redirect("incidents:detail", pk=page.incident_id)


@login_required
def status_updates(request: AuthedRequest, pk: int) -> HttpResponse:
    """Draft, edit and send a stakeholder update; the history and when the next is due."""
    incident = access.get_incident_for_user(request.user, pk)
    audience = request.POST.get("audience") or request.GET.get("audience") or "internal"
    if audience not in Audience.values:
        raise Http404
    errors: dict[str, str] = {}
    if request.method == "POST":
        incident = access.get_rw_incident_for_user(request.user, pk)
        try:
            updates.send_update(
                actor=request.user,
                incident=incident,
                audience=audience,
                subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""),
            )
            return redirect("oncall:updates", pk=incident.pk)
        except InvalidInput as exc:
            errors = exc.errors
        subject, body = request.POST.get("subject", ""), request.POST.get("body", "")
    else:
        subject, body = updates.draft(incident, audience)
    context = {
        "incident": incident,
        "audience": audience,
        "audiences": Audience.choices,
        "subject": subject,
        "body": body,
        "errors": errors,
        "next_due": updates.next_due(incident),
        "history": incident.status_updates.all()[:50],
        "can_send": access.can_edit(request.user, incident),
    }
    return render(request, "oncall/updates.html", context, status=422 if errors else 200)


@login_required
def handoff(request: AuthedRequest, pk: int) -> HttpResponse:
    """The incoming on-call's summary; they acknowledge it. Leads may read any."""
    row = get_object_or_404(Handoff.objects.select_related("rotation", "incoming"), pk=pk)
    if request.user != row.incoming and not request.user.sees_everything:
        raise Http404
    if request.method == "POST":
        try:
            handoffs.acknowledge(actor=request.user, handoff=row)
        except Conflict as exc:
            return HttpResponse(str(exc), status=409)
        return redirect("oncall:handoff", pk=row.pk)
    return render(request, "oncall/handoff.html", {"handoff": row})
