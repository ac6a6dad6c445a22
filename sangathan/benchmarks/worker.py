"""The Celery worker a benchmark starts beside the load, as in production."""

import os
import subprocess
import sys


def start_celery_worker(env: dict[str, str], *options: str) -> subprocess.Popen:
    """Our own celery worker for ``sangathan.config.celery`` (quiet, no gossip, mingle or heartbeat), with
    the given ``options`` (pool, queue, concurrency) and environment; the caller stops it."""
    return subprocess.Popen(  # noqa: S603 - our own celery, our own arguments
        [
            os.path.join(os.path.dirname(sys.executable), "celery"),
            "-A",
            "sangathan.config.celery",
            "worker",
            *options,
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
