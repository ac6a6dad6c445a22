"""The main path of the organisation tree, in a real browser on a phone-sized screen."""

import pytest

from sangathan.org.models import Appointment
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def bar_text(page, level_name):
    row = page.locator(".bar-row", has=page.locator(".bar-label", has_text=level_name)).first
    return row.locator(".bar-num").inner_text()


def test_drill_down_appoint_and_switch_language(live_server, phone, cast, tree):
    page = phone
    log_in_browser(page, live_server, "state_admin")
    # Hindi is the default language; switch to English for the walk.
    page.wait_for_selector("#committee")
    page.click("form.lang button")
    page.wait_for_selector("text=Committee")
    assert "Rajasthan" in page.locator("h1").inner_text()
    assert bar_text(page, "Booth").startswith("0/3")

    # Drill down: state → district → assembly → block → booth.
    for name in ["Jaipur", "Jaipur North", "Amer", "Amer Fort Gate"]:
        page.click(f".child-name:has-text('{name}')")
        page.wait_for_selector(f"h1:has-text('{name}')")
    screenshot(page, "booth-360-en")

    # Appoint the booth representative through the form and its confirmation.
    page.click("#committee .seat.vacant >> nth=0 >> a.btn")
    page.fill("input[name=mobile]", "98290 44444")
    page.fill("input[name=name_hi]", "राधा सैनी")
    page.fill("input[name=name_en]", "Radha Saini")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Confirm appointment")
    page.click("button:has-text('Confirm and appoint')")
    page.wait_for_selector(".messages")
    assert "Radha Saini" in page.locator("#committee").inner_text()
    assert Appointment.objects.filter(unit=tree.booth2, person__mobile="+919829044444", status="active").exists()

    # The coverage bar of the block above has moved.
    page.click(".crumbs a:has-text('Amer')")
    page.wait_for_selector("h1:has-text('Amer')")
    assert bar_text(page, "Booth").startswith("1/2")
    page.click(".crumbs a:has-text('Rajasthan')")
    assert bar_text(page, "Booth").startswith("1/3")
    screenshot(page, "state-360-en")

    # Back to Hindi.
    page.click("form.lang button")
    page.wait_for_selector("text=समिति")
    assert "राजस्थान" in page.locator("h1").inner_text()
    assert bar_text(page, "बूथ").startswith("1/3")
    screenshot(page, "state-360-hi")


def test_unit_page_on_a_desktop(live_server, desktop, cast, tree):
    log_in_browser(desktop, live_server, "state_admin")
    desktop.wait_for_selector("#coverage")
    screenshot(desktop, "state-1280-hi")
    # A sibling's admin cannot open another district's page.
    context = desktop.context
    context.clear_cookies()
    log_in_browser(desktop, live_server, "sibling_admin")
    response = desktop.goto(f"{live_server.url}/units/{tree.jaipur.pk}/")
    assert response.status == 404
