from __future__ import annotations

from typing import Any

from django import forms


class Form(forms.Form):
    """Our forms' defaults: labels without a trailing colon, and required fields marked
    (``label.required`` in app.css) rather than spelt out in every label."""

    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def first_error(form: forms.Form) -> str:
    """The form's first error as one line naming the field, for a flash message."""
    field, errors = next(iter(form.errors.items()))
    if field == "__all__":
        return str(errors[0])
    return f"{form.fields[field].label or field}: {errors[0]}"
