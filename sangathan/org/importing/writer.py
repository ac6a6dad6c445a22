"""Writing the planned units: ids from ``core.sql.allocate_ids``, set-based inserts (COPY on PostgreSQL)
in chunks, then treebeard's ``numchild`` of the existing parents that got children."""

from collections import defaultdict

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from sangathan.core.sql import allocate_ids, insert_rows
from sangathan.org.importing.resolver import Resolver
from sangathan.org.importing.rows import Progress
from sangathan.org.models import UNIT_BULK_COLUMNS, Unit

CHUNK = 20000
PARENTS_PER_QUERY = 5000


def write_units(plan: Resolver, progress: Progress | None = None) -> None:
    """Insert the new units ``plan`` made (inside the import's transaction)."""
    ids = allocate_ids(Unit._meta.db_table, len(plan.new))
    id_of = {node.ref: uid for node, uid in zip(plan.new, ids, strict=True)}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [
        (
            id_of[node.ref],
            node.path,
            len(node.path) // Unit.steplen,
            node.numchild,
            node.name_hi,
            node.name_en,
            node.level.id,
            id_of[node.parent] if node.parent < 0 else node.parent,
            node.number,
            "",
            node.station,
            False,
            now,
        )
        for node in plan.new
    ]
    for start in range(0, len(rows), CHUNK):
        insert_rows(Unit._meta.db_table, UNIT_BULK_COLUMNS, rows[start : start + CHUNK])
        if progress:
            progress("write", min(start + CHUNK, len(rows)), len(rows))
    refresh_numchild(plan.touched_parents)


def refresh_numchild(parent_ids: set[int]) -> None:
    """Set treebeard's ``numchild`` of existing parents that got children: one UPDATE per distinct count."""
    ids = sorted(parent_ids)
    by_count: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(ids), PARENTS_PER_QUERY):
        counts = (
            Unit.objects.filter(parent_id__in=ids[start : start + PARENTS_PER_QUERY])
            .order_by()  # the manager orders by path, which would split the GROUP BY
            .values_list("parent_id")
            .annotate(n=Count("id"))
        )
        for parent_id, n in counts:
            by_count[n].append(parent_id)
    for n, parents in by_count.items():
        for start in range(0, len(parents), PARENTS_PER_QUERY):
            Unit.objects.filter(pk__in=parents[start : start + PARENTS_PER_QUERY]).update(numchild=n)
