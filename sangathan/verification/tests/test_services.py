"""The mobile-ownership service: what a code proves and how it can not be guessed, replayed or flooded."""

import datetime

import pytest
from django.utils import timezone

from sangathan.audit.models import AuditEntry
from sangathan.notifications.models import OutboxMessage
from sangathan.testing import sent_code
from sangathan.verification import services
from sangathan.verification.errors import VerificationError
from sangathan.verification.models import MobileChallenge

pytestmark = pytest.mark.django_db

MOBILE = "+919829055555"
PURPOSE = MobileChallenge.Purpose.APPLICATION


def send(mobile=MOBILE, subject="RJ-2026-7K4Q", **kwargs) -> MobileChallenge:
    return services.challenge_send(mobile=mobile, purpose=PURPOSE, subject=subject, **kwargs)


def confirm(challenge, code, *, mobile=MOBILE, subject="RJ-2026-7K4Q", **kwargs) -> MobileChallenge:
    return services.challenge_confirm(
        challenge_id=challenge.pk, mobile=mobile, purpose=PURPOSE, subject=subject, code=code, **kwargs
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_code_is_six_digits_sent_through_the_outbox_and_never_stored(settings):
    challenge = send(language="en")
    code = sent_code(MOBILE)
    assert len(code) == 6 and code.isdigit()
    message = OutboxMessage.objects.get(template="mobile_code")
    assert message.recipient == MOBILE and message.channel == "console" and "5 minutes" in message.body
    assert code not in (challenge.code_digest, challenge.salt)
    assert confirm(challenge, code).confirmed_at is not None


def test_the_code_is_in_hindi_by_default():
    send()
    assert "कोड" in OutboxMessage.objects.get(template="mobile_code").body


def test_a_code_works_once_and_its_text_leaves_the_outbox():
    challenge = send()
    code = sent_code(MOBILE)
    confirm(challenge, code)
    with pytest.raises(VerificationError) as error:  # a replay
        confirm(challenge, code)
    assert error.value.code == "used"
    assert code not in OutboxMessage.objects.get(template="mobile_code").body


def test_the_sixth_try_is_refused_even_with_the_right_code():
    challenge = send()
    code = sent_code(MOBILE)
    for _ in range(4):
        with pytest.raises(VerificationError) as error:
            confirm(challenge, wrong(code))
        assert error.value.code == "wrong_code"
    with pytest.raises(VerificationError) as error:  # the fifth wrong try uses the code up
        confirm(challenge, wrong(code))
    assert error.value.code == "too_many_tries"
    with pytest.raises(VerificationError) as error:
        confirm(challenge, code)
    assert error.value.code == "too_many_tries"
    challenge.refresh_from_db()
    assert challenge.tries == 5 and challenge.confirmed_at is None


def test_a_code_expires_after_five_minutes():
    challenge = send()
    code = sent_code(MOBILE)
    with pytest.raises(VerificationError) as error:
        confirm(challenge, code, at=timezone.now() + datetime.timedelta(minutes=5, seconds=1))
    assert error.value.code == "expired"


def test_a_code_opens_only_its_own_number_and_subject():
    challenge = send()
    code = sent_code(MOBILE)
    for kwargs in ({"mobile": "+919829066666"}, {"subject": "RJ-2026-ZZZZ"}):
        with pytest.raises(VerificationError):
            confirm(challenge, code, **kwargs)
    with pytest.raises(VerificationError):
        services.challenge_confirm(challenge_id=None, mobile=MOBILE, purpose=PURPOSE, subject="RJ-2026-7K4Q", code=code)


def test_a_new_code_replaces_the_earlier_one():
    first = send()
    first_code = sent_code(MOBILE)
    second = send()
    with pytest.raises(VerificationError) as error:
        confirm(first, first_code)
    assert error.value.code == "used"
    assert confirm(second, sent_code(MOBILE)).confirmed_at is not None


def test_at_most_three_codes_an_hour_per_number():
    for _ in range(3):
        send()
    with pytest.raises(VerificationError) as error:
        send(subject="another")
    assert error.value.code == "send_limit"
    assert MobileChallenge.objects.count() == 3 and OutboxMessage.objects.filter(template="mobile_code").count() == 3
    send(mobile="+919829066666")  # another number is not held up
    later = timezone.now() + datetime.timedelta(hours=1, seconds=1)
    send(at=later)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12 34 5x", "\x00" * 6, "9" * 500])
def test_bad_codes_are_wrong_tries_and_never_errors(code):
    challenge = send()
    with pytest.raises(VerificationError):
        confirm(challenge, code)
    challenge.refresh_from_db()
    assert challenge.tries == 1 and challenge.confirmed_at is None


def test_sending_and_every_try_are_audited_without_the_code():
    challenge = send()
    code = sent_code(MOBILE)
    with pytest.raises(VerificationError):
        confirm(challenge, wrong(code))
    confirm(challenge, code)
    entries = AuditEntry.objects.filter(content_type__model="mobilechallenge", object_pk=str(challenge.pk))
    assert entries.count() >= 3  # sent, a wrong try, confirmed
    text = repr(list(entries.values_list("changes", flat=True)))
    assert code not in text and challenge.code_digest not in text and "9829055555" not in text


def test_the_daily_job_wipes_codes_that_expired_unused():
    send()
    code = sent_code(MOBILE)
    MobileChallenge.objects.update(
        created_at=timezone.now() - datetime.timedelta(hours=1), expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert services.challenges_wipe_expired() == {"codes_wiped": 1}
    assert code not in OutboxMessage.objects.get(template="mobile_code").body
