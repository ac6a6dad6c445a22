"""In multiprocess mode (PROMETHEUS_MULTIPROC_DIR) /metrics of one process adds up what every process of the
machine counted: here two processes each finish a task, and a third one's exposition counts both."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.management import CommandError, call_command

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


def test_metrics_serve_needs_the_shared_directory(settings):
    settings.PROMETHEUS_MULTIPROC_DIR = ""
    with pytest.raises(CommandError, match="PROMETHEUS_MULTIPROC_DIR"):
        call_command("metrics_serve")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_metrics_serve_exposes_the_workers_counters(tmp_path):
    """A machine with workers and no web process: what its processes counted, served by metrics-serve."""
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sangathan.config.settings.test",
    }
    env.pop("DATABASE_URL", None)
    run(COUNT_A_TASK, env)
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - this interpreter and the project's command
        [sys.executable, "-m", "sangathan", "metrics-serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:  # noqa: S310
                    text = response.read().decode()
                break
            except OSError:
                assert server.poll() is None, "metrics-serve stopped"
                assert time.monotonic() < deadline, "metrics-serve did not answer within a minute"
                time.sleep(0.2)  # polling for the server to listen, not waiting a fixed time
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert 'sangathan_celery_tasks_total{outcome="succeeded",task="sangathan.outreach.tasks.send_chunk"} 1.0' in text
