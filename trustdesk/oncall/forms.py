from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django import forms

from trustdesk.accounts.models import User
from trustdesk.lib.regions import Region
from trustdesk.notify.forms import WEEKDAY_CHOICES

from .models import (
    EngagementRule,
    EscalationPolicy,
    EscalationStep,
    Override,
    RestrictedCondition,
    Rotation,
    RotationLayer,
    SourceType,
    StepKind,
)

CONDITIONS = ("categories", "keywords", "markets", "min_severity", "text_contains", "source_types")


class EngagementRuleForm(forms.ModelForm):
    source_types = forms.MultipleChoiceField(
        choices=SourceType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Reporter types of attached reports, or kinds of linked regulatory requests",
    )

    class Meta:
        model = EngagementRule
        fields = [
            "name",
            "reason",
            "enabled",
            "categories",
            "keywords",
            "markets",
            "min_severity",
            "text_contains",
            "restricted",
            "source_types",
            "team",
            "person",
            "role",
        ]
        widgets = {
            "categories": forms.SelectMultiple(attrs={"size": 6}),
            "keywords": forms.SelectMultiple(attrs={"size": 6}),
            "markets": forms.SelectMultiple(attrs={"size": 6}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("team") and not data.get("person"):
            self.add_error("team", "Name a team or a person to engage.")
        has_condition = any(data.get(f) for f in CONDITIONS) or (
            data.get("restricted") not in (None, RestrictedCondition.ANY)
        )
        if not has_condition:
            raise forms.ValidationError(
                "Give at least one condition; a rule without one would engage on everything."
            )
        return data


def _usernames(value: str) -> list[User]:
    """Users named in order, by username, separated by commas or new lines."""
    names = [n.strip() for n in value.replace("\n", ",").split(",") if n.strip()]
    if len(set(names)) != len(names):
        raise forms.ValidationError("Name each person once.")
    found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    missing = [n for n in names if n not in found]
    if missing:
        raise forms.ValidationError(f"No active user called {', '.join(missing)}.")
    return [found[n] for n in names]


class RotationForm(forms.ModelForm):
    members = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Usernames in turn order, comma- or line-separated",
    )

    class Meta:
        model = Rotation
        fields = [
            "team",
            "name",
            "tz",
            "starts_on",
            "shift_days",
            "handoff_time",
            "covers_from",
            "covers_until",
            "holiday_country",
            "holiday_subdiv",
            "holiday_fallback",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            names = [m.user.username for m in self.instance.members.select_related("user")]
            self.initial["members"] = ", ".join(names)

    def clean_tz(self) -> str:
        tz: str = self.cleaned_data["tz"]
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                f"{tz} is not an IANA time zone, e.g. Europe/Dublin."
            ) from None
        return tz

    def clean_members(self) -> list[User]:
        return _usernames(self.cleaned_data.get("members", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        country = (data.get("holiday_country") or "").upper()
        subdiv = data.get("holiday_subdiv") or ""
        supported = holidays.list_supported_countries()
        data["holiday_country"] = country
        if country and country not in supported:
            self.add_error("holiday_country", f"No holiday calendar for {country}.")
        elif subdiv and not country:
            self.add_error("holiday_country", "Name the country of the subdivision.")
        elif subdiv and subdiv not in supported[country]:
            self.add_error("holiday_subdiv", f"{country} has no subdivision {subdiv}.")
        return data


class LayerForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Weekday layers only; none ticked: every day",
    )
    members = forms.CharField(required=False, help_text="Usernames in turn order")

    class Meta:
        model = RotationLayer
        fields = [
            "name",
            "position",
            "when",
            "weekdays",
            "covers_from",
            "covers_until",
            "shift_days",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            names = [m.user.username for m in self.instance.members.select_related("user")]
            self.initial["members"] = ", ".join(names)

    def clean_members(self) -> list[User]:
        people = _usernames(self.cleaned_data.get("members", ""))
        if not people and self.has_changed() and not self.cleaned_data.get("DELETE"):
            raise forms.ValidationError("A layer needs at least one person.")
        return people


class OverrideForm(forms.ModelForm):
    class Meta:
        model = Override
        fields = ["user", "starts_at", "ends_at"]
        help_texts = {"starts_at": "UTC, e.g. 2026-12-24 18:00", "ends_at": "UTC"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "An override ends after it starts.")
        return data


class _UniquePositions(forms.BaseInlineFormSet):
    def clean(self) -> None:
        # Ours first: it names the row; the model formset's own check would only say
        # "duplicate data" for the whole set.
        seen: set[int] = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            position = form.cleaned_data.get("position")
            if position is None:
                continue
            if position in seen:
                form.add_error("position", "Another row already has this position.")
            seen.add(position)
        if not any(form.errors for form in self.forms):
            super().clean()


LayerFormSet = forms.inlineformset_factory(
    Rotation, RotationLayer, form=LayerForm, formset=_UniquePositions, extra=1, can_delete=True
)
OverrideFormSet = forms.inlineformset_factory(
    Rotation, Override, form=OverrideForm, extra=1, can_delete=True
)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = EscalationPolicy
        fields = ["name", "enabled", "min_severity", "on_regulatory_clocks", "region"]


# What each kind of step needs filled in, and the error naming the field.
_STEP_NEEDS = {
    StepKind.NOTIFY_ONCALL: ("team", "Choose the team whose on-call is notified."),
    StepKind.NOTIFY_LEAD: ("team", "Choose the team whose leads are notified."),
    StepKind.NOTIFY_PERSON: ("person", "Choose the person to notify."),
    StepKind.NOTIFY_REGION: ("region", "Choose the region whose on-call is notified."),
    StepKind.WAIT: ("minutes", "Wait at least one minute."),
    StepKind.REPEAT: ("times", "Repeat at least once."),
}


class StepForm(forms.ModelForm):
    region = forms.ChoiceField(choices=[("", "—"), *Region.choices], required=False)

    class Meta:
        model = EscalationStep
        fields = ["position", "kind", "team", "person", "region", "minutes", "times"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("minutes", "times"):
            self.fields[name].required = False

    def clean_minutes(self) -> int:
        return self.cleaned_data.get("minutes") or 0

    def clean_times(self) -> int:
        return self.cleaned_data.get("times") or 0

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in _STEP_NEEDS and not data.get("DELETE"):
            field, message = _STEP_NEEDS[StepKind(kind)]
            if not data.get(field):
                self.add_error(field, message)
        return data


StepFormSet = forms.inlineformset_factory(
    EscalationPolicy,
    EscalationStep,
    form=StepForm,
    formset=_UniquePositions,
    extra=2,
    can_delete=True,
)
