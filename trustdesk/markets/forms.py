"""Forms for market profiles and the risk calendar. They parse; the rules live in services."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.forms import formset_factory

from trustdesk.core.forms import Form
from trustdesk.lib.regions import Region
from trustdesk.taxonomy.models import Market

from .models import AuthorityKind, Channel, PartnerKind, RiskKind
from .services import EventDraft, ProfileDraft


class ProfileForm(Form):
    overview = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown."
    )
    regulatory_notes = forms.CharField(
        label="How the law works here",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown.",
    )
    language_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(
        label="What changed", max_length=300, required=False, help_text="Shown in the history."
    )


class AuthorityForm(Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=AuthorityKind.choices)
    channel = forms.ChoiceField(choices=Channel.choices)
    address = forms.CharField(label="URL, email, number or address", max_length=300, required=False)
    hours = forms.CharField(max_length=120, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    regulatory_code = forms.CharField(label="Regime-pack code", max_length=40, required=False)
    unverified = forms.BooleanField(label="Not verified yet", required=False)


class PartnerForm(Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=PartnerKind.choices)
    contact = forms.CharField(max_length=300, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    unverified = forms.BooleanField(label="Not verified yet", required=False)


class RiskForm(Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExpertForm(Form):
    username = forms.CharField(
        label="trustdesk user",
        max_length=150,
        required=False,
        help_text="Username, if they have an account",
    )
    name = forms.CharField(max_length=120, required=False)
    expertise = forms.CharField(max_length=200)
    languages = forms.CharField(max_length=120, required=False)


ROW_FORMSETS: dict[str, Any] = {
    "authorities": formset_factory(AuthorityForm, extra=1, can_delete=True),
    "partners": formset_factory(PartnerForm, extra=1, can_delete=True),
    "risks": formset_factory(RiskForm, extra=1, can_delete=True),
    "experts": formset_factory(ExpertForm, extra=1, can_delete=True),
}


def rows_of(formset: Any) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def profile_draft(form: ProfileForm, formsets: dict[str, Any]) -> ProfileDraft:
    data = form.cleaned_data
    return ProfileDraft(
        overview=data["overview"],
        regulatory_notes=data["regulatory_notes"],
        language_notes=data["language_notes"],
        **{kind: rows_of(formset) for kind, formset in formsets.items()},
    )


def _days(text: str) -> list[int]:
    if not text.strip():
        return []
    if not re.fullmatch(r"\s*\d{1,3}(\s*,\s*\d{1,3})*\s*", text):
        raise forms.ValidationError("Whole numbers of days, comma-separated, e.g. 30, 7, 1.")
    return [int(p) for p in text.split(",")]


class RiskEventForm(Form):
    market = forms.ModelChoiceField(Market.objects.all(), empty_label="Choose a market")
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=RiskKind.choices)
    starts_on = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label="Last day",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty for a one-day event.",
    )
    remind = forms.CharField(label="Remind leads (days before)", initial="14, 3", required=False)
    unconfirmed = forms.BooleanField(label="Date not yet confirmed", required=False)
    source = forms.CharField(max_length=300, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_remind(self) -> list[int]:
        return _days(self.cleaned_data.get("remind") or "")

    def draft(self) -> EventDraft:
        data = self.cleaned_data
        return EventDraft(
            market=data["market"],
            title=data["title"],
            kind=data["kind"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            notes=data["notes"],
            remind_days_before=data["remind"],
            unconfirmed=data["unconfirmed"],
            source=data["source"],
        )


class CalendarFilters(Form):
    region = forms.ChoiceField(choices=[("", "All regions"), *Region.choices], required=False)
    market = forms.ChoiceField(required=False)
    kind = forms.MultipleChoiceField(
        choices=RiskKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    month = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = [  # type: ignore[attr-defined]
            ("", "All markets"),
            *((m.code, f"{m.name} ({m.code})") for m in Market.objects.all()),
        ]

    def month_shown(self, today: date) -> tuple[int, int]:
        value = (self.cleaned_data.get("month") or "") if self.is_valid() else ""
        match = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if match:
            year, month = int(match[1]), int(match[2])
            if 1970 <= year <= 2999 and 1 <= month <= 12:
                return year, month
        return today.year, today.month
