"""A member's rights over their personal data (India's DPDP Act 2023; docs/privacy.md): see what is held,
correct the name or booth, download a copy, withdraw consent. Reached from the public page /join/me/
after a code sent to the member's mobile is typed back (``verification``, purpose ``membership``,
subject ``member-self:<id>``): a mobile number alone is never proof (it is on posters and in groups).

Withdrawal is leaving: the membership is revoked (``services.member_revoke``, so the counters, the day rows
and the referrer's count go down once, under the row lock; a second withdrawal finds it revoked and changes
nothing) and the personal data is erased by the privacy app's rules: the row stays for the counts with its
age band, gender, unit and dates, and what identified the person (name, relative's name, mobile, voter ID,
the address the form came from) is overwritten with the privacy app's placeholders, with set-based updates
(no new copy in the audit trail), then taken out of older audit entries (``audit_redact``), the membership's own
messages to the number (``own_messages``: not another person's sharing it) and the codes sent for it; one audit entry says it was erased, by whom and when.
"""

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.audit.services import audit_bulk_action, audit_redact
from sangathan.membership import counters, duplicates, selectors, services
from sangathan.membership.errors import MembershipError
from sangathan.membership.forms_public import BOOTH_LEVEL
from sangathan.membership.models import NAME_MAX, DuplicateCase, Member, ReferralCode
from sangathan.notifications.models import OutboxMessage
from sangathan.org.models import Unit
from sangathan.privacy.services import ERASED_NAME_EN, ERASED_PREFIX, ERASED_TEXT
from sangathan.verification.models import MobileChallenge

SELF_PREFIX = "member-self:"


def self_subject(member_id: int) -> str:
    """What a code asked on /join/me/ unlocks: this member's own data, nothing else (not the join form's
    ``member:<id>``, so a code from one page opens nothing on the other)."""
    return f"{SELF_PREFIX}{member_id}"


def erased_mobile(member_id: int) -> str:
    """The placeholder of an erased member's number: never a real number, unique per row (16 characters up
    to 99,999,999 members)."""
    return f"{ERASED_PREFIX}m{member_id}"


def is_erased(member: Member) -> bool:
    return member.mobile.startswith(ERASED_PREFIX)


def member_for_self(*, member_id: int, mobile: str) -> Member | None:
    """The member a proven session names, if it still holds that number and is not revoked."""
    rows = Member.objects.exclude(status=Member.Status.REVOKED).select_related("unit__level", "notice", "referred_by")
    return rows.filter(pk=member_id, mobile=mobile).first()


def member_for_number(mobile: str) -> Member | None:
    """The number's member that is not revoked (at most one: ``member_one_per_mobile``)."""
    return Member.objects.exclude(status=Member.Status.REVOKED).filter(mobile=mobile).first()


def booth_within(root: Unit, pk: int | None) -> Unit | None:
    """The booth ``pk`` if it lies under ``root`` (where a member may move their booth), else None."""
    booth = Unit.objects.filter(pk=pk, level__code=BOOTH_LEVEL).first() if pk else None
    return booth if booth is not None and booth.is_within(root) else None


# ---------------------------------------------------------------- the membership's messages


def _subjects(member: Member) -> list[str]:
    """The subjects of the codes sent for this membership: joining, and this page."""
    return [services.subject_of(member), self_subject(member.pk)]


def own_messages(member: Member, *, mobile: str | None = None) -> QuerySet[OutboxMessage]:
    """The messages this membership sent to ``mobile`` (the member's number unless given): its welcome, the
    paper-form notice and the codes sent for it. Not every message to the number: numbers are recycled and
    shared, so another person's messages to it (an office-bearer's, with ``person`` set, or an earlier
    holder's) are not this member's to see or erase."""
    keys = [f"membership:welcome:{member.pk}", f"membership:paper:{member.pk}"]
    codes = MobileChallenge.objects.filter(subject__in=_subjects(member), message__isnull=False).values("message_id")
    rows = OutboxMessage.objects.filter(recipient=mobile or member.mobile, person__isnull=True)
    return rows.filter(Q(idempotency_key__in=keys) | Q(pk__in=codes))


# ---------------------------------------------------------------- the copy


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def member_data(member: Member) -> dict:
    """Everything held about ``member`` as they gave it or as it was recorded about them: the copy shown on
    the page and downloaded as JSON. Nothing about another person (who referred them is a code, not a
    name; the members they brought are a count)."""
    unit = member.unit
    own = ReferralCode.objects.filter(member=member).first()
    # Since joining (to the second: SQLite keeps the outbox's times to the millisecond).
    since = member.joined_at.replace(microsecond=0)
    messages = own_messages(member).filter(created_at__gte=since).order_by("created_at", "pk")
    return {
        "member": {
            "name": member.name,
            "relative_name": member.relative_name,
            "mobile": member.mobile,
            "voter_id_epic": member.epic,
            "age_when_joining": member.age,
            "gender": member.gender,
            "unit": unit.display_name,
            "unit_path": [u.display_name for u in selectors.ancestors_of(unit)] + [unit.display_name],
            "status": member.status,
            "source": member.source,
            "language": member.language,
            "joined_at": _iso(member.joined_at),
            "verified_at": _iso(member.verified_at),
        },
        "consent": {
            "notice_version": member.notice.version,
            "notice_text_hi": member.notice.text_hi,
            "notice_text_en": member.notice.text_en,
            "given_at": _iso(member.consent_at),
        },
        "referral": {
            "joined_with_code": member.referred_by.code if member.referred_by_id else None,
            "own_code": own.code if own else None,
            "members_brought_verified": own.verified_count if own else 0,
        },
        "held_for_review": member.flagged,
        "fraud_signals": sorted(member.signals.values_list("kind", flat=True)),
        "messages": [
            {
                "template": m.template,
                "channel": m.channel,
                "status": m.status,
                "created_at": _iso(m.created_at),
                "text": m.body,
            }
            for m in messages
        ],
    }


# ---------------------------------------------------------------- correction


@transaction.atomic
def member_correct(*, member: Member, name: str, unit: Unit | None = None) -> Member:
    """The member corrects their name and/or booth. A new booth moves their count from the old booth's
    chain to the new one's (the common ancestors net nothing); the new name is checked for likely
    duplicates at the booth. Audited (a model save)."""
    member = Member.objects.select_for_update().select_related("unit").get(pk=member.pk)
    if member.status == Member.Status.REVOKED:
        raise MembershipError(_("This membership has ended."), code="revoked")
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX:
        raise MembershipError(_("Enter your name."), code="name")
    changed = []
    if name != member.name:
        member.name, member.name_key = name, duplicates.name_key(name)
        changed += ["name", "name_key"]
    if unit is not None and unit.pk != member.unit_id:
        old = member.unit
        counters.move(old, before=member.status, after=None, member=member)
        counters.move(unit, before=None, after=member.status, member=member)
        member.unit = unit
        changed.append("unit")
    if changed:
        member.save(update_fields=changed)
        duplicates.detect(member)
    return member


# ---------------------------------------------------------------- withdrawal


def _words(member: Member) -> set[str]:
    words = {member.name, member.relative_name, member.mobile, member.mobile[-10:], member.epic}
    return {word for word in words if word and not word.startswith(ERASED_PREFIX)}


@transaction.atomic
def member_withdraw(*, member: Member, at: datetime.datetime | None = None) -> Member:
    """The member withdraws consent: the membership ends (counts down once) and their personal data is
    erased. A second call (a double click, a replayed POST) changes nothing."""
    now = at or timezone.now()
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status == Member.Status.REVOKED:
        return member
    words = _words(member)
    mobile = member.mobile
    services.member_revoke(member=member, via=Member.RevokedVia.WITHDRAWN, reason="", at=now)
    _erase(member, mobile=mobile, words=words)
    return Member.objects.select_related("unit").get(pk=member.pk)


def _erase(member: Member, *, mobile: str, words: set[str]) -> dict[str, int]:
    placeholder = erased_mobile(member.pk)
    counts = {
        "members": Member.objects.filter(pk=member.pk).update(
            name=ERASED_NAME_EN,
            name_key="",
            relative_name="",
            mobile=placeholder,
            epic="",
            join_address=None,
            join_token="",
            join_challenge_id=None,
        )
    }
    # The membership's messages to the number: the outbox keeps that they went (delivery counts), not to whom
    # or what. Others' messages to the same number (an office-bearer sharing it) are left alone.
    sent = OutboxMessage.objects.filter(pk__in=list(own_messages(member, mobile=mobile).values_list("pk", flat=True)))
    unsent = [OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED, OutboxMessage.Status.SENDING]
    sent.filter(status__in=unsent).update(status=OutboxMessage.Status.DEAD, last_error=ERASED_TEXT, claimed_at=None)
    counts["messages"] = sent.update(recipient=ERASED_TEXT, subject="", body=ERASED_TEXT)
    # The codes sent for this membership (joining, this page): kept as rows for the send limits' history.
    counts["codes"] = MobileChallenge.objects.filter(mobile=mobile, subject__in=_subjects(member)).update(
        mobile=placeholder
    )
    # Open duplicate cases about an erased member are moot: nobody can compare a name that is gone.
    counts["duplicate_cases"] = DuplicateCase.objects.filter(
        Q(member=member) | Q(other=member), status=DuplicateCase.Status.OPEN
    ).delete()[0]
    erased = Member.objects.get(pk=member.pk)
    counts["audit_entries"] = audit_redact(objects=[erased], words=words)
    audit_bulk_action(obj=erased, what="personal_data_erased", count=1, model=Member, ids=[member.pk], by=None)
    return counts
