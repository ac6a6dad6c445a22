"""Celery application. In the embedded mode (no REDIS_URL) tasks run eagerly in-process.

In production each kind of work has its queue and its workers (sangathan/config/queues.py; the queue
names carry ``SANGATHAN_NAMESPACE``, "sangathan" unless set), e.g. on a machine of 4 cores:

    celery -A sangathan worker -Q sangathan.outbox  -c 4 -n outbox@%h    # one-time codes, messages: I/O bound
    celery -A sangathan worker -Q sangathan.intake  -c 2 -n intake@%h    # the public form's drain
    celery -A sangathan worker -Q sangathan.cascade -c 2 -n cascade@%h   # chunks of a send: database bound
    celery -A sangathan worker -Q sangathan.reports -c 1 -n reports@%h   # imports, the daily run: long
    celery -A sangathan worker -Q sangathan.default -c 2 -n default@%h   # the sweeps, training
    celery -A sangathan beat                                            # one per installation

A small installation runs one worker on every queue: ``celery -A sangathan worker`` without ``-Q`` consumes all
five (the settings declare them, ``CELERY_TASK_QUEUES``).
Every task is acknowledged late and given back when its worker process dies (settings), is safe to run
twice, and work a killed worker leaves is queued again by the sweeps beat runs every minute.
"""

import functools
import os

import redis
from celery import Celery, Task
from django.db import InterfaceError, OperationalError
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangathan.config.settings.base")


class SangathanTask(Task):
    """The base of every task. Tasks are safe to run twice, so a task that meets an unreachable, restarting
    or locked database is simply tried again, with growing pauses (1, 2, 4 … at most 60 s, jittered),
    instead of being dropped with its work half-queued."""

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    max_retries = 10


def survive_a_lost_broker() -> None:
    """Keep a worker running when Redis goes away (issue 17; kombu 5.7.0, the newest release as of December 2026).

    On a lost connection Celery collects the broken broker connection, which sets its transport's ``client``
    (the connection's address) to None. A channel of that connection used afterwards (closed, giving its
    unacknowledged messages back with ``QoS.restore_unacked``, or acknowledging) has its connection pool dropped
    and asks for the address again: ``AttributeError: 'NoneType' object has no attribute 'hostname'`` in
    ``Channel._connparams``. Where Celery expects only the transport's connection errors, the AttributeError
    ends the worker ("Unrecoverable error"): seen in the load scenario (docs/benchmarks.md), a race the suite's
    runs did not always meet.

    Here a channel whose connection is already closed says so with the error kombu's callers expect of a broker
    that cannot be reached, ``redis.exceptions.ConnectionError``: the consumer ignores it while closing, connects
    again when Redis answers and consumes on. The messages that could not be given back stay in Redis's unacked
    index (kombu gives them back after the visibility timeout) and, sooner, the sweeps queue their work again;
    every task is safe to run twice. ``sangathan/ops/tests/test_broker.py`` reproduces the error without the
    guard and checks it is gone; it fails, asking to look again, when kombu is upgraded.
    """
    original = kombu_redis.Channel._connparams
    if getattr(original, "sangathan_guard", False):
        return

    @functools.wraps(original)
    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport is None or getattr(transport, "client", None) is None:
            raise redis.exceptions.ConnectionError("the broker connection of this channel was already closed")
        return original(self, asynchronous=asynchronous)

    _connparams.sangathan_guard = True  # type: ignore[attr-defined]
    kombu_redis.Channel._connparams = _connparams


GUARDED_KOMBU = "5.7.0"  # the release survive_a_lost_broker was written against and tested with
# SANGATHAN_KOMBU_GUARD=0 leaves kombu as released: only to compare a new release with and without the guard
# (the load scenario, tests/chaos/test_redis_restarted.py; docs/operations.md, "Redis restarted").
if os.environ.get("SANGATHAN_KOMBU_GUARD", "1") != "0":
    survive_a_lost_broker()

app = Celery("sangathan", task_cls=SangathanTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
# A worker whose Redis is gone tries again for as long as it takes (every 2, 4, … at most 30 s), instead of
# Celery's default of 100 tries (about 47 minutes) after which it exits: a Redis machine being replaced must not
# leave every worker stopped with nobody told.
app.conf.broker_connection_max_retries = None
app.autodiscover_tasks()
