"""A real Celery worker process on Redis is killed in the middle of a send; sending again finishes it with
exactly one delivery per unit and one notification per recipient.

The worker runs in another process, so it needs a database it can open: on PostgreSQL the test database
itself; on SQLite (in memory under the test runner) a file copy of it made with SQLite's backup API.
"""

import os
import sqlite3
import subprocess
import sys
import time
import urllib.parse

import pytest
from django.db import connection

from sangathan.testing import forget_namespace

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url(tmp_path) -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        target = tmp_path / "worker.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{target}"
    user = urllib.parse.quote(s.get("USER") or "")
    password = f":{urllib.parse.quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


class Counts:
    """Reads the database the subprocesses write: the SQLite file, or the PostgreSQL test database."""

    def __init__(self, url: str):
        self.file = url.removeprefix("sqlite:///") if url.startswith("sqlite:") else None

    def query(self, sql: str, params=()):
        if self.file:
            with sqlite3.connect(self.file, timeout=20) as conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def _run(args, env, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "sangathan.outreach.tests.worker_helper", *args], env=env, **kwargs)  # noqa: S603


def test_a_worker_killed_mid_send_then_resumed_writes_everything_exactly_once(
    tree, cast, in_charges, make_draft, tmp_path, redis_broker
):
    message = make_draft(unit=tree.rajasthan, by=cast.state_admin)
    url = _database_url(tmp_path)
    queue = f"sangathan-outreach-test-{os.getpid()}"  # the namespace of the subprocesses' queues and keys
    forget_namespace(redis_broker, queue)
    env = {
        "SANGATHAN_NAMESPACE": queue,
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sangathan.config.settings.base",
        "DATABASE_URL": url,
        "REDIS_URL": redis_broker,
        "NOTIFY_LOG_LEVEL": "WARNING",
        "SECRET_KEY": "test-only-secret-key",
    }
    db = Counts(url)

    def deliveries() -> int:
        return db.query("SELECT COUNT(*) FROM outreach_delivery WHERE message_id = %s", [message.pk])[0][0]

    # The state admin sends: two chunks (Jaipur, Ajmer) queued on Redis.
    assert _run(["queue", queue, str(message.pk), "state_admin"], env).wait(timeout=60) == 0
    # The worker writes the first chunk whole, then dies inside the second one's transaction.
    worker = _run(["worker", queue, "--die-on-chunk", "2"], env)
    try:
        assert worker.wait(timeout=90) == -9
    finally:
        worker.kill()
    first = deliveries()
    assert first in (5, 4)  # Jaipur's 5 (district, AC, block, 2 booths) or Ajmer's 4; the other rolled back
    assert db.query("SELECT status FROM outreach_message WHERE id = %s", [message.pk])[0][0] == "sending"

    # Sending again queues what is not done; a fresh worker finishes it.
    assert _run(["queue", queue, str(message.pk), "state_admin"], env).wait(timeout=60) == 0
    worker = _run(["worker", queue], env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status = db.query("SELECT status FROM outreach_message WHERE id = %s", [message.pk])[0][0]
            if status == "sent":
                break
            time.sleep(0.3)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert status == "sent"
    per_unit = db.query(
        "SELECT unit_id, COUNT(*) FROM outreach_delivery WHERE message_id = %s GROUP BY unit_id", [message.pk]
    )
    assert len(per_unit) == 9 and {n for _unit, n in per_unit} == {1}
    notes = db.query("SELECT person_id, COUNT(*) FROM notifications_outboxmessage GROUP BY person_id")
    assert len(notes) == 9 and {n for _person, n in notes} == {1}
    totals = db.query(
        "SELECT SUM(total) FROM outreach_rollup WHERE message_id = %s AND path IN (%s, %s)",
        [message.pk, tree.jaipur.path, tree.ajmer.path],
    )
    assert totals[0][0] == 9
