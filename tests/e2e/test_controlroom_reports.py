"""The control room's reports in Chromium: on a 360-px phone a state admin opens the archive and downloads the
state's daily report PDF, which reads back in Hindi; the national department sees all states side by side
(360 and 1280 px). Screenshots of each page."""

import datetime

import pytest
from django.utils import timezone

from sangathan.access.models import Role, RoleAssignment
from sangathan.controlroom import reports
from sangathan.controlroom.models import StateReport
from sangathan.org import services as org_services
from sangathan.org.models import Position
from sangathan.org.tests.factories import PersonFactory, UserFactory
from sangathan.testing import log_in_browser, pdf_text
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_daily_report_downloads_on_a_phone_and_reads_back(browser, phone, desktop, live_server, tree, cast):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for unit in (tree.rajasthan, tree.jaipur, tree.ajmer):
        org_services.appointment_create(
            unit=unit,
            position=Position.objects.get(level=unit.level, is_key=True),
            person=PersonFactory(name_hi=f"प्रभारी {unit.name_hi}"),
            start_date=yesterday - datetime.timedelta(days=30),
        )
    report = reports.report_make(unit=tree.rajasthan, kind=StateReport.Kind.DAILY, day=yesterday)

    log_in_browser(phone, live_server, "state_admin")
    phone.goto(f"{live_server.url}/controlroom/reports/")
    phone.wait_for_selector(f"[data-report='{report.pk}']")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "controlroom-reports-360")
    with phone.expect_download() as download_info:
        phone.click(f"[data-report='{report.pk}'] a.cr-pdf")
    download = download_info.value
    assert download.suggested_filename == f"{reports.file_stem(report)}.pdf"
    with open(download.path(), "rb") as handle:
        text = pdf_text(handle.read())
    assert "नियंत्रण कक्ष की दैनिक रिपोर्ट" in text and "राजस्थान" in text and "प्रशिक्षित पदाधिकारी" in text

    national = UserFactory(username="national_admin")
    RoleAssignment.objects.create(user=national, unit=tree.india, role=Role.NATIONAL_ADMIN)
    national_phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="hi-IN").new_page()
    for page, width in ((desktop, 1280), (national_phone, 360)):
        log_in_browser(page, live_server, "national_admin")
        page.goto(f"{live_server.url}/controlroom/national/?day={yesterday.isoformat()}")
        page.wait_for_selector(f"[data-state='{tree.rajasthan.pk}']")
        assert "सभी प्रदेश एक साथ" in page.inner_text("h1")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # the table scrolls in its box
        screenshot(page, f"controlroom-national-{width}")
    national_phone.context.close()
