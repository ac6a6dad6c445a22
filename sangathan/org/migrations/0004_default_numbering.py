from django.db import migrations

from sangathan.org.template import load_default_numbering


def numbering(apps, schema_editor):
    load_default_numbering(apps.get_model("org", "Level"))


class Migration(migrations.Migration):
    dependencies = [("org", "0003_import_jobs_numbering_end_dates")]
    operations = [migrations.RunPython(numbering, migrations.RunPython.noop)]
