"""Importing office-bearers from CSV/XLSX: the service's rules, the command, the web flow."""

import csv
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from sangathan.audit.models import AuditEntry
from sangathan.org.models import Appointment, OfficeBearerImportJob, Person, SocialAccount
from sangathan.org.officebearers_import import _person_has, import_office_bearers
from sangathan.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

HEADER = ["unit id", "post", "name", "mobile", "gender", "age", "facebook"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def csv_bytes(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_rows(tree):
    return [
        [tree.booth1.pk, "Booth representative", "रमेश कुमार", "9812345601", "male", "34", "ramesh.fb"],
        [tree.booth1.pk, "volunteer", "Sita Devi", "9812345602", "महिला", "29", ""],
        [tree.amer.pk, "ब्लॉक प्रभारी", "Mohan Lal", "+91 98123 45603", "", "", ""],
    ]


def run(tree, rows, *, by=None, root=None, dry_run=False, header=HEADER, maker=csv_bytes):
    return import_office_bearers(file=io.BytesIO(maker(rows, header)), root=root or tree.jaipur, by=by, dry_run=dry_run)


def test_a_good_file_appoints_everyone_and_registers_new_people(tree, cast):
    report = run(tree, good_rows(tree), by=cast.district_admin)
    assert report.ok and report.imported
    assert (report.appointed, report.people_new, report.unchanged, report.handles_added) == (3, 3, 0, 1)
    ramesh = Person.objects.get(mobile="+919812345601")
    assert ramesh.name_hi == "रमेश कुमार" and ramesh.name_en == ""
    assert Person.objects.get(mobile="+919812345602").name_en == "Sita Devi"
    assert Appointment.objects.filter(unit=tree.booth1, status="active").count() == 2
    assert Appointment.objects.get(unit=tree.amer).position.code == "in_charge"
    assert SocialAccount.objects.get(person=ramesh).handle == "ramesh.fb"


def test_xlsx_and_hindi_headings_are_read(tree, cast):
    header = ["इकाई आईडी", "पद", "नाम", "मोबाइल", "लिंग", "आयु", "फेसबुक"]
    report = run(tree, good_rows(tree), by=cast.district_admin, header=header, maker=xlsx_bytes)
    assert report.ok and report.appointed == 3, report.errors


def test_the_same_file_twice_appoints_nobody_the_second_time(tree, cast):
    run(tree, good_rows(tree), by=cast.district_admin)
    again = run(tree, good_rows(tree), by=cast.district_admin)
    assert again.ok and again.imported
    assert (again.appointed, again.unchanged, again.people_new, again.handles_added) == (0, 3, 0, 0)
    assert Appointment.objects.filter(status="active").count() == 3
    assert SocialAccount.objects.count() == 1


def test_a_dry_run_writes_nothing_but_applies_the_same_rules(tree, cast):
    report = run(tree, good_rows(tree), by=cast.district_admin, dry_run=True)
    assert report.ok and not report.imported and report.appointed == 3
    assert not Appointment.objects.exists() and not Person.objects.exists()


def test_a_full_post_is_a_row_error_and_nothing_is_kept(tree, cast):
    rows = [
        *good_rows(tree),
        [tree.booth1.pk, "Booth representative", "Second Rep", "9812345604", "", "", ""],  # one seat, taken in row 2
    ]
    report = run(tree, rows, by=cast.district_admin)
    assert not report.ok and not report.imported
    assert [(e.row, "seats" in e.message) for e in report.errors] == [(5, True)]
    assert not Appointment.objects.exists() and not Person.objects.exists()  # all or nothing


def test_bad_input_on_every_field_is_reported_with_its_row(tree, cast):
    rows = [
        ["abc", "Booth representative", "A", "9812345601", "", "", ""],  # 2: unit id
        [tree.booth1.pk, "Chief Minister", "B", "9812345602", "", "", ""],  # 3: post unknown at this level
        [tree.booth1.pk, "volunteer", "C", "12345", "", "", ""],  # 4: mobile
        [tree.booth1.pk, "volunteer", "D", "9812345604", "robot", "", ""],  # 5: gender
        [tree.booth1.pk, "volunteer", "E", "9812345605", "", "7", ""],  # 6: age
        [tree.booth1.pk, "volunteer", "<b>F</b>", "9812345606", "", "", ""],  # 7: markup in the name
        [tree.booth1.pk, "volunteer", "", "9812345607", "", "", ""],  # 8: a new person without a name
        [tree.booth1.pk, "", "H", "9812345608", "", "", ""],  # 9: no post
        [tree.booth1.pk, "volunteer", "I", "9812345609", "", "", "x" * 201],  # 10: handle too long
    ]
    report = run(tree, rows, by=cast.district_admin)
    assert sorted(e.row for e in report.errors) == [2, 3, 4, 5, 6, 7, 8, 9, 10]  # one problem each
    messages = " ".join(e.message for e in report.errors)
    for words in ("unit id", "no post “Chief Minister”", "gender", "age from 18", "name in Hindi or in English"):
        assert words in messages
    assert not Person.objects.exists() and not Appointment.objects.exists()


def test_a_missing_column_is_an_error_of_the_header(tree, cast):
    report = run(tree, [[tree.booth1.pk, "x"]], by=cast.district_admin, header=["unit id", "name"])
    assert not report.ok and {e.row for e in report.errors} == {1}
    assert "post" in report.errors[0].message or "post" in report.errors[1].message


def test_a_sibling_districts_unit_is_a_row_error_naming_nothing_of_it(tree, cast):
    rows = [[tree.ajmer_booth.pk, "Booth representative", "Spy", "9812345601", "", "", ""]]
    report = run(tree, rows, by=cast.district_admin)
    assert [e.row for e in report.errors] == [2]
    message = report.errors[0].message
    assert str(tree.ajmer_booth.pk) in message
    for secret in ("Ajmer", "Kishangarh", "अजमेर", "किशनगढ़"):
        assert secret not in message
    # The same answer as a unit that does not exist.
    missing = run(tree, [[999999, "Booth representative", "Spy", "9812345601", "", "", ""]], by=cast.district_admin)
    assert missing.errors[0].message.replace("999999", "N") == message.replace(str(tree.ajmer_booth.pk), "N")
    assert not Appointment.objects.exists()


def test_a_number_of_someone_in_a_sibling_district_is_refused_neutrally_and_audited(tree, cast):
    PersonFactory(mobile="+919812345601", home_unit=tree.ajmer_booth, name_en="Ajmer Person")
    rows = [[tree.booth1.pk, "Booth representative", "Whoever", "9812345601", "", "", ""]]
    report = run(tree, rows, by=cast.district_admin)
    assert [e.row for e in report.errors] == [2]
    assert "cannot be used here" in report.errors[0].message and "Ajmer" not in report.errors[0].message
    assert AuditEntry.objects.filter(
        additional_data__mobile_lookup="import", additional_data__outcome="refused"
    ).exists()


def test_a_huge_or_hostile_file_is_refused(tree, cast):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + "x" * 50_000_000 + "</a>")
    report = import_office_bearers(file=io.BytesIO(buffer.getvalue()), root=tree.jaipur, by=cast.district_admin)
    assert not report.ok and report.errors[0].row is None
    too_big = import_office_bearers(file=io.BytesIO(b"a" * (6 * 1024 * 1024)), root=tree.jaipur)
    assert not too_big.ok and "larger than" in too_big.errors[0].message


@pytest.mark.skipif(not _person_has("profile_consent_at"), reason="Person has no gender and age band fields yet")
def test_gender_and_age_band_are_kept_only_with_consent(tree, cast):
    header = [*HEADER, "consent"]
    rows = [
        [tree.booth1.pk, "Booth representative", "Asha", "9812345601", "female", "24", "", "हाँ"],
        [tree.booth1.pk, "volunteer", "Bina", "9812345602", "female", "40", "", ""],
    ]
    report = run(tree, rows, by=cast.district_admin, header=header)
    assert report.ok
    asha, bina = Person.objects.get(name_en="Asha"), Person.objects.get(name_en="Bina")
    assert (asha.gender, asha.age_band) == ("female", "18_25") and asha.profile_consent_at is not None
    assert (bina.gender, bina.age_band, bina.profile_consent_at) == ("", "", None)
    assert [w.row for w in report.warnings] == [3]


def test_a_consent_that_is_neither_yes_nor_no_is_a_row_error(tree, cast):
    rows = [[tree.booth1.pk, "volunteer", "Asha", "9812345601", "female", "24", "", "maybe"]]
    report = run(tree, rows, by=cast.district_admin, header=[*HEADER, "सहमति"])
    assert [e.row for e in report.errors] == [2] and "yes or no" in report.errors[0].message


def test_the_command_dry_run_and_import(tree, tmp_path):
    path = tmp_path / "bearers.csv"
    path.write_bytes(csv_bytes(good_rows(tree)))
    out = io.StringIO()
    call_command("import_office_bearers", str(path), "--root", str(tree.jaipur.pk), "--dry-run", stdout=out)
    assert "3" in out.getvalue() and not Appointment.objects.exists()
    call_command("import_office_bearers", str(path), "--root", str(tree.jaipur.pk), stdout=out)
    assert Appointment.objects.filter(status="active").count() == 3


def test_the_command_reports_row_errors_and_fails(tree, tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([[tree.booth1.pk, "nobody", "A", "9812345601", "", "", ""]]))
    with pytest.raises(CommandError):
        call_command("import_office_bearers", str(path), "--root", str(tree.jaipur.pk), stdout=io.StringIO())
    assert not Appointment.objects.exists()


# ---------------------------------------------------------------- the web flow


def _upload(client, tree, content, name="bearers.csv", root=None):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse("org:officebearers_upload", args=[(root or tree.jaipur).pk]), {"file": upload})


def test_upload_check_preview_confirm_import(client, tree, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, tree, csv_bytes(good_rows(tree)))
    job = OfficeBearerImportJob.objects.get()
    assert response.status_code == 302 and job.status == "uploaded" and job.checked_ok
    preview = client.get(reverse("org:officebearers_job", args=[job.pk]))
    assert preview.status_code == 200 and "Import 3" in preview.content.decode() or b"3" in preview.content
    assert not Appointment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("org:officebearers_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.summary["appointed"] == 3 and job.content == b""
    assert Appointment.objects.filter(status="active").count() == 3
    page = client.get(reverse("org:officebearers_job", args=[job.pk])).content.decode()
    assert "3" in page


def test_a_file_with_errors_cannot_be_confirmed(client, tree, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.district_admin)
    rows = [[tree.booth1.pk, "nobody", "A", "9812345601", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, tree, csv_bytes(rows))
    job = OfficeBearerImportJob.objects.get()
    assert job.status == "uploaded" and not job.checked_ok
    page = client.get(reverse("org:officebearers_job", args=[job.pk])).content.decode()
    assert "Row 2" in page or ">2<" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("org:officebearers_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "uploaded" and not Appointment.objects.exists()


def test_a_sibling_cannot_see_confirm_or_import_into_anothers_job(
    client, tree, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, tree, csv_bytes(good_rows(tree)))
    job = OfficeBearerImportJob.objects.get()
    client.force_login(cast.sibling_admin)
    assert client.get(reverse("org:officebearers_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("org:officebearers_confirm", args=[job.pk])).status_code == 404
    assert _upload(client, tree, csv_bytes(good_rows(tree)), root=tree.jaipur).status_code == 404
    job.refresh_from_db()
    assert job.status == "uploaded" and not Appointment.objects.exists()


def test_a_viewer_may_not_import(client, tree, cast):
    client.force_login(cast.viewer)
    assert _upload(client, tree, csv_bytes(good_rows(tree))).status_code == 403
    assert not OfficeBearerImportJob.objects.exists()


def test_an_upload_without_a_file_or_into_an_unknown_unit_changes_nothing(client, tree, cast):
    client.force_login(cast.district_admin)
    response = client.post(reverse("org:officebearers_upload", args=[tree.jaipur.pk]), {})
    assert response.status_code == 200 and "required" in response.content.decode()
    assert _upload(client, tree, b"x", root=tree.jaipur).status_code == 302  # any bytes: the worker judges them
    OfficeBearerImportJob.objects.all().delete()
    response = client.post(reverse("org:officebearers_upload", args=[99999999]), {})
    assert response.status_code == 404 and not OfficeBearerImportJob.objects.exists()
