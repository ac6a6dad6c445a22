"""The control room in Chromium: a booth office-bearer reports the day's work from their personal link on a
360-px phone, in Hindi (a link that is not a post first gets a Hindi message), and the district's wall,
open on a big screen, shows the booth's report without a reload; the alert raised for the silent booth appears
on the wall without a reload, an operator acknowledges it with a note (on a big screen and on a phone) and it
leaves the wall; the district's daily report PDF downloads and reads back in Hindi. Screenshots at 360 and
1280 px."""

import datetime

import pytest
from auditlog.context import auditlog_value
from django.utils import timezone

from sangathan.access.models import Role, RoleAssignment
from sangathan.controlroom import alerts, reports, tokens
from sangathan.controlroom.models import ActivityReport, Alert, ReportedPost, StateReport
from sangathan.org import services as org_services
from sangathan.org.models import Position
from sangathan.org.tests.factories import PersonFactory, UserFactory
from sangathan.testing import log_in_browser, pdf_text
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def audit_context_of_this_thread():
    """This test writes audit entries (the alert rules, the report) while the live server's threads serve the
    wall's polls, each with django-auditlog's receiver connected for every thread. A receiver reads the writing
    thread's context and indexes its "signal_duid": the ``{}`` the audit middleware leaves in this thread after
    an earlier test's client request raises KeyError. A context naming no request's id makes them pass by."""
    token = auditlog_value.set({"signal_duid": None})
    yield
    auditlog_value.reset(token)


def test_a_booth_reports_on_a_phone_and_the_wall_counts_it_without_a_reload(
    browser, phone, desktop, live_server, tree, cast, settings
):
    settings.CONTROLROOM_POLL_SECONDS = 1
    appointments = {}
    for unit in (tree.jaipur, tree.jaipur_ac, tree.amer, tree.booth1, tree.booth2):
        appointments[unit.pk] = org_services.appointment_create(
            unit=unit,
            position=Position.objects.get(level=unit.level, is_key=True),
            person=PersonFactory(name_hi=f"प्रभारी {unit.name_hi}"),
            start_date=timezone.localdate() - datetime.timedelta(days=30),
        )

    # The district's wall on a big screen: nobody has reported yet.
    log_in_browser(desktop, live_server, "district_admin")
    desktop.goto(f"{live_server.url}/controlroom/")
    desktop.wait_for_selector("#cr-panel")
    assert desktop.get_attribute("[data-level=booth]", "data-units-reported") == "0"
    desktop.evaluate("window.notReloaded = true")

    # The booth representative opens their link on a phone, in Hindi.
    phone.goto(live_server.url + tokens.report_path(appointments[tree.booth1.pk].pk))
    assert "दैनिक रिपोर्ट" in phone.inner_text("h1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    button = phone.locator("#send").bounding_box()
    assert button["y"] + button["height"] <= 2 * 780  # one short scroll: the whole form at a glance
    screenshot(phone, "controlroom-report-360")
    phone.fill("#id_posts", "4")
    phone.fill("#id_shares", "6")
    phone.fill("#id_groups_messaged", "3")
    phone.fill("#id_people_added", "2")
    phone.fill("#id_urls", "https://www.facebook.com/BJP4Jaipur")  # a page, not a post
    phone.click("#send")
    phone.wait_for_selector("#url-errors")
    assert "पोस्ट" in phone.inner_text("#url-errors")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # the long example wraps
    assert not ActivityReport.objects.exists()
    screenshot(phone, "controlroom-report-error-360")
    phone.fill(
        "#id_urls",
        "https://twitter.com/BJP4Rajasthan/status/1866000000000000001?s=20\nhttps://youtu.be/dQw4w9WgXcQ?si=abc",
    )
    phone.fill("#id_note", "आज बूथ पर बैठक हुई")
    phone.click("#send")
    phone.wait_for_selector("#saved")
    assert "धन्यवाद" in phone.inner_text("#saved")
    screenshot(phone, "controlroom-report-saved-360")
    report = ActivityReport.objects.get()
    assert (report.unit_id, report.posts, report.shares) == (tree.booth1.pk, 4, 6)
    assert set(ReportedPost.objects.values_list("url", flat=True)) == {
        "https://x.com/bjp4rajasthan/status/1866000000000000001",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    }

    # The wall polls and counts the booth, with no reload of the page.
    desktop.wait_for_selector("[data-level=booth][data-units-reported='1']", timeout=15000)
    assert desktop.evaluate("window.notReloaded === true")
    assert "x.com/bjp4rajasthan/status/1866000000000000001" in desktop.inner_text("#cr-posts-top")
    assert desktop.inner_text("#cr-posts") == "4"
    screenshot(desktop, "controlroom-wall-1280")
    desktop.set_viewport_size({"width": 360, "height": 780})
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(desktop, "controlroom-wall-360")

    # The rules run (beat does it every few minutes): the booth that never reported is silent for 7 days.
    desktop.set_viewport_size({"width": 1280, "height": 900})
    alerts.alerts_evaluate()
    alert = Alert.objects.get(rule__kind="silent", unit=tree.booth2)
    desktop.wait_for_selector(f"#cr-open-alerts [data-alert='{alert.pk}']", timeout=15000)
    assert desktop.evaluate("window.notReloaded === true")
    assert "आमेर किला द्वार" in desktop.inner_text(f"#cr-open-alerts [data-alert='{alert.pk}']")
    screenshot(desktop, "controlroom-wall-alert-1280")
    desktop.set_viewport_size({"width": 360, "height": 780})
    screenshot(desktop, "controlroom-wall-alert-360")
    desktop.set_viewport_size({"width": 1280, "height": 900})

    # The district's control-room operator acknowledges it with a note, from the wall's link.
    operator = UserFactory(username="jaipur_operator", first_name="ऑपरेटर")
    RoleAssignment.objects.create(user=operator, unit=tree.jaipur, role=Role.CONTROL_ROOM)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="hi-IN").new_page()
    log_in_browser(desk, live_server, "jaipur_operator")
    desk.goto(f"{live_server.url}/controlroom/")
    desk.click("#cr-alerts-link")
    desk.wait_for_selector(f"#alert-{alert.pk}")
    assert "बूथ 7 दिन से चुप" in desk.inner_text(f"#alert-{alert.pk}")
    screenshot(desk, "controlroom-alerts-1280")
    desk.set_viewport_size({"width": 360, "height": 780})
    assert desk.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(desk, "controlroom-alerts-360")
    desk.set_viewport_size({"width": 1280, "height": 900})
    desk.click(f"#alert-{alert.pk} .cr-ack button")  # no note: the browser asks for one, nothing is sent
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN
    desk.fill(f"#note-{alert.pk}", "बूथ प्रभारी को फ़ोन किया, कल से रिपोर्ट भेजेंगे।")
    desk.click(f"#alert-{alert.pk} .cr-ack button")
    desk.wait_for_selector(".msg-success")
    assert "स्वीकार कर लिया" in desk.inner_text(".messages")
    alert.refresh_from_db()
    assert alert.state == Alert.State.ACKNOWLEDGED and alert.acknowledged_by == operator
    desk.goto(f"{live_server.url}/controlroom/alerts/unit/{tree.jaipur.pk}/?state=acknowledged")
    assert "बूथ प्रभारी को फ़ोन किया" in desk.inner_text(f"#alert-{alert.pk}")
    desk.set_viewport_size({"width": 360, "height": 780})
    assert desk.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(desk, "controlroom-alerts-acknowledged-360")
    desk.context.close()
    # The wall lets it go, still without a reload.
    desktop.wait_for_selector(f"#cr-open-alerts [data-alert='{alert.pk}']", state="detached", timeout=15000)
    assert desktop.evaluate("window.notReloaded === true")

    # The district's daily report: the PDF downloads from the archive and reads back in Hindi.
    made = reports.report_make(unit=tree.jaipur, kind=StateReport.Kind.DAILY, day=timezone.localdate())
    desktop.goto(f"{live_server.url}/controlroom/reports/")
    with desktop.expect_download() as download_info:
        desktop.click(f"[data-report='{made.pk}'] a.cr-pdf")
    with open(download_info.value.path(), "rb") as handle:
        text = pdf_text(handle.read())
    assert "नियंत्रण कक्ष की दैनिक रिपोर्ट" in text and "जयपुर" in text
