"""Reads of the organisation structure. Callers pass querysets already restricted to the user."""

import contextlib
from dataclasses import dataclass, field

from django.db.models import F, Q

from sangathan.org import shaping, sql
from sangathan.org.errors import OrgError
from sangathan.org.models import (
    Appointment,
    CoverageCounter,
    Level,
    Position,
    PositionFillCounter,
    Unit,
)
from sangathan.org.phones import ascii_digits, normalise_mobile


@dataclass
class PositionCoverage:
    position: Position
    seats_total: int
    filled: int

    @property
    def vacant(self) -> int:
        return max(self.seats_total - self.filled, 0)


@dataclass
class LevelCoverage:
    level: Level
    units_total: int
    units_key_filled: int
    positions: list[PositionCoverage] = field(default_factory=list)

    @property
    def percent(self) -> int:
        # Floor, not round: 199 of 200 is 99%, never a misleading 100%.
        return 100 * self.units_key_filled // self.units_total if self.units_total else 0

    @property
    def units_key_vacant(self) -> int:
        return self.units_total - self.units_key_filled


def _levels_and_positions(unit: Unit | None = None) -> tuple[dict[int, Level], dict[int, list[Position]]]:
    """Every level; and the posts counted below ``unit``: the default ones and those of the state it lies in
    (above the states, a state's own post has no seats total to speak of)."""
    levels = {level.id: level for level in Level.objects.all()}
    positions: dict[int, list[Position]] = {}
    posts = Position.objects.all()
    if unit is not None:
        posts = posts.filter(Q(state__isnull=True) | Q(state__path__in=unit.ancestor_paths()))
    for position in posts:
        positions.setdefault(position.level_id, []).append(position)
    return levels, positions


def coverage_for_unit(unit: Unit, *, with_positions: bool = True) -> list[LevelCoverage]:
    """For each level below ``unit``: units, units with the key post filled, seats per position.

    Two indexed lookups on the counter tables, whatever the size of the subtree.
    """
    levels, positions = _levels_and_positions(unit)
    rows = CoverageCounter.objects.filter(unit=unit).values_list("level_id", "units_total", "units_key_filled")
    result = [
        LevelCoverage(level=levels[level_id], units_total=total, units_key_filled=filled)
        for level_id, total, filled in rows
        if total
    ]
    result.sort(key=lambda row: row.level.order)
    if with_positions:
        filled = dict(PositionFillCounter.objects.filter(unit=unit).values_list("position_id", "filled"))
        for row in result:
            row.positions = [
                PositionCoverage(position=p, seats_total=p.seats * row.units_total, filled=filled.get(p.id, 0))
                for p in positions.get(row.level.id, [])
            ]
    return result


def coverage_by_unit(units: list[Unit]) -> dict[int, list[LevelCoverage]]:
    """Key-post coverage below each of ``units`` in one query (for lists of children)."""
    levels, _positions = _levels_and_positions()
    result: dict[int, list[LevelCoverage]] = {unit.id: [] for unit in units}
    rows = CoverageCounter.objects.filter(unit__in=units, units_total__gt=0).values_list(
        "unit_id", "level_id", "units_total", "units_key_filled"
    )
    for unit_id, level_id, total, filled in rows:
        result[unit_id].append(LevelCoverage(level=levels[level_id], units_total=total, units_key_filled=filled))
    for rows_of_unit in result.values():
        rows_of_unit.sort(key=lambda row: row.level.order)
    return result


@dataclass
class Post:
    """One post of a committee: who holds its seats, and how many are vacant."""

    position: Position
    holders: list[Appointment]

    @property
    def vacant(self) -> int:
        return self.position.seats - len(self.holders)


def committee_for_unit(unit: Unit) -> list[Post]:
    """Every post of the unit's committee with its holders (by seat) and vacancies."""
    holders: dict[int, list[Appointment]] = {}
    for appointment in (
        Appointment.objects.filter(unit=unit, status="active")
        .select_related("person", "position", "wing")
        .order_by("seat")
    ):
        holders.setdefault(appointment.position_id, []).append(appointment)
    return [Post(position, holders.get(position.id, [])) for position in shaping.positions_for_unit(unit)]


def committee_history(unit: Unit, limit: int = 50):
    return (
        Appointment.objects.filter(unit=unit)
        .exclude(status="active")
        .select_related("person", "position")
        .order_by("-end_date", "-id")[:limit]
    )


def unit_ancestors(unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(path__in=unit.ancestor_paths(include_self=False)).select_related("level").order_by("path")
    )


def clean_query(query: str) -> str:
    """Search text as people type it: trimmed, at most 100 characters, no NUL or control characters."""
    return "".join(ch for ch in (query or "") if ch.isprintable() or ch == " ").strip()[:100]


def units_by_name_or_number(units, query: str, *, limit: int):
    """The public forms' place type-ahead: ``units`` whose Hindi or English name holds ``query``, or whose
    official number it is (a place picked earlier, "45 · आमेर विद्यालय", is searched by its name); by number,
    then name; one more than ``limit`` so the page can say there are more."""
    query = clean_query(query)
    if "·" in query:
        query = query.split("·", 1)[1].strip()
    if query:
        condition = Q(name_hi__icontains=query) | Q(name_en__icontains=query)
        digits = ascii_digits(query)
        if digits and len(digits) == len(query.replace(" ", "")) and len(digits) < 9:
            condition |= Q(number=int(digits))
        units = units.filter(condition)
    order = (F("number").asc(nulls_last=True), "name_hi", "name_en", "pk")
    return list(units.select_related("parent").order_by(*order)[: limit + 1])


def unit_search(units, query: str, limit: int = 25):
    """Units by name (Hindi or English), code or official number, within the given queryset."""
    query = clean_query(query)
    if not query:
        return units.none()
    condition = Q(name_en__icontains=query) | Q(name_hi__icontains=query) | Q(code__iexact=query)
    if query.isdecimal() and len(query) < 10:
        condition |= Q(number=int(query))
    return units.filter(condition).select_related("level", "parent").order_by("depth", "path")[:limit]


def person_search(people, query: str, limit: int = 25, *, by_mobile=None):
    """People by name, within the given queryset, and by mobile number among ``by_mobile`` only: the
    people whose numbers the searcher may see (``Person.objects.restrict(user, VIEW_PERSONAL)``). Without
    it a search by number would tell anybody whether a number belongs to somebody in their area, which
    the masked number on the pages hides."""
    query = clean_query(query)
    if not query:
        return people.none()
    condition = Q(name_en__icontains=query) | Q(name_hi__icontains=query)
    digits = ascii_digits(query)
    number = None
    if len(digits) >= 10:
        with contextlib.suppress(OrgError):  # not a phone number: search by name only
            number = Q(mobile=normalise_mobile(query))
    elif len(digits) >= 4 and len(digits) == len(query.replace(" ", "")):
        number = Q(mobile__contains=digits)
    if number is not None and by_mobile is not None:
        condition |= number & Q(pk__in=by_mobile.values("pk"))
    return people.filter(condition).select_related("home_unit")[:limit]


def naive_coverage(unit: Unit) -> list[tuple[int, int, int]]:
    """The baseline for ``sangathan bench``: the same roll-up as one GROUP BY over the subtree."""
    return sql.naive_coverage(path=unit.path)
