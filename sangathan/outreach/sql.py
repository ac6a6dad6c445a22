"""The message cascade's raw SQL: one function per statement, the PostgreSQL or SQLite variant chosen here
and nowhere else (``tests/test_sql.py`` runs each on the test database; CI runs it on both).

Raw because these are the cascade's hot or bulk paths (docs/adr/0004-message-cascade.md): a chunk's
deliveries and roll-up rows are one INSERT … SELECT each; a recipient's "opened"/"received" is one UPDATE …
RETURNING without a read first; folding the answers claims them with one DELETE … RETURNING. Statements are
built from these constants and our models' table names; values always go as parameters.
"""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sangathan.org.models import Unit
from sangathan.outreach.models import Delivery, Message, Rollup, RollupDelta

ROLLUP_COUNTERS = ("opened", "acknowledged", "shared", "cannot")
DELIVERY_STATE = ("opened_at", "acknowledged_at", "shared_at", "cannot_at", "share_url", "share_note", "cannot_reason")
FOLD_BATCH = 500  # (message, path, level) keys per UPDATE … FROM (VALUES …)

# A chunk's deliveries: one row per unit of the target levels in the chunk's subtree (``{levels}``: ids).
DELIVERIES_INSERT = (
    "INSERT INTO {delivery} (message_id, unit_id, path, depth, level_id, created_at, share_url, share_note,"
    " cannot_reason, reminders) SELECT %s, u.id, u.path, u.depth, u.level_id, %s, '', '', '', 0 FROM {unit} u"
    " WHERE u.path >= %s AND u.path < %s AND u.level_id IN ({levels})"
    " ON CONFLICT (unit_id, message_id) DO NOTHING"
)

# The chunk's roll-up rows in one statement, reading its deliveries once. A row (message, ancestor path, level)
# counts the deliveries of that level in the ancestor's subtree, the ancestor included; rows exist for the
# chunk's root and every unit below it that is not at the chunk's deepest depth. Each delivery is first
# counted under its parent ("below": a few thousand groups for tens of thousands of booths), and each such
# group then adds to the parent and the parent's ancestors up to the chunk's root; a delivery above the
# deepest depth adds 1 to its own row ("self"). Plain SQL that PostgreSQL and SQLite both run.
ROLLUPS_INSERT = """
WITH RECURSIVE chunk AS (
    SELECT path, depth, level_id FROM {delivery}
    WHERE message_id = %(message)s AND path >= %(low)s AND path < %(high)s
),
deepest AS (SELECT MAX(depth) AS depth FROM chunk),
part (path, level_id, n, from_depth) AS (
    SELECT SUBSTR(path, 1, (depth - 1) * {step}), level_id, COUNT(*), %(top)s FROM chunk
    WHERE depth > %(top)s GROUP BY SUBSTR(path, 1, (depth - 1) * {step}), level_id
    UNION ALL
    SELECT path, level_id, 1, depth FROM chunk WHERE depth < (SELECT depth FROM deepest)
),
depths (depth) AS (
    SELECT %(top)s UNION ALL SELECT depth + 1 FROM depths WHERE depth + 1 < (SELECT depth FROM deepest)
)
INSERT INTO {rollup} (message_id, path, level_id, total, opened, acknowledged, shared, cannot)
SELECT %(message)s, SUBSTR(part.path, 1, depths.depth * {step}), part.level_id, SUM(part.n), 0, 0, 0, 0
FROM part JOIN depths ON depths.depth >= part.from_depth AND depths.depth * {step} <= LENGTH(part.path)
GROUP BY SUBSTR(part.path, 1, depths.depth * {step}), part.level_id
ON CONFLICT (message_id, path, level_id) DO NOTHING
"""

# Whole seconds from the delivery's ``created_at`` (= the message's ``sent_at``) to ``{at}``, never negative.
SECONDS_SINCE_SENT = {
    "postgresql": "GREATEST(0, FLOOR(EXTRACT(EPOCH FROM ({at} - created_at)))::integer)",
    "sqlite": "MAX(0, CAST((julianday({at}) - julianday(created_at)) * 86400 AS INTEGER))",
}

# "Opened" / "received": stamps set where still empty; RETURNING says which are new (they equal this call's
# time). ``{sets}``/``{where}`` differ between the two answers, see ``delivery_open``.
ANSWER_UPDATE = (
    "UPDATE {delivery} SET {sets} WHERE id = %s{where} RETURNING message_id, unit_id, path, level_id,"
    " opened_at IS NOT DISTINCT FROM %s AS opened_new, acknowledged_at IS NOT DISTINCT FROM %s AS ack_new,"
    " {returning}"
)
ACKNOWLEDGE_SETS = (
    "opened_at = COALESCE(opened_at, %s), acknowledged_at = COALESCE(acknowledged_at, %s),"
    " ack_seconds = CASE WHEN acknowledged_at IS NULL THEN {seconds} ELSE ack_seconds END"
)
OPEN_SETS = "opened_at = COALESCE(opened_at, %s)"
NOT_EXPIRED = (
    " AND NOT EXISTS (SELECT 1 FROM {message} m WHERE m.id = {delivery}.message_id"
    " AND m.expires_at IS NOT NULL AND m.expires_at <= %s)"
)
# PostgreSQL: the delta row made from the UPDATE's RETURNING row in the same statement (SQLite: a trigger,
# migration 0002), so an answer is one round trip and no BEGIN/COMMIT.
ANSWER_WITH_DELTA = (
    "WITH d AS ({update}), j AS (INSERT INTO {deltas} (message_id, path, level_id, opened, acknowledged,"
    " shared, cannot) SELECT message_id, path, level_id, opened_new::integer, (ack_new AND %s)::integer, 0, 0"
    " FROM d WHERE opened_new OR (ack_new AND %s)) SELECT * FROM d"
)

DELTAS_CLAIM = "DELETE FROM {deltas} WHERE message_id IN ({ids}) RETURNING message_id, path, level_id, {counters}"
ROLLUPS_ADD = (
    "UPDATE {rollup} SET {sets} FROM (VALUES {values}) AS v"
    " WHERE {rollup}.message_id = v.column1 AND {rollup}.path = v.column2 AND {rollup}.level_id = v.column3"
)


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


# ---------------------------------------------------------------- sending


def deliveries_insert(*, message_id: int, low: str, high: str, level_ids: Sequence[int], at: datetime.datetime) -> int:
    """The deliveries of the units of ``level_ids`` with paths in [low, high); returns how many were new."""
    if not level_ids:
        return 0
    sql = DELIVERIES_INSERT.format(
        delivery=Delivery._meta.db_table,
        unit=Unit._meta.db_table,
        levels=", ".join(str(int(pk)) for pk in level_ids),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [message_id, connection.ops.adapt_datetimefield_value(at), low, high])
        return cursor.rowcount


def rollups_insert(*, message_id: int, low: str, high: str, top: int) -> None:
    """The roll-up rows (all counters 0 but ``total``) of the chunk at depth ``top`` with paths in [low, high)."""
    sql = ROLLUPS_INSERT.format(rollup=Rollup._meta.db_table, delivery=Delivery._meta.db_table, step=Unit.steplen)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"message": message_id, "low": low, "high": high, "top": top})


# ---------------------------------------------------------------- answers


def deltas_by_trigger() -> bool:
    """On SQLite a trigger appends the ``RollupDelta`` of every change of a delivery's stamps (migration
    0002), so an answer is one statement in autocommit; on PostgreSQL the services append it themselves."""
    return connection.vendor == "sqlite"


def seconds_since_sent(at: str) -> str:
    """SQL for whole seconds from the delivery's ``created_at`` to the time in ``at`` (a placeholder)."""
    return SECONDS_SINCE_SENT[connection.vendor].format(at=at)


def delivery_open(*, delivery_id: int, acknowledge: bool, now: datetime.datetime) -> tuple | None:
    """Stamp a delivery opened (and, with ``acknowledge``, received) where not yet, refusing an expired
    message in the WHERE clause, and append its ``RollupDelta`` when a stamp is new (a data-modifying CTE on
    PostgreSQL, the trigger on SQLite): one statement, no explicit transaction. Returns (message_id,
    unit_id, path, level_id, opened_new, ack_new, *``DELIVERY_STATE``), datetimes aware; None when no row
    was updated (no such delivery, or the message has expired)."""
    delivery, message, deltas = Delivery._meta.db_table, Message._meta.db_table, RollupDelta._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    if acknowledge:
        sets, params = ACKNOWLEDGE_SETS.format(seconds=seconds_since_sent("%s")), [stamp, stamp, stamp]
        where, where_params = NOT_EXPIRED.format(message=message, delivery=delivery), [stamp]
    else:
        sets, params, where, where_params = OPEN_SETS, [stamp], "", []
    update = ANSWER_UPDATE.format(delivery=delivery, sets=sets, where=where, returning=", ".join(DELIVERY_STATE))
    update_params = [*params, delivery_id, *where_params, stamp, stamp]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            row = _execute_prepared(
                cursor,
                ANSWER_WITH_DELTA.format(update=update, deltas=deltas),
                [*update_params, acknowledge, acknowledge],
            )
        else:
            cursor.execute(update.replace("IS NOT DISTINCT FROM", "IS"), update_params)
            row = cursor.fetchone()
    if row is None:
        return None
    return (
        *row[:6],
        *(
            _aware(value) if name.endswith("_at") else value
            for name, value in zip(DELIVERY_STATE, row[6:], strict=True)
        ),
    )


def _execute_prepared(cursor, sql: str, params: list):
    """Run ``sql`` as a server-side prepared statement on the connection of Django's ``cursor`` and return its
    first row. Django's psycopg cursors bind parameters on the client, so PostgreSQL would plan the
    statement anew on every answer; prepared once per connection (``DB_CONN_MAX_AGE`` keeps it), its plan
    is reused. While queries are being logged (DEBUG, query-count tests) it runs as an ordinary query."""
    if cursor.db.queries_logged:
        cursor.execute(sql, params)
        return cursor.fetchone()
    import psycopg  # only on PostgreSQL: SQLite never comes here

    def run(sql, params, many, context):
        cursor.db.validate_no_broken_transaction()
        with cursor.db.wrap_database_errors, psycopg.Cursor(cursor.db.connection) as server_side:
            server_side.execute(sql, params, prepare=True)
            return server_side.fetchone()

    return cursor._execute_with_wrappers(sql, params, many=False, executor=run)


def _aware(value):
    """A datetime read back by a raw cursor as the ORM would give it: SQLite's (stored in UTC) come back
    as text or naive datetimes."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime.datetime) and settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


# ---------------------------------------------------------------- folding the answers into the roll-ups


def deltas_claim(*, message_ids: Sequence[int]) -> list[tuple]:
    """Delete the pending ``RollupDelta`` rows of these messages and return them: (message_id, path,
    level_id, *``ROLLUP_COUNTERS``). A row deleted by a concurrent fold is returned to that fold only.
    Call inside the fold's transaction."""
    sql = DELTAS_CLAIM.format(
        deltas=RollupDelta._meta.db_table, ids=_placeholders(len(message_ids)), counters=", ".join(ROLLUP_COUNTERS)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(message_ids))
        return cursor.fetchall()


def rollups_add(*, items: Sequence[tuple]) -> None:
    """Add to existing roll-up rows: ``items`` are (message_id, path, level_id, *``ROLLUP_COUNTERS``), one
    UPDATE per ``FOLD_BATCH``."""
    rollup = Rollup._meta.db_table
    sets = ", ".join(f"{name} = {rollup}.{name} + v.column{4 + i}" for i, name in enumerate(ROLLUP_COUNTERS))
    width = 3 + len(ROLLUP_COUNTERS)
    with connection.cursor() as cursor:
        for start in range(0, len(items), FOLD_BATCH):
            batch = items[start : start + FOLD_BATCH]
            values = ", ".join([f"({_placeholders(width)})"] * len(batch))
            cursor.execute(
                ROLLUPS_ADD.format(rollup=rollup, sets=sets, values=values),
                [value for item in batch for value in item],
            )
