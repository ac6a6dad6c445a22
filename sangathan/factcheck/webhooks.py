"""Tips from WhatsApp (Cloud API) and Telegram (Bot API): each incoming text, picture or forward is a tip.

Who may call: WhatsApp signs every delivery with the app secret (``X-Hub-Signature-256: sha256=<HMAC-SHA256
of the raw body>``) and proves the subscription with a GET carrying our verify token; Telegram sends the
``secret_token`` given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``. Without the setting the
webhook refuses everything. The body is size-checked before it is read (``FACTCHECK_WEBHOOK_MAX_BYTES``),
then verified, then parsed; a delivery is read whole before any tip is stored, so a malformed one stores
nothing. Providers deliver again when unsure: the message id is stored with the tip, once
(``services.tip_receive``). Pictures are kept as the provider's media id (WhatsApp media id, Telegram
file_id) and downloaded by a task (``media``), then hashed and read; a video is kept as its id and not
analysed. The answer goes back through the outbox (``notifications.channels``) to the sender.

Payload shapes: developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples,
core.telegram.org/bots/api#update (fixtures in tests/fixtures/).
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from sangathan.factcheck.media import tip_media_queue
from sangathan.factcheck.models import PROVIDER_ID_MAX, TipChannel
from sangathan.factcheck.services import TipMediaIn, tip_receive

CHALLENGE_MAX = 100  # Meta's hub.challenge is a number; echo nothing longer
WHATSAPP_MEDIA_TYPES = {"image", "video", "document", "sticker"}
WA_ID_DIGITS = range(8, 16)
TELEGRAM_CHAT_ID_LIMIT = 10**15  # chat ids fit in 52 bits (Bot API); the column holds 32 characters


class PayloadError(ValueError):
    """The delivery is not shaped like the provider's (answered 400, nothing stored)."""


@dataclass
class Incoming:
    provider_message_id: str
    text: str = ""
    reply_mobile: str = ""
    reply_chat: str = ""
    forwarded: bool = False
    media: list[TipMediaIn] = field(default_factory=list)


def _refused(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": reason}, status=status)


def _body(request) -> bytes | None:
    """The raw body, or None when it is larger than allowed (not read)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > settings.FACTCHECK_WEBHOOK_MAX_BYTES:
        return None
    return request.body


def _json(body: bytes) -> dict:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise PayloadError("not JSON") from None
    if not isinstance(payload, dict):
        raise PayloadError("not a JSON object")
    return payload


def _store(channel: str, messages: list[Incoming]) -> int:
    stored = 0
    for message in messages:
        tip, new = tip_receive(
            channel=channel,
            text=message.text,
            media=message.media,
            reply_mobile=message.reply_mobile,
            reply_chat=message.reply_chat,
            provider_message_id=message.provider_message_id,
            forwarded=message.forwarded,
        )
        if new and message.media:
            tip_media_queue(tip)  # downloaded and analysed by a task, after the commit (``media``)
        stored += int(new)
    return stored


def _receive(request, channel: str, parse, authentic) -> JsonResponse:
    body = _body(request)
    if body is None:
        return _refused(413, "too large")
    if not authentic(request, body):
        return _refused(403, "not signed")
    try:
        messages = parse(_json(body))
    except PayloadError as error:
        return _refused(400, str(error))
    return JsonResponse({"ok": True, "stored": _store(channel, messages)})


# ---------------------------------------------------------------- WhatsApp


def whatsapp_signed(request, body: bytes) -> bool:
    secret = settings.WHATSAPP_APP_SECRET
    if not secret:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers.get("X-Hub-Signature-256", "").encode(), expected.encode())


def _dict(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise PayloadError(f"{what} is not an object")
    return value


def _list(value, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{what} is not a list")
    return value


def _text(value, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{what} is not text")
    return value


def _id(value, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value):
        raise PayloadError(f"{what} is missing")
    text = str(value)
    if len(text) > PROVIDER_ID_MAX:
        raise PayloadError(f"{what} is too long")
    return text


def whatsapp_messages(payload: dict) -> list[Incoming]:
    """The messages of one Cloud API delivery (status updates and other fields are not tips)."""
    if payload.get("object") != "whatsapp_business_account":
        raise PayloadError("not a WhatsApp Business delivery")
    found: list[Incoming] = []
    for entry in _list(payload.get("entry"), "entry"):
        for change in _list(_dict(entry, "entry").get("changes"), "changes"):
            change = _dict(change, "change")
            if change.get("field") != "messages":
                continue
            value = _dict(change.get("value"), "value")
            for message in _list(value.get("messages"), "messages"):
                incoming = _whatsapp_message(_dict(message, "message"))
                if incoming is not None:
                    found.append(incoming)
    return found


def _whatsapp_message(message: dict) -> Incoming | None:
    kind = _text(message.get("type"), "type")
    sender = _text(message.get("from"), "from")
    incoming = Incoming(provider_message_id=_id(message.get("id"), "message id"))
    if sender.isdigit() and len(sender) in WA_ID_DIGITS:
        incoming.reply_mobile = f"+{sender}"
    context = message.get("context")
    if isinstance(context, dict):
        incoming.forwarded = bool(context.get("forwarded") or context.get("frequently_forwarded"))
    if kind == "text":
        incoming.text = _text(_dict(message.get("text"), "text").get("body"), "text body")
    elif kind in WHATSAPP_MEDIA_TYPES:
        media = _dict(message.get(kind), kind)
        incoming.text = _text(media.get("caption"), "caption")
        incoming.media.append(
            TipMediaIn(
                content_type=_text(media.get("mime_type"), "mime_type")[:64] or kind,
                provider_media_id=_id(media.get("id"), "media id"),
            )
        )
    else:
        return None  # reactions, locations, contacts, buttons: nothing to check
    return incoming if incoming.text.strip() or incoming.media else None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request):
    if request.method == "GET":
        # Meta's subscription check: echo the challenge when the verify token is ours.
        token, challenge = settings.WHATSAPP_VERIFY_TOKEN, request.GET.get("hub.challenge", "")
        given = request.GET.get("hub.verify_token", "")
        if (
            token
            and request.GET.get("hub.mode") == "subscribe"
            and hmac.compare_digest(given.encode(), token.encode())
            and challenge.isdigit()
            and len(challenge) <= CHALLENGE_MAX
        ):
            return HttpResponse(challenge, content_type="text/plain")
        return HttpResponse(status=403)
    return _receive(request, TipChannel.WHATSAPP, whatsapp_messages, whatsapp_signed)


# ---------------------------------------------------------------- Telegram


def telegram_signed(request, body: bytes) -> bool:
    secret = settings.TELEGRAM_WEBHOOK_SECRET
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


def telegram_messages(payload: dict) -> list[Incoming]:
    """The message of one update (edited messages, channel posts and other updates are not tips)."""
    _id(payload.get("update_id"), "update_id")
    message = payload.get("message")
    if message is None:
        return []
    message = _dict(message, "message")
    chat = _dict(message.get("chat"), "chat")
    chat_id = chat.get("id")
    if isinstance(chat_id, bool) or not isinstance(chat_id, int) or abs(chat_id) >= TELEGRAM_CHAT_ID_LIMIT:
        raise PayloadError("chat id is not a Telegram chat id")
    chat_id = str(chat_id)
    incoming = Incoming(
        # A message id is unique within its chat only.
        provider_message_id=f"{chat_id}:{_id(message.get('message_id'), 'message_id')}",
        text=_text(message.get("text"), "text") or _text(message.get("caption"), "caption"),
        reply_chat=chat_id,
        forwarded=any(key in message for key in ("forward_origin", "forward_from", "forward_date")),
    )
    photos = _list(message.get("photo"), "photo")
    if photos:  # the same picture in several sizes, smallest first: the largest is kept
        largest = _dict(photos[-1], "photo size")
        incoming.media.append(
            TipMediaIn(content_type="image/jpeg", provider_media_id=_id(largest.get("file_id"), "file_id"))
        )
    # A video (kept, not analysed) and a picture sent uncompressed, as a document.
    for key, kinds in (("video", ("video/",)), ("document", ("image/", "video/"))):
        if message.get(key) is None:
            continue
        item = _dict(message.get(key), key)
        content_type = _text(item.get("mime_type"), "mime_type")[:64] or ("video/mp4" if key == "video" else "")
        if content_type.startswith(kinds):
            incoming.media.append(
                TipMediaIn(content_type=content_type, provider_media_id=_id(item.get("file_id"), "file_id"))
            )
    return [incoming] if incoming.text.strip() or incoming.media else []


@csrf_exempt
@require_POST
def telegram(request):
    return _receive(request, TipChannel.TELEGRAM, telegram_messages, telegram_signed)
