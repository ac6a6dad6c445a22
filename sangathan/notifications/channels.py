"""Channels deliver one outbox message to one provider. Each is a small class with
``send(message) -> provider message id`` registered under its name; ``get_channel(name)`` finds it.

A channel raises
- ``ChannelNotConfigured`` when its settings are missing (the message fails and is retried, so it goes
  out once the settings are fixed, or dies after ``NOTIFY_MAX_ATTEMPTS``);
- ``PermanentChannelError`` when the provider refused the message for good (HTTP 400/401/403/404, or a
  success answer we cannot read): retrying would not help, the message is marked dead;
- ``ChannelError`` for everything that may pass (HTTP 5xx, 408, 429, timeouts, refused connections):
  the message is retried with backoff.

The HTTP channels use ``urllib.request`` with a timeout on every call (``HTTP_TIMEOUT`` seconds for the
connection and for each read). Error texts never contain the request URL, which holds the Telegram token.
"""

import json
import logging
import os
import smtplib
import urllib.error
import urllib.request
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.notifications.attachments import attachments_for
from sangathan.notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

HTTP_TIMEOUT = 10.0
PERMANENT_HTTP_STATUSES = frozenset({400, 401, 403, 404})
ERROR_BODY_CHARS = 500


class ChannelError(Exception):
    """The message could not be sent this time; it may go through later."""


class PermanentChannelError(ChannelError):
    """The provider refused the message for good; retrying would send the same refused request."""


class ChannelNotConfigured(ChannelError):
    """The channel's settings are missing."""


class Channel:
    """The interface: ``send`` delivers the message or raises a ``ChannelError``."""

    name: ClassVar[str] = ""

    def send(self, message: OutboxMessage) -> str:
        raise NotImplementedError


_REGISTRY: dict[str, Channel] = {}


def register(channel_class: type[Channel]) -> type[Channel]:
    """Class decorator: make the channel available under ``channel_class.name``."""
    _REGISTRY[channel_class.name] = channel_class()
    return channel_class


def get_channel(name: str) -> Channel:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ChannelNotConfigured(_("There is no channel called %(name)s.") % {"name": name}) from None


def channel_names() -> list[str]:
    return sorted(_REGISTRY)


# ---------------------------------------------------------------- HTTP


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A provider that redirects is misconfigured; following would turn the POST into a GET without a body."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def post_json(url: str, *, payload: dict, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """POST ``payload`` as JSON and return the decoded JSON answer, or raise a ``ChannelError``."""
    if not url.startswith(("https://", "http://")):
        raise ChannelNotConfigured(_("The provider address must start with https:// or http://."))
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=HTTP_TIMEOUT) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        detail = _read_error_body(error)
        text = _("The provider answered HTTP %(status)d: %(detail)s") % {"status": error.code, "detail": detail}
        if error.code in PERMANENT_HTTP_STATUSES:
            raise PermanentChannelError(text) from None
        raise ChannelError(text) from None
    except TimeoutError:
        raise ChannelError(
            _("The provider did not answer within %(seconds)s seconds.") % {"seconds": HTTP_TIMEOUT}
        ) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise ChannelError(
                _("The provider did not answer within %(seconds)s seconds.") % {"seconds": HTTP_TIMEOUT}
            ) from None
        raise ChannelError(_("Could not reach the provider: %(reason)s") % {"reason": error.reason}) from None
    except OSError as error:  # connection reset, refused, ...
        raise ChannelError(_("Could not reach the provider: %(reason)s") % {"reason": error}) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        # The provider took the request (HTTP 2xx) but the answer is unreadable: the message may have gone
        # out, so it must not be sent again.
        raise PermanentChannelError(
            _("The provider answered HTTP %(status)d with something that is not JSON: %(detail)s")
            % {"status": status, "detail": raw[:ERROR_BODY_CHARS].decode("utf-8", "replace")}
        ) from None


def _read_error_body(error: urllib.error.HTTPError) -> str:
    try:
        return (error.read(ERROR_BODY_CHARS) or b"").decode("utf-8", "replace").strip()
    except OSError:
        return ""
    finally:
        error.close()


def _unexpected_answer(answer: Any) -> PermanentChannelError:
    return PermanentChannelError(
        _("The provider accepted the request but its answer has no message id: %(answer)s")
        % {"answer": json.dumps(answer, ensure_ascii=False)[:ERROR_BODY_CHARS]}
    )


def _mobile_digits(recipient: str) -> str:
    """+919829012345 → 919829012345 (country code and number, no plus), as the gateways want it."""
    digits = recipient.removeprefix("+")
    if not digits.isdigit():
        raise PermanentChannelError(_("%(recipient)s is not a mobile number.") % {"recipient": recipient})
    return digits


# ---------------------------------------------------------------- channels


@register
class ConsoleChannel(Channel):
    """Writes the message to the log (logger ``sangathan.notifications.channels``, level INFO): the
    embedded mode's default, for development and demos. Prints nothing else."""

    name = "console"

    def send(self, message: OutboxMessage) -> str:
        logger.info(
            "Message %s to %s [%s, %s]\nSubject: %s\n%s",
            message.pk,
            message.recipient,
            message.template,
            message.language,
            message.subject,
            message.body,
        )
        return f"console-{message.pk}"


@register
class FileChannel(Channel):
    """Appends one JSON object per line to ``NOTIFY_FILE_DIR/messages.jsonl``. Each line is written with
    a single ``write`` on a file opened for appending, so processes writing at the same time do not mix
    their lines."""

    name = "file"
    file_name = "messages.jsonl"

    def send(self, message: OutboxMessage) -> str:
        directory = Path(settings.NOTIFY_FILE_DIR)
        line = json.dumps(
            {
                "id": message.pk,
                "idempotency_key": message.idempotency_key,
                "channel": message.channel,
                "recipient": message.recipient,
                "template": message.template,
                "language": message.language,
                "subject": message.subject,
                "body": message.body,
                "written_at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
        try:
            directory.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(directory / self.file_name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(descriptor, (line + "\n").encode("utf-8"))
            finally:
                os.close(descriptor)
        except OSError as error:
            raise ChannelError(_("Could not write the message file: %(error)s") % {"error": error}) from None
        return f"file-{message.pk}"


@register
class EmailChannel(Channel):
    """Sends with ``django.core.mail`` (``EMAIL_BACKEND``, ``DEFAULT_FROM_EMAIL``). The provider id is
    the Message-ID header we set."""

    name = "email"

    def send(self, message: OutboxMessage) -> str:
        message_id = make_msgid(domain=parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or None)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Message-ID": message_id},
        )
        for name, content, mimetype in attachments_for(message):
            email.attach(name, content, mimetype)
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentChannelError(
                _("The mail server refused the address: %(error)s") % {"error": error.recipients}
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            raise ChannelError(_("Could not send the email: %(error)s") % {"error": error}) from None
        return message_id


@register
class SmsChannel(Channel):
    """A generic HTTP JSON SMS gateway (most Indian gateways offer one; adapt the mapping here if yours
    differs):

        POST {SMS_GATEWAY_URL}
        X-API-Key: {SMS_GATEWAY_KEY}
        Content-Type: application/json
        {"sender": "{SMS_SENDER_ID}", "to": "919829012345", "message": "..."}

    answer ``2xx {"id": "<gateway message id>", ...}``. The number is sent as country code and number
    without the plus. Indian operators also need the sender id and each template registered on DLT; that
    is done with the gateway, outside Sangathan.
    """

    name = "sms"

    def send(self, message: OutboxMessage) -> str:
        if not settings.SMS_GATEWAY_URL or not settings.SMS_GATEWAY_KEY:
            raise ChannelNotConfigured(_("SMS is not configured: set SMS_GATEWAY_URL and SMS_GATEWAY_KEY."))
        answer = post_json(
            settings.SMS_GATEWAY_URL,
            payload={
                "sender": settings.SMS_SENDER_ID,
                "to": _mobile_digits(message.recipient),
                "message": message.body,
            },
            headers={"X-API-Key": settings.SMS_GATEWAY_KEY},
        )
        if not isinstance(answer, dict) or answer.get("id") in (None, ""):
            raise _unexpected_answer(answer)
        return str(answer["id"])


@register
class WhatsAppChannel(Channel):
    """The WhatsApp Business Cloud API (Meta Graph API):

        POST {WHATSAPP_API_URL}/{WHATSAPP_PHONE_NUMBER_ID}/messages
        Authorization: Bearer {WHATSAPP_TOKEN}
        {"messaging_product": "whatsapp", "to": "919829012345", "type": "text", "text": {"body": "..."}}

    answer ``200 {"messaging_product": "whatsapp", "contacts": [...], "messages": [{"id": "wamid...."}]}``.
    WhatsApp accepts free text only within 24 hours of the person's last message to the business; outside
    that window Meta refuses it (HTTP 400, so the message is marked dead with Meta's explanation).
    """

    name = "whatsapp"

    def send(self, message: OutboxMessage) -> str:
        if not settings.WHATSAPP_API_URL or not settings.WHATSAPP_PHONE_NUMBER_ID or not settings.WHATSAPP_TOKEN:
            raise ChannelNotConfigured(
                _("WhatsApp is not configured: set WHATSAPP_API_URL, WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_TOKEN.")
            )
        url = f"{settings.WHATSAPP_API_URL.rstrip('/')}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
        answer = post_json(
            url,
            payload={
                "messaging_product": "whatsapp",
                "to": _mobile_digits(message.recipient),
                "type": "text",
                "text": {"body": message.body},
            },
            headers={"Authorization": f"Bearer {settings.WHATSAPP_TOKEN}"},
        )
        try:
            return str(answer["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise _unexpected_answer(answer) from None


@register
class TelegramChannel(Channel):
    """The Telegram Bot API:

        POST {TELEGRAM_API_URL}/bot{TELEGRAM_BOT_TOKEN}/sendMessage
        {"chat_id": "<chat id>", "text": "..."}

    answer ``200 {"ok": true, "result": {"message_id": 123, ...}}``. The recipient is a chat id: a bot can
    only write to people who have started a chat with it.
    """

    name = "telegram"

    def send(self, message: OutboxMessage) -> str:
        if not settings.TELEGRAM_API_URL or not settings.TELEGRAM_BOT_TOKEN:
            raise ChannelNotConfigured(_("Telegram is not configured: set TELEGRAM_BOT_TOKEN."))
        url = f"{settings.TELEGRAM_API_URL.rstrip('/')}/bot{settings.TELEGRAM_BOT_TOKEN}/sendMessage"
        answer = post_json(url, payload={"chat_id": message.recipient, "text": message.body})
        try:
            if answer["ok"] is not True:
                raise KeyError("ok")
            return str(answer["result"]["message_id"])
        except (KeyError, TypeError):
            raise _unexpected_answer(answer) from None
