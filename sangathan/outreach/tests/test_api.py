"""The message cascade's API under /api/v1/outreach/: drafts with variants, four eyes (the author cannot
approve), sending, tracking with the tracking page's numbers; scope (404 outside, 403 inside but not
allowed, nothing changed); bad input (400 with a translated message, nothing changed); query counts."""

import pytest
from django.utils import translation

from sangathan.audit.models import AuditEntry
from sangathan.outreach import selectors, services
from sangathan.outreach.models import ApprovalRule, Delivery, Message
from sangathan.testing import api_client as api
from sangathan.testing import first_message

pytestmark = pytest.mark.django_db

API = "/api/v1/outreach"


def message_rows() -> list[tuple]:
    return list(
        Message.objects.order_by("pk").values_list("pk", "status", "title", "body_hi", "text_x", "approved_by", "unit")
    )


def draft_body(tree, **more) -> dict:
    return {
        "unit": tree.jaipur.pk,
        "target_level": "booth",
        "title": "Booth meeting",
        "body_hi": "रविवार को बूथ बैठक है।",
        "text_whatsapp": "रविवार बैठक!",
        "text_x": "रविवार को बैठक #बूथ",
        "hashtags": "बूथ_मजबूत",
        **more,
    }


@pytest.fixture
def sent(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    send(message, cast.district_admin)
    return Message.objects.get(pk=message.pk)


# ---------------------------------------------------------------- drafts


def test_district_admin_drafts_a_message_with_variants(tree, cast):
    response = api(cast.district_admin).post(f"{API}/messages/", draft_body(tree), format="json")
    assert response.status_code == 201, response.data
    message = Message.objects.get()
    assert response.data["id"] == message.pk and response.data["status"] == "draft"
    assert response.data["unit"]["id"] == tree.jaipur.pk and response.data["target_level"] == "booth"
    assert {v["platform"] for v in response.data["variants"]} == {"whatsapp", "x"}
    assert message.hashtags == "#बूथ_मजबूत" and message.created_by == cast.district_admin
    assert AuditEntry.objects.get_for_object(message).get().actor == cast.district_admin


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"text_x": "x" * 281}, "280"),
        ({"body_hi": "", "body_en": ""}, "हिंदी"),
        ({"title": ""}, ""),
        ({"target_level": "district"}, "नीचे"),
        ({"target_level": "nope"}, ""),
        ({"unit": 10**30}, ""),
        ({"priority": "loud"}, ""),
        ({"ack_within_hours": 0}, ""),
        ({"media_url": "javascript:alert(1)"}, ""),
        ({"expires_at": "2001-01-01T00:00:00Z"}, ""),
    ],
)
def test_bad_drafts_are_refused_in_hindi_and_nothing_is_written(tree, cast, change, words):
    with translation.override("hi"):
        response = api(cast.district_admin, "hi").post(f"{API}/messages/", draft_body(tree, **change), format="json")
    assert response.status_code == 400, response.data
    assert words in first_message(response.data)
    assert not Message.objects.exists()


def test_a_booth_unit_or_a_sibling_district_is_unknown_to_the_author(tree, cast):
    for unit in (tree.ajmer, tree.booth1):
        response = api(cast.district_admin).post(f"{API}/messages/", draft_body(tree, unit=unit.pk), format="json")
        assert response.status_code == 400
    assert api(cast.viewer).post(f"{API}/messages/", draft_body(tree), format="json").status_code == 403
    assert not Message.objects.exists()


def test_editing_a_draft_changes_only_what_is_sent(tree, cast, make_draft):
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    response = api(cast.district_admin).patch(
        f"{API}/messages/{message.pk}/", {"text_telegram": "टेलीग्राम"}, format="json"
    )
    assert response.status_code == 200, response.data
    message.refresh_from_db()
    assert message.text_telegram == "टेलीग्राम" and message.title == "Booth meeting on Sunday"
    assert "telegram" in {v["platform"] for v in response.data["variants"]}


def test_a_sent_message_cannot_be_edited(tree, cast, sent):
    before = message_rows()
    response = api(cast.district_admin).patch(f"{API}/messages/{sent.pk}/", {"title": "changed"}, format="json")
    assert response.status_code == 400 and first_message(response.data)
    assert message_rows() == before


# ---------------------------------------------------------------- four eyes and sending


def test_four_eyes_the_author_cannot_approve_then_another_admin_does_and_it_goes_out(
    tree, cast, in_charges, make_draft, django_capture_on_commit_callbacks
):
    services.approval_rule_set(unit=tree.rajasthan, four_eyes=True, by=cast.state_admin)
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    author = api(cast.district_admin, "hi")
    with translation.override("hi"):
        refused = author.post(f"{API}/messages/{message.pk}/send/")
    assert refused.status_code == 400 and "दूसरे व्यक्ति की स्वीकृति" in first_message(refused.data)
    assert Message.objects.get(pk=message.pk).status == "draft"
    assert author.post(f"{API}/messages/{message.pk}/submit/").data["status"] == "awaiting"
    with translation.override("hi"):
        own = author.post(f"{API}/messages/{message.pk}/approve/")
    assert own.status_code == 400 and "लिखने वाले के अलावा" in first_message(own.data)
    assert Message.objects.get(pk=message.pk).approved_by is None
    approved = api(cast.state_admin).post(f"{API}/messages/{message.pk}/approve/")
    assert approved.status_code == 200 and approved.data["status"] == "approved"
    assert approved.data["approved_by"] == cast.state_admin.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = author.post(f"{API}/messages/{message.pk}/send/")
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == "sent"
    assert Delivery.objects.filter(message=message).count() == 4  # Jaipur North, Amer and its two booths


def test_return_sends_an_awaiting_message_back_to_draft(tree, cast, make_draft):
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    services.message_submit(message=message, by=cast.district_admin)
    assert api(cast.viewer).post(f"{API}/messages/{message.pk}/return/").status_code == 403
    response = api(cast.state_admin).post(f"{API}/messages/{message.pk}/return/")
    assert response.status_code == 200 and response.data["status"] == "draft"


def test_the_sibling_district_sees_nothing_and_changes_nothing(tree, cast, sent, make_draft):
    draft = make_draft(unit=tree.jaipur, by=cast.district_admin)
    client = api(cast.sibling_admin)
    before = message_rows()
    for url in (f"/messages/{draft.pk}/", f"/messages/{sent.pk}/", f"/messages/{sent.pk}/tracking/"):
        assert client.get(API + url).status_code == 404, url
    for step in ("submit", "approve", "return", "send", "resume"):
        assert client.post(f"{API}/messages/{draft.pk}/{step}/").status_code == 404
    assert client.patch(f"{API}/messages/{draft.pk}/", {"title": "x"}, format="json").status_code == 404
    assert (
        client.put(f"{API}/units/{tree.jaipur.pk}/approval-rule/", {"four_eyes": True}, format="json").status_code
        == 404
    )
    assert message_rows() == before
    assert not Delivery.objects.filter(message=draft).exists()
    assert not ApprovalRule.objects.exists()
    assert draft.pk not in {row["id"] for row in client.get(f"{API}/messages/").data["results"]}


def test_a_viewer_may_read_but_not_send(tree, cast, make_draft):
    draft = make_draft(unit=tree.jaipur, by=cast.district_admin)
    client = api(cast.viewer)
    assert client.get(f"{API}/messages/{draft.pk}/").status_code == 200
    assert client.post(f"{API}/messages/{draft.pk}/send/").status_code == 403
    assert Message.objects.get(pk=draft.pk).status == "draft"


def test_approval_rule_is_read_and_set_by_an_approver(tree, cast):
    assert api(cast.viewer).get(f"{API}/units/{tree.jaipur.pk}/approval-rule/").data["four_eyes"] is False
    assert (
        api(cast.viewer)
        .put(f"{API}/units/{tree.jaipur.pk}/approval-rule/", {"four_eyes": True}, format="json")
        .status_code
        == 403
    )
    response = api(cast.state_admin).put(
        f"{API}/units/{tree.rajasthan.pk}/approval-rule/", {"four_eyes": True}, format="json"
    )
    assert response.status_code == 200 and response.data["four_eyes"] is True
    assert api(cast.district_admin).get(f"{API}/units/{tree.jaipur.pk}/approval-rule/").data["four_eyes"] is True
    assert (
        api(cast.state_admin)
        .put(f"{API}/units/{tree.rajasthan.pk}/approval-rule/", {"four_eyes": "maybe"}, format="json")
        .status_code
        == 400
    )


# ---------------------------------------------------------------- tracking


def test_tracking_has_the_tracking_pages_numbers(tree, cast, sent):
    booth1 = Delivery.objects.get(message=sent, unit=tree.booth1)
    services.delivery_respond(delivery_id=booth1.pk, action="shared", note="shared in the group")
    services.delivery_respond(delivery_id=Delivery.objects.get(message=sent, unit=tree.amer).pk, action="received")
    response = api(cast.district_admin).get(f"{API}/messages/{sent.pk}/tracking/")
    assert response.status_code == 200, response.data
    numbers = {row["level"]["code"]: row["counts"] for row in response.data["levels"]}
    expected = {level.code: counts for level, counts in selectors.level_counts(sent, tree.jaipur)}
    assert set(numbers) == set(expected) == {"assembly", "block", "booth"}
    for code, counts in expected.items():
        assert (numbers[code]["total"], numbers[code]["acknowledged"], numbers[code]["shared"]) == (
            counts.total,
            counts.acknowledged,
            counts.shared,
        )
    assert numbers["booth"]["total"] == 2 and numbers["booth"]["shared"] == 1 and numbers["booth"]["silent"] == 1
    assert numbers["block"]["acknowledged"] == 1
    amer = api(cast.district_admin).get(f"{API}/messages/{sent.pk}/tracking/", {"unit": tree.amer.pk})
    children = {row["unit"]["id"]: row["status"] for row in amer.data["children"]}
    assert children == {tree.booth1.pk: "shared", tree.booth2.pk: "silent"}


def test_a_district_tracks_a_state_message_only_in_its_own_area(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.rajasthan, by=cast.state_admin, title="State-wide")
    send(message, cast.state_admin)
    client = api(cast.sibling_admin)
    response = client.get(f"{API}/messages/{message.pk}/tracking/")
    assert response.status_code == 200 and response.data["unit"]["id"] == tree.ajmer.pk
    assert {row["level"]["code"]: row["counts"]["total"] for row in response.data["levels"]}["booth"] == 1
    for unit in (tree.jaipur.pk, tree.amer.pk, "abc", "9" * 40):
        assert client.get(f"{API}/messages/{message.pk}/tracking/", {"unit": unit}).status_code == 404


def test_a_draft_has_no_tracking(tree, cast, make_draft):
    draft = make_draft(unit=tree.jaipur, by=cast.district_admin)
    assert api(cast.district_admin).get(f"{API}/messages/{draft.pk}/tracking/").status_code == 404


def test_message_list_counts_and_query_count_is_pinned(
    tree, cast, in_charges, make_draft, send, django_assert_num_queries
):
    for n in range(4):
        message = make_draft(unit=tree.jaipur, by=cast.district_admin, title=f"m{n}")
        send(message, cast.district_admin)
    make_draft(unit=tree.jaipur, by=cast.district_admin, title="draft")
    client = api(cast.district_admin)
    client.get(f"{API}/messages/")
    # count, page of messages; the totals: pending answers folded (a savepoint, one DELETE … RETURNING and its
    # release), chunk roots, roll-ups. The same with 50 messages.
    with django_assert_num_queries(7):
        response = client.get(f"{API}/messages/")
    rows = response.data["results"]
    assert len(rows) == 5
    assert [row["counts"]["total"] for row in rows if row["status"] == "sent"] == [4, 4, 4, 4]
    assert [row["counts"] for row in rows if row["status"] == "draft"] == [None]
    only_drafts = client.get(f"{API}/messages/", {"status": "draft"})
    assert [row["title"] for row in only_drafts.data["results"]] == ["draft"]
