"""The membership counters (``MemberCounter``): verified and pending members of each unit's subtree.

Like ``org.coverage``: every write that moves a member into or out of a counted status applies the
difference to the counter rows of the member's unit and of every ancestor, with ``F()`` updates inside the
writer's transaction, so the counters never drift and never race; a page reads one row per unit shown
(the country's number is one row, not a count over ten million members). The rows are locked in the order
of their unit ids before they are changed, so two writers never wait for each other in opposite orders.
``rebuild`` recomputes them set-based (one GROUP BY over the members, summed up the paths in Python), and
the tests hold them equal to a naive count.

Of the verified, the same rows keep the youth (18–35 when joining) and the women, and ``MemberDay`` keeps
per unit and day how many started and stopped counting (the growth chart). The day rows are a log of what
happened, not a function of today's members (a lapsed member was verified once): ``rebuild`` leaves them.
"""

import datetime
from collections import Counter as Tally

from django.db import connections, router, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.utils import timezone

from sangathan.core.paths import STEPLEN, subtree_q
from sangathan.membership.models import COUNTED, YOUTH_AGES, Member, MemberCounter, MemberDay
from sangathan.org.models import Unit

VERIFIED = "verified"
PENDING = "pending"
YOUTH = "youth"
WOMEN = "women"
FIELDS = (VERIFIED, PENDING, YOUTH, WOMEN)


def is_youth(age: int | None) -> bool:
    return age is not None and YOUTH_AGES[0] <= age <= YOUTH_AGES[1]


def is_woman(gender: str) -> bool:
    return gender == Member.Gender.FEMALE


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


def apply(
    unit: Unit,
    *,
    verified: int = 0,
    pending: int = 0,
    youth: int = 0,
    women: int = 0,
    day: datetime.date | None = None,
) -> None:
    """Add the differences to the counters of ``unit`` and of every ancestor (and a change of ``verified`` to
    the day rows of ``day``, today by default). Call inside the writer's transaction."""
    if not (verified or pending or youth or women):
        return
    paths = unit.ancestor_paths(include_self=True)
    upsert_chain(MemberCounter, paths, {VERIFIED: verified, PENDING: pending, YOUTH: youth, WOMEN: women})
    if verified:
        day = day or timezone.localdate()
        upsert_chain(MemberDay, paths, {"gained": max(verified, 0), "lost": max(-verified, 0)}, day=day)


def upsert_chain(model, paths: list[str], delta: dict[str, int], day: datetime.date | None = None) -> None:
    """Add ``delta`` to the rows of ``model`` (the counters, or the day rows of ``day``) of the units at
    ``paths``, making the missing rows, in one statement: INSERT … SELECT the units ORDER BY id ON CONFLICT
    DO UPDATE. It replaces four (the chain's ids, the missing rows, the rows locked in id order, the UPDATE)
    that each sign-up and each confirmed code paid twice over (issue 15). The rows are still locked in the
    order of their unit ids (the SELECT's order), so two writers never wait for each other in opposite
    orders; PostgreSQL and SQLite (≥ 3.24) both speak it."""
    connection = connections[router.db_for_write(model)]
    q = connection.ops.quote_name
    table, units = q(model._meta.db_table), q(Unit._meta.db_table)
    names = list(delta)  # every column: the counters' have no database default
    changed = [name for name, value in delta.items() if value]
    columns = ["unit_id", *(["day"] if day is not None else []), *names]
    values = ["u.id", *(["%s"] if day is not None else []), *(["%s"] * len(names))]
    conflict = "unit_id, day" if day is not None else "unit_id"
    quoted = [q(c) for c in columns]
    sets = ", ".join(f"{q(n)} = {table}.{q(n)} + %s" for n in changed)
    # Names from the models, values as parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(quoted)}) SELECT {', '.join(values)} FROM {units} u "  # noqa: S608
        f"WHERE u.path IN ({', '.join(['%s'] * len(paths))}) ORDER BY u.id "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    )
    # A new row starts at the difference, or at 0 where it is negative: SQLite checks the proposed row's
    # CHECK (>= 0) before it sees the conflict (a missing row going down is a bug either way).
    params = [*([day] if day is not None else []), *(max(delta[n], 0) for n in names), *paths]
    params += [delta[n] for n in changed]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _change_day(ids: list[int], day: datetime.date, verified: int) -> None:
    MemberDay.objects.bulk_create([MemberDay(unit_id=pk, day=day) for pk in ids], ignore_conflicts=True)
    rows = MemberDay.objects.filter(unit_id__in=ids, day=day)
    list(rows.select_for_update().order_by("unit_id").values_list("pk", flat=True))
    if verified > 0:
        rows.update(gained=F("gained") + verified)
    else:
        rows.update(lost=F("lost") - verified)


def apply_many(deltas: dict[int, tuple[int, ...]], *, day: datetime.date | None = None) -> int:
    """Add (verified, pending[, youth, women]) per unit id to the counters of those units and of all their
    ancestors, for a write of many members at once (the daily promotion of paper forms, the lapse of a
    term). Set-based: the differences are summed up the paths in Python and the counter rows are changed
    with one UPDATE per distinct difference (a few, not one per unit). Call inside the writer's transaction.
    Returns the counter rows changed."""
    sums: dict[str, Tally] = {}
    paths = dict(Unit.objects.filter(pk__in=list(deltas)).values_list("id", "path"))
    for unit_id, values in deltas.items():
        path = paths[unit_id]
        for end in range(STEPLEN, len(path) + 1, STEPLEN):
            tally = sums.setdefault(path[:end], Tally())
            for name, value in zip(FIELDS, values, strict=False):
                tally[name] += value
    ids = dict(Unit.objects.filter(path__in=list(sums)).values_list("path", "id"))
    by_difference: dict[tuple[int, ...], list[int]] = {}
    for path, tally in sums.items():
        difference = tuple(tally[name] for name in FIELDS)
        if any(difference):
            by_difference.setdefault(difference, []).append(ids[path])
    changed = sorted(pk for unit_ids in by_difference.values() for pk in unit_ids)
    MemberCounter.objects.bulk_create([MemberCounter(unit_id=pk) for pk in changed], ignore_conflicts=True)
    rows = MemberCounter.objects.filter(unit_id__in=changed)
    list(rows.select_for_update().order_by("unit_id").values_list("pk", flat=True))  # lock in a fixed order
    day = day or timezone.localdate()
    for difference, unit_ids in by_difference.items():
        delta = dict(zip(FIELDS, difference, strict=True))
        if any(delta.values()):
            MemberCounter.objects.filter(unit_id__in=unit_ids).update(
                **{name: F(name) + delta[name] for name in FIELDS if delta[name]}
            )
        if delta[VERIFIED]:
            _change_day(sorted(unit_ids), day, delta[VERIFIED])
    return len(changed)


def move(
    unit: Unit,
    *,
    before: str | None,
    after: str | None,
    member: Member | None = None,
    at: datetime.datetime | None = None,
) -> None:
    """A member at ``unit`` went from status ``before`` to ``after`` (None: did not exist / is gone). Give
    ``member`` when it starts or stops counting, for the youth and women counts."""
    delta = Tally()
    if before is not None and bucket(before):
        delta[bucket(before)] -= 1
    if after is not None and bucket(after):
        delta[bucket(after)] += 1
    if delta[VERIFIED] and member is not None:
        delta[YOUTH] = delta[VERIFIED] * int(is_youth(member.age))
        delta[WOMEN] = delta[VERIFIED] * int(is_woman(member.gender))
    apply(
        unit,
        verified=delta[VERIFIED],
        pending=delta[PENDING],
        youth=delta[YOUTH],
        women=delta[WOMEN],
        day=timezone.localdate(at) if at else None,
    )


def naive_counts(unit: Unit) -> tuple[int, int]:
    """(verified, pending) of ``unit``'s subtree counted from the members: what the counters replace, for
    the tests and the bench."""
    members = Member.objects.filter(subtree_q([unit.path], "unit__path"))
    verified = members.filter(status__in=COUNTED).count()
    pending = members.filter(status=Member.Status.PENDING).count()
    return verified, pending


def naive_shares(unit: Unit) -> tuple[int, int]:
    """(youth, women) among the verified members of ``unit``'s subtree, counted from the members."""
    counted = Member.objects.filter(subtree_q([unit.path], "unit__path"), status__in=COUNTED)
    youth = counted.filter(age__gte=YOUTH_AGES[0], age__lte=YOUTH_AGES[1]).count()
    return youth, counted.filter(gender=Member.Gender.FEMALE).count()


@transaction.atomic
def rebuild() -> int:
    """Recompute every counter from the members: one GROUP BY (unit path, status), each row added to every
    prefix of its path. Returns the number of counter rows written."""
    sums: dict[str, Tally] = {}
    young = ExpressionWrapper(Q(age__gte=YOUTH_AGES[0], age__lte=YOUTH_AGES[1]), output_field=BooleanField())
    rows = (
        Member.objects.annotate(young=young)
        .values_list("unit__path", "status", "young", "gender")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, status, is_young, gender, n in rows:
        which = bucket(status)
        if which is None:
            continue
        for end in range(STEPLEN, len(path) + 1, STEPLEN):
            tally = sums.setdefault(path[:end], Tally())
            tally[which] += n
            if which == VERIFIED:
                tally[YOUTH] += n * int(bool(is_young))
                tally[WOMEN] += n * int(is_woman(gender))
    ids = dict(Unit.objects.filter(path__in=list(sums)).values_list("path", "id"))
    MemberCounter.objects.all().delete()
    MemberCounter.objects.bulk_create(
        [MemberCounter(unit_id=ids[path], **{name: t[name] for name in FIELDS}) for path, t in sums.items()],
        batch_size=1000,
    )
    return len(sums)
