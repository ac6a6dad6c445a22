"""Scoring opens at the interview's time, less a small margin (``RECRUITMENT_SCORING_EARLY_MINUTES``), unless an
admin who appoints on the applicant's unit opens it earlier (audited). Refusals say so in Hindi and save nothing."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from sangathan.audit.models import AuditEntry
from sangathan.recruitment import services
from sangathan.recruitment.errors import RecruitmentError
from sangathan.recruitment.models import Application, ApplicationEvent, InterviewSlot, ScoreSheet
from sangathan.recruitment.tests.staff_fixtures import *  # noqa: F403 (fixtures)
from sangathan.recruitment.tests.staff_fixtures import schedule, score_post, scores
from sangathan.recruitment.tests.test_staff import html
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

MARGIN = 15


@pytest.fixture(autouse=True)
def real_margin(settings):
    settings.RECRUITMENT_SCORING_EARLY_MINUTES = MARGIN


def slot_at(application, day, starts_at) -> InterviewSlot:
    """``application`` scheduled on ``day``, its slot moved to ``starts_at`` (any time: the window reads only it)."""
    slot = schedule(application, day).slot
    InterviewSlot.objects.filter(pk=slot.pk).update(starts_at=starts_at)
    slot.refresh_from_db()
    return slot


def in_hours(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def nothing_scored(application) -> bool:
    application.refresh_from_db()
    return (
        not ScoreSheet.objects.filter(application=application).exists()
        and application.status == Application.Status.SCHEDULED
        and application.score is None
        and not application.events.filter(kind="scored").exists()
    )


def test_the_window_opens_the_margin_before_the_slot(campaign, day, members, jaipur_app):
    slot = slot_at(jaipur_app, day, in_hours(3))
    opens = slot.starts_at - datetime.timedelta(minutes=MARGIN)
    assert slot.scoring_opens_at == opens
    with pytest.raises(RecruitmentError) as refused:
        services.score_submit(
            application=jaipur_app,
            member=members["m1"],
            scores=scores(campaign, 7),
            at=opens - datetime.timedelta(seconds=1),
        )
    assert refused.value.code == "scoring_not_open"
    assert nothing_scored(jaipur_app)
    services.score_submit(application=jaipur_app, member=members["m1"], scores=scores(campaign, 7), at=opens)
    assert ScoreSheet.objects.filter(application=jaipur_app).count() == 1


def test_scoring_hours_early_through_the_page_is_refused_in_hindi(client, campaign, day, members, jaipur_app):
    slot = slot_at(jaipur_app, day, in_hours(3))
    url = reverse("recruitment:panel_score", args=[slot.pk])
    log_in(client, members["m1"], language="hi")
    page = html(client.get(url))
    assert 'id="scoring-closed"' in page and "score-form" not in page
    assert "इस साक्षात्कार के अंक" in page
    response = client.post(url, score_post(campaign, 9), follow=True)
    assert response.status_code == 200
    page = html(response)
    assert "इस साक्षात्कार के अंक" in page and "कुछ भी सहेजा नहीं गया" in page
    assert nothing_scored(jaipur_app)


def test_within_the_margin_the_member_scores(client, campaign, day, members, jaipur_app):
    slot = slot_at(jaipur_app, day, timezone.now() + datetime.timedelta(minutes=MARGIN - 5))
    log_in(client, members["m1"])
    response = client.post(reverse("recruitment:panel_score", args=[slot.pk]), score_post(campaign, 8))
    assert response.status_code == 302 and ScoreSheet.objects.get(application=jaipur_app).weighted == 80


def test_an_admin_opens_scoring_early_and_it_is_audited(client, cast, campaign, day, members, jaipur_app):
    slot = slot_at(jaipur_app, day, in_hours(5))
    log_in(client, cast.district_admin)
    response = client.post(reverse("recruitment:slot_open_scoring", args=[slot.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("recruitment:day", args=[day.pk])
    slot.refresh_from_db()
    assert slot.scoring_opened_at is not None and slot.scoring_open()
    event = ApplicationEvent.objects.get(application=jaipur_app, kind="scoring_opened")
    assert event.by == cast.district_admin
    entry = (
        AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(InterviewSlot), object_pk=str(slot.pk))
        .order_by("id")
        .last()
    )
    assert "scoring_opened_at" in entry.changes_dict and entry.actor == cast.district_admin
    # The panel scores now, hours before the slot.
    log_in(client, members["m1"])
    client.post(reverse("recruitment:panel_score", args=[slot.pk]), score_post(campaign, 6))
    assert ScoreSheet.objects.get(application=jaipur_app).weighted == 60


def test_the_timetable_offers_the_button_only_while_scoring_is_closed(client, cast, campaign, members, jaipur_app):
    tomorrow = services.interview_day_create(
        campaign=campaign, date=timezone.localdate() + datetime.timedelta(days=1), venue="HQ", by=cast.state_admin
    )
    services.panel_create(day=tomorrow, name="A", members=[members["m1"]])
    slot = schedule(jaipur_app, tomorrow).slot
    log_in(client, cast.state_admin)
    button = reverse("recruitment:slot_open_scoring", args=[slot.pk])
    timetable = reverse("recruitment:day", args=[tomorrow.pk])
    assert button in html(client.get(timetable))
    client.post(button)
    assert button not in html(client.get(timetable))


def test_opening_twice_is_refused_and_changes_nothing(client, cast, day, jaipur_app):
    slot = slot_at(jaipur_app, day, in_hours(5))
    log_in(client, cast.state_admin, language="hi")
    url = reverse("recruitment:slot_open_scoring", args=[slot.pk])
    client.post(url)
    slot.refresh_from_db()
    opened = slot.scoring_opened_at
    page = html(client.post(url, follow=True))
    assert "पहले से खुला है" in page
    slot.refresh_from_db()
    assert slot.scoring_opened_at == opened
    assert ApplicationEvent.objects.filter(application=jaipur_app, kind="scoring_opened").count() == 1


def test_a_missed_interview_cannot_be_opened(client, cast, day, jaipur_app):
    slot = slot_at(jaipur_app, day, in_hours(5))
    services.slot_mark_no_show(slot=slot, by=cast.state_admin)
    log_in(client, cast.state_admin)
    client.post(reverse("recruitment:slot_open_scoring", args=[slot.pk]))
    slot.refresh_from_db()
    assert slot.scoring_opened_at is None


def test_only_an_admin_in_scope_opens_scoring(client, cast, day, members, jaipur_app):
    slot = slot_at(jaipur_app, day, in_hours(5))
    url = reverse("recruitment:slot_open_scoring", args=[slot.pk])
    # The sibling district's admin, a panel member, an outsider: 404, nothing changed.
    for user in (cast.sibling_admin, members["m1"], cast.outsider):
        log_in(client, user)
        assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    client.logout()
    assert client.post(url).status_code == 302  # to the sign-in page
    slot.refresh_from_db()
    assert slot.scoring_opened_at is None
    assert not ApplicationEvent.objects.filter(kind="scoring_opened").exists()
