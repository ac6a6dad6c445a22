"""Maintenance of the trained-post counters (``TrainedPostCounter``), the pattern of ``org/coverage.py``.

A post (an active appointment) *counts* at its unit and at every ancestor when its holder has completed a
training programme. Every write that changes that applies the difference to the chain's counter rows with
``F()`` updates inside the writer's transaction, so the counters never drift and never race:

- a completion (the person's first) or its withdrawal (``services.completion_check``,
  ``services.attendance_mark``): +1 / -1 on the chain of each of the person's active posts; the chains are
  locked top-down first (``org.coverage.lock_chain``), the order every writer of the tree takes;
- an appointment made or ended (``org.hooks``, in org's transaction, the chain already locked by org): ±1 on
  its chain when the holder is trained;
- a unit moved (``org.hooks.unit_moving`` / ``unit_moved``, both chains locked by org): the unit's own row
  (its subtree's count) comes off the old ancestors and goes onto the new.

Posts, not people: a person with two posts in an area counts twice, as ``org.PositionFillCounter`` counts
the posts the counter is divided by. ``rebuild`` recounts set-based (one INSERT … SELECT … GROUP BY per
depth, ``sql.trained_counters_insert``); ``sangathan rebuild-training-counts`` runs it after bulk loads
that go around the services (seeding with completions, demo data). ``tests/test_counters.py`` checks the
counters against a unit-by-unit count after every kind of write.
"""

from collections import Counter as Tally
from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef

from sangathan.core.paths import STEPLEN, subtree_q
from sangathan.org.coverage import lock_chain
from sangathan.org.models import Appointment, Unit
from sangathan.training import sql
from sangathan.training.models import Completion, TrainedPostCounter

CHUNK = 2000  # paths per look-up: below SQLite's limit on parameters, and a short IN list on PostgreSQL


def _chain(path: str, include_self: bool = True) -> list[str]:
    end = len(path) if include_self else len(path) - STEPLEN
    return [path[:i] for i in range(STEPLEN, end + 1, STEPLEN)]


def _spread(paths: Iterable[str], sign: int, *, include_self: bool = True) -> Tally:
    """path -> change for every unit on the chains of ``paths`` (one per path, repeated paths add up)."""
    delta: Tally = Tally()
    for path in paths:
        for step in _chain(path, include_self):
            delta[step] += sign
    return delta


def apply(delta: Tally) -> None:
    """Add ``delta`` (path -> change) to the counter rows of those units: one UPDATE per distinct change
    (a state's dissolution: tens of thousands of units, a handful of distinct changes)."""
    delta = Tally({path: n for path, n in delta.items() if n})
    if not delta:
        return
    paths = sorted(delta)
    ids: dict[str, int] = {}
    for start in range(0, len(paths), CHUNK):
        ids.update(Unit.objects.filter(path__in=paths[start : start + CHUNK]).values_list("path", "id"))
    by_change: dict[int, list[int]] = {}
    for path, change in delta.items():
        if path in ids:
            by_change.setdefault(change, []).append(ids[path])
    TrainedPostCounter.objects.bulk_create(
        [TrainedPostCounter(unit_id=uid) for uid in sorted(ids.values())], ignore_conflicts=True, batch_size=CHUNK
    )
    for change, unit_ids in sorted(by_change.items()):
        for start in range(0, len(unit_ids), CHUNK):
            TrainedPostCounter.objects.filter(unit_id__in=unit_ids[start : start + CHUNK]).update(
                trained=F("trained") + change
            )


def _is_trained(person_id: int) -> bool:
    return Completion.objects.filter(person_id=person_id).exists()


# ---------------------------------------------------------------- training's own writes


def person_trained(*, person_id: int) -> None:
    """The person's first completion was just written: each of their active posts now counts."""
    _person_changed(person_id, +1)


def person_untrained(*, person_id: int) -> None:
    """The person's last completion was just taken back: their active posts no longer count."""
    _person_changed(person_id, -1)


def _person_changed(person_id: int, sign: int) -> None:
    posts = Appointment.objects.filter(person_id=person_id, status=Appointment.Status.ACTIVE).select_related("unit")
    units = [post.unit for post in posts]
    if not units:
        return
    lock_chain(*units)  # top-down, like every writer of the tree; then read the paths again (a move may have won)
    paths = Appointment.objects.filter(person_id=person_id, status=Appointment.Status.ACTIVE).values_list(
        "unit__path", flat=True
    )
    apply(_spread(paths, sign))


# ---------------------------------------------------------------- org.hooks


def after_appointment(*, appointment, by=None) -> None:
    """``org.hooks.on_appointment``: a trained holder's new post counts on its chain (org locked it)."""
    if _is_trained(appointment.person_id):
        apply(_spread([appointment.unit.path], +1))


def after_appointments_ended(*, appointment_ids: list[int], by=None) -> None:
    """``org.hooks.on_end``: the ended posts of trained holders stop counting (one query for the lot)."""
    trained = Completion.objects.filter(person_id=OuterRef("person_id"))
    paths = (
        Appointment.objects.filter(pk__in=appointment_ids).filter(Exists(trained)).values_list("unit__path", flat=True)
    )
    apply(_spread(paths, -1))


def _own_count(unit) -> int:
    return TrainedPostCounter.objects.filter(unit_id=unit.pk).values_list("trained", flat=True).first() or 0


def unit_moving(*, unit) -> None:
    """``org.hooks.on_unit_moving``: the subtree's count comes off the old ancestors."""
    count = _own_count(unit)
    if count:
        apply(Tally(dict.fromkeys(_chain(unit.path, include_self=False), -count)))


def unit_moved(*, unit) -> None:
    """``org.hooks.on_unit_moved``: and goes onto the new ones (the unit's path is the new one)."""
    unit = Unit.objects.only("path").get(pk=unit.pk)
    count = _own_count(unit)
    if count:
        apply(Tally(dict.fromkeys(_chain(unit.path, include_self=False), count)))


# ---------------------------------------------------------------- rebuild


def rebuild(root: Unit | None = None) -> None:
    """Recount ``root``'s subtree (the whole tree if None) from the data, set-based: one INSERT … SELECT …
    GROUP BY per depth. The ancestors above ``root`` move by the difference. The caller holds
    ``lock_chain(root)`` (the command does)."""
    before = _own_count(root) if root is not None else 0
    units = Unit.objects.all() if root is None else Unit.objects.filter(subtree_q([root.path]))
    TrainedPostCounter.objects.filter(unit_id__in=units.values("id")).delete()
    top = root.depth if root is not None else 1
    deepest = units.order_by("-depth").values_list("depth", flat=True).first() or top
    for depth in range(top, deepest + 1):
        sql.trained_counters_insert(path=root.path if root is not None else None, depth=depth)
    if root is not None:
        change = _own_count(root) - before
        if change:
            apply(Tally(dict.fromkeys(_chain(root.path, include_self=False), change)))


def naive_count(unit: Unit) -> int:
    """The count the counter stands for, done the slow way (for tests and checks)."""
    trained = Completion.objects.filter(person_id=OuterRef("person_id"))
    return (
        Appointment.objects.filter(subtree_q([unit.path], "unit__path"), status=Appointment.Status.ACTIVE)
        .filter(Exists(trained))
        .count()
    )
