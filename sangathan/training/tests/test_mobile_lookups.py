"""The trainer's walk-ins by mobile number tell nothing about numbers outside the trainer's scope: a number of
somebody registered in another district reads like one of somebody the trainer sees but who is outside the
camp's area; nothing changes, each refusal is audited (number masked), and look-ups are limited per user."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from sangathan.audit.models import AuditEntry
from sangathan.org.lookups import UNUSABLE
from sangathan.org.masking import mask_mobile
from sangathan.org.models import Person
from sangathan.org.phones import display_mobile
from sangathan.org.tests.factories import PersonFactory
from sangathan.training import services
from sangathan.training.models import Attendance, Invitation, WalkInRequest
from sangathan.training.tests.conftest import MONDAY, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbers(tree, people):
    """Kishangarh's in-charge (another district) and somebody living at Jaipur's district office: seen by
    Jaipur's admin, but not of the Amer camp's area."""
    seen = PersonFactory(home_unit=tree.jaipur, mobile="+919829022222")
    return people.kishangarh_in_charge, seen


def _state():
    return Person.objects.count(), Attendance.objects.count(), Invitation.objects.count()


def _page(response, typed: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", response.content.decode())
    return html.replace(typed, "NUMBER")


def test_a_walk_in_from_elsewhere_reads_like_one_outside_the_camps_area(client, live_camp, cast, numbers):
    client.force_login(cast.district_admin)
    before = _state()
    pages = []
    for person in numbers:
        typed = display_mobile(person.mobile)
        response = client.post(
            reverse("training:roll_call_walk_in", args=[live_camp.pk]), {"mobile": typed, "name": ""}, follow=True
        )
        assert response.status_code == 200
        page = _page(response, typed)
        assert "यह नंबर यहाँ इस्तेमाल नहीं किया जा सकता" in page and person.name_hi not in page
        pages.append(page)
    assert pages[0] == pages[1]
    assert _state() == before
    entries = AuditEntry.objects.filter(additional_data__mobile_lookup="walk_in").order_by("id")
    assert [e.additional_data["mobile"] for e in entries] == [mask_mobile(p.mobile) for p in numbers]
    assert all(e.additional_data["outcome"] == "refused" and e.actor == cast.district_admin for e in entries)
    assert all(e.object_pk == str(live_camp.pk) for e in entries)


def test_confirming_a_request_from_elsewhere_is_refused_alike_and_audited(client, live_camp, cast, numbers):
    services.camp_set_walk_ins(camp=live_camp, allow=True)
    requests = [
        services.walk_in_request_create(camp=live_camp, mobile=person.mobile, name="Someone") for person in numbers
    ]
    client.force_login(cast.district_admin)
    roll_call = client.get(reverse("training:roll_call", args=[live_camp.pk])).content.decode()
    assert roll_call.count("यह नंबर यहाँ इस्तेमाल नहीं किया जा सकता") == 2  # both shown alike
    for walk_in in requests:
        with pytest.raises(services.TrainingError) as error:
            services.walk_in_request_decide(walk_in=walk_in, confirm=True, by=cast.district_admin)
        assert error.value.messages == [str(UNUSABLE)]
    assert not Attendance.objects.exists()
    assert set(WalkInRequest.objects.values_list("status", flat=True)) == {WalkInRequest.Status.PENDING}
    assert AuditEntry.objects.filter(additional_data__mobile_lookup="walk_in").count() == 2


def test_walk_in_look_ups_are_limited_per_user(client, live_camp, cast, settings):
    settings.MOBILE_LOOKUP_RATE_USER = "2/h"
    cache.clear()
    client.force_login(cast.district_admin)
    url = reverse("training:roll_call_walk_in", args=[live_camp.pk])
    for n in range(2):
        client.post(url, {"mobile": f"98765 0100{n}", "name": "नया व्यक्ति"})
    before = _state()
    response = client.post(url, {"mobile": "98765 01009", "name": "नया व्यक्ति"})
    assert response.status_code == 429 and "कुछ भी नहीं बदला गया" in response.content.decode()
    assert _state() == before
    cache.clear()


def test_a_trainer_from_elsewhere_is_taken_and_the_look_up_audited(tree, cast, programme, people):
    """Trainers may come from anywhere (the national team): the number is found across the organisation, so a
    trainer outside the user's scope is an entry of its own (masked); one inside is not."""
    camp = services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="आमेर",
        starts_at=local(MONDAY, 10),
        ends_at=local(MONDAY, 17),
        trainers=[people.kishangarh_in_charge, people.amer_in_charge],
        by=cast.district_admin,
    )
    assert set(camp.trainers.all()) == {people.kishangarh_in_charge, people.amer_in_charge}
    entry = AuditEntry.objects.get(additional_data__mobile_lookup="trainers")
    assert entry.additional_data["outcome"] == "found_outside_scope"
    assert entry.additional_data["mobile"] == mask_mobile(people.kishangarh_in_charge.mobile)
    # Editing the camp again with the same trainers looks nobody new up.
    services.camp_update(
        camp=camp,
        venue="आमेर",
        starts_at=camp.starts_at,
        ends_at=camp.ends_at,
        capacity=None,
        trainers=[people.kishangarh_in_charge],
        by=cast.district_admin,
    )
    assert AuditEntry.objects.filter(additional_data__mobile_lookup="trainers").count() == 1


def test_trainer_numbers_count_as_look_ups(client, live_camp, cast, people, settings):
    settings.MOBILE_LOOKUP_RATE_USER = "2/h"
    cache.clear()
    client.force_login(cast.district_admin)
    numbers = "\n".join(p.mobile for p in (people.kishangarh_in_charge, people.amer_in_charge, people.booth1_rep))
    response = client.post(reverse("training:camp_edit", args=[live_camp.pk]), {"venue": "x", "trainers": numbers})
    assert response.status_code == 429
    assert not live_camp.trainers.exists()
    cache.clear()
