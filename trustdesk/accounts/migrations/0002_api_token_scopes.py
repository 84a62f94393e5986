"""API tokens get scopes. Tokens made before scopes existed keep working: they get every
scope, which the owner's role still bounds at request time."""

from django.db import migrations, models

ALL_SCOPES = [
    "admin",
    "analytics",
    "incidents:read",
    "incidents:write",
    "regulatory",
    "reports:write",
]


def grant_existing_tokens_all_scopes(apps, schema_editor):
    apps.get_model("accounts", "ApiToken").objects.update(scopes=ALL_SCOPES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(grant_existing_tokens_all_scopes, migrations.RunPython.noop),
    ]
