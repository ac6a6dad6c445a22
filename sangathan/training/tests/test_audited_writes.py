"""Camps planned in bulk (bulk_create, no signals) leave one audit entry for the camps and one for their
trainers; opening a camp to walk-ins is a save, in the camp's own trail."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from sangathan.audit.models import AuditEntry
from sangathan.org.models import Level
from sangathan.training import services
from sangathan.training.models import Camp
from sangathan.training.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_camps_planned_in_bulk_are_in_the_trail(tree, cast, programme, people):
    result = services.camps_bulk_create(
        programme=programme,
        parent=tree.jaipur,
        level=Level.objects.get(code="block"),
        week_start=MONDAY,
        start_time=datetime.time(10),
        duration_minutes=240,
        venue="ब्लॉक कार्यालय",
        trainers=[people.amer_in_charge],
        by=cast.district_admin,
    )
    planned = AuditEntry.objects.get(additional_data__bulk="camps_planned")
    assert planned.object_pk == str(tree.jaipur.pk) and planned.actor == cast.district_admin
    assert sorted(planned.additional_data["ids"]) == sorted(camp.pk for camp in result.created)
    trainers = AuditEntry.objects.get(additional_data__bulk="camp_trainers_set")
    assert trainers.additional_data["ids"] == planned.additional_data["ids"]


def test_opening_a_camp_to_walk_ins_is_in_its_trail(camp, cast):
    services.camp_set_walk_ins(camp=camp, allow=True, by=cast.district_admin)
    assert Camp.objects.get(pk=camp.pk).allow_walk_ins
    entry = (
        AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Camp), object_pk=str(camp.pk))
        .order_by("id")
        .last()
    )
    assert entry.changes_dict["allow_walk_ins"] == ["False", "True"]
