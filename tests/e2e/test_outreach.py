"""The message cascade in Chromium: the state admin drafts a message to every booth of Jaipur district and
sends it; a booth representative opens the link on a 360-px phone, copies the WhatsApp text and marks it
shared with the post's URL; the admin's tracking page updates by itself. Screenshots at 360 and 1280 px."""

import re

import pytest

from sangathan.org import services as org_services
from sangathan.org.models import Position
from sangathan.org.tests.factories import PersonFactory
from sangathan.outreach import services
from sangathan.outreach.models import Delivery, Message
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WHATSAPP = "रविवार सुबह 10 बजे बूथ बैठक। सभी साथी आएँ! #हर_बूथ_मजबूत"


def test_state_admin_sends_to_the_booths_of_a_district_and_a_booth_shares_it(
    browser, desktop, live_server, tree, cast, settings
):
    settings.OUTREACH_POLL_SECONDS = 1
    for unit in (tree.jaipur_ac, tree.amer, tree.booth1, tree.booth2):
        org_services.appointment_create(
            unit=unit, position=Position.objects.get(level=unit.level, is_key=True), person=PersonFactory()
        )
    log_in_browser(desktop, live_server, "state_admin")
    desktop.goto(f"{live_server.url}/outreach/new/")
    desktop.select_option("#id_unit", str(tree.jaipur.pk))
    desktop.select_option("#id_target_level", str(tree.booth1.level_id))
    desktop.fill("#id_title", "रविवार की बूथ बैठक")
    desktop.fill("#id_body_hi", "सभी बूथ अध्यक्ष रविवार सुबह 10 बजे बैठक करें।")
    desktop.fill("#id_text_whatsapp", WHATSAPP)
    desktop.fill("#id_text_x", "रविवार बूथ बैठक #हर_बूथ_मजबूत")
    assert "/ 280" in desktop.inner_text("#x-count")
    screenshot(desktop, "outreach-form-1280")
    desktop.click("form.form button[type=submit]")
    desktop.wait_for_url(re.compile(r"/outreach/\d+/$"))
    screenshot(desktop, "outreach-detail-1280")
    desktop.click("#send")
    desktop.wait_for_url(re.compile(r"/outreach/\d+/track/"))
    message = Message.objects.get()
    assert message.status == "sent"
    assert Delivery.objects.filter(message=message).count() == 4  # AC, block, two booths
    assert "0 / 2" not in desktop.inner_text("#track-panel")
    screenshot(desktop, "outreach-track-before-1280")

    # The booth representative, on a phone.
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, locale="hi-IN", permissions=["clipboard-read", "clipboard-write"]
    )
    phone = context.new_page()
    link = services.delivery_link(Delivery.objects.get(message=message, unit=tree.booth1).pk)
    phone.goto(live_server.url + link.split("127.0.0.1:8000", 1)[-1])
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "outreach-recipient-360")
    phone.click("button.copy[data-target=v-whatsapp]")
    assert phone.evaluate("navigator.clipboard.readText()") == WHATSAPP
    phone.evaluate("window.notReloaded = true")
    phone.click("button[value=received]")
    phone.wait_for_selector("#done.done")  # the page's script swapped in the answer card
    assert phone.evaluate("window.notReloaded === true")  # one small response, no reload of the page
    phone.fill("#share_url", "https://www.facebook.com/booth1/posts/42")
    phone.click("button[value=shared]")
    phone.wait_for_selector('a[href="https://www.facebook.com/booth1/posts/42"]')
    screenshot(phone, "outreach-recipient-shared-360")
    context.close()

    # The tracking page polls and shows the booth as shared.
    desktop.wait_for_selector("[data-level=booth][data-shared='1']", timeout=15000)
    assert "आमेर विद्यालय" not in desktop.inner_text("#silent")
    screenshot(desktop, "outreach-track-after-1280")
    desktop.set_viewport_size({"width": 360, "height": 780})
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(desktop, "outreach-track-360")
    for path, name in (("/outreach/", "outreach-list-360"), ("/outreach/new/", "outreach-form-360")):
        desktop.goto(f"{live_server.url}{path}")
        assert desktop.evaluate("document.documentElement.scrollWidth") <= 360, path
        screenshot(desktop, name)
    delivery = Delivery.objects.get(message=message, unit=tree.booth1)
    assert delivery.share_url == "https://www.facebook.com/booth1/posts/42" and delivery.shared_at
