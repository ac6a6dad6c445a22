"""ops' SQL: the readiness probe's round trip and a replica's lag (PostgreSQL only; see core/sql.py for the
rule that every raw statement lives in an app's sql.py)."""

from django.db import connections

PING = "SELECT 1"
# On a streaming replica: seconds since the last transaction it replayed, 0 when it has replayed all it has
# received (an idle primary writes nothing, so "seconds since" alone would grow on a replica that is up to
# date). NULL on a server that is not a replica.
REPLICA_LAG = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


def ping(alias: str = "default") -> None:
    """One round trip to the database ``alias`` (raises the driver's error when it is unreachable)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(PING)
        cursor.fetchone()


def replica_lag_seconds(alias: str) -> float | None:
    """How far the replica ``alias`` is behind its primary, in seconds; None when it is not a replica (or not
    PostgreSQL)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(REPLICA_LAG)
        value = cursor.fetchone()[0]
    return None if value is None else float(value)


# --------------------------------------------------------------- backups (ops/backup.py)

# The dump and the row counts of its manifest see the same data: the counts are taken in a read-only
# repeatable-read transaction whose snapshot pg_dump is given (``--snapshot``).
SNAPSHOT_BEGIN = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
SNAPSHOT_EXPORT = "SELECT pg_export_snapshot()"
TABLES = {
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
}
COUNT_ROWS = "SELECT COUNT(*) FROM {table}"
SAMPLE_ROWS = "SELECT * FROM {table} ORDER BY 1 LIMIT {limit:d}"  # an int, formatted: any DB-API cursor


def _quote(table: str) -> str:
    return '"' + table.replace('"', '""') + '"'


def begin_snapshot(cursor) -> str:
    """In a transaction just begun on PostgreSQL: make it a read-only snapshot and export it for pg_dump."""
    cursor.execute(SNAPSHOT_BEGIN)
    cursor.execute(SNAPSHOT_EXPORT)
    return cursor.fetchone()[0]


def table_names(cursor, vendor: str) -> list[str]:
    """The tables of the database ``cursor`` is on (a DB-API cursor: Django's, psycopg's or sqlite3's)."""
    cursor.execute(TABLES[vendor])
    return [row[0] for row in cursor.fetchall()]


def table_counts(cursor, vendor: str) -> dict[str, int]:
    """Every table's number of rows."""
    counts = {}
    for table in table_names(cursor, vendor):
        cursor.execute(COUNT_ROWS.format(table=_quote(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def sample_rows(cursor, table: str, *, limit: int = 5) -> list[tuple]:
    """The first ``limit`` rows of ``table`` by its first column (its id for Django's tables)."""
    cursor.execute(SAMPLE_ROWS.format(table=_quote(table), limit=int(limit)))
    return [tuple(row) for row in cursor.fetchall()]
