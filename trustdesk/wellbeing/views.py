"""Wellbeing pages: my exposure, my viewing preferences, the team view for leads, the owner
suggestion panel on an incident, and the two small endpoints the page calls when a reveal
starts (text) and ends (media and text)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trustdesk.core.forms import first_error
from trustdesk.core.http import AuthedRequest
from trustdesk.incidents import access as incident_access
from trustdesk.lib.errors import InvalidInput

from . import access, load, services, suggest
from .forms import PreferenceForm, RotationNoteForm, StartForm
from .models import ExposureEvent, RotationNote, SupportResource, ViewingPreference


def _day_start(request: AuthedRequest, now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(request.user.tz or "UTC"))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@login_required
@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    my_load = load.for_person(request.user, now, _day_start(request, now))
    context = {
        "load": my_load,
        "prompts": load.prompts(my_load),
        "resources": SupportResource.objects.filter(active=True),
        "leads_teams": access.teams_led_by(request.user).exists(),
    }
    return render(request, "wellbeing/mine.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest) -> HttpResponse:
    form = PreferenceForm(request.POST or None, auto_id="pref-%s")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            values = {f: data[f] for f in services.PREFERENCE_FIELDS}
            try:
                services.save_preference(
                    actor=request.user, category=data["category"], values=values
                )
            except InvalidInput as exc:
                for field, message in exc.errors.items():
                    form.add_error(field, message)
            else:
                messages.success(request, "Viewing preference saved.")
                return redirect("wellbeing:preferences")
        messages.error(request, first_error(form))
        status = 422
    saved = ViewingPreference.objects.filter(user=request.user).select_related("category")
    return render(
        request, "wellbeing/preferences.html", {"form": form, "saved": saved}, status=status
    )


@login_required
@require_POST
def start(request: AuthedRequest) -> HttpResponse:
    """The page expanded collapsed sensitive text: open an exposure event."""
    form = StartForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return JsonResponse({"field": field, "message": errors[0]}, status=422)
    event = services.start_exposure(
        user=request.user,
        category=form.cleaned_data["category"],
        kind=form.cleaned_data["kind"],
    )
    return JsonResponse(
        {"id": event.pk, "end_url": reverse("wellbeing:end", args=[event.pk])}, status=201
    )


@login_required
@require_POST
def end(request: AuthedRequest, pk: int) -> HttpResponse:
    """The end beacon: the page hid, blurred or collapsed what was revealed."""
    event = get_object_or_404(ExposureEvent, pk=pk, user=request.user)
    services.end_exposure(user=request.user, event=event)
    return HttpResponse(status=204)


@login_required
@require_http_methods(["GET", "POST"])
def team(request: AuthedRequest) -> HttpResponse:
    teams = access.require_lead(request.user)
    now = timezone.now()
    if request.method == "POST":
        chosen = get_object_or_404(teams, slug=request.POST.get("team", ""))
        form = RotationNoteForm(request.POST)
        if form.is_valid():
            services.save_rotation_note(
                actor=request.user, team=chosen, text=form.cleaned_data["text"]
            )
            messages.success(request, f"Rotation note for {chosen.name} saved.")
        else:
            messages.error(request, first_error(form))
        return redirect("wellbeing:team")
    notes = {n.team_id: n for n in RotationNote.objects.filter(team__in=teams)}
    rows = []
    for chosen in teams.order_by("name"):
        note = notes.get(chosen.pk)
        form = RotationNoteForm(initial={"text": note.text if note else ""})
        rows.append((load.for_team(chosen, now), form, note))
    return render(request, "wellbeing/team.html", {"rows": rows})


@login_required
@require_GET
def suggestion(request: AuthedRequest, incident_id: int) -> HttpResponse:
    """The owner-suggestion panel on an incident's page (loaded by HTMX)."""
    incident = incident_access.get_incident_for_user(request.user, incident_id)
    access.require_responder(request.user)
    context = {
        "incident": incident,
        "high_impact": suggest.is_high_impact(incident.category),
        "candidates": suggest.rank(incident, request.user, timezone.now()),
    }
    return render(request, "wellbeing/_suggestion.html", context)
