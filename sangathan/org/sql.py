"""The organisation's raw SQL: the set-based rebuild of the coverage counters and its naive baseline. One
function per statement; ``tests/test_sql.py`` runs each on the test database (CI runs it on SQLite and on
PostgreSQL). Loading rows in bulk (COPY) and ids for them are ``core.sql``.

Raw because a rebuild is one ``GROUP BY SUBSTR(path, 1, n)`` per depth over a whole subtree (1.05 million
booths for the country; docs/adr/0001-tree-and-rollups.md): no per-unit Python. Statements are built from
these constants and our models' table names; values always go as parameters.
"""

from django.db import connection

from sangathan.org.models import AppointeeCounter, Appointment, CoverageCounter, Person, PositionFillCounter, Unit
from sangathan.org.paths import path_upper_bound

# Units strictly below each ancestor at one depth (``{prefix}``: its path length), by ancestor and level.
COVERAGE_COUNTERS_INSERT = """INSERT INTO {counters} (unit_id, level_id, units_total, units_key_filled)
                SELECT a.id, g.level_id, g.total, g.filled FROM (
                    SELECT SUBSTR(u.path, 1, {prefix}) AS anc, u.level_id AS level_id, COUNT(*) AS total,
                           SUM(CASE WHEN u.key_post_filled THEN 1 ELSE 0 END) AS filled
                    FROM {units} u WHERE {where} AND u.depth > {depth}
                    GROUP BY SUBSTR(u.path, 1, {prefix}), u.level_id
                ) g JOIN {units} a ON a.path = g.anc"""
# Active appointments strictly below each ancestor at one depth, by ancestor and position.
POSITION_COUNTERS_INSERT = """INSERT INTO {counters} (unit_id, position_id, filled)
                SELECT a.id, g.position_id, g.filled FROM (
                    SELECT SUBSTR(u.path, 1, {prefix}) AS anc, ap.position_id AS position_id, COUNT(*) AS filled
                    FROM {appointments} ap JOIN {units} u ON u.id = ap.unit_id
                    WHERE {where} AND u.depth > {depth} AND ap.status = 'active'
                    GROUP BY SUBSTR(u.path, 1, {prefix}), ap.position_id
                ) g JOIN {units} a ON a.path = g.anc"""
# The roll-up the plain way, for ``sangathan bench`` and the tests: one GROUP BY over the subtree below.
NAIVE_COVERAGE = (
    "SELECT level_id, COUNT(*), SUM(CASE WHEN key_post_filled THEN 1 ELSE 0 END) FROM {units} WHERE {where}"
    " GROUP BY level_id"
)


def subtree_condition(column: str, path: str | None, *, strict: bool = False) -> tuple[str, list]:
    """SQL true for the paths (in ``column``) of the subtree at ``path`` (the unit itself left out with
    ``strict``; every unit when ``path`` is None), with its parameters."""
    if path is None:
        return "1 = 1", []
    upper = path_upper_bound(path)
    where = f"{column} {'>' if strict else '>='} %s" + (f" AND {column} < %s" if upper else "")
    return where, [path] + ([upper] if upper else [])


def coverage_counters_insert(*, path: str | None, depth: int) -> None:
    """The ``CoverageCounter`` and ``PositionFillCounter`` rows of the units at ``depth`` in the subtree
    at ``path`` (the whole tree when None): what lies below each of them."""
    where, params = subtree_condition("u.path", path)
    tables = {
        "units": Unit._meta.db_table,
        "where": where,
        "depth": int(depth),
        "prefix": int(depth) * Unit.steplen,
    }
    with connection.cursor() as cursor:
        cursor.execute(COVERAGE_COUNTERS_INSERT.format(counters=CoverageCounter._meta.db_table, **tables), params)
        cursor.execute(
            POSITION_COUNTERS_INSERT.format(
                counters=PositionFillCounter._meta.db_table, appointments=Appointment._meta.db_table, **tables
            ),
            params,
        )


def naive_coverage(*, path: str) -> list[tuple]:
    """(level id, units, key post filled) of the units below the one at ``path``, by one GROUP BY."""
    where, params = subtree_condition("path", path, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(NAIVE_COVERAGE.format(units=Unit._meta.db_table, where=where), params)
        return cursor.fetchall()


# Active appointees strictly below each ancestor at one depth, by ancestor and level ({wing}: and wing),
# with how many are women and how many young (``org.representation``).
APPOINTEE_COUNTERS_INSERT = """INSERT INTO {counters} (unit_id, level_id, wing_id, appointees, women, youth)
                SELECT a.id, g.level_id, {wing_out}, g.appointees, g.women, g.youth FROM (
                    SELECT SUBSTR(u.path, 1, {prefix}) AS anc, u.level_id AS level_id, {wing_in} COUNT(*) AS appointees,
                           SUM(CASE WHEN p.gender = %s THEN 1 ELSE 0 END) AS women,
                           SUM(CASE WHEN p.age_band IN ({youth}) THEN 1 ELSE 0 END) AS youth
                    FROM {appointments} ap JOIN {units} u ON u.id = ap.unit_id JOIN {people} p ON p.id = ap.person_id
                    WHERE {where} AND u.depth > {depth} AND ap.status = 'active' {wing_where}
                    GROUP BY SUBSTR(u.path, 1, {prefix}), u.level_id {wing_group}
                ) g JOIN {units} a ON a.path = g.anc"""


def appointee_counters_insert(*, path: str | None, depth: int, women: str, youth: list[str]) -> None:
    """The ``AppointeeCounter`` rows (all appointees, then per wing) of the units at ``depth`` in the subtree
    at ``path`` (the whole tree when None). ``women`` is the gender counted as women, ``youth`` the age bands
    counted as young."""
    where, params = subtree_condition("u.path", path)
    tables = {
        "counters": AppointeeCounter._meta.db_table,
        "appointments": Appointment._meta.db_table,
        "units": Unit._meta.db_table,
        "people": Person._meta.db_table,
        "where": where,
        "depth": int(depth),
        "prefix": int(depth) * Unit.steplen,
        "youth": ", ".join(["%s"] * len(youth)),
    }
    all_appointees = {"wing_out": "NULL", "wing_in": "", "wing_where": "", "wing_group": ""}
    by_wing = {
        "wing_out": "g.wing_id",
        "wing_in": "ap.wing_id AS wing_id,",
        "wing_where": "AND ap.wing_id IS NOT NULL",
        "wing_group": ", ap.wing_id",
    }
    with connection.cursor() as cursor:
        for wing in (all_appointees, by_wing):
            cursor.execute(APPOINTEE_COUNTERS_INSERT.format(**tables, **wing), [women, *youth, *params])
