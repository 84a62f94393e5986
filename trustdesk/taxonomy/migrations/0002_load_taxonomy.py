from django.db import migrations


def load(apps, schema_editor):
    from trustdesk.taxonomy.loader import load_taxonomy

    load_taxonomy(
        apps.get_model("taxonomy", "Category"),
        apps.get_model("taxonomy", "Keyword"),
        apps.get_model("taxonomy", "Market"),
    )


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
