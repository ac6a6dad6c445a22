"""The channel adapters against a local fake provider (see conftest.py): the exact requests they send,
and what each kind of answer does to the message."""

import json
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from sangathan.notifications import channels
from sangathan.notifications.channels import ChannelError, ChannelNotConfigured, PermanentChannelError, get_channel
from sangathan.notifications.models import OutboxMessage
from sangathan.notifications.services import message_deliver

pytestmark = pytest.mark.django_db

MOBILE = "+919829012345"
TEXT = "आपकी नियुक्ति हो गई है — letter RJ/2025/17"


def message(channel: str, recipient: str = MOBILE, **fields) -> OutboxMessage:
    return OutboxMessage.objects.create(
        channel=channel,
        recipient=recipient,
        template="test_message",
        subject=fields.pop("subject", "Subject line"),
        body=fields.pop("body", TEXT),
        idempotency_key=fields.pop("idempotency_key", f"{channel}-1"),
        **fields,
    )


@pytest.fixture
def whatsapp(fake_provider, settings):
    settings.WHATSAPP_API_URL = f"{fake_provider.url}/v21.0"
    settings.WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    settings.WHATSAPP_TOKEN = "EAAG-test-token"
    return fake_provider


@pytest.fixture
def telegram(fake_provider, settings):
    settings.TELEGRAM_API_URL = fake_provider.url
    settings.TELEGRAM_BOT_TOKEN = "123456:ABC-secret-token"
    return fake_provider


def test_registry_has_every_channel_of_the_model():
    assert channels.channel_names() == sorted(OutboxMessage.Channel.values)
    with pytest.raises(ChannelNotConfigured):
        get_channel("pigeon")


# ---------------------------------------------------------------- SMS


def test_sms_request_and_answer(sms_gateway):
    sms_gateway.respond(200, {"id": "sms-4711", "status": "queued"})
    assert get_channel("sms").send(message("sms")) == "sms-4711"
    [request] = sms_gateway.requests
    assert (request.method, request.path) == ("POST", "/api/v1/sms")
    assert request.headers["x-api-key"] == "test-sms-key"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json == {"sender": "SNGTHN", "to": "919829012345", "message": TEXT}


def test_sms_server_error_then_success_is_retried_and_sent_once(sms_gateway):
    sms_gateway.respond(500, {"error": "internal"})
    sms_gateway.respond(200, {"id": "sms-2"})
    sms = message("sms")

    assert message_deliver(message_id=sms.pk) == "failed"
    sms.refresh_from_db()
    assert "500" in sms.last_error and "internal" in sms.last_error
    OutboxMessage.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))

    assert message_deliver(message_id=sms.pk) == "sent"
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.provider_message_id, sms.last_error) == ("sent", 2, "sms-2", "")
    assert len(sms_gateway.requests) == 2
    assert sms_gateway.requests[0].body == sms_gateway.requests[1].body  # the same text both times


def test_sms_bad_request_is_dead_at_once(sms_gateway):
    sms_gateway.respond(400, {"error": "invalid sender id"})
    sms = message("sms")
    assert message_deliver(message_id=sms.pk) == "dead"
    sms.refresh_from_db()
    assert "400" in sms.last_error and "invalid sender id" in sms.last_error
    assert len(sms_gateway.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_permanent_http_statuses(sms_gateway, status):
    sms_gateway.respond(status, {"error": "no"})
    with pytest.raises(PermanentChannelError):
        get_channel("sms").send(message("sms"))


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_passing_http_statuses_are_retried(sms_gateway, status):
    sms_gateway.respond(status, {"error": "later"})
    with pytest.raises(ChannelError) as raised:
        get_channel("sms").send(message("sms"))
    assert not isinstance(raised.value, PermanentChannelError)


def test_a_slow_provider_times_out_and_is_retried(sms_gateway, monkeypatch):
    monkeypatch.setattr(channels, "HTTP_TIMEOUT", 0.3)
    sms_gateway.respond(200, {"id": "too-late"}, delay=1.5)
    sms = message("sms")
    with translation.override("en"):
        assert message_deliver(message_id=sms.pk) == "failed"
    sms.refresh_from_db()
    assert sms.last_error == "The provider did not answer within 0.3 seconds."


def test_an_unreachable_provider_is_retried(settings):
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY = "http://127.0.0.1:9/sms", "key"  # the discard port
    with pytest.raises(ChannelError) as raised:
        get_channel("sms").send(message("sms"))
    assert not isinstance(raised.value, PermanentChannelError)


def test_success_without_an_id_is_not_sent_again(sms_gateway):
    """The gateway took the request: sending again could deliver twice, so the message is dead for a human to look at."""
    sms_gateway.respond(200, {"status": "ok"})
    sms_gateway.respond(200, b"<html>ok</html>")
    with pytest.raises(PermanentChannelError):
        get_channel("sms").send(message("sms"))
    with pytest.raises(PermanentChannelError):
        get_channel("sms").send(message("sms", idempotency_key="sms-2"))


@pytest.mark.parametrize(
    "setting, expected",
    [
        ("SMS_GATEWAY_URL", "SMS is not configured: set SMS_GATEWAY_URL and SMS_GATEWAY_KEY."),
        ("SMS_GATEWAY_KEY", "SMS is not configured: set SMS_GATEWAY_URL and SMS_GATEWAY_KEY."),
    ],
)
def test_sms_not_configured(sms_gateway, settings, setting, expected):
    setattr(settings, setting, "")
    with translation.override("en"), pytest.raises(ChannelNotConfigured) as raised:
        get_channel("sms").send(message("sms"))
    assert str(raised.value) == expected
    assert sms_gateway.requests == []


def test_only_web_addresses_are_called(settings):
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY = "file:///etc/passwd", "key"
    with pytest.raises(ChannelNotConfigured):
        get_channel("sms").send(message("sms"))


# ---------------------------------------------------------------- WhatsApp


def test_whatsapp_cloud_api_request_and_answer(whatsapp):
    whatsapp.respond(
        200,
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "919829012345", "wa_id": "919829012345"}],
            "messages": [{"id": "wamid.HBgLOTE5ODI5MDEyMzQ1FQIAERgS"}],
        },
    )
    assert get_channel("whatsapp").send(message("whatsapp")) == "wamid.HBgLOTE5ODI5MDEyMzQ1FQIAERgS"
    [request] = whatsapp.requests
    assert request.path == "/v21.0/106540352242922/messages"
    assert request.headers["authorization"] == "Bearer EAAG-test-token"
    assert request.json == {
        "messaging_product": "whatsapp",
        "to": "919829012345",
        "type": "text",
        "text": {"body": TEXT},
    }


def test_whatsapp_outside_the_conversation_window_is_dead(whatsapp):
    whatsapp.respond(400, {"error": {"message": "Re-engagement message", "code": 131047}})
    wa = message("whatsapp")
    assert message_deliver(message_id=wa.pk) == "dead"
    wa.refresh_from_db()
    assert "131047" in wa.last_error


def test_whatsapp_not_configured(whatsapp, settings):
    settings.WHATSAPP_TOKEN = ""
    with pytest.raises(ChannelNotConfigured):
        get_channel("whatsapp").send(message("whatsapp"))
    assert whatsapp.requests == []


# ---------------------------------------------------------------- Telegram


def test_telegram_bot_api_request_and_answer(telegram):
    telegram.respond(200, {"ok": True, "result": {"message_id": 77, "chat": {"id": 5123}, "text": TEXT}})
    assert get_channel("telegram").send(message("telegram", recipient="5123")) == "77"
    [request] = telegram.requests
    assert request.path == "/bot123456:ABC-secret-token/sendMessage"
    assert request.json == {"chat_id": "5123", "text": TEXT}
    assert "authorization" not in request.headers


def test_telegram_errors_do_not_reveal_the_token(telegram):
    telegram.respond(502, {"ok": False, "description": "Bad Gateway"})
    telegram.respond(403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
    first, second = message("telegram", recipient="5123"), message("telegram", recipient="6000", idempotency_key="t2")
    assert message_deliver(message_id=first.pk) == "failed"
    assert message_deliver(message_id=second.pk) == "dead"
    for sent in (first, second):
        sent.refresh_from_db()
        assert "secret-token" not in sent.last_error
    assert "bot was blocked" in second.last_error


def test_telegram_not_ok_is_not_sent_again(telegram):
    telegram.respond(200, {"ok": False})
    with pytest.raises(PermanentChannelError):
        get_channel("telegram").send(message("telegram", recipient="5123"))


def test_telegram_not_configured(settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    with pytest.raises(ChannelNotConfigured):
        get_channel("telegram").send(message("telegram", recipient="5123"))


# ---------------------------------------------------------------- email, file, console


def test_email_goes_through_django_mail(settings):
    settings.DEFAULT_FROM_EMAIL = "noreply@sangathan.example"
    provider_id = get_channel("email").send(message("email", recipient="asha@example.org"))
    [sent] = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (["asha@example.org"], "Subject line", TEXT)
    assert sent.from_email == "noreply@sangathan.example"
    assert provider_id == sent.extra_headers["Message-ID"] and provider_id.endswith("@sangathan.example>")


def test_file_channel_appends_json_lines(settings, tmp_path):
    settings.NOTIFY_FILE_DIR = str(tmp_path / "outbox")
    first = message("file")
    second = message("file", recipient="+919829099999", idempotency_key="file-2", body="second")
    assert get_channel("file").send(first) == f"file-{first.pk}"
    get_channel("file").send(second)
    lines = (tmp_path / "outbox" / "messages.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["id"], r["recipient"], r["body"]) for r in records] == [
        (first.pk, MOBILE, TEXT),
        (second.pk, "+919829099999", "second"),
    ]
    assert records[0]["subject"] == "Subject line" and records[0]["idempotency_key"] == "file-1"


def test_file_channel_that_cannot_write_is_retried(settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.NOTIFY_FILE_DIR = str(blocker)
    with pytest.raises(ChannelError):
        get_channel("file").send(message("file"))


def test_console_channel_logs_and_prints_nothing(caplog, capsys):
    console = message("console")
    with caplog.at_level(logging.INFO, logger="sangathan.notifications.channels"):
        assert get_channel("console").send(console) == f"console-{console.pk}"
    assert MOBILE in caplog.text and TEXT in caplog.text
    assert capsys.readouterr() == ("", "")


def test_a_redirect_is_not_followed(sms_gateway):
    sms_gateway.respond(302, {"moved": True}, headers={"Location": f"{sms_gateway.url}/elsewhere"})
    with pytest.raises(ChannelError) as raised:
        get_channel("sms").send(message("sms"))
    assert "302" in str(raised.value)
    assert len(sms_gateway.requests) == 1
