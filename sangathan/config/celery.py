"""Celery application. In the embedded mode (no REDIS_URL) tasks run eagerly in-process."""

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
