"""Leaderboards of the membership drive, per level: the referral links and the units of a subtree ranked by
verified members only.

What makes them honest: a link's ``verified_count`` moves only with verified members (a held sign-up, one
with a fraud signal, is not verified; a "not me" takes its member off at once), and a frozen link's count
stands still until a reviewer recounts it, so a link under suspicion climbs no further meanwhile. Units are
ranked by verified members *per booth* (a district with 2,000 booths is not ahead of one with 200 for its
size alone), read from the counter rows (``MemberCounter`` and the booth counts of ``CoverageCounter``):
no member is counted on a page load.
"""

from dataclasses import dataclass

from django.db.models import F, FloatField, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Greatest

from sangathan.access.permissions import VIEW
from sangathan.core.paths import subtree_q
from sangathan.membership.models import ReferralCode
from sangathan.membership.selectors import BOOTH
from sangathan.org.models import CoverageCounter, Level, Unit

TOP = 20


def levels_below(unit: Unit) -> list[Level]:
    """The levels a leaderboard of ``unit``'s subtree can rank: those with units there, as the coverage
    counters of the unit know them (one row per level, no walk of the subtree)."""
    kept = CoverageCounter.objects.filter(unit=unit, units_total__gt=0).values("level_id")
    return list(Level.objects.filter(pk__in=Subquery(kept)).order_by("order"))


def referrers(user, unit: Unit, *, limit: int = TOP) -> list[ReferralCode]:
    """The referral links of people (office-bearers and members) in ``unit``'s subtree, most verified
    members first (frozen links with the count they had when frozen)."""
    links = (
        ReferralCode.objects.restrict(user, VIEW)
        .filter(subtree_q([unit.path], "unit__path"), verified_count__gt=0)
        .exclude(kind=ReferralCode.Kind.UNIT)
        .select_related("unit", "person", "member")
        .order_by("-verified_count", "code")
    )
    return list(links[:limit])


@dataclass
class UnitRank:
    unit: Unit
    verified: int
    booths: int

    @property
    def per_booth(self) -> float:
        return round(self.verified / self.booths, 1) if self.booths else 0.0


def ranked_units(user, unit: Unit, level: Level) -> QuerySet[Unit]:
    """The units of ``level`` in ``unit``'s subtree that ``user`` may see, annotated with ``verified`` and
    ``booths`` and ordered by verified members per booth (then verified, then name)."""
    booths = CoverageCounter.objects.filter(unit=OuterRef("pk"), level__code=BOOTH).values("units_total")[:1]
    units = Unit.objects.restrict(user, VIEW).filter(subtree_q([unit.path]), level=level)
    if level.code == BOOTH:
        units = units.annotate(booths=Value(1, output_field=IntegerField()))
    else:
        units = units.annotate(booths=Coalesce(Subquery(booths, output_field=IntegerField()), 0))
    verified = Coalesce(F("member_counter__verified"), 0)
    per_booth = Cast(F("verified"), FloatField()) / Cast(Greatest(F("booths"), 1), FloatField())
    return (
        units.annotate(verified=verified)
        .annotate(per_booth=per_booth)
        .select_related("level")
        .order_by("-per_booth", "-verified", "name_en", "id")
    )


def units(user, unit: Unit, level: Level, *, limit: int = TOP) -> list[UnitRank]:
    return [UnitRank(u, u.verified, u.booths) for u in ranked_units(user, unit, level)[:limit]]
