"""Forms for entering decisions from the incident page. They only gather what was typed;
``rows.clean_row`` applies the rules, the same as for the API and file import."""

from __future__ import annotations

from typing import Any

from django import forms

from trustdesk.core.forms import Form

from .models import AppealOutcome, AutomatedDecision, ContentType, Ground, Restriction, SourceType
from .sor import dsa_categories

_BLANK = [("", "Choose…")]
MAX_TARGETS = 500


class BulkDecisionForm(Form):
    """One decision applied to many items: paste URLs, content ids or ``account:ID`` lines."""

    targets = forms.CharField(
        label="Content URLs, content ids or accounts",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line. Write account:ID for an account.",
    )
    content_type = forms.ChoiceField(choices=_BLANK + ContentType.choices)
    content_type_other = forms.CharField(label="Content type (other)", required=False)
    restriction = forms.ChoiceField(choices=_BLANK + Restriction.choices)
    restriction_other = forms.CharField(label="Restriction (other)", required=False)
    ground = forms.ChoiceField(choices=_BLANK + Ground.choices)
    legal_ground = forms.CharField(required=False, help_text="The law relied on (illegal content)")
    illegal_content_explanation = forms.CharField(
        label="Why it is illegal", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tos_clause = forms.CharField(label="Terms-of-service clause", required=False)
    tos_explanation = forms.CharField(
        label="Why it breaks the terms", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    explanation = forms.CharField(
        label="Facts and circumstances", widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label="DSA category", choices=())
    source_type = forms.ChoiceField(choices=_BLANK + SourceType.choices)
    automated_detection = forms.BooleanField(required=False)
    automated_decision = forms.ChoiceField(
        choices=AutomatedDecision.choices, initial=AutomatedDecision.NOT_AUTOMATED
    )
    territorial_scope = forms.CharField(initial="EU", help_text="Country codes (DE FR) or EU / EEA")
    content_date = forms.CharField(help_text="YYYY-MM-DD")
    decided_at = forms.CharField(
        required=False, help_text="Blank: now. UTC, e.g. 2026-11-25T14:30Z"
    )
    applied_at = forms.CharField(required=False, help_text="Blank: when decided")
    notice_received_at = forms.CharField(required=False, help_text="For notices and orders")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ChoiceField)
        category_field.choices = _BLANK + sorted(dsa_categories().items(), key=lambda c: c[1])

    def clean_targets(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["targets"].splitlines()]
        targets = [line for line in lines if line]
        if not targets:
            raise forms.ValidationError("Give at least one URL, content id or account.")
        if len(targets) > MAX_TARGETS:
            raise forms.ValidationError(f"At most {MAX_TARGETS} at a time.")
        return targets

    def rows(self) -> list[dict[str, Any]]:
        shared = {k: v for k, v in self.cleaned_data.items() if k != "targets" and v != ""}
        made = []
        for target in self.cleaned_data["targets"]:
            row = dict(shared)
            if target.lower().startswith("account:"):
                row["account_id"] = target.split(":", 1)[1].strip()
            elif target.lower().startswith(("http://", "https://")):
                row["content_url"] = target
            else:
                row["content_id"] = target
            made.append(row)
        return made


class ImportForm(Form):
    file = forms.FileField(help_text="CSV or XLSX, one decision per row, headers as in the docs")


class AppealForm(Form):
    outcome = forms.ChoiceField(choices=AppealOutcome.choices)


class ReportForm(Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
