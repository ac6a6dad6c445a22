"""Delivery through a real Celery worker on the Redis broker, as in production, to the local fake SMS
gateway (see conftest.py).

The tests wait for the worker by counting the tasks it has finished (Celery's ``task_postrun`` signal),
not by polling the database: the in-memory SQLite test database is shared between the test and the
worker thread in shared-cache mode, where a read at the wrong moment makes the worker's write fail with
"database table is locked" instead of waiting (a file database, as in the embedded mode, waits).
"""

import datetime
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from celery.contrib.testing.tasks import ping
from celery.signals import task_postrun
from django.db import transaction
from django.utils import timezone

from sangathan.notifications.models import OutboxMessage
from sangathan.notifications.services import message_queue, notify_person, outbox_sweep
from sangathan.notifications.tasks import deliver_message, sweep_outbox
from sangathan.org.tests.factories import PersonFactory

CONTEXT = {"name": "Ram", "number": 0, "day": datetime.date(2025, 2, 28)}


class FinishedTasks:
    """Counts the tasks the worker has finished, by short name ("deliver_message", "sweep_outbox", "ping")."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, sender=None, **kwargs) -> None:
        with self.lock:
            self.counts[sender.name.rsplit(".", 1)[-1]] += 1

    def wait_for(self, timeout: float = 30.0, **expected: int) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if all(self.counts[name] >= n for name, n in expected.items()):
                    return
            time.sleep(0.05)
        raise AssertionError(f"the worker finished {dict(self.counts)}, expected {expected}")


@pytest.fixture
def finished(celery_redis_worker):
    tasks = FinishedTasks()
    task_postrun.connect(tasks, weak=False)
    yield tasks
    task_postrun.disconnect(tasks)


@pytest.mark.django_db(transaction=True)
def test_twenty_messages_queued_in_one_transaction_are_each_delivered_once(sms_gateway, finished):
    people = [PersonFactory() for _ in range(20)]
    with transaction.atomic():
        for number, person in enumerate(people):
            notify_person(
                person=person,
                template="test_message",
                context={**CONTEXT, "name": person.name_en, "number": number},
                idempotency_key=f"drive-1:{person.pk}",
                channels=["sms"],
                language="en",
            )
        ids = list(OutboxMessage.objects.values_list("pk", flat=True))
        # Nothing leaves before the commit: a task queued after the twenty has run, and no delivery before it
        # (one queue, one task at a time, in the order queued). The ping touches no table this one locks.
        ping.delay()
        finished.wait_for(ping=1)
        assert finished.counts["deliver_message"] == 0
        assert sms_gateway.requests == []
    assert len(ids) == 20
    finished.wait_for(deliver_message=20)
    assert OutboxMessage.objects.filter(status="sent").count() == 20

    # The broker hands every task out again, and the sweep runs: nothing is sent twice.
    for message_id in ids:
        deliver_message.delay(message_id)
    sweep_outbox.delay()
    finished.wait_for(deliver_message=40, sweep_outbox=1)
    assert finished.counts["deliver_message"] == 40  # the sweep found nothing due
    assert outbox_sweep() == 0

    requests = sms_gateway.requests
    assert len(requests) == 20
    assert sorted(r.json["to"] for r in requests) == sorted(p.mobile.removeprefix("+") for p in people)
    assert {r.json["message"] for r in requests} == {
        f"{p.name_en} (en, Hindi/English): 28 February 2025" for p in people
    }
    assert all(r.headers["x-api-key"] == "test-sms-key" for r in requests)
    messages = OutboxMessage.objects.all()
    assert {(m.status, m.attempts, m.provider_message_id.startswith("fake-")) for m in messages} == {("sent", 1, True)}


@pytest.mark.django_db(transaction=True)
def test_a_message_left_sending_by_a_dead_worker_is_delivered_by_the_sweep(sms_gateway, finished):
    message = OutboxMessage.objects.create(
        channel="sms",
        recipient="+919829012345",
        template="test_message",
        body="left half-sent",
        idempotency_key="crash-1",
    )
    # A worker claimed it 15 minutes ago and died before writing the result.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="sending", attempts=1, claimed_at=timezone.now() - timedelta(minutes=15)
    )
    deliver_message.delay(message.pk)  # the broker redelivers the dead worker's task: still claimed, skipped

    sweep_outbox.delay()  # the restarted worker's periodic sweep
    finished.wait_for(sweep_outbox=1, deliver_message=2)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.claimed_at) == ("sent", 2, None)
    assert [r.json["message"] for r in sms_gateway.requests] == ["left half-sent"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_message_is_retried_by_the_sweep_on_the_worker(sms_gateway, finished):
    sms_gateway.respond(503, {"error": "maintenance"})
    message = message_queue(
        channel="sms", recipient="+919829012345", template="test_message", context=CONTEXT, idempotency_key="retry-1"
    )
    finished.wait_for(deliver_message=1)
    message.refresh_from_db()
    assert message.status == "failed" and "503" in message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    sweep_outbox.delay()
    finished.wait_for(sweep_outbox=1, deliver_message=2)
    message.refresh_from_db()
    assert (message.status, message.attempts, len(sms_gateway.requests)) == ("sent", 2, 2)
