"""My notifications: the list, marking read, and following a notification's link."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from trustdesk.core.http import AuthedRequest

from . import services
from .forms import DestinationForm, QuietHoursForm, WorkingHoursForm
from .models import Delivery, Destination, Notification, Preference

PAGE_SIZE = 50


@login_required
@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    rows = Notification.objects.for_user(request.user)
    if request.GET.get("unread") == "1":
        rows = rows.unread()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "only_unread": request.GET.get("unread") == "1",
        "unread": services.unread_count(request.user),
    }
    return render(request, "notify/inbox.html", context)


@login_required
@require_POST
def open_notification(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one read and go where it points (only ever inside trustdesk)."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notify:inbox")


@login_required
@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    services.mark_read(user=request.user)
    return redirect("notify:inbox")


@login_required
@require_GET
def bell(request: AuthedRequest) -> HttpResponse:
    """The header's unread badge, polled by HTMX so it stays current without a reload."""
    return render(request, "notify/_bell.html", {"unread": services.unread_count(request.user)})


@login_required
def channels(request: AuthedRequest) -> HttpResponse:
    """My channels: where notifications go, and which ones were disabled after failing."""
    form = DestinationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_destination(user=request.user, **form.cleaned_data)
        return redirect("notify:channels")
    return render(
        request,
        "notify/channels.html",
        _channels_context(request, form=form),
        status=200 if request.method == "GET" or form.is_valid() else 422,
    )


@login_required
@require_GET
def delivery_log(request: AuthedRequest) -> HttpResponse:
    """Every delivery and attempt about one subject (``?thread=incident-12``): leads only,
    since it names who was told what."""
    if not request.user.sees_everything:
        raise Http404
    thread = request.GET.get("thread", "")[:100]
    rows = Delivery.objects.filter(thread_key=thread).select_related("recipient", "destination")
    rows = rows.prefetch_related("log")
    return render(request, "notify/deliveries.html", {"thread": thread, "deliveries": rows[:500]})


@login_required
@require_POST
def quiet_hours(request: AuthedRequest) -> HttpResponse:
    form = QuietHoursForm(request.POST)
    if not form.is_valid():
        return render(
            request, "notify/channels.html", _channels_context(request, quiet=form), status=422
        )
    services.set_quiet_hours(user=request.user, **form.cleaned_data)
    return redirect("notify:channels")


@login_required
@require_POST
def working_hours(request: AuthedRequest) -> HttpResponse:
    form = WorkingHoursForm(request.POST)
    if not form.is_valid():
        return render(
            request, "notify/channels.html", _channels_context(request, working=form), status=422
        )
    services.set_working_hours(user=request.user, **form.cleaned_data)
    return redirect("notify:channels")


def _channels_context(
    request: AuthedRequest,
    *,
    form: DestinationForm | None = None,
    quiet: QuietHoursForm | None = None,
    working: WorkingHoursForm | None = None,
) -> dict[str, object]:
    pref = Preference.objects.filter(user=request.user).first()
    initial = {"quiet_from": pref.quiet_from, "quiet_until": pref.quiet_until} if pref else {}
    hours = (
        {"work_from": pref.work_from, "work_until": pref.work_until, "work_days": pref.work_days}
        if pref
        else {}
    )
    return {
        "destinations": Destination.objects.filter(user=request.user),
        "form": form or DestinationForm(),
        "quiet": quiet or QuietHoursForm(initial=initial),
        "working": working or WorkingHoursForm(initial=hours),
    }
