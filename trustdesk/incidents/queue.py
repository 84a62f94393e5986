"""The incident queue: the filters a responder can set and the querysets they give.

Everything starts from ``access.visible_incidents`` so the queue can never show more than
the one visibility rule allows.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count, Exists, OuterRef, Q

from trustdesk.accounts.models import User
from trustdesk.core.forms import Form
from trustdesk.lib.regions import Region
from trustdesk.taxonomy.models import Category, Market
from trustdesk.taxonomy.severity import Severity

from . import access
from .lifecycle import OPEN_STATUSES, Status
from .models import IncidentQuerySet, Participant

SORTS = {
    "severity": ("severity", "reported_at", "id"),
    "age": ("reported_at", "id"),
    "updated": ("-updated_at", "-id"),
}


def parse_ref(text: str) -> int | None:
    """``INC-42``, ``inc-42`` or ``42`` -> 42; anything else (or absurdly long) -> None."""
    digits = text.strip().upper().removeprefix("INC-")
    return int(digits) if digits.isdigit() and len(digits) <= 12 else None


def _blank(label: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", label), *choices]


class QueueFilterForm(Form):
    q = forms.CharField(required=False, label="Search", max_length=200)
    status = forms.ChoiceField(required=False, choices=_blank("Open", Status.choices))
    severity = forms.ChoiceField(required=False, choices=_blank("Any severity", Severity.choices))
    region = forms.ChoiceField(
        required=False, choices=_blank("Any region", [(r.value, r.value) for r in Region])
    )
    market = forms.ModelChoiceField(
        Market.objects.all(), required=False, to_field_name="code", empty_label="Any market"
    )
    category = forms.ModelChoiceField(
        Category.objects.all(), required=False, to_field_name="slug", empty_label="Any category"
    )
    assignee = forms.ChoiceField(
        required=False, choices=[("", "Anyone"), ("me", "Me")], label="Assigned to"
    )
    closed = forms.BooleanField(required=False, label="Include closed")
    # Reported between these UTC dates (inclusive): the analytics drill-down sets them.
    since = forms.DateField(
        required=False, label="Reported from", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="Reported to", widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        required=False,
        label="Sort by",
        choices=[("severity", "Severity"), ("age", "Oldest first"), ("updated", "Last updated")],
    )

    @property
    def valid_filters(self) -> dict[str, Any]:
        """The valid filters; a bad value (an old bookmark, a hand-edited URL) is dropped on
        its own rather than taking every other filter down with it."""
        self.is_valid()
        return self.cleaned_data

    def filtered(self, user: User) -> IncidentQuerySet:
        """Visible incidents matching every filter except the status ones (for the tabs)."""
        data = self.valid_filters
        qs = access.visible_incidents(user)
        if text := (data.get("q") or "").strip():
            match = Q(title__icontains=text) | Q(summary__icontains=text)
            if (pk := parse_ref(text)) is not None:
                match |= Q(pk=pk)
            qs = qs.filter(match)
        for name in ("severity", "region", "market", "category"):
            if data.get(name):
                qs = qs.filter(**{"markets" if name == "market" else name: data[name]})
        if data.get("since"):
            qs = qs.filter(reported_at__date__gte=data["since"])
        if data.get("until"):
            qs = qs.filter(reported_at__date__lte=data["until"])
        if data.get("assignee") == "me":
            engaged = Participant.objects.active().filter(incident=OuterRef("pk"), user=user)
            qs = qs.filter(Q(commander=user) | Exists(engaged))
        return qs

    def status_counts(self, qs: IncidentQuerySet) -> dict[str, int]:
        rows = qs.order_by().values("status").annotate(n=Count("id"))
        counts = {row["status"]: row["n"] for row in rows}
        return {status.value: counts.get(status.value, 0) for status in Status}

    def listed(self, qs: IncidentQuerySet) -> IncidentQuerySet:
        """The rows to show: status filter, sort, and what each row needs in few queries."""
        data = self.valid_filters
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        elif not data.get("closed"):
            qs = qs.filter(status__in=OPEN_STATUSES)
        order = SORTS.get(data.get("sort") or "severity", SORTS["severity"])
        return (
            qs.select_related("category", "commander").prefetch_related("markets").order_by(*order)
        )


def status_tabs(form: QueueFilterForm, counts: dict[str, int]) -> list[dict[str, Any]]:
    """One tab for all open incidents (all incidents with closed ones included), then one
    per status with its count."""
    data = form.valid_filters
    current = data.get("status", "")
    shown = Status if data.get("closed") else OPEN_STATUSES
    tabs = [
        {
            "value": "",
            "label": "All" if data.get("closed") else "All open",
            "count": sum(counts[s.value] for s in shown),
            "current": not current,
        }
    ]
    tabs += [
        {
            "value": s.value,
            "label": s.label,
            "count": counts[s.value],
            "current": current == s.value,
        }
        for s in Status
    ]
    return tabs
