"""Importing units from a file on a phone: upload, preview, confirm, result; and the progress bar."""

import pytest
from django.core.cache import cache

from sangathan.org.import_jobs import _progress_key
from sangathan.org.models import Unit, UnitImportJob
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    "जिला,विधानसभा संख्या,विधानसभा,ब्लॉक,बूथ संख्या,बूथ का नाम,मतदान केंद्र\n"
    "कोटा,150,कोटा उत्तर,लाडपुरा,1,लाडपुरा विद्यालय,राजकीय विद्यालय लाडपुरा\n"
    "कोटा,150,कोटा उत्तर,लाडपुरा,2,लाडपुरा मंडी,राजकीय विद्यालय लाडपुरा\n"
)


def test_state_admin_imports_a_file_on_a_phone(live_server, phone, cast, tree, tmp_path):
    page = phone
    log_in_browser(page, live_server, "state_admin")
    page.goto(f"{live_server.url}/import/?root={tree.rajasthan.pk}")
    path = tmp_path / "kota.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    page.set_input_files("input[type=file]", str(path))
    page.click("main button[type=submit]")
    page.wait_for_url("**/import/preview/")
    screenshot(page, "import-preview-360-hi")
    page.click("main form[action$='/confirm/'] button[type=submit]")
    page.wait_for_url("**/import/jobs/*/")
    page.wait_for_selector("table")
    screenshot(page, "import-done-360-hi")
    assert Unit.objects.filter(name_hi="कोटा", parent=tree.rajasthan).exists()
    assert Unit.objects.filter(level__code="booth", polling_station="राजकीय विद्यालय लाडपुरा").count() == 2


def test_progress_bar_while_a_job_runs(live_server, phone, cast, tree):
    job = UnitImportJob.objects.create(root=tree.rajasthan, original_name="बूथ.csv", status="running")
    cache.set(_progress_key(job.pk), {"stage": "write", "done": 31200, "total": 52000})
    page = phone
    log_in_browser(page, live_server, "state_admin")
    page.goto(f"{live_server.url}/import/jobs/{job.pk}/")
    assert page.get_attribute("[role=progressbar]", "aria-valuenow") == "60"
    screenshot(page, "import-progress-360-hi")
    # The page polls; when the job finishes, the result replaces the bar without a reload.
    UnitImportJob.objects.filter(pk=job.pk).update(
        status="done", summary={"root": tree.rajasthan.pk, "rows": 2, "levels": []}
    )
    page.wait_for_selector("#import-job .btn-primary", timeout=5000)
    assert page.locator("[role=progressbar]").count() == 0
