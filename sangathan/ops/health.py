"""What ``/readyz`` and ``/metrics`` report about the installation: the database, Redis, Celery's queues, the
last runs of beat's tasks, a replica's lag.

Everything here is cheap (one query to each database, one pipelined round trip to Redis) and never raises: a
check that fails says which one and the class of the error, never the error's text (a connection error
carries the URL, and with it a password). Nothing here reads or returns personal data.

Queue depth is what waits in the broker: kombu's Redis transport keeps a queue as a list under
``<global_keyprefix><queue>`` (and, for prioritised messages, ``<queue>\\x06\\x16<priority>``), pushed on the left
and taken from the right, so the oldest waiting message is the list's last element. Celery's messages carry no
time of sending; ``ops.signals`` adds one (the ``sangathan_sent_at`` header) to every task this code publishes,
so the age of the oldest waiting task is known for those (a message published by other code shows none).
"""

import json
import logging
import time
from dataclasses import dataclass, field

import redis
from django.conf import settings
from django.core.cache import cache

from sangathan.config.celery import app
from sangathan.config.routers import REPLICA as REPLICA_ALIAS
from sangathan.config.routers import replica_configured
from sangathan.ops import sql

logger = logging.getLogger(__name__)

SENT_AT_HEADER = "sangathan_sent_at"
PRIORITY_SEPARATOR = "\x06\x16"  # kombu.transport.redis.Channel.sep
PRIORITY_STEPS = (0, 3, 6, 9)  # kombu.transport.redis.PRIORITY_STEPS
LAST_RUN_KEY = "ops:last-run:"  # + task name: when a worker last finished one of beat's tasks (epoch seconds)
LAST_RUN_SECONDS = 7 * 24 * 3600
NOT_CONFIGURED = "not configured"
REDIS_TIMEOUT = 1.0  # seconds: a probe must answer before the load balancer gives up on it


def _error(error: BaseException) -> str:
    return f"unreachable ({type(error).__name__})"


def broker_redis_url() -> str | None:
    url = app.conf.broker_url or ""
    return url if url.startswith(("redis://", "rediss://", "unix://")) else None


def queue_names() -> list[str]:
    """The installation's Celery queues: the default one and every one a route names."""
    names = {app.conf.task_default_queue}
    names.update(route["queue"] for route in (app.conf.task_routes or {}).values() if "queue" in route)
    return sorted(names)


@dataclass
class QueueState:
    waiting: int = 0
    oldest_seconds: float | None = None


@dataclass
class BrokerState:
    ok: bool
    error: str = ""
    queues: dict[str, QueueState] = field(default_factory=dict)


_clients: dict[str, redis.Redis] = {}


def _client(url: str) -> redis.Redis:
    """One client (and its connection pool) per broker URL and process: a probe opens no new connection."""
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT, health_check_interval=30
        )
    return _clients[url]


def broker_state(url: str, *, now: float | None = None) -> BrokerState:
    """Redis answers, and how many tasks wait in each queue and for how long the oldest has waited."""
    prefix = (app.conf.broker_transport_options or {}).get("global_keyprefix", "")
    names = queue_names()
    keys = {
        name: [prefix + name + (f"{PRIORITY_SEPARATOR}{step}" if step else "") for step in PRIORITY_STEPS]
        for name in names
    }
    try:
        with _client(url).pipeline(transaction=False) as pipe:
            for name in names:
                for key in keys[name]:
                    pipe.llen(key)
                    pipe.lindex(key, -1)
            answers = pipe.execute()
    except (redis.RedisError, OSError) as error:
        return BrokerState(ok=False, error=_error(error))
    now = time.time() if now is None else now
    state = BrokerState(ok=True)
    answers_iter = iter(answers)
    for name in names:
        queue = QueueState()
        for _key in keys[name]:
            length, oldest = next(answers_iter), next(answers_iter)
            queue.waiting += length
            sent_at = _sent_at(oldest)
            if sent_at is not None:
                age = max(0.0, now - sent_at)
                queue.oldest_seconds = age if queue.oldest_seconds is None else max(queue.oldest_seconds, age)
        state.queues[name] = queue
    return state


def _sent_at(raw: bytes | None) -> float | None:
    if not raw:
        return None
    try:
        return float(json.loads(raw)["headers"][SENT_AT_HEADER])
    except (ValueError, KeyError, TypeError):
        return None


def beat_task_names() -> list[str]:
    return sorted({entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()})


def note_last_run(task_name: str) -> None:
    """A worker finished ``task_name``, one of beat's tasks (called by ``ops.signals``)."""
    if task_name in beat_task_names():
        cache.set(LAST_RUN_KEY + task_name, time.time(), LAST_RUN_SECONDS)


def last_runs() -> dict[str, float | None]:
    """When a worker last finished each of beat's tasks (epoch seconds; None: not in the last week)."""
    names = beat_task_names()
    found = cache.get_many([LAST_RUN_KEY + name for name in names])
    return {name: found.get(LAST_RUN_KEY + name) for name in names}


def readiness(*, now: float | None = None) -> tuple[bool, dict]:
    """Whether this process can serve (its database answers, Redis answers when configured) and what an operator
    wants to see beside it, a configured replica's lag or that it does not answer (the pages it serves are then
    read from the primary: not a reason to take the web out of the pool). Never raises."""
    now = time.time() if now is None else now
    failed: list[str] = []
    report: dict = {}

    try:
        sql.ping()
        report["database"] = "ok"
    except Exception as error:  # any driver's error: the probe reports, never raises
        report["database"] = _error(error)
        failed.append("database")

    url = broker_redis_url()
    if url is None:
        report["redis"] = report["queues"] = NOT_CONFIGURED
    else:
        broker = broker_state(url, now=now)
        if broker.ok:
            report["redis"] = "ok"
            report["queues"] = {
                name: {
                    "waiting": queue.waiting,
                    "oldest_seconds": None if queue.oldest_seconds is None else round(queue.oldest_seconds, 1),
                }
                for name, queue in broker.queues.items()
            }
        else:
            report["redis"] = report["queues"] = broker.error
            failed.append("redis")

    try:
        runs = last_runs()
        newest = max((value for value in runs.values() if value is not None), default=None)
        report["beat"] = {
            "last_run_seconds_ago": None if newest is None else round(now - newest, 1),
            "tasks": {name: None if value is None else round(now - value, 1) for name, value in runs.items()},
        }
    except Exception as error:  # the shared cache is Redis in production: already reported above
        report["beat"] = _error(error)

    if not replica_configured():
        report["replica"] = NOT_CONFIGURED
    else:
        try:
            lag = sql.replica_lag_seconds(REPLICA_ALIAS)
            report["replica"] = {"lag_seconds": None if lag is None else round(lag, 1)}
        except Exception as error:  # reported, not failed: the replica's pages are read from the primary meanwhile
            report["replica"] = _error(error)

    ready = not failed
    return ready, {"ready": ready, "failed": failed, **report}
