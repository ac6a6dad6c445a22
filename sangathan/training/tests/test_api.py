"""The training REST API under /api/v1/training/: camps, invitations, attendance and completions; the scope
(404 outside, 403 in scope without ``manage_training``, nothing changed on a refusal), masked numbers, bad
input (a translated 400, never a 500) and the lists' query counts."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from sangathan.access.models import Role, RoleAssignment
from sangathan.org.tests.factories import PersonFactory, UserFactory
from sangathan.testing import api_client as api
from sangathan.testing import first_message
from sangathan.training import services
from sangathan.training.models import Attendance, Camp, Completion, Invitation

pytestmark = pytest.mark.django_db

API = "/api/v1/training"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.data["results"]}


def rows() -> list[tuple]:
    """Everything the training writes touch."""
    return [
        list(Camp.objects.order_by("pk").values_list("pk", "venue", "starts_at", "status")),
        list(Invitation.objects.order_by("pk").values_list("pk", "camp", "person")),
        list(Attendance.objects.order_by("pk").values_list("pk", "camp", "person")),
        list(Completion.objects.order_by("pk").values_list("pk", "person", "programme")),
    ]


def camp_body(programme_, unit, **overrides) -> dict:
    starts = timezone.localtime() + datetime.timedelta(days=3)
    body = {
        "programme": programme_.pk,
        "host_unit": unit.pk,
        "venue": "ब्लॉक कार्यालय",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(hours=6)).isoformat(),
    }
    body.update(overrides)
    return body


@pytest.fixture
def trainer(tree):
    user = UserFactory(username="amer_trainer")
    RoleAssignment.objects.create(user=user, unit=tree.amer, role=Role.TRAINER)
    return user


# ---------------------------------------------------------------- camps


def test_camps_are_those_hosted_in_the_callers_scope(cast, camp, sibling_camp):
    assert ids(api(cast.district_admin).get(f"{API}/camps/")) == {camp.pk}
    assert ids(api(cast.sibling_admin).get(f"{API}/camps/")) == {sibling_camp.pk}
    assert ids(api(cast.state_admin).get(f"{API}/camps/")) == {camp.pk, sibling_camp.pk}
    assert ids(api(cast.outsider).get(f"{API}/camps/")) == set()
    row = api(cast.viewer).get(f"{API}/camps/{camp.pk}/").data
    assert row["invited"] == camp.invitations.count() == 3 and row["present"] == 0
    assert row["host_unit"]["id"] == camp.host_unit_id and row["status"] == "scheduled"
    assert api(cast.district_admin).get(f"{API}/camps/{sibling_camp.pk}/").status_code == 404
    assert "check_in_token" not in str(row)


def test_camp_filters(cast, tree, camp, sibling_camp):
    client = api(cast.state_admin)
    assert ids(client.get(f"{API}/camps/", {"within": tree.ajmer.pk})) == {sibling_camp.pk}
    assert ids(client.get(f"{API}/camps/", {"host_unit": tree.amer.pk})) == {camp.pk}
    assert ids(client.get(f"{API}/camps/", {"status": "cancelled"})) == set()
    assert api(cast.district_admin).get(f"{API}/camps/", {"within": tree.ajmer.pk}).status_code == 400


def test_camps_list_query_count_is_pinned(cast, tree, programme, camp, django_assert_num_queries):
    for i in range(4):
        services.camp_create(
            programme=programme,
            host_unit=tree.amer,
            venue=f"Hall {i}",
            starts_at=camp.starts_at + datetime.timedelta(days=i + 1),
            ends_at=camp.ends_at + datetime.timedelta(days=i + 1),
        )
    client = api(cast.district_admin)
    with django_assert_num_queries(5):  # roles, count, page with its counts, modules, trainers
        assert len(client.get(f"{API}/camps/").data["results"]) == 5


def test_a_camp_is_scheduled_through_the_service(cast, tree, programme, people):
    trainer = PersonFactory(home_unit=tree.jaipur)
    body = camp_body(programme, tree.amer, trainers=[trainer.pk], capacity=30, invite_appointees=True)
    response = api(cast.district_admin).post(f"{API}/camps/", body, format="json")
    assert response.status_code == 201, response.data
    camp = Camp.objects.get(pk=response.data["id"])
    assert camp.created_by == cast.district_admin and list(camp.trainers.all()) == [trainer]
    assert response.data["invited"] == camp.invitations.count() == 3  # Amer's appointees
    assert response.data["capacity"] == 30 and response.data["trainers"][0]["id"] == trainer.pk


def test_scheduling_outside_scope_or_without_the_right_changes_nothing(cast, tree, programme):
    before = rows()
    response = api(cast.viewer).post(f"{API}/camps/", camp_body(programme, tree.amer), format="json")
    assert response.status_code == 403
    response = api(cast.district_admin).post(f"{API}/camps/", camp_body(programme, tree.kishangarh), format="json")
    assert response.status_code == 400 and "host_unit" in response.data  # unknown, like an id that does not exist
    assert rows() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": "2026-01-01T10:00:00+05:30"}, None, "शिविर की समाप्ति उसके शुरू होने के बाद होनी चाहिए।"),
        ({"venue": "  "}, None, None),
        ({"venue": "<script>x</script>"}, "venue", None),
        ({"starts_at": "0001-01-01T00:00:00+05:30"}, "starts_at", None),
        ({"capacity": 0}, "capacity", None),
        ({"capacity": 10**30}, "capacity", None),
        ({"modules": [10**30]}, "modules", None),
        ({"programme": "x"}, "programme", None),
    ],
)
def test_bad_camp_input_is_a_translated_400(cast, tree, programme, overrides, field, message):
    before = rows()
    body = camp_body(programme, tree.amer, **overrides)
    response = api(cast.district_admin, language="hi").post(f"{API}/camps/", body, format="json")
    assert response.status_code == 400, response.data
    if field:
        assert field in response.data
    if message:
        assert first_message(response.data) == message
    assert rows() == before


# ---------------------------------------------------------------- invitations


def test_invitees_are_listed_with_numbers_masked_for_those_without_view_personal(cast, camp, people):
    full = api(cast.district_admin).get(f"{API}/camps/{camp.pk}/invitations/").data["results"]
    assert {r["person"]["mobile"] for r in full} == {
        p.mobile for p in (people.amer_in_charge, people.booth1_rep, people.booth2_rep)
    }
    masked = api(cast.viewer).get(f"{API}/camps/{camp.pk}/invitations/").data["results"]
    assert len(masked) == 3 and all("•" in r["person"]["mobile"] for r in masked)
    assert not {p.mobile for p in (people.booth1_rep, people.booth2_rep)} & {r["person"]["mobile"] for r in masked}
    assert api(cast.sibling_admin).get(f"{API}/camps/{camp.pk}/invitations/").status_code == 404


def test_invitations_list_query_count_is_pinned(cast, camp, django_assert_num_queries):
    client = api(cast.viewer)
    with django_assert_num_queries(4):  # roles, the camp, count, page with the people
        assert len(client.get(f"{API}/camps/{camp.pk}/invitations/").data["results"]) == 3


def test_one_person_is_invited_by_mobile(cast, tree, camp):
    cache.clear()  # the look-ups by mobile are counted in the cache
    newcomer = PersonFactory(home_unit=tree.booth2)
    url = f"{API}/camps/{camp.pk}/invitations/"
    response = api(cast.district_admin).post(url, {"mobile": newcomer.mobile}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["person"]["id"] == newcomer.pk
    assert Invitation.objects.get(camp=camp, person=newcomer).invited_by == cast.district_admin
    before = rows()
    again = api(cast.district_admin, language="hi").post(url, {"mobile": newcomer.mobile}, format="json")
    assert again.status_code == 400 and "आमंत्रित" in first_message(again.data)
    stranger = PersonFactory(home_unit=tree.ajmer_booth)
    unknown = api(cast.district_admin, language="hi").post(url, {"mobile": stranger.mobile}, format="json")
    assert unknown.status_code == 400
    assert first_message(unknown.data) == "आपके क्षेत्र में इस मोबाइल नंबर से कोई पंजीकृत नहीं है।"
    assert api(cast.viewer).post(url, {"mobile": newcomer.mobile}, format="json").status_code == 403
    assert api(cast.sibling_admin).post(url, {"mobile": stranger.mobile}, format="json").status_code == 404
    assert api(cast.district_admin).post(url, {}, format="json").status_code == 400
    assert rows() == before


def test_the_appointees_are_invited_in_one_call(cast, tree, programme, people):
    camp = services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="Hall",
        starts_at=timezone.now() + datetime.timedelta(days=2),
        ends_at=timezone.now() + datetime.timedelta(days=2, hours=5),
    )
    url = f"{API}/camps/{camp.pk}/invitations/generate/"
    assert api(cast.viewer).post(url).status_code == 403
    response = api(cast.district_admin).post(url)
    assert response.status_code == 200 and response.data == {"invited": 3}
    assert api(cast.district_admin).post(url).data == {"invited": 0}  # idempotent


# ---------------------------------------------------------------- attendance and completion


def test_the_roll_call_marks_attendance_and_completion(cast, trainer, live_camp, people):
    url = f"{API}/camps/{live_camp.pk}/attendance/"
    response = api(trainer).post(url, {"person": people.booth1_rep.pk, "present": True}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["present"] is True and response.data["attendance"]["method"] == "roll_call"
    completion = Completion.objects.get(person=people.booth1_rep)
    assert response.data["completion"]["certificate_number"] == completion.certificate_number
    listed = api(cast.viewer).get(url).data["results"]
    assert [r["person"]["id"] for r in listed] == [people.booth1_rep.pk]
    # Unticking a mistake takes the completion back.
    response = api(trainer).post(url, {"person": people.booth1_rep.pk, "present": False}, format="json")
    assert response.data == {"person": people.booth1_rep.pk, "present": False, "attendance": None, "completion": None}
    assert not Completion.objects.filter(person=people.booth1_rep).exists()


def test_the_roll_call_refuses_what_it_must(cast, tree, live_camp, sibling_camp, people):
    before = rows()
    url = f"{API}/camps/{live_camp.pk}/attendance/"
    outsider = PersonFactory(home_unit=tree.booth1)
    response = api(cast.district_admin, language="hi").post(url, {"person": outsider.pk, "present": True})
    assert response.status_code == 400
    assert first_message(response.data) == "इस व्यक्ति को इस शिविर में आमंत्रित नहीं किया गया है।"
    assert api(cast.viewer).post(url, {"person": people.booth1_rep.pk, "present": True}).status_code == 403
    sibling_url = f"{API}/camps/{sibling_camp.pk}/attendance/"
    body = {"person": people.kishangarh_in_charge.pk, "present": True}
    assert api(cast.district_admin).post(sibling_url, body).status_code == 404
    assert api(cast.district_admin).post(url, {"person": 10**30, "present": True}).status_code == 400
    assert rows() == before


def test_a_camp_ahead_refuses_the_roll_call_with_the_services_message(cast, tree, programme, people):
    starts = timezone.now() + datetime.timedelta(days=3)
    camp = services.camp_create(
        programme=programme,
        host_unit=tree.amer,
        venue="Hall",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
    )
    services.invitations_generate(camp=camp)
    before = rows()
    response = api(cast.district_admin, language="hi").post(
        f"{API}/camps/{camp.pk}/attendance/", {"person": people.booth1_rep.pk, "present": True}
    )
    assert response.status_code == 400 and first_message(response.data) == "शिविर अभी शुरू नहीं हुआ है।"
    assert rows() == before


def test_completions_are_those_of_people_in_scope(cast, tree, live_camp, sibling_camp, people):
    services.attendance_mark(camp=live_camp, person=people.booth1_rep, present=True)
    # The sibling camp's time is fixed in the tests' calendar: its completion is recorded directly.
    Completion.objects.create(person=people.kishangarh_in_charge, programme=sibling_camp.programme, camp=sibling_camp)
    mine = api(cast.district_admin).get(f"{API}/completions/").data["results"]
    assert [r["person"]["id"] for r in mine] == [people.booth1_rep.pk]
    assert {r["person"]["id"] for r in api(cast.state_admin).get(f"{API}/completions/").data["results"]} == {
        people.booth1_rep.pk,
        people.kishangarh_in_charge.pk,
    }
    assert ids(api(cast.state_admin).get(f"{API}/completions/", {"camp": sibling_camp.pk})) == set(
        Completion.objects.filter(camp=sibling_camp).values_list("pk", flat=True)
    )


def test_completions_list_query_count_is_pinned(cast, tree, live_camp, people, django_assert_num_queries):
    for person in (people.booth1_rep, people.booth2_rep, people.amer_in_charge):
        services.attendance_mark(camp=live_camp, person=person, present=True)
    client = api(cast.district_admin)
    with django_assert_num_queries(3):  # roles, count, page with people and programmes
        assert len(client.get(f"{API}/completions/").data["results"]) == 3


def test_attendance_list_query_count_is_pinned(cast, live_camp, people, django_assert_num_queries):
    for person in (people.booth1_rep, people.booth2_rep):
        services.attendance_mark(camp=live_camp, person=person, present=True)
    client = api(cast.viewer)
    with django_assert_num_queries(4):  # roles, the camp, count, page with the people
        assert len(client.get(f"{API}/camps/{live_camp.pk}/attendance/").data["results"]) == 2
