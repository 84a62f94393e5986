"""Cheaper report and content-item writes for the batch intake path (docs/intake.md,
"Throughput"): no database-level constraint on the report's references to reference data
and people, nor on the content item's copy of the group; no single-column index on the
report's group (the (group, received_at) index serves); content keys indexed only where set.

SQLite applies these by rebuilding the tables, which it refuses while the SQL console's
views (analytics 0002) read them: on SQLite the views are dropped first and made again last.
"""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

VIEWS = import_module("trustdesk.analytics.migrations.0002_sql_console_views").VIEWS


def drop_views(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in VIEWS:
            schema_editor.execute(f"DROP VIEW IF EXISTS {name}")


def create_views(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name, body in VIEWS.items():
            schema_editor.execute(f"CREATE VIEW {name} AS {body}")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_seed_intake_addresses"),
        ("analytics", "0002_sql_console_views"),
        ("taxonomy", "0002_load_taxonomy"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_views, create_views),
        migrations.AlterField(
            model_name="contentitem",
            name="account_key",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AlterField(
            model_name="contentitem",
            name="group",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="items",
                to="intake.reportgroup",
            ),
        ),
        migrations.AlterField(
            model_name="contentitem",
            name="key",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AlterField(
            model_name="report",
            name="category",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="taxonomy.category",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="group",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reports",
                to="intake.reportgroup",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="intake_address",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="intake.intakeaddress",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="market",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="taxonomy.market",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="contentitem",
            index=models.Index(
                condition=models.Q(("key", ""), _negated=True),
                fields=["key"],
                name="intake_item_key",
            ),
        ),
        migrations.AddIndex(
            model_name="contentitem",
            index=models.Index(
                condition=models.Q(("account_key", ""), _negated=True),
                fields=["account_key"],
                name="intake_item_account",
            ),
        ),
        migrations.RunPython(create_views, drop_views),
    ]
