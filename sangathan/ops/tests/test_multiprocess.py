"""In multiprocess mode (PROMETHEUS_MULTIPROC_DIR) /metrics of one process adds up what every process of the
machine counted: here two processes each finish a task, and a third one's exposition counts both."""

import os
import subprocess
import sys

COUNT_A_TASK = """
import django
django.setup()
from sangathan.ops import metrics
metrics.TASKS.labels(task="sangathan.outreach.tasks.send_chunk", outcome="succeeded").inc()
"""
EXPOSE = """
import django
django.setup()
from sangathan.ops.metrics import StateCollector, exposition
StateCollector.collect = lambda self: iter(())  # the shared state needs a database: not this test's subject
print(exposition().decode())
"""


def run(code: str, env: dict) -> str:
    return subprocess.run(  # noqa: S603 - this interpreter, code of this file
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout


def test_counters_of_several_processes_are_added_up(tmp_path):
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sangathan.config.settings.test",
    }
    env.pop("DATABASE_URL", None)
    run(COUNT_A_TASK, env)
    run(COUNT_A_TASK, env)
    text = run(EXPOSE, env)
    series = 'sangathan_celery_tasks_total{outcome="succeeded",task="sangathan.outreach.tasks.send_chunk"}'
    assert f"{series} 2.0" in text
