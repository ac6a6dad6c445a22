from django.db import migrations

from sangathan.recruitment.template import load_default_rubric


def load(apps, schema_editor):
    load_default_rubric(apps.get_model("recruitment", "Rubric"), apps.get_model("recruitment", "Criterion"))


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0001_recruitment_drives")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
