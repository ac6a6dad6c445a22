"""The control room in Chromium: a booth office-bearer reports the day's work from their personal link on a
360-px phone, in Hindi (a link that is not a post first gets a Hindi message), and the district's wall,
open on a big screen, shows the booth's report without a reload. Screenshots at 360 and 1280 px."""

import datetime

import pytest
from django.utils import timezone

from sangathan.controlroom import tokens
from sangathan.controlroom.models import ActivityReport, ReportedPost
from sangathan.org import services as org_services
from sangathan.org.models import Position
from sangathan.org.tests.factories import PersonFactory
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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
