"""Forms for the regulatory pages. They parse and shape input; the rules live in services."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from trustdesk.accounts.models import Role, User
from trustdesk.incidents.forms import LocalDateTimeField, UserChoiceField
from trustdesk.lib.regions import Region
from trustdesk.lib.timefmt import zone
from trustdesk.taxonomy.models import Category
from trustdesk.taxonomy.severity import Severity

from . import compliance
from .lifecycle import Status
from .models import Authority, Jurisdiction, OrderedUnit, Outcome, RequestedAction, Rule

_INCIDENT_REF = re.compile(r"^\s*(?:INC-)?(\d{1,18})\s*$", re.IGNORECASE)


def owners() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(role=Role.AUDITOR).order_by("username")


def rule_label(rule: Rule) -> str:
    version = rule.current
    assert version is not None
    mark = version.verification + ("!" if version.uncertain else "")
    internal = " · internal target" if version.is_internal else ""
    return f"{rule.code} · {version.title} [{mark}]{internal}"


class RequestForm(forms.Form):
    """Log a request. Received and served times are read in the authority's zone; the rule
    list offers only rules in force on the received date."""

    jurisdiction = forms.ModelChoiceField(Jurisdiction.objects.all(), empty_label="Choose…")
    authority = forms.ModelChoiceField(Authority.objects.none(), empty_label="Choose…")
    rule = forms.ModelChoiceField(Rule.objects.exclude(current=None), empty_label="Choose…")
    reference = forms.CharField(
        label="Authority's reference",
        max_length=120,
        required=False,
        help_text="Case, order or notice number as the authority writes it.",
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="Defaults to the rule's title."
    )
    received_at = LocalDateTimeField(label="Received at")
    served_at = LocalDateTimeField(
        label="Served at", required=False, help_text="For rules whose clock starts on service."
    )
    ordered_duration = forms.IntegerField(
        label="Term set by the order", min_value=1, max_value=100000, required=False
    )
    ordered_unit = forms.ChoiceField(
        label="Unit", choices=[("", "—"), *OrderedUnit.choices], required=False
    )
    urgent = forms.BooleanField(
        required=False,
        label="Urgent order",
        help_text="Closure periods (court recess) do not apply.",
    )
    requested_actions = forms.MultipleChoiceField(
        choices=RequestedAction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Defaults to what the rule usually asks.",
    )
    content_items = forms.CharField(
        label="Content items",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="URLs or content ids, one per line.",
    )
    accounts = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One per line."
    )
    confidential = forms.BooleanField(label="Gag / confidentiality order", required=False)
    user_may_be_notified = forms.BooleanField(
        label="The user may be notified", required=False, initial=True
    )
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = UserChoiceField(owners(), required=False, empty_label="Me")
    incident = forms.CharField(
        label="Link to incident", required=False, help_text="INC-123 or 123, one you can see."
    )
    create_incident = forms.BooleanField(label="Open a new incident for it", required=False)
    incident_category = forms.ModelChoiceField(
        Category.objects.all(), required=False, label="New incident's category"
    )
    incident_severity = forms.ChoiceField(
        choices=Severity.choices, initial=Severity.SEV2, label="New incident's severity"
    )
    # Where it came from, e.g. "intake:report:42" when opened from a triage report.
    source = forms.CharField(max_length=120, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        jurisdiction = Jurisdiction.objects.filter(pk=_int(source.get("jurisdiction"))).first()
        authority = Authority.objects.filter(pk=_int(source.get("authority"))).first()
        if authority and jurisdiction and authority.jurisdiction_id != jurisdiction.pk:
            authority = None
        self.jurisdiction_obj, self.authority_obj = jurisdiction, authority
        self.tz = authority.zone_name if authority else (jurisdiction.tz if jurisdiction else "UTC")
        for name in ("received_at", "served_at"):
            field = self.fields[name]
            assert isinstance(field, LocalDateTimeField)
            field.tz = self.tz
        authority_field = self.fields["authority"]
        assert isinstance(authority_field, forms.ModelChoiceField)
        authority_field.queryset = (
            Authority.objects.filter(jurisdiction=jurisdiction)
            if jurisdiction
            else Authority.objects.all()
        )
        self.received_day = self._received_day(source.get("received_at"))
        self.rule_choices = self._rule_choices(jurisdiction)
        self.fields["rule"].widget.choices = [("", "Choose…"), *self.rule_choices]

    def _received_day(self, raw: Any) -> date:
        field = self.fields["received_at"]
        try:
            value = field.to_python(raw) if raw else None
        except forms.ValidationError:
            value = None
        return (value or timezone.now()).astimezone(zone(self.tz)).date()

    def _rule_choices(self, jurisdiction: Jurisdiction | None) -> list[Any]:
        rules = Rule.objects.in_force_on(self.received_day).select_related(
            "current", "jurisdiction"
        )
        if jurisdiction is not None:
            return [(r.pk, rule_label(r)) for r in rules.filter(jurisdiction=jurisdiction)]
        groups: dict[str, list[tuple[int, str]]] = {}
        for rule in rules.order_by("jurisdiction__name", "code"):
            groups.setdefault(rule.jurisdiction.name, []).append((rule.pk, rule_label(rule)))
        return list(groups.items())

    def clean_incident(self) -> int | None:
        raw = self.cleaned_data.get("incident") or ""
        if not raw.strip():
            return None
        match = _INCIDENT_REF.match(raw)
        if match is None:
            raise forms.ValidationError("Write INC-123 or 123.")
        return int(match.group(1))

    def lines(self, name: str) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data.get(name, "").splitlines() if line.strip()
        ]


def _int(value: Any) -> int:
    """A primary key from form data; 0 (matches nothing) when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class ReasonForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WhenForm(forms.Form):
    """An optional time in the viewer's zone (default: now), with a note or reason."""

    at = LocalDateTimeField(label="When", required=False, help_text="Leave empty for now.")
    note = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args: Any, tz: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["at"]
        assert isinstance(field, LocalDateTimeField)
        field.tz = tz


class ResponseForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    legal_grounds = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required unless the request was complied with in full.",
    )
    responded_at = LocalDateTimeField(required=False, help_text="Leave empty for now.")

    def __init__(self, *args: Any, tz: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responded_at"]
        assert isinstance(field, LocalDateTimeField)
        field.tz = tz


class ExtensionForm(forms.Form):
    units = forms.IntegerField(min_value=0, max_value=100000, required=False, initial=0)
    new_due_at = LocalDateTimeField(label="Or a new due time", required=False)
    keep_days = forms.IntegerField(
        label="Keep longer (days)", min_value=0, max_value=3650, required=False, initial=0
    )
    granted_by = forms.CharField(max_length=200, required=False)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, tz: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_due_at"]
        assert isinstance(field, LocalDateTimeField)
        field.tz = tz


class LinkForm(forms.Form):
    incident = forms.CharField(required=False, label="Incident", help_text="INC-123 or 123")
    create = forms.BooleanField(required=False, label="Open a new incident")
    category = forms.ModelChoiceField(Category.objects.all(), required=False)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.SEV2)

    def clean_incident(self) -> int | None:
        raw = self.cleaned_data.get("incident") or ""
        if not raw.strip():
            return None
        match = _INCIDENT_REF.match(raw)
        if match is None:
            raise forms.ValidationError("Write INC-123 or 123.")
        return int(match.group(1))


class BoardFilterForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(
        Jurisdiction.objects.all(), required=False, to_field_name="code", empty_label="All"
    )
    authority = forms.ModelChoiceField(
        Authority.objects.all(), required=False, to_field_name="code", empty_label="All"
    )
    status = forms.ChoiceField(choices=[("", "Open"), *Status.choices], required=False)
    owner = forms.ChoiceField(required=False)
    region = forms.ChoiceField(choices=[("", "All"), *Region.choices], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(u.username, u.display_name) for u in owners()]
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Anyone"), ("me", "Me"), ("none", "Nobody"), *people]


class ComplianceForm(forms.Form):
    group = forms.ChoiceField(
        choices=[(g, g.title()) for g in compliance.GROUPS], required=False, label="Per"
    )
    jurisdiction = forms.ModelChoiceField(
        Jurisdiction.objects.all(), required=False, to_field_name="code", empty_label="All"
    )
    authority = forms.ModelChoiceField(
        Authority.objects.all(), required=False, to_field_name="code", empty_label="All"
    )
    rule = forms.ModelChoiceField(
        Rule.objects.all(), required=False, to_field_name="code", empty_label="All"
    )
    received_from = forms.DateField(
        required=False, label="Received from", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        required=False, label="to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> compliance.Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return compliance.Filters(
            jurisdiction=data["jurisdiction"].code if data.get("jurisdiction") else "",
            authority=data["authority"].code if data.get("authority") else "",
            rule=data["rule"].code if data.get("rule") else "",
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            group=data.get("group") or "jurisdiction",
        )
