import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from sangathan.notifications.models import OutboxMessage
from sangathan.org.models import Appointment
from sangathan.org.phones import normalise_mobile
from sangathan.org.tests.factories import PersonFactory, position
from sangathan.recruitment import services
from sangathan.recruitment.models import Application, InterviewDay, InterviewSlot, Panel, Submission
from sangathan.recruitment.services import RecruitmentError
from sangathan.recruitment.tests.conftest import form_data
from sangathan.testing import sent_code
from sangathan.verification.errors import VerificationError

pytestmark = pytest.mark.django_db


def test_submission_gets_a_reference_and_a_message(submit, campaign):
    application, created = submit()
    assert created
    assert application.reference.startswith("RJ-2026-") and len(application.reference) == len("RJ-2026-7K4Q")
    assert application.mobile == "+919829055555"
    assert application.followers_total == 1500
    assert application.consent_version == campaign.notice_version
    assert OutboxMessage.objects.filter(recipient="+919829055555", template="application_received").count() == 1
    assert [e.kind for e in application.events.all()] == ["submitted"]


def test_same_token_twice_is_one_application(submit):
    first, _ = submit(token="same")
    second, created = submit(token="same")
    assert first.pk == second.pk and not created
    assert Application.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_same_mobile_is_held_until_the_owner_confirms_with_a_code(submit):
    first, _ = submit()
    second, created = submit(name_en="Seema M.", mobile="+91 98290 55555")
    assert first.pk == second.pk and not created
    second.refresh_from_db()
    assert second.name_en == "Seema Meena"
    assert [e.kind for e in second.events.all()] == ["submitted", "held"]
    held = Submission.objects.get(held_at__isnull=False)
    answer = _confirm(held.reference, "9829055555")
    assert answer.form_applied and not answer.form_refused
    second.refresh_from_db()
    assert second.name_en == "Seema M." and [e.kind for e in second.events.all()] == ["submitted", "held", "confirmed"]
    # Confirming again changes nothing more.
    assert not _confirm(held.reference, "9829055555").form_applied


def test_a_held_form_never_changes_an_application_past_screening(submit):
    first, _ = submit()
    Application.objects.filter(pk=first.pk).update(status=Application.Status.SHORTLISTED)
    submit(name_en="Overwritten Name", mobile="+91 98290 55555")
    held = Submission.objects.get(held_at__isnull=False)
    answer = _confirm(held.reference, "9829055555")
    assert not answer.form_applied and answer.form_refused
    first.refresh_from_db()
    assert first.name_en == "Seema Meena" and first.status == "shortlisted"


def _confirm(reference: str, mobile: str):
    challenge = services.application_status_code_send(reference=reference, mobile=mobile)
    return services.application_status_confirm(
        reference=reference, mobile=mobile, challenge_id=challenge.pk, code=sent_code(normalise_mobile(mobile))
    )


def test_closed_campaign_accepts_nothing(campaign, tree):
    campaign.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    campaign.save()
    with pytest.raises(RecruitmentError) as error:
        services.application_submit(campaign=campaign, token="x", data=form_data(campaign, tree))
    assert error.value.code == "closed"
    assert not Application.objects.exists()


def test_home_outside_the_campaign_is_refused(tree, cast, rubric, campaign):
    sub = services.campaign_create(
        scope_unit=tree.jaipur,
        parent=campaign,
        title_hi="जयपुर",
        title_en="Jaipur",
        slug="rj-jaipur",
        opens_at=campaign.opens_at,
        closes_at=campaign.closes_at,
        rubric=rubric,
        positions=[(position("booth", "representative"), None)],
        reference_prefix="RJ-JP",
        notice_hi="सूचना",
        notice_en="Notice",
        by=cast.district_admin,
    )
    data = form_data(sub, tree, applied_for=sub.positions.get(), home_unit=tree.ajmer_booth)
    with pytest.raises(RecruitmentError):
        services.application_submit(campaign=sub, token="y", data=data)


@pytest.fixture
def interview_day(campaign, cast):
    day = InterviewDay.objects.create(campaign=campaign, date=timezone.localdate(), venue="PCC HQ, Jaipur")
    users = get_user_model()
    a = Panel.objects.create(day=day, name="A")
    b = Panel.objects.create(day=day, name="B")
    a.members.set([users.objects.create(username="m1"), users.objects.create(username="m2")])
    b.members.set([users.objects.create(username="m3")])
    return day


def shortlist_all():
    for application in Application.objects.all():
        services.application_screen(application=application, shortlist=True)


@pytest.mark.slow
def test_scheduling_fills_parallel_panels_and_never_double_books(submit, interview_day):
    for i in range(50):
        submit(mobile=f"98290{i:05d}")
    shortlist_all()
    scheduled, left = services.interviews_schedule(day=interview_day)
    # 11:00–17:00 in 15-minute slots = 24 per panel, two panels = 48.
    assert (scheduled, left) == (48, 2)
    slots = list(InterviewSlot.objects.all())
    assert len({(s.panel_id, s.starts_at) for s in slots}) == 48
    assert len({s.application_id for s in slots}) == 48
    for slot in slots:
        local = timezone.localtime(slot.starts_at).time()
        assert datetime.time(11) <= local <= datetime.time(16, 45)
    # Running it again schedules nobody twice.
    assert services.interviews_schedule(day=interview_day) == (0, 2)


def scheduled_application(submit, interview_day):
    application, _ = submit()
    services.application_screen(application=application, shortlist=True)
    services.interviews_schedule(day=interview_day)
    application.refresh_from_db()
    return application


def criteria_scores(campaign, value):
    return {c.pk: value for c in campaign.rubric.criteria.all()}


def test_scores_are_weighted_and_private_until_submitted(submit, interview_day, campaign):
    application = scheduled_application(submit, interview_day)
    m1, m2 = application.slot.panel.members.order_by("username")
    services.score_submit(application=application, member=m1, scores=criteria_scores(campaign, 8))
    assert services.score_sheets_visible_to(application=application, member=m2) == []
    services.score_submit(application=application, member=m2, scores=criteria_scores(campaign, 6))
    assert len(services.score_sheets_visible_to(application=application, member=m2)) == 2
    application.refresh_from_db()
    assert str(application.score) == "70.00" and not application.score_disagreement
    assert application.status == "interviewed"


def test_large_disagreement_is_flagged(submit, interview_day, campaign):
    application = scheduled_application(submit, interview_day)
    m1, m2 = application.slot.panel.members.order_by("username")
    services.score_submit(application=application, member=m1, scores=criteria_scores(campaign, 10))
    services.score_submit(application=application, member=m2, scores=criteria_scores(campaign, 3))
    application.refresh_from_db()
    assert application.score_disagreement


def test_only_panel_members_score_once_in_range(submit, interview_day, campaign):
    application = scheduled_application(submit, interview_day)
    outsider = get_user_model().objects.create(username="not-on-panel")
    with pytest.raises(RecruitmentError):
        services.score_submit(application=application, member=outsider, scores=criteria_scores(campaign, 5))
    member = application.slot.panel.members.first()
    with pytest.raises(RecruitmentError):
        services.score_submit(application=application, member=member, scores=criteria_scores(campaign, 11))
    services.score_submit(application=application, member=member, scores=criteria_scores(campaign, 5))
    with pytest.raises(RecruitmentError):
        services.score_submit(application=application, member=member, scores=criteria_scores(campaign, 5))


def test_selecting_appoints_into_the_tree(submit, interview_day, campaign, tree, cast):
    application = scheduled_application(submit, interview_day)
    for member in application.slot.panel.members.all():
        services.score_submit(application=application, member=member, scores=criteria_scores(campaign, 7))
    application = services.application_decide(application=application, decision="select", by=cast.state_admin)
    assert application.status == "appointed"
    appointment = application.appointment
    assert appointment.unit == tree.booth1 and appointment.position == position("booth", "representative")
    assert appointment.letter_number == application.letter_number
    assert OutboxMessage.objects.filter(template="application_appointed").exists()


def test_selecting_into_a_full_post_refuses_cleanly(submit, interview_day, campaign, tree, cast):
    from sangathan.org import services as org_services

    org_services.appointment_create(
        unit=tree.booth1, position=position("booth", "representative"), person=PersonFactory()
    )
    application = scheduled_application(submit, interview_day)
    for member in application.slot.panel.members.all():
        services.score_submit(application=application, member=member, scores=criteria_scores(campaign, 7))
    with pytest.raises(Exception) as error:
        services.application_decide(application=application, decision="select", by=cast.state_admin)
    assert "seats" in str(error.value) or "सीट" in str(error.value)
    application.refresh_from_db()
    assert application.status == "interviewed"
    assert Appointment.objects.count() == 1


def test_status_needs_reference_mobile_and_the_code_sent_to_that_mobile(submit):
    application, _ = submit()
    assert services.application_status_code_send(reference=application.reference, mobile="9829000000") is None
    assert services.application_status_code_send(reference="RJ-2026-XXXX", mobile="9829055555") is None
    assert services.application_status_code_send(reference=application.reference, mobile="garbage") is None
    assert not OutboxMessage.objects.filter(template="mobile_code").exists()
    challenge = services.application_status_code_send(reference=application.reference.lower(), mobile="9829055555")
    with pytest.raises(VerificationError):  # the right pair, a wrong code
        services.application_status_confirm(
            reference=application.reference, mobile="9829055555", challenge_id=challenge.pk, code="12345x"
        )
    with pytest.raises(VerificationError):  # a code confirmed for another pair
        services.application_status_confirm(
            reference="RJ-2026-XXXX", mobile="9829055555", challenge_id=challenge.pk, code=sent_code("+919829055555")
        )
    answer = services.application_status_confirm(
        reference=application.reference, mobile="9829055555", challenge_id=challenge.pk, code=sent_code("+919829055555")
    )
    assert answer.application == application
