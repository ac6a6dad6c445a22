"""The membership counters (``MemberCounter``): verified and pending members of each unit's subtree.

Like ``org.coverage``: every write that moves a member into or out of a counted status applies the
difference to the counter rows of the member's unit and of every ancestor, with ``F()`` updates inside the
writer's transaction, so the counters never drift and never race; a page reads one row per unit shown
(the country's number is one row, not a count over ten million members). The rows are locked in the order
of their unit ids before they are changed, so two writers never wait for each other in opposite orders.
``rebuild`` recomputes them set-based (one GROUP BY over the members, summed up the paths in Python), and
the tests hold them equal to a naive count.
"""

from collections import Counter as Tally

from django.db import transaction
from django.db.models import Count, F

from sangathan.core.paths import STEPLEN, subtree_q
from sangathan.membership.models import COUNTED, Member, MemberCounter
from sangathan.org.models import Unit

VERIFIED = "verified"
PENDING = "pending"


def bucket(status: str) -> str | None:
    """Which counter a member of ``status`` is in: verified, pending, or none (lapsed, revoked)."""
    if status in COUNTED:
        return VERIFIED
    if status == Member.Status.PENDING:
        return PENDING
    return None


def chain_ids(unit: Unit) -> list[int]:
    """The ids of ``unit`` and every ancestor (index-backed: exact paths)."""
    return list(Unit.objects.filter(path__in=unit.ancestor_paths(include_self=True)).values_list("id", flat=True))


def apply(unit: Unit, *, verified: int = 0, pending: int = 0) -> None:
    """Add ``verified`` and ``pending`` to the counters of ``unit`` and of every ancestor. Call inside the
    writer's transaction."""
    if not verified and not pending:
        return
    ids = sorted(chain_ids(unit))
    MemberCounter.objects.bulk_create([MemberCounter(unit_id=pk) for pk in ids], ignore_conflicts=True)
    rows = MemberCounter.objects.filter(unit_id__in=ids)
    list(rows.select_for_update().order_by("unit_id").values_list("pk", flat=True))  # lock in a fixed order
    rows.update(verified=F("verified") + verified, pending=F("pending") + pending)


def apply_many(deltas: dict[int, tuple[int, int]]) -> int:
    """Add (verified, pending) per unit id to the counters of those units and of all their ancestors, for a
    write of many members at once (the daily promotion of paper forms). Set-based: the differences are
    summed up the paths in Python and the counter rows are changed with one UPDATE per distinct difference
    (a few, not one per unit). Call inside the writer's transaction. Returns the counter rows changed."""
    sums: dict[str, Tally] = {}
    paths = dict(Unit.objects.filter(pk__in=list(deltas)).values_list("id", "path"))
    for unit_id, (verified, pending) in deltas.items():
        path = paths[unit_id]
        for end in range(STEPLEN, len(path) + 1, STEPLEN):
            tally = sums.setdefault(path[:end], Tally())
            tally[VERIFIED] += verified
            tally[PENDING] += pending
    ids = dict(Unit.objects.filter(path__in=list(sums)).values_list("path", "id"))
    by_difference: dict[tuple[int, int], list[int]] = {}
    for path, tally in sums.items():
        if tally[VERIFIED] or tally[PENDING]:
            by_difference.setdefault((tally[VERIFIED], tally[PENDING]), []).append(ids[path])
    changed = sorted(pk for unit_ids in by_difference.values() for pk in unit_ids)
    MemberCounter.objects.bulk_create([MemberCounter(unit_id=pk) for pk in changed], ignore_conflicts=True)
    rows = MemberCounter.objects.filter(unit_id__in=changed)
    list(rows.select_for_update().order_by("unit_id").values_list("pk", flat=True))  # lock in a fixed order
    for (verified, pending), unit_ids in by_difference.items():
        MemberCounter.objects.filter(unit_id__in=unit_ids).update(
            verified=F("verified") + verified, pending=F("pending") + pending
        )
    return len(changed)


def move(unit: Unit, *, before: str | None, after: str | None) -> None:
    """A member at ``unit`` went from status ``before`` to ``after`` (None: did not exist / is gone)."""
    delta = Tally()
    if before is not None and bucket(before):
        delta[bucket(before)] -= 1
    if after is not None and bucket(after):
        delta[bucket(after)] += 1
    apply(unit, verified=delta[VERIFIED], pending=delta[PENDING])


def naive_counts(unit: Unit) -> tuple[int, int]:
    """(verified, pending) of ``unit``'s subtree counted from the members: what the counters replace, for
    the tests and the bench."""
    members = Member.objects.filter(subtree_q([unit.path], "unit__path"))
    verified = members.filter(status__in=COUNTED).count()
    pending = members.filter(status=Member.Status.PENDING).count()
    return verified, pending


@transaction.atomic
def rebuild() -> int:
    """Recompute every counter from the members: one GROUP BY (unit path, status), each row added to every
    prefix of its path. Returns the number of counter rows written."""
    sums: dict[str, Tally] = {}
    rows = Member.objects.values_list("unit__path", "status").annotate(n=Count("id")).order_by()
    for path, status, n in rows:
        which = bucket(status)
        if which is None:
            continue
        for end in range(STEPLEN, len(path) + 1, STEPLEN):
            sums.setdefault(path[:end], Tally())[which] += n
    ids = dict(Unit.objects.filter(path__in=list(sums)).values_list("path", "id"))
    MemberCounter.objects.all().delete()
    MemberCounter.objects.bulk_create(
        [MemberCounter(unit_id=ids[path], verified=t[VERIFIED], pending=t[PENDING]) for path, t in sums.items()],
        batch_size=1000,
    )
    return len(sums)
