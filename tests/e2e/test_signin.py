"""Signing in as an admin with the second factor, and the lock-out page, on a phone and a desktop."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from sangathan.access.tests.test_signin import current_code
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_state_admin_sets_up_two_factor_sign_in_on_a_phone(live_server, phone, desktop, cast, tree, settings):
    settings.REQUIRE_2FA = True
    log_in_browser(phone, live_server, "state_admin")
    phone.wait_for_selector("img[alt]")
    assert "/account/two-factor/" in phone.url
    screenshot(phone, "two-factor-setup-360")
    device = TOTPDevice.objects.get(user=cast.state_admin)
    phone.fill("input[name=code]", current_code(device))
    phone.click("main form.form button[type=submit]")
    phone.wait_for_selector("#committee")
    assert "राजस्थान" in phone.locator("h1").inner_text()

    # The next sign-in, on another device, asks for the code only.
    log_in_browser(desktop, live_server, "state_admin")
    desktop.wait_for_selector("input[name=code]")
    assert desktop.locator("img[alt]").count() == 0
    screenshot(desktop, "two-factor-code-1280")


def test_too_many_wrong_passwords_show_the_lock_out_page(live_server, phone, cast):
    for _ in range(5):
        phone.goto(f"{live_server.url}/login/")
        phone.fill("input[name=username]", "district_admin")
        phone.fill("input[name=password]", "not-the-password")
        phone.click("main button[type=submit]")
    phone.wait_for_selector("h1")
    assert "30" in phone.locator("main").inner_text()
    screenshot(phone, "locked-out-360")


def test_my_account_page_on_a_phone_and_a_desktop(live_server, phone, desktop, cast, tree):
    for page, width in ((phone, 360), (desktop, 1280)):
        log_in_browser(page, live_server, "district_admin")
        page.goto(f"{live_server.url}/account/")
        page.wait_for_selector("#two-factor")
        assert "मेरा खाता" in page.locator("h1").inner_text()
        assert "जयपुर" in page.locator("main").inner_text() or "Jaipur" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"account-{width}")
