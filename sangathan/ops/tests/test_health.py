"""/healthz and /readyz: cheap, public, JSON, 503 with what failed, never a 500, nothing personal."""

import json

import pytest
from django.db import OperationalError, connection

from sangathan.config.celery import app
from sangathan.notifications import tasks as notification_tasks
from sangathan.ops import health, sql, views
from sangathan.testing import celery_namespace, forget_namespace, process_namespace

UNREACHABLE_REDIS = "redis://:hunter2-secret@127.0.0.1:9/0"  # the discard port: nothing answers there


def test_healthz_touches_no_database(client):
    # No ``db`` fixture: pytest-django refuses any query, so an answer proves none was made.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("private, no-store") or "no-store" in response["Cache-Control"]


def test_healthz_answers_only_reads(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_in_the_embedded_mode(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True and body["failed"] == []
    assert body["database"] == "ok"
    assert body["redis"] == body["queues"] == "not configured"
    assert body["replica"] == "not configured"
    assert set(body["beat"]["tasks"]) == set(health.beat_task_names())


@pytest.mark.django_db
def test_readyz_503_when_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" failed: password for "sangathan" refused')

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["failed"] == ["database"]
    assert body["database"] == "unreachable (OperationalError)"
    assert b"db.internal" not in response.content and b"password" not in response.content


@pytest.mark.django_db
def test_readyz_503_when_redis_is_down_and_no_secret_shown(client, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", UNREACHABLE_REDIS)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["redis"]
    assert body["database"] == "ok"
    assert body["redis"].startswith("unreachable (")
    assert b"hunter2" not in response.content


@pytest.mark.django_db
def test_readyz_never_a_500(client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug in a check")

    monkeypatch.setattr(health, "readiness", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"ready": False, "failed": ["readyz"], "error": "RuntimeError"}


@pytest.mark.django_db
def test_readyz_answers_a_flood_from_its_copy(client, settings, django_assert_num_queries):
    settings.READYZ_CACHE_SECONDS = 60
    views._readiness = None
    assert client.get("/readyz").status_code == 200
    with django_assert_num_queries(0):
        for _ in range(20):
            assert client.get("/readyz").status_code == 200
    views._readiness = None


@pytest.mark.django_db
def test_readyz_shows_when_beat_s_tasks_last_ran(client):
    assert client.get("/readyz").json()["beat"]["last_run_seconds_ago"] is None
    notification_tasks.sweep_outbox.delay()  # eager here: a worker running the task beat queued
    beat = client.get("/readyz").json()["beat"]
    assert beat["last_run_seconds_ago"] is not None and beat["last_run_seconds_ago"] >= 0
    assert beat["tasks"]["sangathan.notifications.tasks.sweep_outbox"] is not None
    assert beat["tasks"]["sangathan.outreach.tasks.sweep_sends"] is None


@pytest.mark.django_db
def test_readyz_counts_waiting_tasks_and_the_oldest_age(client, redis_broker):
    namespace = f"{process_namespace()}-readyz"
    forget_namespace(redis_broker, namespace)
    try:
        with celery_namespace(redis_broker, namespace):
            empty = client.get("/readyz").json()
            assert empty["redis"] == "ok"
            assert empty["queues"][f"{namespace}.cascade"] == {"waiting": 0, "oldest_seconds": None}
            app.send_task("sangathan.outreach.tasks.send_chunk", args=[0])  # no worker: it waits
            app.send_task("sangathan.outreach.tasks.send_chunk", args=[1])
            app.send_task("sangathan.notifications.tasks.deliver_message", args=[0])
            response = client.get("/readyz")
    finally:
        forget_namespace(redis_broker, namespace)
    assert response.status_code == 200
    queues = response.json()["queues"]
    assert set(queues) == {f"{namespace}.{kind}" for kind in ("cascade", "intake", "outbox", "reports", "default")}
    assert queues[f"{namespace}.cascade"]["waiting"] == 2
    assert queues[f"{namespace}.outbox"]["waiting"] == 1
    assert queues[f"{namespace}.intake"] == {"waiting": 0, "oldest_seconds": None}
    assert queues[f"{namespace}.cascade"]["oldest_seconds"] >= 0


def test_oldest_age_from_the_sent_at_header():
    message = json.dumps({"headers": {health.SENT_AT_HEADER: 1000.0}, "body": ""}).encode()
    assert health._sent_at(message) == 1000.0
    assert health._sent_at(json.dumps({"headers": {}}).encode()) is None  # published by other code
    assert health._sent_at(b"not json") is None
    assert health._sent_at(None) is None


@pytest.mark.django_db
def test_replica_lag_on_a_server_that_is_no_replica():
    # The primary here: PostgreSQL says it is not in recovery, SQLite has no replicas.
    assert sql.replica_lag_seconds("default") is None


@pytest.mark.django_db
def test_readyz_reports_a_configured_replica_s_lag(client, monkeypatch):
    monkeypatch.setattr(health, "replica_configured", lambda: True)
    monkeypatch.setattr(sql, "replica_lag_seconds", lambda alias: 2.345)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["replica"] == {"lag_seconds": 2.3}


@pytest.mark.django_db
def test_readyz_reports_a_configured_replica_that_is_down_and_stays_ready(client, monkeypatch):
    def refuse(alias):
        raise OperationalError("connection to server at replica.internal:5433 refused")

    monkeypatch.setattr(health, "replica_configured", lambda: True)
    monkeypatch.setattr(sql, "replica_lag_seconds", refuse)
    response = client.get("/readyz")
    assert response.status_code == 200  # its pages are read from the primary meanwhile (config/routers.py)
    body = response.json()
    assert body["failed"] == [] and body["replica"] == "unreachable (OperationalError)"
    assert body["database"] == "ok" and b"replica.internal" not in response.content
