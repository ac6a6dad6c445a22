from django.db import migrations

from sangathan.planning.template import load_default_plan


def load(apps, schema_editor):
    load_default_plan(apps.get_model("planning", "Plan"), apps.get_model("planning", "Milestone"), apps.get_model("org", "Level"))


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_plans_milestones_progress"), ("org", "0004_default_numbering")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
