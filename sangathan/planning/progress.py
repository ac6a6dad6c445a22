"""Set-based refresh of the plan's progress tables (see docs/adr/0003-plan-progress.md).

``refresh(root)`` recomputes, for ``root``'s subtree (the whole tree when None):

1. ``UnitProgress``: one row per unit at a level that has a milestone in the plan governing it,
   written with one ``INSERT … SELECT`` per (plan, level). Plans are processed deepest scope first
   with ``ON CONFLICT DO NOTHING``, so a unit under a sub-plan gets the sub-plan's row and the plan
   above skips it: no per-unit Python, whatever the size of the tree. One ``UPDATE`` per (plan,
   level) then sets ``late_since`` / ``next_due`` from the milestones' dates.
2. ``ProgressCounter``: one ``GROUP BY SUBSTR(path, 1, 4·d)`` per depth over the (sparse) met rows,
   exactly like ``org.coverage.rebuild``; the ancestors above ``root`` move by the difference.

Appointed counts are not stored here: the dashboard reads them live from ``org.CoverageCounter``.
"""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from sangathan.channels.selectors import unit_ids_with_platforms
from sangathan.org.models import Appointment, Unit
from sangathan.org.paths import path_upper_bound, subtree_q
from sangathan.planning.models import Kind, Milestone, Plan, ProgressCounter, ProgressRun, UnitProgress
from sangathan.training.models import Programme
from sangathan.training.selectors import trained_person_ids

COLUMN = {Kind.APPOINTED: "appointed", Kind.TRAINED: "trained", Kind.CHANNELS: "channels"}


def _range_sql(column: str, path: str) -> tuple[str, list]:
    upper = path_upper_bound(path)
    if upper is None:
        return f"{column} >= %s", [path]
    return f"{column} >= %s AND {column} < %s", [path, upper]


def _trained_sql(milestone: Milestone | None) -> tuple[str, list]:
    """SQL (on ``u``, the unit) true when the key post is filled and every active appointee has a
    completion of the milestone's programme (any programme when it names none)."""
    if milestone is None:
        return "(1 = 0)", []
    programme = None
    if milestone.programme_code:
        programme = Programme.objects.filter(code=milestone.programme_code).values_list("pk", flat=True).first()
        if programme is None:  # a programme nobody can have completed
            return "(1 = 0)", []
    sub_sql, sub_params = trained_person_ids(programme=programme).order_by().query.sql_with_params()
    appointments = Appointment._meta.db_table
    # NOT EXISTS, not NOT IN: both databases turn it into an anti-join on the completions' index.
    sql = (
        f"(u.key_post_filled AND NOT EXISTS (SELECT 1 FROM {appointments} ap WHERE ap.unit_id = u.id "
        f"AND ap.status = 'active' AND NOT EXISTS (SELECT 1 FROM ({sub_sql}) trained WHERE trained.person_id = ap.person_id)))"
    )
    return sql, list(sub_params)


def _channels_sql(milestone: Milestone | None) -> tuple[str, list]:
    if milestone is None or not milestone.platforms:
        return "(1 = 0)", []
    sub_sql, sub_params = unit_ids_with_platforms(milestone.platforms).query.sql_with_params()
    return f"(u.id IN ({sub_sql}))", list(sub_params)


def contribution(unit: Unit) -> dict[int, list[int]]:
    """What ``unit`` and its subtree add to its ancestors' counters: level_id -> [trained, channels]."""
    result: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for level_id, trained, channels in ProgressCounter.objects.filter(unit=unit).values_list(
        "level_id", "trained", "channels"
    ):
        result[level_id][0] += trained
        result[level_id][1] += channels
    own = UnitProgress.objects.filter(unit_id=unit.pk).values_list("level_id", "trained", "channels").first()
    if own is not None:
        result[own[0]][0] += int(own[1])
        result[own[0]][1] += int(own[2])
    return result


def _apply_to_ancestors(unit: Unit, delta: dict[int, list[int]]) -> None:
    ancestor_ids = list(
        Unit.objects.filter(path__in=unit.ancestor_paths(include_self=False)).values_list("id", flat=True)
    )
    if not ancestor_ids:
        return
    for level_id, (d_trained, d_channels) in delta.items():
        if not d_trained and not d_channels:
            continue
        ProgressCounter.objects.bulk_create(
            [ProgressCounter(unit_id=uid, level_id=level_id) for uid in ancestor_ids], ignore_conflicts=True
        )
        ProgressCounter.objects.filter(unit_id__in=ancestor_ids, level_id=level_id).update(
            trained=F("trained") + d_trained, channels=F("channels") + d_channels
        )


def plans_touching(unit: Unit):
    """Plans governing ``unit`` (at or above it) or lying inside its subtree."""
    return Plan.objects.filter(
        Q(scope__path__in=unit.ancestor_paths(include_self=True)) | subtree_q([unit.path], "scope__path"),
        is_template=False,
    )


def refresh(root: Unit | None = None, *, today: datetime.date | None = None, progress=None) -> int:
    """Recompute the progress tables of ``root``'s subtree (every tree when None). Returns how many
    unit rows were written. Each subtree is one transaction; a refresh of an overlapping subtree waits
    (the plans concerned are locked)."""
    today = today or timezone.localdate()
    roots = [root] if root is not None else list(Unit.objects.filter(depth=1).order_by("path"))
    written = 0
    for index, unit in enumerate(roots):
        written += _refresh_subtree(unit, today=today)
        if progress:
            progress(index + 1, len(roots))
    ProgressRun.objects.create(unit=root, finished_at=timezone.now(), units=written)
    return written


@transaction.atomic
def _refresh_subtree(root: Unit, *, today: datetime.date) -> int:
    root = Unit.objects.get(pk=root.pk)
    if connection.vendor == "postgresql":
        # JIT-compiling these one-off statements costs ≈0.5 s each and saves nothing.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
    plans = list(plans_touching(root).select_for_update(of=("self",)).order_by("pk"))
    scopes = {
        unit.pk: unit for unit in Unit.objects.filter(pk__in=[plan.scope_id for plan in plans]).only("path", "depth")
    }
    before = contribution(root)
    table = UnitProgress._meta.db_table
    unit_table = Unit._meta.db_table
    counter_table = ProgressCounter._meta.db_table
    root_where, root_params = _range_sql("path", root.path)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {root_where}", root_params)
    ProgressCounter.objects.filter(unit__in=Unit.objects.filter(subtree_q([root.path])).values("id")).delete()

    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(plan__in=plans).order_by("due_date", "kind"):
        milestones[milestone.plan_id].append(milestone)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # Deepest scope first: a unit under a sub-plan is claimed by it; the plans above skip it.
    for plan in sorted(plans, key=lambda p: -scopes[p.scope_id].depth):
        scope = scopes[plan.scope_id]
        region = root if root.path.startswith(scope.path) else scope
        by_level: dict[int, list[Milestone]] = defaultdict(list)
        for milestone in milestones[plan.pk]:
            by_level[milestone.level_id].append(milestone)
        for level_id, level_milestones in by_level.items():
            of_kind = {m.kind: m for m in level_milestones}
            trained_sql, trained_params = _trained_sql(of_kind.get(Kind.TRAINED))
            channels_sql, channels_params = _channels_sql(of_kind.get(Kind.CHANNELS))
            where, where_params = _range_sql("u.path", region.path)
            late_sql, late_params = _first_unmet([m for m in level_milestones if m.due_date < today])
            next_sql, next_params = _first_unmet([m for m in level_milestones if m.due_date >= today])
            with connection.cursor() as cursor:
                # The flags are computed once per unit (a materialised CTE, so the dates' CASE does not
                # evaluate the subqueries again); the dates follow from them.
                cursor.execute(
                    f"""WITH x AS MATERIALIZED (
                        SELECT u.id AS id, u.path AS path, u.level_id AS level_id, u.key_post_filled AS appointed,
                            {trained_sql} AS trained, {channels_sql} AS channels
                        FROM {unit_table} u WHERE u.level_id = %s AND {where}
                    )
                    INSERT INTO {table} (unit_id, plan_id, path, level_id, appointed, trained, channels,
                        late_since, next_due, refreshed_at)
                    SELECT x.id, %s, x.path, x.level_id, x.appointed, x.trained, x.channels, {late_sql}, {next_sql}, %s
                    FROM x WHERE 1 = 1
                    ON CONFLICT (unit_id) DO NOTHING""",
                    [
                        *trained_params,
                        *channels_params,
                        level_id,
                        *where_params,
                        plan.pk,
                        *late_params,
                        *next_params,
                        now,
                    ],
                )

    # (SQLite reports no row count for a statement that starts with WITH: count once.)
    written = UnitProgress.objects.filter(subtree_q([root.path])).count()

    # Roll-ups, one GROUP BY per depth, over the met rows only.
    step = Unit.steplen
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(LENGTH(path)) FROM {table} WHERE {root_where} AND (trained OR channels)", root_params
        )
        depth_max = (cursor.fetchone()[0] or 0) // step
    with connection.cursor() as cursor:
        for depth in range(root.depth, depth_max):
            prefix = depth * step
            cursor.execute(
                f"""INSERT INTO {counter_table} (unit_id, level_id, trained, channels)
                SELECT a.id, g.level_id, g.t, g.c FROM (
                    SELECT SUBSTR(s.path, 1, {prefix}) AS anc, s.level_id AS level_id,
                        SUM(CASE WHEN s.trained THEN 1 ELSE 0 END) AS t,
                        SUM(CASE WHEN s.channels THEN 1 ELSE 0 END) AS c
                    FROM {table} s WHERE {root_where.replace("path", "s.path")} AND LENGTH(s.path) > {prefix}
                        AND (s.trained OR s.channels)
                    GROUP BY SUBSTR(s.path, 1, {prefix}), s.level_id
                ) g JOIN {unit_table} a ON a.path = g.anc""",
                root_params,
            )
    after = contribution(root)
    delta = {
        level: [after[level][0] - before[level][0], after[level][1] - before[level][1]]
        for level in set(after) | set(before)
    }
    _apply_to_ancestors(root, delta)
    return written


def _first_unmet(milestones: list[Milestone]) -> tuple[str, list]:
    """CASE giving the earliest due date among ``milestones`` the row ``x`` does not meet."""
    if not milestones:
        return "NULL", []
    parts, params = [], []
    for milestone in sorted(milestones, key=lambda m: m.due_date):
        parts.append(f"WHEN NOT x.{COLUMN[milestone.kind]} THEN %s")
        params.append(connection.ops.adapt_datefield_value(milestone.due_date))
    return "CASE " + " ".join(parts) + " ELSE NULL END", params
