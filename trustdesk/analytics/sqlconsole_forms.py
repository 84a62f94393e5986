from django import forms

from .sqlconsole import MAX_SQL_LENGTH


class SqlForm(forms.Form):
    sql = forms.CharField(
        label="Query",
        max_length=MAX_SQL_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "sql-input"}),
        error_messages={"required": "Write a SELECT query."},
    )
