"""The read replica: which database a query goes to (``DATABASE_ROUTERS``), and which requests read from the
replica (``ReplicaReadsMiddleware``).

``DATABASE_REPLICA_URL`` adds the ``replica`` alias: a PostgreSQL streaming replica of the primary
(docs/deploy.md). Only the heavy reads go there, the pages that count a whole state's tree: the control room's
wall, the plan's dashboard, training coverage, a campaign's dashboard, the reports and exports
(``REPLICA_VIEWS``, by URL name). A GET or HEAD request to one of them reads from the replica; every other
request, every write and everything inside a transaction goes to the primary, so a page that must see what was
just written (a form's redirect, a service's check) always does. Three rules keep those pages right too:

- a write during such a request pins its remaining reads to the primary (read your own writes);
- the tables of who is signed in and what they may do (sessions, users, roles, tokens, two-factor devices,
  lock-outs) are always read from the primary: a replica a second behind must never sign someone out or
  keep a revoked role alive;
- without a replica configured, or while it does not answer (checked at most every
  ``REPLICA_CHECK_SECONDS`` per process, with a short connect timeout), everything goes to the primary: a
  replica down slows the dashboards, it never takes the site down.

Raw SQL of a view so routed picks its connection with ``reads_alias()``. A streamed response (a CSV written
while it is sent) reads after the view returns, outside the request's replica reads: on the primary.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections
from django.urls import Resolver404, resolve

from sangathan.ops.sql import ping

PRIMARY = "default"
REPLICA = "replica"
# Who is signed in and what they may do: never read a second late.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "logins", "auth", "contenttypes", "access", "apitokens", "otp_totp", "django_otp", "axes"}
)


@dataclass
class _ReplicaReads:
    pinned: bool = False  # a write happened: the rest reads from the primary


_current: ContextVar[_ReplicaReads | None] = ContextVar("replica_reads", default=None)

REPLICA_CHECK_SECONDS = 5
_check_lock = threading.Lock()
_last_check: tuple[float, bool] | None = None  # (monotonic time, answered)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_answers() -> bool:
    """The replica answered a round trip in the last ``REPLICA_CHECK_SECONDS`` (per process: one ping at most
    that often, however many requests ask)."""
    global _last_check
    with _check_lock:
        now = time.monotonic()
        if _last_check is None or now - _last_check[0] >= REPLICA_CHECK_SECONDS:
            try:
                ping(REPLICA)
                answered = True
            except DatabaseError:
                connections[REPLICA].close()  # the next check connects afresh
                answered = False
            _last_check = (now, answered)
        return _last_check[1]


def forget_replica_check() -> None:
    """Check the replica again on the next request (the tests' switch between a replica up and down)."""
    global _last_check
    with _check_lock:
        _last_check = None


@contextmanager
def using_replica() -> Iterator[None]:
    """Reads in this block go to the replica (when one is configured), but for the rules above."""
    token = _current.set(_ReplicaReads())
    try:
        yield
    finally:
        _current.reset(token)


def reads_alias() -> str:
    """The database a read made now goes to (for raw SQL: ``connections[reads_alias()]``)."""
    reads = _current.get()
    if reads is None or reads.pinned or not replica_configured() or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


class PrimaryReplicaRouter:
    """Writes to the primary; reads to the replica only inside ``using_replica()``."""

    def db_for_read(self, model, **hints) -> str:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        return reads_alias()

    def db_for_write(self, model, **hints) -> str:
        reads = _current.get()
        if reads is not None:
            reads.pinned = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db, app_label, **hints) -> bool:
        return db != REPLICA  # a replica replays the primary's schema; it is never migrated


class ReplicaReadsMiddleware:
    """GET and HEAD requests to the views named in ``REPLICA_VIEWS`` read from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and replica_configured()
            and self._heavy(request.path_info)
            and replica_answers()
        ):
            with using_replica():
                return self.get_response(request)
        return self.get_response(request)

    @staticmethod
    def _heavy(path: str) -> bool:
        try:
            return resolve(path).view_name in settings.REPLICA_VIEWS
        except Resolver404:
            return False
