"""A local PostgreSQL streaming replica made on this machine, for the replica's tests (``tests/test_replica.py``)
and the load scenario (``loadtest/run.py --replica``); production replicas are made as docs/deploy.md says.

``local_replica`` copies the running primary cluster with ``pg_basebackup -R`` into a temporary directory,
starts the copy as a hot standby on a free loopback port (streaming through a replication slot of its own, so a
busy primary keeps the WAL it needs), yields it and, at the end, stops it, removes the directory and drops the
slot. The primary must accept replication connections from 127.0.0.1: ``wal_level`` ``replica``
(PostgreSQL's default; changing it needs a restart) and a ``pg_hba.conf`` line for replication from 127.0.0.1,
which ``allow_loopback_replication`` adds itself when the file is writable here (then reloads the server: no
restart). What stands in the way is raised as ``ReplicaNotPossible`` (the tests skip on it, CI fails).

A tool for this machine, not a path of the application's data: it runs the system's ``pg_basebackup`` and
``pg_ctl`` (as the ``postgres`` user when run as root: the server refuses root) and reads the servers' own
statistics, so its few statements live here rather than in an app's ``sql.py``. Nothing here imports Django:
the callers pass a DB-API cursor on the primary.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

HBA_LINE = "host replication all 127.0.0.1/32 trust  # added by sangathan/ops/replica_local.py for a local replica"
# Debian keeps the configuration in /etc, outside the copied data directory: the replica gets its own.
CONFIGURATION = {
    "postgresql.conf": "",  # the defaults: hot_standby on, the rest given with -c on the command line
    "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",  # loopback only
    "pg_ident.conf": "",
}
# A hot standby refuses to start with less of these than its primary has.
STANDBY_AT_LEAST = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)

WAL_LEVEL = "SHOW wal_level"
HBA_HAS_LOOPBACK_REPLICATION = (
    "SELECT count(*) FROM pg_hba_file_rules "
    "WHERE type = 'host' AND address = '127.0.0.1' AND 'replication' = ANY(database)"
)
HBA_FILE = "SHOW hba_file"
RELOAD = "SELECT pg_reload_conf()"
DROP_SLOT = "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = %s"
SETTING = "SELECT current_setting(%s)"
PRIMARY_LSN = "SELECT pg_current_wal_lsn()::text"
REPLAYED_UP_TO = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
# On the primary: how far each standby is behind (PostgreSQL's own measure: the time from a commit on the primary
# to its replay on the standby, over the last moments), and the bytes it has yet to replay.
REPLICATION_LAG = (
    "SELECT COALESCE(EXTRACT(EPOCH FROM replay_lag), 0), pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) "
    "FROM pg_stat_replication WHERE client_addr = '127.0.0.1' AND application_name = %s"
)
# On the replica: the reads it answered in one database (a standby's statistics count its own work only).
READS = "SELECT xact_commit, tup_returned, tup_fetched FROM pg_stat_database WHERE datname = current_database()"
TABLE_READS = (
    "SELECT relname, COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0) FROM pg_stat_user_tables "
    "WHERE COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0) > 0"
)


class ReplicaNotPossible(RuntimeError):
    """What stands in the way of a local replica (said so that an operator can fix it)."""


@dataclass(frozen=True)
class Primary:
    """Where the primary listens, as Django's DATABASES or a URL give it."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> "Primary":
        return cls(
            host=settings_dict.get("HOST") or "127.0.0.1",
            port=int(settings_dict.get("PORT") or 5432),
            user=settings_dict.get("USER") or "postgres",
            password=settings_dict.get("PASSWORD") or "",
        )


@dataclass(frozen=True)
class LocalReplica:
    """A running hot standby: its port, its data directory and the name it streams under."""

    primary: Primary
    port: int
    data: Path
    name: str

    def session(self, dbname: str) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.primary.user, dbname=dbname, autocommit=True, connect_timeout=5
        )

    def url(self, dbname: str) -> str:
        """``DATABASE_REPLICA_URL`` for the database ``dbname`` on this replica (trust on loopback: no password)."""
        return f"postgres://{self.primary.user}@127.0.0.1:{self.port}/{dbname}"

    def wait_caught_up(self, primary_cursor: Any, dbname: str, timeout: float = 30.0) -> float:
        """Wait until the replica has replayed everything the primary has written so far; returns the seconds
        it took. Raises TimeoutError after ``timeout``."""
        primary_cursor.execute(PRIMARY_LSN)
        target = primary_cursor.fetchone()[0]
        started = time.monotonic()
        with self.session(dbname) as replica:
            while True:
                if replica.execute(REPLAYED_UP_TO, [target]).fetchone()[0]:
                    return time.monotonic() - started
                if time.monotonic() - started > timeout:
                    raise TimeoutError(f"the replica did not catch up within {timeout:.0f} s")
                time.sleep(0.05)

    def lag(self, primary_cursor: Any) -> tuple[float, int] | None:
        """(seconds, bytes) the replica is behind, as the primary sees it; None when it is not streaming."""
        primary_cursor.execute(REPLICATION_LAG, [self.name])
        row = primary_cursor.fetchone()
        return None if row is None else (float(row[0]), int(row[1] or 0))

    def reads(self, dbname: str) -> dict[str, Any]:
        """The replica's own count of what it answered in ``dbname``: transactions, rows, scans per table."""
        with self.session(dbname) as replica:
            transactions, returned, fetched = replica.execute(READS).fetchone()
            tables = dict(replica.execute(TABLE_READS).fetchall())
        return {"transactions": transactions, "rows_returned": returned, "rows_fetched": fetched, "tables": tables}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _bin(name: str) -> str:
    pg_config = shutil.which("pg_config") or "/usr/bin/pg_config"
    bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603
    return str(Path(bindir) / name)


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL's server refuses to run as root: as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(path, postgres.pw_uid, postgres.pw_gid)


def allow_loopback_replication(cursor: Any) -> None:
    """Let the primary accept replication connections from 127.0.0.1 where that needs no restart (a line in
    pg_hba.conf, then a reload). ``cursor``: a DB-API cursor on the primary. Raises ``ReplicaNotPossible``."""
    cursor.execute(WAL_LEVEL)
    if cursor.fetchone()[0] == "minimal":
        raise ReplicaNotPossible("wal_level is minimal: set it to replica and restart PostgreSQL")
    cursor.execute(HBA_HAS_LOOPBACK_REPLICATION)
    if cursor.fetchone()[0]:
        return
    cursor.execute(HBA_FILE)
    hba = Path(cursor.fetchone()[0])
    if not os.access(hba, os.W_OK):
        raise ReplicaNotPossible(
            f"{hba} has no replication line for 127.0.0.1 and cannot be changed here: add {HBA_LINE!r}"
        )
    with hba.open("a") as lines:
        lines.write(f"\n{HBA_LINE}\n")
    cursor.execute(RELOAD)


def _standby_settings(cursor: Any) -> list[str]:
    options = []
    for name in STANDBY_AT_LEAST:
        cursor.execute(SETTING, [name])
        options += ["-c", f"{name}={cursor.fetchone()[0]}"]
    return options


@contextmanager
def local_replica(primary: Primary, cursor: Any, *, log=None) -> Iterator[LocalReplica]:
    """A hot standby of ``primary``'s whole cluster on a free loopback port, for the block; ``cursor``: a DB-API
    cursor on the primary (it may be closed once the block has started). Raises ``ReplicaNotPossible``."""
    allow_loopback_replication(cursor)
    standby_options = _standby_settings(cursor)
    data = Path(tempfile.mkdtemp(prefix="sangathan-replica-"))
    _give_to_postgres(data)
    data.chmod(0o700)
    port = free_port()
    name = f"sangathan_replica_{port}"
    started_at = time.monotonic()
    try:
        for _attempt in range(20):  # a reload just asked for takes effect within moments
            copy = subprocess.run(  # noqa: S603 - the system's pg_basebackup, fixed arguments
                _as_postgres(
                    [
                        _bin("pg_basebackup"),
                        *("-h", primary.host, "-p", str(primary.port), "-U", primary.user, "-D", str(data)),
                        *("-R", "-X", "stream", "-c", "fast", "--no-sync"),
                        # A replication slot keeps the primary's WAL from the copy's start until the standby
                        # has it: without one, a busy primary (a national seeding) removes the segments the
                        # standby still needs before it starts ("requested WAL segment … has already been
                        # removed"). Dropped at the end, or the primary would keep its WAL for ever.
                        *("-C", "-S", name),
                        # The standby's connection says who it is: pg_stat_replication's application_name.
                        *("-d", f"application_name={name}"),
                    ]
                ),
                capture_output=True,
                text=True,
                timeout=1800,  # the national tree's cluster: a few GB
                env={**os.environ, "PGPASSWORD": primary.password},
            )
            if copy.returncode == 0 or "pg_hba.conf" not in copy.stderr:
                break
            time.sleep(0.1)
        if copy.returncode != 0:
            raise ReplicaNotPossible(
                "a replication connection to the primary (pg_hba.conf: host replication all 127.0.0.1/32 trust); "
                f"pg_basebackup said: {copy.stderr.strip()[-300:]}"
            )
        if log:
            log(f"  pg_basebackup copied the cluster in {time.monotonic() - started_at:.0f} s")
        for file_name, text in CONFIGURATION.items():
            (data / file_name).write_text(text)
            _give_to_postgres(data / file_name)
        options = " ".join(
            [f"-p {port}", f"-k {data}", "-c listen_addresses=127.0.0.1", "-c hot_standby=on", *standby_options]
        )
        started = subprocess.run(  # noqa: S603 - the system's pg_ctl, fixed arguments
            _as_postgres(
                [
                    _bin("pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(data / "server.log"),
                    "-w",
                    "-t",
                    "120",
                    "-o",
                    options,
                    "start",
                ]
            ),
            capture_output=True,
            text=True,
            timeout=150,
        )
        log_file = data / "server.log"
        if started.returncode != 0:
            raise RuntimeError(started.stderr + (log_file.read_text()[-2000:] if log_file.exists() else ""))
        yield LocalReplica(primary=primary, port=port, data=data, name=name)
    finally:
        subprocess.run(  # noqa: S603 - the system's pg_ctl, fixed arguments
            _as_postgres([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(data, ignore_errors=True)
        _drop_slot(primary, name)


def _drop_slot(primary: Primary, name: str) -> None:
    """Drop the replication slot ``name`` on the primary, if it was made (retried while the stopped standby's
    connection is still being closed)."""
    with psycopg.connect(
        host=primary.host,
        port=primary.port,
        user=primary.user,
        password=primary.password or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    ) as admin:
        for _attempt in range(50):
            try:
                admin.execute(DROP_SLOT, [name])
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.2)
