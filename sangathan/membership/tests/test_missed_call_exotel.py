"""Exotel's Passthru applet reporting missed calls (``membership.missed_call_exotel``), driven by a fake Exotel
that sends what Exotel documents: a GET with the call's details as query parameters (CallSid, CallFrom with a
leading 0, CallTo the ExoPhone, Direction, StartTime in Indian time …) and the Basic credentials of the
Passthru URL. Attacks: no or wrong credentials, a tampered or foreign request, a replayed CallSid, a stale
StartTime, a number with no pending sign-up, a flood from one number, a call to another ExoPhone."""

import datetime
import secrets
import urllib.parse

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from sangathan.membership import missed_call_exotel
from sangathan.membership.checks import check_exotel_secret, exotel_secret_problem
from sangathan.membership.models import Member, MissedCall
from sangathan.membership.selectors import counts_for_unit
from sangathan.membership.tests.conftest import join, next_mobile
from sangathan.verification.models import MobileChallenge

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("exotel_settings")]

SECRET = "exotel-passthru-secret-Zq8vK3mW7xN2pL5r"  # the length check --deploy asks for
EXOPHONE = "08047091234"
URL = reverse("membership_public:missed_call_exotel")


@pytest.fixture
def exotel_settings():
    with override_settings(
        MEMBERSHIP_EXOTEL_SECRET=SECRET, MEMBERSHIP_EXOTEL_NUMBER=EXOPHONE, MEMBERSHIP_MISSED_CALL_PER_HOUR=3
    ):
        yield


class FakeExotel:
    """What Exotel's Passthru applet sends for an incoming call to the ExoPhone (its documented parameters)."""

    def __init__(self, client, *, key: str = SECRET):
        self.client, self.key = client, key

    def params(self, mobile: str, *, call_sid: str | None = None, started: datetime.datetime | None = None) -> dict:
        started = (started or timezone.now()).astimezone(missed_call_exotel.EXOTEL_ZONE)
        return {
            "CallSid": call_sid or secrets.token_hex(16),
            "CallFrom": "0" + mobile[-10:],  # Exotel writes the caller with a leading 0
            "CallTo": EXOPHONE,
            "Direction": "incoming",
            "Created": started.strftime("%a, %d %b %Y %H:%M:%S"),
            "DialCallDuration": "0",
            "StartTime": started.strftime(missed_call_exotel.TIME_FORMAT),
            "EndTime": "1970-01-01 05:30:00",
            "CallType": "call-attempt",
            "DialWhomNumber": "",
            "flow_id": "228040",
            "tenant_id": "67291",
            "CurrentTime": started.strftime(missed_call_exotel.TIME_FORMAT),
            "digits": "",
            "CustomField": "",
        }

    def call(self, params: dict, *, authorization: str | None = None):
        header = missed_call_exotel.authorization(self.key) if authorization is None else authorization
        return self.client.get(URL + "?" + urllib.parse.urlencode(params), HTTP_AUTHORIZATION=header)


def test_the_callers_pending_sign_up_is_verified_once_and_a_replay_does_nothing(client, tree, referral):
    exotel = FakeExotel(client)
    member = join(tree.booth1, referral=referral)
    params = exotel.params(member.mobile)
    answer = exotel.call(params)
    assert answer.status_code == 200 and answer.json() == {"ok": True, "new": True, "outcome": "verified"}
    member.refresh_from_db()
    assert member.status == "verified" and counts_for_unit(tree.india).verified == 1
    assert MobileChallenge.objects.get(mobile=member.mobile).confirmed_at is not None
    replay = exotel.call(params)  # Exotel re-delivers, or an attacker replays the captured URL
    assert replay.status_code == 200 and replay.json()["new"] is False
    referral.refresh_from_db()
    assert referral.verified_count == 1 and MissedCall.objects.get().call_id == "exotel:" + params["CallSid"]


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer " + SECRET,
        missed_call_exotel.authorization("guessed-secret"),
        missed_call_exotel.authorization(SECRET, username="admin"),
        "Basic not-base64!!",
        missed_call_exotel.authorization(SECRET + "x"),
    ],
    ids=["none", "bearer", "wrong-secret", "wrong-user", "garbage", "longer-secret"],
)
def test_without_our_credentials_nothing_is_verified(client, tree, authorization):
    member = join(tree.booth1)
    exotel = FakeExotel(client)
    assert exotel.call(exotel.params(member.mobile), authorization=authorization).status_code == 403
    assert Member.objects.get(pk=member.pk).status == "pending" and not MissedCall.objects.exists()


def test_without_a_configured_secret_every_call_is_refused(client, tree):
    member = join(tree.booth1)
    with override_settings(MEMBERSHIP_EXOTEL_SECRET=""):
        exotel = FakeExotel(client, key="")
        assert exotel.call(exotel.params(member.mobile)).status_code == 403
    assert not MissedCall.objects.exists()


@pytest.mark.parametrize(
    "short",
    ["exotel-passthru-secret", "a" * 40, "abcdabcdabcdabcdabcdabcdabcdabcdabcd"],
    ids=["22", "one-char", "four-chars"],
)
def test_a_short_or_repetitive_secret_refuses_every_call_and_fails_check_deploy(client, tree, short):
    member = join(tree.booth1)
    with override_settings(MEMBERSHIP_EXOTEL_SECRET=short):
        exotel = FakeExotel(client, key=short)  # the right credentials for the configured secret
        assert exotel.call(exotel.params(member.mobile)).status_code == 403
        errors = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
        assert "membership.E001" in {error.id for error in errors}
        # ``sangathan check --deploy`` stops on it.
        with pytest.raises(SystemCheckError, match="MEMBERSHIP_EXOTEL_SECRET must be at least 32"):
            call_command("check", "--deploy", "--tag", "security", "--fail-level", "ERROR")
    assert Member.objects.get(pk=member.pk).status == "pending" and not MissedCall.objects.exists()


@pytest.mark.parametrize("value", ["", SECRET], ids=["off", "long"])
def test_check_deploy_accepts_no_secret_or_a_long_one(value):
    with override_settings(MEMBERSHIP_EXOTEL_SECRET=value):
        assert check_exotel_secret() == []
        assert exotel_secret_problem(value) is None


@pytest.mark.parametrize("minutes", [-30, 30], ids=["stale", "future"])
def test_a_stale_or_future_start_time_is_refused(client, tree, minutes):
    member = join(tree.booth1)
    exotel = FakeExotel(client)
    params = exotel.params(member.mobile, started=timezone.now() + datetime.timedelta(minutes=minutes))
    answer = exotel.call(params)
    assert answer.status_code == 400 and answer.json()["error"] == "stale"
    assert Member.objects.get(pk=member.pk).status == "pending" and not MissedCall.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("CallSid", ""),
        ("CallSid", "a" * 80),
        ("CallSid", "abc def"),
        ("CallFrom", "0123"),
        ("CallFrom", "not a number"),
        ("CallFrom", "02224567890"),  # a landline: no mobile to verify
        ("StartTime", "07/12/2026 10:00"),
        ("Direction", "outbound-dial"),
        ("CallTo", "08000000000"),  # another ExoPhone of the account
    ],
)
def test_malformed_or_foreign_reports_are_400_and_store_nothing(client, tree, field, value):
    member = join(tree.booth1)
    exotel = FakeExotel(client)
    params = {**exotel.params(member.mobile), field: value}
    assert exotel.call(params).status_code == 400
    assert Member.objects.get(pk=member.pk).status == "pending" and not MissedCall.objects.exists()


def test_a_tampered_caller_is_only_a_call_from_that_number(client, tree):
    """Without a signature, the credentials are all that proves Exotel sent it; with them, a changed CallFrom is
    an unknown number: nothing pending, nothing verified, answered 302 (the flow's other branch)."""
    member = join(tree.booth1)
    exotel = FakeExotel(client)
    params = {**exotel.params(member.mobile), "CallFrom": "0" + next_mobile()[-10:]}
    answer = exotel.call(params)
    assert answer.status_code == 302 and answer.json()["outcome"] == MissedCall.Outcome.NO_PENDING
    assert Member.objects.get(pk=member.pk).status == "pending"


def test_a_flood_from_one_number_is_capped(client, tree):
    exotel = FakeExotel(client)
    mobile = next_mobile()
    outcomes = [exotel.call(exotel.params(mobile)).json()["outcome"] for _ in range(5)]
    assert outcomes == ["no_pending"] * 3 + ["flood"] * 2
    member = join(tree.booth1, mobile=mobile)
    answer = exotel.call(exotel.params(mobile))
    assert answer.status_code == 302 and answer.json()["outcome"] == "flood"
    assert Member.objects.get(pk=member.pk).status == "pending"


def test_a_post_is_refused(client):
    assert client.post(URL, {"CallSid": "x"}).status_code == 405


def test_the_generic_webhook_and_exotel_share_the_books(client, tree):
    """A CallSid cannot collide with a generic report's call id: Exotel's are stored with a prefix."""
    member = join(tree.booth1)
    exotel = FakeExotel(client)
    params = exotel.params(member.mobile, call_sid="abc123")
    MissedCall.objects.create(
        call_id="abc123", caller_digest="x", called_at=timezone.now(), outcome=MissedCall.Outcome.NO_PENDING
    )
    assert exotel.call(params).json() == {"ok": True, "new": True, "outcome": "verified"}
