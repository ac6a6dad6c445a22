"""Reads of the membership drive. Counts come from the counter rows (``MemberCounter``, kept by the
services), never from counting a subtree's members on a page load; lists read through ``restrict``."""

import datetime
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from sangathan.access.permissions import VIEW
from sangathan.core.paths import subtree_q
from sangathan.membership.models import (
    COUNTED,
    DuplicateCase,
    FraudSignal,
    Member,
    MemberCounter,
    MemberDay,
    ReferralCode,
)
from sangathan.org.models import CoverageCounter, Unit

BOOTH = "booth"  # the level code of booths (forms_public.BOOTH_LEVEL), where the target is set
DEFAULT_TARGET_PER_BOOTH = 100


def target_per_booth() -> int:
    """Verified members each booth should have (``MEMBERSHIP_TARGET_PER_BOOTH``)."""
    return int(getattr(settings, "MEMBERSHIP_TARGET_PER_BOOTH", DEFAULT_TARGET_PER_BOOTH))


@dataclass
class Counts:
    """Members of a unit's subtree: verified (they count) and pending (code not yet confirmed); of the
    verified, the youth (18–35) and the women; and the booths below, for the target."""

    verified: int = 0
    pending: int = 0
    youth: int = 0
    women: int = 0
    booths: int = 0

    @property
    def total(self) -> int:
        return self.verified + self.pending

    @property
    def target(self) -> int:
        return self.booths * target_per_booth()

    @staticmethod
    def _percent(part: int, whole: int) -> float:
        return round(100 * part / whole, 1) if whole else 0.0

    @property
    def target_percent(self) -> float:
        return self._percent(self.verified, self.target)

    @property
    def youth_percent(self) -> float:
        return self._percent(self.youth, self.verified)

    @property
    def women_percent(self) -> float:
        return self._percent(self.women, self.verified)

    @property
    def per_booth(self) -> float:
        return round(self.verified / self.booths, 1) if self.booths else 0.0


COUNTER_FIELDS = ("verified", "pending", "youth", "women")


def booths_by_unit(units: list[Unit]) -> dict[int, int]:
    """The booths in each unit's subtree, from the coverage counters (a booth is one booth itself)."""
    rows = CoverageCounter.objects.filter(unit__in=units, level__code=BOOTH).values_list("unit_id", "units_total")
    found = dict(rows)
    return {unit.pk: 1 if unit.level.code == BOOTH else found.get(unit.pk, 0) for unit in units}


def counts_for_unit(unit: Unit) -> Counts:
    """Two rows: the unit's counter and its booth count."""
    return counts_by_unit([unit])[unit.pk]


def counts_by_unit(units: list[Unit]) -> dict[int, Counts]:
    """The counters of ``units`` (e.g. one page of children), two queries."""
    rows = MemberCounter.objects.filter(unit__in=units).values_list("unit_id", *COUNTER_FIELDS)
    found = {row[0]: dict(zip(COUNTER_FIELDS, row[1:], strict=True)) for row in rows}
    booths = booths_by_unit(units)
    return {unit.pk: Counts(**found.get(unit.pk, {}), booths=booths[unit.pk]) for unit in units}


@dataclass
class Day:
    day: datetime.date
    gained: int = 0
    lost: int = 0

    @property
    def net(self) -> int:
        return self.gained - self.lost


def growth(unit: Unit, *, days: int = 30, today: datetime.date | None = None) -> list[Day]:
    """The last ``days`` days of ``unit``'s subtree, oldest first, days without a change included: at most
    ``days`` rows of one unit (``MemberDay``)."""
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    rows = MemberDay.objects.filter(unit=unit, day__gte=first, day__lte=today).values_list("day", "gained", "lost")
    found = {day: (gained, lost) for day, gained, lost in rows}
    series = [first + datetime.timedelta(days=n) for n in range(days)]
    return [Day(day, *found.get(day, (0, 0))) for day in series]


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


def duplicate_queue(user, unit: Unit) -> QuerySet[DuplicateCase]:
    """The open likely-duplicate cases of ``unit``'s subtree that ``user`` may see, oldest first."""
    return (
        DuplicateCase.objects.restrict(user, VIEW)
        .filter(subtree_q([unit.path], "unit__path"), status=DuplicateCase.Status.OPEN)
        .select_related("unit", "member", "other")
        .order_by("created_at", "id")
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
    """A verified member's own referral link (shown to them once they proved their number); no query when
    the code was just made for this very row (``services._welcome``)."""
    cache = Member.own_code.related  # the reverse side of the one-to-one
    if cache.is_cached(member):
        own = cast(ReferralCode | None, cache.get_cached_value(member))
        return own if own is not None and own.is_active else None
    return ReferralCode.objects.filter(member=member, is_active=True).first()


def counted_member(pk: int) -> Member | None:
    """A member who counts (verified or active), by the id a signed card link names."""
    return Member.objects.select_related("unit__level").filter(pk=pk, status__in=COUNTED).first()
