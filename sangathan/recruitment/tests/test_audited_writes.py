"""Writes of many rows, or with QuerySet.update, send no signals: each leaves its audit entry by hand."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from sangathan.audit.models import AuditEntry
from sangathan.recruitment.models import Application, CampaignPosition, InterviewSlot
from sangathan.recruitment.tests.staff_fixtures import *  # noqa: F403 (fixtures)
from sangathan.recruitment.tests.staff_fixtures import interview, schedule

pytestmark = pytest.mark.django_db


def _entries_of(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
    ).order_by("id")


def test_marking_a_no_show_is_in_the_applications_trail(client, cast, day, jaipur_app):
    slot = schedule(jaipur_app, day).slot
    client.force_login(cast.district_admin)
    assert client.post(reverse("recruitment:no_show", args=[slot.pk])).status_code == 302
    assert Application.objects.get(pk=jaipur_app.pk).status == Application.Status.NO_SHOW
    entry = _entries_of(jaipur_app).last()
    assert entry.changes_dict["status"] == [Application.Status.SCHEDULED, Application.Status.NO_SHOW]
    assert entry.actor == cast.district_admin and entry.unit_path == jaipur_app.home_unit.path
    slot_entry = _entries_of(slot).last()  # the slot's own save
    assert slot_entry.changes_dict["status"][1] == InterviewSlot.Status.NO_SHOW


def test_a_scored_interview_marks_its_slot_done_in_the_trail(campaign, day, jaipur_app):
    application = interview(jaipur_app, day)
    slot = InterviewSlot.objects.get(application=application)
    assert slot.status == InterviewSlot.Status.DONE
    done = [e for e in _entries_of(slot) if e.action == AuditEntry.Action.UPDATE]
    assert [e.changes_dict["status"] for e in done] == [[InterviewSlot.Status.BOOKED, InterviewSlot.Status.DONE]]


def test_a_new_campaigns_posts_are_in_the_trail(campaign, cast):
    entry = AuditEntry.objects.get(additional_data__bulk="campaign_positions")
    assert entry.object_pk == str(campaign.pk) and entry.actor == cast.state_admin
    assert sorted(entry.additional_data["ids"]) == sorted(
        CampaignPosition.objects.filter(campaign=campaign).values_list("pk", flat=True)
    )
