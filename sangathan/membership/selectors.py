"""Reads of the membership drive. Counts come from the counter rows (``MemberCounter``, kept by the
services), never from counting a subtree's members on a page load; lists read through ``restrict``."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from sangathan.access.permissions import VIEW
from sangathan.core.paths import subtree_q
from sangathan.membership.models import COUNTED, FraudSignal, Member, MemberCounter, ReferralCode
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


def review_queue(user, unit: Unit) -> QuerySet[Member]:
    """The flagged sign-ups of ``unit``'s subtree that ``user`` may see and that wait for a decision (held
    after their code, or still pending), oldest first, with their signals."""
    return (
        Member.objects.restrict(user, VIEW)
        .filter(
            subtree_q([unit.path], "unit__path"), flagged=True, status__in=[Member.Status.HELD, Member.Status.PENDING]
        )
        .select_related("unit", "referred_by")
        .prefetch_related(Prefetch("signals", queryset=FraudSignal.objects.order_by("created_at", "id")))
        .order_by("joined_at", "id")
    )


def frozen_links(user, unit: Unit) -> list[ReferralCode]:
    """The frozen referral links of ``unit``'s subtree, with the signals on the link itself."""
    links = ReferralCode.objects.restrict(user, VIEW).filter(subtree_q([unit.path], "unit__path"), frozen=True)
    signals = Prefetch("signals", queryset=FraudSignal.objects.filter(member__isnull=True).order_by("created_at"))
    return list(links.select_related("unit", "person", "member").prefetch_related(signals).order_by("code"))


def codes_of_unit(user, unit: Unit) -> list[ReferralCode]:
    """The unit's join link and its office-bearers' referral links, with their counts."""
    codes = ReferralCode.objects.restrict(user, VIEW).filter(unit=unit).exclude(kind=ReferralCode.Kind.MEMBER)
    return list(codes.select_related("person").order_by("kind", "-verified_count", "code"))


def children_of(unit: Unit) -> QuerySet[Unit]:
    """The units right below ``unit`` (a unit the caller fetched in scope: its children are in scope too)."""
    return Unit.objects.filter(parent=unit).select_related("level").order_by("number", "name_en", "name_hi", "id")


def ancestors_of(unit: Unit) -> list[Unit]:
    """The units above ``unit``, the root first (the caller keeps those the user may see)."""
    return list(Unit.objects.filter(path__in=unit.ancestor_paths(include_self=False)).order_by("depth"))


# ---------------------------------------------------------------- public pages (no user: what a code grants)


def public_link(code: str) -> ReferralCode | None:
    """The active join link behind a code typed or scanned from a poster; None for anything else."""
    code = (code or "").strip().upper()
    if not code.isascii() or not code.isalnum() or len(code) > 12:
        return None
    links = ReferralCode.objects.select_related("unit__level", "person", "member")
    return links.filter(code=code, is_active=True).first()


def own_code(member: Member) -> ReferralCode | None:
    """A verified member's own referral link (shown to them once they proved their number)."""
    return ReferralCode.objects.filter(member=member, is_active=True).first()


def counted_member(pk: int) -> Member | None:
    """A member who counts (verified or active), by the id a signed card link names."""
    return Member.objects.select_related("unit__level").filter(pk=pk, status__in=COUNTED).first()
