from django.db import migrations


def seed(apps, schema_editor):
    from trustdesk.intake.seed import seed_addresses

    seed_addresses(apps.get_model("intake", "IntakeAddress"))


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
