"""Ranking, decisions (select appoints, wait-list, reject), the appointment letter PDF and the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from sangathan.org import services as org_services
from sangathan.org.models import Appointment
from sangathan.org.tests.factories import PersonFactory, position
from sangathan.recruitment.models import Application, ApplicationEvent
from sangathan.recruitment.tests.staff_fixtures import *  # noqa: F403 (fixtures)
from sangathan.recruitment.tests.staff_fixtures import interview
from sangathan.recruitment.tests.test_staff import html
from sangathan.testing import log_in, pdf_text, squeeze

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- ranking


def test_ranking_groups_by_unit_and_flags_disagreement(client, cast, campaign, day, submit, tree):
    top, _ = submit(mobile="9829000011", home_unit=tree.booth1, name_en="Top")
    low, _ = submit(mobile="9829000012", home_unit=tree.booth1, name_en="Low")
    split, _ = submit(mobile="9829000013", home_unit=tree.booth2, name_en="Split")
    interview(top, day, values=(9, 9))
    interview(low, day, values=(5, 5))
    interview(split, day, values=(10, 2))
    response = log_in(client, cast.state_admin).get(reverse("recruitment:ranking", args=[campaign.slug]))
    assert response.status_code == 200
    groups = list(response.context["page"])
    assert [g.unit.name_en for g in groups] == ["Amer School", "Amer Fort Gate"]
    assert [a.name_en for a in groups[0].applications] == ["Top", "Low"]
    assert groups[0].open_seats == 1
    assert groups[1].applications[0].score_disagreement
    page = html(response)
    assert "⚠" in page and page.index("Top") < page.index("Low")


def test_ranking_is_scoped_and_takes_bad_parameters(client, cast, campaign, day, jaipur_app, ajmer_app):
    interview(jaipur_app, day)
    interview(ajmer_app, day, values=(6,))
    url = reverse("recruitment:ranking", args=[campaign.slug])
    page = html(log_in(client, cast.sibling_admin).get(url))
    assert ajmer_app.name_en in page and jaipur_app.name_en not in page
    for params in ({"post": "abc"}, {"post": "999999"}, {"unit": "abc"}, {"page": "abc"}, {"unit": "9" * 30}):
        response = client.get(url, params)
        assert response.status_code == 200
        assert jaipur_app.name_en not in html(response)


def test_ranking_for_the_district_post(client, cast, campaign, day, submit, tree):
    district_post = campaign.positions.get(position__code="in_charge")
    application, _ = submit(mobile="9829000021", applied_for=district_post, home_unit=tree.booth2)
    interview(application, day)
    response = log_in(client, cast.state_admin).get(
        reverse("recruitment:ranking", args=[campaign.slug]), {"post": district_post.pk}
    )
    groups = list(response.context["page"])
    assert [g.unit for g in groups] == [tree.jaipur]


# ---------------------------------------------------------------- decisions


def test_select_appoints_and_shows_on_the_unit_page(client, cast, day, jaipur_app, tree):
    application = interview(jaipur_app, day)
    log_in(client, cast.district_admin)
    response = client.post(reverse("recruitment:decide", args=[application.pk]), {"decision": "select"}, follow=True)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == "appointed" and application.letter_number
    appointment = application.appointment
    assert appointment.unit == tree.booth1 and appointment.appointed_by == cast.district_admin
    assert "selected and appointed" in html(response)
    page = html(client.get(reverse("org:unit", args=[tree.booth1.pk])))
    assert "Seema Meena" in page


def test_select_into_a_full_post_refuses_with_the_reason(client, cast, day, jaipur_app, tree):
    org_services.appointment_create(
        unit=tree.booth1, position=position("booth", "representative"), person=PersonFactory()
    )
    application = interview(jaipur_app, day)
    response = log_in(client, cast.state_admin).post(
        reverse("recruitment:decide", args=[application.pk]), {"decision": "select"}, follow=True
    )
    assert response.status_code == 200
    assert "seats of" in html(response) and "are filled" in html(response)
    application.refresh_from_db()
    assert application.status == "interviewed"
    assert Appointment.objects.count() == 1


def test_select_from_the_ranking_page_returns_there(client, cast, campaign, day, jaipur_app):
    application = interview(jaipur_app, day)
    here = reverse("recruitment:ranking", args=[campaign.slug])
    response = log_in(client, cast.state_admin).post(
        reverse("recruitment:decide", args=[application.pk]), {"decision": "waitlist", "next": here}
    )
    assert response["Location"] == here
    application.refresh_from_db()
    assert application.status == "waitlisted"
    response = client.post(
        reverse("recruitment:decide", args=[application.pk]), {"decision": "reject", "next": here}, follow=True
    )
    assert "Give a reason" in html(response)
    application.refresh_from_db()
    assert application.status == "waitlisted"
    # An outside "next" is ignored.
    response = client.post(
        reverse("recruitment:decide", args=[application.pk]),
        {"decision": "reject", "reason": "Fewer seats", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("recruitment:application", args=[application.pk])


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "promote"},
        {"decision": ""},
        {},
        {"decision": "reject"},
        {"decision": "reject", "reason": "x" * 501},
    ],
)
def test_decide_bad_input_changes_nothing(client, cast, day, jaipur_app, data):
    application = interview(jaipur_app, day)
    response = log_in(client, cast.state_admin).post(reverse("recruitment:decide", args=[application.pk]), data)
    assert response.status_code == 200 and 'class="error"' in html(response)
    application.refresh_from_db()
    assert application.status == "interviewed"


def test_decide_before_the_interview_says_so(client, cast, jaipur_app):
    response = log_in(client, cast.state_admin).post(
        reverse("recruitment:decide", args=[jaipur_app.pk]), {"decision": "select"}, follow=True
    )
    assert "Only interviewed or wait-listed" in html(response)
    jaipur_app.refresh_from_db()
    assert jaipur_app.status == "submitted"


def test_decide_is_refused_outside_scope_and_for_viewers(client, cast, day, jaipur_app):
    application = interview(jaipur_app, day)
    events = ApplicationEvent.objects.count()
    for user, status in ((cast.sibling_admin, 404), (cast.viewer, 403), (cast.outsider, 404)):
        response = log_in(client, user).post(
            reverse("recruitment:decide", args=[application.pk]), {"decision": "select"}
        )
        assert response.status_code == status
    application.refresh_from_db()
    assert application.status == "interviewed" and not Appointment.objects.exists()
    assert ApplicationEvent.objects.count() == events


def test_a_block_in_charge_cannot_fill_a_district_post(client, cast, campaign, day, submit, tree):
    from sangathan.access.models import Role, RoleAssignment
    from sangathan.org.tests.factories import UserFactory

    block_admin = UserFactory(username="block_admin")
    RoleAssignment.objects.create(user=block_admin, unit=tree.amer, role=Role.UNIT_ADMIN)
    district_post = campaign.positions.get(position__code="in_charge")
    application, _ = submit(mobile="9829000031", applied_for=district_post, home_unit=tree.booth1)
    application = interview(application, day)
    response = log_in(client, block_admin).post(
        reverse("recruitment:decide", args=[application.pk]), {"decision": "select"}, follow=True
    )
    assert "Only someone who may appoint" in html(response)
    application.refresh_from_db()
    assert application.status == "interviewed" and not Appointment.objects.exists()


# ---------------------------------------------------------------- the letter


@pytest.fixture
def appointed(client, cast, day, jaipur_app):
    application = interview(jaipur_app, day)
    from sangathan.recruitment import services

    return services.application_decide(application=application, decision="select", by=cast.state_admin)


def test_letter_pdf_in_hindi(client, cast, appointed):
    response = log_in(client, cast.district_admin).get(reverse("recruitment:letter", args=[appointed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # pdftotext splits Devanagari clusters with spaces and puts the i-matra (ि, drawn before its consonant)
    # wherever the glyph order leaves it: compare without whitespace and without that matra. The shaping
    # itself was checked by eye on a rendering of page 1 (pdftoppm).
    text = squeeze(pdf_text(response.content))
    for expected in (
        "सोशल मीडिया विभाग",
        "पत्रांक",
        appointed.letter_number,
        "दिनांक",
        "सीमा मीणा",
        "बूथ प्रतिनिधि",
        "आमेर विद्यालय",
        "हस्ताक्षर",
        "नियुक्त",
        "राजस्थान",
    ):
        assert squeeze(expected) in text, expected
    response = client.get(reverse("recruitment:letter", args=[appointed.pk]), {"lang": "en"})
    text = pdf_text(response.content)
    assert "Letter no." in text and "Seema Meena" in text


def test_letter_only_for_the_appointed_and_in_scope(client, cast, appointed, ajmer_app):
    assert log_in(client, cast.sibling_admin).get(reverse("recruitment:letter", args=[appointed.pk])).status_code == 404
    log_in(client, cast.state_admin)
    assert client.get(reverse("recruitment:letter", args=[ajmer_app.pk])).status_code == 404  # not appointed
    assert client.get(reverse("recruitment:letter", args=[999999])).status_code == 404
    assert log_in(client, cast.viewer).get(reverse("recruitment:letter", args=[appointed.pk])).status_code == 200


# ---------------------------------------------------------------- admin


def test_admin_lists_applications_in_scope_read_only(client, cast, jaipur_app, ajmer_app):
    staff = cast.sibling_admin
    staff.is_staff = True
    staff.save()
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="recruitment"))
    log_in(client, staff)
    response = client.get("/admin/recruitment/application/")
    assert response.status_code == 200
    page = html(response)
    assert ajmer_app.reference in page and jaipur_app.reference not in page
    assert client.get(f"/admin/recruitment/application/{jaipur_app.pk}/change/").status_code in (302, 404)
    response = client.post(f"/admin/recruitment/application/{ajmer_app.pk}/change/", {"status": "appointed"})
    assert response.status_code == 403
    ajmer_app.refresh_from_db()
    assert ajmer_app.status == "submitted"
    assert client.get("/admin/recruitment/rubric/").status_code == 403


def test_admin_pages_render_for_a_superuser(client, campaign, jaipur_app, day):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "a-long-test-password")
    log_in(client, admin)
    for url in (
        "/admin/recruitment/rubric/",
        f"/admin/recruitment/rubric/{campaign.rubric_id}/change/",
        "/admin/recruitment/campaign/",
        f"/admin/recruitment/campaign/{campaign.pk}/change/",
        "/admin/recruitment/application/",
        f"/admin/recruitment/application/{jaipur_app.pk}/change/",
        "/admin/recruitment/interviewday/",
        f"/admin/recruitment/interviewday/{day.pk}/change/",
        "/admin/recruitment/panel/",
    ):
        assert client.get(url).status_code == 200, url
    assert Application.objects.count() == 1
