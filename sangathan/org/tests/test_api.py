"""The org REST API under /api/v1/: happy paths, scope (404 outside, 403 in scope but not allowed,
nothing changes on a denied write), bad input (400, never 500), query counts and token auth."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from rest_framework.test import APIClient

from sangathan.access.models import Role, RoleAssignment
from sangathan.apitokens.services import api_token_create
from sangathan.org import services
from sangathan.org.models import Appointment, CommitteeEvent, Person, Unit
from sangathan.org.tests.factories import PersonFactory, make_unit, position
from sangathan.testing import api_client as api
from sangathan.testing import first_message

pytestmark = pytest.mark.django_db

API = "/api/v1"
HUGE_ID = 10**30

# services.unit_move locks with select_for_update() over select_related("level", "parent"); PostgreSQL
# refuses FOR UPDATE on the nullable side of the outer join to "parent". Remove once the service uses
# select_for_update(of=("self",)).


def fresh(user):
    """The same user as a new object, so the per-request role cache starts empty."""
    return get_user_model().objects.get(pk=user.pk)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.data["results"]}


def unit_rows() -> list[tuple]:
    return list(Unit.objects.order_by("pk").values_list("pk", "name_en", "name_hi", "number", "parent_id", "path"))


def person_rows() -> list[tuple]:
    return list(Person.objects.order_by("pk").values_list("pk", "name_en", "name_hi", "mobile", "email", "home_unit"))


def appointment_rows() -> list[tuple]:
    return list(Appointment.objects.order_by("pk").values_list("pk", "person", "unit", "position", "status", "seat"))


def appoint(unit, level_code: str, position_code: str, person=None) -> Appointment:
    person = person or PersonFactory(home_unit=unit)
    return services.appointment_create(unit=unit, position=position(level_code, position_code), person=person)


@pytest.fixture
def jaipur_unit_ids(tree) -> set[int]:
    return {u.pk for u in (tree.jaipur, tree.jaipur_ac, tree.amer, tree.booth1, tree.booth2)}


@pytest.fixture
def jaipur_rep(tree) -> Appointment:
    return appoint(tree.booth1, "booth", "representative")


@pytest.fixture
def ajmer_rep(tree) -> Appointment:
    return appoint(tree.ajmer_booth, "booth", "representative")


@pytest.fixture
def jaipur_resident(tree) -> Person:
    return PersonFactory(home_unit=tree.amer, name_en="Ramesh Meena", email="ramesh@example.org")


@pytest.fixture
def ajmer_resident(tree) -> Person:
    return PersonFactory(home_unit=tree.kishangarh, name_en="Suresh Rawat")


# ---------------------------------------------------------------- authentication


def test_anonymous_is_refused(tree):
    for url in ("/levels/", "/units/", f"/units/{tree.jaipur.pk}/", "/people/", "/appointments/"):
        assert api().get(API + url).status_code == 401


def test_token_auth_works(cast, jaipur_unit_ids):
    _token, secret = api_token_create(user=cast.district_admin, name="test", days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert ids(client.get(f"{API}/units/")) == jaipur_unit_ids

    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(f"{API}/units/").status_code == 401


def test_token_auth_can_write(cast, tree):
    _token, secret = api_token_create(user=cast.district_admin, name="test", days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.post(
        f"{API}/units/", {"parent": tree.amer.pk, "level": "booth", "name_en": "Nahargarh", "number": 3}
    )
    assert response.status_code == 201, response.data


# ---------------------------------------------------------------- levels and positions


def test_levels_in_order(cast):
    response = api(cast.viewer).get(f"{API}/levels/")
    assert response.status_code == 200
    codes = [row["code"] for row in response.data["results"]]
    assert codes[:4] == ["national", "state", "division", "district"]
    assert codes[-1] == "booth"
    assert set(response.data["results"][0]) == {"code", "name_hi", "name_en", "order", "state"}


def test_positions_filtered_by_level(cast):
    response = api(cast.viewer).get(f"{API}/positions/", {"level": "booth"})
    assert response.status_code == 200
    rows = response.data["results"]
    assert [row["code"] for row in rows] == ["representative", "volunteer"]
    assert {row["level"] for row in rows} == {"booth"}
    assert rows[0]["is_key"] is True and rows[1]["seats"] == 2


def test_positions_unknown_level_is_400(cast):
    response = api(cast.viewer).get(f"{API}/positions/", {"level": "galaxy"})
    assert response.status_code == 400
    assert "level" in response.data


def test_outsider_sees_no_reference_data(cast):
    for url in ("/levels/", "/positions/"):
        response = api(cast.outsider).get(API + url)
        assert response.status_code == 200
        assert response.data["count"] == 0


# ---------------------------------------------------------------- units: list


def test_units_list_is_restricted_to_scope(cast, tree, jaipur_unit_ids):
    assert ids(api(cast.district_admin).get(f"{API}/units/")) == jaipur_unit_ids
    assert ids(api(cast.viewer).get(f"{API}/units/")) == jaipur_unit_ids
    sibling = ids(api(cast.sibling_admin).get(f"{API}/units/"))
    assert sibling == {tree.ajmer.pk, tree.ajmer_ac.pk, tree.kishangarh.pk, tree.ajmer_booth.pk}
    assert not sibling & jaipur_unit_ids
    state = ids(api(cast.state_admin).get(f"{API}/units/"))
    assert tree.rajasthan.pk in state and tree.india.pk not in state
    assert ids(api(cast.outsider).get(f"{API}/units/")) == set()


def test_units_list_fields(cast, tree):
    response = api(cast.district_admin).get(f"{API}/units/", {"parent": tree.jaipur.pk})
    assert response.data["count"] == 1
    row = response.data["results"][0]
    assert row == {
        "id": tree.jaipur_ac.pk,
        "parent": tree.jaipur.pk,
        "level": "assembly",
        "name_hi": "जयपुर उत्तर",
        "name_en": "Jaipur North",
        "number": 45,
        "code": "",
        "polling_station": "",
        "depth": tree.jaipur_ac.depth,
        "children_count": 1,
        "key_post_filled": False,
    }


def test_units_list_filters(cast, tree):
    client = api(cast.district_admin)
    assert ids(client.get(f"{API}/units/", {"within": tree.jaipur_ac.pk})) == {
        tree.jaipur_ac.pk,
        tree.amer.pk,
        tree.booth1.pk,
        tree.booth2.pk,
    }
    assert ids(client.get(f"{API}/units/", {"parent": tree.amer.pk})) == {tree.booth1.pk, tree.booth2.pk}
    assert ids(client.get(f"{API}/units/", {"level": "booth"})) == {tree.booth1.pk, tree.booth2.pk}
    assert ids(client.get(f"{API}/units/", {"q": "amer"})) == {tree.amer.pk, tree.booth1.pk, tree.booth2.pk}
    assert ids(client.get(f"{API}/units/", {"q": "45"})) == {tree.jaipur_ac.pk}
    assert ids(client.get(f"{API}/units/", {"q": "आमेर किला"})) == {tree.booth2.pk}
    assert ids(client.get(f"{API}/units/", {"level": "booth", "q": "fort"})) == {tree.booth2.pk}


def test_units_search_stays_in_scope(cast, tree):
    assert ids(api(cast.district_admin).get(f"{API}/units/", {"q": "Kishangarh"})) == set()
    assert ids(api(cast.sibling_admin).get(f"{API}/units/", {"q": "Amer"})) == set()
    assert ids(api(cast.outsider).get(f"{API}/units/", {"q": "Amer"})) == set()


def test_units_filters_name_only_visible_units(cast, tree):
    """A unit outside the caller's scope is refused like an id that does not exist."""
    client = api(cast.sibling_admin)
    for name in ("within", "parent"):
        hidden = client.get(f"{API}/units/", {name: tree.jaipur.pk})
        missing = client.get(f"{API}/units/", {name: 999_999})
        assert hidden.status_code == missing.status_code == 400
        assert hidden.data == missing.data
        assert "Jaipur" not in str(hidden.data)


@pytest.mark.parametrize(
    "params",
    [
        {"within": "abc"},
        {"within": HUGE_ID},
        {"within": -1},
        {"parent": "1.5"},
        {"parent": HUGE_ID},
        {"level": "nope"},
        {"level": "x" * 500},
    ],
)
def test_units_list_bad_filters_are_400(cast, params):
    response = api(cast.district_admin).get(f"{API}/units/", params)
    assert response.status_code == 400
    assert set(response.data) == set(params)


def test_units_list_long_search_is_harmless(cast):
    assert api(cast.district_admin).get(f"{API}/units/", {"q": "x" * 5000}).status_code == 200


def test_units_list_query_count_is_pinned(cast, tree, django_assert_num_queries):
    for number in range(3, 23):
        make_unit(tree.amer, "booth", f"Booth {number}", number=number)
    # roles, count, page (with the level joined)
    client = api(fresh(cast.district_admin))
    with django_assert_num_queries(3):
        response = client.get(f"{API}/units/")
    assert response.data["count"] == 25
    # plus one to check the ``within`` unit is in scope and one to look the level code up
    client = api(fresh(cast.district_admin))
    with django_assert_num_queries(5):
        response = client.get(f"{API}/units/", {"within": tree.amer.pk, "level": "booth"})
    assert response.data["count"] == 22


# ---------------------------------------------------------------- units: detail


def test_unit_detail(cast, tree):
    response = api(cast.district_admin).get(f"{API}/units/{tree.amer.pk}/")
    assert response.status_code == 200
    assert response.data["name_en"] == "Amer" and response.data["level"] == "block"


def test_unit_detail_outside_scope_is_404(cast, tree):
    for user in (cast.sibling_admin, cast.outsider):
        for unit in (tree.jaipur, tree.booth1, tree.rajasthan):
            response = api(user).get(f"{API}/units/{unit.pk}/")
            assert response.status_code == 404
            assert "Jaipur" not in str(response.data)
    assert api(cast.district_admin).get(f"{API}/units/{tree.rajasthan.pk}/").status_code == 404


@pytest.mark.parametrize("pk", [999_999, HUGE_ID])
def test_unit_detail_unknown_id_is_404(cast, pk):
    assert api(cast.state_admin).get(f"{API}/units/{pk}/").status_code == 404


def test_unit_url_with_non_numeric_id_is_404(cast):
    assert api(cast.state_admin).get(f"{API}/units/abc/").status_code == 404


# ---------------------------------------------------------------- units: create


def test_unit_create(cast, tree):
    response = api(cast.district_admin).post(
        f"{API}/units/",
        {"parent": tree.amer.pk, "level": "booth", "name_en": "Nahargarh", "number": 3, "polling_station": "School"},
        format="json",
    )
    assert response.status_code == 201, response.data
    unit = Unit.objects.get(pk=response.data["id"])
    assert (unit.parent_id, unit.name_en, unit.number, unit.polling_station) == (tree.amer.pk, "Nahargarh", 3, "School")
    assert unit.is_within(tree.amer)
    assert response.data["level"] == "booth" and response.data["parent"] == tree.amer.pk
    coverage = api(cast.district_admin).get(f"{API}/units/{tree.jaipur.pk}/coverage/").data
    booths = next(row for row in coverage["levels"] if row["level"]["code"] == "booth")
    assert booths["units_total"] == 3


def test_unit_create_under_hidden_parent_is_400_and_reveals_nothing(cast, tree):
    before = unit_rows()
    payload = {"level": "booth", "name_en": "Sneaky", "number": 7}
    hidden = api(cast.sibling_admin).post(f"{API}/units/", {**payload, "parent": tree.amer.pk}, format="json")
    missing = api(cast.sibling_admin).post(f"{API}/units/", {**payload, "parent": 999_999}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert set(hidden.data) == {"parent"}
    assert str(hidden.data["parent"][0]).replace(str(tree.amer.pk), "N") == str(missing.data["parent"][0]).replace(
        "999999", "N"
    )
    assert api(cast.outsider).post(f"{API}/units/", {**payload, "parent": tree.amer.pk}).status_code == 400
    assert unit_rows() == before


def test_unit_create_by_viewer_is_403(cast, tree):
    before = unit_rows()
    response = api(cast.viewer).post(f"{API}/units/", {"parent": tree.amer.pk, "level": "booth", "name_en": "X"})
    assert response.status_code == 403
    assert unit_rows() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"level": "galaxy", "name_en": "X"}, "level"),
        ({"level": "booth", "name_en": "X" * 151}, "name_en"),
        ({"level": "booth", "name_hi": "X" * 151}, "name_hi"),
        ({"level": "booth", "name_en": "X", "number": "abc"}, "number"),
        ({"level": "booth", "name_en": "X", "number": -1}, "number"),
        ({"level": "booth", "name_en": "X", "number": HUGE_ID}, "number"),
        ({"level": "booth", "name_en": "X", "code": "C" * 17}, "code"),
        ({"level": "booth", "name_en": None}, "name_en"),
        ({"level": "booth", "name_en": "X", "parent": "abc"}, "parent"),
        ({"level": "booth", "name_en": "X", "parent": HUGE_ID}, "parent"),
        ({"level": "booth", "name_en": "X", "parent": None}, "parent"),
        ({"name_en": "X"}, "level"),
    ],
)
def test_unit_create_bad_input_is_400(cast, tree, payload, field):
    before = unit_rows()
    payload = {"parent": tree.amer.pk, **payload}
    response = api(cast.district_admin).post(f"{API}/units/", payload, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert unit_rows() == before


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"level": "booth", "name_en": "  "}, "Give a name in Hindi or in English."),
        ({"level": "booth", "name_en": "Again", "number": 1}, "Booth number 1 already exists here."),
        ({"level": "state", "name_en": "Upside down"}, "cannot be placed under"),
    ],
)
def test_unit_create_refused_by_service_is_400_with_message(cast, tree, payload, message):
    before = unit_rows()
    response = api(cast.district_admin).post(f"{API}/units/", {"parent": tree.amer.pk, **payload}, format="json")
    assert response.status_code == 400
    assert message in first_message(response.data)
    assert unit_rows() == before


def test_service_errors_answer_in_the_callers_language(cast, tree):
    response = api(cast.district_admin, language="hi").post(
        f"{API}/units/", {"parent": tree.amer.pk, "level": "booth", "name_en": ""}, format="json"
    )
    assert response.status_code == 400
    with translation.override("hi"):
        assert first_message(response.data) == translation.gettext("Give a name in Hindi or in English.")


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "{not json", "null"])
def test_unit_create_malformed_body_is_400(cast, body):
    response = api(cast.district_admin).post(f"{API}/units/", body, content_type="application/json")
    assert response.status_code == 400


# ---------------------------------------------------------------- units: update and move


def test_unit_rename_keeps_what_is_not_sent(cast, tree):
    client = api(cast.district_admin)
    assert client.patch(f"{API}/units/{tree.booth1.pk}/", {"polling_station": "Govt School"}).status_code == 200
    response = client.patch(f"{API}/units/{tree.booth1.pk}/", {"name_en": "Amer Primary School"}, format="json")
    assert response.status_code == 200, response.data
    tree.booth1.refresh_from_db()
    assert tree.booth1.name_en == "Amer Primary School"
    assert tree.booth1.name_hi == "आमेर विद्यालय"
    assert (tree.booth1.number, tree.booth1.polling_station) == (1, "Govt School")
    assert response.data["name_en"] == "Amer Primary School"


def test_unit_move(cast, tree, jaipur_rep):
    sanganer = make_unit(tree.jaipur_ac, "block", "Sanganer")
    client = api(cast.district_admin)
    response = client.patch(f"{API}/units/{tree.booth1.pk}/", {"parent": sanganer.pk}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["parent"] == sanganer.pk
    moved = Unit.objects.get(pk=tree.booth1.pk)
    assert moved.parent_id == sanganer.pk and moved.is_within(sanganer)

    def booths_below(unit):
        coverage = client.get(f"{API}/units/{unit.pk}/coverage/").data
        row = next(row for row in coverage["levels"] if row["level"]["code"] == "booth")
        return row["units_total"], row["units_key_filled"]

    assert booths_below(sanganer) == (1, 1)
    assert booths_below(tree.amer) == (1, 0)


def test_unit_move_into_own_subtree_is_400(cast, tree):
    before = unit_rows()
    response = api(cast.district_admin).patch(
        f"{API}/units/{tree.jaipur_ac.pk}/", {"parent": tree.amer.pk}, format="json"
    )
    assert response.status_code == 400
    assert "cannot be moved under itself" in first_message(response.data)
    assert unit_rows() == before


def test_unit_rename_and_refused_move_change_nothing(cast, tree):
    before = unit_rows()
    response = api(cast.district_admin).patch(
        f"{API}/units/{tree.amer.pk}/", {"name_en": "Renamed", "parent": tree.booth2.pk}, format="json"
    )
    assert response.status_code == 400
    assert unit_rows() == before


def test_unit_move_under_hidden_parent_is_400(cast, tree):
    before = unit_rows()
    response = api(cast.district_admin).patch(
        f"{API}/units/{tree.amer.pk}/", {"parent": tree.ajmer_ac.pk}, format="json"
    )
    assert response.status_code == 400
    assert set(response.data) == {"parent"}
    assert unit_rows() == before


def test_unit_update_outside_scope_is_404(cast, tree):
    before = unit_rows()
    for user in (cast.sibling_admin, cast.outsider):
        response = api(user).patch(f"{API}/units/{tree.amer.pk}/", {"name_en": "Taken"}, format="json")
        assert response.status_code == 404
    response = api(cast.sibling_admin).patch(f"{API}/units/{tree.amer.pk}/", {"parent": tree.ajmer_ac.pk})
    assert response.status_code == 404
    assert unit_rows() == before


def test_unit_update_by_viewer_is_403(cast, tree):
    before = unit_rows()
    response = api(cast.viewer).patch(f"{API}/units/{tree.amer.pk}/", {"name_en": "Taken"}, format="json")
    assert response.status_code == 403
    assert unit_rows() == before


@pytest.mark.parametrize(
    "payload",
    [
        {"name_en": "X" * 151},
        {"number": "one"},
        {"number": -5},
        {"number": HUGE_ID},
        {"name_en": "", "name_hi": ""},
        {"parent": "abc"},
        {"parent": None},
    ],
)
def test_unit_update_bad_input_is_400(cast, tree, payload):
    before = unit_rows()
    response = api(cast.district_admin).patch(f"{API}/units/{tree.amer.pk}/", payload, format="json")
    assert response.status_code == 400
    assert first_message(response.data)
    assert unit_rows() == before


def test_unit_renumber_onto_a_sibling_is_400(cast, tree):
    south = make_unit(tree.jaipur, "assembly", "Jaipur South", number=46)
    before = unit_rows()
    response = api(cast.district_admin).patch(f"{API}/units/{south.pk}/", {"number": 45}, format="json")
    assert response.status_code == 400
    assert "already exists here" in first_message(response.data)
    assert unit_rows() == before


# ---------------------------------------------------------------- units: coverage and committee


def test_coverage_changes_after_an_appointment(cast, tree):
    client = api(cast.district_admin)

    def booth_row():
        response = client.get(f"{API}/units/{tree.jaipur.pk}/coverage/")
        assert response.status_code == 200
        assert response.data["unit"] == tree.jaipur.pk
        return next(row for row in response.data["levels"] if row["level"]["code"] == "booth")

    before = booth_row()
    assert (before["units_total"], before["units_key_filled"], before["percent"]) == (2, 0, 0)
    representative = next(p for p in before["positions"] if p["position"]["code"] == "representative")
    assert (representative["seats_total"], representative["filled"], representative["vacant"]) == (2, 0, 2)

    response = client.post(
        f"{API}/appointments/",
        {
            "unit": tree.booth1.pk,
            "position": position("booth", "representative").pk,
            "mobile": "98290 12345",
            "name_en": "Kavita",
        },
        format="json",
    )
    assert response.status_code == 201, response.data

    after = booth_row()
    assert (after["units_total"], after["units_key_filled"], after["units_key_vacant"], after["percent"]) == (
        2,
        1,
        1,
        50,
    )
    representative = next(p for p in after["positions"] if p["position"]["code"] == "representative")
    assert (representative["seats_total"], representative["filled"], representative["vacant"]) == (2, 1, 1)
    levels = client.get(f"{API}/units/{tree.jaipur.pk}/coverage/").data["levels"]
    assert [row["level"]["code"] for row in levels] == ["assembly", "block", "booth"]


def test_committee(cast, tree):
    first = appoint(tree.jaipur, "district", "vice_president")
    second = appoint(tree.jaipur, "district", "vice_president")
    response = api(cast.viewer).get(f"{API}/units/{tree.jaipur.pk}/committee/")
    assert response.status_code == 200
    assert response.data["unit"] == tree.jaipur.pk
    posts = {post["position"]["code"]: post for post in response.data["posts"]}
    assert list(posts)[0] == "in_charge"
    assert (posts["in_charge"]["seats"], posts["in_charge"]["vacant"], posts["in_charge"]["holders"]) == (1, 1, [])
    vice_presidents = posts["vice_president"]
    assert (vice_presidents["seats"], vice_presidents["vacant"]) == (2, 0)
    assert [(h["id"], h["seat"]) for h in vice_presidents["holders"]] == [(first.pk, 1), (second.pk, 2)]
    assert vice_presidents["holders"][0]["person"] == {
        "id": first.person.pk,
        "name_hi": first.person.name_hi,
        "name_en": first.person.name_en,
    }


def test_coverage_and_committee_outside_scope_are_404(cast, tree, jaipur_rep):
    for user in (cast.sibling_admin, cast.outsider):
        for unit in (tree.jaipur, tree.booth1):
            for view in ("coverage", "committee"):
                response = api(user).get(f"{API}/units/{unit.pk}/{view}/")
                assert response.status_code == 404
                assert jaipur_rep.person.name_en not in str(response.data)


# ---------------------------------------------------------------- units: dissolve


def test_dissolve(cast, tree, jaipur_rep):
    in_charge = appoint(tree.jaipur, "district", "in_charge")
    response = api(cast.district_admin).post(
        f"{API}/units/{tree.jaipur.pk}/dissolve/", {"reason": "Reorganisation"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["appointments_ended"] == 1 and response.data["kind"] == "dissolved"
    in_charge.refresh_from_db()
    jaipur_rep.refresh_from_db()
    assert in_charge.status == Appointment.Status.DISSOLVED and in_charge.end_reason == "Reorganisation"
    assert jaipur_rep.status == Appointment.Status.ACTIVE  # not below: include_subtree was not asked


def test_dissolve_subtree(cast, tree, jaipur_rep, ajmer_rep):
    response = api(cast.district_admin).post(
        f"{API}/units/{tree.jaipur.pk}/dissolve/", {"reason": "Reorganisation", "include_subtree": True}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["appointments_ended"] == 1
    jaipur_rep.refresh_from_db()
    ajmer_rep.refresh_from_db()
    assert jaipur_rep.status == Appointment.Status.DISSOLVED
    assert ajmer_rep.status == Appointment.Status.ACTIVE
    coverage = api(cast.district_admin).get(f"{API}/units/{tree.jaipur.pk}/coverage/").data
    assert next(row for row in coverage["levels"] if row["level"]["code"] == "booth")["units_key_filled"] == 0


def test_dissolve_outside_scope_is_404_and_changes_nothing(cast, tree, jaipur_rep):
    before, events = appointment_rows(), CommitteeEvent.objects.count()
    for user in (cast.sibling_admin, cast.outsider):
        response = api(user).post(
            f"{API}/units/{tree.booth1.pk}/dissolve/", {"reason": "x", "include_subtree": True}, format="json"
        )
        assert response.status_code == 404
    assert appointment_rows() == before and CommitteeEvent.objects.count() == events


def test_dissolve_by_viewer_is_403(cast, tree, jaipur_rep):
    before, events = appointment_rows(), CommitteeEvent.objects.count()
    response = api(cast.viewer).post(f"{API}/units/{tree.booth1.pk}/dissolve/", {"reason": "x"}, format="json")
    assert response.status_code == 403
    assert appointment_rows() == before and CommitteeEvent.objects.count() == events


@pytest.mark.parametrize(
    "payload",
    [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": "ok", "include_subtree": "perhaps"}],
)
def test_dissolve_bad_input_is_400(cast, tree, jaipur_rep, payload):
    before, events = appointment_rows(), CommitteeEvent.objects.count()
    response = api(cast.district_admin).post(f"{API}/units/{tree.booth1.pk}/dissolve/", payload, format="json")
    assert response.status_code == 400
    assert first_message(response.data)
    assert appointment_rows() == before and CommitteeEvent.objects.count() == events


# ---------------------------------------------------------------- people


def test_people_list_is_restricted_to_scope(cast, tree, jaipur_resident, ajmer_resident, jaipur_rep):
    assert ids(api(cast.district_admin).get(f"{API}/people/")) == {jaipur_resident.pk, jaipur_rep.person.pk}
    assert ids(api(cast.viewer).get(f"{API}/people/")) == {jaipur_resident.pk, jaipur_rep.person.pk}
    assert ids(api(cast.sibling_admin).get(f"{API}/people/")) == {ajmer_resident.pk}
    assert ids(api(cast.outsider).get(f"{API}/people/")) == set()
    assert ids(api(cast.state_admin).get(f"{API}/people/")) == {
        jaipur_resident.pk,
        ajmer_resident.pk,
        jaipur_rep.person.pk,
    }


def test_people_appointed_in_scope_are_visible(cast, tree, ajmer_resident):
    appoint(tree.booth2, "booth", "volunteer", person=ajmer_resident)
    assert ajmer_resident.pk in ids(api(cast.district_admin).get(f"{API}/people/"))


def test_people_search(cast, tree, jaipur_resident, ajmer_resident):
    client = api(cast.district_admin)
    assert ids(client.get(f"{API}/people/", {"q": "ramesh"})) == {jaipur_resident.pk}
    assert ids(client.get(f"{API}/people/", {"q": jaipur_resident.mobile[3:]})) == {jaipur_resident.pk}
    assert ids(client.get(f"{API}/people/", {"q": jaipur_resident.mobile[-4:]})) == {jaipur_resident.pk}
    assert ids(client.get(f"{API}/people/", {"q": "Suresh"})) == set()
    assert ids(client.get(f"{API}/people/", {"q": ajmer_resident.mobile})) == set()
    assert ids(client.get(f"{API}/people/", {"q": "9" * 400})) == set()


def test_a_number_finds_nobody_for_those_who_see_numbers_masked(cast, tree, jaipur_resident):
    """A viewer sees numbers masked: searching by one must not tell them whose it is (or that it exists)."""
    client = api(cast.viewer)
    assert ids(client.get(f"{API}/people/", {"q": "ramesh"})) == {jaipur_resident.pk}
    for query in (jaipur_resident.mobile, jaipur_resident.mobile[3:], jaipur_resident.mobile[-4:]):
        assert ids(client.get(f"{API}/people/", {"q": query})) == set()


def test_person_detail_shows_what_is_held(cast, jaipur_resident):
    jaipur_resident.social_accounts.create(platform="x", handle="@ramesh", followers=1200)
    response = api(cast.district_admin).get(f"{API}/people/{jaipur_resident.pk}/")
    assert response.status_code == 200
    assert response.data == {
        "id": jaipur_resident.pk,
        "name_hi": jaipur_resident.name_hi,
        "name_en": "Ramesh Meena",
        "mobile": jaipur_resident.mobile,
        "email": jaipur_resident.email,
        "home_unit": jaipur_resident.home_unit_id,
        "languages": jaipur_resident.languages,
        "skills": jaipur_resident.skills,
        "social_accounts": [{"platform": "x", "handle": "@ramesh", "followers": 1200}],
    }


def test_person_detail_outside_scope_is_404(cast, jaipur_resident):
    for user in (cast.sibling_admin, cast.outsider):
        response = api(user).get(f"{API}/people/{jaipur_resident.pk}/")
        assert response.status_code == 404
        assert jaipur_resident.mobile not in str(response.data)
    assert api(cast.district_admin).get(f"{API}/people/{HUGE_ID}/").status_code == 404


def test_person_create(cast, tree):
    response = api(cast.district_admin).post(
        f"{API}/people/",
        {"name_en": "Anita", "mobile": "098290-12345", "home_unit": tree.booth2.pk, "languages": ["hi", "en"]},
        format="json",
    )
    assert response.status_code == 201, response.data
    person = Person.objects.get(pk=response.data["id"])
    assert (person.mobile, person.home_unit_id, person.languages) == ("+919829012345", tree.booth2.pk, ["hi", "en"])
    assert response.data["mobile"] == "+919829012345"


def test_person_create_in_hidden_unit_is_400(cast, tree):
    before = person_rows()
    payload = {"name_en": "Anita", "mobile": "9829012345"}
    for user in (cast.sibling_admin, cast.outsider):
        response = api(user).post(f"{API}/people/", {**payload, "home_unit": tree.amer.pk}, format="json")
        assert response.status_code == 400
        assert set(response.data) == {"home_unit"}
    assert person_rows() == before


def test_person_create_by_viewer_is_403(cast, tree):
    before = person_rows()
    response = api(cast.viewer).post(
        f"{API}/people/", {"name_en": "Anita", "mobile": "9829012345", "home_unit": tree.amer.pk}, format="json"
    )
    assert response.status_code == 403
    assert person_rows() == before


@pytest.mark.parametrize(
    "payload",
    [
        {"mobile": "12345"},
        {"mobile": "not a phone"},
        {"mobile": "+1 202 555 0143"},
        {"mobile": "9" * 30},
        {"mobile": ""},
        {"name_en": "", "name_hi": ""},
        {"name_en": "X" * 121},
        {"email": "not-an-email"},
        {"languages": "hi"},
        {"languages": ["x"] * 21},
        {"home_unit": "abc"},
        {"home_unit": None},
    ],
)
def test_person_create_bad_input_is_400(cast, tree, payload):
    before = person_rows()
    payload = {"name_en": "Anita", "mobile": "9829012345", "home_unit": tree.amer.pk, **payload}
    response = api(cast.district_admin).post(f"{API}/people/", payload, format="json")
    assert response.status_code == 400
    assert first_message(response.data)
    assert person_rows() == before


def test_person_create_duplicate_mobile_is_400(cast, tree, jaipur_resident):
    before = person_rows()
    response = api(cast.district_admin).post(
        f"{API}/people/", {"name_en": "Copy", "mobile": jaipur_resident.mobile, "home_unit": tree.amer.pk}
    )
    assert response.status_code == 400
    assert "already exists" in first_message(response.data)
    assert person_rows() == before


def test_person_update_keeps_what_is_not_sent(cast, tree, jaipur_resident):
    response = api(cast.district_admin).patch(
        f"{API}/people/{jaipur_resident.pk}/", {"name_en": "Ramesh Kumar Meena", "mobile": "98290 12345"}, format="json"
    )
    assert response.status_code == 200, response.data
    jaipur_resident.refresh_from_db()
    assert (jaipur_resident.name_en, jaipur_resident.mobile) == ("Ramesh Kumar Meena", "+919829012345")
    assert (jaipur_resident.email, jaipur_resident.home_unit_id) == ("ramesh@example.org", tree.amer.pk)


def test_person_appointed_in_scope_is_seen_but_not_edited(cast, tree, ajmer_resident):
    appoint(tree.booth2, "booth", "volunteer", person=ajmer_resident)
    client = api(cast.district_admin)
    assert client.get(f"{API}/people/{ajmer_resident.pk}/").status_code == 200
    before = person_rows()
    response = client.patch(f"{API}/people/{ajmer_resident.pk}/", {"name_hi": "सुरेश"})
    assert response.status_code == 403
    assert person_rows() == before


def test_person_update_outside_scope_is_404(cast, jaipur_resident):
    before = person_rows()
    for user in (cast.sibling_admin, cast.outsider):
        response = api(user).patch(f"{API}/people/{jaipur_resident.pk}/", {"name_en": "Hijacked"}, format="json")
        assert response.status_code == 404
    assert person_rows() == before


def test_person_update_by_viewer_is_403(cast, jaipur_resident):
    before = person_rows()
    response = api(cast.viewer).patch(f"{API}/people/{jaipur_resident.pk}/", {"name_en": "Changed"}, format="json")
    assert response.status_code == 403
    assert person_rows() == before


def test_person_cannot_be_moved_out_of_scope(cast, tree, jaipur_resident):
    before = person_rows()
    response = api(cast.district_admin).patch(
        f"{API}/people/{jaipur_resident.pk}/", {"home_unit": tree.kishangarh.pk}, format="json"
    )
    assert response.status_code == 400
    assert set(response.data) == {"home_unit"}
    assert person_rows() == before


@pytest.mark.parametrize(
    "payload",
    [{"mobile": "123"}, {"name_en": "", "name_hi": ""}, {"name_hi": "X" * 121}, {"skills": [1, [2]]}, {"email": "@"}],
)
def test_person_update_bad_input_is_400(cast, jaipur_resident, payload):
    before = person_rows()
    response = api(cast.district_admin).patch(f"{API}/people/{jaipur_resident.pk}/", payload, format="json")
    assert response.status_code == 400
    assert first_message(response.data)
    assert person_rows() == before


# ---------------------------------------------------------------- appointments: list and detail


def test_appointments_list_is_restricted_to_scope(cast, tree, jaipur_rep, ajmer_rep):
    assert ids(api(cast.district_admin).get(f"{API}/appointments/")) == {jaipur_rep.pk}
    assert ids(api(cast.viewer).get(f"{API}/appointments/")) == {jaipur_rep.pk}
    assert ids(api(cast.sibling_admin).get(f"{API}/appointments/")) == {ajmer_rep.pk}
    assert ids(api(cast.outsider).get(f"{API}/appointments/")) == set()
    assert ids(api(cast.state_admin).get(f"{API}/appointments/")) == {jaipur_rep.pk, ajmer_rep.pk}


def test_appointments_list_fields(cast, tree, jaipur_rep):
    row = api(cast.district_admin).get(f"{API}/appointments/").data["results"][0]
    assert row["unit"] == {
        "id": tree.booth1.pk,
        "level": "booth",
        "name_hi": "आमेर विद्यालय",
        "name_en": "Amer School",
        "number": 1,
    }
    assert row["position"]["code"] == "representative" and row["position"]["is_key"] is True
    assert row["person"] == {
        "id": jaipur_rep.person.pk,
        "name_hi": jaipur_rep.person.name_hi,
        "name_en": jaipur_rep.person.name_en,
    }
    assert (row["seat"], row["status"], row["end_date"]) == (1, "active", None)


def test_appointments_list_filters(cast, tree, jaipur_rep):
    district = appoint(tree.jaipur, "district", "in_charge")
    volunteer = appoint(tree.booth2, "booth", "volunteer")
    services.appointment_relieve(appointment=volunteer, reason="Moved away")
    client = api(cast.district_admin)
    assert ids(client.get(f"{API}/appointments/", {"unit": tree.jaipur.pk})) == {district.pk}
    assert ids(client.get(f"{API}/appointments/", {"within": tree.amer.pk})) == {jaipur_rep.pk, volunteer.pk}
    assert ids(client.get(f"{API}/appointments/", {"within": tree.amer.pk, "status": "active"})) == {jaipur_rep.pk}
    assert ids(client.get(f"{API}/appointments/", {"status": "relieved"})) == {volunteer.pk}
    assert ids(client.get(f"{API}/appointments/", {"person": district.person.pk})) == {district.pk}


@pytest.mark.parametrize(
    "params",
    [{"unit": "x"}, {"within": HUGE_ID}, {"status": "retired"}, {"person": "abc"}, {"person": -3}],
)
def test_appointments_list_bad_filters_are_400(cast, params):
    response = api(cast.district_admin).get(f"{API}/appointments/", params)
    assert response.status_code == 400
    assert set(response.data) == set(params)


def test_appointments_filters_name_only_visible_objects(cast, tree, jaipur_rep):
    client = api(cast.sibling_admin)
    for params in ({"unit": tree.booth1.pk}, {"within": tree.jaipur.pk}, {"person": jaipur_rep.person.pk}):
        response = client.get(f"{API}/appointments/", params)
        assert response.status_code == 400
        assert jaipur_rep.person.name_en not in str(response.data)


def test_appointments_list_query_count_is_pinned(cast, tree, django_assert_num_queries):
    for number in range(3, 13):
        booth = make_unit(tree.amer, "booth", f"Booth {number}", number=number)
        appoint(booth, "booth", "representative")
        appoint(booth, "booth", "volunteer")
    # roles, count, page (with unit, level, position and person joined)
    client = api(fresh(cast.district_admin))
    with django_assert_num_queries(3):
        response = client.get(f"{API}/appointments/")
    assert response.data["count"] == 20
    # plus one to check the ``within`` unit is in scope
    client = api(fresh(cast.district_admin))
    with django_assert_num_queries(4):
        response = client.get(f"{API}/appointments/", {"within": tree.amer.pk, "status": "active"})
    assert response.data["count"] == 20


def test_appointment_detail(cast, jaipur_rep):
    response = api(cast.viewer).get(f"{API}/appointments/{jaipur_rep.pk}/")
    assert response.status_code == 200
    assert response.data["id"] == jaipur_rep.pk


def test_appointment_detail_outside_scope_is_404(cast, jaipur_rep):
    for user in (cast.sibling_admin, cast.outsider):
        response = api(user).get(f"{API}/appointments/{jaipur_rep.pk}/")
        assert response.status_code == 404
        assert jaipur_rep.person.name_en not in str(response.data)


# ---------------------------------------------------------------- appointments: create


def test_appoint_existing_person_by_id(cast, tree, jaipur_resident):
    response = api(cast.district_admin).post(
        f"{API}/appointments/",
        {
            "unit": tree.amer.pk,
            "position": position("block", "in_charge").pk,
            "person": jaipur_resident.pk,
            "start_date": "2025-01-15",
            "letter_number": "RJ/2025/17",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    appointment = Appointment.objects.get(pk=response.data["id"])
    assert (appointment.person_id, appointment.unit_id, appointment.seat) == (jaipur_resident.pk, tree.amer.pk, 1)
    assert str(appointment.start_date) == "2025-01-15" and appointment.letter_number == "RJ/2025/17"
    assert appointment.appointed_by == cast.district_admin
    assert response.data["person"]["id"] == jaipur_resident.pk and response.data["status"] == "active"


def test_appoint_new_person_by_mobile(cast, tree):
    response = api(cast.district_admin).post(
        f"{API}/appointments/",
        {"unit": tree.booth2.pk, "position": position("booth", "volunteer").pk, "mobile": "+91 98290 12345"},
        format="json",
    )
    assert response.status_code == 400  # a new person needs a name
    assert not Person.objects.filter(mobile="+919829012345").exists()

    response = api(cast.district_admin).post(
        f"{API}/appointments/",
        {
            "unit": tree.booth2.pk,
            "position": position("booth", "volunteer").pk,
            "mobile": "+91 98290 12345",
            "name_hi": "कविता",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    person = Person.objects.get(mobile="+919829012345")
    assert (person.name_hi, person.home_unit_id) == ("कविता", tree.booth2.pk)
    assert response.data["person"]["id"] == person.pk


def test_appoint_known_mobile_links_the_existing_person(cast, tree, jaipur_resident):
    people = Person.objects.count()
    response = api(cast.district_admin).post(
        f"{API}/appointments/",
        {
            "unit": tree.booth2.pk,
            "position": position("booth", "volunteer").pk,
            "mobile": jaipur_resident.mobile,
            "name_en": "Someone else",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["person"]["id"] == jaipur_resident.pk
    assert Person.objects.count() == people
    jaipur_resident.refresh_from_db()
    assert jaipur_resident.name_en == "Ramesh Meena"


def test_appoint_outside_scope_is_400_and_changes_nothing(cast, tree, jaipur_resident):
    before, people = appointment_rows(), person_rows()
    for user in (cast.sibling_admin, cast.outsider):
        response = api(user).post(
            f"{API}/appointments/",
            {
                "unit": tree.booth1.pk,
                "position": position("booth", "representative").pk,
                "mobile": "9829012345",
                "name_en": "Infiltrator",
            },
            format="json",
        )
        assert response.status_code == 400
        assert set(response.data) == {"unit"}
    # a person the caller cannot see is refused like a person that does not exist
    response = api(cast.sibling_admin).post(
        f"{API}/appointments/",
        {"unit": tree.ajmer_booth.pk, "position": position("booth", "volunteer").pk, "person": jaipur_resident.pk},
        format="json",
    )
    assert response.status_code == 400 and set(response.data) == {"person"}
    assert appointment_rows() == before and person_rows() == people


def test_appoint_by_viewer_is_403(cast, tree):
    before, people = appointment_rows(), person_rows()
    response = api(cast.viewer).post(
        f"{API}/appointments/",
        {
            "unit": tree.booth1.pk,
            "position": position("booth", "representative").pk,
            "mobile": "9829012345",
            "name_en": "Kavita",
        },
        format="json",
    )
    assert response.status_code == 403
    assert appointment_rows() == before and person_rows() == people


def test_appoint_refused_by_service_keeps_no_new_person(cast, tree):
    before, people = appointment_rows(), person_rows()
    response = api(cast.district_admin).post(
        f"{API}/appointments/",
        {
            "unit": tree.booth1.pk,
            "position": position("district", "in_charge").pk,
            "mobile": "9829012345",
            "name_en": "Kavita",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "is not a post of a" in first_message(response.data)
    assert appointment_rows() == before and person_rows() == people


def test_appoint_to_a_full_post_is_400(cast, tree, jaipur_rep, jaipur_resident):
    before = appointment_rows()
    response = api(cast.district_admin).post(
        f"{API}/appointments/",
        {"unit": tree.booth1.pk, "position": position("booth", "representative").pk, "person": jaipur_resident.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "seats of" in first_message(response.data)
    assert appointment_rows() == before


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"person": "PERSON", "mobile": "9829012345"},
        {"mobile": "12345", "name_en": "X"},
        {"mobile": "X" * 26, "name_en": "X"},
        {"mobile": "9829012345", "name_en": "X" * 121},
        {"person": "PERSON", "unit": "abc"},
        {"person": "PERSON", "unit": HUGE_ID},
        {"person": "PERSON", "position": 999_999},
        {"person": "PERSON", "position": "abc"},
        {"person": "abc"},
        {"person": HUGE_ID},
        {"person": "PERSON", "start_date": "yesterday"},
        {"person": "PERSON", "start_date": "2025-02-30"},
        {"person": "PERSON", "letter_number": "L" * 61},
    ],
)
def test_appoint_bad_input_is_400(cast, tree, jaipur_resident, payload):
    before, people = appointment_rows(), person_rows()
    payload = {k: jaipur_resident.pk if v == "PERSON" else v for k, v in payload.items()}
    payload = {"unit": tree.booth2.pk, "position": position("booth", "volunteer").pk, **payload}
    response = api(cast.district_admin).post(f"{API}/appointments/", payload, format="json")
    assert response.status_code == 400
    assert first_message(response.data)
    assert appointment_rows() == before and person_rows() == people


# ---------------------------------------------------------------- appointments: relieve


def test_relieve(cast, tree, jaipur_rep):
    end = jaipur_rep.start_date.isoformat()
    response = api(cast.district_admin).post(
        f"{API}/appointments/{jaipur_rep.pk}/relieve/", {"reason": "Resigned", "end_date": end}, format="json"
    )
    assert response.status_code == 200, response.data
    assert (response.data["status"], response.data["end_reason"], response.data["end_date"]) == (
        "relieved",
        "Resigned",
        end,
    )
    jaipur_rep.refresh_from_db()
    assert jaipur_rep.status == Appointment.Status.RELIEVED and jaipur_rep.ended_by == cast.district_admin
    tree.booth1.refresh_from_db()
    assert tree.booth1.key_post_filled is False


def test_relieve_twice_is_400(cast, jaipur_rep):
    client = api(cast.district_admin)
    assert client.post(f"{API}/appointments/{jaipur_rep.pk}/relieve/", {"reason": "Resigned"}).status_code == 200
    before = appointment_rows()
    response = client.post(f"{API}/appointments/{jaipur_rep.pk}/relieve/", {"reason": "Again"})
    assert response.status_code == 400
    assert "already ended" in first_message(response.data)
    assert appointment_rows() == before


def test_relieve_outside_scope_is_404(cast, jaipur_rep):
    before = appointment_rows()
    for user in (cast.sibling_admin, cast.outsider):
        response = api(user).post(f"{API}/appointments/{jaipur_rep.pk}/relieve/", {"reason": "x"}, format="json")
        assert response.status_code == 404
    assert appointment_rows() == before


def test_relieve_by_viewer_is_403(cast, jaipur_rep):
    before = appointment_rows()
    response = api(cast.viewer).post(f"{API}/appointments/{jaipur_rep.pk}/relieve/", {"reason": "x"}, format="json")
    assert response.status_code == 403
    assert appointment_rows() == before


@pytest.mark.parametrize(
    "payload", [{}, {"reason": ""}, {"reason": " "}, {"reason": "x" * 501}, {"reason": "ok", "end_date": "soon"}]
)
def test_relieve_bad_input_is_400(cast, jaipur_rep, payload):
    before = appointment_rows()
    response = api(cast.district_admin).post(f"{API}/appointments/{jaipur_rep.pk}/relieve/", payload, format="json")
    assert response.status_code == 400
    assert first_message(response.data)
    assert appointment_rows() == before


# ---------------------------------------------------------------- roles granted elsewhere


def test_a_second_role_widens_scope(cast, tree, ajmer_rep):
    RoleAssignment.objects.create(user=cast.district_admin, unit=tree.kishangarh, role=Role.VIEWER)
    user = fresh(cast.district_admin)
    assert ajmer_rep.pk in ids(api(user).get(f"{API}/appointments/"))
    response = api(user).post(f"{API}/appointments/{ajmer_rep.pk}/relieve/", {"reason": "x"}, format="json")
    assert response.status_code == 403  # seen through the viewer role, not allowed to act


# ---------------------------------------------------------------- never a 500


WEIRD_VALUES = [None, "", " ", "\x00", "x" * 10_000, "abc", HUGE_ID, -1, 0, 1.5, True, [], [1], {}, {"a": 1}, "١٢"]


@pytest.mark.parametrize(
    "params", [{"limit": HUGE_ID}, {"offset": HUGE_ID}, {"limit": "abc"}, {"limit": -1}, {"offset": -5}]
)
def test_pagination_bounds(cast, jaipur_unit_ids, params):
    response = api(cast.district_admin).get(f"{API}/units/", params)
    assert response.status_code == 200
    assert response.data["count"] == len(jaipur_unit_ids)


def test_list_filters_never_500(cast, tree, jaipur_rep):
    client = api(cast.district_admin)
    filters = {
        "/positions/": ["level"],
        "/units/": ["within", "parent", "level", "q"],
        "/people/": ["q"],
        "/appointments/": ["unit", "within", "status", "person"],
    }
    for url, names in filters.items():
        for name in names:
            for value in WEIRD_VALUES:
                if isinstance(value, list | dict) or value is None:
                    continue
                response = client.get(API + url, {name: value})
                assert response.status_code in (200, 400), (url, name, value, response.status_code)


@pytest.mark.slow
def test_writes_never_500(cast, tree, jaipur_rep, jaipur_resident):
    client = api(cast.district_admin)
    writes = [
        ("post", "/units/", {"parent": tree.amer.pk, "level": "booth", "name_en": "N", "number": 9}),
        ("patch", f"/units/{tree.booth2.pk}/", {"name_en": "N", "number": 2, "parent": None}),
        ("post", f"/units/{tree.booth2.pk}/dissolve/", {"reason": "r", "include_subtree": False}),
        ("post", "/people/", {"name_en": "N", "mobile": "9829012345", "home_unit": tree.amer.pk, "skills": ["a"]}),
        ("patch", f"/people/{jaipur_resident.pk}/", {"name_en": "N", "email": "a@b.in", "home_unit": tree.amer.pk}),
        (
            "post",
            "/appointments/",
            {
                "unit": tree.booth2.pk,
                "position": position("booth", "volunteer").pk,
                "person": jaipur_resident.pk,
                "mobile": "9829012346",
                "name_en": "N",
                "start_date": "2025-01-01",
                "letter_number": "L",
            },
        ),
        ("post", f"/appointments/{jaipur_rep.pk}/relieve/", {"reason": "r", "end_date": "2025-01-01"}),
    ]
    for method, url, valid in writes:
        for field in valid:
            for value in WEIRD_VALUES:
                response = getattr(client, method)(API + url, {**valid, field: value}, format="json")
                assert response.status_code < 500, (url, field, value, response.status_code)


def test_relieve_before_the_start_is_400(cast, jaipur_rep):
    before = appointment_rows()
    response = api(cast.district_admin).post(
        f"{API}/appointments/{jaipur_rep.pk}/relieve/", {"reason": "Typo", "end_date": "2000-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert appointment_rows() == before


def test_swagger_ui_needs_no_cdn(client, cast):
    client.force_login(cast.state_admin)
    html = client.get("/api/docs/").content.decode()
    assert "cdn." not in html and "jsdelivr" not in html and "/static/" in html
