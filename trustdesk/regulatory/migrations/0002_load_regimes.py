from django.db import migrations


def load(apps, schema_editor):
    from trustdesk.regulatory.regimes import Models, load_pack

    load_pack(
        Models(
            jurisdiction=apps.get_model("regulatory", "Jurisdiction"),
            authority=apps.get_model("regulatory", "Authority"),
            rule=apps.get_model("regulatory", "Rule"),
            version=apps.get_model("regulatory", "RuleVersion"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [("regulatory", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
