"""Forms for the playbook pages. They parse and shape input; the rules live in ``editing``
and ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory

from trustdesk.core.forms import Form
from trustdesk.taxonomy.models import Category, Keyword, Market
from trustdesk.taxonomy.severity import Severity

from .editing import Draft, StepDraft
from .models import Anchor, PlaybookVersion, SourceType, StepRole

_UNITS = {"m": 1, "h": 60, "d": 1440}
TIMING = [
    ("start_after", "after the incident starts"),
    ("clock_before", "before the regulatory deadline"),
    ("clock_after", "after the regulatory deadline"),
]


def _codes(text: str) -> list[str]:
    return [c.strip() for c in (text or "").replace("\n", ",").split(",") if c.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PlaybookForm(Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown. When to use the playbook and the strategy agreed.",
    )
    categories = forms.MultipleChoiceField(
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Matches incidents in any of these categories.",
    )
    keywords = forms.MultipleChoiceField(
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    markets = forms.MultipleChoiceField(
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    severities = forms.MultipleChoiceField(
        choices=Severity.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    source_types = forms.MultipleChoiceField(
        label="Sources",
        choices=SourceType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    auto_apply = forms.BooleanField(
        label="Apply on its own to matching new incidents", required=False, initial=True
    )
    stakeholders = forms.CharField(
        label="Stakeholders to engage",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line.",
    )
    rule_codes = forms.CharField(
        label="Regime-pack rules",
        required=False,
        help_text="Codes of the rules this playbook answers, e.g. BR-TSE-RES23610-ART38.",
    )
    change_note = forms.CharField(
        label="What changed and why",
        max_length=300,
        required=False,
        help_text="Required for a new version; shown in the history.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["categories"].choices = list(Category.objects.values_list("code", "name"))  # type: ignore[attr-defined]
        fields["keywords"].choices = list(Keyword.objects.values_list("code", "name"))  # type: ignore[attr-defined]
        fields["markets"].choices = [  # type: ignore[attr-defined]
            (m.code, f"{m.name} ({m.code})") for m in Market.objects.all()
        ]

    @classmethod
    def initial_for(cls, version: PlaybookVersion) -> dict[str, Any]:
        return {
            "title": version.title,
            "summary": version.summary,
            "categories": version.categories,
            "keywords": version.keywords,
            "markets": version.markets,
            "severities": version.severities,
            "source_types": version.source_types,
            "auto_apply": version.auto_apply,
            "stakeholders": "\n".join(version.stakeholders),
            "rule_codes": ", ".join(version.rule_codes),
        }


class StepForm(Form):
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(max_length=200)
    role = forms.ChoiceField(choices=StepRole.choices)
    amount = forms.IntegerField(label="Time target", min_value=0, max_value=525600, initial=1)
    unit = forms.ChoiceField(
        label="Unit", choices=[("m", "minutes"), ("h", "hours"), ("d", "days")], initial="h"
    )
    timing = forms.ChoiceField(label="Relative to", choices=TIMING)
    body = forms.CharField(
        label="How to do it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown.",
    )
    markets = forms.CharField(
        label="Only in markets", required=False, help_text="ISO codes, e.g. BR, MX"
    )
    severities = forms.MultipleChoiceField(
        label="Only at severities",
        choices=Severity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    source_types = forms.MultipleChoiceField(
        label="Only from sources",
        choices=SourceType.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    templates = forms.CharField(
        label="Templates", required=False, help_text="Template keys, comma-separated"
    )

    @staticmethod
    def initial_for(step: StepDraft) -> dict[str, Any]:
        minutes = abs(step.offset_minutes)
        unit = "d" if minutes and minutes % 1440 == 0 else "h" if minutes % 60 == 0 else "m"
        if step.anchor == Anchor.INCIDENT_START:
            timing = "start_after"
        else:
            timing = "clock_before" if step.offset_minutes < 0 else "clock_after"
        return {
            "key": step.key,
            "title": step.title,
            "role": step.role,
            "amount": minutes // _UNITS[unit] if minutes else 0,
            "unit": unit,
            "timing": timing,
            "body": step.body,
            "markets": ", ".join(step.condition.get("markets", [])),
            "severities": step.condition.get("severities", []),
            "source_types": step.condition.get("source_types", []),
            "templates": ", ".join(step.template_keys),
        }

    def draft(self) -> StepDraft:
        data = self.cleaned_data
        minutes = data["amount"] * _UNITS[data["unit"]]
        timing = data["timing"]
        return StepDraft(
            key=data["key"],
            title=data["title"],
            role=data["role"],
            anchor=Anchor.INCIDENT_START if timing == "start_after" else Anchor.REGULATORY_CLOCK,
            offset_minutes=-minutes if timing == "clock_before" else minutes,
            body=data["body"],
            condition={
                "markets": [c.upper() for c in _codes(data["markets"])],
                "severities": data["severities"],
                "source_types": data["source_types"],
            },
            template_keys=_codes(data["templates"]),
        )


class TemplateForm(Form):
    key = forms.CharField(
        required=False, max_length=60, help_text="Steps refer to it; made from the title if empty"
    )
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Placeholders: {ref}, {title}, {markets}, {severity}, {commander}.",
    )


StepFormSet = formset_factory(StepForm, extra=0, can_delete=True, can_order=True)
TemplateFormSet = formset_factory(TemplateForm, extra=0, can_delete=True)


def kept(formset: Any) -> list[Any]:
    """The formset's filled-in forms not marked for deletion, in the order asked for."""
    if formset.can_order:
        return list(formset.ordered_forms)
    return [
        f
        for f in formset.forms
        if f.cleaned_data and not (formset.can_delete and f.cleaned_data.get("DELETE"))
    ]


def build_draft(form: PlaybookForm, steps: Any, templates: Any) -> Draft:
    data = form.cleaned_data
    return Draft(
        title=data["title"],
        summary=data["summary"],
        categories=data["categories"],
        keywords=data["keywords"],
        markets=data["markets"],
        severities=data["severities"],
        source_types=data["source_types"],
        auto_apply=data["auto_apply"],
        stakeholders=_lines(data["stakeholders"]),
        rule_codes=_codes(data["rule_codes"]),
        change_note=data["change_note"],
        templates=[
            {
                "key": f.cleaned_data["key"],
                "title": f.cleaned_data["title"],
                "body": f.cleaned_data["body"],
            }
            for f in kept(templates)
        ],
        steps=[f.draft() for f in kept(steps)],
    )


class MatchPreviewForm(Form):
    """The library's "which playbooks would apply?" question."""

    category = forms.ChoiceField(required=False)
    keywords = forms.MultipleChoiceField(
        required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    markets = forms.MultipleChoiceField(
        required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    severity = forms.ChoiceField(required=False, choices=[("", "Any"), *Severity.choices])
    source = forms.ChoiceField(required=False, choices=[("", "Any"), *SourceType.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", "Any category"),
            *Category.objects.values_list("code", "name"),
        ]
        self.fields["keywords"].choices = list(Keyword.objects.values_list("code", "name"))  # type: ignore[attr-defined]
        self.fields["markets"].choices = [  # type: ignore[attr-defined]
            (m.code, f"{m.name} ({m.code})") for m in Market.objects.all()
        ]

    @property
    def asked(self) -> bool:
        return self.is_bound and any(self.data.get(k) for k in self.fields)


class SkipForm(Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
