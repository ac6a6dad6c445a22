import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0004_submission_intake_backfill")]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="campaign",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="submissions", to="recruitment.campaign"
            ),
        ),
        migrations.AlterField(model_name="submission", name="mobile", field=models.CharField(max_length=16)),
        migrations.AlterField(
            model_name="submission", name="reference", field=models.CharField(db_index=True, max_length=24)
        ),
    ]
