"""``/playbooks/adherence/``: which steps are done, skipped and late, for leads."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from trustdesk.core.forms import Form
from trustdesk.core.http import AuthedRequest
from trustdesk.lib.regions import Region

from .. import adherence

PERIODS = [
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("365", "Last 12 months"),
    ("all", "All time"),
]


class AdherenceFilters(Form):
    period = forms.ChoiceField(choices=PERIODS, required=False, initial="90")
    region = forms.ChoiceField(choices=[("", "All regions"), *Region.choices], required=False)


def can_see_adherence(user: object) -> bool:
    # Adherence reads every checklist, restricted incidents' skip reasons included.
    return bool(getattr(user, "sees_everything", False))


@login_required
@require_GET
def adherence_view(request: AuthedRequest) -> HttpResponse:
    if not can_see_adherence(request.user):
        raise PermissionDenied("Adherence is for leads and admins.")
    form = AdherenceFilters(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    period = data.get("period") or "90"
    since = None if period == "all" else timezone.now() - timedelta(days=int(period))
    rows = adherence.library(since=since, region=data.get("region") or "")
    context = {"form": form, "rows": rows, "period": dict(PERIODS)[period]}
    return render(request, "playbooks/adherence.html", context)
