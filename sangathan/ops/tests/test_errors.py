"""Error reports go to a Sentry-compatible service only when SENTRY_DSN is set, and carry no personal data."""

import pytest
import sentry_sdk

from sangathan.ops import errors


@pytest.fixture
def sentry_off():
    yield
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: the SDK stays off for the other tests


def test_off_without_a_dsn(settings):
    settings.SENTRY_DSN = ""
    assert errors.start_reporting() is False
    assert not sentry_sdk.get_client().is_active()


def test_on_with_a_dsn_and_never_personal_data(settings, sentry_off):
    settings.SENTRY_DSN = "http://public@127.0.0.1:9/1"
    assert errors.start_reporting() is True
    options = sentry_sdk.get_client().options
    assert options["send_default_pii"] is False
    assert options["max_request_body_size"] == "never"
    assert options["before_send"] is errors.scrub


def test_scrub_keeps_the_path_and_method_only(monkeypatch):
    monkeypatch.setattr(errors, "current_request_id", lambda: "req-7")
    event = {
        "request": {
            "url": "https://example.org/a/rj-2026/status/?mobile=9800000000",
            "method": "POST",
            "query_string": "mobile=9800000000",
            "data": {"mobile": "9800000000", "name": "Sita"},
            "headers": {"Cookie": "sessionid=abc", "X-Forwarded-For": "203.0.113.9"},
            "cookies": {"sessionid": "abc"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "user": {"id": 7, "ip_address": "203.0.113.9"},
    }
    scrubbed = errors.scrub(event, {})
    assert scrubbed["request"] == {"url": "https://example.org/a/rj-2026/status/", "method": "POST"}
    assert "user" not in scrubbed
    assert scrubbed["tags"]["request_id"] == "req-7"
    assert "9800000000" not in repr(scrubbed) and "203.0.113.9" not in repr(scrubbed)
