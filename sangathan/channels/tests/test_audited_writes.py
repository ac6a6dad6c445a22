"""The channel import writes its channels with bulk_create (no signals): the import leaves one audit entry for
the channels it made and one for the channels whose admins it replaced; confirming it is an entry too."""

import pytest
from auditlog.context import set_actor
from django.contrib.contenttypes.models import ContentType

from sangathan.audit.models import AuditEntry
from sangathan.channels.import_jobs import (
    channel_import_check,
    channel_import_confirm,
    channel_import_run,
    channel_import_upload,
)
from sangathan.channels.models import Channel, ChannelImport
from sangathan.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CODE = "AbCdEf1234567890GhIjK"
SHEET = (
    "district,ac_no,booth_no,platform,name,link,admin mobile\n"
    f"Jaipur,45,1,WhatsApp group,Booth 1 Amer,https://chat.whatsapp.com/{CODE}1,98290 12345\n"
    "Jaipur,45,1,broadcast,Booth 1 list,,\n"
)


def _import(tree, by, text: str, django_capture_on_commit_callbacks) -> ChannelImport:
    """Upload, check, confirm and run, as the worker would (its tasks are queued after each commit)."""
    with django_capture_on_commit_callbacks():
        job = channel_import_upload(root=tree.jaipur, content=text.encode(), original_name="c.csv", by=by)
    channel_import_check(job_id=job.pk)
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(), set_actor(by):  # as AuditMiddleware does for the web request
        job = channel_import_confirm(job=job, by=by)
    channel_import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_imported_channels_and_their_admins_are_in_the_trail(tree, cast, django_capture_on_commit_callbacks):
    PersonFactory(home_unit=tree.booth1, mobile="+919829012345")
    job = _import(tree, cast.district_admin, SHEET, django_capture_on_commit_callbacks)
    assert job.status == ChannelImport.Status.IMPORTED
    made = AuditEntry.objects.get(additional_data__bulk="channels_imported")
    assert made.additional_data["count"] == 2 and made.actor == cast.district_admin
    assert sorted(made.additional_data["ids"]) == sorted(Channel.objects.values_list("pk", flat=True))
    assert made.object_pk == str(tree.jaipur.pk) and made.unit_path == tree.jaipur.path
    # Who confirmed the import: the job's own entry.
    job_type = ContentType.objects.get_for_model(ChannelImport)
    confirmed = AuditEntry.objects.filter(content_type=job_type, object_pk=str(job.pk), changes__status__1="importing")
    assert confirmed.get().actor == cast.district_admin

    # Again with another admin for the group: the channel's admins are replaced, in the trail.
    PersonFactory(home_unit=tree.booth1, mobile="+919829055555")
    _import(tree, cast.district_admin, SHEET.replace("98290 12345", "98290 55555"), django_capture_on_commit_callbacks)
    group = Channel.objects.get(platform="whatsapp_group")
    replaced = AuditEntry.objects.get(additional_data__bulk="channel_admins_replaced")
    assert replaced.additional_data["ids"] == [group.pk]
    assert AuditEntry.objects.filter(additional_data__bulk="channels_imported").count() == 1  # nothing new made
