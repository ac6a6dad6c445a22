"""The shared cache of the embedded mode: one SQLite file that every web process on the machine reads and
writes, so that rate limits (django-ratelimit, DRF throttling) count every worker's requests together.

Production uses Redis. The embedded mode runs several gunicorn workers (`make demo` starts two) and no
server: a per-process cache (LocMemCache) let 34 of 45 forms from one address through a limit of 20 in four
seconds, each worker counting its own. django-ratelimit counts with ``add`` (a new window starts at 1) and
``incr``; here both are one SQL statement each, so two processes never lose a count:

- ``add`` is an upsert that only overwrites an expired row;
- ``incr`` is ``UPDATE … SET value = value + ? … RETURNING value`` and keeps the row's expiry.

Why not Django's own backends: ``FileBasedCache`` and ``DatabaseCache`` increment by a read and a write
(two processes reading 5 both write 6) and reset the expiry to the default 300 s on each ``incr`` (an
hourly window would end five minutes after the last request). ``DatabaseCache`` also shares the main
database's single write lock and adds four queries to every rate-limited request. This file is apart from
the main database (its own lock, its own WAL), and a rate-limit check costs two statements of a few
microseconds.

Integers are stored as SQL integers (what ``incr`` works on); anything else pickled, like Django's file and
database caches do. The file lives in ``var/`` next to the database and the secret key: whoever can write
there owns the site anyway.
"""

import os
import pickle
import sqlite3
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

FOREVER = 1e18  # "never expires" (seconds since 1970; far beyond anything real)
CULL_EVERY = 500  # writes of a process between two sweeps of expired rows


class SQLiteCache(BaseCache):
    """``LOCATION`` is the SQLite file (made on first use). ``OPTIONS``: ``MAX_ENTRIES`` as for Django's
    caches; over it, expired rows go first, then the ``1/CULL_FREQUENCY`` that expire soonest."""

    def __init__(self, location, params):
        super().__init__(params)
        self._path = str(location)
        self._local = threading.local()
        self._writes = 0

    # ------------------------------------------------------------ connection

    def _db(self) -> sqlite3.Connection:
        """One connection per thread and process (a forked worker opens its own)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            directory = os.path.dirname(self._path)
            if directory:
                os.makedirs(directory, exist_ok=True)
            # Autocommit: each statement is its own transaction; 10 s for a writer holding the lock.
            db = sqlite3.connect(self._path, timeout=10, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a count lost in a power cut is no loss
            db.execute(
                "CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS cache_expires ON cache (expires)")
            local.db, local.pid = db, os.getpid()
        return local.db

    # ------------------------------------------------------------ values

    @staticmethod
    def _encode(value):
        if type(value) is int and -(2**63) <= value < 2**63:
            return value
        return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def _decode(stored):
        if isinstance(stored, int):
            return stored
        return pickle.loads(stored)  # noqa: S301 - written by this backend into var/, like Django's file cache

    def _expires(self, timeout) -> float:
        timeout = self.get_backend_timeout(timeout)
        return FOREVER if timeout is None else timeout

    # ------------------------------------------------------------ the cache API

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._db().execute("SELECT value FROM cache WHERE key = ? AND expires > ?", (key, time.time())).fetchone()
        return default if row is None else self._decode(row[0])

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self._write(
            "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
            (key, self._encode(value), self._expires(timeout)),
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        changed = self._write(
            "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires "
            "WHERE cache.expires <= ?",
            (key, self._encode(value), self._expires(timeout), time.time()),
        )
        return changed == 1

    def incr(self, key, delta=1, version=None):
        name, key = key, self.make_and_validate_key(key, version=version)
        row = (
            self._db()
            .execute(
                "UPDATE cache SET value = value + ? WHERE key = ? AND expires > ? AND typeof(value) = 'integer' "
                "RETURNING value",
                (delta, key, time.time()),
            )
            .fetchone()
        )
        if row is not None:
            return row[0]
        # Missing, or not an integer (a float, say): read and write under the write lock.
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT value FROM cache WHERE key = ? AND expires > ?", (key, time.time())).fetchone()
            if row is None:
                raise ValueError(f"Key '{name}' not found")
            value = self._decode(row[0]) + delta
            db.execute("UPDATE cache SET value = ? WHERE key = ?", (self._encode(value), key))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return value

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        return (
            self._write(
                "UPDATE cache SET expires = ? WHERE key = ? AND expires > ?",
                (self._expires(timeout), key, time.time()),
            )
            == 1
        )

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._db().execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 1

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        query = "SELECT 1 FROM cache WHERE key = ? AND expires > ?"
        return self._db().execute(query, (key, time.time())).fetchone() is not None

    def clear(self):
        self._db().execute("DELETE FROM cache")

    def close(self, **kwargs):
        """Django closes the caches after each request; the connection is kept for the next one."""

    # ------------------------------------------------------------ upkeep

    def _write(self, sql: str, params) -> int:
        db = self._db()
        changed = db.execute(sql, params).rowcount
        self._writes += 1
        if self._writes % CULL_EVERY == 0:
            self._cull(db)
        return changed

    def _cull(self, db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))
        (count,) = db.execute("SELECT COUNT(*) FROM cache").fetchone()
        if count > self._max_entries:
            if self._cull_frequency == 0:
                db.execute("DELETE FROM cache")
            else:
                db.execute(
                    "DELETE FROM cache WHERE key IN (SELECT key FROM cache ORDER BY expires LIMIT ?)",
                    (count // self._cull_frequency,),
                )
