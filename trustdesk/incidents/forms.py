"""Forms for the incident pages. They parse and shape input; the rules live in services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.core.forms import Form
from trustdesk.lib.errors import DomainError
from trustdesk.lib.regions import Region
from trustdesk.lib.timefmt import zone
from trustdesk.taxonomy.models import Category, Keyword, Market
from trustdesk.taxonomy.severity import Severity

from . import access
from .lifecycle import Status
from .models import Incident, ParticipantRole
from .queue import parse_ref

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read and shown in the viewer's zone, stored as UTC.

    Django would use the active time zone (UTC here); responders type local times, so the
    field parses and renders in an explicit zone instead. A wall time that does not exist
    or is ambiguous in that zone (DST change) is a validation error, not a guess."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_FORMAT)
    input_formats = [_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def __init__(self, *args: Any, tz: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(zone(self.tz)):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        with timezone.override(zone(self.tz)):
            return super().prepare_value(value)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} · {obj.get_role_display()}"


def active_users() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Put a service's error on the field it names, or on the form when it names none."""
    for error in exc.as_errors():
        field = error["field"]
        form.add_error(field if field in form.fields else None, error["message"])


class IncidentForm(Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))
    category = forms.ModelChoiceField(Category.objects.all(), empty_label="Choose a category")
    keywords = forms.ModelMultipleChoiceField(
        Keyword.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    markets = forms.ModelMultipleChoiceField(
        Market.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="The countries affected. Ctrl/⌘-click to choose several.",
    )
    severity = forms.ChoiceField(choices=Severity.choices, widget=forms.RadioSelect)
    region = forms.ChoiceField(
        choices=[("", "From the first market"), *[(r.value, r.value) for r in Region]],
        required=False,
    )
    restricted = forms.BooleanField(required=False, label="Restricted (need-to-know)")
    detected_at = LocalDateTimeField(required=False, label="Harm detected at")

    def __init__(self, *args: Any, viewer_tz: str, incident: Incident | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.incident = incident
        self.fields["detected_at"].tz = viewer_tz  # type: ignore[attr-defined]
        self.fields["detected_at"].help_text = f"Your time zone: {viewer_tz}."
        if incident is not None:
            self.fields["region"].required = True
            self.fields["region"].choices = [(r.value, r.value) for r in Region]  # type: ignore[attr-defined]
        self.chosen_category = self._chosen_category()
        if self.chosen_category is not None:
            self.fields["keywords"].queryset = self.chosen_category.keywords.all()  # type: ignore[attr-defined]
        # Changing the category fetches its keywords (and, for a new incident, its
        # restricted default) without a reload; without JavaScript they follow on save.
        url = reverse("incidents:category_fields") + ("" if incident else "?new=1")
        self.fields["category"].widget.attrs.update(
            {"hx-get": url, "hx-target": "#keyword-options", "hx-swap": "outerHTML"}
        )

    def _chosen_category(self) -> Category | None:
        raw = self.data.get("category") if self.is_bound else self.initial.get("category")
        if isinstance(raw, Category):
            return raw
        try:
            return Category.objects.filter(pk=int(raw or "")).first()
        except ValueError:
            return None

    @property
    def restricted_locked(self) -> bool:
        """New incidents in a restricted-by-default category always start restricted;
        lifting the restriction is a deliberate edit afterwards, which the timeline shows."""
        return self.incident is None and bool(
            self.chosen_category and self.chosen_category.restricted_by_default
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.incident is None:
            # Unticked means "the category's default" (a locked box is disabled, so unsent).
            data["restricted"] = True if data["restricted"] else None
        return data

    @staticmethod
    def initial_for(incident: Incident) -> dict[str, Any]:
        return {
            "title": incident.title,
            "summary": incident.summary,
            "category": incident.category,
            "keywords": list(incident.keywords.all()),
            "markets": list(incident.markets.all()),
            "severity": incident.severity,
            "region": incident.region,
            "restricted": incident.restricted,
            "detected_at": incident.detected_at,
        }


class TransitionForm(Form):
    to = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(required=False, max_length=2000)
    merged_into = forms.CharField(required=False, label="Merge into (e.g. INC-12)")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_merged_into(self) -> Incident | None:
        text = self.cleaned_data["merged_into"].strip()
        if not text:
            return None
        pk = parse_ref(text)
        found = access.visible_incidents(self.user).filter(pk=pk).first() if pk else None
        if found is None:
            raise forms.ValidationError(f"No incident {text.upper()} that you can see.")
        return found


class ParticipantForm(Form):
    user = UserChoiceField(active_users(), label="Person", empty_label="Choose a person")
    # No default: a preselected "commander" would hand over command by accident.
    role = forms.ChoiceField(choices=[("", "Choose a role"), *ParticipantRole.choices])
    reason = forms.CharField(
        required=False, max_length=200, label="Why them", help_text="Shown on the timeline."
    )


class TaskForm(Form):
    title = forms.CharField(max_length=200, label="Task")
    owner = UserChoiceField(active_users(), required=False, empty_label="Nobody yet")
    due_at = LocalDateTimeField(required=False, label="Due")

    def __init__(self, *args: Any, viewer_tz: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_at"].tz = viewer_tz  # type: ignore[attr-defined]
        self.fields["due_at"].label = f"Due ({viewer_tz})"


class NoteForm(Form):
    text = forms.CharField(
        max_length=20000, label="Add a note", widget=forms.Textarea(attrs={"rows": 3})
    )
    pinned = forms.BooleanField(required=False, label="Pin this note")
