"""WhatsApp Cloud API and Telegram Bot API webhooks, with deliveries shaped like the real ones (fixtures/):
texts, pictures and forwards become tips; the sender is answered through the outbox when the claim is
published; a bad signature, a tampered body, malformed JSON or a huge body is refused and stores nothing;
a delivery sent twice is one tip."""

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from django.test import override_settings

from sangathan.factcheck.models import Claim, Tier, Tip, TipChannel, TipMedia, Verdict
from sangathan.factcheck.services import claim_publish
from sangathan.notifications.models import OutboxMessage
from sangathan.notifications.services import message_deliver
from sangathan.notifications.tests.conftest import FakeProvider

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
WA_URL, TG_URL = "/tip/hooks/whatsapp/", "/tip/hooks/telegram/"
APP_SECRET, VERIFY_TOKEN, TG_SECRET = "app-secret-123", "verify-me", "tg-secret-456"


@pytest.fixture(autouse=True)
def _configured(claims, settings):
    settings.WHATSAPP_APP_SECRET, settings.WHATSAPP_VERIFY_TOKEN = APP_SECRET, VERIFY_TOKEN
    settings.TELEGRAM_WEBHOOK_SECRET = TG_SECRET
    return claims


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def signed(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_whatsapp(client, body: bytes, signature: str | None = None):
    return client.post(
        WA_URL, body, content_type="application/json", headers={"X-Hub-Signature-256": signature or signed(body)}
    )


def post_telegram(client, body: bytes, secret: str = TG_SECRET):
    return client.post(
        TG_URL, body, content_type="application/json", headers={"X-Telegram-Bot-Api-Secret-Token": secret}
    )


# ---------------------------------------------------------------- WhatsApp


def test_the_subscription_handshake_echoes_the_challenge_for_our_token_only(client):
    ok = client.get(WA_URL, {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = client.get(WA_URL, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"})
    markup = client.get(
        WA_URL, {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "<script>x</script>"}
    )
    assert wrong.status_code == 403 and markup.status_code == 403


def test_a_forwarded_text_becomes_a_tip_and_a_published_claim_is_answered_on_whatsapp(client):
    claim_publish(claim=Claim.objects.get(external_id="notes-2000"), verdict=Verdict.FALSE)
    response = post_whatsapp(client, fixture("whatsapp_text.json"))
    assert response.status_code == 200 and response.json() == {"ok": True, "stored": 1}
    tip = Tip.objects.get()
    assert (tip.channel, tip.forwarded, tip.reply_mobile, tip.tier) == ("whatsapp", True, "+919829012345", Tier.AUTO)
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient, message.language) == ("whatsapp", "+919829012345", "hi")
    assert tip.reference in message.body


def test_a_picture_with_a_caption_becomes_a_tip_with_its_media_id(client):
    assert post_whatsapp(client, fixture("whatsapp_image.json")).status_code == 200
    media = TipMedia.objects.get()
    assert (media.provider_media_id, media.content_type) == ("1003383421387256", "image/jpeg")
    assert "ब्लूटूथ" in media.tip.text and not OutboxMessage.objects.exists()  # not published: no answer


def test_a_delivery_sent_twice_is_one_tip_and_one_answer(client):
    claim_publish(claim=Claim.objects.get(external_id="notes-2000"), verdict=Verdict.FALSE)
    body = fixture("whatsapp_text.json")
    assert post_whatsapp(client, body).json()["stored"] == 1
    assert post_whatsapp(client, body).json()["stored"] == 0
    assert Tip.objects.count() == 1 and OutboxMessage.objects.count() == 1


def test_status_updates_are_not_tips(client):
    assert post_whatsapp(client, fixture("whatsapp_status.json")).json() == {"ok": True, "stored": 0}
    assert not Tip.objects.exists()


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=", signed(b"something else"), signed(fixture("whatsapp_text.json"), "another-secret"), "md5=abc"],
)
def test_a_bad_signature_is_refused(client, signature):
    response = client.post(
        WA_URL,
        fixture("whatsapp_text.json"),
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )
    assert response.status_code == 403 and not Tip.objects.exists()


def test_a_tampered_body_is_refused(client):
    body = fixture("whatsapp_text.json")
    tampered = body.replace(b"919829012345", b"919800000000")
    assert post_whatsapp(client, tampered, signature=signed(body)).status_code == 403
    assert not Tip.objects.exists()


def test_without_the_app_secret_everything_is_refused(client, settings):
    settings.WHATSAPP_APP_SECRET = ""
    body = fixture("whatsapp_text.json")
    assert post_whatsapp(client, body, signature=signed(body, "")).status_code == 403
    assert (
        client.get(WA_URL, {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}).status_code == 403
    )


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[1, 2]",
        json.dumps({"object": "page", "entry": []}).encode(),
        json.dumps({"object": "whatsapp_business_account", "entry": {"changes": 1}}).encode(),
        json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [{"changes": [{"field": "messages", "value": {"messages": [{"type": "text", "text": "x"}]}}]}],
            }
        ).encode(),
        b"[" * 100_000,
    ],
)
def test_a_signed_but_malformed_delivery_is_refused(client, body):
    assert post_whatsapp(client, body).status_code == 400
    assert not Tip.objects.exists()


def test_one_bad_message_in_a_delivery_stores_none_of_it(client):
    payload = json.loads(fixture("whatsapp_text.json"))
    good = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    payload["entry"][0]["changes"][0]["value"]["messages"] = [good, {"type": "text", "from": "91", "text": {}}]
    assert post_whatsapp(client, json.dumps(payload).encode()).status_code == 400
    assert not Tip.objects.exists()


@override_settings(FACTCHECK_WEBHOOK_MAX_BYTES=1000)
def test_a_huge_body_is_refused_before_it_is_checked(client):
    body = json.dumps({"object": "whatsapp_business_account", "padding": "x" * 5000}).encode()
    assert post_whatsapp(client, body).status_code == 413 and not Tip.objects.exists()


@pytest.fixture
def provider(monkeypatch, settings):
    """A local fake of the Graph API and the Bot API (notifications' FakeProvider): nothing leaves the machine."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeProvider().start()
    settings.WHATSAPP_API_URL, settings.WHATSAPP_PHONE_NUMBER_ID = f"{fake.url}/v21.0", "106540352242922"
    settings.WHATSAPP_TOKEN = "EAAG-test-token"
    settings.TELEGRAM_API_URL, settings.TELEGRAM_BOT_TOKEN = fake.url, "123456:ABC-test"
    yield fake
    fake.stop()


def test_the_answer_reaches_the_sender_through_the_whatsapp_and_telegram_adapters(client, provider):
    claim_publish(claim=Claim.objects.get(external_id="notes-2000"), verdict=Verdict.FALSE)
    provider.respond(200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.ANSWER"}]})
    provider.respond(200, {"ok": True, "result": {"message_id": 78, "chat": {"id": 5551234}}})
    post_whatsapp(client, fixture("whatsapp_text.json"))
    post_telegram(client, fixture("telegram_text.json"))
    for answer in OutboxMessage.objects.order_by("id"):
        assert message_deliver(message_id=answer.pk) == "sent"
    to_whatsapp, to_telegram = provider.requests
    tips = {tip.channel: tip for tip in Tip.objects.all()}
    assert to_whatsapp.path == "/v21.0/106540352242922/messages" and to_whatsapp.json["to"] == "919829012345"
    assert tips["whatsapp"].reference in to_whatsapp.json["text"]["body"] and "झूठा" in to_whatsapp.json["text"]["body"]
    assert to_telegram.path == "/bot123456:ABC-test/sendMessage" and to_telegram.json["chat_id"] == "5551234"
    assert tips["telegram"].reference in to_telegram.json["text"] and "False" in to_telegram.json["text"]


# ---------------------------------------------------------------- Telegram


def test_a_forwarded_telegram_text_is_answered_in_english(client):
    claim_publish(claim=Claim.objects.get(external_id="notes-2000"), verdict=Verdict.FALSE)
    assert post_telegram(client, fixture("telegram_text.json")).json() == {"ok": True, "stored": 1}
    tip = Tip.objects.get()
    assert (tip.channel, tip.forwarded, tip.reply_chat, tip.provider_message_id) == (
        TipChannel.TELEGRAM,
        True,
        "5551234",
        "5551234:1365",
    )
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient, message.language) == ("telegram", "5551234", "en")
    assert "False" in message.body


def test_a_telegram_photo_keeps_the_largest_size(client):
    assert post_telegram(client, fixture("telegram_photo.json")).status_code == 200
    assert TipMedia.objects.get().provider_media_id == "AgACAgUAAxkBAAIBSmLarge"


def test_a_telegram_update_sent_twice_is_one_tip(client):
    post_telegram(client, fixture("telegram_text.json"))
    assert post_telegram(client, fixture("telegram_text.json")).json()["stored"] == 0
    assert Tip.objects.count() == 1


@pytest.mark.parametrize("secret", ["", "tg-secret-45", "TG-SECRET-456"])
def test_a_wrong_telegram_secret_is_refused(client, secret):
    assert post_telegram(client, fixture("telegram_text.json"), secret=secret).status_code == 403
    assert not Tip.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"nope",
        b"{}",
        json.dumps({"update_id": 1, "message": {"message_id": 2, "chat": "x"}}).encode(),
        json.dumps({"update_id": 1, "message": {"message_id": 2, "chat": {"id": "9" * 100}, "text": "x"}}).encode(),
        json.dumps({"update_id": 1, "message": {"message_id": 2, "chat": {"id": 10**20}, "text": "x"}}).encode(),
        b'"text"',
    ],
)
def test_a_malformed_telegram_update_is_refused(client, body):
    assert post_telegram(client, body).status_code == 400 and not Tip.objects.exists()


@override_settings(FACTCHECK_WEBHOOK_MAX_BYTES=1000)
def test_a_huge_telegram_update_is_refused(client):
    body = json.dumps({"update_id": 1, "message": {"text": "x" * 5000}}).encode()
    assert post_telegram(client, body).status_code == 413 and not Tip.objects.exists()


def test_the_webhooks_take_no_other_method(client):
    assert client.get(TG_URL).status_code == 405
    assert client.put(WA_URL, b"{}").status_code == 405
