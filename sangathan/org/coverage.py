"""Maintenance of the coverage counters (see docs/adr/0001-tree-and-rollups.md).

A unit *contributes* to every proper ancestor: itself (one unit of its level, key post filled
or not), its active appointments per position, and everything its own counters hold. Every
write that changes a contribution applies the difference to the ancestors' counter rows with
``F()`` updates inside the writer's transaction, so counters never drift and never race.
"""

from collections import Counter as Tally
from dataclasses import dataclass, field

from django.db.models import Count, F

from sangathan.org import sql
from sangathan.org.models import Appointment, CoverageCounter, PositionFillCounter, Unit
from sangathan.org.paths import subtree_q


@dataclass
class Contribution:
    units: Tally = field(default_factory=Tally)  # level_id -> units
    key_filled: Tally = field(default_factory=Tally)  # level_id -> units with key post filled
    seats: Tally = field(default_factory=Tally)  # position_id -> filled seats

    def __sub__(self, other: "Contribution") -> "Contribution":
        result = Contribution()
        for name in ("units", "key_filled", "seats"):
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(result, name, Tally({k: mine[k] - theirs[k] for k in set(mine) | set(theirs)}))
        return result

    def negated(self) -> "Contribution":
        return Contribution() - self


def unit_contribution(unit: Unit) -> Contribution:
    """What ``unit`` and its subtree add to each of its ancestors' counters."""
    contribution = Contribution()
    contribution.units[unit.level_id] += 1
    contribution.key_filled[unit.level_id] += int(unit.key_post_filled)
    for level_id, total, filled in CoverageCounter.objects.filter(unit=unit).values_list(
        "level_id", "units_total", "units_key_filled"
    ):
        contribution.units[level_id] += total
        contribution.key_filled[level_id] += filled
    for position_id, filled in PositionFillCounter.objects.filter(unit=unit).values_list("position_id", "filled"):
        contribution.seats[position_id] += filled
    for position_id, filled in (
        Appointment.objects.filter(unit=unit, status="active").values_list("position_id").annotate(n=Count("id"))
    ):
        contribution.seats[position_id] += filled
    return contribution


def lock_chain(*units: Unit) -> dict[str, int]:
    """Lock the rows of ``units`` and of all their ancestors, top-down, and return path -> id.

    Every write that changes counters takes this lock first, so writers always lock in the same
    order (by path) and none can deadlock another; a writer below a unit waits for a writer at
    that unit (an import, a dissolution) to finish. The counter rows of the national unit are
    updated by every such write anyway, so this costs no concurrency. On SQLite the database
    write lock already serialises writers and this is a plain read.
    """
    paths: set[str] = set()
    for unit in units:
        paths.update(unit.ancestor_paths(include_self=True))
    rows = Unit.objects.select_for_update(of=("self",)).filter(path__in=paths).order_by("path")
    return dict(rows.values_list("path", "id"))


def apply_to_ancestors(unit: Unit, delta: Contribution) -> None:
    """Add ``delta`` to the counters of every proper ancestor of ``unit``."""
    ancestor_ids = list(
        Unit.objects.filter(path__in=unit.ancestor_paths(include_self=False)).values_list("id", flat=True)
    )
    apply_to_units(ancestor_ids, delta)


def apply_to_units(unit_ids: list[int], delta: Contribution) -> None:
    if not unit_ids:
        return
    for level_id in set(delta.units) | set(delta.key_filled):
        d_units, d_filled = delta.units[level_id], delta.key_filled[level_id]
        if not d_units and not d_filled:
            continue
        if d_units > 0:
            CoverageCounter.objects.bulk_create(
                [CoverageCounter(unit_id=uid, level_id=level_id) for uid in unit_ids], ignore_conflicts=True
            )
        CoverageCounter.objects.filter(unit_id__in=unit_ids, level_id=level_id).update(
            units_total=F("units_total") + d_units, units_key_filled=F("units_key_filled") + d_filled
        )
    for position_id, d_seats in delta.seats.items():
        if not d_seats:
            continue
        if d_seats > 0:
            PositionFillCounter.objects.bulk_create(
                [PositionFillCounter(unit_id=uid, position_id=position_id) for uid in unit_ids], ignore_conflicts=True
            )
        PositionFillCounter.objects.filter(unit_id__in=unit_ids, position_id=position_id).update(
            filled=F("filled") + d_seats
        )


def rebuild(root: Unit | None = None, progress=None, before: Contribution | None = None) -> None:
    """Recompute the counters of ``root``'s subtree (the whole tree if None) from the data, set-based.

    One GROUP BY per depth over the subtree (``sql.coverage_counters_insert``); ancestors above
    ``root`` get the difference between the subtree's contribution now and ``before`` (by default:
    what the counters said before the rebuild — pass it explicitly when the data changed before
    this call). The caller holds
    ``lock_chain(root)``. Used after bulk imports, seeding and dissolutions, and by
    ``sangathan rebuild-coverage``.
    """
    if root is not None and before is None:
        before = unit_contribution(root)
    units = Unit.objects.all() if root is None else Unit.objects.filter(subtree_q([root.path]))
    unit_ids = units.values("id")
    CoverageCounter.objects.filter(unit_id__in=unit_ids).delete()
    PositionFillCounter.objects.filter(unit_id__in=unit_ids).delete()

    top_depth = root.depth if root is not None else 1
    max_depth = units.order_by("-depth").values_list("depth", flat=True).first() or top_depth
    depths = range(top_depth, max_depth)
    for index, depth in enumerate(depths):
        sql.coverage_counters_insert(path=root.path if root is not None else None, depth=depth)
        if progress:
            progress(index + 1, len(depths))
    if root is not None:
        root.refresh_from_db()
        apply_to_ancestors(root, unit_contribution(root) - before)
