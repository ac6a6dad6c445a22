"""The plan's raw SQL: one function per statement (and the conditions they share), the PostgreSQL or
SQLite variant chosen here; ``tests/test_sql.py`` runs each on the test database (CI runs it on both).

Raw because these are set-based passes over every unit of a plan (docs/adr/0003-plan-progress.md): the
progress refresh writes one ``INSERT … SELECT`` per (plan, level) and one ``GROUP BY`` per depth; the
daily escalation finds every (recipient, unit) pair in one query and each person's most urgent units in
one windowed query. Statements are built from these constants, our models' table names and the SQL of
ORM querysets (``sql_with_params``); values always go as parameters.
"""

import datetime

from django.db import connection

from sangathan.channels.selectors import unit_ids_with_platforms
from sangathan.org.models import Appointment, Position, Unit
from sangathan.org.paths import path_upper_bound
from sangathan.planning import kinds
from sangathan.planning.models import KindCounter, Milestone, ProgressCounter, UnitKindMet, UnitProgress
from sangathan.training.models import Programme
from sangathan.training.selectors import trained_person_ids

NEVER = "(1 = 0)"


def column(kind: str) -> str:
    """The flag's column in the refresh's CTE ``x``: the built-in kinds' own, ``k_<code>`` for a registered one
    (its code is a checked short lower-case word, ``kinds.CODE``)."""
    if kinds.is_builtin(kind):
        return kind
    if not kinds.CODE.match(kind):
        raise ValueError(f"Not a milestone kind: {kind!r}")
    return f"k_{kind}"


def kind_condition(milestone: Milestone | None, kind: str) -> tuple[str, list]:
    """SQL (on ``u``) true when the unit meets ``milestone`` of the registered ``kind`` (never when there is
    no such milestone or the app that measured it is gone)."""
    registered = kinds.get(kind)
    if milestone is None or registered is None:
        return NEVER, []
    return registered.condition(milestone)


# ---------------------------------------------------------------- conditions the statements share


def range_condition(column: str, path: str) -> tuple[str, list]:
    """SQL true for the paths (in ``column``) of the subtree at ``path``, with its parameters."""
    upper = path_upper_bound(path)
    if upper is None:
        return f"{column} >= %s", [path]
    return f"{column} >= %s AND {column} < %s", [path, upper]


def region_condition(column: str, path: str, *, holes: list[str]) -> tuple[str, list]:
    """The subtree at ``path`` without the subtrees at ``holes`` (the regions of plans inside it)."""
    where, params = range_condition(column, path)
    for hole in holes:
        hole_where, hole_params = range_condition(column, hole)
        where += f" AND NOT ({hole_where})"
        params += hole_params
    return where, params


def trained_condition(milestone: Milestone | None) -> tuple[str, list]:
    """SQL (on ``u``, the unit) true when the key post is filled and every active appointee has a
    completion of the milestone's programme (any programme when it names none)."""
    if milestone is None:
        return NEVER, []
    programme = None
    if milestone.programme_code:
        programme = Programme.objects.filter(code=milestone.programme_code).values_list("pk", flat=True).first()
        if programme is None:  # a programme nobody can have completed
            return NEVER, []
    sub_sql, sub_params = trained_person_ids(programme=programme).order_by().query.sql_with_params()
    # NOT EXISTS, not NOT IN: both databases turn it into an anti-join on the completions' index.
    sql = TRAINED.format(appointments=Appointment._meta.db_table, trained=sub_sql)
    return sql, list(sub_params)


def channels_condition(milestone: Milestone | None) -> tuple[str, list]:
    """SQL (on ``u``) true when the unit has a channel on every platform the milestone names."""
    if milestone is None or not milestone.platforms:
        return NEVER, []
    sub_sql, sub_params = unit_ids_with_platforms(milestone.platforms).query.sql_with_params()
    return f"(u.id IN ({sub_sql}))", list(sub_params)


def first_unmet(milestones: list[Milestone]) -> tuple[str, list]:
    """CASE giving the earliest due date among ``milestones`` the row ``x`` does not meet."""
    if not milestones:
        return "NULL", []
    parts, params = [], []
    for milestone in sorted(milestones, key=lambda m: m.due_date):
        parts.append(f"WHEN NOT x.{column(milestone.kind)} THEN %s")
        params.append(connection.ops.adapt_datefield_value(milestone.due_date))
    return "CASE " + " ".join(parts) + " ELSE NULL END", params


TRAINED = (
    "(u.key_post_filled AND NOT EXISTS (SELECT 1 FROM {appointments} ap WHERE ap.unit_id = u.id "
    "AND ap.status = 'active' AND NOT EXISTS (SELECT 1 FROM ({trained}) trained WHERE trained.person_id = ap.person_id)))"
)

# ---------------------------------------------------------------- the progress refresh

JIT_OFF = "SET LOCAL jit = off"
PROGRESS_DELETE = "DELETE FROM {table} WHERE {where}"
# The flags are computed once per unit (a materialised CTE, so the dates' CASE does not evaluate the
# subqueries again); the dates follow from them. Deepest plans first: a unit already claimed is skipped.
PROGRESS_INSERT = """WITH x AS MATERIALIZED (
                        SELECT u.id AS id, u.path AS path, u.level_id AS level_id, u.key_post_filled AS appointed,
                            {trained} AS trained, {channels} AS channels{extra}
                        FROM {units} u WHERE u.level_id = %s AND {where}
                    )
                    INSERT INTO {table} (unit_id, plan_id, path, level_id, appointed, trained, channels,
                        late_since, next_due, refreshed_at)
                    SELECT x.id, %s, x.path, x.level_id, x.appointed, x.trained, x.channels, {late}, {next}, %s
                    FROM x WHERE 1 = 1
                    ON CONFLICT (unit_id) DO NOTHING"""
PROGRESS_LONGEST_PATH = "SELECT MAX(LENGTH(path)) FROM {table} WHERE {where} AND (trained OR channels)"
# The met rows below each ancestor at one depth, per level (``{prefix}``: the ancestor's path length).
PROGRESS_COUNTERS_INSERT = """INSERT INTO {counters} (unit_id, level_id, trained, channels)
                SELECT a.id, g.level_id, g.t, g.c FROM (
                    SELECT SUBSTR(s.path, 1, {prefix}) AS anc, s.level_id AS level_id,
                        SUM(CASE WHEN s.trained THEN 1 ELSE 0 END) AS t,
                        SUM(CASE WHEN s.channels THEN 1 ELSE 0 END) AS c
                    FROM {table} s WHERE {where} AND LENGTH(s.path) > {prefix}
                        AND (s.trained OR s.channels)
                    GROUP BY SUBSTR(s.path, 1, {prefix}), s.level_id
                ) g JOIN {units} a ON a.path = g.anc"""
# Registered kinds (``planning.kinds``): the units of one (plan, level) that meet one, among those the plan
# claimed above (its own UnitProgress rows), kept as rows; and their roll-up per depth, like the counters above.
KIND_MET_DELETE = "DELETE FROM {table} WHERE {where}"
KIND_MET_INSERT = """INSERT INTO {table} (unit_id, kind, path, level_id)
                    SELECT u.id, %s, u.path, u.level_id FROM {units} u
                        JOIN {progress} p ON p.unit_id = u.id AND p.plan_id = %s
                    WHERE u.level_id = %s AND {where} AND {condition}"""
KIND_LONGEST_PATH = "SELECT MAX(LENGTH(path)) FROM {table} WHERE {where}"
KIND_COUNTERS_INSERT = """INSERT INTO {counters} (unit_id, level_id, kind, done)
                SELECT a.id, g.level_id, g.kind, g.n FROM (
                    SELECT SUBSTR(s.path, 1, {prefix}) AS anc, s.level_id AS level_id, s.kind AS kind, COUNT(*) AS n
                    FROM {table} s WHERE {where} AND LENGTH(s.path) > {prefix}
                    GROUP BY SUBSTR(s.path, 1, {prefix}), s.level_id, s.kind
                ) g JOIN {units} a ON a.path = g.anc"""
NAIVE_KIND_COUNT = "SELECT COUNT(*) FROM {units} u WHERE u.level_id = %s AND {where} AND {condition}"
# The dashboard's numbers the plain way (the bench's and the tests' baseline): one aggregate per level.
NAIVE_LEVEL_COUNTS = """SELECT COUNT(*), SUM(CASE WHEN u.key_post_filled THEN 1 ELSE 0 END),
                        SUM(CASE WHEN {trained} THEN 1 ELSE 0 END), SUM(CASE WHEN {channels} THEN 1 ELSE 0 END)
                    FROM {units} u WHERE u.level_id = %s AND {where}"""


def jit_off() -> None:
    """PostgreSQL: no JIT for the rest of the transaction. Compiling these one-off statements costs ≈0.5 s
    each and saves nothing. SQLite has no JIT."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(JIT_OFF)


def progress_delete(*, path: str) -> None:
    """Delete the ``UnitProgress`` rows of the subtree at ``path``."""
    where, params = range_condition("path", path)
    with connection.cursor() as cursor:
        cursor.execute(PROGRESS_DELETE.format(table=UnitProgress._meta.db_table, where=where), params)


def progress_insert(
    *,
    plan_id: int,
    level_id: int,
    path: str,
    trained: tuple[str, list],
    channels: tuple[str, list],
    late: tuple[str, list],
    next_due: tuple[str, list],
    now: datetime.datetime,
    extra: dict[str, tuple[str, list]] | None = None,
) -> None:
    """One ``UnitProgress`` row per unit of ``level_id`` in the subtree at ``path`` not claimed yet, with its
    flags (``trained``/``channels``: conditions on ``u``) and dates (``late``/``next_due``: ``first_unmet``).
    ``extra``: registered kind -> its condition, evaluated in the same CTE for the dates."""
    where, where_params = range_condition("u.path", path)
    extra = extra or {}
    extra_sql = "".join(f", {condition[0]} AS {column(kind)}" for kind, condition in extra.items())
    extra_params = [param for condition in extra.values() for param in condition[1]]
    sql = PROGRESS_INSERT.format(
        extra=extra_sql,
        trained=trained[0],
        channels=channels[0],
        units=Unit._meta.db_table,
        where=where,
        table=UnitProgress._meta.db_table,
        late=late[0],
        next=next_due[0],
    )
    params = [*trained[1], *channels[1], *extra_params, level_id, *where_params, plan_id, *late[1], *next_due[1]]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, connection.ops.adapt_datetimefield_value(now)])


def progress_depth_max(*, path: str) -> int:
    """The depth of the deepest met ``UnitProgress`` row in the subtree at ``path`` (0 when none)."""
    where, params = range_condition("path", path)
    with connection.cursor() as cursor:
        cursor.execute(PROGRESS_LONGEST_PATH.format(table=UnitProgress._meta.db_table, where=where), params)
        return (cursor.fetchone()[0] or 0) // Unit.steplen


def progress_counters_insert(*, path: str, depth: int) -> None:
    """The ``ProgressCounter`` rows of the ancestors at ``depth`` in the subtree at ``path``: their met
    rows below them, per level."""
    where, params = range_condition("s.path", path)
    sql = PROGRESS_COUNTERS_INSERT.format(
        counters=ProgressCounter._meta.db_table,
        prefix=int(depth) * Unit.steplen,
        table=UnitProgress._meta.db_table,
        where=where,
        units=Unit._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def kind_met_delete(*, path: str) -> None:
    """Delete the ``UnitKindMet`` rows of the subtree at ``path``."""
    where, params = range_condition("path", path)
    with connection.cursor() as cursor:
        cursor.execute(KIND_MET_DELETE.format(table=UnitKindMet._meta.db_table, where=where), params)


def kind_met_insert(*, plan_id: int, level_id: int, path: str, kind: str, condition: tuple[str, list]) -> None:
    """A ``UnitKindMet`` row for each unit of ``level_id`` in the subtree at ``path`` that plan ``plan_id``
    claimed (its ``UnitProgress`` row) and that meets ``condition``."""
    where, where_params = range_condition("u.path", path)
    sql = KIND_MET_INSERT.format(
        table=UnitKindMet._meta.db_table,
        units=Unit._meta.db_table,
        progress=UnitProgress._meta.db_table,
        where=where,
        condition=condition[0],
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, plan_id, level_id, *where_params, *condition[1]])


def kind_depth_max(*, path: str) -> int:
    """The depth of the deepest ``UnitKindMet`` row in the subtree at ``path`` (0 when none)."""
    where, params = range_condition("path", path)
    with connection.cursor() as cursor:
        cursor.execute(KIND_LONGEST_PATH.format(table=UnitKindMet._meta.db_table, where=where), params)
        return (cursor.fetchone()[0] or 0) // Unit.steplen


def kind_counters_insert(*, path: str, depth: int) -> None:
    """The ``KindCounter`` rows of the ancestors at ``depth`` in the subtree at ``path``."""
    where, params = range_condition("s.path", path)
    sql = KIND_COUNTERS_INSERT.format(
        counters=KindCounter._meta.db_table,
        prefix=int(depth) * Unit.steplen,
        table=UnitKindMet._meta.db_table,
        where=where,
        units=Unit._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def naive_kind_count(*, level_id: int, where: tuple[str, list], condition: tuple[str, list]) -> int:
    """How many units of ``level_id`` where ``where`` (on ``u``) meet ``condition``, counted the plain way."""
    sql = NAIVE_KIND_COUNT.format(units=Unit._meta.db_table, where=where[0], condition=condition[0])
    with connection.cursor() as cursor:
        cursor.execute(sql, [level_id, *where[1], *condition[1]])
        return int(cursor.fetchone()[0] or 0)


def naive_level_counts(
    *, level_id: int, where: tuple[str, list], trained: tuple[str, list], channels: tuple[str, list]
) -> tuple[int, int, int, int]:
    """(units, key post filled, trained, channels) of the units of ``level_id`` where ``where`` (on ``u``)."""
    sql = NAIVE_LEVEL_COUNTS.format(trained=trained[0], channels=channels[0], units=Unit._meta.db_table, where=where[0])
    with connection.cursor() as cursor:
        cursor.execute(sql, [*trained[1], *channels[1], level_id, *where[1]])
        total, appointed, done_trained, done_channels = (int(v or 0) for v in cursor.fetchone())
    return total, appointed, done_trained, done_channels


# ---------------------------------------------------------------- the daily escalation

# (person_id, own, unit_id, late_since, next_due) for every unit that has missed a deadline or has one
# before the horizon (``%s``, twice) it does not meet yet: its key post holder (own = 1) and the key post
# holder of its parent unit (own = 0).
ESCALATION_PAIRS = """
        SELECT a.person_id AS person_id, 1 AS own, s.unit_id AS unit_id, s.late_since AS late_since,
               s.next_due AS next_due
        FROM {s} s JOIN {a} a ON a.unit_id = s.unit_id AND a.status = 'active'
                   JOIN {p} p ON p.id = a.position_id AND p.is_key
        WHERE (s.late_since IS NOT NULL OR s.next_due <= %s)
        UNION ALL
        SELECT a.person_id, 0, s.unit_id, s.late_since, s.next_due
        FROM {s} s JOIN {u} u ON u.id = s.unit_id
                   JOIN {a} a ON a.unit_id = u.parent_id AND a.status = 'active'
                   JOIN {p} p ON p.id = a.position_id AND p.is_key
        WHERE (s.late_since IS NOT NULL OR s.next_due <= %s)"""

# Per person: own late, own due soon, children's late, children's due soon, earliest late_since, next due.
ESCALATION_GROUPS = """SELECT person_id,
                    SUM(CASE WHEN own = 1 AND late_since IS NOT NULL THEN 1 ELSE 0 END),
                    SUM(CASE WHEN own = 1 AND late_since IS NULL THEN 1 ELSE 0 END),
                    SUM(CASE WHEN own = 0 AND late_since IS NOT NULL THEN 1 ELSE 0 END),
                    SUM(CASE WHEN own = 0 AND late_since IS NULL THEN 1 ELSE 0 END),
                    MIN(late_since), MIN(next_due)
                FROM ({pairs}) pairs GROUP BY person_id ORDER BY person_id"""

# Each person's most urgent units (own units first, then the latest, then the soonest due), at most ``%s``.
ESCALATION_EXAMPLES = """SELECT person_id, own, unit_id FROM (
                    SELECT person_id, own, unit_id, ROW_NUMBER() OVER (
                        PARTITION BY person_id ORDER BY own DESC,
                        CASE WHEN late_since IS NULL THEN 1 ELSE 0 END, late_since, next_due, unit_id) AS rn
                    FROM ({pairs}) pairs
                ) ranked WHERE rn <= %s ORDER BY person_id, rn"""


def _escalation_pairs() -> str:
    return ESCALATION_PAIRS.format(
        s=UnitProgress._meta.db_table,
        u=Unit._meta.db_table,
        a=Appointment._meta.db_table,
        p=Position._meta.db_table,
    )


def escalation_groups(*, horizon: datetime.date) -> list[tuple]:
    """(person_id, own late, own due, children late, children due, earliest late_since, earliest next_due)
    per recipient, by person id. ``horizon``: the last due date that counts as soon."""
    day = connection.ops.adapt_datefield_value(horizon)
    with connection.cursor() as cursor:
        cursor.execute(ESCALATION_GROUPS.format(pairs=_escalation_pairs()), [day, day])
        return cursor.fetchall()


def escalation_examples(*, horizon: datetime.date, per_person: int) -> list[tuple]:
    """(person_id, own, unit_id): each recipient's ``per_person`` most urgent units, in order."""
    day = connection.ops.adapt_datefield_value(horizon)
    with connection.cursor() as cursor:
        cursor.execute(ESCALATION_EXAMPLES.format(pairs=_escalation_pairs()), [day, day, per_person])
        return cursor.fetchall()
