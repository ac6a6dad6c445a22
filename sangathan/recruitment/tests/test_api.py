"""The recruitment REST API under /api/v1/recruitment/: each operation, the scope (404 outside, 403 in
scope but not allowed, nothing changed on a refusal), personal data masked as on the web, bad input (a
translated 400, never a 500) and the lists' query counts."""

import datetime

import pytest
from django.utils import timezone, translation
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from sangathan.access.models import Role, RoleAssignment
from sangathan.apitokens.services import api_token_create
from sangathan.audit.models import AuditEntry
from sangathan.org.models import Appointment
from sangathan.org.tests.factories import UserFactory, position
from sangathan.recruitment import services
from sangathan.recruitment.models import Application, Campaign, CampaignPosition
from sangathan.recruitment.tests.staff_fixtures import *  # noqa: F403 (fixtures)
from sangathan.recruitment.tests.staff_fixtures import interview, schedule, scores
from sangathan.testing import api_client as api
from sangathan.testing import first_message

pytestmark = pytest.mark.django_db

API = "/api/v1/recruitment"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.data["results"]}


def application_rows() -> list[tuple]:
    return list(Application.objects.order_by("pk").values_list("pk", "status", "decision_reason", "appointment"))


def campaign_rows() -> list[tuple]:
    return list(Campaign.objects.order_by("pk").values_list("pk", "title_hi", "title_en", "opens_at", "closes_at"))


def campaign_body(rubric, unit, **overrides) -> dict:
    now = timezone.now()
    body = {
        "scope_unit": unit.pk,
        "title_hi": "जयपुर अभियान",
        "title_en": "Jaipur drive",
        "slug": "jp-2026",
        "opens_at": now.isoformat(),
        "closes_at": (now + datetime.timedelta(days=10)).isoformat(),
        "rubric": rubric.pk,
        "positions": [{"position": position("booth", "representative").pk, "target": 50}],
        "reference_prefix": "JP-2026",
    }
    body.update(overrides)
    return body


@pytest.fixture
def ajmer_campaign(campaign, cast, tree):
    """A sub-campaign the Ajmer in-charge runs for their district."""
    return services.campaign_create(
        scope_unit=tree.ajmer,
        parent=campaign,
        title_hi="अजमेर अभियान",
        title_en="Ajmer drive",
        slug="ajmer-2026",
        opens_at=campaign.opens_at,
        closes_at=campaign.closes_at,
        rubric=campaign.rubric,
        positions=[(position("booth", "representative"), None)],
        reference_prefix="AJ-2026",
        notice_hi=campaign.notice_hi,
        notice_en=campaign.notice_en,
        by=cast.sibling_admin,
    )


# ---------------------------------------------------------------- campaigns


def test_campaigns_list_the_callers_area_and_the_campaigns_above_it(cast, campaign, ajmer_campaign):
    assert ids(api(cast.district_admin).get(f"{API}/campaigns/")) == {campaign.pk}
    assert ids(api(cast.sibling_admin).get(f"{API}/campaigns/")) == {campaign.pk, ajmer_campaign.pk}
    assert ids(api(cast.state_admin).get(f"{API}/campaigns/", {"parent": campaign.pk})) == {ajmer_campaign.pk}
    row = api(cast.state_admin).get(f"{API}/campaigns/{campaign.pk}/").data
    assert row["slug"] == "rj-2026" and row["is_open"] is True
    assert {p["position"]["id"] for p in row["positions"]} == set(
        CampaignPosition.objects.filter(campaign=campaign).values_list("position_id", flat=True)
    )
    assert api(cast.district_admin).get(f"{API}/campaigns/{ajmer_campaign.pk}/").status_code == 404
    assert api().get(f"{API}/campaigns/").status_code in (401, 403)


def test_campaigns_list_query_count_is_pinned(cast, campaign, ajmer_campaign, django_assert_num_queries):
    client = api(cast.state_admin)
    # roles, count, page, posts
    with django_assert_num_queries(4):
        assert len(client.get(f"{API}/campaigns/").data["results"]) == 2


def test_a_state_admin_starts_a_campaign_through_the_service(cast, tree, rubric):
    response = api(cast.state_admin).post(f"{API}/campaigns/", campaign_body(rubric, tree.jaipur), format="json")
    assert response.status_code == 201, response.data
    campaign = Campaign.objects.get(slug="jp-2026")
    assert response.data["id"] == campaign.pk and campaign.created_by == cast.state_admin
    assert campaign.reference_prefix == "JP-2026" and campaign.notice_hi  # the default notice
    assert [(p.position.code, p.target) for p in campaign.positions.all()] == [("representative", 50)]
    assert AuditEntry.objects.filter(additional_data__bulk="campaign_positions", object_pk=str(campaign.pk)).exists()


def test_a_district_admin_starts_only_a_sub_campaign(cast, tree, rubric, campaign):
    before = campaign_rows()
    response = api(cast.district_admin).post(f"{API}/campaigns/", campaign_body(rubric, tree.jaipur), format="json")
    assert response.status_code == 403 and "state admin" in first_message(response.data)
    assert campaign_rows() == before
    body = campaign_body(rubric, tree.jaipur, parent=campaign.pk)
    response = api(cast.district_admin).post(f"{API}/campaigns/", body, format="json")
    assert response.status_code == 201, response.data
    assert Campaign.objects.get(slug="jp-2026").parent == campaign
    # Not for the sibling district, nor as a viewer.
    body = campaign_body(rubric, tree.ajmer, parent=campaign.pk, slug="aj-x")
    assert api(cast.district_admin).post(f"{API}/campaigns/", body, format="json").status_code == 400
    body = campaign_body(rubric, tree.jaipur, parent=campaign.pk, slug="jp-x")
    assert api(cast.viewer).post(f"{API}/campaigns/", body, format="json").status_code == 403
    assert not Campaign.objects.filter(slug__in=["aj-x", "jp-x"]).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"slug": "new"}, "slug", "यह छोटा लिंक आरक्षित है; कोई दूसरा चुनें।"),
        ({"slug": "rj-2026"}, "detail", None),  # the service: taken
        ({"positions": []}, "positions", "भर्ती के लिए कम से कम एक पद चुनें।"),
        ({"closes_at": "2026-01-01T00:00:00+05:30"}, "closes_at", "बंद होने का समय शुरू होने के समय के बाद होना चाहिए।"),
        ({"opens_at": "0001-01-01T00:00:00+05:30"}, "opens_at", None),
        ({"title_hi": "<b>x</b>"}, "title_hi", None),
        ({"reference_prefix": "RJ 2026!"}, "reference_prefix", None),
        ({"positions": [{"position": 10**30}]}, "positions", None),
    ],
)
def test_bad_campaign_input_is_a_translated_400(cast, tree, rubric, campaign, overrides, field, message):
    before = campaign_rows()
    body = campaign_body(rubric, tree.jaipur, **overrides)
    response = api(cast.state_admin, language="hi").post(f"{API}/campaigns/", body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    if message:
        assert first_message(response.data[field]) == message
    assert campaign_rows() == before


def test_a_campaign_is_corrected_by_whoever_manages_it(cast, campaign, ajmer_campaign):
    response = api(cast.state_admin).patch(
        f"{API}/campaigns/{campaign.pk}/", {"title_en": "Drive 2026", "notice_hi": "नई सूचना"}, format="json"
    )
    assert response.status_code == 200, response.data
    campaign.refresh_from_db()
    assert (campaign.title_en, campaign.notice_hi, campaign.notice_version) == ("Drive 2026", "नई सूचना", 2)
    assert response.data["notice_version"] == 2
    # The district in-charge sees the state campaign but may not change it; the sibling's is not there.
    before = campaign_rows()
    assert api(cast.district_admin).patch(f"{API}/campaigns/{campaign.pk}/", {"title_en": "X"}).status_code == 403
    assert api(cast.district_admin).patch(f"{API}/campaigns/{ajmer_campaign.pk}/", {"title_en": "X"}).status_code == 404
    # The sibling in-charge manages their own sub-campaign.
    assert api(cast.sibling_admin).patch(f"{API}/campaigns/{ajmer_campaign.pk}/", {"title_en": "Y"}).status_code == 200
    assert campaign_rows() != before and Campaign.objects.get(pk=campaign.pk).title_en == "Drive 2026"


def test_a_campaigns_window_stays_in_order(cast, campaign):
    before = campaign_rows()
    closes = (campaign.opens_at - datetime.timedelta(hours=1)).isoformat()
    with translation.override("hi"):
        response = api(cast.state_admin, language="hi").patch(
            f"{API}/campaigns/{campaign.pk}/", {"closes_at": closes}, format="json"
        )
    assert response.status_code == 400
    assert first_message(response.data) == "बंद होने का समय शुरू होने के समय के बाद होना चाहिए।"
    assert campaign_rows() == before


# ---------------------------------------------------------------- applications


def test_applications_are_those_living_in_the_callers_scope(cast, jaipur_app, ajmer_app):
    assert ids(api(cast.district_admin).get(f"{API}/applications/")) == {jaipur_app.pk}
    assert ids(api(cast.sibling_admin).get(f"{API}/applications/")) == {ajmer_app.pk}
    assert ids(api(cast.state_admin).get(f"{API}/applications/")) == {jaipur_app.pk, ajmer_app.pk}
    assert ids(api(cast.outsider).get(f"{API}/applications/")) == set()
    assert api(cast.district_admin).get(f"{API}/applications/{ajmer_app.pk}/").status_code == 404


def test_application_filters(cast, tree, submit, jaipur_app, ajmer_app):
    older, _ = submit(home_unit=tree.booth2, mobile="98290 33333", age=50, gender="male")
    services.application_screen(application=older, shortlist=False, reason="incomplete")
    client = api(cast.state_admin)
    assert ids(client.get(f"{API}/applications/", {"status": "rejected"})) == {older.pk}
    assert ids(client.get(f"{API}/applications/", {"within": tree.ajmer.pk})) == {ajmer_app.pk}
    assert ids(client.get(f"{API}/applications/", {"age_band": "46_60"})) == {older.pk}
    assert ids(client.get(f"{API}/applications/", {"gender": "male"})) == {older.pk}
    Application.objects.filter(pk=jaipur_app.pk).update(score=80)
    assert ids(client.get(f"{API}/applications/", {"min_score": 70})) == {jaipur_app.pk}
    assert client.get(f"{API}/applications/", {"sort": "score"}).data["results"][0]["id"] == jaipur_app.pk
    # A unit outside the caller's scope is refused like one that does not exist.
    response = api(cast.district_admin).get(f"{API}/applications/", {"within": tree.ajmer.pk})
    assert response.status_code == 400


def test_applications_list_query_count_is_pinned(cast, submit, tree, django_assert_num_queries):
    for i in range(5):
        submit(home_unit=tree.booth1, mobile=f"98290 4000{i}")
    client = api(cast.viewer)
    # roles, count, page, hidden scores (the personal-data check reads the roles already read)
    with django_assert_num_queries(4):
        assert len(client.get(f"{API}/applications/").data["results"]) == 5


def test_personal_data_is_masked_exactly_as_on_the_web(cast, day, members, jaipur_app):
    row = api(cast.district_admin).get(f"{API}/applications/{jaipur_app.pk}/").data
    assert (row["mobile"], row["email"], row["age"]) == (jaipur_app.mobile, jaipur_app.email, "27")
    # A viewer (no view_personal) sees the masked forms, in the list and one by one.
    listed = api(cast.viewer).get(f"{API}/applications/").data["results"][0]
    one = api(cast.viewer).get(f"{API}/applications/{jaipur_app.pk}/").data
    for row in (listed, one):
        assert row["mobile"] == "+91 98•••••111" and row["age"] == "20–29"
        assert jaipur_app.mobile not in str(row)
    # A panel member without a role sees the application of their slot, without contact.
    schedule(jaipur_app, day)
    member = jaipur_app.slot.panel.members.first()
    row = api(member).get(f"{API}/applications/{jaipur_app.pk}/").data
    assert row["mobile"] is None and row["email"] is None and row["age"] == "20–29"
    assert ids(api(member).get(f"{API}/applications/")) == set()  # the queue is by scope only


def test_a_panel_members_score_stays_hidden_until_they_score(cast, campaign, day, members, jaipur_app):
    application = schedule(jaipur_app, day)
    slot = application.slot
    first, second = list(slot.panel.members.order_by("username"))
    services.score_submit(application=application, member=first, scores=scores(campaign, 8))
    # The second member sits on the panel and has a role at Jaipur: the score is hidden all the same.
    RoleAssignment.objects.create(user=second, unit=campaign.scope_unit, role=Role.VIEWER)
    row = api(second).get(f"{API}/applications/{application.pk}/").data
    assert row["score"] is None
    assert api(second).get(f"{API}/scores/").data["results"] == []
    sheets = api(first).get(f"{API}/scores/").data["results"]
    assert [s["application"]["id"] for s in sheets] == [application.pk]
    assert api(cast.district_admin).get(f"{API}/applications/{application.pk}/").data["score"] == "80.00"
    services.score_submit(application=application, member=second, scores=scores(campaign, 6))
    assert len(api(second).get(f"{API}/scores/", {"application": application.pk}).data["results"]) == 2
    assert api(cast.sibling_admin).get(f"{API}/scores/").data["results"] == []


def test_screening_shortlists_or_rejects_with_a_reason(cast, jaipur_app):
    url = f"{API}/applications/{jaipur_app.pk}/screen/"
    before = application_rows()
    response = api(cast.district_admin, language="hi").post(url, {"action": "reject"}, format="json")
    assert response.status_code == 400 and first_message(response.data) == "अस्वीकार करने का कारण दें।"
    assert application_rows() == before
    response = api(cast.district_admin).post(url, {"action": "shortlist"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "shortlisted"
    assert jaipur_app.events.filter(kind="shortlisted", by=cast.district_admin).exists()


def test_screening_outside_scope_or_without_the_right_changes_nothing(cast, jaipur_app, ajmer_app):
    before = application_rows()
    body = {"action": "reject", "reason": "x"}
    assert api(cast.viewer).post(f"{API}/applications/{jaipur_app.pk}/screen/", body).status_code == 403
    assert api(cast.district_admin).post(f"{API}/applications/{ajmer_app.pk}/screen/", body).status_code == 404
    assert api(cast.district_admin).post(f"{API}/applications/{ajmer_app.pk}/decide/", body).status_code == 404
    bad = api(cast.district_admin).post(f"{API}/applications/{jaipur_app.pk}/screen/", {"action": "drop"})
    assert bad.status_code == 400 and "action" in bad.data
    assert application_rows() == before


def test_decisions_go_through_the_service(cast, day, jaipur_app, submit, tree):
    application = interview(jaipur_app, day)
    url = f"{API}/applications/{application.pk}/decide/"
    response = api(cast.district_admin).post(url, {"decision": "waitlist"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "waitlisted"
    response = api(cast.district_admin).post(url, {"decision": "select"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "appointed" and response.data["letter_number"].startswith("RJ-2026/")
    appointment = Appointment.objects.get(pk=response.data["appointment"])
    assert appointment.unit == tree.booth1 and appointment.appointed_by == cast.district_admin
    # Deciding again, or deciding one not interviewed, is a translated refusal.
    fresh, _ = submit(home_unit=tree.booth2, mobile="98290 66666")
    before = application_rows()
    with translation.override("hi"):
        response = api(cast.district_admin, language="hi").post(
            f"{API}/applications/{fresh.pk}/decide/", {"decision": "select"}, format="json"
        )
        expected = translation.gettext("Only interviewed or wait-listed applicants can be decided.")
    assert response.status_code == 400
    assert first_message(response.data) == expected and expected.startswith("निर्णय")
    assert application_rows() == before


def test_selecting_for_a_post_above_the_callers_reach_is_refused(cast, campaign, day, submit, tree):
    district_post = CampaignPosition.objects.get(campaign=campaign, position__code="in_charge")
    application, _ = submit(home_unit=tree.booth1, mobile="98290 77777", applied_for=district_post)
    application = interview(application, day)
    block_admin = UserFactory(username="block_admin")
    RoleAssignment.objects.create(user=block_admin, unit=tree.jaipur_ac, role=Role.UNIT_ADMIN)
    before = application_rows()
    response = api(block_admin).post(f"{API}/applications/{application.pk}/decide/", {"decision": "select"})
    assert response.status_code == 400
    assert first_message(response.data) == "Only someone who may appoint at a unit above you can select for this post."
    assert application_rows() == before


# ---------------------------------------------------------------- interview days, slots and scores


def test_interview_days_and_slots_are_read_within_scope(cast, day, members, jaipur_app, ajmer_app):
    schedule(jaipur_app, day)
    schedule(ajmer_app, day)
    rows = api(cast.district_admin).get(f"{API}/interview-days/").data["results"]
    assert [r["id"] for r in rows] == [day.pk]  # the state campaign's day is seen from the district
    assert {p["name"] for p in rows[0]["panels"]} == {"A", "B"}
    assert api(cast.district_admin).get(f"{API}/interview-days/{day.pk}/").data["venue"] == "PCC HQ, Jaipur"
    slots = api(cast.district_admin).get(f"{API}/slots/", {"day": day.pk}).data["results"]
    assert [s["application"]["id"] for s in slots] == [jaipur_app.pk]
    member = ajmer_app.slot.panel.members.first()
    own = api(member).get(f"{API}/slots/").data["results"]
    assert ajmer_app.pk in {s["application"]["id"] for s in own}
    assert api(cast.outsider).get(f"{API}/interview-days/{day.pk}/").status_code == 404


def test_slot_and_score_lists_query_counts_are_pinned(cast, campaign, day, submit, tree, django_assert_num_queries):
    for i in range(4):
        application, _ = submit(home_unit=tree.booth1, mobile=f"98290 5000{i}")
        interview(application, day)
    clients = [api(cast.district_admin) for _ in range(3)]  # each with its own role cache
    with django_assert_num_queries(3):  # roles, count, page
        assert len(clients[0].get(f"{API}/slots/").data["results"]) == 4
    with django_assert_num_queries(3):
        assert len(clients[1].get(f"{API}/scores/").data["results"]) == 6  # panel A has two members, B one
    with django_assert_num_queries(5):  # roles, count, page, panels, their members
        assert len(clients[2].get(f"{API}/interview-days/").data["results"]) == 1


def test_a_token_reaches_the_recruitment_api(cast, campaign):
    _token, secret = api_token_create(user=cast.district_admin, name="script", days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert ids(client.get(f"{API}/campaigns/")) == {campaign.pk}


def test_the_schema_describes_the_recruitment_and_training_api_without_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    ours = [w for w in GENERATOR_STATS._warn_cache if "recruitment/api" in w or "training/api" in w]
    assert not ours, ours
    paths = schema["paths"]
    for path in (
        "/api/v1/recruitment/campaigns/",
        "/api/v1/recruitment/applications/{id}/decide/",
        "/api/v1/recruitment/scores/",
        "/api/v1/training/camps/{id}/attendance/",
        "/api/v1/training/completions/",
    ):
        assert path in paths, sorted(paths)
    components = schema["components"]["schemas"]
    assert "ApplicationStatusEnum" in components and "CampaignCreateInput" in components
