"""Every task is tried again when the database is briefly unreachable (a restart, a locked table)."""

import threading

from django.db import OperationalError

from sangathan.config.celery import app

attempts: list[int] = []
finished = threading.Event()


@app.task(name="tests.fails_once_with_a_database_error")
def fails_once_with_a_database_error() -> None:
    attempts.append(1)
    if len(attempts) == 1:
        raise OperationalError("database table is locked")
    finished.set()


def test_a_task_that_meets_a_database_error_is_tried_again(celery_redis_worker):
    attempts.clear()
    finished.clear()
    fails_once_with_a_database_error.delay()
    assert finished.wait(timeout=30), "the task was not tried again"
    assert len(attempts) == 2


def test_every_project_task_has_the_retrying_base():
    project_tasks = [task for name, task in app.tasks.items() if name.startswith("sangathan.")]
    assert project_tasks
    for task in project_tasks:
        assert OperationalError in task.autoretry_for, task.name
        assert task.max_retries and task.retry_backoff
