from __future__ import annotations

from typing import Any

from django import forms

from trustdesk.accounts.models import User
from trustdesk.core.forms import Form
from trustdesk.incidents.models import Incident
from trustdesk.regulatory.models import RegulatoryRequest

from .models import DataClass, HoldScope

PURGEABLE = [(c.value, c.label) for c in DataClass if c != DataClass.AUDIT]


class PolicyForm(Form):
    data_class = forms.ChoiceField(choices=PURGEABLE)
    keep_days = forms.IntegerField(
        required=False, min_value=1, max_value=36500, help_text="Empty: keep indefinitely"
    )


class HoldForm(Form):
    scope = forms.ChoiceField(choices=HoldScope.choices)
    incident = forms.IntegerField(required=False, min_value=1, label="Incident number")
    request = forms.IntegerField(required=False, min_value=1, label="Regulatory request number")
    data_class = forms.ChoiceField(choices=[("", "—"), *DataClass.choices], required=False)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    ends_at = forms.DateTimeField(
        required=False,
        label="Ends (UTC)",
        help_text="Empty: until released",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_incident(self) -> Incident | None:
        pk = self.cleaned_data.get("incident")
        if pk is None:
            return None
        found = Incident.objects.visible_to(self.user).filter(pk=pk).first()
        if found is None:
            raise forms.ValidationError("No such incident that you can see.")
        return found

    def clean_request(self) -> RegulatoryRequest | None:
        pk = self.cleaned_data.get("request")
        if pk is None:
            return None
        found = RegulatoryRequest.objects.visible_to(self.user).filter(pk=pk).first()
        if found is None:
            raise forms.ValidationError("No such regulatory request that you can see.")
        return found


class ReleaseForm(Form):
    reason = forms.CharField(max_length=4000)
