from __future__ import annotations

from typing import Any

from django import forms

from .models import EngagementRule, RestrictedCondition

CONDITIONS = ("categories", "keywords", "markets", "min_severity", "text_contains")


class EngagementRuleForm(forms.ModelForm):
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
