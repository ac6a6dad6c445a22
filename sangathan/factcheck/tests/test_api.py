"""The fact-check desk's API under /api/v1/factcheck/: tips (scoped, masked, reported by a signed-in
office-bearer, linked and unlinked by the desk), claims through the whole workflow with the web's
permission checks and audit, the answer down the cascade, escalation, the matcher's ranked candidates;
scope (a sibling district gets 404 and changes nothing; a viewer in scope 403); bad input (400 with a
translated message, nothing changed); query counts of the lists."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from sangathan.audit.models import AuditEntry
from sangathan.factcheck.models import Claim, Status, Tier, Tip, TipChannel, TipCluster, Verdict
from sangathan.factcheck.services import tip_receive
from sangathan.factcheck.tests.samples import EVM_HI, NOTES_EN, NOTES_HI
from sangathan.notifications.models import OutboxMessage
from sangathan.testing import api_client as api
from sangathan.testing import first_message

pytestmark = pytest.mark.django_db

API = "/api/v1/factcheck"
MOBILE = "+919829012345"
OTHER_RUMOUR = "गांव के तालाब में मगरमच्छ देखा गया, बच्चों को बाहर न भेजें"


def claim_rows() -> list[tuple]:
    return list(
        Claim.objects.order_by("pk").values_list(
            "pk", "status", "verdict", "assigned_to", "rebuttal_hi", "escalated_at", "published_at"
        )
    )


def tip_rows() -> list[tuple]:
    return list(Tip.objects.order_by("pk").values_list("pk", "claim", "tier", "cluster", "answered_at"))


@pytest.fixture
def tips(tree, fresh_indexes):
    """A tip from a Jaipur booth (with a mobile for the answer) and one from an Ajmer booth."""
    jaipur, _new = tip_receive(channel=TipChannel.WEB, text=OTHER_RUMOUR, unit=tree.booth1, reply_mobile=MOBILE)
    ajmer, _new = tip_receive(channel=TipChannel.WEB, text=EVM_HI, unit=tree.ajmer_booth)
    return {"jaipur": jaipur, "ajmer": ajmer}


# ---------------------------------------------------------------- tips


def test_tips_are_the_callers_area_with_the_mobile_masked(tips, checkers):
    response = api(checkers.jaipur).get(f"{API}/tips/")
    assert response.status_code == 200
    assert [row["reference"] for row in response.data["results"]] == [tips["jaipur"].reference]
    row = response.data["results"][0]
    assert row["mobile"] and "9829012345" not in str(response.content)
    assert row["mobile"].endswith("345") and "•" in row["mobile"]
    assert row["cluster"]["tip_count"] == 1
    assert row["unit"]["id"] == tips["jaipur"].unit_id

    detail = api(checkers.jaipur).get(f"{API}/tips/{tips['jaipur'].pk}/")
    assert detail.status_code == 200 and "9829012345" not in str(detail.content)
    assert api(checkers.ajmer).get(f"{API}/tips/{tips['jaipur'].pk}/").status_code == 404


def test_tip_filters_and_bad_filters(tips, checkers, tree):
    client = api(checkers.control_room)
    assert len(client.get(f"{API}/tips/").data["results"]) == 2
    assert len(client.get(f"{API}/tips/", {"unit": tree.jaipur.pk}).data["results"]) == 1
    assert len(client.get(f"{API}/tips/", {"tier": "none"}).data["results"]) == 2
    assert len(client.get(f"{API}/tips/", {"status": "answered"}).data["results"]) == 0
    assert len(client.get(f"{API}/tips/", {"since": "2000-01-01"}).data["results"]) == 2
    assert len(client.get(f"{API}/tips/", {"since": "2999-01-01"}).data["results"]) == 0
    for bad in ({"tier": "x"}, {"status": "x"}, {"since": "yesterday"}, {"unit": "abc"}, {"unit": 99999999999999}):
        assert client.get(f"{API}/tips/", bad).status_code == 400, bad
    # A unit outside the caller's area is unknown, like one that does not exist.
    assert api(checkers.jaipur).get(f"{API}/tips/", {"unit": tree.ajmer.pk}).status_code == 400


def test_tip_list_queries_do_not_grow_with_the_page(tree, checkers, claims, django_assert_num_queries):
    for number in range(6):
        tip_receive(channel=TipChannel.WEB, text=f"{NOTES_HI} {number}", unit=tree.booth1, reply_mobile=MOBILE)
    client = api(checkers.jaipur)
    client.get(f"{API}/tips/")  # the matcher's index and the role cache warm
    # count, the page (tips with unit, level, cluster), the claims in scope, their texts (roles cached)
    with django_assert_num_queries(4):
        response = client.get(f"{API}/tips/")
    assert len(response.data["results"]) == 6


def test_an_office_bearer_reports_a_rumour_with_their_unit(tree, cast, fresh_indexes):
    response = api(cast.district_admin).post(f"{API}/tips/", {"text": OTHER_RUMOUR}, format="json")
    assert response.status_code == 201, response.data
    tip = Tip.objects.get(pk=response.data["id"])
    assert (tip.channel, tip.unit, tip.reported_by) == (TipChannel.CASCADE, tree.jaipur, cast.district_admin)
    assert response.data["unit"]["id"] == tree.jaipur.pk

    below = api(cast.district_admin).post(f"{API}/tips/", {"text": "x y z", "unit": tree.booth1.pk}, format="json")
    assert below.status_code == 201 and below.data["unit"]["id"] == tree.booth1.pk


def test_a_report_for_a_sibling_unit_or_empty_is_refused(tree, cast, fresh_indexes):
    before = tip_rows()
    client = api(cast.district_admin, "hi")
    sibling = client.post(f"{API}/tips/", {"text": OTHER_RUMOUR, "unit": tree.ajmer_booth.pk}, format="json")
    assert sibling.status_code == 400
    with translation.override("hi"):
        empty = client.post(f"{API}/tips/", {"text": "  "}, format="json")
    assert empty.status_code == 400
    assert first_message(empty.data) == "संदेश या लिंक चिपकाएँ: रिपोर्ट खाली है।"
    assert api(cast.outsider).post(f"{API}/tips/", {"text": OTHER_RUMOUR}, format="json").status_code == 403
    assert tip_rows() == before


def test_the_desk_links_a_tip_and_a_published_claim_answers_it(tips, checkers, published_claim):
    claim = published_claim()
    tip = tips["jaipur"]
    response = api(checkers.jaipur).post(f"{API}/tips/{tip.pk}/link/", {"claim": claim.pk}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["claim"]["id"] == claim.pk and response.data["tier"] == Tier.AUTO
    tip.refresh_from_db()
    assert tip.claim == claim and tip.answered_at is not None
    assert OutboxMessage.objects.filter(recipient=MOBILE, idempotency_key=f"factcheck-tip-answer-{tip.pk}").count() == 1
    assert AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Tip), object_pk=str(tip.pk)
    ).exists()


def test_unlinking_takes_the_tip_out_of_the_claims_cluster(tree, checkers, claims):
    first, _new = tip_receive(channel=TipChannel.WEB, text=NOTES_HI, unit=tree.booth1)
    second, _new = tip_receive(channel=TipChannel.WEB, text=NOTES_HI + " !!", unit=tree.booth2)
    assert first.tier == Tier.AUTO and first.cluster_id == second.cluster_id
    cluster = TipCluster.objects.get(pk=first.cluster_id)
    assert (cluster.tip_count, cluster.district_count) == (2, 1)

    response = api(checkers.jaipur).post(f"{API}/tips/{second.pk}/unlink/", format="json")
    assert response.status_code == 200, response.data
    assert response.data["claim"] is None and response.data["tier"] == Tier.NONE
    cluster.refresh_from_db()
    second.refresh_from_db()
    assert (cluster.tip_count, cluster.district_count) == (1, 1)
    assert second.cluster_id != cluster.pk and second.cluster.tip_count == 1

    again = api(checkers.jaipur).post(f"{API}/tips/{second.pk}/unlink/", format="json")
    assert again.status_code == 400  # not linked


def test_linking_is_the_desks_and_stays_in_scope(tips, checkers, cast, open_claim, tree):
    claim = open_claim()
    before = tip_rows()
    tip = tips["jaipur"]
    assert api(checkers.ajmer).post(f"{API}/tips/{tip.pk}/link/", {"claim": claim.pk}, format="json").status_code == 404
    assert api(cast.viewer).post(f"{API}/tips/{tip.pk}/link/", {"claim": claim.pk}, format="json").status_code == 403
    ajmer_claim = open_claim(unit=tree.ajmer, by=checkers.ajmer)
    refused = api(checkers.jaipur).post(f"{API}/tips/{tip.pk}/link/", {"claim": ajmer_claim.pk}, format="json")
    assert refused.status_code == 400  # a claim of the sibling district is like one that does not exist
    for bad in ({}, {"claim": "x"}, {"claim": None}, {"claim": 2**40}, []):
        assert api(checkers.jaipur).post(f"{API}/tips/{tip.pk}/link/", bad, format="json").status_code == 400
    assert tip_rows() == before


# ---------------------------------------------------------------- claims


def test_a_claim_goes_through_the_whole_workflow(tree, checkers, fresh_indexes):
    client = api(checkers.jaipur)
    created = client.post(
        f"{API}/claims/", {"unit": tree.jaipur.pk, "text_hi": NOTES_HI, "text_en": NOTES_EN}, format="json"
    )
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert created.data["status"] == Status.NEW and created.data["next_steps"] == [Status.TRIAGE]
    assert {t["language"] for t in created.data["texts"]} == {"hi", "en"}

    patched = client.patch(
        f"{API}/claims/{pk}/",
        {"rebuttal_hi": "₹2000 के नोट बंद नहीं हुए हैं।", "rebuttal_x": "FALSE: ₹2000 notes are not banned."},
        format="json",
    )
    assert patched.status_code == 200 and patched.data["rebuttal_x"].startswith("FALSE")
    english = client.patch(f"{API}/claims/{pk}/", {"text_en": NOTES_EN + " (forwarded)"}, format="json")
    assert english.status_code == 200
    assert {t["language"]: t["text"] for t in english.data["texts"]} == {
        "hi": NOTES_HI,
        "en": NOTES_EN + " (forwarded)",
    }
    assert client.post(f"{API}/claims/{pk}/assign/", {"assignee": checkers.jaipur.pk}, format="json").status_code == 200
    for step in ("triage", "verifying"):
        assert client.post(f"{API}/claims/{pk}/transition/", {"to": step}, format="json").status_code == 200
    no_verdict = client.post(f"{API}/claims/{pk}/transition/", {"to": "verdict"}, format="json")
    assert no_verdict.status_code == 400
    verdict = client.post(f"{API}/claims/{pk}/transition/", {"to": "verdict", "verdict": "false"}, format="json")
    assert verdict.status_code == 200 and verdict.data["verdict"] == Verdict.FALSE
    published = client.post(f"{API}/claims/{pk}/publish/", format="json")
    assert published.status_code == 200, published.data
    assert published.data["status"] == Status.PUBLISHED and published.data["public_url"]
    assert published.data["assigned_to"] == checkers.jaipur.pk and published.data["sla"]["state"] == "none"

    # Published is final: no more changes; the answer goes down the cascade.
    assert client.patch(f"{API}/claims/{pk}/", {"rebuttal_hi": "x"}, format="json").status_code == 400
    answered = client.post(f"{API}/claims/{pk}/answer/", format="json")
    assert answered.status_code == 200, answered.data
    assert answered.data["message"] is not None and answered.data["claim"]["rebuttal_message"]
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Claim), object_pk=str(pk)
    ).count()
    assert entries >= 7  # opened, rebuttal, assigned, triage, verifying, verdict, published, answered


def test_refused_steps_answer_400_in_hindi_and_change_nothing(checkers, open_claim):
    claim = open_claim()
    before = claim_rows()
    client = api(checkers.jaipur, "hi")
    with translation.override("hi"):
        jump = client.post(f"{API}/claims/{claim.pk}/transition/", {"to": "published"}, format="json")
        publish = client.post(f"{API}/claims/{claim.pk}/publish/", format="json")
        answer = client.post(f"{API}/claims/{claim.pk}/answer/", format="json")
    assert jump.status_code == publish.status_code == answer.status_code == 400
    assert first_message(jump.data) == "दावा “नई” से “प्रकाशित” पर नहीं जा सकता।"
    assert first_message(answer.data) == "जवाब भेजने से पहले दावे को प्रकाशित करें।"
    for body in ({"to": "nowhere"}, {}, {"to": "verdict", "verdict": "maybe"}, {"to": ["triage"]}):
        assert client.post(f"{API}/claims/{claim.pk}/transition/", body, format="json").status_code == 400
    for body in ({"assignee": "x"}, {"assignee": 0}, {"assignee": 2**40}, {"assignee": checkers.ajmer.pk}):
        assert client.post(f"{API}/claims/{claim.pk}/assign/", body, format="json").status_code == 400
    long_x = client.patch(f"{API}/claims/{claim.pk}/", {"rebuttal_x": "x" * 281}, format="json")
    assert long_x.status_code == 400
    assert (
        client.patch(f"{API}/claims/{claim.pk}/", {"rebuttal_hi": "<script>x</script>"}, format="json").status_code
        == 400
    )
    assert claim_rows() == before


def test_bad_claim_creations(tree, checkers, cast, fresh_indexes):
    before = claim_rows()
    client = api(checkers.jaipur)
    for body in (
        {},
        {"unit": tree.jaipur.pk},
        {"unit": tree.jaipur.pk, "text_hi": "   "},
        {"unit": tree.ajmer.pk, "text_hi": NOTES_HI},  # the sibling district's desk
        {"unit": tree.booth1.pk, "text_hi": NOTES_HI},  # below the district desks
        {"unit": "x", "text_hi": NOTES_HI},
        {"unit": tree.jaipur.pk, "text_hi": "!!!"},  # no words to match
        {"unit": tree.jaipur.pk, "text_hi": "x" * 5001},
    ):
        assert client.post(f"{API}/claims/", body, format="json").status_code == 400, body
    body = {"unit": tree.jaipur.pk, "text_hi": NOTES_HI}
    assert api(cast.viewer).post(f"{API}/claims/", body, format="json").status_code == 403
    assert claim_rows() == before


def test_a_sibling_district_cannot_see_or_change_a_claim(checkers, cast, open_claim):
    claim = open_claim()
    before = claim_rows()
    ajmer = api(checkers.ajmer)
    assert ajmer.get(f"{API}/claims/{claim.pk}/").status_code == 404
    assert ajmer.get(f"{API}/claims/").data["results"] == []
    assert ajmer.patch(f"{API}/claims/{claim.pk}/", {"rebuttal_hi": "x"}, format="json").status_code == 404
    for step, body in (("transition", {"to": "triage"}), ("publish", {}), ("assign", {"assignee": None})):
        assert ajmer.post(f"{API}/claims/{claim.pk}/{step}/", body, format="json").status_code == 404
        assert api(cast.viewer).post(f"{API}/claims/{claim.pk}/{step}/", body, format="json").status_code == 403
    assert ajmer.post(f"{API}/claims/{claim.pk}/escalate/", format="json").status_code == 404
    assert ajmer.post(f"{API}/claims/{claim.pk}/answer/", format="json").status_code == 404
    assert api(cast.viewer).get(f"{API}/claims/{claim.pk}/").status_code == 200
    assert claim_rows() == before


def test_claim_list_filters_and_query_count(checkers, open_claim, published_claim, django_assert_num_queries):
    published_claim()
    for _number in range(4):
        open_claim()
    client = api(checkers.jaipur)
    assert len(client.get(f"{API}/claims/").data["results"]) == 5
    assert len(client.get(f"{API}/claims/", {"status": "published"}).data["results"]) == 1
    assert len(client.get(f"{API}/claims/", {"verdict": "false"}).data["results"]) == 1
    assert len(client.get(f"{API}/claims/", {"overdue": "true"}).data["results"]) == 0
    for bad in ({"status": "x"}, {"verdict": "x"}):
        assert client.get(f"{API}/claims/", bad).status_code == 400
    # count, the page (claims, unit, level, assignee, cluster), their texts, their links (roles cached)
    with django_assert_num_queries(4):
        response = client.get(f"{API}/claims/")
    assert len(response.data["results"]) == 5


def test_escalation_to_the_state_control_room_once(checkers, open_claim, tree):
    claim = open_claim()
    client = api(checkers.jaipur)
    response = client.post(f"{API}/claims/{claim.pk}/escalate/", format="json")
    assert response.status_code == 200, response.data
    assert response.data["escalated_to"] == tree.rajasthan.pk and response.data["escalated_at"]
    assert OutboxMessage.objects.filter(idempotency_key__startswith=f"factcheck-escalate:{claim.pk}").count() == 1
    assert client.post(f"{API}/claims/{claim.pk}/escalate/", format="json").status_code == 400
    state_claim = open_claim(unit=tree.rajasthan, by=checkers.control_room)
    refused = api(checkers.control_room).post(f"{API}/claims/{state_claim.pk}/escalate/", format="json")
    assert refused.status_code == 400


# ---------------------------------------------------------------- matching


def test_match_ranks_the_claims_a_text_repeats(checkers, claims):
    client = api(checkers.jaipur)
    response = client.post(f"{API}/match/", {"text": "Forwarded many times " + NOTES_HI}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["tier"] == Tier.AUTO
    best = response.data["candidates"][0]
    assert best["claim"]["external_id"] == "notes-2000" and best["tier"] == Tier.AUTO and best["score"] > 0.8
    assert best["text"] == NOTES_EN  # in the caller's language
    scores = [c["score"] for c in response.data["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert all(c["tier"] != Tier.AUTO for c in response.data["candidates"][1:])

    nothing = client.post(f"{API}/match/", {"text": "zzzz qqqq"}, format="json")
    assert nothing.status_code == 200 and nothing.data["tier"] == Tier.NONE
    assert all(c["tier"] == Tier.NONE for c in nothing.data["candidates"])
    for bad in ({}, {"text": ""}, {"text": "x" * 5001}, {"text": "x", "limit": 0}, {"text": "x", "limit": "a"}):
        assert client.post(f"{API}/match/", bad, format="json").status_code == 400, bad


def test_match_shows_only_claims_in_scope(checkers, open_claim, tree, cast):
    open_claim(unit=tree.ajmer, by=checkers.ajmer)
    response = api(checkers.jaipur).post(f"{API}/match/", {"text": NOTES_HI}, format="json")
    assert response.status_code == 200 and response.data["candidates"] == []
    assert api(cast.outsider).post(f"{API}/match/", {"text": NOTES_HI}, format="json").status_code == 404


def test_garbage_never_answers_a_server_error(tips, checkers, open_claim):
    claim = open_claim()
    client = api(checkers.jaipur)
    paths = [
        f"{API}/tips/",
        f"{API}/tips/{tips['jaipur'].pk}/link/",
        f"{API}/claims/",
        f"{API}/claims/{claim.pk}/transition/",
        f"{API}/claims/{claim.pk}/assign/",
        f"{API}/match/",
    ]
    for path in paths:
        for body in ([1, 2], "text", {"text": None, "unit": [], "claim": {}, "to": 1}, {"text": "\x00"}):
            assert client.post(path, body, format="json").status_code == 400, (path, body)
