import datetime
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.template import TemplateDoesNotExist
from django.utils import timezone, translation

from sangathan.notifications import services
from sangathan.notifications.channels import ChannelError, PermanentChannelError
from sangathan.notifications.errors import NotificationError
from sangathan.notifications.models import OutboxMessage
from sangathan.notifications.services import (
    message_deliver,
    message_queue,
    notify_person,
    outbox_sweep,
    retry_delay,
    split_subject,
)
from sangathan.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"name": "Ram & Shyam", "number": 7, "day": datetime.date(2025, 2, 28)}
MOBILE = "+919829012345"


def queue(key: str = "event-1", **overrides) -> OutboxMessage:
    arguments = {
        "channel": "console",
        "recipient": MOBILE,
        "template": "test_message",
        "context": CONTEXT,
        "idempotency_key": key,
    }
    arguments.update(overrides)
    return message_queue(**arguments)


def make_due(message: OutboxMessage) -> None:
    """Move the retry time into the past, as if the backoff had elapsed."""
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def seconds_until_next_attempt(message: OutboxMessage) -> float:
    message.refresh_from_db()
    return (message.next_attempt_at - timezone.now()).total_seconds()


# ---------------------------------------------------------------- queueing


def test_queue_writes_the_row_and_delivers_after_commit(recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message = queue()
    assert message.status == "pending" and recorder.sent == []
    assert len(callbacks) == 1

    callbacks[0]()  # the commit: the eager task sends
    message.refresh_from_db()
    assert recorder.sent == [message.pk]
    assert (message.status, message.attempts, message.provider_message_id) == ("sent", 1, "fake-1")
    assert message.sent_at is not None and message.claimed_at is None and message.last_error == ""


def test_same_key_returns_the_existing_message_and_queues_nothing(recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = queue()
        second = queue(context={**CONTEXT, "name": "Someone else"}, recipient="+919829099999")
    assert second.pk == first.pk and second.body == first.body
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        assert queue().pk == first.pk
    assert callbacks == []
    assert OutboxMessage.objects.count() == 1


def test_a_rolled_back_transaction_leaves_no_message(recorder, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the caller failed")
    assert callbacks == [] and recorder.sent == []
    assert not OutboxMessage.objects.exists()


def test_a_broker_that_is_down_loses_nothing(recorder, monkeypatch, caplog, django_capture_on_commit_callbacks):
    from sangathan.notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is not running")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.deliver_message, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            message = queue()
    assert "the sweep will queue them again" in caplog.text
    message.refresh_from_db()
    assert message.status == "pending"

    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    assert outbox_sweep() == 1
    message.refresh_from_db()
    assert message.status == "sent" and recorder.sent == [message.pk]


def test_rendering_in_hindi():
    with translation.override("en"):
        message = queue(language="hi")
        assert translation.get_language() == "en"
    assert message.language == "hi"
    assert message.subject.endswith("#7")
    assert message.body == "Ram & Shyam (hi, हिन्दी/अंग्रेज़ी): 28 फ़रवरी 2025"


def test_rendering_in_english():
    message = queue(language="en")
    assert message.subject == "Test message #7"
    assert message.body == "Ram & Shyam (en, Hindi/English): 28 February 2025"  # plain text: no &amp;


def test_appointment_letter_message_in_both_languages():
    person = PersonFactory(name_en="Sunita Sharma", name_hi="सुनीता शर्मा")
    context = {
        "position": "District President",
        "unit": "Jaipur",
        "letter_number": "RJ/2025/17",
        "start_date": datetime.date(2025, 3, 1),
    }
    [english] = notify_person(
        person=person,
        template="appointment_made",
        context={**context, "name": person.name_en},
        idempotency_key="appointment-17",
        channels=["console"],
        language="en",
    )
    assert english.subject == "Letter of appointment RJ/2025/17"
    assert english.body.startswith("Dear Sunita Sharma,\n\n")
    assert "You have been appointed District President of Jaipur from 1 March 2025." in english.body
    assert "Your appointment letter number is RJ/2025/17." in english.body
    assert english.body.endswith("Sangathan")

    [hindi] = notify_person(
        person=person,
        template="appointment_made",
        context={**context, "name": person.name_hi, "position": "जिला अध्यक्ष", "unit": "जयपुर"},
        idempotency_key="appointment-17-hi",
        channels=["console"],
    )
    assert hindi.language == "hi"
    assert "RJ/2025/17" in hindi.subject and "1 मार्च 2025" in hindi.body and "सुनीता शर्मा" in hindi.body
    assert hindi.body.endswith("संगठन")


def test_subject_line_is_optional():
    assert split_subject("\n\nSubject:  Hello \n\nBody\nmore\n") == ("Hello", "Body\nmore")
    assert split_subject("Just a body\n") == ("", "Just a body")


@pytest.mark.parametrize(
    "overrides",
    [
        {"channel": "pigeon"},
        {"channel": "sms", "recipient": "98290 12345"},
        {"channel": "whatsapp", "recipient": ""},
        {"channel": "email", "recipient": "+919829012345"},
        {"language": "fr"},
        {"template": "../../settings"},
        {"idempotency_key": "  "},
    ],
)
def test_bad_input_is_refused_and_writes_nothing(overrides):
    with pytest.raises(NotificationError):
        queue(**overrides)
    assert not OutboxMessage.objects.exists()


def test_a_missing_template_is_an_error():
    with pytest.raises(TemplateDoesNotExist):
        queue(template="no_such_template")


# ---------------------------------------------------------------- notify_person


def test_notify_person_uses_the_channels_the_person_can_be_reached_on(django_capture_on_commit_callbacks):
    person = PersonFactory(mobile=MOBILE, email="")
    with django_capture_on_commit_callbacks() as callbacks:
        messages = notify_person(
            person=person,
            template="test_message",
            context=CONTEXT,
            idempotency_key="event-9",
            channels=["sms", "whatsapp", "email", "telegram", "console", "file"],
        )
    assert [(m.channel, m.recipient, m.idempotency_key) for m in messages] == [
        ("sms", MOBILE, "event-9:sms"),
        ("whatsapp", MOBILE, "event-9:whatsapp"),
        ("console", MOBILE, "event-9:console"),
        ("file", MOBILE, "event-9:file"),
    ]
    assert all(m.person == person for m in messages)
    assert len(callbacks) == 4


def test_notify_person_defaults_to_the_configured_channels(settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_DEFAULT_CHANNELS = ["sms", "email"]
    with_email = PersonFactory(email="asha@example.org")
    without_email = PersonFactory(email="")
    with django_capture_on_commit_callbacks() as callbacks:
        sent = notify_person(person=with_email, template="test_message", context=CONTEXT, idempotency_key="a")
        notify_person(person=without_email, template="test_message", context=CONTEXT, idempotency_key="b")
        again = notify_person(person=with_email, template="test_message", context=CONTEXT, idempotency_key="a")
    assert [(m.channel, m.recipient) for m in sent] == [("sms", with_email.mobile), ("email", "asha@example.org")]
    assert [m.pk for m in again] == [m.pk for m in sent]
    assert sorted(OutboxMessage.objects.values_list("idempotency_key", flat=True)) == ["a:email", "a:sms", "b:sms"]
    assert len(callbacks) == 3


def test_notify_person_refuses_an_unknown_channel():
    with pytest.raises(NotificationError):
        notify_person(
            person=PersonFactory(), template="test_message", context=CONTEXT, idempotency_key="x", channels=["fax"]
        )
    assert not OutboxMessage.objects.exists()


# ---------------------------------------------------------------- delivery


def test_delivering_twice_sends_once(recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        message = queue()
    assert message_deliver(message_id=message.pk) == "sent"
    assert message_deliver(message_id=message.pk) is None  # a redelivered task finds it sent
    assert recorder.sent == [message.pk]


def test_a_second_delivery_during_the_send_is_refused(recorder, django_capture_on_commit_callbacks):
    """While one worker is sending, another worker given the same id does nothing."""
    with django_capture_on_commit_callbacks():
        message = queue()
    inner = []
    recorder.during_send = lambda m: inner.append(message_deliver(message_id=m.pk))
    assert message_deliver(message_id=message.pk) == "sent"
    assert inner == [None]
    assert recorder.sent == [message.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_workers_at_the_same_moment_send_once(recorder):
    message = queue()  # autocommit: delivered at once by the eager task
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending", sent_at=None, attempts=0)
    recorder.sent.clear()
    start = threading.Barrier(8)
    results = []

    def worker():
        try:
            start.wait()
            results.append(message_deliver(message_id=message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [None] * 7 + ["sent"]
    assert recorder.sent == [message.pk]


def test_retry_delay_doubles_up_to_six_hours():
    minutes = [retry_delay(attempt).total_seconds() / 60 for attempt in range(1, 12)]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]


def test_failures_are_retried_with_exponential_backoff(recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        message = queue()
    recorder.outcomes = [ChannelError("gateway busy"), ChannelError("gateway still busy")]

    assert message_deliver(message_id=message.pk) == "failed"
    assert 55 <= seconds_until_next_attempt(message) <= 67
    assert (message.status, message.attempts, message.last_error) == ("failed", 1, "gateway busy")
    assert message_deliver(message_id=message.pk) is None  # not due yet

    make_due(message)
    assert message_deliver(message_id=message.pk) == "failed"
    assert 115 <= seconds_until_next_attempt(message) <= 133
    assert message.attempts == 2

    make_due(message)
    assert message_deliver(message_id=message.pk) == "sent"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 3, "")
    assert recorder.sent == [message.pk] * 3


def test_dead_after_the_last_attempt(recorder, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks():
        message = queue()
    recorder.outcomes = [ChannelError(f"failure {n}") for n in range(1, 5)]
    statuses = []
    for _attempt in range(3):
        statuses.append(message_deliver(message_id=message.pk))
        make_due(message)
    assert statuses == ["failed", "failed", "dead"]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("dead", 3, "failure 3")
    assert message_deliver(message_id=message.pk) is None
    assert outbox_sweep() == 0
    assert len(recorder.sent) == 3


def test_a_permanent_refusal_is_dead_at_once(recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        message = queue()
    recorder.outcomes = [PermanentChannelError("HTTP 400: invalid number")]
    assert message_deliver(message_id=message.pk) == "dead"
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "HTTP 400: invalid number")


def test_a_crashing_channel_does_not_leave_the_message_sending(recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        message = queue()
    recorder.outcomes = [ZeroDivisionError("division by zero")]
    assert message_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert message.last_error == "ZeroDivisionError: division by zero" and message.claimed_at is None


def test_a_channel_without_settings_fails_with_a_clear_error(settings, django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY_URL = ""
    with django_capture_on_commit_callbacks():
        message = queue(channel="sms", language="en")
    with translation.override("en"):
        assert message_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert message.last_error == "SMS is not configured: set SMS_GATEWAY_URL and SMS_GATEWAY_KEY."


# ---------------------------------------------------------------- sweep


def _message(key: str, status: str, **fields) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        channel="console", recipient=MOBILE, template="test_message", body=key, idempotency_key=key
    )
    OutboxMessage.objects.filter(pk=message.pk).update(status=status, **fields)
    return message


def test_the_sweep_redelivers_what_is_due_and_what_a_dead_worker_left(recorder):
    now = timezone.now()
    stuck = _message("stuck", "sending", claimed_at=now - timedelta(minutes=11), attempts=1)
    still_sending = _message("busy", "sending", claimed_at=now - timedelta(seconds=20), attempts=1)
    retry_due = _message("retry-due", "failed", next_attempt_at=now - timedelta(seconds=5), attempts=1)
    retry_later = _message("retry-later", "failed", next_attempt_at=now + timedelta(minutes=5), attempts=1)
    lost_task = _message("lost-task", "pending", next_attempt_at=now - timedelta(minutes=5))
    just_queued = _message("just-queued", "pending")
    _message("sent", "sent", sent_at=now)
    _message("dead", "dead", attempts=6)

    assert outbox_sweep() == 3

    assert sorted(recorder.sent) == sorted([stuck.pk, retry_due.pk, lost_task.pk])
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("sent", 2)
    for untouched, status in [(still_sending, "sending"), (retry_later, "failed"), (just_queued, "pending")]:
        untouched.refresh_from_db()
        assert untouched.status == status
    assert outbox_sweep() == 0


def test_a_stuck_message_on_its_last_attempt_is_dead(recorder, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    stuck = _message("stuck", "sending", claimed_at=timezone.now() - timedelta(hours=1), attempts=2)
    with translation.override("en"):
        assert outbox_sweep() == 0
    stuck.refresh_from_db()
    assert stuck.status == "dead" and "interrupted" in stuck.last_error
    assert recorder.sent == []


def test_a_late_result_from_a_released_worker_is_not_written(recorder, django_capture_on_commit_callbacks):
    """A worker that took longer than stuck_after() lost its claim: the sweep's new attempt decides the status."""
    with django_capture_on_commit_callbacks():
        message = queue()

    def sweep_meanwhile(m):
        OutboxMessage.objects.filter(pk=m.pk).update(claimed_at=timezone.now() - timedelta(minutes=30))
        services.outbox_release_stuck()
        make_due(m)
        recorder.during_send = None
        assert message_deliver(message_id=m.pk) == "sent"  # the second attempt

    recorder.during_send = sweep_meanwhile
    recorder.outcomes = ["second-attempt-id", "first-worker-id"]  # the nested (second) send answers first
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_message_id) == ("sent", 2, "second-attempt-id")


def test_many_messages_go_out_in_a_few_delivery_tasks(monkeypatch, django_capture_on_commit_callbacks):
    """A drive's intake queues hundreds of messages at once: one task per 50, each message still claimed
    on its own."""
    from sangathan.notifications import services, tasks

    single, batches = [], []
    monkeypatch.setattr(tasks.deliver_message, "delay", single.append)
    monkeypatch.setattr(tasks.deliver_messages, "delay", batches.append)
    with django_capture_on_commit_callbacks(execute=True):
        services.messages_queue_bulk(
            {
                "channel": "console",
                "recipient": f"+9198290{n:05d}",
                "template": "test_message",
                "context": CONTEXT,
                "idempotency_key": f"bulk-{n}",
            }
            for n in range(120)
        )
    assert single == [] and [len(batch) for batch in batches] == [50, 50, 20]
    tasks.deliver_messages(batches[0])
    assert OutboxMessage.objects.filter(status="sent").count() == 50


# ---------------------------------------------------------------- delivery in batches


def _queued(count: int, django_capture_on_commit_callbacks) -> list[OutboxMessage]:
    with django_capture_on_commit_callbacks():
        return [queue(f"batch-{n}", recipient=f"+9198290{n:05d}") for n in range(count)]


def test_a_batch_is_claimed_at_once_and_each_result_written_with_its_provider_id(
    recorder, django_capture_on_commit_callbacks, django_assert_num_queries
):
    messages = _queued(5, django_capture_on_commit_callbacks)
    ids = [message.pk for message in messages]
    recorder.outcomes = ["gw-a", "gw-b", "gw-c", "gw-d", "gw-e"]
    with django_assert_num_queries(6):  # the claim of all five, then each one's result as it is sent
        results = services.messages_deliver(message_ids=ids)
    assert results == dict.fromkeys(ids, "sent") and recorder.sent == ids  # in the order given
    rows = OutboxMessage.objects.filter(pk__in=ids).order_by("pk")
    assert [(m.status, m.attempts, m.provider_message_id, m.claimed_at, m.last_error) for m in rows] == [
        ("sent", 1, f"gw-{letter}", None, "") for letter in "abcde"
    ]
    assert all(m.sent_at is not None for m in rows)
    assert services.messages_deliver(message_ids=ids) == {}  # a repeated task sends none again
    assert recorder.sent == ids


def test_a_batch_leaves_alone_what_is_sent_sending_dead_or_not_due(recorder, django_capture_on_commit_callbacks):
    messages = _queued(5, django_capture_on_commit_callbacks)
    sent, sending, dead, later, due = (message.pk for message in messages)
    OutboxMessage.objects.filter(pk=sent).update(status="sent", sent_at=timezone.now())
    OutboxMessage.objects.filter(pk=sending).update(status="sending", claimed_at=timezone.now(), attempts=1)
    OutboxMessage.objects.filter(pk=dead).update(status="dead")
    OutboxMessage.objects.filter(pk=later).update(status="failed", next_attempt_at=timezone.now() + timedelta(hours=1))
    assert services.messages_deliver(message_ids=[sent, sending, dead, later, due, due]) == {due: "sent"}
    assert recorder.sent == [due]
    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in (sent, sending, dead, later, due)] == ["sent", "sending", "dead", "failed", "sent"]


def test_in_a_batch_one_message_failing_holds_back_none_of_the_others(recorder, django_capture_on_commit_callbacks):
    messages = _queued(4, django_capture_on_commit_callbacks)
    ids = [message.pk for message in messages]
    recorder.outcomes = ["gw-1", ChannelError("gateway busy"), PermanentChannelError("HTTP 400"), ZeroDivisionError()]
    results = services.messages_deliver(message_ids=ids)
    assert [results[pk] for pk in ids] == ["sent", "failed", "dead", "failed"]
    rows = {m.pk: m for m in OutboxMessage.objects.filter(pk__in=ids)}
    assert rows[ids[1]].last_error == "gateway busy" and rows[ids[1]].next_attempt_at > timezone.now()
    assert rows[ids[2]].last_error == "HTTP 400" and rows[ids[3]].claimed_at is None
    assert rows[ids[0]].provider_message_id == "gw-1"


def test_in_a_batch_a_message_whose_claim_was_taken_over_keeps_the_new_attempt(
    recorder, django_capture_on_commit_callbacks
):
    """The sweep released a slow worker's message and another worker sent it: the slow worker's result for
    that one message is not written, the rest of its batch is."""
    messages = _queued(2, django_capture_on_commit_callbacks)
    slow, other = (message.pk for message in messages)

    def sweep_meanwhile(m):
        if m.pk != slow:
            return
        recorder.during_send = None
        OutboxMessage.objects.filter(pk=slow).update(claimed_at=timezone.now() - timedelta(minutes=30))
        services.outbox_release_stuck()
        make_due(m)
        assert message_deliver(message_id=slow) == "sent"

    recorder.during_send = sweep_meanwhile
    recorder.outcomes = ["second-attempt-id", "first-worker-id", "other-id"]
    services.messages_deliver(message_ids=[slow, other])
    rows = {m.pk: m for m in OutboxMessage.objects.filter(pk__in=[slow, other])}
    assert (rows[slow].status, rows[slow].attempts, rows[slow].provider_message_id) == ("sent", 2, "second-attempt-id")
    assert (rows[other].status, rows[other].provider_message_id) == ("sent", "other-id")


def test_a_slow_batch_hands_back_its_unsent_tail_before_the_sweep_would_take_it(
    recorder, django_capture_on_commit_callbacks, monkeypatch
):
    """Past the budget a batch stops: the rest is due again at once, the attempt not counted, and queued
    again; each message is sent once (the review found the sweep releasing a slow batch's tail while its
    worker would still send it)."""
    messages = _queued(4, django_capture_on_commit_callbacks)
    ids = [message.pk for message in messages]
    requeued = []
    monkeypatch.setattr(services.tasks.deliver_messages, "delay", requeued.append)
    monkeypatch.setattr(services, "batch_send_budget", lambda: -1.0)  # over budget after the first send
    assert services.messages_deliver(message_ids=ids) == {ids[0]: "sent"}  # a batch always sends its first
    assert requeued == [ids[1:]] and recorder.sent == ids[:1]
    rows = {m.pk: m for m in OutboxMessage.objects.filter(pk__in=ids[1:])}
    assert {(m.status, m.attempts, m.claimed_at) for m in rows.values()} == {("failed", 0, None)}
    assert all(m.next_attempt_at <= timezone.now() for m in rows.values())
    monkeypatch.setattr(services, "batch_send_budget", lambda: 60.0)
    assert services.messages_deliver(message_ids=requeued[0]) == dict.fromkeys(ids[1:], "sent")
    assert recorder.sent == ids  # each once


def test_the_batch_budget_leaves_room_for_the_last_send_before_the_sweep(settings):
    settings.SANGATHAN_IDLE_SECONDS = 45
    assert services.batch_send_budget() == 25.0  # 45 s less a connect and a read of 10 s each
    settings.SANGATHAN_IDLE_SECONDS = 5
    assert services.batch_send_budget() == 10.0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_workers_given_the_same_batch_send_each_message_once(recorder):
    messages = [queue(f"race-{n}", recipient=f"+9198290{n:05d}") for n in range(20)]  # sent at once (eager)
    ids = [message.pk for message in messages]
    OutboxMessage.objects.filter(pk__in=ids).update(status="pending", sent_at=None, attempts=0, provider_message_id="")
    recorder.sent.clear()
    start = threading.Barrier(4)

    def worker():
        try:
            start.wait()
            services.messages_deliver(message_ids=ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(recorder.sent) == sorted(ids)
    assert OutboxMessage.objects.filter(pk__in=ids, status="sent", attempts=1).count() == 20
