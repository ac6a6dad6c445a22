from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def backfill(apps, schema_editor):
    """Submissions made before the intake: already turned into their applications."""
    Submission = apps.get_model("recruitment", "Submission")
    Application = apps.get_model("recruitment", "Application")
    application = Application.objects.filter(pk=OuterRef("application_id"))
    Submission.objects.filter(campaign__isnull=True).update(
        campaign_id=Subquery(application.values("campaign_id")[:1]),
        mobile=Subquery(application.values("mobile")[:1]),
        reference=Subquery(application.values("reference")[:1]),
        processed_at=F("at"),
    )


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0003_submission_intake")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
