"""Fixtures of the staff-page tests: one applicant from Jaipur, one from Ajmer, an interview day with two
panels (A: two members, B: one), and helpers that walk an application through the drive."""

import datetime

import pytest
from django.utils import timezone

from sangathan.org.tests.factories import UserFactory
from sangathan.recruitment import services
from sangathan.recruitment.models import Application, InterviewSlot


@pytest.fixture
def jaipur_app(submit, tree):
    application, _ = submit(home_unit=tree.booth1, mobile="98290 11111", name_en="Seema Meena", name_hi="सीमा मीणा")
    return application


@pytest.fixture
def ajmer_app(submit, tree):
    application, _ = submit(
        home_unit=tree.ajmer_booth, mobile="98290 22222", name_en="Arjun Rawat", name_hi="अर्जुन रावत"
    )
    return application


@pytest.fixture
def members(db):
    return {name: UserFactory(username=name) for name in ("m1", "m2", "m3")}


@pytest.fixture
def day(campaign, members, cast):
    interview_day = services.interview_day_create(
        campaign=campaign, date=timezone.localdate(), venue="PCC HQ, Jaipur", by=cast.state_admin
    )
    services.panel_create(day=interview_day, name="A", members=[members["m1"], members["m2"]])
    services.panel_create(day=interview_day, name="B", members=[members["m3"]])
    return interview_day


def scores(campaign, value: int) -> dict[int, int]:
    return {c.pk: value for c in campaign.rubric.criteria.all()}


def schedule(application: Application, day) -> Application:
    services.application_screen(application=application, shortlist=True)
    services.interviews_schedule(day=day)
    application.refresh_from_db()
    return application


def interview(application: Application, day, *, values=(7, 7)) -> Application:
    """Shortlist, schedule and have every member of the panel score the application (the slot may be later
    today: its scoring is opened as an admin would, so the helper works at any time of day)."""
    application = schedule(application, day)
    InterviewSlot.objects.filter(pk=application.slot.pk).update(scoring_opened_at=timezone.now())
    panel_members = list(application.slot.panel.members.order_by("username"))
    for member, value in zip(panel_members, values, strict=False):
        services.score_submit(application=application, member=member, scores=scores(application.campaign, value))
    application.refresh_from_db()
    return application


def score_post(campaign, value) -> dict[str, str]:
    return {f"c{c.pk}": str(value) for c in campaign.rubric.criteria.all()}


def window(days_before=1, days_after=14):
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    return (
        (now - datetime.timedelta(days=days_before)).strftime(fmt),
        (now + datetime.timedelta(days=days_after)).strftime(fmt),
    )
