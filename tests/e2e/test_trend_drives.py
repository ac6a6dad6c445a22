"""Trend drives in Chromium: the state admin creates a drive on a 360-px phone in Hindi (hashtag, window,
posts per booth), sends its message; a booth answers "shared" with its post's link; the drive page's booth
bar and the control-room wall's drive block rise without a reload. Screenshots at 360 and 1280 px."""

import datetime

import pytest
from django.utils import timezone

from sangathan.org import services as org_services
from sangathan.org.models import Position
from sangathan.org.tests.factories import PersonFactory
from sangathan.outreach import services
from sangathan.outreach.models import Delivery, TrendDrive
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FMT = "%Y-%m-%dT%H:%M"


def test_a_drive_is_created_on_a_phone_and_its_count_rises_on_the_wall(
    browser, phone, desktop, live_server, tree, cast, settings
):
    settings.OUTREACH_POLL_SECONDS = 1
    settings.CONTROLROOM_POLL_SECONDS = 1
    settings.OUTREACH_DRIVE_COUNT_SECONDS = 0
    for unit in (tree.jaipur_ac, tree.amer, tree.booth1, tree.booth2):
        org_services.appointment_create(
            unit=unit, position=Position.objects.get(level=unit.level, is_key=True), person=PersonFactory()
        )
    now = timezone.localtime()

    log_in_browser(phone, live_server, "state_admin")
    phone.goto(f"{live_server.url}/outreach/drives/new/")
    assert "नया ट्रेंड अभियान" in phone.inner_text("h1")
    phone.fill("#id_hashtag", "संगठन_सृजन")
    phone.select_option("#id_unit", str(tree.jaipur.pk))
    phone.select_option("#id_target_level", str(tree.booth1.level_id))
    phone.fill("#id_starts_at", (now - datetime.timedelta(hours=1)).strftime(FMT))
    phone.fill("#id_ends_at", (now + datetime.timedelta(days=1)).strftime(FMT))
    phone.fill("#id_title", "संगठन सृजन ट्रेंड")
    phone.fill("#id_body_hi", "आज शाम 7 बजे #संगठन_सृजन के साथ पोस्ट करें।")
    phone.fill("#id_target_booth", "1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "drive-form-360")
    # Enter in a field submits (the form's default button): a click right after a full-page screenshot can land
    # while Chromium restores the scroll position, so the button gets the mousedown but not the click.
    with phone.expect_navigation():
        phone.press("#id_title", "Enter")
    drive = TrendDrive.objects.get()
    assert drive.hashtag == "#संगठन_सृजन"
    assert "अभियान सहेजा गया" in phone.content()

    # Its message goes out by the usual button.
    with phone.expect_navigation():
        phone.click("#od-message")
    with phone.expect_navigation():
        phone.click("#send")
    phone.goto(f"{live_server.url}/outreach/drives/{drive.pk}/")
    phone.wait_for_selector("[data-level=booth][data-target='2'][data-posts='0']")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    log_in_browser(desktop, live_server, "state_admin")
    desktop.goto(f"{live_server.url}/controlroom/unit/{tree.jaipur.pk}/")
    desktop.wait_for_selector(f"#cr-drives [data-drive='{drive.pk}'] [data-level=booth][data-posts='0']")
    desktop.evaluate("window.notReloaded = true")
    phone.evaluate("window.notReloaded = true")

    # Booth 1 shares its post with the hashtag, through its signed link's service.
    delivery = Delivery.objects.get(message=drive.message, unit=tree.booth1)
    services.delivery_respond(delivery_id=delivery.pk, action=services.Action.RECEIVED)
    services.delivery_respond(
        delivery_id=delivery.pk, action=services.Action.SHARED, share_url="https://x.com/booth1/status/7"
    )

    phone.wait_for_selector("[data-level=booth][data-posts='1']", timeout=15000)
    assert phone.evaluate("window.notReloaded === true")
    screenshot(phone, "drive-page-360")
    desktop.wait_for_selector(f"#cr-drives [data-drive='{drive.pk}'] [data-level=booth][data-posts='1']", timeout=15000)
    assert desktop.evaluate("window.notReloaded === true")
    desktop.locator("#cr-drives").scroll_into_view_if_needed()
    screenshot(desktop, "drive-wall-1280")
    desktop.goto(f"{live_server.url}/outreach/drives/{drive.pk}/")
    desktop.wait_for_selector("[data-level=booth][data-posts='1']")
    screenshot(desktop, "drive-page-1280")
    phone.goto(f"{live_server.url}/controlroom/unit/{tree.jaipur.pk}/")
    phone.wait_for_selector(f"#cr-drives [data-drive='{drive.pk}']")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "drive-wall-360")
