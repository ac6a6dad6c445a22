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

import os

from celery import Celery, Task
from django.db import InterfaceError, OperationalError

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


app = Celery("sangathan", task_cls=SangathanTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
