"""Report a rumour in Chromium: a booth office-bearer, on a 360-px phone in Hindi, taps "report a rumour" on their
daily report link, pastes the rumour, says where they saw it and sends it; the district's wall, open on a big
screen, shows the rumour being reported without a reload. The cascade's message page has the same button.
Screenshots at 360 and 1280 px."""

import datetime

import pytest
from auditlog.context import auditlog_value
from django.urls import reverse
from django.utils import timezone

from sangathan.controlroom import tokens
from sangathan.factcheck import clusters, matching
from sangathan.factcheck.models import Tip
from sangathan.factcheck.reported import SeenOn, origin_of
from sangathan.org import services as org_services
from sangathan.org.models import Level, Position
from sangathan.org.tests.factories import PersonFactory
from sangathan.outreach import services as outreach_services
from sangathan.outreach.models import Delivery
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RUMOUR = "कल से सारे बैंक सात दिन बंद रहेंगे, आज ही पैसे निकाल लें। सबको भेजें!"


@pytest.fixture(autouse=True)
def audit_context_of_this_thread():
    """As in test_controlroom: a context naming no request's id, for the writes made while the wall polls."""
    token = auditlog_value.set({"signal_duid": None})
    yield
    auditlog_value.reset(token)


@pytest.fixture(autouse=True)
def fresh_indexes():
    matching.forget_index()
    clusters.forget_cluster_index()
    yield
    matching.forget_index()
    clusters.forget_cluster_index()


def test_a_booth_reports_a_rumour_on_a_phone_and_the_wall_shows_it(
    browser, phone, desktop, live_server, tree, cast, settings, django_capture_on_commit_callbacks
):
    settings.CONTROLROOM_POLL_SECONDS = 1
    appointment = org_services.appointment_create(
        unit=tree.booth1,
        position=Position.objects.get(level=tree.booth1.level, is_key=True),
        person=PersonFactory(name_hi="बूथ प्रभारी आमेर"),
        start_date=timezone.localdate() - datetime.timedelta(days=30),
    )

    # The district's wall on a big screen: no rumour yet.
    log_in_browser(desktop, live_server, "district_admin")
    desktop.goto(f"{live_server.url}/controlroom/")
    desktop.wait_for_selector("#cr-rumours")
    assert not desktop.locator("#cr-rumours li.cr-rumour").count()
    desktop.evaluate("window.notReloaded = true")

    # The booth representative opens their report link on a phone and taps "report a rumour".
    phone.goto(live_server.url + tokens.report_path(appointment.pk))
    with phone.expect_navigation():
        phone.click("#report-rumour")
    assert "अफ़वाह की सूचना दें" in phone.inner_text("h1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.fill("#id_text", RUMOUR)
    phone.check(f"input[name=seen_on][value={SeenOn.FACEBOOK}]")
    screenshot(phone, "rumour-form-360")
    with phone.expect_navigation():
        phone.click("#rumour-send")
    phone.wait_for_selector("#rumour-sent")
    assert "धन्यवाद" in phone.inner_text("#rumour-sent")
    tip = Tip.objects.get()
    assert phone.inner_text("#reference") == tip.reference
    assert tip.unit_id == tree.booth1.pk and origin_of(tip).seen_on == SeenOn.FACEBOOK
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "rumour-sent-360")

    # The wall polls and shows the rumour, with no reload of the page.
    desktop.wait_for_selector("#cr-rumours li.cr-rumour[data-tips='1']", timeout=15000)
    assert desktop.evaluate("window.notReloaded === true")
    assert "बैंक" in desktop.inner_text("#cr-rumours")
    desktop.locator("#cr-rumours").scroll_into_view_if_needed()
    screenshot(desktop, "rumour-wall-1280")
    desktop.set_viewport_size({"width": 360, "height": 780})
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(desktop, "rumour-wall-360")

    # The cascade's message page has the same button, leading to the same form.
    message = outreach_services.message_create(
        unit=tree.jaipur,
        target_level=Level.objects.get(code="booth"),
        by=cast.district_admin,
        title="रविवार को बूथ बैठक",
        body_hi="रविवार को बूथ बैठक है।",
        text_whatsapp="रविवार बैठक!",
    )
    with django_capture_on_commit_callbacks(execute=True):
        outreach_services.message_send(message=message, by=cast.district_admin)
    delivery = Delivery.objects.get(message=message, unit=tree.booth2)
    phone.goto(live_server.url + reverse("outreach_public:open", args=[outreach_services.delivery_token(delivery.pk)]))
    with phone.expect_navigation():
        phone.click("#report-rumour")
    assert "अफ़वाह की सूचना दें" in phone.inner_text("h1")
    assert "आमेर किला द्वार" in phone.inner_text("#rumour-unit")
    screenshot(phone, "rumour-from-message-360")
