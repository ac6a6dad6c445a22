"""Celery's signals, connected in every process that loads Django (web, workers, beat) by ``OpsConfig.ready``:

- ``before_task_publish``: the time of sending in a header of each task message, so ``/readyz`` and the
  metrics can tell how long the oldest task of a queue has waited (``ops.health``);
- ``task_prerun`` / ``task_postrun``: each task's run time; beat's tasks note when they last finished (the
  "last beat run" of ``/readyz``: beat queued it and a worker ran it);
- ``task_success`` / ``task_failure`` / ``task_retry`` / ``task_rejected``: counters by task and outcome.
"""

import time

from celery import signals

from sangathan.ops import health, metrics

_STARTED = "_sangathan_started_at"


def stamp_sent_at(headers=None, **kwargs) -> None:
    if headers is not None:
        headers.setdefault(health.SENT_AT_HEADER, time.time())


def start_clock(task=None, **kwargs) -> None:
    if task is not None:
        setattr(task.request, _STARTED, time.monotonic())


def stop_clock(task=None, **kwargs) -> None:
    if task is None:
        return
    started = getattr(task.request, _STARTED, None)
    if started is not None:
        metrics.TASK_SECONDS.labels(task=task.name).observe(time.monotonic() - started)
    health.note_last_run(task.name)


def count_success(sender=None, **kwargs) -> None:
    metrics.TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="succeeded").inc()


def count_failure(sender=None, **kwargs) -> None:
    metrics.TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="failed").inc()


def count_retry(sender=None, **kwargs) -> None:
    metrics.TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="retried").inc()


def count_rejected(message=None, **kwargs) -> None:
    name = (getattr(message, "headers", None) or {}).get("task", "unknown")
    metrics.TASKS.labels(task=name, outcome="rejected").inc()


def connect() -> None:
    signals.before_task_publish.connect(stamp_sent_at, weak=False, dispatch_uid="ops-sent-at")
    signals.task_prerun.connect(start_clock, weak=False, dispatch_uid="ops-prerun")
    signals.task_postrun.connect(stop_clock, weak=False, dispatch_uid="ops-postrun")
    signals.task_success.connect(count_success, weak=False, dispatch_uid="ops-success")
    signals.task_failure.connect(count_failure, weak=False, dispatch_uid="ops-failure")
    signals.task_retry.connect(count_retry, weak=False, dispatch_uid="ops-retry")
    signals.task_rejected.connect(count_rejected, weak=False, dispatch_uid="ops-rejected")
