from django.db import migrations

from sangathan.training.template import load_default_programme


def load(apps, schema_editor):
    load_default_programme(apps.get_model("training", "Programme"), apps.get_model("training", "Module"))


class Migration(migrations.Migration):
    dependencies = [("training", "0001_training_programmes_and_camps")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
