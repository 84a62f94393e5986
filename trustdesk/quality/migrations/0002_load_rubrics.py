from django.db import migrations


def load(apps, schema_editor):
    from trustdesk.quality.loader import load_rubrics

    load_rubrics(
        apps.get_model("quality", "Rubric"),
        apps.get_model("quality", "RubricVersion"),
        apps.get_model("quality", "Criterion"),
    )


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
