"""Interview days, panels, automatic scheduling through the page, the timetable, rescheduling, no-shows,
and the panel member's own page with the score sheet (the others' scores hidden until one submits)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sangathan.org.tests.factories import UserFactory, make_unit
from sangathan.recruitment.models import Application, InterviewDay, InterviewSlot, Panel, ScoreSheet
from sangathan.recruitment.tests.staff_fixtures import *  # noqa: F403 (fixtures)
from sangathan.recruitment.tests.staff_fixtures import interview, schedule, score_post, scores
from sangathan.recruitment.tests.test_staff import html
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- days and panels


def test_state_admin_adds_a_day_and_a_panel(client, cast, tree, campaign, members):
    from sangathan.access.models import Role, RoleAssignment

    for name in ("m1", "m2"):  # office-bearers of the state: a panel is formed from users with a role in the area
        RoleAssignment.objects.create(user=members[name], unit=tree.jaipur, role=Role.INTERVIEWER)
    log_in(client, cast.state_admin)
    url = reverse("recruitment:interviews", args=[campaign.slug])
    page = html(client.get(url))
    assert 'value="11:00"' in page and 'value="17:00"' in page  # the default hours
    date = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        url, {"date": date, "venue": "PCC HQ", "starts": "11:00", "ends": "17:00", "slot_minutes": "20"}
    )
    day = InterviewDay.objects.get()
    assert response["Location"] == reverse("recruitment:day", args=[day.pk])
    assert (day.venue, day.slot_minutes, day.starts) == ("PCC HQ", 20, datetime.time(11))
    response = client.post(reverse("recruitment:panel_create", args=[day.pk]), {"name": "A", "members": "m1, m2"})
    assert response.status_code == 302
    panel = Panel.objects.get()
    assert sorted(panel.members.values_list("username", flat=True)) == ["m1", "m2"]
    page = html(client.get(reverse("recruitment:day", args=[day.pk])))
    assert "m1" in page and "11:00" in page and "16:40" in page


@pytest.mark.parametrize(
    "data",
    [
        {"date": "", "venue": "HQ"},
        {"date": "31/02/2026", "venue": "HQ"},
        {"date": "2026-12-01", "venue": ""},
        {"date": "2026-12-01", "venue": "x" * 201},
        {"date": "2026-12-01", "venue": "HQ", "starts": "17:00", "ends": "11:00"},
        {"date": "2026-12-01", "venue": "HQ", "slot_minutes": "2"},
        {"date": "2026-12-01", "venue": "HQ", "slot_minutes": "abc"},
        {"date": "2026-12-01", "venue": "HQ", "starts": "25:99"},
    ],
)
def test_bad_day_input_changes_nothing(client, cast, campaign, data):
    full = {"starts": "11:00", "ends": "17:00", "slot_minutes": "15", **data}
    response = log_in(client, cast.state_admin).post(reverse("recruitment:interviews", args=[campaign.slug]), full)
    assert response.status_code == 200 and 'class="error"' in html(response)
    assert not InterviewDay.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "members": "m1"},
        {"name": "C", "members": ""},
        {"name": "C", "members": "m1, ghost"},
        {"name": "A", "members": "m3"},
    ],
)
def test_bad_panel_input_changes_nothing(client, cast, day, data):
    response = log_in(client, cast.state_admin).post(reverse("recruitment:panel_create", args=[day.pk]), data)
    assert response.status_code == 200
    assert 'class="error"' in html(response) or 'class="errors"' in html(response)
    assert Panel.objects.filter(day=day).count() == 2


def test_only_who_may_appoint_across_the_campaign_runs_its_interviews(client, cast, campaign, day, members):
    date = timezone.localdate().isoformat()
    data = {"date": date, "venue": "HQ", "starts": "11:00", "ends": "17:00", "slot_minutes": "15"}
    # A district in-charge may see the state campaign's interviews page, but not add days or panels to it,
    # nor schedule it (scheduling takes every district's applicants).
    for user, status in ((cast.district_admin, 403), (cast.viewer, 403), (cast.outsider, 404)):
        log_in(client, user)
        assert client.post(reverse("recruitment:interviews", args=[campaign.slug]), data).status_code == status
        response = client.post(reverse("recruitment:panel_create", args=[day.pk]), {"name": "Z", "members": "m1"})
        assert response.status_code == status
        assert client.post(reverse("recruitment:schedule", args=[day.pk])).status_code == status
    assert InterviewDay.objects.count() == 1 and Panel.objects.count() == 2
    assert not InterviewSlot.objects.exists()


# ---------------------------------------------------------------- scheduling


def test_schedule_more_applicants_than_slots_through_the_page(client, cast, campaign, submit, tree, members):
    log_in(client, cast.state_admin)
    interview_day = InterviewDay.objects.create(
        campaign=campaign, date=timezone.localdate(), venue="HQ", starts=datetime.time(11), ends=datetime.time(12)
    )
    panel = Panel.objects.create(day=interview_day, name="A")
    panel.members.set([members["m1"]])
    for i in range(6):
        application, _ = submit(mobile=f"98293{i:05d}")
        Application.objects.filter(pk=application.pk).update(status="shortlisted")
    response = client.post(reverse("recruitment:schedule", args=[interview_day.pk]), follow=True)
    page = html(response)
    assert "4 interviews scheduled" in page
    assert "2 shortlisted applicants are left without a slot" in page
    assert InterviewSlot.objects.count() == 4
    assert Application.objects.filter(status="scheduled").count() == 4
    # The timetable shows every slot of the panel booked.
    assert page.count('class="slot-booked"') == 4
    # Again: nothing new, nobody booked twice.
    page = html(client.post(reverse("recruitment:schedule", args=[interview_day.pk]), follow=True))
    assert "0 interviews scheduled" in page and InterviewSlot.objects.count() == 4


def test_schedule_without_panels_says_so(client, cast, campaign):
    interview_day = InterviewDay.objects.create(campaign=campaign, date=timezone.localdate(), venue="HQ")
    response = log_in(client, cast.state_admin).post(
        reverse("recruitment:schedule", args=[interview_day.pk]), follow=True
    )
    assert "Add at least one panel" in html(response)


def test_timetable_shows_a_district_admin_only_their_applicants(client, cast, day, jaipur_app, ajmer_app):
    schedule(jaipur_app, day)
    schedule(ajmer_app, day)
    page = html(log_in(client, cast.district_admin).get(reverse("recruitment:day", args=[day.pk])))
    assert jaipur_app.name_en in page and ajmer_app.name_en not in page
    assert "Schedule automatically" not in page
    page = html(log_in(client, cast.sibling_admin).get(reverse("recruitment:day", args=[day.pk])))
    assert ajmer_app.name_en in page and jaipur_app.name_en not in page
    page = html(log_in(client, cast.state_admin).get(reverse("recruitment:day", args=[day.pk])))
    assert ajmer_app.name_en in page and jaipur_app.name_en in page
    assert log_in(client, cast.outsider).get(reverse("recruitment:day", args=[day.pk])).status_code == 404
    assert client.get(reverse("recruitment:day", args=[999999])).status_code == 404


def test_interviews_page_counts_only_what_the_user_sees(client, cast, campaign, day, jaipur_app, ajmer_app):
    schedule(jaipur_app, day)
    response = log_in(client, cast.sibling_admin).get(reverse("recruitment:interviews", args=[campaign.slug]))
    assert response.context["rows"] == [(day, 0)]
    response = log_in(client, cast.state_admin).get(reverse("recruitment:interviews", args=[campaign.slug]))
    assert response.context["rows"] == [(day, 1)]


# ---------------------------------------------------------------- moving and no-shows


def test_move_an_interview(client, cast, day, jaipur_app):
    application = schedule(jaipur_app, day)
    slot = application.slot
    log_in(client, cast.district_admin)
    url = reverse("recruitment:slot_move", args=[slot.pk])
    assert client.get(url).status_code == 200
    panel_b = day.panels.get(name="B")
    response = client.post(url, {"panel": panel_b.pk, "starts_at": "14:30"})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.panel == panel_b and timezone.localtime(slot.starts_at).time() == datetime.time(14, 30)
    assert application.events.filter(kind="rescheduled").exists()


@pytest.mark.parametrize(
    "data", [{"panel": "999", "starts_at": "12:00"}, {"panel": "abc"}, {"starts_at": "10:00"}, {"starts_at": "12:07"}]
)
def test_move_bad_input(client, cast, day, jaipur_app, data):
    slot = schedule(jaipur_app, day).slot
    full = {"panel": str(slot.panel_id), "starts_at": "12:00", **data}
    response = log_in(client, cast.district_admin).post(reverse("recruitment:slot_move", args=[slot.pk]), full)
    assert response.status_code == 200 and 'class="error"' in html(response)
    before = slot.starts_at
    slot.refresh_from_db()
    assert slot.starts_at == before


def test_move_onto_a_taken_time_says_so(client, cast, day, jaipur_app, submit):
    slot = schedule(jaipur_app, day).slot
    other, _ = submit(mobile="9829077777")
    other_slot = schedule(other, day).slot
    local = timezone.localtime(other_slot.starts_at).strftime("%H:%M")
    response = log_in(client, cast.state_admin).post(
        reverse("recruitment:slot_move", args=[slot.pk]), {"panel": other_slot.panel_id, "starts_at": local}
    )
    assert response.status_code == 200 and "already has an interview" in html(response)


def test_no_show(client, cast, day, jaipur_app):
    slot = schedule(jaipur_app, day).slot
    log_in(client, cast.district_admin)
    response = client.post(reverse("recruitment:no_show", args=[slot.pk]))
    assert response.status_code == 302
    slot.refresh_from_db()
    jaipur_app.refresh_from_db()
    assert slot.status == "no_show" and jaipur_app.status == "no_show"
    # Twice: a message, not a second event.
    response = client.post(reverse("recruitment:no_show", args=[slot.pk]), follow=True)
    assert "has not taken place" in html(response)
    assert jaipur_app.events.filter(kind="no_show").count() == 1


def test_moving_and_no_show_are_refused_outside_scope_and_for_viewers(client, cast, day, jaipur_app):
    slot = schedule(jaipur_app, day).slot
    for user, status in ((cast.sibling_admin, 404), (cast.viewer, 403)):
        log_in(client, user)
        assert client.post(reverse("recruitment:no_show", args=[slot.pk])).status_code == status
        response = client.post(
            reverse("recruitment:slot_move", args=[slot.pk]), {"panel": slot.panel_id, "starts_at": "15:00"}
        )
        assert response.status_code == status
    before = slot.starts_at
    slot.refresh_from_db()
    assert slot.status == "booked" and slot.starts_at == before


# ---------------------------------------------------------------- the panel member's page


def test_panel_member_sees_todays_slots_and_the_next_applicant(client, day, members, jaipur_app, ajmer_app):
    schedule(jaipur_app, day)
    schedule(ajmer_app, day)
    response = log_in(client, members["m1"]).get(reverse("recruitment:panel"))
    assert response.status_code == 200
    page = html(response)
    assert jaipur_app.name_en in page and ajmer_app.name_en not in page  # Ajmer's is on panel B
    assert response.context["next"].application_id == jaipur_app.pk
    assert 'id="next"' in page
    response = log_in(client, members["m3"]).get(reverse("recruitment:panel"))
    assert response.context["next"].application_id == ajmer_app.pk


def test_the_second_member_still_gets_the_applicant_the_first_has_scored(client, day, members, jaipur_app, campaign):
    from sangathan.recruitment import services

    application = schedule(jaipur_app, day)
    services.score_submit(application=application, member=members["m1"], scores=scores(campaign, 6))
    assert log_in(client, members["m1"]).get(reverse("recruitment:panel")).context["next"] is None
    response = log_in(client, members["m2"]).get(reverse("recruitment:panel"))
    assert response.context["next"].application_id == application.pk
    assert 'id="next"' in html(response)


def test_user_on_no_panel_gets_an_empty_page(client, cast):
    response = log_in(client, cast.outsider).get(reverse("recruitment:panel"))
    assert response.status_code == 200 and "No interviews for you today" in html(response)


def test_panel_member_scores_and_sees_the_others_only_afterwards(client, day, members, jaipur_app, campaign):
    slot = schedule(jaipur_app, day).slot
    url = reverse("recruitment:panel_score", args=[slot.pk])
    m1, m2 = members["m1"], members["m2"]
    # m1 scores first, through the page.
    log_in(client, m1)
    page = html(client.get(url))
    assert "Submit scores" in page and jaipur_app.name_en in page
    assert jaipur_app.mobile not in page  # a panel member does not need the contact details
    response = client.post(url, score_post(campaign, 9))
    assert response.status_code == 302 and response["Location"] == reverse("recruitment:panel")
    sheet = ScoreSheet.objects.get(member=m1)
    assert sheet.weighted == 90
    # m2 has not scored: m1's scores and the mean are nowhere on m2's pages.
    log_in(client, m2)
    for page_url in (url, reverse("recruitment:application", args=[jaipur_app.pk])):
        response = client.get(page_url)
        assert response.status_code == 200
        page = html(response)
        assert "90.00" not in page and "Weighted" not in page  # neither the mean nor m1's sheet
    assert response.context["score_hidden"] and response.context["sheet_rows"] == []
    # After submitting, m2 sees both sheets and the mean.
    client.post(url, score_post(campaign, 5))
    page = html(client.get(url))
    assert "90.00" in page and "50.00" in page and "70.00" in page and "m1" in page


def test_a_state_admin_on_the_panel_does_not_see_the_others_scores_first(
    client, cast, day, members, jaipur_app, campaign
):
    slot = schedule(jaipur_app, day).slot
    slot.panel.members.add(cast.state_admin)
    from sangathan.recruitment import services

    services.score_submit(application=jaipur_app, member=members["m1"], scores=scores(campaign, 8))
    log_in(client, cast.state_admin)
    for url in (
        reverse("recruitment:application", args=[jaipur_app.pk]),
        reverse("recruitment:queue", args=[campaign.slug]),
    ):
        page = html(client.get(url))
        assert "80.00" not in page
    response = client.get(reverse("recruitment:export_csv", args=[campaign.slug]))
    assert "80.0" not in b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("value", ["0", "11", "abc", "", "7.5", "-1"])
def test_scores_out_of_range_are_refused(client, day, members, jaipur_app, campaign, value):
    slot = schedule(jaipur_app, day).slot
    data = score_post(campaign, 5)
    first = next(iter(data))
    data[first] = value
    response = log_in(client, members["m1"]).post(reverse("recruitment:panel_score", args=[slot.pk]), data)
    assert response.status_code == 200 and 'class="error"' in html(response)
    assert not ScoreSheet.objects.exists()


def test_missing_criterion_is_refused(client, day, members, jaipur_app, campaign):
    slot = schedule(jaipur_app, day).slot
    data = score_post(campaign, 5)
    data.pop(next(iter(data)))
    response = log_in(client, members["m1"]).post(reverse("recruitment:panel_score", args=[slot.pk]), data)
    assert response.status_code == 200 and "Give a score" in html(response)
    assert not ScoreSheet.objects.exists()


def test_scoring_twice_is_refused(client, day, members, jaipur_app, campaign):
    slot = schedule(jaipur_app, day).slot
    log_in(client, members["m1"])
    url = reverse("recruitment:panel_score", args=[slot.pk])
    client.post(url, score_post(campaign, 5))
    response = client.post(url, score_post(campaign, 9), follow=True)
    assert "already scored" in html(response)
    assert ScoreSheet.objects.get().weighted == 50


def test_others_cannot_open_a_panels_score_sheet(client, cast, day, members, jaipur_app, ajmer_app, campaign):
    slot = schedule(jaipur_app, day).slot
    ajmer_slot = schedule(ajmer_app, day).slot
    url = reverse("recruitment:panel_score", args=[slot.pk])
    # Not on the panel: 404, admins included; a member of panel B cannot score panel A's applicant.
    for user in (members["m3"], cast.state_admin, cast.district_admin, UserFactory(username="nobody")):
        log_in(client, user)
        assert client.get(url).status_code == 404
        assert client.post(url, score_post(campaign, 5)).status_code == 404
    assert not ScoreSheet.objects.exists()
    # A panel member sees the applications of their own panel only.
    log_in(client, members["m3"])
    assert client.get(reverse("recruitment:application", args=[ajmer_app.pk])).status_code == 200
    assert client.get(reverse("recruitment:application", args=[jaipur_app.pk])).status_code == 404
    assert client.get(reverse("recruitment:letter", args=[ajmer_app.pk])).status_code == 404
    # ... and cannot act on it.
    assert client.post(reverse("recruitment:screen", args=[ajmer_app.pk]), {"action": "shortlist"}).status_code == 404
    assert client.post(reverse("recruitment:no_show", args=[ajmer_slot.pk])).status_code == 404
    assert client.get(reverse("recruitment:queue", args=[campaign.slug])).status_code == 404


def test_no_show_applicant_cannot_be_scored(client, cast, day, members, jaipur_app, campaign):
    slot = schedule(jaipur_app, day).slot
    log_in(client, cast.state_admin).post(reverse("recruitment:no_show", args=[slot.pk]))
    log_in(client, members["m1"])
    url = reverse("recruitment:panel_score", args=[slot.pk])
    assert "did not come" in html(client.get(url))
    response = client.post(url, score_post(campaign, 5), follow=True)
    assert response.status_code == 200 and "not waiting for scores" in html(response)
    assert not ScoreSheet.objects.exists()


def test_panel_page_query_count(client, day, members, submit, django_assert_max_num_queries):
    for i in range(10):
        application, _ = submit(mobile=f"98294{i:05d}")
        schedule(application, day)
    log_in(client, members["m1"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("recruitment:panel"))
    assert len(response.context["today"]) == 5


def test_interviewed_application_shows_scores_to_the_admin(client, cast, day, jaipur_app):
    application = interview(jaipur_app, day, values=(10, 3))
    page = html(log_in(client, cast.district_admin).get(reverse("recruitment:application", args=[application.pk])))
    assert "65.00" in page and "The panel disagrees" in page and "m1" in page and "m2" in page


def test_panel_members_field_does_not_tell_which_user_names_exist(client, cast, tree, day, members):
    """A name nobody has and the name of a user outside one's area get the same answer, and neither joins.
    (Before, the first was "No active user is called ..." and the second joined the panel.)"""
    from sangathan.access.models import Role, RoleAssignment

    kota_admin = UserFactory(username="kota_interviewer")  # exists, but holds a role only outside Rajasthan
    elsewhere = make_unit(tree.india, "state", "Gujarat", name_hi="गुजरात")
    RoleAssignment.objects.create(user=kota_admin, unit=elsewhere, role=Role.INTERVIEWER)
    RoleAssignment.objects.create(user=cast.sibling_admin, unit=tree.rajasthan, role=Role.STATE_ADMIN)
    client.cookies["django_language"] = "en"
    log_in(client, cast.sibling_admin)
    url = reverse("recruitment:panel_create", args=[day.pk])
    answers = {}
    for name in ("kota_interviewer", "nobody_has_this_name", "outsider"):
        response = client.post(url, {"name": "C", "members": f"viewer, {name}"})
        assert response.status_code == 200
        page = html(response)
        answers[name] = re.sub(r'(csrfmiddlewaretoken" value="|CSRFToken": ")[^"]+', "", page.replace(name, "NAME"))
        assert f"Nobody with a role in your area has the user name: {name}" in page
    assert answers["kota_interviewer"] == answers["nobody_has_this_name"] == answers["outsider"]
    assert Panel.objects.filter(day=day).count() == 2
    # A user with a role in the area joins.
    assert client.post(url, {"name": "C", "members": "district_admin, viewer"}).status_code == 302
    members_of_c = sorted(Panel.objects.get(day=day, name="C").members.values_list("username", flat=True))
    assert members_of_c == ["district_admin", "viewer"]
