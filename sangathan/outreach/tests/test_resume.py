"""A send whose worker died: the sweep queues its chunks again (once per idle period), finishes a send whose
chunks are all done, and the tracking page offers "resume" to whoever may send there (issue 17)."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from sangathan.audit.models import AuditEntry
from sangathan.outreach import services, tasks
from sangathan.outreach.models import Delivery, Message, SendChunk
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # the sweeps' claims live in the cache, which outlives each test


@pytest.fixture
def queued(monkeypatch):
    """The chunk ids queued, instead of running them."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.send_chunk, "delay", ids.append)
    return ids


def stalled_send(make_draft, cast, tree, *, idle: int = 600) -> Message:
    """A send to Jaipur whose chunk task was lost ``idle`` seconds ago (queued, never run)."""
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    services.message_send(message=message, by=cast.district_admin, queue=False)
    SendChunk.objects.filter(message=message).update(updated_at=timezone.now() - datetime.timedelta(seconds=idle))
    return Message.objects.get(pk=message.pk)


def test_the_sweep_queues_a_stalled_chunk_once_per_idle_period(make_draft, cast, tree, queued):
    message = stalled_send(make_draft, cast, tree)
    chunk = SendChunk.objects.get(message=message)
    assert services.outreach_sweep() == 1
    assert services.outreach_sweep() == 0  # a second sweep (another beat, the next minute) leaves it
    assert queued == [chunk.pk]


def test_the_sweep_leaves_a_chunk_that_moved_lately(make_draft, cast, tree, queued, settings):
    settings.SANGATHAN_IDLE_SECONDS = 45
    stalled_send(make_draft, cast, tree, idle=10)
    assert services.outreach_sweep() == 0 and queued == []


def test_a_chunk_queued_twice_is_written_once(make_draft, cast, tree, in_charges, queued):
    message = stalled_send(make_draft, cast, tree)
    chunk = SendChunk.objects.get(message=message)
    assert services.chunk_process(chunk_id=chunk.pk) > 0
    assert services.chunk_process(chunk_id=chunk.pk) == 0
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert Delivery.objects.filter(message=message).count() == message.deliveries_total == 4


def test_a_send_whose_worker_died_before_marking_it_sent_is_finished_by_the_sweep(make_draft, cast, tree, queued):
    message = stalled_send(make_draft, cast, tree)
    chunk = SendChunk.objects.get(message=message)
    services.chunk_write(chunk_id=chunk.pk)
    SendChunk.objects.filter(pk=chunk.pk).update(status=SendChunk.Status.DONE)  # died before the message
    assert services.message_stalled(Message.objects.get(pk=message.pk))
    services.outreach_sweep()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.deliveries_total == 4


def test_the_tracking_page_offers_resume_for_a_stalled_send_and_resumes_it(
    client, make_draft, cast, tree, in_charges, django_capture_on_commit_callbacks
):
    message = stalled_send(make_draft, cast, tree, idle=30)
    log_in(client, cast.district_admin)
    track = reverse("outreach:track", args=[message.pk])
    resume = reverse("outreach:step", args=[message.pk, "resume"])
    assert resume not in client.get(track).content.decode()  # idle, but not for two minutes yet

    SendChunk.objects.filter(message=message).update(updated_at=timezone.now() - datetime.timedelta(minutes=3))
    page = client.get(track).content.decode()
    assert resume in page and "Resume sending" in page
    with django_capture_on_commit_callbacks(execute=True):  # the chunk task runs eagerly
        response = client.post(resume)
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert Delivery.objects.filter(message=message).count() == 4
    entry = AuditEntry.objects.get(additional_data__bulk="send_resumed")
    assert entry.actor == cast.district_admin and entry.object_pk == str(message.pk)
    assert resume not in client.get(track).content.decode()


def test_a_sibling_districts_admin_cannot_resume(client, make_draft, cast, tree, queued):
    message = stalled_send(make_draft, cast, tree)
    log_in(client, cast.sibling_admin)
    assert client.post(reverse("outreach:step", args=[message.pk, "resume"])).status_code == 404
    assert client.get(reverse("outreach:track", args=[message.pk])).status_code == 404
    assert queued == []
    assert not AuditEntry.objects.filter(additional_data__bulk="send_resumed").exists()
    assert SendChunk.objects.get(message=message).status == SendChunk.Status.PENDING


def test_a_viewer_cannot_resume(client, make_draft, cast, tree, queued):
    message = stalled_send(make_draft, cast, tree)
    log_in(client, cast.viewer)
    assert client.post(reverse("outreach:step", args=[message.pk, "resume"])).status_code == 403
    page = client.get(reverse("outreach:track", args=[message.pk])).content.decode()
    assert reverse("outreach:step", args=[message.pk, "resume"]) not in page
    assert queued == []


def test_resuming_a_send_that_has_not_stopped_changes_nothing(client, make_draft, cast, tree, queued):
    message = stalled_send(make_draft, cast, tree, idle=1)
    log_in(client, cast.district_admin)
    response = client.post(reverse("outreach:step", args=[message.pk, "resume"]), follow=True)
    assert "has not stopped" in response.content.decode()
    assert queued == []
