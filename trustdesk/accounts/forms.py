from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from trustdesk.core.forms import Form

EXPIRY_CHOICES = [("", "Never"), ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year")]


class TokenForm(Form):
    name = forms.CharField(
        max_length=100, help_text="The integration that will use it, e.g. “Jira sync”."
    )
    expires = forms.ChoiceField(choices=EXPIRY_CHOICES, required=False, label="Expires")

    def expires_at(self) -> datetime | None:
        days = self.cleaned_data.get("expires")
        return timezone.now() + timedelta(days=int(days)) if days else None
