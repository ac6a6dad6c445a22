"""Signing in: lock-out after wrong passwords, the second factor for admin roles, session lifetimes, and
the production settings passing Django's deployment checks."""

import os
import secrets
import subprocess
import sys
import time

import pytest
import zxingcpp
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from weasyprint import HTML

from sangathan.access.middleware import SEEN_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"  # the cast's (sangathan/org/tests/factories.py)


def sign_in(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def lets_in(client) -> bool:
    """The home page leads to the user's unit page, not to the second-factor page or the login."""
    response = client.get(reverse("home"), follow=True)
    return response.status_code == 200 and response.resolver_match.url_name == "unit"


def asks_for_code(client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))


# ---------------------------------------------------------------- lock-out


def test_an_account_is_locked_after_five_wrong_passwords_even_with_the_right_one(client, cast):
    for _ in range(4):
        assert sign_in(client, "district_admin", "wrong-password").status_code == 200
    assert sign_in(client, "district_admin", "wrong-password").status_code == 429  # the fifth locks
    response = sign_in(client, "district_admin")
    assert response.status_code == 429 and not signed_in(client)
    assert "30" in response.content.decode()  # the page says for how long
    # From another address too: the account itself is locked.
    other = Client()
    assert sign_in(other, "district_admin", address="10.9.9.9").status_code == 429


def test_an_address_trying_many_accounts_is_locked_but_others_are_not(client, cast):
    for n in range(5):
        sign_in(client, f"guess-{n}", "wrong-password", address="10.0.0.66")
    assert sign_in(client, "state_admin", address="10.0.0.66").status_code == 429
    elsewhere = Client()
    assert sign_in(elsewhere, "state_admin", address="10.0.0.77").status_code == 302 and signed_in(elsewhere)


def test_a_right_password_before_the_limit_resets_the_count(client, cast):
    for _ in range(4):
        sign_in(client, "viewer", "wrong-password")
    assert sign_in(client, "viewer").status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "viewer", "wrong-password")
    assert sign_in(client, "viewer").status_code == 302


# ---------------------------------------------------------------- two-factor sign-in


@pytest.fixture
def two_factor_required(settings):
    settings.REQUIRE_2FA = True


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_an_admin_must_set_up_and_use_a_second_factor(client, cast, two_factor_required, tmp_path):
    assert sign_in(client, "state_admin").status_code == 302
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))
    page = client.get(response["Location"])
    assert 'src="data:image/svg+xml' in page.content.decode()
    # The QR code the app scans decodes to the device's otpauth:// link.
    device = TOTPDevice.objects.get(user=cast.state_admin)
    assert "otpauth://totp/" in device.config_url and "issuer=Sangathan" in device.config_url
    decoded = zxingcpp.read_barcodes(_render_svg_data_uri(page.context["qr_svg_uri"], tmp_path))
    assert decoded and decoded[0].text == device.config_url
    # A wrong code changes nothing; the right one turns it on and lets the admin in.
    wrong_code = "000000" if current_code(device) != "000000" else "111111"
    wrong = client.post(reverse("two_factor"), {"code": wrong_code})
    assert wrong.status_code == 200 and 'class="error"' in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttling_failure_count = 0
    device.save()
    done = client.post(reverse("two_factor"), {"code": current_code(device), "next": reverse("home")})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    device.refresh_from_db()
    assert device.confirmed
    assert lets_in(client)


def test_a_later_sign_in_asks_for_the_code_only(client, cast, two_factor_required):
    device = TOTPDevice.objects.create(user=cast.district_admin, name="phone", confirmed=True)
    sign_in(client, "district_admin")
    assert asks_for_code(client)
    page = client.get(reverse("two_factor")).content.decode()
    assert "data:image/svg+xml" not in page  # no new secret shown to whoever holds the password
    assert client.post(reverse("two_factor"), {"code": current_code(device)}).status_code == 302
    assert lets_in(client)


def test_a_viewer_is_not_asked_for_a_second_factor(client, cast, two_factor_required):
    sign_in(client, "viewer")
    assert lets_in(client)


def test_a_viewer_who_turned_it_on_is_held_to_it(client, cast):
    """Optional for everyone else: the account page offers it, and once on, every sign-in asks for the code
    (also where admins need none, as in the demo)."""
    sign_in(client, "viewer")
    page = client.get(reverse("account")).content.decode()
    assert reverse("two_factor") in page and lets_in(client)
    client.get(reverse("two_factor"))  # sets up a device
    device = TOTPDevice.objects.get(user=cast.viewer)
    assert client.post(reverse("two_factor"), {"code": current_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed and lets_in(client)
    client.post(reverse("logout"))
    sign_in(client, "viewer")
    assert asks_for_code(client)
    device.refresh_from_db()
    device.last_t = -1  # a code is good once: let the same 30-second code count again for this test
    device.save()
    assert client.post(reverse("two_factor"), {"code": current_code(device)}).status_code == 302
    assert lets_in(client)


def test_a_session_begun_before_it_was_turned_on_is_held_to_it_within_a_minute(client, cast):
    from django.test import Client

    from sangathan.access.middleware import SECOND_FACTOR_CHECKED_AT

    sign_in(client, "viewer")  # the laptop, signed in with the password only
    assert lets_in(client)
    phone = Client()
    sign_in(phone, "viewer")
    phone.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(user=cast.viewer)
    assert phone.post(reverse("two_factor"), {"code": current_code(device)}).status_code == 302
    session = client.session
    session[SECOND_FACTOR_CHECKED_AT] = 0  # a minute later
    session.save()
    assert asks_for_code(client)


def test_the_account_page_shows_my_roles_and_nobody_elses(client, cast, tree):
    client.cookies["django_language"] = "en"
    client.force_login(cast.district_admin)
    page = client.get(reverse("account")).content.decode()
    assert "unit admin (in-charge)" in page and tree.jaipur.name_en in page
    assert "Ajmer" not in page and "sibling_admin" not in page
    assert "You have 0 active tokens." in page
    client.force_login(cast.sibling_admin)
    page = client.get(reverse("account")).content.decode()
    assert tree.jaipur.name_en not in page


def test_the_api_refuses_an_admin_session_without_the_second_factor(client, cast, two_factor_required):
    sign_in(client, "state_admin")
    response = client.get("/api/v1/units/")
    assert response.status_code == 403


def test_bad_codes_are_refused_with_a_message(client, cast, two_factor_required):
    TOTPDevice.objects.create(user=cast.district_admin, name="phone", confirmed=True)
    sign_in(client, "district_admin")
    for bad in ("", "12345", "abcdef", "<script>", "1" * 12):
        response = client.post(reverse("two_factor"), {"code": bad})
        assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert asks_for_code(client)


def _render_svg_data_uri(uri: str, tmp_path):
    """Draw the QR code's SVG (WeasyPrint and pdftoppm, as the recruitment poster tests do) for the decoder."""
    from sangathan.recruitment.tests.test_public import pdf_page_image

    (tmp_path / "qr.pdf").write_bytes(HTML(string=f'<img src="{uri}" style="width:60mm">').write_pdf())
    return pdf_page_image(tmp_path / "qr.pdf", tmp_path / "qr", dpi=150)


# ---------------------------------------------------------------- session lifetimes


def _age_session(client, *, idle_s: float, since_sign_in_s: float):
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - since_sign_in_s
    session[SEEN_AT] = now - idle_s
    session.save()


def test_an_admin_session_ends_after_30_idle_minutes(client, cast):
    client.force_login(cast.state_admin)
    assert lets_in(client)
    _age_session(client, idle_s=29 * 60, since_sign_in_s=60 * 60)
    assert lets_in(client)
    _age_session(client, idle_s=31 * 60, since_sign_in_s=60 * 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not signed_in(client)


def test_an_admin_session_ends_after_12_hours_however_busy(client, cast):
    client.force_login(cast.district_admin)
    client.get(reverse("home"))
    _age_session(client, idle_s=10, since_sign_in_s=12 * 3600 + 60)
    assert client.get(reverse("home")).status_code == 302 and not signed_in(client)


def test_a_viewer_keeps_a_session_through_a_quiet_hour(client, cast):
    client.force_login(cast.viewer)
    client.get(reverse("home"))
    _age_session(client, idle_s=3 * 3600, since_sign_in_s=5 * 3600)
    assert lets_in(client) and signed_in(client)


# ---------------------------------------------------------------- passwords and deployment


def test_common_and_short_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("password123", "qwertyuiop", "1234567890", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("nadi-kinare-" + secrets.token_hex(4))


@pytest.mark.slow
def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = {
        **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # browser tests'
        "DJANGO_SETTINGS_MODULE": "sangathan.config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "sangathan.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/13",
    }
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "-m", "sangathan", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_the_login_page_sends_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
