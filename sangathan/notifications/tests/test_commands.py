from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from sangathan.notifications.management.commands import deliver_outbox
from sangathan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def due_messages(count: int) -> list[int]:
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            channel="console",
            recipient="+919829012345",
            template="test_message",
            body=f"message {n}",
            idempotency_key=f"due-{n}",
            next_attempt_at=timezone.now() - timedelta(minutes=5),
        )
        for n in range(count)
    )
    return list(OutboxMessage.objects.values_list("pk", flat=True))


def run(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("deliver_outbox", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_deliver_outbox_once_sends_what_is_due(recorder):
    ids = due_messages(3)
    assert run() == "Queued 3 messages. Waiting: 0 new, 0 to retry; 0 dead.\n"
    assert sorted(recorder.sent) == sorted(ids)
    assert run() == "Queued 0 messages. Waiting: 0 new, 0 to retry; 0 dead.\n"


def test_deliver_outbox_shows_progress_for_many_messages(recorder, monkeypatch):
    bars = []
    real_tqdm = deliver_outbox.tqdm

    def recording_tqdm(*args, **kwargs):
        bar = real_tqdm(*args, **kwargs, file=StringIO())
        bars.append(bar)
        return bar

    monkeypatch.setattr(deliver_outbox, "tqdm", recording_tqdm)
    due_messages(deliver_outbox.PROGRESS_FROM + 5)
    run()
    [bar] = bars
    assert bar.n == bar.total == deliver_outbox.PROGRESS_FROM + 5
    assert len(recorder.sent) == deliver_outbox.PROGRESS_FROM + 5

    bars.clear()
    due_messages(0)
    run()
    assert bars == []  # nothing due: no bar


def test_deliver_outbox_loops_until_stopped(recorder, monkeypatch):
    due_messages(2)
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(deliver_outbox.time, "sleep", sleep)
    output = run("--loop", "30")
    assert sleeps == [30.0, 30.0]
    assert output == "Queued 2 messages. Waiting: 0 new, 0 to retry; 0 dead.\nStopped.\n"  # quiet when idle


def test_deliver_outbox_refuses_a_bad_interval():
    with pytest.raises(CommandError):
        run("--loop", "0")
