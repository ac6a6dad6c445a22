"""Wings in the appoint form and in the office-bearers import; gender and age band of people already registered
in the import (only with the consent column, only where the importer may edit the person, audited, counted)."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from sangathan.audit.models import AuditEntry
from sangathan.org import representation
from sangathan.org.models import AppointeeCounter, Appointment, Person, Wing
from sangathan.org.officebearers_import import import_office_bearers
from sangathan.org.template import load_default_wings
from sangathan.org.tests.factories import PersonFactory, level, position
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

HEADER = ["unit id", "post", "wing", "name", "mobile", "gender", "age", "consent"]


@pytest.fixture(autouse=True)
def wings(db):
    load_default_wings(Wing)
    return {wing.code: wing for wing in Wing.objects.all()}


def run(tree, rows, *, by, root=None, dry_run=False, header=HEADER):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    content = io.BytesIO(buffer.getvalue().encode("utf-8"))
    return import_office_bearers(file=content, root=root or tree.jaipur, by=by, dry_run=dry_run)


def women_youth_at(unit, level_code, wing=None) -> tuple[int, int, int]:
    row = AppointeeCounter.objects.filter(unit=unit, level=level(level_code), wing=wing).first()
    return (row.appointees, row.women, row.youth) if row else (0, 0, 0)


# ---------------------------------------------------------------- the appoint form


def test_the_appoint_form_puts_the_appointment_in_a_wing(client, tree, cast, wings):
    log_in(client, cast.district_admin, language="hi")
    url = reverse("org:appoint", args=[tree.booth2.pk])
    data = {
        "position": position("booth", "volunteer").pk,
        "mobile": "98290 22222",
        "name_en": "Kavita",
        "wing": wings["women"].pk,
    }
    page = client.post(url, data)
    assert page.status_code == 200 and wings["women"].name_hi in page.content.decode()  # on the confirmation
    assert client.post(url, {**data, "confirm": "1"}).status_code == 302
    appointment = Appointment.objects.get(unit=tree.booth2)
    assert appointment.wing == wings["women"]
    assert women_youth_at(tree.jaipur, "booth", wings["women"])[0] == 1
    assert AuditEntry.objects.get_for_object(appointment).get().actor == cast.district_admin


def test_an_unknown_wing_in_the_appoint_form_changes_nothing(client, tree, cast):
    log_in(client, cast.district_admin, language="hi")
    data = {"position": position("booth", "volunteer").pk, "mobile": "9829022222", "name_en": "K", "wing": "999999"}
    response = client.post(reverse("org:appoint", args=[tree.booth2.pk]), {**data, "confirm": "1"})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not Appointment.objects.exists() and not Person.objects.exists()


# ---------------------------------------------------------------- the import: wings


def test_the_import_puts_rows_in_their_wing_by_code_or_name(tree, cast, wings):
    rows = [
        [tree.booth1.pk, "volunteer", "it_cell", "Ravi", "9812345601", "", "", ""],
        [tree.booth2.pk, "volunteer", "युवा प्रकोष्ठ", "Sonu", "9812345602", "", "", ""],
        [tree.amer.pk, "ब्लॉक प्रभारी", "", "Mohan", "9812345603", "", "", ""],
    ]
    report = run(tree, rows, by=cast.district_admin)
    assert report.ok and report.appointed == 3, report.errors
    by_name = {a.person.name_en: a.wing_id for a in Appointment.objects.select_related("person")}
    assert by_name == {"Ravi": wings["it_cell"].pk, "Sonu": wings["youth"].pk, "Mohan": None}
    assert women_youth_at(tree.jaipur, "booth", wings["it_cell"])[0] == 1


def test_an_unknown_wing_is_a_row_error_and_nothing_is_kept(tree, cast):
    rows = [
        [tree.booth1.pk, "volunteer", "it_cell", "Ravi", "9812345601", "", "", ""],
        [tree.booth2.pk, "volunteer", "space cell", "Sonu", "9812345602", "", "", ""],
    ]
    with translation.override("hi"):
        report = run(tree, rows, by=cast.district_admin)
    assert [e.row for e in report.errors] == [3]
    assert "space cell" in report.errors[0].message and "प्रकोष्ठ" in report.errors[0].message
    assert not Appointment.objects.exists() and not Person.objects.exists()


def test_a_row_already_in_place_moves_to_the_rows_wing_and_again_changes_nothing(tree, cast, wings):
    rows = [[tree.booth1.pk, "volunteer", "", "Ravi", "9812345601", "", "", ""]]
    assert run(tree, rows, by=cast.district_admin).appointed == 1
    rows[0][2] = "IT cell"
    report = run(tree, rows, by=cast.district_admin)
    assert report.ok and report.unchanged == 1 and report.appointed == 0
    appointment = Appointment.objects.get()
    assert appointment.wing == wings["it_cell"]
    entries = AuditEntry.objects.get_for_object(appointment).count()
    assert run(tree, rows, by=cast.district_admin).unchanged == 1
    assert AuditEntry.objects.get_for_object(appointment).count() == entries  # the same file again: no change


# ---------------------------------------------------------------- the import: existing people's gender and age


def test_an_existing_persons_gender_and_age_are_set_with_consent_audited_and_counted(tree, cast):
    known = PersonFactory(home_unit=tree.booth1, mobile="+919812345601", name_en="Asha")
    rows = [[tree.booth1.pk, "volunteer", "", "Asha", "9812345601", "female", "24", "yes"]]
    report = run(tree, rows, by=cast.district_admin)
    assert report.ok and report.people_new == 0 and report.appointed == 1
    known.refresh_from_db()
    assert (known.gender, known.age_band) == ("female", "18_25") and known.profile_consent_at is not None
    entry = AuditEntry.objects.get_for_object(known).order_by("-pk").first()
    assert entry.actor == cast.district_admin and "gender" in str(entry.changes)
    assert women_youth_at(tree.jaipur, "booth") == (1, 1, 1)


def test_an_existing_office_bearers_profile_is_updated_and_the_counts_move(tree, cast):
    rows = [[tree.booth1.pk, "volunteer", "", "Asha", "9812345601", "", "", ""]]
    assert run(tree, rows, by=cast.district_admin).appointed == 1
    assert women_youth_at(tree.jaipur, "booth") == (1, 0, 0)
    rows[0][5:] = ["महिला", "40", "हाँ"]
    report = run(tree, rows, by=cast.district_admin)
    assert report.ok and report.unchanged == 1
    person = Person.objects.get(mobile="+919812345601")
    assert (person.gender, person.age_band) == ("female", "36_45")
    assert women_youth_at(tree.jaipur, "booth") == (1, 1, 0)
    before = representation.subtree_counts(tree.jaipur)
    representation.rebuild(None)
    assert representation.subtree_counts(tree.jaipur) == before  # the moved counts equal a recount


def test_only_the_given_value_changes_and_the_other_is_kept(tree, cast):
    known = PersonFactory(home_unit=tree.booth1, mobile="+919812345601")
    representation.person_profile_set(person=known, gender="male", age_band="46_60", consent=True)
    rows = [[tree.booth1.pk, "volunteer", "", "", "9812345601", "", "30", "yes"]]
    assert run(tree, rows, by=cast.district_admin).ok
    known.refresh_from_db()
    assert (known.gender, known.age_band) == ("male", "26_35")


def test_without_consent_an_existing_persons_profile_is_not_changed(tree, cast):
    known = PersonFactory(home_unit=tree.booth1, mobile="+919812345601")
    rows = [[tree.booth1.pk, "volunteer", "", "", "9812345601", "female", "24", "no"]]
    report = run(tree, rows, by=cast.district_admin)
    assert report.ok and [w.row for w in report.warnings] == [2]
    known.refresh_from_db()
    assert (known.gender, known.age_band, known.profile_consent_at) == ("", "", None)


def test_a_person_living_in_a_sibling_district_is_not_edited(tree, cast):
    """The state admin imports into Jaipur a person of Ajmer: appointed, but their profile is edited only by whoever
    may appoint where they live. Here a district admin of Jaipur imports a person whose home is Ajmer's booth via the
    state (root) — the state admin may edit; a Jaipur-only importer may not."""
    outsider = PersonFactory(home_unit=tree.ajmer_booth, mobile="+919812345609")
    rows = [[tree.booth1.pk, "volunteer", "", "", "9812345609", "female", "24", "yes"]]
    report = run(tree, rows, by=cast.district_admin)
    outsider.refresh_from_db()
    assert (outsider.gender, outsider.age_band) == ("", "")
    assert not report.ok or report.warnings  # refused as a neutral row error, or appointed with a warning
    report = run(tree, rows, by=cast.state_admin, root=tree.rajasthan)
    assert report.ok, report.errors
    outsider.refresh_from_db()
    assert (outsider.gender, outsider.age_band) == ("female", "18_25")


def test_a_dry_run_changes_no_existing_person(tree, cast):
    known = PersonFactory(home_unit=tree.booth1, mobile="+919812345601")
    rows = [[tree.booth1.pk, "volunteer", "women", "", "9812345601", "female", "24", "yes"]]
    report = run(tree, rows, by=cast.district_admin, dry_run=True)
    assert report.ok and not report.imported
    known.refresh_from_db()
    assert (known.gender, known.age_band) == ("", "") and not Appointment.objects.exists()


# ---------------------------------------------------------------- the API


def test_the_api_appoints_into_a_wing_and_shows_it(tree, cast, wings):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user=cast.district_admin)
    body = {
        "unit": tree.booth2.pk,
        "position": position("booth", "volunteer").pk,
        "mobile": "9829033333",
        "name_en": "Sonu",
    }
    response = client.post("/api/v1/appointments/", {**body, "wing": "youth"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["wing"] == "youth"
    assert Appointment.objects.get().wing == wings["youth"]
    listed = client.get("/api/v1/appointments/")
    assert [row["wing"] for row in listed.data["results"]] == ["youth"]
    refused = client.post("/api/v1/appointments/", {**body, "mobile": "9829033334", "wing": "space"}, format="json")
    assert refused.status_code == 400 and "wing" in refused.data
    assert Appointment.objects.count() == 1
