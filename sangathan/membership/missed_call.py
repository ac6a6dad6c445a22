"""Verification by missed call: the person calls the gateway's number from the mobile they signed up with;
the gateway reports the caller to our webhook and the pending sign-up for that number is verified through
the same path as a typed code (``verification.challenge_confirm_by_call`` then ``services.member_verify``).

Who may call the webhook: the gateway signs the raw body with the shared secret
(``X-Sangathan-Signature: sha256=<hex HMAC-SHA256>``, ``MEMBERSHIP_MISSED_CALL_SECRET``); without the
setting, or with one too short to guard anything (``checks.missed_call_secret_problem``: at least 32
characters, 8 distinct; ``check --deploy`` says so as ``membership.E002``), every report is refused. A report is JSON ``{"call_id": "...", "caller": "+9198…",
"timestamp": <unix seconds>}``; one older or newer than ``MEMBERSHIP_MISSED_CALL_WINDOW`` seconds is
refused (a captured report cannot be replayed later) and its ``call_id`` is stored once (nor within the
window). What the call can verify is narrow, because the caller proves only that they hold the number:

* only a *pending* sign-up of that number, and only while its code is open (5 minutes, not used or
  replaced): an old sign-up made by a stranger with this number is not verified by a call made for
  something else;
* not when another form was sent with the number within a code's lifetime before the latest one
  (someone else's form may be the latest): then the code must be typed on the page of one's own form;
* at most ``MEMBERSHIP_MISSED_CALL_PER_HOUR`` reports per number an hour are looked at.
"""

import datetime
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sangathan.membership import services
from sangathan.membership.checks import missed_call_secret_problem
from sangathan.membership.errors import MembershipError
from sangathan.membership.models import Member, MissedCall
from sangathan.org.errors import OrgError
from sangathan.org.phones import normalise_mobile
from sangathan.verification import services as verification
from sangathan.verification.models import MobileChallenge

SIGNATURE_HEADER = "HTTP_X_SANGATHAN_SIGNATURE"
CALL_ID_MAX = 64
DEFAULT_WINDOW = 300
DEFAULT_PER_HOUR = 10


class ReportError(ValueError):
    """The report is not shaped as agreed (answered 400, nothing stored)."""


def secret() -> str:
    return getattr(settings, "MEMBERSHIP_MISSED_CALL_SECRET", "") or ""


def window() -> int:
    return int(getattr(settings, "MEMBERSHIP_MISSED_CALL_WINDOW", DEFAULT_WINDOW))


def per_hour() -> int:
    return int(getattr(settings, "MEMBERSHIP_MISSED_CALL_PER_HOUR", DEFAULT_PER_HOUR))


def sign(body: bytes, key: str | None = None) -> str:
    """The header value the gateway sends for ``body`` (also what the tests and a fake gateway use)."""
    digest = hmac.new((key if key is not None else secret()).encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_ok(body: bytes, header: str) -> bool:
    """Whether ``header`` is the signature of ``body`` with our secret (constant time); False without one,
    or with one too short to guard anything (``checks.missed_call_secret_problem``)."""
    if not secret() or missed_call_secret_problem(secret()) or not header:
        return False
    return hmac.compare_digest(sign(body).encode(), header.strip().encode())


@dataclass
class Report:
    call_id: str
    mobile: str
    called_at: datetime.datetime


def parse(payload: dict, *, now: datetime.datetime) -> Report:
    """The report in ``payload``, or ``ReportError`` (a missing or odd field, a number that is not an Indian
    mobile, a time outside the window)."""
    call_id, caller, stamp = payload.get("call_id"), payload.get("caller"), payload.get("timestamp")
    if not isinstance(call_id, str) or not call_id or len(call_id) > CALL_ID_MAX or not call_id.isprintable():
        raise ReportError("call_id")
    if not isinstance(caller, str) or not isinstance(stamp, int) or isinstance(stamp, bool):
        raise ReportError("caller or timestamp")
    try:
        mobile = normalise_mobile(caller)
    except OrgError:
        raise ReportError("caller") from None
    try:
        called_at = datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        raise ReportError("timestamp") from None
    if abs((now - called_at).total_seconds()) > window():
        raise ReportError("stale")
    return Report(call_id=call_id, mobile=mobile, called_at=called_at)


def caller_digest(mobile: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"missed-call:{mobile}".encode(), hashlib.sha256).hexdigest()


def _outcome(report: Report, digest: str, now: datetime.datetime) -> tuple[str, Member | None]:
    recent = MissedCall.objects.filter(caller_digest=digest, received_at__gte=now - datetime.timedelta(hours=1))
    if recent.count() > per_hour():  # this call's own row is among them
        return MissedCall.Outcome.FLOOD, None
    member = Member.objects.filter(mobile=report.mobile, status=Member.Status.PENDING).first()
    if member is None:
        return MissedCall.Outcome.NO_PENDING, None
    # Codes sent for an earlier form with this number that could still be open: the latest form (whose
    # details the call would verify) may be a stranger's. A "send again" of the same form comes after
    # its consent and does not count.
    since = now - datetime.timedelta(seconds=verification.code_seconds())
    earlier = MobileChallenge.objects.filter(
        purpose=services.PURPOSE, mobile=report.mobile, created_at__gte=since, created_at__lt=member.consent_at
    )
    if earlier.exists():
        return MissedCall.Outcome.AMBIGUOUS, member
    challenge = verification.challenge_confirm_by_call(
        mobile=report.mobile, purpose=services.PURPOSE, subject=services.subject_of(member), at=now
    )
    if challenge is None:
        return MissedCall.Outcome.NO_CODE, member
    try:
        with transaction.atomic():
            services.member_verify(member=member, at=now)
    except MembershipError:  # a voter ID a proven member holds: the page of the form says so
        return MissedCall.Outcome.REFUSED, member
    return MissedCall.Outcome.VERIFIED, member


def missed_call_receive(*, report: Report, at: datetime.datetime | None = None) -> tuple[MissedCall, bool]:
    """Act on one reported call, once per ``call_id``. Returns the stored call and whether it is new (a
    replay returns the first one and does nothing)."""
    now = at or timezone.now()
    digest = caller_digest(report.mobile)
    try:
        with transaction.atomic():
            call = MissedCall.objects.create(
                call_id=report.call_id,
                caller_digest=digest,
                called_at=report.called_at,
                received_at=now,
                outcome=MissedCall.Outcome.NO_PENDING,
            )
            outcome, member = _outcome(report, digest, now)
            call.outcome, call.member = outcome, member
            call.save(update_fields=["outcome", "member"])
    except IntegrityError:
        return MissedCall.objects.get(call_id=report.call_id), False
    return call, True
