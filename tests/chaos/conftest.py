"""Chaos: real Celery workers and beat as separate processes, killed with SIGKILL in the middle of their work.

A worker subprocess cannot see the test's in-memory SQLite database, so these tests run on PostgreSQL
(``DATABASE_URL=postgres://…``, CI's second run) with ``django_db(transaction=True)``: the workers connect to
the same test database and see what the test commits. On SQLite they are skipped with that reason.

Each test gets a namespace of its own (queues, broker keys, cache keys: ``SANGATHAN_NAMESPACE``), so parallel
test processes and other tests on the same Redis never take its tasks. The workers run with the production
settings (``settings.base``) and short healing times: idle after 2 s, sweeps every 2 s, leases of 3 s,
so that a recovery the production settings bring within two minutes takes seconds here.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.db import connection

from sangathan.config.queues import KINDS, queue_name
from sangathan.testing import celery_namespace, forget_namespace, require

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"
HEALING = {"SANGATHAN_IDLE_SECONDS": "2", "SANGATHAN_SWEEP_SECONDS": "2", "SANGATHAN_LEASE_SECONDS": "3"}


class Chaos:
    """Start workers and beat for one namespace, kill them, and stop everything at the end."""

    def __init__(self, *, broker: str, namespace: str, directory: Path):
        self.namespace = namespace
        self.directory = directory
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sangathan.config.settings.base",
            "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": broker,
            "SANGATHAN_NAMESPACE": namespace,
            "SECRET_KEY": "chaos-" + uuid.uuid4().hex * 2,
            "NOTIFY_DEFAULT_CHANNELS": "file",
            "NOTIFY_FILE_DIR": str(directory / "outbox"),
            **HEALING,
        }
        self.processes: list[subprocess.Popen] = []

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.directory / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own Celery with fixed arguments
            [str(CELERY), "-A", "sangathan", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill takes its children too
        )
        self.processes.append(process)
        return process

    def worker(self, name: str, kinds: tuple[str, ...] = KINDS) -> subprocess.Popen:
        """A worker on the namespace's queues of ``kinds`` (all unless given), one task at a time (the solo
        pool: the process that is killed is the one inside the task's transaction)."""
        return self._start(
            name,
            [
                "worker",
                "--pool=solo",
                "-Q",
                ",".join(queue_name(self.namespace, kind) for kind in kinds),
                "-n",
                f"{name}@{self.namespace}",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=WARNING",
            ],
        )

    def beat(self) -> subprocess.Popen:
        return self._start("beat", ["beat", "-s", str(self.directory / "beat-schedule"), "--loglevel=WARNING"])

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL the process and its children, as a machine that is lost: no warm shutdown, nothing
        acknowledged, its database connection dropped mid-transaction."""
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)

    def wait_until(self, condition: Callable[[], object], *, timeout: float, what: str, every: float = 0.02):
        """Poll ``condition`` until it returns something true; returns it. Fails after ``timeout`` seconds
        with the workers' logs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(every)
        raise AssertionError(f"{what}: not reached within {timeout} s\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}" for path in self.directory.glob("*.log")
        )


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "chaos tests need PostgreSQL (worker subprocesses cannot see the in-memory SQLite test database): "
            "run them with DATABASE_URL=postgres://…, as CI's PostgreSQL run does"
        )


@contextlib.contextmanager
def _harness(broker: str, directory: Path):
    namespace = f"chaos-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    forget_namespace(broker, namespace)
    (directory / "outbox").mkdir()
    harness = Chaos(broker=broker, namespace=namespace, directory=directory)
    try:
        with celery_namespace(broker, namespace):
            yield harness
    finally:
        harness.stop()
        forget_namespace(broker, namespace)


@pytest.fixture
def chaos(redis_broker, transactional_db, tmp_path):
    """Workers and beat as subprocesses on this test's PostgreSQL database and a namespace of its own; this
    process's Celery app queues into that namespace. Everything started is killed at the end."""
    _postgresql_only()
    with _harness(redis_broker, tmp_path) as harness:
        yield harness


class PrivateRedis:
    """A Redis server of the test's own (the shared one on 6379 serves other tests), without persistence:
    killed and started again, it comes back empty, as a restarted production Redis without a disk may."""

    def __init__(self, directory: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the system's redis-server with fixed arguments
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.exceptions.ConnectionError:
                return False

        deadline = time.monotonic() + 10
        while not answers():
            assert time.monotonic() < deadline, "the private Redis did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def chaos_own_redis(transactional_db, tmp_path):
    """``chaos`` on a Redis server of this test's own, which the test may kill and start again."""
    _postgresql_only()
    require("redis-server", present=shutil.which("redis-server") is not None, make_test="installs redis-server")
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        with _harness(server.url, tmp_path) as harness:
            harness.redis = server
            yield harness
    finally:
        server.kill()
