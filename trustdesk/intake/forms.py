from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from trustdesk.lib.regions import Region
from trustdesk.taxonomy.models import Category, Market
from trustdesk.taxonomy.severity import Severity

from .importing import Mode


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.txt,.eml"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    """An internal escalation. ``submission_id`` is made when the form is shown, so a double
    submit stores one report."""

    submission_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    title = forms.CharField(max_length=300, help_text="One line: what is happening?")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=100_000,
        help_text="What you saw, where, since when, and why it is urgent.",
    )
    urls = forms.CharField(
        label="Links",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One link to the content per line.",
    )
    market = forms.ModelChoiceField(
        Market.objects.all(), required=False, to_field_name="code", empty_label="Unknown"
    )
    category = forms.ModelChoiceField(
        Category.objects.all(), required=False, to_field_name="code", empty_label="Not sure"
    )
    minors_involved = forms.BooleanField(required=False, label="Minors may be involved")
    uploads = MultipleFileField(
        label="Screenshots or files",
        required=False,
        help_text="Shown blurred to others until someone chooses to reveal them.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission_id"].initial = uuid.uuid4().hex

    def as_intake(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["market"] = data["market"].code if data["market"] else ""
        data["category"] = data["category"].code if data["category"] else ""
        data["files"] = data.pop("uploads")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8) or XLSX, one report per row.")
    mode = forms.ChoiceField(
        choices=[
            (Mode.ALL_OR_NOTHING.value, "All or nothing: store nothing if any row is wrong"),
            (Mode.SKIP_BAD_ROWS.value, "Skip bad rows: store the good rows"),
        ],
        initial=Mode.ALL_OR_NOTHING.value,
        widget=forms.RadioSelect,
    )


class OpenIncidentForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    severity = forms.ChoiceField(choices=[("", "Suggested"), *Severity.choices], required=False)
    region = forms.ChoiceField(choices=[("", "From the market"), *Region.choices], required=False)


class AttachForm(forms.Form):
    incident = forms.CharField(max_length=20, help_text="INC-123 or 123")

    def clean_incident(self) -> int:
        value = self.cleaned_data["incident"].strip().upper().removeprefix("INC-")
        if not value.isdigit():
            raise forms.ValidationError("Give an incident number such as INC-123.")
        return int(value)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplayForm(forms.Form):
    payload = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text="Leave as kept to replay it unchanged, or correct it first.",
    )
