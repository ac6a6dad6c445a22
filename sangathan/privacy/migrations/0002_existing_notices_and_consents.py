"""Copy every campaign's current privacy notice into a versioned ``Notice`` and record the consent of
every application already made (``Application.consent_at`` / ``consent_version``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Campaign = apps.get_model("recruitment", "Campaign")
    Application = apps.get_model("recruitment", "Application")
    Notice = apps.get_model("privacy", "Notice")
    ConsentRecord = apps.get_model("privacy", "ConsentRecord")
    notices = {}
    for campaign in Campaign.objects.all().iterator():
        notice, _created = Notice.objects.get_or_create(
            purpose="recruitment",
            campaign=campaign,
            version=campaign.notice_version,
            defaults={"text_hi": campaign.notice_hi, "text_en": campaign.notice_en},
        )
        notices[(campaign.pk, campaign.notice_version)] = notice
    batch = []
    for application in Application.objects.exclude(mobile__startswith="erased-").iterator(chunk_size=2000):
        key = (application.campaign_id, application.consent_version)
        if key not in notices:  # an older version whose text is gone: recorded without text
            notices[key], _created = Notice.objects.get_or_create(
                purpose="recruitment", campaign_id=key[0], version=key[1], defaults={"text_hi": "", "text_en": ""}
            )
        batch.append(
            ConsentRecord(
                notice=notices[key], purpose="recruitment", application=application, given_at=application.consent_at
            )
        )
        if len(batch) >= 2000:
            ConsentRecord.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    ConsentRecord.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_consent_and_requests")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
