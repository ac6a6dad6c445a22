"""Missed calls reported by Exotel (an Indian cloud-telephony provider), beside the generic signed webhook of
``membership.missed_call``.

How Exotel reports a call: an ExoPhone's call flow holds a *Passthru* applet whose URL is ours; when the
person calls, Exotel makes a ``GET`` to that URL with the call's details as query parameters (its documented
names: ``CallSid``, ``CallFrom``, ``CallTo``, ``Direction``, ``StartTime`` as ``YYYY-MM-DD HH:MM:SS`` in
Indian time, ``CurrentTime``, ``CallType``, ``DialCallDuration``, ``digits``, ``CustomField`` …). In a
synchronous Passthru, Exotel follows one branch of the flow on ``200 OK`` and the other on ``302``: we answer
200 when a sign-up was verified (the flow can say "welcome") and 302 otherwise.

Exotel does not sign Passthru requests. What proves the request is Exotel's is a secret only Exotel and we
know, put in the Passthru URL as HTTP Basic credentials (``https://exotel:<secret>@host/join/missed-call/exotel/``,
the scheme Exotel's own API uses), compared in constant time (``MEMBERSHIP_EXOTEL_SECRET``; empty refuses
every request). Optionally ``MEMBERSHIP_EXOTEL_NUMBER``: the ExoPhone, so a call to another number of the
account verifies nothing. The rest is the generic path: a ``StartTime`` outside the window is refused (a
captured URL cannot be replayed later), each ``CallSid`` is acted on once, calls per number an hour are
capped, and only an open code of a pending sign-up of that number is confirmed (``missed_call_receive``).
"""

import base64
import binascii
import datetime
import hmac
import zoneinfo

from django.conf import settings

from sangathan.membership import missed_call
from sangathan.membership.checks import exotel_secret_problem
from sangathan.org.errors import OrgError
from sangathan.org.phones import normalise_mobile

USERNAME = "exotel"
CALL_ID_PREFIX = "exotel:"
# Exotel writes its times in Indian Standard Time, without a zone.
EXOTEL_ZONE = zoneinfo.ZoneInfo("Asia/Kolkata")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CALL_SID_MAX = missed_call.CALL_ID_MAX - len(CALL_ID_PREFIX)


def secret() -> str:
    return getattr(settings, "MEMBERSHIP_EXOTEL_SECRET", "") or ""


def exophone() -> str:
    return getattr(settings, "MEMBERSHIP_EXOTEL_NUMBER", "") or ""


def authorization(key: str | None = None, username: str = USERNAME) -> str:
    """The ``Authorization`` header Exotel sends for a Passthru URL with our credentials in it."""
    raw = f"{username}:{key if key is not None else secret()}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def authorized(header: str) -> bool:
    """Whether ``header`` carries our Basic credentials (constant time); False without a configured secret,
    or with one too short to guard anything (``checks.exotel_secret_problem``; ``check --deploy`` says so)."""
    if not secret() or exotel_secret_problem(secret()) or not header:
        return False
    scheme, _space, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = f"{USERNAME}:{secret()}".encode()
    return hmac.compare_digest(given, expected)


def _same_number(a: str, b: str) -> bool:
    try:
        return normalise_mobile(a) == normalise_mobile(b)
    except OrgError:
        digits_a = "".join(ch for ch in a if ch.isdigit())[-10:]
        digits_b = "".join(ch for ch in b if ch.isdigit())[-10:]
        return bool(digits_a) and digits_a == digits_b


def parse(query, *, now: datetime.datetime) -> missed_call.Report:
    """The report in Exotel's query parameters, or ``missed_call.ReportError``."""
    call_sid = query.get("CallSid", "")
    if not call_sid or len(call_sid) > CALL_SID_MAX or not call_sid.isalnum() or not call_sid.isascii():
        raise missed_call.ReportError("CallSid")
    direction = query.get("Direction", "incoming")
    if direction != "incoming":
        raise missed_call.ReportError("Direction")
    to = query.get("CallTo") or query.get("To") or ""
    if exophone() and not _same_number(to, exophone()):
        raise missed_call.ReportError("CallTo")
    caller = query.get("CallFrom") or query.get("From") or ""
    try:
        mobile = normalise_mobile(caller)
    except OrgError:
        raise missed_call.ReportError("CallFrom") from None
    try:
        started = datetime.datetime.strptime(query.get("StartTime", ""), TIME_FORMAT).replace(tzinfo=EXOTEL_ZONE)
    except ValueError:
        raise missed_call.ReportError("StartTime") from None
    if abs((now - started).total_seconds()) > missed_call.window():
        raise missed_call.ReportError("stale")
    return missed_call.Report(call_id=CALL_ID_PREFIX + call_sid, mobile=mobile, called_at=started)
