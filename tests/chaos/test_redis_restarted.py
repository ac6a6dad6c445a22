"""Redis killed (SIGKILL) and started again, empty, in the middle of a cascade across 16 chunks and a run of
public form POSTs through gunicorn, with a real Celery worker and beat (issue 17).

What is checked, with nobody acting:
- while Redis is down every answer of the site is the thank-you page (the form is stored in PostgreSQL, its
  drain queued again by the sweep) or the 503 "please try again in a minute" page with ``Retry-After``, never a
  500; the forms answered 503 are sent again afterwards (the page's "send again" button: same fields, same
  one-time token); a page that needs Redis (the campaign's poster, kept in the shared cache) is the 503 page;
- the worker and beat are still running afterwards: they reconnect by themselves (kombu 5.7.0's worker exited
  on such a loss before ``sangathan/config/celery.py`` guarded it, see ``survive_a_lost_broker``);
- within two minutes of Redis answering again the books are exact: one delivery per unit below the state and
  one notification per unit's key office-bearer, one submission and one application per accepted form and one
  "application received" message each. Redis comes back empty (no persistence), so every queued task is gone:
  the sweeps beat runs find the idle work in the database and queue it again.

``test_worker_killed.py::test_redis_restarted_empty_mid_cascade`` is the short version (the cascade alone, Redis
started again at once); this one holds Redis down for ``OUTAGE_SECONDS`` under load.
"""

import time

import pytest
from django.db import connection

from sangathan.access.models import Role, RoleAssignment
from sangathan.notifications.models import OutboxMessage
from sangathan.org import seeding
from sangathan.org.models import Level, Position
from sangathan.org.template import load_default_numbering, load_default_template
from sangathan.org.tests.factories import UserFactory
from sangathan.outreach.models import Message, SendChunk
from sangathan.recruitment.models import Application, Submission
from tests.chaos.helpers import SHAPE, assert_sent_once_to_every_unit, report, send_to_every_booth
from tests.chaos.public_form import TRY_AGAIN, FormPoster, Site, campaign_on, get

pytestmark = [pytest.mark.chaos, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 3.0
HEALED_WITHIN_SECONDS = 120  # issue 17: everything resumes within two minutes, nobody acting


@pytest.fixture
def state(monkeypatch):
    load_default_template(Level, Position)
    load_default_numbering(Level)
    monkeypatch.setitem(seeding.SHAPES, "chaos-redis", SHAPE)
    return seeding.seed("chaos-redis")


def test_redis_restarted_mid_forms_and_cascade(chaos_own_redis, state):
    chaos = chaos_own_redis
    admin = UserFactory(username="redis_restart_admin")
    RoleAssignment.objects.create(user=admin, unit=state, role=Role.STATE_ADMIN)
    campaign, post, places = campaign_on(state)
    site = Site(chaos, campaign, post, places)
    message = send_to_every_booth(state, admin)
    chunks = SendChunk.objects.filter(message=message)
    worker = chaos.worker("worker")
    beat = chaos.beat()

    with FormPoster(site) as poster:
        answers = poster.answers
        chaos.wait_until(
            lambda: len(answers) >= 10 and chunks.filter(status=SendChunk.Status.DONE).exists(),
            timeout=60,
            what="10 forms answered and a chunk sent before the outage",
        )
        chaos.redis.kill()
        down_from = time.monotonic()
        left = chunks.exclude(status=SendChunk.Status.DONE).count()
        # A page that needs Redis (the campaign's poster is kept in the shared cache) while it is down.
        poster_page = get(site.port, f"/a/{campaign.slug}/poster.pdf")
        time.sleep(max(0.0, down_from + OUTAGE_SECONDS - time.monotonic()))  # the outage itself
        down_until = time.monotonic()
        chaos.redis.start()
        back = time.monotonic()
        chaos.wait_until(
            lambda: answers and answers[-1][3] > back and answers[-1][1] == 200,
            timeout=30,
            what="a form accepted again",
        )

    status, page, retry_after = poster_page
    assert (status, retry_after) == (503, "60"), f"the poster with Redis down: {status}\n{page[:3000]}"
    assert TRY_AGAIN in page and "Please try again in a minute" in page
    assert get(site.port, f"/a/{campaign.slug}/poster.pdf")[0] == 200  # and with Redis back

    unexpected = poster.unexpected()
    assert not unexpected, f"answers other than the thank-you and try-again pages: {unexpected[:2]}\n{chaos.logs()}"
    during = poster.during(down_from, down_until)
    assert during, "no answer during the outage"
    for n, status, page in during:
        # The form is stored in PostgreSQL and its drain queued again by the sweep when the queueing failed:
        # a form may be accepted with Redis down; one that cannot be (a Redis error under the request) is
        # the try-again page.
        assert status in (200, 503), f"form {n} answered {status} while Redis was down:\n{page[:3000]}"
        assert status == 200 or (TRY_AGAIN in page and "Your form was not accepted yet" in page)

    refused, accepted = poster.send_again()

    def healed() -> bool:
        assert worker.poll() is None, f"the worker exited on the lost Redis (code {worker.poll()})\n{chaos.logs()}"
        assert beat.poll() is None, f"beat exited on the lost Redis (code {beat.poll()})\n{chaos.logs()}"
        return (
            Message.objects.get(pk=message.pk).status == Message.Status.SENT
            and not Submission.objects.filter(processed_at__isnull=True, problem="").exists()
            and OutboxMessage.objects.filter(template="application_received").count() >= len(accepted)
        )

    chaos.wait_until(
        healed,
        timeout=HEALED_WITHIN_SECONDS,
        every=0.2,
        what=f"the cascade sent ({left} of 16 chunks were left when Redis died) and every form made an application",
    )
    report(
        f"Redis down {OUTAGE_SECONDS:.0f} s, {left} of 16 chunks left, {len(answers)} forms ({len(during)} during "
        f"the outage), {len(refused)} answered 503 and sent again",
        time.monotonic() - back,
        "Redis answered again",
    )
    connection.close()
    assert worker.poll() is None and beat.poll() is None
    assert_sent_once_to_every_unit(message, state)
    assert Submission.objects.count() == len(accepted) == len(poster.forms)
    assert not Submission.objects.exclude(problem="").exists()
    assert Application.objects.filter(campaign=campaign).count() == len(accepted)
    assert OutboxMessage.objects.filter(template="application_received").count() == len(accepted)
