"""The mobile-ownership service: send a one-time code to a number, and check the code the person types.

Rules (docs/security.md, "Mobile ownership"): 6 digits, valid 5 minutes, single use, at most 5 tries; at
most 3 codes per number per hour (the callers add caps per address); the code is compared in constant
time and stored only as a salted HMAC; every code sent and every try is in the audit trail. The code goes
through the outbox like every other message (console or file in the embedded mode, the SMS gateway in
production), so a code asked while the gateway is down is sent when it is back, and its text is wiped
from the outbox once it is used or has expired.
"""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from sangathan.notifications.models import OutboxMessage
from sangathan.notifications.services import message_queue
from sangathan.verification.errors import VerificationError
from sangathan.verification.models import MobileChallenge

CODE_DIGITS = 6
HMAC_SALT = "sangathan.verification.code"
WIPED_BODY = "[code used or expired]"


def code_seconds() -> int:
    return int(getattr(settings, "VERIFICATION_CODE_SECONDS", 300))


def max_tries() -> int:
    return int(getattr(settings, "VERIFICATION_MAX_TRIES", 5))


def sends_per_hour() -> int:
    return int(getattr(settings, "VERIFICATION_SENDS_PER_HOUR", 3))


def code_channel() -> str:
    """The outbox channel codes go by: ``VERIFICATION_CHANNEL``, else SMS where it is one of the default
    channels, else the first default channel (console in the embedded mode)."""
    configured = getattr(settings, "VERIFICATION_CHANNEL", "")
    if configured:
        return configured
    channels = list(settings.NOTIFY_DEFAULT_CHANNELS)
    if "sms" in channels or not channels:
        return "sms"
    return channels[0]


def _digest(salt: str, code: str) -> str:
    return salted_hmac(HMAC_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def _random_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def send_limit_check(*, mobile: str, at: datetime.datetime | None = None) -> None:
    """``VerificationError`` (code ``send_limit``) when ``mobile`` had its codes for this hour, whatever they
    were for. A page that sends codes only to some numbers asks this first for every number, so that the
    refusal tells nobody whether the number is one of them. Callers also count the asks per number on the
    shared cache (an atomic counter, so a burst of parallel requests cannot all pass); this count is the rule
    itself, kept in the database."""
    now = at or timezone.now()
    recent = MobileChallenge.objects.filter(mobile=mobile, created_at__gt=now - datetime.timedelta(hours=1)).count()
    if recent >= sends_per_hour():
        raise send_limit_error()


def send_limit_error() -> VerificationError:
    """The one answer to "too many codes for this number", from the database's count or a page's counter."""
    return VerificationError(
        _("Too many codes were sent to this number in the last hour. Please try again after an hour."),
        code="send_limit",
    )


@transaction.atomic
def challenge_send(
    *,
    mobile: str,
    purpose: str,
    subject: str,
    language: str = "hi",
    requested_from: str | None = None,
    at: datetime.datetime | None = None,
) -> MobileChallenge:
    """Send a new code to ``mobile`` (already normalised, +91…) for ``purpose`` and ``subject``. Earlier
    open codes for the same purpose, subject and number stop working. Refuses a fourth code within an
    hour. Returns the challenge (its id goes with the person's next request, never the code)."""
    now = at or timezone.now()
    if purpose not in MobileChallenge.Purpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    send_limit_check(mobile=mobile, at=now)
    for earlier in MobileChallenge.objects.select_for_update().filter(
        purpose=purpose, subject=subject, mobile=mobile, confirmed_at__isnull=True, replaced_at__isnull=True
    ):
        earlier.replaced_at = now
        earlier.save(update_fields=["replaced_at"])
    code = _random_code()
    salt = secrets.token_hex(16)
    challenge = MobileChallenge.objects.create(
        purpose=purpose,
        subject=subject,
        mobile=mobile,
        salt=salt,
        code_digest=_digest(salt, code),
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=code_seconds()),
        requested_from=requested_from or None,
    )
    message = message_queue(
        channel=code_channel(),
        recipient=mobile,
        template="mobile_code",
        context={"code": code, "minutes": code_seconds() // 60},
        language=language if language in ("hi", "en") else "hi",
        idempotency_key=f"verification:{challenge.pk}",
    )
    challenge.message = message
    challenge.save(update_fields=["message"])
    return challenge


def challenge_confirm(
    *, challenge_id: int | None, mobile: str, purpose: str, subject: str, code: str, at: datetime.datetime | None = None
) -> MobileChallenge:
    """Check ``code`` against the challenge. Returns the challenge, now used, or raises
    ``VerificationError`` (wrong, expired, used or replaced, too many tries). A wrong try is counted and
    kept even though the caller's request fails."""
    now = at or timezone.now()
    code = "".join((code or "").split())
    # The try is counted in a transaction of its own: it stays counted when the caller's fails.
    with transaction.atomic():
        challenge = (
            MobileChallenge.objects.select_for_update()
            .filter(pk=challenge_id or 0, purpose=purpose, subject=subject, mobile=mobile)
            .first()
        )
        error = _refusal(challenge, now)
        if error is None:
            assert challenge is not None  # _refusal refuses a missing one
            challenge.tries += 1
            if len(code) == CODE_DIGITS and code.isascii() and code.isdigit():
                right = constant_time_compare(_digest(challenge.salt, code), challenge.code_digest)
            else:
                right = False
            if right:
                challenge.confirmed_at = now
                challenge.save(update_fields=["tries", "confirmed_at"])
                _wipe_message(challenge)
                return challenge
            challenge.save(update_fields=["tries"])
            error = _refusal(challenge, now) or _wrong_code()  # the last try used the code up, or a wrong one
    raise error


def _wrong_code() -> VerificationError:
    return VerificationError(_("That code is not right. Check the SMS and try again."), code="wrong_code")


def _refusal(challenge: MobileChallenge | None, now: datetime.datetime) -> VerificationError | None:
    if challenge is None:
        return _wrong_code()
    if challenge.confirmed_at is not None or challenge.replaced_at is not None:
        return VerificationError(_("This code has already been used or replaced. Ask for a new code."), code="used")
    if challenge.tries >= max_tries():
        return VerificationError(_("That code was wrong too many times. Ask for a new code."), code="too_many_tries")
    if now >= challenge.expires_at:
        return VerificationError(_("This code has expired. Ask for a new code."), code="expired")
    return None


def is_confirmed(*, challenge_id: int | None, mobile: str, purpose: str, subject: str | None = None) -> bool:
    """Whether this challenge was confirmed for this number (and subject, when given): what a signed
    ticket issued after the code refers to."""
    challenges = MobileChallenge.objects.filter(
        pk=challenge_id or 0, mobile=mobile, purpose=purpose, confirmed_at__isnull=False
    )
    if subject is not None:
        challenges = challenges.filter(subject=subject)
    return challenges.exists()


def _wipe_messages(messages) -> int:
    """The code's text leaves the outbox once it is of no use; a copy not yet sent is not sent any more."""
    unsent = [OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED]
    messages.filter(status__in=unsent).update(status=OutboxMessage.Status.DEAD, last_error=WIPED_BODY)
    return messages.update(body=WIPED_BODY)


def _wipe_message(challenge: MobileChallenge) -> None:
    if challenge.message_id:
        _wipe_messages(OutboxMessage.objects.filter(pk=challenge.message_id))


def challenges_wipe_expired(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: wipe the text of codes that expired unused."""
    expired = MobileChallenge.objects.filter(expires_at__lt=timezone.now(), message__isnull=False)
    messages = OutboxMessage.objects.filter(pk__in=expired.values("message_id")).exclude(body=WIPED_BODY)
    return {"codes_wiped": _wipe_messages(messages)}


def challenge_confirm_by_call(
    *, mobile: str, purpose: str, subject: str, at: datetime.datetime | None = None
) -> MobileChallenge | None:
    """The holder of ``mobile`` gave a missed call to the gateway's number (the gateway reported the caller
    in a signed request): the open code sent to that number for ``purpose`` and ``subject`` counts as typed
    back, with the same rules as a typed code (not used, not replaced, not expired, tries left). Returns the
    challenge, now used, or None when no such code is open."""
    now = at or timezone.now()
    with transaction.atomic():
        challenge = (
            MobileChallenge.objects.select_for_update()
            .filter(
                purpose=purpose, subject=subject, mobile=mobile, confirmed_at__isnull=True, replaced_at__isnull=True
            )
            .order_by("-created_at", "-id")
            .first()
        )
        if challenge is None or _refusal(challenge, now) is not None:
            return None
        challenge.confirmed_at = now
        challenge.save(update_fields=["confirmed_at"])
        _wipe_message(challenge)
        return challenge
