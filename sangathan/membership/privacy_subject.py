"""Members as data principals of the privacy app (``privacy.subjects``), registered from
``MembershipConfig.ready``: a member asks for a copy, a correction, or withdrawal with erasure of their
membership data on the same public privacy pages as an applicant (``/privacy/me/…``), with a ticket issued on
``/join/me/`` after the code sent to their number was typed back (``verification``, purpose ``membership``,
subject ``member-self:<id>``); the privacy officers of the member's unit see and handle the requests.

Erasure is ``rights.member_withdraw``: the membership is revoked (the counters, the day rows and the referrer's
count go down once, under the row lock) and what identified the person is overwritten; the row stays with its
unit, age band, gender and dates so every count stays what it was (docs/privacy.md).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sangathan.access.permissions import APPOINT
from sangathan.membership import rights
from sangathan.membership.models import Member
from sangathan.membership.services import PURPOSE
from sangathan.org.masking import mask_mobile
from sangathan.privacy.subjects import SubjectKind

CODE = "member"


def find(*, pk: int) -> Member | None:
    """The member, unless revoked (withdrawn, "not me", by an admin) or erased: nothing left to ask about."""
    member = Member.objects.exclude(status=Member.Status.REVOKED).select_related("unit__level", "notice").filter(pk=pk)
    member = member.first()
    return None if member is None or rights.is_erased(member) else member


def unit_of(*, obj: Member):
    return obj.unit


def mobile_of(*, obj: Member) -> str:
    return obj.mobile


def challenge_of(*, obj: Member) -> tuple[str, str]:
    return PURPOSE, rights.self_subject(obj.pk)


def data_of(*, obj: Member) -> dict:
    return rights.member_data(obj)


def erase(*, obj: Member, by=None) -> dict[str, int]:
    member = rights.member_withdraw(member=obj)
    return {"members_erased": int(rights.is_erased(member))}


def describe(*, obj: Member) -> str:
    return f"{obj.initials} · {mask_mobile(obj.mobile)} · {obj.unit.display_name}"


def back_url() -> str:
    return reverse("membership_public:me")


def find_by_mobile(*, user, mobile: str) -> Member | None:
    """The member with this number whom ``user`` may act for: membership's staff pages need ``appoint`` at the
    member's unit (entering, reviewing), and so does a request made on a member's behalf."""
    member = (
        Member.objects.restrict(user, APPOINT)
        .exclude(status=Member.Status.REVOKED)
        .select_related("unit__level", "notice")
        .filter(mobile=mobile)
        .first()
    )
    return None if member is None or rights.is_erased(member) else member


MEMBER = SubjectKind(
    code=CODE,
    label=_("member"),
    find=find,
    unit_of=unit_of,
    mobile_of=mobile_of,
    challenge_of=challenge_of,
    data_of=data_of,
    erase=erase,
    describe=describe,
    back_url=back_url,
    find_by_mobile=find_by_mobile,
)
