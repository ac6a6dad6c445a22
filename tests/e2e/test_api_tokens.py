"""The API tokens page in Chromium: a district admin makes two tokens on a phone, copies
the secret shown once, and revokes one; the same page at 1280 px. Screenshots: api-tokens-*-360/1280."""

import pytest

from sangathan.apitokens.models import ApiToken
from sangathan.testing import log_in_browser
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def make_token(page, name, days):
    page.fill("input[name=name]", name)
    page.select_option("select[name=days]", str(days))
    with page.expect_navigation():
        page.click("main form.form button[type=submit]")


def test_make_copy_and_revoke_a_token(live_server, phone, desktop, cast):  # noqa: F811
    log_in_browser(phone, live_server, "district_admin")
    phone.goto(f"{live_server.url}/account/api-tokens/")
    assert phone.inner_text("h1") == "API टोकन" or phone.inner_text("h1") == "API tokens"
    screenshot(phone, "api-tokens-empty-360")
    make_token(phone, "बूथ रिपोर्ट शीट", 90)
    make_token(phone, "Coverage script", 30)
    secret = phone.inner_text("#at-secret").strip()
    assert secret.startswith("sgn_") and ApiToken.objects.filter(user=cast.district_admin).count() == 2
    # One tap selects the whole secret, ready to copy.
    phone.click("#at-secret")
    assert phone.evaluate("window.getSelection().toString()").strip() == secret
    screenshot(phone, "api-tokens-created-360")

    phone.goto(f"{live_server.url}/account/api-tokens/")
    assert secret not in phone.content()
    phone.click("main .at-token >> nth=0 >> .at-revoke")
    screenshot(phone, "api-tokens-revoke-360")
    with phone.expect_navigation():
        phone.click("main button.btn-danger")
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 1
    screenshot(phone, "api-tokens-list-360")

    log_in_browser(desktop, live_server, "district_admin")
    desktop.goto(f"{live_server.url}/account/api-tokens/")
    make_token(desktop, "Weekly export", 365)
    screenshot(desktop, "api-tokens-created-1280")
