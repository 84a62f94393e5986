"""Forms for the quality pages. They parse and shape input; the rules live in services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from trustdesk.accounts.models import Role, User
from trustdesk.core.forms import Form
from trustdesk.lib.errors import DomainError

from .lifecycle import Resolution
from .models import Criterion, GoalStatus, Program, Score
from .services import ScoreInput
from .subjects import EventInfo

NOT_APPLICABLE = "na"


@dataclass
class CriterionFields:
    """One criterion's inputs, grouped for the template."""

    criterion: Criterion
    score: forms.BoundField
    comment: forms.BoundField
    evidence: forms.BoundField | None


class ScoreForm(Form):
    """One radio group, comment and evidence picker per criterion, and an overall summary.
    Field names are ``score_<key>``, ``comment_<key>`` and ``evidence_<key>``."""

    summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Overall comment",
        help_text="What went well, what to work on. The person reviewed reads this.",
    )

    def __init__(
        self,
        *args: Any,
        criteria: list[Criterion],
        events: list[EventInfo],
        scores: dict[int, Score] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        event_choices = [(str(e.id), e.text[:140]) for e in events]
        for criterion in criteria:
            self._add_fields(criterion, event_choices, (scores or {}).get(criterion.pk))

    def _add_fields(
        self, criterion: Criterion, event_choices: list[tuple[str, str]], score: Score | None
    ) -> None:
        key = criterion.key
        choices = [(str(v), str(v)) for v in criterion.scale]
        if criterion.allow_na:
            choices.append((NOT_APPLICABLE, "N/A"))
        self.fields[f"score_{key}"] = forms.ChoiceField(
            choices=choices, required=False, widget=forms.RadioSelect, label=criterion.label
        )
        self.fields[f"comment_{key}"] = forms.CharField(
            required=False,
            label="Comment",
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        if event_choices:
            self.fields[f"evidence_{key}"] = forms.MultipleChoiceField(
                choices=event_choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label="Evidence on the timeline",
            )
        if score is not None and not self.is_bound:
            value = NOT_APPLICABLE if score.not_applicable else score.value
            self.initial[f"score_{key}"] = "" if value is None else str(value)
            self.initial[f"comment_{key}"] = score.comment
            self.initial[f"evidence_{key}"] = [str(pk) for pk in score.evidence]

    def groups(self) -> list[CriterionFields]:
        return [
            CriterionFields(
                criterion=c,
                score=self[f"score_{c.key}"],
                comment=self[f"comment_{c.key}"],
                evidence=self[f"evidence_{c.key}"] if f"evidence_{c.key}" in self.fields else None,
            )
            for c in self.criteria
        ]

    def score_inputs(self) -> dict[str, ScoreInput]:
        """What was given, per criterion key; a criterion left blank is not included."""
        data = self.cleaned_data
        given = {}
        for criterion in self.criteria:
            key = criterion.key
            raw = data.get(f"score_{key}") or ""
            comment = data.get(f"comment_{key}") or ""
            evidence = tuple(int(pk) for pk in data.get(f"evidence_{key}") or ())
            if not raw and not comment and not evidence:
                continue
            given[key] = ScoreInput(
                value=int(raw) if raw and raw != NOT_APPLICABLE else None,
                not_applicable=raw == NOT_APPLICABLE,
                comment=comment,
                evidence=evidence,
            )
        return given

    def apply_error(self, exc: DomainError) -> None:
        """Put a service error (``scores.<key>``) on that criterion's score field."""
        for error in exc.as_errors():
            field = error["field"]
            name = "score_" + field.split(".", 1)[1] if field.startswith("scores.") else field
            self.add_error(name if name in self.fields else None, error["message"])


class DisputeForm(Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="What you think the reviewer got wrong. Your lead decides.",
    )


class ResolveForm(Form):
    resolution = forms.ChoiceField(choices=Resolution.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        label="Decision",
        help_text="Both the person and the reviewer read this.",
    )

    def __init__(
        self,
        *args: Any,
        criteria: list[Criterion],
        current: dict[int, Score] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            score = (current or {}).get(criterion.pk)
            now = "N/A" if score and score.not_applicable else getattr(score, "value", None)
            unchanged = "unchanged" if now is None else f"unchanged ({now})"
            choices = [("", unchanged)] + [(str(v), str(v)) for v in criterion.scale]
            if criterion.allow_na:
                choices.append((NOT_APPLICABLE, "N/A"))
            self.fields[f"amend_{criterion.key}"] = forms.ChoiceField(
                choices=choices, required=False, label=criterion.label
            )

    def amended(self) -> dict[str, int | None]:
        changes: dict[str, int | None] = {}
        for criterion in self.criteria:
            raw = self.cleaned_data.get(f"amend_{criterion.key}") or ""
            if raw:
                changes[criterion.key] = None if raw == NOT_APPLICABLE else int(raw)
        return changes

    def amend_fields(self) -> list[forms.BoundField]:
        return [self[f"amend_{c.key}"] for c in self.criteria]


class NoteForm(Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=10000, label="Coaching note"
    )
    draft = forms.BooleanField(
        required=False,
        label="Keep as a draft for leads",
        help_text="Drafts are not shown to the person until you share them.",
    )


class GoalForm(Form):
    title = forms.CharField(max_length=200, label="Goal")
    criterion_key = forms.ChoiceField(required=False, label="Rubric criterion")
    follow_up_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label="Follow up on"
    )

    def __init__(self, *args: Any, criteria: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion_key"].choices = [("", "—"), *criteria]  # type: ignore[attr-defined]


class GoalUpdateForm(Form):
    status = forms.ChoiceField(choices=GoalStatus.choices)
    outcome = forms.CharField(required=False, max_length=10000)
    follow_up_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "sample_size",
            "period_days",
            "high_risk_weight",
            "calibration_share",
            "quality_target",
            "accuracy_target",
        ]
        labels = {
            "calibration_share": "Calibration share (%)",
            "quality_target": "Quality target (%)",
            "accuracy_target": "Accuracy target (%)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ReassignForm(Form):
    reviewer = forms.ModelChoiceField(queryset=User.objects.none(), label="New reviewer")

    def __init__(self, *args: Any, reviewee: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True, role__in=(Role.ADMIN, Role.LEAD, Role.INCIDENT_MANAGER)
            )
            .exclude(pk=reviewee.pk)
            .order_by("first_name", "last_name", "username")
        )
