"""The dashboard's filters: one form for the page, its exports and the weekly report."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django import forms
from django.http import QueryDict

from trustdesk.core.forms import Form
from trustdesk.lib.regions import Region
from trustdesk.taxonomy.models import Category, Market

from .metrics import Filters

DEFAULT_WEEKS = 8
MAX_DAYS = 366  # a year of daily buckets is already more than a chart can show


def default_filters(today: date, **overrides: str) -> Filters:
    """The last ``DEFAULT_WEEKS`` whole weeks up to today, weekly."""
    since = today - timedelta(days=today.weekday()) - timedelta(weeks=DEFAULT_WEEKS - 1)
    return Filters(since=since, until=today, **overrides)


class MetricsFilterForm(Form):
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.ChoiceField(
        required=False,
        label="Region",
        choices=[("", "Any region"), *[(r.value, r.value) for r in Region]],
    )
    market = forms.ModelChoiceField(
        Market.objects.all(),
        required=False,
        label="Market",
        to_field_name="code",
        empty_label="Any market",
    )
    category = forms.ModelChoiceField(
        Category.objects.all(),
        required=False,
        label="Category",
        to_field_name="slug",
        empty_label="Any category",
    )
    bucket = forms.ChoiceField(
        required=False, label="Per", choices=[("week", "Week"), ("day", "Day")]
    )

    def __init__(self, data: Mapping[str, Any], *, today: date) -> None:
        # A missing period is the default one, shown in the form as if chosen.
        filled = QueryDict(mutable=True)
        filled.update(data)
        default = default_filters(today)
        for name in ("since", "until"):
            if not filled.get(name):
                filled[name] = getattr(default, name).isoformat()
        if not filled.get("bucket"):
            filled["bucket"] = default.bucket
        super().__init__(filled)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since is None or until is None:
            return data  # the field's own error says what is wrong
        if since > until:
            self.add_error("until", "Must be on or after the start date.")
        elif (until - since).days >= MAX_DAYS:
            self.add_error("since", f"The period may span at most {MAX_DAYS} days.")
        return data

    def filters(self) -> Filters:
        """The chosen filters; call after ``is_valid()`` returned True."""
        data = self.cleaned_data
        return Filters(
            since=data["since"],
            until=data["until"],
            region=data.get("region") or "",
            market=data["market"].code if data.get("market") else "",
            category=data["category"].slug if data.get("category") else "",
            bucket=data.get("bucket") or "week",
        )
