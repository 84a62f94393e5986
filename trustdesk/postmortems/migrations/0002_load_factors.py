from django.db import migrations


def load(apps, schema_editor):
    from trustdesk.postmortems.loader import load_factors

    load_factors(apps.get_model("postmortems", "ContributingFactor"))


class Migration(migrations.Migration):
    dependencies = [("postmortems", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
