"""Prometheus metrics (prometheus-client; the requests and their latencies in ``ops.middleware``).

Two kinds:
- **counted where they happen**: Celery tasks by name and outcome, and their run time (``ops.signals``), in
  the worker process that ran them; requests and their latencies in the web process that served them. With several processes on a machine (gunicorn's workers, Celery's pool), set
  ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory for every process of the machine (in the environment
  file): prometheus-client then keeps each process's values in a file there and ``/metrics`` of any web
  process adds up all of them. On a machine with workers and no web process, ``sangathan metrics-serve``
  exposes that directory (docs/operations.md).
- **read at scrape time** (``StateCollector``): queue depths and the age of each queue's oldest task from
  Redis, the outbox's backlog by status from the database: state shared by every machine, the same whichever
  web process is asked.
"""

import logging

from django.conf import settings
from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from sangathan.ops import health, selectors

logger = logging.getLogger(__name__)

TASKS = Counter(
    "sangathan_celery_tasks_total",
    "Celery tasks finished, by task and outcome (succeeded, failed, retried, rejected).",
    ["task", "outcome"],
)
TASK_SECONDS = Histogram(
    "sangathan_celery_task_seconds",
    "Run time of Celery tasks, by task.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
)


class StateCollector:
    """Gauges read when Prometheus scrapes: queue depths, oldest waiting task, the outbox's backlog."""

    def collect(self):
        waiting = GaugeMetricFamily("sangathan_queue_waiting", "Tasks waiting in a Celery queue.", labels=["queue"])
        oldest = GaugeMetricFamily(
            "sangathan_queue_oldest_seconds",
            "Age of the oldest task waiting in a Celery queue (tasks published by Sangathan).",
            labels=["queue"],
        )
        url = health.broker_redis_url()
        if url is not None:
            broker = health.broker_state(url)
            up = GaugeMetricFamily("sangathan_redis_up", "Whether the broker's Redis answered the scrape.")
            up.add_metric([], 1 if broker.ok else 0)
            yield up
            for name, queue in broker.queues.items():
                waiting.add_metric([name], queue.waiting)
                if queue.oldest_seconds is not None:
                    oldest.add_metric([name], queue.oldest_seconds)
        yield waiting
        yield oldest
        backlog = GaugeMetricFamily(
            "sangathan_outbox_messages", "Outbox messages not yet delivered, by status.", labels=["status"]
        )
        try:
            for status, count in selectors.outbox_backlog().items():
                backlog.add_metric([status], count)
        except Exception:  # a scrape during a database outage still answers, with what it has
            logger.warning("metrics: the outbox backlog could not be read", exc_info=True)
        yield backlog


def exposition() -> bytes:
    """The text Prometheus reads: this process's (or, in multiprocess mode, the machine's) counters and
    histograms, then the shared state."""
    if settings.PROMETHEUS_MULTIPROC_DIR:
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = DEFAULT_REGISTRY
    state = CollectorRegistry()
    state.register(StateCollector())
    return generate_latest(counted) + generate_latest(state)
