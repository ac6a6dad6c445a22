from django.db import migrations

from sangathan.org.template import load_default_template


def load(apps, schema_editor):
    load_default_template(apps.get_model("org", "Level"), apps.get_model("org", "Position"))


class Migration(migrations.Migration):
    dependencies = [("org", "0001_organisation_structure")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
