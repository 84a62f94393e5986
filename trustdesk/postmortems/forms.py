"""Forms for the post-mortem pages. They parse and shape input; the rules live in services.

Each write-up section is one small form with the same three duties: its initial values from
the post-mortem, the service changes it asks for, and its read-only rendering.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django import forms

from trustdesk.accounts.models import Team, User
from trustdesk.core.forms import Form
from trustdesk.incidents.forms import UserChoiceField, active_users
from trustdesk.taxonomy.models import Category, Market

from .lifecycle import Status
from .models import (
    ContributingFactor,
    Decision,
    DetectionSource,
    PostMortem,
    PostMortemFactor,
    Priority,
)
from .search import Filters
from .services.drafting import MAX_FIGURE, MAX_WHYS


def _text(label: str, rows: int = 4, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class FactorLinkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.factor.name)


class ReviewerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} · {obj.get_role_display()}"


class SectionForm(Form):
    """A write-up section: model fields edited together and saved with one service call."""

    def __init__(self, *args: Any, postmortem: PostMortem, **kwargs: Any) -> None:
        kwargs.setdefault("initial", self.initial_for(postmortem))
        super().__init__(*args, **kwargs)
        self.postmortem = postmortem

    def initial_for(self, pm: PostMortem) -> dict[str, Any]:
        return {name: getattr(pm, name) for name in self.base_fields}

    def changes(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def display(self) -> list[tuple[str, str]]:
        pm = self.postmortem
        rows = []
        for name, field in self.fields.items():
            if name == "title":
                continue  # the page's heading already shows it
            shown = getattr(pm, f"get_{name}_display", None)
            value = shown() if shown else getattr(pm, name)
            rows.append((str(field.label), "" if value in (None, "") else str(value)))
        return rows


class SummaryForm(SectionForm):
    title = forms.CharField(label="Title", max_length=200)
    summary = _text("Summary", rows=5, help_text="What happened, for someone who was not there.")


class ImpactForm(SectionForm):
    reach = forms.IntegerField(
        label="Reach (views or impressions)", required=False, min_value=0, max_value=MAX_FIGURE
    )
    reach_source = forms.CharField(
        label="Reach source",
        required=False,
        max_length=200,
        help_text="Where the figure comes from, e.g. the analytics dashboard.",
    )
    users_affected = forms.IntegerField(
        label="Users affected", required=False, min_value=0, max_value=MAX_FIGURE
    )
    impact_notes = _text("Impact notes", rows=3)


class AnalysisForm(SectionForm):
    detection_source = forms.ChoiceField(
        label="Detection source",
        required=False,
        choices=[("", "Not yet known"), *DetectionSource.choices],
    )
    went_well = _text("What went well")
    went_poorly = _text("What went poorly")
    got_lucky = _text("Where we got lucky")


class CauseForm(SectionForm):
    root_cause = _text(
        "Root cause", rows=4, help_text="The condition in the system, not the person."
    )


class WhysForm(SectionForm):
    why_1 = forms.CharField(label="Why 1", required=False, max_length=1000)
    why_2 = forms.CharField(label="Why 2", required=False, max_length=1000)
    why_3 = forms.CharField(label="Why 3", required=False, max_length=1000)
    why_4 = forms.CharField(label="Why 4", required=False, max_length=1000)
    why_5 = forms.CharField(label="Why 5", required=False, max_length=1000)

    def initial_for(self, pm: PostMortem) -> dict[str, Any]:
        return {f"why_{i + 1}": why for i, why in enumerate(pm.five_whys[:MAX_WHYS])}

    def changes(self) -> dict[str, Any]:
        return {"five_whys": [self.cleaned_data[f"why_{i}"] for i in range(1, MAX_WHYS + 1)]}

    def display(self) -> list[tuple[str, str]]:
        return [(f"Why {i}", why) for i, why in enumerate(self.postmortem.five_whys, start=1)]


class LessonsForm(SectionForm):
    lessons = _text(
        "Lessons", rows=4, help_text="What we will do differently; shown on similar incidents."
    )


class TimelineForm(Form):
    event_ids = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    tz = forms.ChoiceField(label="Second time zone")

    def __init__(self, *args: Any, postmortem: PostMortem, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"event_ids": postmortem.timeline_event_ids, "tz": postmortem.tz}
        )
        super().__init__(*args, **kwargs)
        events = postmortem.incident.events.order_by("occurred_at", "id")
        field = self.fields["event_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(e.pk, e.text[:80]) for e in events]
        tz_field = self.fields["tz"]
        assert isinstance(tz_field, forms.ChoiceField)
        tz_field.choices = [(name, name) for name in sorted(available_timezones())]


class FactorForm(Form):
    factor = forms.ModelChoiceField(
        ContributingFactor.objects.filter(active=True), empty_label="Choose a factor"
    )
    note = forms.CharField(
        required=False, max_length=500, help_text="How it contributed, in one line."
    )
    is_root_cause = forms.BooleanField(label="Root cause", required=False)


class ActionItemForm(Form):
    description = forms.CharField(max_length=500, label="Action")
    owner = UserChoiceField(active_users(), required=False, empty_label="— a person —")
    owner_team = forms.ModelChoiceField(
        Team.objects.all(), required=False, label="or a team", empty_label="— a team —"
    )
    due_on = forms.DateField(label="Due date", widget=forms.DateInput(attrs={"type": "date"}))
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.MEDIUM)
    factor = FactorLinkChoiceField(
        PostMortemFactor.objects.none(),
        required=False,
        label="Addresses factor",
        empty_label="— none —",
    )
    ticket_url = forms.CharField(
        required=False, max_length=500, label="Ticket URL", widget=forms.URLInput()
    )

    def __init__(self, *args: Any, postmortem: PostMortem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        factor = self.fields["factor"]
        assert isinstance(factor, forms.ModelChoiceField)
        factor.queryset = postmortem.factor_links.select_related("factor")


class ReviewersForm(Form):
    reviewers = ReviewerChoiceField(
        User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Not the author. Ctrl/⌘-click to choose several.",
    )

    def __init__(self, *args: Any, postmortem: PostMortem, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"reviewers": [r.reviewer_id for r in postmortem.reviews.all()]}
        )
        super().__init__(*args, **kwargs)
        field = self.fields["reviewers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = active_users().exclude(pk=postmortem.author_id)


class DecisionForm(Form):
    decision = forms.ChoiceField(
        choices=[(Decision.APPROVED, "Approve"), (Decision.CHANGES_REQUESTED, "Request changes")]
    )
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you request changes.",
    )


class CommentForm(Form):
    text = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 2}))


class RequireForm(Form):
    reason = forms.CharField(
        label="Why this incident needs a post-mortem",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SearchForm(Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Words, e.g. livestream"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])
    factor = forms.ChoiceField(required=False, label="Factor")
    market = forms.ChoiceField(required=False)
    category = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "factor": ContributingFactor.objects.values_list("code", "name"),
            "market": Market.objects.values_list("code", "name"),
            "category": Category.objects.values_list("code", "name"),
        }
        for name, rows in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", f"Any {name}"), *rows]

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return Filters(**{name: data.get(name) or "" for name in self.fields})


SECTIONS: dict[str, tuple[str, type[SectionForm]]] = {
    "summary": ("Summary", SummaryForm),
    "impact": ("Impact figures", ImpactForm),
    "analysis": ("Detection and response", AnalysisForm),
    "cause": ("Root cause", CauseForm),
    "whys": ("Five whys", WhysForm),
    "lessons": ("Lessons", LessonsForm),
}
