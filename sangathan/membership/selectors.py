"""Reads of the membership drive. Counts come from the counter rows (``MemberCounter``, kept by the
services), never from counting a subtree's members on a page load; lists read through ``restrict``."""

from dataclasses import dataclass

from django.db.models import QuerySet

from sangathan.access.permissions import VIEW
from sangathan.core.paths import subtree_q
from sangathan.membership.models import Member, MemberCounter, ReferralCode
from sangathan.org.models import Unit


@dataclass
class Counts:
    """Members of a unit's subtree: verified (they count) and pending (code not yet confirmed)."""

    verified: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.verified + self.pending


def counts_for_unit(unit: Unit) -> Counts:
    """One row: the unit's counter."""
    row = MemberCounter.objects.filter(unit=unit).values_list("verified", "pending").first()
    return Counts(*row) if row else Counts()


def counts_by_unit(units: list[Unit]) -> dict[int, Counts]:
    """The counters of ``units`` (e.g. one page of children), one query."""
    rows = MemberCounter.objects.filter(unit__in=units).values_list("unit_id", "verified", "pending")
    found = {unit_id: Counts(verified, pending) for unit_id, verified, pending in rows}
    return {unit.pk: found.get(unit.pk, Counts()) for unit in units}


def members_in(user, unit: Unit) -> QuerySet[Member]:
    """The members of ``unit``'s subtree that ``user`` may see, newest first."""
    return (
        Member.objects.restrict(user, VIEW)
        .filter(subtree_q([unit.path], "unit__path"))
        .select_related("unit", "referred_by")
        .order_by("-joined_at", "-id")
    )


def codes_of_unit(user, unit: Unit) -> list[ReferralCode]:
    """The unit's join link and its office-bearers' referral links, with their counts."""
    codes = ReferralCode.objects.restrict(user, VIEW).filter(unit=unit).exclude(kind=ReferralCode.Kind.MEMBER)
    return list(codes.select_related("person").order_by("kind", "-verified_count", "code"))
