"""The tip's origin in /api/v1/factcheck/tips/: where the office-bearer saw the rumour (``seen_on``), which
personal link (``reported_from``) and who reported it (unit, post; for the daily report link the person,
their mobile masked like the tipster's). Scoped as the tip: a sibling district sees neither the tip nor its
reporter; a tip from elsewhere has none."""

import pytest

from sangathan.factcheck.models import ReportSource, SeenOn, TipChannel
from sangathan.factcheck.reported import tip_report_from_link
from sangathan.factcheck.services import tip_receive
from sangathan.factcheck.tests.samples import RUMOUR
from sangathan.outreach.models import Delivery
from sangathan.testing import api_client as api

pytestmark = pytest.mark.django_db

API = "/api/v1/factcheck"


@pytest.fixture
def delivery(tree, sent):
    """Booth 2's cascade link of the message Jaipur sent."""
    return Delivery.objects.get(message=sent, unit=tree.booth2)


def test_a_tip_from_the_report_link_names_the_office_bearer_masked(tree, checkers, bearer, fresh_indexes):
    tip, _new = tip_report_from_link(
        source=ReportSource.REPORT, holder_id=bearer.pk, unit=tree.booth1, seen_on=SeenOn.X, text=RUMOUR
    )
    response = api(checkers.jaipur).get(f"{API}/tips/{tip.pk}/")
    assert response.status_code == 200
    data = response.data
    assert (data["seen_on"], data["reported_from"]) == (SeenOn.X, ReportSource.REPORT)
    reporter = data["reporter"]
    assert reporter["unit"]["id"] == tree.booth1.pk
    assert reporter["position"]["id"] == bearer.position_id and reporter["position"]["is_key"] is True
    assert (reporter["name_hi"], reporter["name_en"]) == ("बूथ प्रभारी", "Booth In-charge")
    assert reporter["mobile"].endswith("345") and "•" in reporter["mobile"]
    assert "9414012345" not in response.content.decode()
    listed = api(checkers.jaipur).get(f"{API}/tips/").data["results"]
    assert [row["reporter"] for row in listed] == [reporter]


def test_a_tip_from_the_cascade_link_names_the_unit_only(tree, checkers, delivery, fresh_indexes):
    tip, _new = tip_report_from_link(
        source=ReportSource.CASCADE, holder_id=delivery.pk, unit=tree.booth2, seen_on=SeenOn.WHATSAPP, text=RUMOUR
    )
    data = api(checkers.jaipur).get(f"{API}/tips/{tip.pk}/").data
    assert (data["seen_on"], data["reported_from"]) == (SeenOn.WHATSAPP, ReportSource.CASCADE)
    assert data["reporter"] == {
        "unit": data["reporter"]["unit"],
        "position": None,
        "name_hi": "",
        "name_en": "",
        "mobile": "",
    }
    assert data["reporter"]["unit"]["id"] == tree.booth2.pk


def test_other_tips_have_no_origin(tree, checkers, fresh_indexes):
    tip, _new = tip_receive(channel=TipChannel.WEB, text=RUMOUR, unit=tree.booth1)
    data = api(checkers.jaipur).get(f"{API}/tips/{tip.pk}/").data
    assert (data["seen_on"], data["reported_from"], data["reporter"]) == ("", "", None)


def test_a_sibling_district_sees_neither_the_tip_nor_its_reporter(tree, checkers, bearer, fresh_indexes):
    tip, _new = tip_report_from_link(
        source=ReportSource.REPORT, holder_id=bearer.pk, unit=tree.booth1, seen_on=SeenOn.X, text=RUMOUR
    )
    client = api(checkers.ajmer)
    assert client.get(f"{API}/tips/{tip.pk}/").status_code == 404
    listed = client.get(f"{API}/tips/")
    assert listed.status_code == 200 and listed.data["results"] == []
    assert "बूथ प्रभारी" not in listed.content.decode() and "Booth In-charge" not in listed.content.decode()


def test_the_tip_list_with_reporters_does_not_query_per_tip(
    tree, checkers, bearer, delivery, fresh_indexes, django_assert_num_queries
):
    for number in range(3):
        tip_report_from_link(
            source=ReportSource.REPORT,
            holder_id=bearer.pk,
            unit=tree.booth1,
            seen_on=SeenOn.X,
            text=f"{RUMOUR} {number}",
        )
        tip_report_from_link(
            source=ReportSource.CASCADE,
            holder_id=delivery.pk,
            unit=tree.booth2,
            seen_on=SeenOn.FACEBOOK,
            text=f"{RUMOUR} {number}",
        )
    client = api(checkers.jaipur)
    client.get(f"{API}/tips/")
    with django_assert_num_queries(2):  # count, the page with its joins (none matched a claim: no claim queries)
        response = client.get(f"{API}/tips/")
    assert len(response.data["results"]) == 6
    assert all(row["reporter"] is not None for row in response.data["results"])


def test_the_schema_describes_the_origin(checkers):
    schema = api(checkers.jaipur).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    tip = schema.json()["components"]["schemas"]["TipOutput"]["properties"]
    assert {"seen_on", "reported_from", "reporter"} <= set(tip)
