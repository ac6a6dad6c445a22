"""The scan of existing members for likely duplicates (``sangathan membership-duplicates``, and the daily run).

The writer's check (``membership.duplicates.detect``) looks at one new row. Members entered before it
existed, imported sheets and rows whose name was corrected later are only found by looking at the table
as a whole. Each rule is **one grouped query** (a self semi-join on an index, or a GROUP BY … HAVING
count > 1), returning only the rows that have a partner; the pairs are then formed inside each small
group, never by comparing every member with every other (10 million members would be 5·10¹³ pairs):

* ``name_booth``: the same folded name at the same unit, and the relative's name the same where both give
  one (the writer's rule; index ``member_unit_name_key``);
* ``epic``: one voter ID on two rows that are not revoked (the unique constraint covers only proven
  members, so a pending or held sign-up may carry a member's EPIC);
* ``name_rel_age``: the same folded name, the same relative's name (both given) and the same age at two
  different units (a person entered at the booth where they live and again where they vote).

Found pairs go into the same review queue (``DuplicateCase``), later member first. A pair already queued,
in either order and whatever its decision, is not queued again (the constraint ``duplicate_case_pair_once``
backs this): a second scan adds nothing and a pair kept apart is never raised again. A pair at two units
is queued at their nearest common unit, so a reviewer who sees the case sees both members. The cases are
written in bulk: one audit entry per rule (``duplicate_cases_queued:<rule>``, on the scanned unit or the top
of the tree) names how many and their ids.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sangathan.audit.services import audit_bulk_action
from sangathan.core.paths import subtree_q
from sangathan.membership.duplicates import name_key
from sangathan.membership.models import DuplicateCase, Member
from sangathan.org.models import Unit

Rule = DuplicateCase.Rule
CHUNK = 5000
# Bigger groups than this are not one person entered twice (a common name in a large unit, a data-entry
# placeholder such as "NA"): they are left out, and counted, rather than queued as n·(n-1)/2 cases.
GROUP_MAX = 20


@dataclass
class ScanResult:
    """What a scan found: new cases per rule, pairs that were already queued, oversized groups skipped."""

    created: dict[str, int] = field(default_factory=dict)
    known: int = 0
    skipped_groups: int = 0

    @property
    def total(self) -> int:
        return sum(self.created.values())


@dataclass(frozen=True)
class _Row:
    pk: int
    unit_id: int
    path: str
    name_key: str
    relative: str
    age: int
    epic: str
    joined_at: datetime.datetime


def _live(root: Unit | None) -> QuerySet[Member]:
    rows = Member.objects.exclude(status=Member.Status.REVOKED)
    if root is not None:
        rows = rows.filter(subtree_q([root.path], "unit__path"))
    return rows


def _rows(query: QuerySet[Member]) -> list[_Row]:
    values = query.values_list("pk", "unit_id", "unit__path", "name_key", "relative_name", "age", "epic", "joined_at")
    return [_Row(*row) for row in values.order_by().iterator(chunk_size=CHUNK)]


def _name_booth(root: Unit | None) -> list[_Row]:
    """Members with another live member of the same folded name at their unit: one semi-join."""
    twin = Member.objects.filter(unit_id=OuterRef("unit_id"), name_key=OuterRef("name_key")).exclude(pk=OuterRef("pk"))
    return _rows(_live(root).exclude(name_key="").filter(Exists(twin.exclude(status=Member.Status.REVOKED))))


def _epic(root: Unit | None) -> list[_Row]:
    """Members whose voter ID is on another live row: GROUP BY epic HAVING count > 1."""
    shared = _live(root).exclude(epic="").values("epic").annotate(n=Count("pk")).filter(n__gt=1).values("epic")
    return _rows(_live(root).filter(epic__in=shared))


def _name_relative_age(root: Unit | None) -> list[_Row]:
    """Members with a live namesake of the same relative's name and age at another unit: one semi-join."""
    twin = (
        Member.objects.filter(
            name_key=OuterRef("name_key"), relative_name=OuterRef("relative_name"), age=OuterRef("age")
        )
        .exclude(unit_id=OuterRef("unit_id"))
        .exclude(status=Member.Status.REVOKED)
    )
    if root is not None:
        twin = twin.filter(subtree_q([root.path], "unit__path"))
    return _rows(_live(root).exclude(name_key="").exclude(relative_name="").filter(Exists(twin)))


def _same_relative(a: str, b: str) -> bool:
    return not a or not b or name_key(a) == name_key(b)


def _group_pairs(rows: list[_Row], key: Callable[[_Row], tuple], match: Callable[[_Row, _Row], bool], result):
    groups: dict[tuple, list[_Row]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    for group in groups.values():
        if len(group) > GROUP_MAX:
            result.skipped_groups += 1
            continue
        group.sort(key=lambda r: (r.joined_at, r.pk))
        for i, earlier in enumerate(group):
            for later in group[i + 1 :]:
                if match(earlier, later):
                    yield later, earlier


def _common_path(a: str, b: str) -> str:
    """The path of the nearest unit above (or at) both paths (treebeard's fixed-width steps)."""
    step = Unit.steplen
    n = 0
    while n + step <= min(len(a), len(b)) and a[n : n + step] == b[n : n + step]:
        n += step
    return a[:n]


RULES: list[tuple[str, Callable[[Unit | None], list[_Row]], Callable, Callable]] = [
    (
        Rule.NAME_BOOTH,
        _name_booth,
        lambda r: (r.unit_id, r.name_key),
        lambda a, b: _same_relative(a.relative, b.relative),
    ),
    (Rule.EPIC, _epic, lambda r: (r.epic,), lambda a, b: True),
    (
        Rule.NAME_RELATIVE_AGE,
        _name_relative_age,
        lambda r: (r.name_key, r.relative, r.age),
        lambda a, b: a.unit_id != b.unit_id,
    ),
]


def _known_pairs(ids: Iterable[int]) -> set[tuple[int, int]]:
    """The pairs among ``ids`` already queued (any status), as (smaller id, larger id)."""
    ids = sorted(set(ids))
    known: set[tuple[int, int]] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        cases = DuplicateCase.objects.filter(Q(member_id__in=chunk) | Q(other_id__in=chunk))
        for a, b in cases.values_list("member_id", "other_id").iterator(chunk_size=CHUNK):
            known.add((min(a, b), max(a, b)))
    return known


def duplicates_scan(
    *,
    root: Unit | None = None,
    today: datetime.date | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    at: datetime.datetime | None = None,
) -> ScanResult:
    """Queue every likely duplicate among the existing members (of ``root``'s subtree, or all) that is not
    queued yet. Safe to run twice, and beside the join page: a pair someone else queued meanwhile is refused
    by the constraint and skipped. ``progress(step, steps, rule)`` after each rule."""
    now = at or timezone.now()
    result = ScanResult()
    for step, (rule, query, key, match) in enumerate(RULES, start=1):
        rows = query(root)
        pairs = list(_group_pairs(rows, key, match, result))
        known = _known_pairs(pk for pair in pairs for row in pair for pk in (row.pk,))
        fresh: dict[tuple[int, int], tuple[_Row, _Row]] = {}
        for later, earlier in pairs:
            ordered = (min(later.pk, earlier.pk), max(later.pk, earlier.pk))
            if ordered in known:
                result.known += 1
            else:
                fresh.setdefault(ordered, (later, earlier))
        paths = {_common_path(later.path, earlier.path) for later, earlier in fresh.values()}
        units = dict(Unit.objects.filter(path__in=paths).values_list("path", "pk"))
        cases = [
            DuplicateCase(
                member_id=later.pk,
                other_id=earlier.pk,
                unit_id=later.unit_id
                if later.unit_id == earlier.unit_id
                else units[_common_path(later.path, earlier.path)],
                rule=rule,
                created_at=now,
            )
            for later, earlier in fresh.values()
        ]
        for start in range(0, len(cases), CHUNK):
            with transaction.atomic():
                DuplicateCase.objects.bulk_create(cases[start : start + CHUNK], ignore_conflicts=True)
        # bulk_create(ignore_conflicts=True) returns every object given: count what this scan wrote.
        written = DuplicateCase.objects.filter(rule=rule, created_at=now) if cases else DuplicateCase.objects.none()
        result.created[str(rule)] = written.count()
        if result.created[str(rule)]:  # the cases are audited objects: one entry per rule, with their ids
            audit_bulk_action(
                obj=root or _top(),
                what=f"duplicate_cases_queued:{rule}",
                count=result.created[str(rule)],
                model=DuplicateCase,
                ids=written.order_by("pk").values_list("pk", flat=True)[:1000],
            )
        if progress is not None:
            progress(step, len(RULES), str(rule))
    return result


def _top() -> Unit:
    """What a scan of the whole table is audited on: the top of the tree (there is one where members are)."""
    return Unit.objects.filter(parent__isnull=True).order_by("pk").first() or Unit.objects.order_by("pk")[0]


def scan_daily(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily run's job (``apps.py``): the whole table, what it queued per rule."""
    result = duplicates_scan(today=today)
    return {**result.created, "already_queued": result.known, "groups_too_big": result.skipped_groups}
