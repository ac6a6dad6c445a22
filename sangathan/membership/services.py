"""Writes of the membership drive: joining, proving the mobile number, revoking, referral codes.

Each function is keyword-only, runs in one transaction and leaves its trail: the members and referral
codes are audited models (``audit/registry.py``), the counters move in the same transaction
(``membership.counters``). What keeps the count honest:

* a sign-up is *pending* until the code sent to its mobile is typed back (``verification``, purpose
  ``membership``): only then does it count, for its unit and its referrer;
* one member per mobile that is not revoked (a unique constraint): the same number joining again finds
  its row under a lock, so a double click, a retried POST or two tabs never make a second member; the
  page says the same ("we sent a code") whether or not the number is a member already;
* one verified member per EPIC: checked when the code is confirmed, told only to the proven holder of the
  number (a pending sign-up cannot squat somebody's voter ID);
* every verified member gets an SMS with a signed "not me" link; the holder of the number takes the
  membership back with it and the counts go down.
"""

import datetime
import secrets
from collections import Counter as Tally
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.audit.services import audit_bulk_update
from sangathan.membership import counters, duplicates, fraud
from sangathan.membership.errors import MembershipError
from sangathan.membership.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    COUNTED,
    REASON_MAX,
    FraudSignal,
    Member,
    Notice,
    ReferralCode,
)
from sangathan.membership.notice import NOTICE_EN, NOTICE_HI, NOTICE_VERSION
from sangathan.notifications.services import message_queue
from sangathan.org.models import Appointment, Person, Unit
from sangathan.verification import services as verification
from sangathan.verification.errors import VerificationError
from sangathan.verification.models import MobileChallenge

PURPOSE = MobileChallenge.Purpose.MEMBERSHIP
NOT_ME_SALT = "sangathan.membership.not-me"
CHECK_SALT = "sangathan.membership.card-check"
DEFAULT_MIN_AGE = 18
DEFAULT_DISPUTE_DAYS = 7
PAPER_SOURCES = (Member.Source.PAPER, Member.Source.SHEET)


def min_age() -> int:
    return int(getattr(settings, "MEMBERSHIP_MIN_AGE", DEFAULT_MIN_AGE))


def dispute_days() -> int:
    """Days a paper member's number has to say "not me" before the member counts without a code."""
    return int(getattr(settings, "MEMBERSHIP_DISPUTE_DAYS", DEFAULT_DISPUTE_DAYS))


def public_url(path: str) -> str:
    base = getattr(settings, "SANGATHAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + path


def subject_of(member: Member) -> str:
    """What a code sent for joining unlocks: this member row, nothing else."""
    return f"member:{member.pk}"


# ---------------------------------------------------------------- the notice


def notice_current() -> Notice:
    """The notice shown on the join page now (its text is kept once per version)."""
    notice, _created = Notice.objects.get_or_create(
        version=NOTICE_VERSION, defaults={"text_hi": NOTICE_HI, "text_en": NOTICE_EN}
    )
    return notice


# ---------------------------------------------------------------- referral codes


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _code_create(**fields) -> ReferralCode:
    """A row with a fresh random code; a clash with an existing code (1 in billions) draws again."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(code=_new_code(), **fields)
        except IntegrityError:
            existing = _existing_code(fields)
            if existing is not None:  # another request made the same owner's code first
                return existing
    raise MembershipError(_("Could not make a new code. Please try again."), code="code_clash")


def _existing_code(fields: dict) -> ReferralCode | None:
    kind = fields["kind"]
    if kind == ReferralCode.Kind.UNIT:
        return ReferralCode.objects.filter(kind=kind, unit=fields["unit"]).first()
    if kind == ReferralCode.Kind.PERSON:
        return ReferralCode.objects.filter(person=fields["person"]).first()
    return ReferralCode.objects.filter(member=fields["member"]).first()


@transaction.atomic
def referral_code_for_unit(*, unit: Unit, by=None) -> ReferralCode:
    """The unit's own join link (made the first time it is asked for)."""
    existing = ReferralCode.objects.filter(kind=ReferralCode.Kind.UNIT, unit=unit).first()
    return existing or _code_create(kind=ReferralCode.Kind.UNIT, unit=unit)


@transaction.atomic
def referral_code_for_person(*, person: Person, unit: Unit, by=None) -> ReferralCode:
    """An office-bearer's (or volunteer's) own referral link; people who join with it are placed at
    ``unit`` (their post's unit) unless they pick a booth below it."""
    existing = ReferralCode.objects.filter(person=person).first()
    return existing or _code_create(kind=ReferralCode.Kind.PERSON, person=person, unit=unit)


@transaction.atomic
def referral_codes_ensure(*, unit: Unit, by=None) -> list[ReferralCode]:
    """The unit's join link and a referral link for each of its office-bearers (made where missing)."""
    codes = [referral_code_for_unit(unit=unit, by=by)]
    appointments = Appointment.objects.filter(unit=unit, status=Appointment.Status.ACTIVE).select_related("person")
    for appointment in appointments.order_by("pk"):
        codes.append(referral_code_for_person(person=appointment.person, unit=unit, by=by))
    return codes


def _member_code(member: Member) -> ReferralCode:
    """The member's own referral code, made when they first count. No look-up first: only ``_welcome`` asks,
    once per member, and a code made already (the one-to-one constraint refuses a second) is returned by
    ``_code_create``. Making it sets ``member.own_code``, which the member page then reads without a query."""
    return _code_create(kind=ReferralCode.Kind.MEMBER, member=member, unit=member.unit)


def _referral_move(referral_id: int | None, *, before: str | None, after: str | None) -> None:
    if referral_id is None:
        return
    verified = int(after in COUNTED) - int(before in COUNTED)
    pending = int(after == Member.Status.PENDING) - int(before == Member.Status.PENDING)
    if verified or pending:  # a frozen link's counts stand still until reviewed (then they are recounted)
        ReferralCode.objects.filter(pk=referral_id, frozen=False).update(
            verified_count=F("verified_count") + verified, pending_count=F("pending_count") + pending
        )


# ---------------------------------------------------------------- joining


@dataclass
class JoinAnswer:
    """What the join page shows next: the code page for ``member`` and ``challenge_id`` (0 when no code
    could be sent; ``problem`` says why, e.g. too many codes to this number)."""

    member: Member
    challenge_id: int
    problem: str = ""


def member_join(
    *,
    unit: Unit,
    name: str,
    mobile: str,
    age: int,
    epic: str = "",
    gender: str = "",
    referral: ReferralCode | None = None,
    token: str = "",
    language: str = "hi",
    requested_from: str | None = None,
    at: datetime.datetime | None = None,
) -> JoinAnswer:
    """A sign-up from the join page: a pending member (or the number's existing row) and a code sent to
    ``mobile``. ``mobile`` is normalised (+91…), ``epic`` upper case or "". The same ``token`` again (a
    double click, a retried POST) sends no second code. Never tells whether the number is a member."""
    if age < min_age():
        raise MembershipError(_("Members must be at least %(age)d years old.") % {"age": min_age()}, code="under_age")
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _join(
                    unit=unit,
                    name=name,
                    mobile=mobile,
                    age=age,
                    epic=epic,
                    gender=gender,
                    referral=referral,
                    token=token,
                    language=language,
                    requested_from=requested_from,
                    at=at or timezone.now(),
                )
        except IntegrityError:
            # Two first sign-ups of one number at once: the other one made the row; lock it and go on.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _join(*, unit, name, mobile, age, epic, gender, referral, token, language, requested_from, at) -> JoinAnswer:
    member = Member.objects.select_for_update().exclude(status=Member.Status.REVOKED).filter(mobile=mobile).first()
    if member is not None and token and member.join_token == token and member.join_challenge_id:
        return JoinAnswer(member, member.join_challenge_id)  # the same form again: the code is on its way
    if member is None:
        member = Member.objects.create(
            unit=unit,
            name=name,
            name_key=duplicates.name_key(name),
            mobile=mobile,
            age=age,
            epic=epic,
            gender=gender,
            referred_by=referral,
            notice=notice_current(),
            consent_at=at,
            language=language,
            joined_at=at,
            join_address=requested_from or None,
        )
        counters.move(unit, before=None, after=member.status)
        _referral_move(member.referred_by_id, before=None, after=member.status)
        _flag(member, at=at)
        duplicates.detect(member, at=at)
    elif member.status == Member.Status.PENDING:
        # Nobody has proven this number yet: the latest form wins (only the holder of the number can
        # confirm it, so a stranger's earlier sign-up with it is simply replaced).
        if member.unit_id != unit.pk:
            counters.move(member.unit, before=member.status, after=None)
            counters.move(unit, before=None, after=member.status)
        if member.referred_by_id != (referral.pk if referral else None):
            _referral_move(member.referred_by_id, before=member.status, after=None)
            _referral_move(referral.pk if referral else None, before=None, after=member.status)
        member.unit, member.name, member.age, member.epic, member.gender = unit, name, age, epic, gender
        member.name_key = duplicates.name_key(name)
        member.referred_by, member.notice, member.consent_at, member.language = referral, notice_current(), at, language
        member.join_address = requested_from or None
        member.save(
            update_fields=[
                "unit",
                "name",
                "name_key",
                "age",
                "epic",
                "gender",
                "referred_by",
                "notice",
                "consent_at",
                "language",
                "join_address",
            ]
        )
        _flag(member, at=at)
        duplicates.detect(member, at=at)
    # else: a member already (verified, active, lapsed): nothing of the form is kept; the code lets the
    # holder of the number see their card, and the page looks the same as for a new sign-up.
    try:
        challenge = verification.challenge_send(
            mobile=mobile,
            purpose=PURPOSE,
            subject=subject_of(member),
            language=language,
            requested_from=requested_from,
            at=at,
        )
    except VerificationError as error:  # too many codes to this number: the page says so, the row is kept
        return JoinAnswer(member, 0, " ".join(error.messages))
    member.join_token, member.join_challenge_id = token[:64], challenge.pk
    # Bookkeeping of the form, not the member's data: saved without an audit entry.
    Member.objects.filter(pk=member.pk).update(join_token=member.join_token, join_challenge_id=challenge.pk)
    return JoinAnswer(member, challenge.pk)


def _replaced() -> MembershipError:
    return MembershipError(_("A newer form was sent with this number. Please fill in the form again."), code="replaced")


@transaction.atomic
def member_code_resend(
    *, member_id: int, mobile: str, form_token: str, language: str = "hi", requested_from: str | None = None
) -> JoinAnswer:
    """A new code for a sign-up (the "send the code again" button), for the form ``form_token`` only: once a
    later form was sent with the number, this page sends nothing (else its holder would confirm the later
    form's details, e.g. a stranger's name and referrer). Within the per-number limit."""
    member = (
        Member.objects.select_for_update()
        .exclude(status=Member.Status.REVOKED)
        .filter(pk=member_id, mobile=mobile)
        .first()
    )
    if member is None:
        raise MembershipError(_("This page has expired. Please fill in the form again."), code="expired")
    if member.join_token != form_token[:64]:
        raise _replaced()
    try:
        challenge = verification.challenge_send(
            mobile=mobile, purpose=PURPOSE, subject=subject_of(member), language=language, requested_from=requested_from
        )
    except VerificationError as error:
        return JoinAnswer(member, 0, " ".join(error.messages))
    Member.objects.filter(pk=member.pk).update(join_challenge_id=challenge.pk)
    return JoinAnswer(member, challenge.pk)


def member_confirm(*, member_id: int, challenge_id: int, mobile: str, code: str, form_token: str) -> Member:
    """Check the code typed on the join page; the member is verified (or was already). Raises
    ``VerificationError`` for a wrong, used, expired or over-tried code, ``MembershipError`` when the
    number's membership cannot be verified (the voter ID is another member's) or a later form for the number
    replaced the one this page was for (its details are not the ones the code would prove)."""
    member = Member.objects.exclude(status=Member.Status.REVOKED).filter(pk=member_id, mobile=mobile).first()
    if member is not None and member.status == Member.Status.PENDING and member.join_token != form_token[:64]:
        raise _replaced()
    subject = f"member:{member_id}"
    verification.challenge_confirm(
        challenge_id=challenge_id, mobile=mobile, purpose=PURPOSE, subject=subject, code=code
    )
    if member is None:  # revoked between the code and now: nothing to verify
        raise MembershipError(_("This sign-up was withdrawn. Please fill in the form again."), code="revoked")
    return member_verify(member=member)


def confirmed_recently(*, member_id: int, challenge_id: int, mobile: str, minutes: int = 10) -> Member | None:
    """The member of a code this page already confirmed a moment ago (a double click on "confirm"), or
    None: the code in the page's signed note must be the one that was confirmed."""
    if not verification.is_confirmed(
        challenge_id=challenge_id, mobile=mobile, purpose=PURPOSE, subject=f"member:{member_id}"
    ):
        return None
    since = timezone.now() - datetime.timedelta(minutes=minutes)
    if not MobileChallenge.objects.filter(pk=challenge_id, confirmed_at__gte=since).exists():
        return None
    return Member.objects.filter(pk=member_id, mobile=mobile, status__in=COUNTED).first()


@transaction.atomic
def member_verify(*, member: Member, at: datetime.datetime | None = None) -> Member:
    """The code was confirmed: pending → verified, the counters and the referrer's count go up, the member
    gets their own referral code and the welcome SMS with the "not me" link. Twice is once. A lapsed member
    who joins again and confirms the code renews: verified from now, counted again (``lifecycle``)."""
    # Only the member row is locked (not its unit's, which every sign-up at the booth reads); the level
    # comes along for the member page.
    members = Member.objects.select_for_update(of=("self",)).select_related("unit__level")
    member = members.get(pk=member.pk)
    if member.status == Member.Status.LAPSED:
        return _renew(member, at=at or timezone.now())
    if member.status != Member.Status.PENDING:
        return member
    taken = MembershipError(
        _(
            "This voter ID (EPIC) is already registered to another member. Check the number on your card, "
            "or leave it empty and send the form again."
        ),
        code="epic_taken",
    )
    proven = [Member.Status.VERIFIED, Member.Status.ACTIVE, Member.Status.LAPSED]
    if member.epic and Member.objects.filter(epic=member.epic, status__in=proven).exclude(pk=member.pk).exists():
        raise taken
    now = at or timezone.now()
    if member.flagged:  # proven number, doubtful sign-up: a reviewer decides (member_review)
        member.status, member.verified_at = Member.Status.HELD, now
        member.save(update_fields=["status", "verified_at"])
        counters.move(member.unit, before=Member.Status.PENDING, after=member.status)
        _referral_move(member.referred_by_id, before=Member.Status.PENDING, after=member.status)
        return member
    member.status, member.verified_at = Member.Status.VERIFIED, now
    try:
        with transaction.atomic():  # two verifications of one EPIC at once: the constraint refuses the second
            member.save(update_fields=["status", "verified_at"])
    except IntegrityError:
        raise taken from None
    counters.move(member.unit, before=Member.Status.PENDING, after=member.status, member=member, at=now)
    _referral_move(member.referred_by_id, before=Member.Status.PENDING, after=member.status)
    _welcome(member)
    return member


def _renew(member: Member, *, at: datetime.datetime) -> Member:
    member.status, member.verified_at = Member.Status.VERIFIED, at
    member.save(update_fields=["status", "verified_at"])
    counters.move(member.unit, before=Member.Status.LAPSED, after=member.status, member=member, at=at)
    _referral_move(member.referred_by_id, before=Member.Status.LAPSED, after=member.status)
    return member


def _welcome(member: Member) -> None:
    """A member who now counts: their own referral link and the welcome SMS with the "not me" link."""
    own = _member_code(member)
    message_queue(
        channel=verification.code_channel(),
        recipient=member.mobile,
        template="membership_welcome",
        context={
            "unit": member.unit.name_hi if member.language == "hi" else (member.unit.name_en or member.unit.name_hi),
            "not_me_url": public_url(reverse("membership_public:not_me", args=[not_me_token(member)])),
            "join_url": public_url(reverse("membership_public:join", args=[own.code])),
        },
        language=member.language if member.language in ("hi", "en") else "hi",
        idempotency_key=f"membership:welcome:{member.pk}",
    )


# ---------------------------------------------------------------- paper forms


def member_enter(
    *,
    unit: Unit,
    name: str,
    mobile: str,
    age: int,
    by,
    epic: str = "",
    gender: str = "",
    relative_name: str = "",
    source: str = Member.Source.PAPER,
    language: str = "hi",
    at: datetime.datetime | None = None,
) -> Member:
    """A paper membership form typed in by an office-bearer (or a row of an imported sheet): a pending
    member at ``unit`` and an SMS to ``mobile`` with the "not me" link. The member counts once the holder
    of the number confirms a code on the join page, or after ``dispute_days()`` without "not me"
    (``paper_members_promote``). Refuses a number or voter ID that is a member already: a paper form never
    replaces anybody's sign-up."""
    if source not in PAPER_SOURCES:
        raise ValueError(f"not a paper source: {source!r}")
    if age < min_age():
        raise MembershipError(_("Members must be at least %(age)d years old.") % {"age": min_age()}, code="under_age")
    taken = MembershipError(
        _("This mobile number is already a member or has signed up. Nothing was entered."), code="mobile_taken"
    )
    try:
        with transaction.atomic():
            if Member.objects.exclude(status=Member.Status.REVOKED).filter(mobile=mobile).exists():
                raise taken
            proven = [Member.Status.VERIFIED, Member.Status.ACTIVE, Member.Status.LAPSED]
            if epic and Member.objects.filter(epic=epic, status__in=proven).exists():
                raise MembershipError(
                    _("This voter ID (EPIC) is already registered to another member. Nothing was entered."),
                    code="epic_taken",
                )
            now = at or timezone.now()
            member = Member.objects.create(
                unit=unit,
                name=name,
                name_key=duplicates.name_key(name),
                relative_name=" ".join((relative_name or "").split()),
                mobile=mobile,
                age=age,
                epic=epic,
                gender=gender,
                notice=notice_current(),
                consent_at=now,
                language=language,
                joined_at=now,
                source=source,
                entered_by=by if getattr(by, "is_authenticated", False) else None,
            )
            counters.move(unit, before=None, after=member.status)
            _flag(member, at=now)
            duplicates.detect(member, at=now)
            message_queue(
                channel=verification.code_channel(),
                recipient=member.mobile,
                template="membership_paper_entered",
                context={
                    "unit": unit.name_hi if language == "hi" else (unit.name_en or unit.name_hi),
                    "not_me_url": public_url(reverse("membership_public:not_me", args=[not_me_token(member)])),
                    "days": dispute_days(),
                },
                language=language if language in ("hi", "en") else "hi",
                idempotency_key=f"membership:paper:{member.pk}",
            )
            return member
    except IntegrityError:  # the same number entered twice at once: the unique constraint kept one
        raise taken from None


def entered_today(*, by, today: datetime.date | None = None) -> int:
    """How many paper forms ``by`` entered today (Asia/Kolkata), for the entry page."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    return Member.objects.filter(
        entered_by=by,
        source=Member.Source.PAPER,
        joined_at__gte=start,
        joined_at__lt=start + datetime.timedelta(days=1),
    ).count()


@transaction.atomic
def paper_members_promote(*, today: datetime.date | None = None, at: datetime.datetime | None = None) -> int:
    """The daily run: paper members still pending ``dispute_days()`` after their SMS (nobody said "not me")
    become verified, in one UPDATE, with the counters and referrers' counts moved set-based and one audit
    entry per member. A member whose voter ID a proven member holds stays pending (two of them with one
    voter ID: the first entered goes). Safe to run twice. Returns how many were promoted."""
    now = at or timezone.now()
    cutoff = now - datetime.timedelta(days=dispute_days())
    candidates = Member.objects.select_for_update().filter(
        status=Member.Status.PENDING, source__in=PAPER_SOURCES, joined_at__lte=cutoff, flagged=False
    )
    rows = list(
        candidates.order_by("joined_at", "pk").values_list("pk", "unit_id", "referred_by_id", "epic", "age", "gender")
    )
    epics = {row[3] for row in rows if row[3]}
    proven = [Member.Status.VERIFIED, Member.Status.ACTIVE, Member.Status.LAPSED]
    held = set(Member.objects.filter(epic__in=epics, status__in=proven).values_list("epic", flat=True))
    promoted: list[int] = []
    units: Tally = Tally()
    referrers: Tally = Tally()
    youth: Tally = Tally()
    women: Tally = Tally()
    for pk, unit_id, referral_id, epic, age, gender in rows:
        if epic:
            if epic in held:
                continue
            held.add(epic)
        promoted.append(pk)
        units[unit_id] += 1
        youth[unit_id] += int(counters.is_youth(age))
        women[unit_id] += int(counters.is_woman(gender))
        if referral_id is not None:
            referrers[referral_id] += 1
    if not promoted:
        return 0
    Member.objects.filter(pk__in=promoted).update(status=Member.Status.VERIFIED, verified_at=now)
    counters.apply_many(
        {unit_id: (n, -n, youth[unit_id], women[unit_id]) for unit_id, n in units.items()},
        day=timezone.localdate(now),
    )
    for n in set(referrers.values()):
        ReferralCode.objects.filter(pk__in=[pk for pk, m in referrers.items() if m == n]).update(
            verified_count=F("verified_count") + n, pending_count=F("pending_count") - n
        )
    audit_bulk_update(
        objects=list(Member.objects.filter(pk__in=promoted).select_related("unit")),
        changes={"status": [Member.Status.PENDING, Member.Status.VERIFIED]},
    )
    return len(promoted)


# ---------------------------------------------------------------- fraud signals and their review


def _flag(member: Member, *, at: datetime.datetime) -> None:
    """Record the fraud signals a sign-up raises: the sign-up is held for review once its code is confirmed,
    and the link it came through is frozen."""
    found = fraud.signals_for(member, at=at)
    if not found:
        return
    FraudSignal.objects.bulk_create(
        [
            FraudSignal(kind=kind, member=member, referral_id=member.referred_by_id, unit=member.unit, detail=detail)
            for kind, detail in found
        ],
        ignore_conflicts=True,
    )
    if not member.flagged:
        member.flagged = True
        member.save(update_fields=["flagged"])
    if member.referred_by_id is not None:
        ReferralCode.objects.filter(pk=member.referred_by_id).update(frozen=True)


def _check_not_me_rate(referral_id: int) -> None:
    referral = ReferralCode.objects.select_related("unit").get(pk=referral_id)
    rate = fraud.not_me_rate(referral)
    if rate is None or FraudSignal.objects.filter(referral=referral, kind=FraudSignal.Kind.NOT_ME_RATE).exists():
        return
    percent, n = rate
    FraudSignal.objects.create(
        kind=FraudSignal.Kind.NOT_ME_RATE, referral=referral, unit=referral.unit, detail={"percent": percent, "n": n}
    )
    ReferralCode.objects.filter(pk=referral.pk).update(frozen=True)


CLEAR, REVOKE = "clear", "revoke"


@transaction.atomic
def member_review(*, member: Member, decision: str, by, reason: str = "") -> Member:
    """A reviewer's decision on a flagged sign-up: ``clear`` (a held member counts from now, a pending one
    is no longer held when it confirms) or ``revoke`` with a reason (audited like any revocation)."""
    if decision == REVOKE:
        return member_revoke(member=member, via=Member.RevokedVia.ADMIN, reason=reason, by=by)
    if decision != CLEAR:
        raise MembershipError(_("Choose whether to clear or revoke this sign-up."), code="decision")
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    if member.status not in (Member.Status.PENDING, Member.Status.HELD) or not member.flagged:
        return member
    member.flagged = False
    if member.status == Member.Status.PENDING:
        member.save(update_fields=["flagged"])
        return member
    proven = [Member.Status.VERIFIED, Member.Status.ACTIVE, Member.Status.LAPSED]
    if member.epic and Member.objects.filter(epic=member.epic, status__in=proven).exclude(pk=member.pk).exists():
        raise MembershipError(
            _("This voter ID (EPIC) is already registered to another member. Revoke this sign-up instead."),
            code="epic_taken",
        )
    member.status = Member.Status.VERIFIED
    member.save(update_fields=["flagged", "status"])
    counters.move(member.unit, before=Member.Status.HELD, after=member.status, member=member)
    _referral_move(member.referred_by_id, before=Member.Status.HELD, after=member.status)
    _welcome(member)
    return member


@transaction.atomic
def referral_unfreeze(*, referral: ReferralCode, by) -> ReferralCode:
    """A reviewer looked at a frozen link: its counts move again, recounted from its members now (the
    sign-ups still held stay out until each is cleared)."""
    referral = ReferralCode.objects.select_for_update().get(pk=referral.pk)
    members = Member.objects.filter(referred_by=referral)
    referral.frozen = False
    referral.verified_count = members.filter(status__in=COUNTED).count()
    referral.pending_count = members.filter(status=Member.Status.PENDING).count()
    referral.save(update_fields=["frozen", "verified_count", "pending_count"])
    return referral


# ---------------------------------------------------------------- revoking


@transaction.atomic
def member_revoke(
    *, member: Member, via: str, reason: str = "", by=None, at: datetime.datetime | None = None
) -> Member:
    """Take a membership back ("not me", or an admin with a reason): it stops counting at once. A second
    revocation changes nothing."""
    if via not in Member.RevokedVia.values:
        raise ValueError(f"unknown way of revoking {via!r}")
    reason = " ".join((reason or "").split())
    if via == Member.RevokedVia.ADMIN and not reason:
        raise MembershipError(_("Give the reason for revoking this membership."), code="reason_missing")
    if len(reason) > REASON_MAX:
        raise MembershipError(_("Keep the reason under %(n)d characters.") % {"n": REASON_MAX}, code="reason_long")
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    if member.status == Member.Status.REVOKED:
        return member
    before = member.status
    member.status, member.revoked_at = Member.Status.REVOKED, at or timezone.now()
    member.revoked_via, member.revoke_reason = via, reason
    member.save(update_fields=["status", "revoked_at", "revoked_via", "revoke_reason"])
    counters.move(member.unit, before=before, after=member.status, member=member, at=member.revoked_at)
    _referral_move(member.referred_by_id, before=before, after=member.status)
    ReferralCode.objects.filter(member=member).update(is_active=False)
    if via == Member.RevokedVia.NOT_ME and member.referred_by_id is not None:
        _check_not_me_rate(member.referred_by_id)
    return member


def _member_token(member: Member, *, salt: str) -> str:
    """A signed token naming the member row (a number that joins again is a new row); no expiry."""
    return signing.dumps(member.pk, salt=salt, compress=True)


def _member_from_token(token: str, *, salt: str, related: str) -> Member | None:
    """The member a token of ``_member_token`` names; None for a token that is not ours."""
    try:
        pk = signing.loads(token or "", salt=salt)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Member.objects.select_related(related).filter(pk=pk).first()


def not_me_token(member: Member) -> str:
    """The signed "not me" link's token."""
    return _member_token(member, salt=NOT_ME_SALT)


def member_for_not_me(token: str) -> Member | None:
    return _member_from_token(token, salt=NOT_ME_SALT, related="unit")


def member_not_me(*, token: str) -> Member | None:
    """The holder of the number says they never joined: revoke the member the link names. None for a link
    that is not ours."""
    member = member_for_not_me(token)
    if member is None:
        return None
    return member_revoke(member=member, via=Member.RevokedVia.NOT_ME, reason="")


# ---------------------------------------------------------------- the card's check link


def check_token(member: Member) -> str:
    """The signed token of the membership card's QR code (no expiry: the card is printed)."""
    return _member_token(member, salt=CHECK_SALT)


def member_for_check(token: str) -> Member | None:
    return _member_from_token(token, salt=CHECK_SALT, related="unit__level")
