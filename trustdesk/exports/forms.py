from __future__ import annotations

from django import forms

from .language import LANGUAGES
from .ncmec import DEFAULT_INCIDENT_TYPE, INCIDENT_TYPES
from .packs import Recipient


class CyberTipForm(forms.Form):
    incident_type = forms.ChoiceField(
        choices=[(t, t) for t in INCIDENT_TYPES], initial=DEFAULT_INCIDENT_TYPE
    )
    high_priority = forms.BooleanField(required=False, label="Escalate to high priority")


class SubmittedForm(forms.Form):
    report_number = forms.CharField(label="CyberTipline report number", max_length=40)


class PackForm(forms.Form):
    recipient = forms.ChoiceField(choices=Recipient.choices, initial=Recipient.EXTERNAL)
    language = forms.ChoiceField(
        choices=[("", "The authority's language"), *LANGUAGES.items()], required=False
    )
