"""The public form's intake: the POST stores one row and answers; a worker makes the applications."""

import secrets

import pytest
from django.core.cache import cache

from sangathan.core import drains
from sangathan.notifications.models import OutboxMessage
from sangathan.recruitment import intake, services
from sangathan.recruitment.forms_public import places_by_id, public_campaign
from sangathan.recruitment.models import Application, ApplicationEvent, Submission
from sangathan.recruitment.tests.conftest import form_data
from sangathan.recruitment.tests.test_public import form_url, html_of, post_data
from sangathan.testing import sent_code


@pytest.fixture(autouse=True)
def with_a_worker(settings):
    """As in production: a broker, so the request leaves the application to a worker."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.clear()


def test_post_stores_one_row_and_answers_with_the_reference(client, campaign, tree, django_assert_max_num_queries):
    data = post_data(campaign, tree)
    # campaign, its place levels, its posts (all three kept by the process in production), the chosen
    # places, the reference look-up, the insert (in a savepoint here)
    with django_assert_max_num_queries(8):
        response = client.post(form_url(campaign), data)
    submission = Submission.objects.get()
    assert submission.application_id is None and not Application.objects.exists()
    assert submission.reference in html_of(response)
    assert intake.submissions_drain() == 1
    application = Application.objects.get()
    assert application.reference == submission.reference
    assert application.name_hi and application.home_unit == tree.booth1
    assert list(application.events.values_list("kind", flat=True)) == ["submitted"]
    assert OutboxMessage.objects.filter(template="application_received", recipient=application.mobile).count() == 1
    submission.refresh_from_db()
    assert submission.application == application and submission.processed_at is not None


def test_a_retried_post_is_one_submission_and_one_application(client, campaign, tree):
    data = post_data(campaign, tree)
    first, second = client.post(form_url(campaign), data), client.post(form_url(campaign), data)
    assert Submission.objects.count() == 1
    reference = Submission.objects.get().reference
    assert reference in html_of(first) and reference in html_of(second)
    intake.submissions_drain()
    intake.submissions_drain()
    assert Application.objects.count() == 1
    assert OutboxMessage.objects.filter(template="application_received").count() == 1


def test_the_same_mobile_again_gets_its_own_reference_and_is_held_not_applied(client, campaign, tree):
    client.post(form_url(campaign), post_data(campaign, tree, occupation="Teacher"))
    second_page = client.post(form_url(campaign), post_data(campaign, tree, occupation="Farmer"))
    first, second = Submission.objects.order_by("pk")
    assert second.reference != first.reference and second.replaces_earlier and not first.replaces_earlier
    assert first.reference not in html_of(second_page) and second.reference in html_of(second_page)
    intake.submissions_drain()
    application = Application.objects.get()
    assert application.occupation == "Teacher"  # nothing changes until the number's owner confirms
    assert list(application.events.values_list("kind", flat=True)) == ["submitted", "held"]
    second.refresh_from_db()
    assert second.application == application and second.held_at is not None and second.confirmed_at is None
    # The number's owner is told, with the later form's reference, so that a stranger's form is noticed.
    held = OutboxMessage.objects.get(template="application_held")
    assert held.recipient == application.mobile and second.reference in held.body


def test_the_status_page_finds_a_form_not_yet_processed(campaign, tree):
    submission, new = intake.submission_receive(campaign=campaign, token="t" * 20, data=form_data(campaign, tree))
    assert new and not Application.objects.exists()
    challenge = services.application_status_code_send(reference=submission.reference, mobile="98290 55555")
    answer = services.application_status_confirm(
        reference=submission.reference, mobile="98290 55555", challenge_id=challenge.pk, code=sent_code("+919829055555")
    )
    assert answer.application.reference == submission.reference
    assert services.application_status_code_send(reference=submission.reference, mobile="98290 55556") is None


def test_processing_a_batch_costs_the_same_queries_for_3_or_30_forms(campaign, tree, django_assert_num_queries):
    def receive(count):
        for _ in range(count):
            number = f"98{secrets.randbelow(10**8):08d}"
            intake.submission_receive(
                campaign=campaign, token=secrets.token_urlsafe(20), data=form_data(campaign, tree, mobile=number)
            )

    receive(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert intake.submissions_process() == 3
    receive(30)
    with django_assert_num_queries(len(small)):
        assert intake.submissions_process() == 30
    assert Application.objects.count() == 33 and ApplicationEvent.objects.count() == 33


def test_a_submission_the_database_refuses_is_kept_aside_and_the_rest_go_in(campaign, tree):
    good = [
        intake.submission_receive(
            campaign=campaign, token=f"token-{n:016d}", data=form_data(campaign, tree, mobile=f"9829055{n:03d}")
        )[0]
        for n in range(3)
    ]
    bad = good[1]
    Submission.objects.filter(pk=bad.pk).update(payload={**bad.payload, "age": 7})  # breaks the age check
    assert intake.submissions_process() == 3
    bad.refresh_from_db()
    assert bad.application_id is None and bad.problem  # kept, with why
    assert Application.objects.count() == 2
    assert intake.submissions_process() == 0  # set aside: not retried for ever


def test_the_drain_is_queued_once_for_a_burst(client, campaign, tree, django_capture_on_commit_callbacks, monkeypatch):
    from sangathan.recruitment.tasks import drain_submissions

    queued, asked = [], []
    monkeypatch.setattr(drain_submissions, "apply_async", lambda *args, **kwargs: queued.append(kwargs))
    monkeypatch.setattr(intake.DRAIN, "asked_at", float("-inf"))  # no earlier test's ask in this process
    real_add = drains.cache.add
    monkeypatch.setattr(drains.cache, "add", lambda *args, **kwargs: asked.append(args) or real_add(*args, **kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            client.post(form_url(campaign), post_data(campaign, tree, mobile=f"98290{secrets.randbelow(10**5):05d}"))
    assert Submission.objects.count() == 3
    assert len(queued) == 1
    assert [args[0] for args in asked].count(
        intake.DRAIN.key
    ) == 1  # the process asked the shared cache once for the burst, not once per form


def test_a_drain_that_found_forms_looks_once_more(campaign, tree, monkeypatch):
    """The cheap per-process "asked within the last second" may skip asking for a form taken while a drain
    ran; the drain that found work looks again a second later, so no form waits for the minute's drain."""
    from sangathan.recruitment.tasks import drain_submissions

    again = []
    monkeypatch.setattr(drain_submissions, "apply_async", lambda *args, **kwargs: again.append(kwargs))
    intake.submission_receive(campaign=campaign, token="t" * 24, data=form_data(campaign, tree))
    assert drain_submissions() == 1 and again == [{"countdown": intake.DRAIN.delay}]
    assert drain_submissions() == 0 and len(again) == 1  # nothing found: no further look


def test_the_embedded_mode_makes_the_application_in_the_request(client, campaign, tree, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.post(form_url(campaign), post_data(campaign, tree))
    assert Application.objects.count() == 1 and Submission.objects.get().application_id


def test_the_campaign_and_places_are_kept_by_the_process_for_a_few_seconds(
    campaign, tree, settings, django_assert_num_queries
):
    settings.RECRUITMENT_PUBLIC_CACHE_SECONDS = 15
    public_campaign(campaign.slug)
    places_by_id([tree.booth1.pk, tree.jaipur.pk])
    with django_assert_num_queries(0):
        again = public_campaign(campaign.slug)
        places = places_by_id([tree.booth1.pk, tree.jaipur.pk])
    assert again.campaign.pk == campaign.pk and [cp.pk for cp in again.positions]
    assert places[tree.booth1.pk].path == tree.booth1.path
    with django_assert_num_queries(1):  # only what it has not seen
        places_by_id([tree.booth1.pk, tree.booth2.pk])
    settings.RECRUITMENT_PUBLIC_CACHE_SECONDS = 0
    with django_assert_num_queries(3):  # read every time: the campaign, its place levels, its posts
        public_campaign(campaign.slug)
