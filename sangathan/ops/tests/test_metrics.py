"""/metrics: refused without the token or an allowed address; requests, task outcomes, queues, the outbox."""

import pytest

from sangathan.config.celery import app
from sangathan.notifications import tasks as notification_tasks
from sangathan.notifications.models import OutboxMessage
from sangathan.testing import celery_namespace, forget_namespace, process_namespace

TOKEN = "a-long-random-metrics-token-for-tests"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []
    return TOKEN


def scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    return response.content.decode()


def value(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


@pytest.mark.django_db
def test_refused_without_a_token_or_an_allowed_address(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics").status_code == 403  # nothing configured: nobody
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 403
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403
    # A forged X-Forwarded-For does not make an allowed address (PROXY_COUNT is 0: the header is ignored).
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 403


@pytest.mark.django_db
def test_allowed_by_token_or_address(client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "127.0.0.1"]
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200


@pytest.mark.django_db
def test_requests_and_latencies_are_counted_by_url_name(client, metrics_token):
    series = 'sangathan_http_request_seconds_count{method="GET",status="200",view="healthz"}'
    before = value(scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}"), series)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page/9800000000/")
    client.generic("BREW", "/healthz")
    text = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert value(text, series) == before + 2
    assert 'sangathan_http_request_seconds_bucket{le="0.05",method="GET",status="200",view="healthz"}' in text
    # Never a path in a label: an unknown address counts as "unresolved", an unknown method as "other".
    assert value(text, 'sangathan_http_request_seconds_count{method="GET",status="404",view="unresolved"}') >= 1
    assert value(text, 'sangathan_http_request_seconds_count{method="other",status="405",view="healthz"}') >= 1
    assert "9800000000" not in text


@pytest.mark.django_db
def test_outbox_backlog_by_status(client, metrics_token):
    for number, status in enumerate(["pending", "pending", "failed", "sent", "dead"]):
        OutboxMessage.objects.create(
            channel="sms",
            recipient="+919800000000",
            template="test",
            body="x",
            idempotency_key=f"metrics-{number}",
            status=status,
            **({"sent_at": "2026-01-01T00:00:00Z"} if status == "sent" else {}),
        )
    text = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert value(text, 'sangathan_outbox_messages{status="pending"}') == 2
    assert value(text, 'sangathan_outbox_messages{status="failed"}') == 1
    assert value(text, 'sangathan_outbox_messages{status="sending"}') == 0
    assert 'status="sent"' not in text and "+9198" not in text


@app.task(name="sangathan.ops.tests.test_metrics.fails")
def fails():
    raise ValueError("on purpose")


@pytest.mark.django_db
def test_task_outcomes_are_counted(client, metrics_token):
    before = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    succeeded = 'sangathan_celery_tasks_total{outcome="succeeded",task="sangathan.notifications.tasks.sweep_outbox"}'
    failed = 'sangathan_celery_tasks_total{outcome="failed",task="sangathan.ops.tests.test_metrics.fails"}'
    notification_tasks.sweep_outbox.delay()
    assert fails.apply(throw=False).failed()  # as a worker runs it: the error recorded, not raised
    after = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert value(after, succeeded) == value(before, succeeded) + 1
    assert value(after, failed) == value(before, failed) + 1
    assert 'sangathan_celery_task_seconds_count{task="sangathan.notifications.tasks.sweep_outbox"}' in after


@pytest.mark.django_db
def test_queue_depths_when_redis_is_the_broker(client, metrics_token, redis_broker):
    namespace = f"{process_namespace()}-metrics"
    forget_namespace(redis_broker, namespace)
    try:
        with celery_namespace(redis_broker, namespace):
            app.send_task("sangathan.recruitment.tasks.drain_submissions")
            text = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    finally:
        forget_namespace(redis_broker, namespace)
    assert value(text, "sangathan_redis_up") == 1
    assert value(text, f'sangathan_queue_waiting{{queue="{namespace}.intake"}}') == 1
    assert value(text, f'sangathan_queue_waiting{{queue="{namespace}.cascade"}}') == 0
    assert value(text, f'sangathan_queue_oldest_seconds{{queue="{namespace}.intake"}}') >= 0
