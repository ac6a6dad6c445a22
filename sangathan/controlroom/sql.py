"""The control room's raw SQL: one function per statement, run on the test database by ``tests/test_sql.py``
(CI runs it on SQLite and PostgreSQL). Statements are built from these constants and our models' table
names; values always go as parameters.

Raw because the daily roll-up is one INSERT … SELECT … GROUP BY over path prefixes for the whole tree (a
report from every booth of the country is 1.06 million rows): no per-unit Python. It follows the cascade's
roll-up (``outreach.sql.ROLLUPS_INSERT``): each unit's key appointments are first summed per unit, then per
parent (a few thousand groups for tens of thousands of booths), and each parent group adds to the parent and
every ancestor by joining a list of depths; a unit's own row adds to its own path only.
"""

import datetime

from django.db import connection
from django.utils import timezone

from sangathan.controlroom.links import PostLink
from sangathan.controlroom.models import ActivityReport, ActivityRollup, ReportedPost
from sangathan.org.models import Appointment, Position, Unit

# The key appointments active on the day, each with its report of the day (if any) and whether it reported
# in the window [since, day]; summed per unit, then per parent; then added to every ancestor's row.
ROLLUP_INSERT = """
WITH RECURSIVE bearer AS (
    SELECT u.id AS unit_id, u.path AS path, u.depth AS depth, u.level_id AS level_id,
           CASE WHEN r.id IS NULL THEN 0 ELSE 1 END AS reported,
           CASE WHEN EXISTS (
               SELECT 1 FROM {report} w
               WHERE w.appointment_id = ap.id AND w.day >= %(since)s AND w.day <= %(day)s
           ) THEN 1 ELSE 0 END AS recent,
           COALESCE(r.posts, 0) AS posts, COALESCE(r.shares, 0) AS shares, COALESCE(r.groups_messaged, 0) AS groups_messaged,
           COALESCE(r.people_added, 0) AS people_added, COALESCE(r.events, 0) AS events
    FROM {appointment} ap
    JOIN {position} p ON p.id = ap.position_id
    JOIN {unit} u ON u.id = ap.unit_id
    LEFT JOIN {report} r ON r.appointment_id = ap.id AND r.day = %(day)s
    WHERE p.is_key AND ap.start_date <= %(day)s AND (ap.end_date IS NULL OR ap.end_date >= %(day)s)
),
per_unit AS (
    SELECT path, depth, level_id, COUNT(*) AS bearers, SUM(reported) AS reported, MAX(reported) AS units_reported,
           SUM(recent) AS recent, SUM(posts) AS posts, SUM(shares) AS shares, SUM(groups_messaged) AS groups_messaged,
           SUM(people_added) AS people_added, SUM(events) AS events
    FROM bearer GROUP BY unit_id, path, depth, level_id
),
part (path, level_id, bearers, reported, units_reported, recent, posts, shares, groups_messaged, people_added, events,
      from_depth) AS (
    SELECT SUBSTR(path, 1, (depth - 1) * {step}), level_id, SUM(bearers), SUM(reported), SUM(units_reported),
           SUM(recent), SUM(posts), SUM(shares), SUM(groups_messaged), SUM(people_added), SUM(events), 1
    FROM per_unit WHERE depth > 1 GROUP BY SUBSTR(path, 1, (depth - 1) * {step}), level_id
    UNION ALL
    SELECT path, level_id, bearers, reported, units_reported, recent, posts, shares, groups_messaged, people_added, events,
           depth
    FROM per_unit
),
depths (depth) AS (
    SELECT 1 UNION ALL SELECT depth + 1 FROM depths WHERE depth < (SELECT MAX(depth) FROM per_unit)
)
INSERT INTO {rollup} (day, path, level_id, bearers, reported, units_reported, recent, posts, shares, groups_messaged,
                      people_added, events)
SELECT %(day)s, SUBSTR(part.path, 1, depths.depth * {step}), part.level_id, SUM(part.bearers), SUM(part.reported),
       SUM(part.units_reported), SUM(part.recent), SUM(part.posts), SUM(part.shares), SUM(part.groups_messaged),
       SUM(part.people_added), SUM(part.events)
FROM part JOIN depths ON depths.depth >= part.from_depth AND depths.depth * {step} <= LENGTH(part.path)
GROUP BY SUBSTR(part.path, 1, depths.depth * {step}), part.level_id
"""
ROLLUP_DELETE = "DELETE FROM {rollup} WHERE day = %s"
# After a day's rows are replaced (a million on the national tree), PostgreSQL's statistics still describe the
# table before: the wall's look-up of 36 children then scanned the whole day (1.6 s instead of 0.2 ms, measured
# on the national bench) until autovacuum came round. The refresh refreshes them; SQLite plans without them.
ROLLUP_ANALYZE = "ANALYZE {rollup}"
# SQLite's driver cannot tell the rows of a statement that starts with WITH (rowcount -1): ask the database.
SQLITE_CHANGES = "SELECT changes()"

# The same numbers the plain way, for the tests and the bench: the key appointments active on the day in the
# subtree at ``path`` (itself included), by level, with their report of the day.
NAIVE_DAY = """
SELECT u.level_id, COUNT(*), SUM(CASE WHEN r.id IS NULL THEN 0 ELSE 1 END), COUNT(DISTINCT r.unit_id),
       COALESCE(SUM(r.posts), 0), COALESCE(SUM(r.shares), 0)
FROM {appointment} ap JOIN {position} p ON p.id = ap.position_id JOIN {unit} u ON u.id = ap.unit_id
LEFT JOIN {report} r ON r.appointment_id = ap.id AND r.day = %s
WHERE p.is_key AND ap.start_date <= %s AND (ap.end_date IS NULL OR ap.end_date >= %s)
  AND u.path >= %s AND u.path < %s
GROUP BY u.level_id
"""


# A report's post links in one statement: a post new to the state is made with this report as its first (one
# mention), a known one gets a mention more; the ids of both come back. Rows in the order of their keys, so two
# reports naming the same posts lock them in the same order. (SQLite has upserts with RETURNING since 3.35.)
POSTS_MENTIONED = """
INSERT INTO {post} (state_id, platform, "key", url, unit_id, first_person_id, first_reported_on, mentions, created_at)
VALUES {rows}
ON CONFLICT (state_id, "key") DO UPDATE SET mentions = {post}.mentions + 1
RETURNING id
"""
POSTS_MENTIONED_ROW = "((SELECT id FROM {unit} WHERE path = %s), %s, %s, %s, %s, %s, %s, 1, %s)"


def _tables() -> dict[str, object]:
    return {
        "post": ReportedPost._meta.db_table,
        "report": ActivityReport._meta.db_table,
        "rollup": ActivityRollup._meta.db_table,
        "appointment": Appointment._meta.db_table,
        "position": Position._meta.db_table,
        "unit": Unit._meta.db_table,
        "step": Unit.steplen,
    }


def rollup_delete(*, day: datetime.date) -> int:
    """Remove the roll-up rows of ``day``; returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(ROLLUP_DELETE.format(**_tables()), [connection.ops.adapt_datefield_value(day)])
        return cursor.rowcount


def rollup_insert(*, day: datetime.date, since: datetime.date) -> int:
    """The roll-up rows of ``day`` for the whole tree (``since``: the first day of the silent window);
    returns how many rows. Call after ``rollup_delete`` in the same transaction."""
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.execute(ROLLUP_INSERT.format(**_tables()), {"day": adapt(day), "since": adapt(since)})
        if cursor.rowcount >= 0:
            return cursor.rowcount
        cursor.execute(SQLITE_CHANGES)
        return cursor.fetchone()[0]


def rollup_analyze() -> None:
    """Refresh PostgreSQL's statistics of the roll-up table (after ``rollup_insert`` has committed)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(ROLLUP_ANALYZE.format(**_tables()))


def naive_day(*, path: str, upper: str, day: datetime.date) -> list[tuple]:
    """(level id, key appointments, reported, units reported, posts, shares) in the subtree [path, upper)."""
    value = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(NAIVE_DAY.format(**_tables()), [value, value, value, path, upper])
        return cursor.fetchall()


def posts_mentioned(
    *, state_path: str, unit_id: int, person_id: int, day: datetime.date, links: list[PostLink]
) -> list[int]:
    """The ids of the state's posts named by ``links`` (distinct keys), each made or given a mention more."""
    if not links:
        return []
    tables = _tables()
    ops = connection.ops
    now, first_day = ops.adapt_datetimefield_value(timezone.now()), ops.adapt_datefield_value(day)
    params: list[object] = []
    for link in sorted(links, key=lambda link: link.key):
        params += [state_path, link.platform, link.key, link.url, unit_id, person_id, first_day, now]
    rows = ", ".join([POSTS_MENTIONED_ROW.format(**tables)] * len(links))
    with connection.cursor() as cursor:
        cursor.execute(POSTS_MENTIONED.format(rows=rows, **tables), params)
        return [row[0] for row in cursor.fetchall()]
