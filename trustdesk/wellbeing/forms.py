from __future__ import annotations

from django import forms

from trustdesk.core.forms import Form
from trustdesk.taxonomy.models import Category

from .models import BlurLevel, ExposureKind


class PreferenceForm(Form):
    category = forms.ModelChoiceField(
        Category.objects.all(),
        required=False,
        to_field_name="code",
        empty_label="All categories (my default)",
    )
    blur_level = forms.TypedChoiceField(
        label="Blur strength", choices=BlurLevel.choices, coerce=int, initial=BlurLevel.MEDIUM
    )
    greyscale = forms.BooleanField(required=False, initial=True)
    mute_video = forms.BooleanField(label="Video muted", required=False, initial=True)
    pause_video = forms.BooleanField(label="Video paused", required=False, initial=True)
    collapse_text = forms.BooleanField(
        label="Text behind a content warning", required=False, initial=True
    )


class StartForm(Form):
    category = forms.ModelChoiceField(Category.objects.all(), to_field_name="code")
    kind = forms.ChoiceField(choices=ExposureKind.choices)


class RotationNoteForm(Form):
    text = forms.CharField(
        label="Rotation planning note", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
