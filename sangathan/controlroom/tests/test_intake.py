"""The report page's intake (``controlroom.intake``): the POST stores the report as it came, a worker writes it
under the services' rules, in the order the reports came; nothing sent is lost, nothing written twice."""

import pytest
from django.contrib.contenttypes.models import ContentType

from sangathan.audit.models import AuditEntry
from sangathan.controlroom import intake
from sangathan.controlroom.models import ActivityReport, ReportSubmission
from sangathan.controlroom.tasks import drain_report_submissions
from sangathan.controlroom.tests.test_public import form, url
from sangathan.core import kept
from sangathan.org import services as org_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _with_a_worker(settings):
    """As in production: the request stores, a worker writes (the limits as generous as the page tests')."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CONTROLROOM_REPORT_RATE_LINK = "100000/h"
    settings.CONTROLROOM_REPORT_RATE_IP = "100000/h"


def test_the_post_stores_the_report_and_the_page_shows_it_written(client, bearers):
    answer = client.post(url(bearers.booth1), form(posts="6"), REMOTE_ADDR="203.0.113.9")
    assert answer.status_code == 303
    submission = ReportSubmission.objects.get()
    assert submission.processed_at is None and submission.payload["counts"]["posts"] == 6
    assert not ActivityReport.objects.exists()  # the worker's part
    # The page the 303 leads to writes this person's pending report before it shows it.
    page = client.get(answer["Location"])
    assert page.status_code == 200 and 'value="6"' in page.content.decode()
    report = ActivityReport.objects.get()
    assert report.posts == 6 and report.appointment_id == bearers.booth1.pk
    submission.refresh_from_db()
    assert submission.processed_at is not None and submission.problem == ""
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ActivityReport), object_id=report.pk
    )
    assert entries and {entry.remote_addr for entry in entries} == {
        "203.0.113.9"
    }  # the sender's, though a worker wrote it


def test_the_drain_writes_every_pending_report_and_looks_again(client, bearers, monkeypatch):
    again = []
    monkeypatch.setattr(drain_report_submissions, "apply_async", lambda *args, **kwargs: again.append(kwargs))
    for bearer in (bearers.booth1, bearers.booth2, bearers.ajmer_booth):
        assert client.post(url(bearer), form()).status_code == 303
    assert drain_report_submissions() == 3 and again == [{"countdown": intake.DRAIN.delay}]
    assert ActivityReport.objects.count() == 3
    assert not ReportSubmission.objects.filter(processed_at__isnull=True).exists()
    assert drain_report_submissions() == 0 and len(again) == 1  # nothing found: no further look


def test_a_report_sent_twice_is_one_report_with_the_later_numbers(client, bearers):
    for posts in ("2", "5"):
        assert client.post(url(bearers.booth1), form(posts=posts)).status_code == 303
    assert intake.submissions_drain() == 2
    report = ActivityReport.objects.get()
    assert (report.posts, report.revisions) == (5, 1)


def test_an_earlier_report_written_after_a_later_one_changes_nothing(client, bearers):
    """Two workers can take one person's two reports of a day the other way round: the later one stays."""
    for posts in ("2", "5"):
        assert client.post(url(bearers.booth1), form(posts=posts)).status_code == 303
    earlier, later = ReportSubmission.objects.order_by("pk")
    ReportSubmission.objects.filter(pk=earlier.pk).update(problem="held by another worker")  # out of this drain
    assert intake.submissions_process() == 1
    ReportSubmission.objects.filter(pk=earlier.pk).update(problem="")
    assert intake.submissions_process() == 1
    report = ActivityReport.objects.get()
    assert (report.posts, report.revisions) == (5, 0)
    assert ReportSubmission.objects.filter(processed_at__isnull=False).count() == 2


def test_a_report_whose_post_ended_before_the_worker_came_is_kept_with_why(client, bearers):
    assert client.post(url(bearers.booth1), form()).status_code == 303
    org_services.appointment_relieve(appointment=bearers.booth1, reason="term over")
    assert intake.submissions_process() == 1
    submission = ReportSubmission.objects.get()
    assert submission.processed_at is None and submission.problem.startswith("not_active: ")
    assert not ActivityReport.objects.exists()
    assert intake.submissions_process() == 0  # set aside, kept, not tried for ever


def test_a_refused_post_stores_nothing(client, bearers):
    answer = client.post(url(bearers.booth1), form(posts="-4"))
    assert answer.status_code == 400
    assert not ReportSubmission.objects.exists()
    org_services.appointment_relieve(appointment=bearers.booth2, reason="term over")
    assert client.post(url(bearers.booth2), form()).status_code == 410
    assert not ReportSubmission.objects.exists()


def test_the_link_is_read_once_for_the_page_and_its_post_and_an_ended_post_is_still_refused(
    client, bearers, settings, django_assert_num_queries
):
    """The POST after the page is one INSERT: the link's appointment is kept by the process for a couple of minutes.
    A post ended within them gets its report stored; the worker refuses it (kept, with why) and the page says so."""
    settings.CONTROLROOM_REPORT_LINK_CACHE_SECONDS = 120
    kept.forget_all()
    assert client.get(url(bearers.booth1)).status_code == 200  # the page, opened: its read is kept
    with django_assert_num_queries(1):  # the submission's INSERT only
        assert client.post(url(bearers.booth1), form()).status_code == 303
    with django_assert_num_queries(1):
        assert client.post(url(bearers.booth1), form(posts="4")).status_code == 303
    assert intake.submissions_drain() == 2
    org_services.appointment_relieve(appointment=bearers.booth1, reason="term over")
    assert client.post(url(bearers.booth1), form(posts="9")).status_code == 303
    assert intake.submissions_drain() == 1
    assert ActivityReport.objects.get().posts == 4  # the two sent while the post was held
    refused = ReportSubmission.objects.get(payload__counts__posts=9)
    assert refused.processed_at is None and refused.problem.startswith("not_active: ")
    assert client.get(url(bearers.booth1)).status_code == 410  # and this process forgets the link
    assert client.post(url(bearers.booth1), form(posts="10")).status_code == 410
    assert ReportSubmission.objects.count() == 3
    kept.forget_all()
