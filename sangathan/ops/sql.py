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
