"""On-call pages: rotations, escalation policies and engagement rules (responders read them;
leads and admins edit them, others get 403), calendar feeds, pages, updates, handoffs."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from trustdesk.accounts.models import User
from trustdesk.core.http import AuthedRequest
from trustdesk.incidents import access
from trustdesk.lib.errors import Conflict, InvalidInput

from . import escalation, feeds, handoffs, ical, schedule, services, updates
from .forms import (
    EngagementRuleForm,
    LayerFormSet,
    OverrideFormSet,
    PolicyForm,
    RotationForm,
    StepFormSet,
)
from .models import (
    Audience,
    CalendarToken,
    EngagementRule,
    EscalationPolicy,
    Handoff,
    Rotation,
)

WEEK = timedelta(days=7)


def _require_reader(request: AuthedRequest) -> None:
    if not request.user.is_responder and request.user.role != "auditor":
        raise Http404


def _require_editor(request: AuthedRequest) -> None:
    """Leads and admins edit rules, rotations and policies; everyone else is refused."""
    if not request.user.sees_everything:
        raise PermissionDenied("Only leads and admins edit this.")


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
    _require_editor(request)
    rule = get_object_or_404(EngagementRule, pk=pk) if pk else None
    form = EngagementRuleForm(request.POST or None, instance=rule)
    if request.method == "POST":
        if form.is_valid():
            services.save_rule(actor=request.user, form=form)
            return redirect("oncall:rules")
        return render(request, "oncall/rule_form.html", {"form": form, "rule": rule}, status=422)
    return render(request, "oncall/rule_form.html", {"form": form, "rule": rule})


def _rotations() -> list[Rotation]:
    return list(Rotation.objects.select_related("team").prefetch_related(*schedule.PREFETCH))


@login_required
def edit_rotation(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a rotation: members, layers, overrides and holiday calendar."""
    _require_editor(request)
    rotation = get_object_or_404(Rotation, pk=pk) if pk else None
    data = request.POST if request.method == "POST" else None
    form = RotationForm(data, instance=rotation)
    layers = LayerFormSet(data, instance=rotation, prefix="layers")
    overrides = OverrideFormSet(data, instance=rotation, prefix="overrides")
    context = {"form": form, "layers": layers, "overrides": overrides, "rotation": rotation}
    if request.method != "POST":
        return render(request, "oncall/rotation_form.html", context)
    if form.is_valid() and layers.is_valid() and overrides.is_valid():
        services.save_rotation(actor=request.user, form=form, layers=layers, overrides=overrides)
        return redirect("oncall:rotations")
    return render(request, "oncall/rotation_form.html", context, status=422)


@login_required
@require_GET
def policies(request: AuthedRequest) -> HttpResponse:
    _require_reader(request)
    rows = EscalationPolicy.objects.prefetch_related("steps__team", "steps__person")
    return render(
        request,
        "oncall/policies.html",
        {"policies": rows, "can_edit": request.user.sees_everything},
    )


@login_required
def edit_policy(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit an escalation policy and its ordered, typed steps."""
    _require_editor(request)
    policy = get_object_or_404(EscalationPolicy, pk=pk) if pk else None
    data = request.POST if request.method == "POST" else None
    form = PolicyForm(data, instance=policy)
    steps = StepFormSet(data, instance=policy, prefix="steps")
    context = {"form": form, "steps": steps, "policy": policy}
    if request.method != "POST":
        return render(request, "oncall/policy_form.html", context)
    if form.is_valid() and steps.is_valid():
        services.save_policy(actor=request.user, form=form, steps=steps)
        return redirect("oncall:policies")
    return render(request, "oncall/policy_form.html", context, status=422)


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
        "can_edit": request.user.sees_everything,
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
    return _mine(request.user)


def _mine(user: User) -> HttpResponse:
    mine = Rotation.objects.filter(
        Q(members__user=user) | Q(layers__members__user=user) | Q(overrides__user=user)
    ).distinct()
    body = ical.feed(
        mine.prefetch_related(*schedule.PREFETCH),
        now=timezone.now(),
        name="My on-call shifts",
        user=user,
    )
    return _ics(body, "my-on-call.ics")


@login_required
def calendar(request: AuthedRequest) -> HttpResponse:
    """My secret feed URLs for calendar apps; rotate or revoke the token."""
    if not feeds.may_have_feeds(request.user):
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "rotate":
            feeds.rotate(user=request.user)
        elif action == "revoke":
            feeds.revoke(user=request.user)
        else:
            return HttpResponse("action: choose rotate or revoke.", status=400)
        return redirect("oncall:calendar")
    row = CalendarToken.objects.filter(user=request.user).first()
    context = {
        "token": row,
        "rotations": _rotations() if feeds.may_read_rotation(request.user) else [],
    }
    return render(request, "oncall/calendar.html", context)


@require_GET
def token_my_ics(request: HttpRequest, token: str) -> HttpResponse:
    """A person's shifts, for calendar apps: the token is the credential. Wrong, rotated or
    revoked tokens, and people with no feeds, get 404."""
    owner = feeds.owner_of(token)
    if owner is None:
        raise Http404
    return _mine(owner)


@require_GET
def token_rotation_ics(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    owner = feeds.owner_of(token)
    if owner is None or not feeds.may_read_rotation(owner):
        raise Http404
    rotation = get_object_or_404(Rotation.objects.prefetch_related(*schedule.PREFETCH), pk=pk)
    body = ical.feed([rotation], now=timezone.now(), name=str(rotation))
    return _ics(body, f"rotation-{rotation.pk}.ics")


@login_required
@require_POST
def acknowledge_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """Acknowledge a page (stops its escalation); pages about what one cannot see are 404."""
    page = get_object_or_404(escalation.visible_pages(request.user), pk=pk)
    try:
        escalation.acknowledge(actor=request.user, page=page)
    except Conflict as exc:
        return HttpResponse(str(exc), status=409)
    if page.incident_id is None:
        return redirect("regulatory:detail", pk=page.request_id)
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
