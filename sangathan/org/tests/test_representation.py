"""Wings and representation (org.representation): counters moved with every write, equal to a recount,
the page, the wing and profile forms, scope, bad input, audit; the review queue's gender and age filters."""

import pytest
from django.urls import reverse

from sangathan.audit.models import AuditEntry
from sangathan.org import representation, services
from sangathan.org.errors import OrgError
from sangathan.org.models import AppointeeCounter, Wing
from sangathan.org.template import load_default_wings
from sangathan.org.tests.factories import PersonFactory, level, position
from sangathan.testing import log_in


@pytest.fixture
def wings(db):
    load_default_wings(Wing)
    return {wing.code: wing for wing in Wing.objects.all()}


def counter_rows():
    rows = AppointeeCounter.objects.values_list("unit_id", "level_id", "wing_id", "appointees", "women", "youth")
    return sorted(rows, key=lambda row: (row[0], row[1], row[2] or 0))


def assert_counters_equal_a_recount():
    before = [row for row in counter_rows() if any(row[3:])]
    representation.rebuild(None)
    assert before == counter_rows()


def woman(age_band="18_25"):
    person = PersonFactory()
    return representation.person_profile_set(person=person, gender="female", age_band=age_band, consent=True)


def appoint(unit, level_code, post, person=None):
    return services.appointment_create(unit=unit, position=position(level_code, post), person=person or PersonFactory())


def shares(unit):
    return {s.level.code: (s.appointees, s.women, s.youth) for s in representation.shares_for_unit(unit)}


def test_appointments_move_the_shares_of_every_ancestor(tree, wings):
    appoint(tree.booth1, "booth", "representative", woman())
    appoint(tree.booth2, "booth", "representative")
    appoint(tree.jaipur, "district", "in_charge", woman("46_60"))
    assert shares(tree.amer) == {"booth": (2, 1, 1)}
    assert shares(tree.rajasthan) == {"district": (1, 1, 0), "booth": (2, 1, 1)}
    assert shares(tree.india) == shares(tree.rajasthan)
    assert_counters_equal_a_recount()


def test_relief_dissolution_and_moves_keep_the_counters_true(tree, wings, cast):
    first = appoint(tree.booth1, "booth", "representative", woman())
    appoint(tree.booth2, "booth", "volunteer", woman("26_35"))
    appoint(tree.ajmer_booth, "booth", "representative", woman())
    representation.appointment_wing_set(appointment=first, wing=wings["it_cell"])
    services.appointment_relieve(appointment=first, reason="moved away")
    assert shares(tree.amer) == {"booth": (1, 1, 1)}
    assert_counters_equal_a_recount()
    services.unit_move(unit=tree.amer, new_parent=tree.ajmer_ac)
    assert shares(tree.ajmer)["booth"] == (2, 2, 2)
    assert "booth" not in shares(tree.jaipur)
    assert_counters_equal_a_recount()
    services.committee_dissolve(unit=tree.ajmer, reason="reorganised", include_subtree=True)
    assert shares(tree.rajasthan) == {}
    assert_counters_equal_a_recount()


def test_wing_coverage_per_level(tree, wings):
    a = appoint(tree.booth1, "booth", "representative", woman())
    b = appoint(tree.jaipur_ac, "assembly", "in_charge")
    representation.appointment_wing_set(appointment=a, wing=wings["women"])
    representation.appointment_wing_set(appointment=b, wing=wings["it_cell"])
    rows = {
        row.wing.code: {s.level.code: s.appointees for s in row.levels}
        for row in representation.wings_for_unit(tree.rajasthan)
    }
    assert rows == {"it_cell": {"assembly": 1}, "women": {"booth": 1}, "youth": {}, "minority": {}}
    representation.appointment_wing_set(appointment=a, wing=None)
    assert shares(tree.rajasthan)["booth"] == (1, 1, 1)  # the total is unchanged by wings
    assert_counters_equal_a_recount()


def test_a_profile_change_moves_the_counters(tree, wings):
    person = PersonFactory()
    appoint(tree.booth1, "booth", "representative", person)
    assert shares(tree.amer) == {"booth": (1, 0, 0)}
    representation.person_profile_set(person=person, gender="female", age_band="26_35", consent=True)
    assert shares(tree.amer) == {"booth": (1, 1, 1)}
    representation.person_profile_set(person=person, gender="", age_band="", consent=False)
    person.refresh_from_db()
    assert person.profile_consent_at is None and shares(tree.amer) == {"booth": (1, 0, 0)}
    assert_counters_equal_a_recount()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"gender": "female", "age_band": "18_25"}, "Tick the consent box"),
        ({"gender": "robot", "consent": "on"}, "valid choice"),
        ({"age_band": "7_9", "consent": "on"}, "valid choice"),
    ],
)
def test_bad_profile_input_is_refused_and_changes_nothing(tree, cast, client, data, message):
    person = PersonFactory(home_unit=tree.jaipur)
    log_in(client, cast.district_admin)
    response = client.post(reverse("org:person_profile", args=[person.pk]), data)
    assert response.status_code == 400 and message in response.content.decode()
    person.refresh_from_db()
    assert (person.gender, person.age_band, person.profile_consent_at) == ("", "", None)


def test_the_profile_form_records_consent_with_its_time_audited_and_in_hindi(tree, cast, client):
    person = PersonFactory(home_unit=tree.jaipur)
    log_in(client, cast.district_admin, language="hi")
    assert "सहमति" in client.get(reverse("org:person_profile", args=[person.pk])).content.decode()
    data = {"gender": "female", "age_band": "26_35", "consent": "on"}
    assert client.post(reverse("org:person_profile", args=[person.pk]), data).status_code == 302
    person.refresh_from_db()
    assert person.gender == "female" and person.profile_consent_at is not None
    assert AuditEntry.objects.get_for_object(person).filter(actor=cast.district_admin).exists()
    response = client.post(reverse("org:person_profile", args=[person.pk]), {"gender": "male"})
    assert "सहमति का बॉक्स चुनें" in response.content.decode()


def test_a_sibling_district_cannot_see_or_change_profiles_wings_or_shares(tree, cast, client, wings):
    person = PersonFactory(home_unit=tree.jaipur)
    appointment = appoint(tree.jaipur_ac, "assembly", "in_charge", person)
    log_in(client, cast.sibling_admin)
    assert client.get(reverse("org:representation", args=[tree.jaipur.pk])).status_code == 404
    assert (
        client.post(reverse("org:person_profile", args=[person.pk]), {"gender": "male", "consent": "on"}).status_code
        == 404
    )
    assert (
        client.post(reverse("org:appointment_wing", args=[appointment.pk]), {"wing": wings["youth"].pk}).status_code
        == 404
    )
    person.refresh_from_db()
    appointment.refresh_from_db()
    assert person.gender == "" and appointment.wing_id is None


def test_a_viewer_may_read_the_shares_but_not_set_a_wing(tree, cast, client, wings):
    appointment = appoint(tree.jaipur_ac, "assembly", "in_charge", woman())
    log_in(client, cast.viewer)
    page = client.get(reverse("org:representation", args=[tree.jaipur.pk]))
    assert page.status_code == 200 and "100%" in page.content.decode()
    assert (
        client.post(reverse("org:appointment_wing", args=[appointment.pk]), {"wing": wings["youth"].pk}).status_code
        == 403
    )
    appointment.refresh_from_db()
    assert appointment.wing_id is None


def test_the_wing_form_sets_the_wing_and_refuses_a_bad_one(tree, cast, client, wings):
    appointment = appoint(tree.jaipur_ac, "assembly", "in_charge")
    log_in(client, cast.district_admin)
    url = reverse("org:appointment_wing", args=[appointment.pk])
    assert client.post(url, {"wing": "99999"}).status_code == 400
    assert client.post(url, {"wing": "x"}).status_code == 400
    appointment.refresh_from_db()
    assert appointment.wing_id is None
    assert client.post(url, {"wing": wings["youth"].pk}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.wing == wings["youth"]
    services.appointment_relieve(appointment=appointment, reason="done")
    with pytest.raises(OrgError):
        representation.appointment_wing_set(appointment=appointment, wing=wings["it_cell"])


def test_the_page_reads_counters_not_appointments(tree, cast, client, wings, django_assert_max_num_queries):
    for booth in (tree.booth1, tree.booth2):
        appoint(booth, "booth", "representative", woman())
    log_in(client, cast.state_admin, language="hi")
    with django_assert_max_num_queries(14):
        page = client.get(reverse("org:representation", args=[tree.rajasthan.pk]))
    text = page.content.decode()
    assert "महिलाएँ" in text and "आईटी सेल" in text and level("booth").name_hi in text
