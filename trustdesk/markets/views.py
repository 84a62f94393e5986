"""Market profiles and the risk calendar. Each view checks access, calls a service, renders.

The iCalendar feed is the one page without a login: calendar apps fetch it with the secret
token in its URL (``services.feed_token``), and a wrong or reset token is a 404.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from trustdesk.core.http import AuthedRequest
from trustdesk.incidents.forms import apply_domain_error
from trustdesk.lib.errors import DomainError
from trustdesk.lib.timefmt import in_zone
from trustdesk.taxonomy.models import Market

from . import calendar, holidays, ics, rules, services
from .forms import ROW_FORMSETS, CalendarFilters, ProfileForm, RiskEventForm, profile_draft
from .models import MarketProfile, RiskEvent


def _market(code: str) -> Market:
    return get_object_or_404(Market, code=code.upper())


def _profile(request: AuthedRequest, market: Market) -> MarketProfile | None:
    return (
        MarketProfile.objects.visible_to(request.user)
        .filter(market=market)
        .prefetch_related("authorities", "partners", "risks", "experts__user")
        .first()
    )


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    profiled = set(MarketProfile.objects.values_list("market__code", flat=True))
    by_region: dict[str, list[Market]] = defaultdict(list)
    for market in Market.objects.order_by("name"):
        by_region[market.get_region_display()].append(market)
    context = {"by_region": dict(sorted(by_region.items())), "profiled": profiled}
    return render(request, "markets/index.html", context)


@login_required
@require_GET
def profile(request: AuthedRequest, code: str) -> HttpResponse:
    market = _market(code)
    today = in_zone(timezone.now(), market.tz).date()
    upcoming = RiskEvent.objects.filter(market=market, ends_on__gte=today).order_by("starts_on")
    context = {
        "market": market,
        "profile": _profile(request, market),
        "rules": rules.for_market(market, today),
        "rules_available": rules.available(),
        "holidays": holidays.next_twelve_months(market.code, today),
        "upcoming": upcoming[:8],
        "can_edit": services.can_edit_profiles(request.user),
    }
    return render(request, "markets/profile.html", context)


def _profile_forms(request: AuthedRequest, profile: MarketProfile | None) -> tuple[Any, dict]:
    data: QueryDict | None = request.POST.copy() if request.method == "POST" else None
    if data is not None and "add_row" in data:
        # One more blank row in the formset asked for, without JavaScript.
        key = f"{data.get('add_row')}-TOTAL_FORMS"
        count = data.get(key, "")
        if count.isdigit():
            data[key] = str(int(count) + 1)
    draft = services.draft_of(profile)
    form = ProfileForm(
        data,
        initial={
            "overview": draft.overview,
            "regulatory_notes": draft.regulatory_notes,
            "language_notes": draft.language_notes,
        },
    )
    formsets = {
        kind: factory(data, prefix=kind, initial=getattr(draft, kind) if data is None else None)
        for kind, factory in ROW_FORMSETS.items()
    }
    return form, formsets


@login_required
def edit_profile(request: AuthedRequest, code: str) -> HttpResponse:
    if not services.can_edit_profiles(request.user):
        raise PermissionDenied("Incident managers, leads and admins keep profiles up to date.")
    market = _market(code)
    profile = _profile(request, market)
    form, formsets = _profile_forms(request, profile)
    adding = request.method == "POST" and "add_row" in request.POST
    valid = form.is_valid() and all(f.is_valid() for f in formsets.values())
    if request.method == "POST" and not adding and valid:
        try:
            services.save_profile(
                actor=request.user,
                market=market,
                draft=profile_draft(form, formsets),
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"Saved the profile of {market.name}.")
            return redirect("markets:profile", code=market.code)
    status = 422 if request.method == "POST" and not adding else 200
    context = {"market": market, "profile": profile, "form": form, "formsets": formsets}
    return render(request, "markets/edit.html", context, status=status)


@login_required
@require_GET
def history(request: AuthedRequest, code: str) -> HttpResponse:
    market = _market(code)
    profile = _profile(request, market)
    if profile is None:
        raise Http404("No profile yet")
    revisions = profile.revisions.select_related("created_by")
    return render(
        request,
        "markets/history.html",
        {"market": market, "profile": profile, "revisions": revisions},
    )


# --- the risk calendar ---------------------------------------------------------------------


def _filters(form: CalendarFilters) -> calendar.Filters:
    data = form.cleaned_data if form.is_valid() else {}
    return calendar.Filters(
        region=data.get("region") or "",
        market=data.get("market") or "",
        kinds=tuple(data.get("kind") or ()),
    )


def _month_param(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


@login_required
@require_GET
def calendar_view(request: AuthedRequest) -> HttpResponse:
    form = CalendarFilters(request.GET or None)
    today = in_zone(timezone.now(), request.user.tz or "UTC").date()
    year, month = form.month_shown(today)
    filters = _filters(form)
    first, _ = calendar.month_bounds(year, month)
    grid = calendar.month_grid(year, month, filters)
    context = {
        "form": form,
        "weeks": grid.weeks,
        "periods": grid.periods,
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "month_start": first,
        "today": today,
        "prev": _month_param(*calendar.shift_month(year, month, -1)),
        "next": _month_param(*calendar.shift_month(year, month, 1)),
        "this_month": f"{today:%Y-%m}",
        "upcoming": [
            e
            for e in calendar.entries(filters, today, today + timedelta(days=365))
            if not e.is_holiday
        ][:12],
        "can_edit": services.can_edit_calendar(request.user),
        "event_form": RiskEventForm(initial={"starts_on": first}),
        "feed_url": request.build_absolute_uri(reverse("markets:feed"))
        + f"?token={services.feed_token(request.user)}",
    }
    return render(request, "markets/calendar.html", context)


def _writable_calendar(request: AuthedRequest) -> None:
    if not services.can_edit_calendar(request.user):
        raise PermissionDenied("Leads and admins keep the risk calendar.")


@login_required
def event_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    _writable_calendar(request)
    event = get_object_or_404(RiskEvent.objects.select_related("market"), pk=pk) if pk else None
    initial = {}
    if event is not None:
        initial = {
            "market": event.market,
            "title": event.title,
            "kind": event.kind,
            "starts_on": event.starts_on,
            "ends_on": event.ends_on,
            "notes": event.notes,
            "remind": ", ".join(str(d) for d in event.remind_days_before),
            "unconfirmed": event.unconfirmed,
            "source": event.source,
        }
    form = RiskEventForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            if event is None:
                event = services.create_event(actor=request.user, draft=form.draft())
            else:
                event = services.update_event(actor=request.user, event=event, draft=form.draft())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"Saved: {event.title} ({event.market.code}).")
            return redirect(reverse("markets:calendar") + f"?month={event.starts_on:%Y-%m}")
    status = 422 if form.is_bound else 200
    return render(request, "markets/event_form.html", {"form": form, "event": event}, status=status)


@login_required
@require_POST
def delete_event(request: AuthedRequest, pk: int) -> HttpResponse:
    _writable_calendar(request)
    event = get_object_or_404(RiskEvent, pk=pk)
    services.delete_event(actor=request.user, event=event)
    messages.success(request, f"Deleted: {event.title}.")
    return redirect(reverse("markets:calendar") + f"?month={event.starts_on:%Y-%m}")


@require_POST
@login_required
def reset_feed(request: AuthedRequest) -> HttpResponse:
    services.reset_feed(actor=request.user)
    messages.success(request, "New calendar address made; the old one no longer works.")
    return redirect("markets:calendar")


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """The feed for calendar apps: no session, the token is the credential."""
    user = services.user_for_token(request.GET.get("token", ""))
    if user is None:
        raise Http404("Unknown calendar address")
    now = timezone.now()
    start, end = ics.window(now.date())
    filters = calendar.Filters(
        region=request.GET.get("region", ""), market=request.GET.get("market", "").upper()
    )
    link = request.build_absolute_uri(reverse("markets:calendar"))
    body = ics.feed(calendar.entries(filters, start, end), now=now, link=link)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="trustdesk-risk-calendar.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
