"""Importing office-bearers on a phone (upload, preview, confirm, result; the progress bar; a file with
errors) and the terms-ending list, at 360 px and 1280 px, in Hindi."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from sangathan.org import services
from sangathan.org.models import Appointment, OfficeBearerImportJob
from sangathan.org.officebearers_jobs import _progress_key
from sangathan.org.tests.factories import PersonFactory, position
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _csv(tree, tmp_path, rows):
    path = tmp_path / "padadhikari.csv"
    lines = ["इकाई आईडी,पद,नाम,मोबाइल,लिंग,आयु,फेसबुक"] + [",".join(map(str, row)) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_district_admin_imports_office_bearers_on_a_phone(live_server, phone, cast, tree, tmp_path):
    page = phone
    log_in_browser(page, live_server, "district_admin")
    page.goto(f"{live_server.url}/units/{tree.jaipur.pk}/office-bearers/import/")
    screenshot(page, "officebearers-upload-360-hi")
    rows = [
        [tree.booth1.pk, "बूथ प्रतिनिधि", "रमेश कुमार", "9812345601", "पुरुष", "34", "ramesh.fb"],
        [tree.booth1.pk, "बूथ डिजिटल स्वयंसेवक", "सीता देवी", "9812345602", "महिला", "29", ""],
        [tree.amer.pk, "ब्लॉक प्रभारी", "मोहन लाल", "9812345603", "", "", ""],
    ]
    page.set_input_files("input[type=file]", str(_csv(tree, tmp_path, rows)))
    page.click("main button[type=submit]")
    page.wait_for_selector("main form[action$='/confirm/'] button[type=submit]")
    screenshot(page, "officebearers-preview-360-hi")
    page.click("main form[action$='/confirm/'] button[type=submit]")
    page.wait_for_selector("#officebearers-job .btn-primary")
    screenshot(page, "officebearers-done-360-hi")
    assert Appointment.objects.filter(status="active").count() == 3


def test_a_file_with_errors_shows_them_by_row(live_server, desktop, phone, cast, tree, tmp_path):
    rows = [
        [tree.booth1.pk, "मुख्यमंत्री", "रमेश कुमार", "9812345601", "", "", ""],
        [tree.ajmer_booth.pk, "बूथ प्रतिनिधि", "सीता देवी", "98123", "कोई", "7", ""],
    ]
    for page, name in ((phone, "360"), (desktop, "1280")):
        log_in_browser(page, live_server, "district_admin")
        page.goto(f"{live_server.url}/units/{tree.jaipur.pk}/office-bearers/import/")
        page.set_input_files("input[type=file]", str(_csv(tree, tmp_path, rows)))
        page.click("main button[type=submit]")
        page.wait_for_selector("#officebearers-job .errors")
        screenshot(page, f"officebearers-errors-{name}-hi")
    assert not Appointment.objects.exists()


def test_the_progress_bar_while_an_import_runs(live_server, phone, cast, tree):
    job = OfficeBearerImportJob.objects.create(
        root=tree.jaipur, created_by=cast.district_admin, original_name="पदाधिकारी.csv", status="running"
    )
    cache.set(_progress_key(job.pk), {"stage": "write", "done": 1200, "total": 4000})
    page = phone
    log_in_browser(page, live_server, "district_admin")
    page.goto(f"{live_server.url}/office-bearers/imports/{job.pk}/")
    assert page.get_attribute("[role=progressbar]", "aria-valuenow") == "30"
    screenshot(page, "officebearers-progress-360-hi")


def test_terms_ending_list(live_server, phone, desktop, cast, tree):
    today = timezone.localdate()
    for unit, level, post, days, name in (
        (tree.amer, "block", "in_charge", 12, "महेश शर्मा"),
        (tree.booth1, "booth", "representative", 25, "रमेश कुमार"),
        (tree.booth2, "booth", "representative", 60, "सुनीता मीणा"),
    ):
        services.appointment_create(
            unit=unit,
            position=position(level, post),
            person=PersonFactory(name_hi=name, name_en="", home_unit=unit),
            start_date=today - datetime.timedelta(days=700),
            term_ends_on=today + datetime.timedelta(days=days),
        )
    for page, name in ((phone, "360"), (desktop, "1280")):
        log_in_browser(page, live_server, "district_admin")
        page.goto(f"{live_server.url}/units/{tree.jaipur.pk}/terms/")
        assert page.locator("main table").count() == 2
        screenshot(page, f"terms-ending-{name}-hi")
