"""My notifications: the list, marking read, and following a notification's link."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from trustdesk.core.http import AuthedRequest

from . import services
from .models import Notification

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
