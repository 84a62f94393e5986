from __future__ import annotations

from django import forms

from .models import TransportKind


class DestinationForm(forms.Form):
    kind = forms.ChoiceField(choices=TransportKind.choices)
    address = forms.CharField(max_length=500, help_text="Email address, or the webhook URL")
    secret = forms.CharField(
        max_length=200, required=False, help_text="Signed webhooks only: the HMAC key"
    )

    def clean(self) -> dict[str, str]:
        data = super().clean() or {}
        kind, address = data.get("kind"), data.get("address", "")
        if kind == TransportKind.EMAIL:
            forms.EmailField().clean(address)
        elif kind and not address.startswith(("https://", "http://")):
            self.add_error("address", "A webhook address starts with https://")
        return data


class QuietHoursForm(forms.Form):
    quiet_from = forms.TimeField(required=False, help_text="e.g. 22:00, in your time zone")
    quiet_until = forms.TimeField(required=False, help_text="e.g. 07:00")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (data.get("quiet_from") is None) != (data.get("quiet_until") is None):
            self.add_error("quiet_until", "Give both times, or neither to turn quiet hours off.")
        return data


WEEKDAY_CHOICES = [
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
    (6, "Saturday"),
    (7, "Sunday"),
]


class WorkingHoursForm(forms.Form):
    work_from = forms.TimeField(required=False, help_text="e.g. 09:00, in your time zone")
    work_until = forms.TimeField(required=False, help_text="e.g. 17:30")
    work_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: Monday to Friday",
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("work_from"), data.get("work_until")
        if (start is None) != (end is None):
            self.add_error("work_until", "Give both times, or neither to turn working hours off.")
        elif start is not None and end is not None and start >= end:
            self.add_error("work_until", "Working hours end after they start, on the same day.")
        return data
