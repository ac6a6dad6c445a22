"""Answering a rumour: the rebuttal goes down the cascade of the desk's area only (four eyes where the unit
asks for them), and every tipster of the linked tips gets one answer in their language, however often
the action is repeated."""

import pytest
from django.urls import reverse
from django.utils import translation

from sangathan.factcheck import answering, desk
from sangathan.factcheck.models import Claim, Tier, Tip, TipChannel
from sangathan.factcheck.services import FactCheckError, tip_receive
from sangathan.factcheck.tests.samples import NOTES_EN, NOTES_HI
from sangathan.notifications.models import OutboxMessage
from sangathan.outreach import services as outreach
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import ApprovalRule, Delivery, Message
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

MOBILE = "+919812345670"
OTHER_MOBILE = "+919812345671"


@pytest.fixture
def rumour(open_claim, tree):
    """A Jaipur claim (not yet published) and the tips that repeat it: one person twice, a WhatsApp user in
    English, a Telegram chat, a tip without an address, and a tip from the sibling district."""
    claim = open_claim()
    tips = [
        tip_receive(channel=TipChannel.WEB, text=NOTES_HI, reply_mobile=MOBILE, unit=tree.booth1)[0],
        tip_receive(channel=TipChannel.WEB, text="Forwarded many times " + NOTES_HI, reply_mobile=MOBILE)[0],
        tip_receive(
            channel=TipChannel.WHATSAPP, text=NOTES_EN, reply_mobile=OTHER_MOBILE, provider_message_id="wamid.1"
        )[0],
        tip_receive(channel=TipChannel.TELEGRAM, text=NOTES_HI + "!!", reply_chat="5551234", provider_message_id="9")[
            0
        ],
        tip_receive(channel=TipChannel.WEB, text=NOTES_HI, unit=tree.booth2)[0],
        tip_receive(channel=TipChannel.WEB, text=NOTES_EN, reply_mobile="+919812345672", unit=tree.ajmer_booth)[0],
    ]
    assert all(tip.tier == Tier.AUTO and tip.claim_id == claim.pk for tip in tips)
    assert not any(tip.answered_at for tip in tips)
    return claim, tips


def _publish(claim, by):
    desk.claim_edit(
        claim=claim,
        by=by,
        rebuttal={"rebuttal_hi": "नोट बंद नहीं हुए।", "rebuttal_en": "Notes are not banned.", "rebuttal_x": "FALSE"},
    )
    for step in ("triage", "verifying"):
        desk.claim_transition(claim=claim, to=step, by=by)
    desk.claim_transition(claim=claim, to="verdict", verdict="false", by=by)
    return desk.claim_transition(claim=claim, to="published", by=by)


def _answer(claim, by, capture):
    with capture(execute=True):
        return answering.claim_answer(claim=claim, by=by)


def test_the_rebuttal_goes_down_the_desks_subtree_only(rumour, checkers, tree, django_capture_on_commit_callbacks):
    claim, _tips = rumour
    _publish(claim, checkers.jaipur)
    result = _answer(claim, checkers.jaipur, django_capture_on_commit_callbacks)
    message = Message.objects.get()
    assert result.message == message and message.unit == tree.jaipur and message.target_level.code == "booth"
    assert message.status in (Message.Status.SENDING, Message.Status.SENT)
    assert "नोट बंद नहीं हुए।" in message.body_hi and "Notes are not banned." in message.body_en
    assert message.text_x == "FALSE" and message.priority == Message.Priority.URGENT
    assert reverse("factcheck_public:claim", args=[claim.pk, "hi"]) in message.body_hi
    units = set(Delivery.objects.filter(message=message).values_list("unit_id", flat=True))
    assert {tree.booth1.pk, tree.booth2.pk} <= units
    assert tree.ajmer_booth.pk not in units and tree.ajmer.pk not in units and tree.kishangarh.pk not in units
    assert all(path.startswith(tree.jaipur.path) for path in Delivery.objects.values_list("path", flat=True))
    claim.refresh_from_db()
    assert claim.rebuttal_message == message and claim.answered_at is not None


def test_every_tipster_is_answered_once_in_their_language(rumour, checkers, django_capture_on_commit_callbacks):
    claim, tips = rumour
    _publish(claim, checkers.jaipur)
    result = _answer(claim, checkers.jaipur, django_capture_on_commit_callbacks)
    answers = OutboxMessage.objects.filter(template="factcheck_rebuttal")
    # One person with two tips, WhatsApp, Telegram, the sibling district's tipster; the tip without an address: none.
    assert result.tipsters == 4 and answers.count() == 4
    by_recipient = {(m.channel, m.recipient): m for m in answers}
    assert set(by_recipient) == {
        ("sms", MOBILE),
        ("whatsapp", OTHER_MOBILE),
        ("telegram", "5551234"),
        ("sms", "+919812345672"),
    }
    assert by_recipient[("whatsapp", OTHER_MOBILE)].language == "en"
    assert "Notes are not banned." in by_recipient[("whatsapp", OTHER_MOBILE)].body
    assert by_recipient[("sms", MOBILE)].language == "hi" and "नोट बंद नहीं हुए।" in by_recipient[("sms", MOBILE)].body
    with_address = [tip.pk for tip in tips if tip.reply_mobile or tip.reply_chat]
    assert set(Tip.objects.filter(answered_at__isnull=False).values_list("pk", flat=True)) == set(with_address)

    again = _answer(claim, checkers.jaipur, django_capture_on_commit_callbacks)
    assert again.tipsters == 0 and answers.count() == 4
    assert Message.objects.count() == 1  # no second cascade message either


def test_a_tip_arriving_after_publishing_is_answered_at_once_and_not_again(
    rumour, checkers, django_capture_on_commit_callbacks
):
    claim, _tips = rumour
    _publish(claim, checkers.jaipur)
    late, _new = tip_receive(channel=TipChannel.WEB, text=NOTES_HI, reply_mobile="+919812345679")
    late.refresh_from_db()
    assert late.answered_at is not None
    result = _answer(claim, checkers.jaipur, django_capture_on_commit_callbacks)
    assert result.tipsters == 4
    assert OutboxMessage.objects.filter(recipient="+919812345679").count() == 1


def test_four_eyes_hold_the_rebuttal_until_someone_else_approves(
    rumour, checkers, cast, tree, django_capture_on_commit_callbacks
):
    claim, _tips = rumour
    ApprovalRule.objects.create(unit=tree.rajasthan, four_eyes=True, updated_by=cast.state_admin)
    _publish(claim, checkers.jaipur)
    result = _answer(claim, checkers.jaipur, django_capture_on_commit_callbacks)
    message = Message.objects.get()
    assert result.message_status == Message.Status.AWAITING_APPROVAL and not Delivery.objects.exists()
    assert result.tipsters == 4  # the tipsters need no approval: the verdict is public
    with pytest.raises(OutreachError) as refused:
        outreach.message_approve(message=message, by=checkers.jaipur)
    assert refused.value.code == "own_message"
    outreach.message_approve(message=message, by=cast.district_admin)
    again = _answer(claim, checkers.jaipur, django_capture_on_commit_callbacks)
    assert again.message_status in (Message.Status.SENDING, Message.Status.SENT)
    assert Message.objects.count() == 1 and Delivery.objects.filter(message=message).exists()


def test_an_unpublished_claim_or_another_district_cannot_answer(
    rumour, checkers, cast, django_capture_on_commit_callbacks
):
    claim, _tips = rumour
    with translation.override("en"), pytest.raises(FactCheckError, match="Publish the claim"):
        _answer(claim, checkers.jaipur, django_capture_on_commit_callbacks)
    _publish(claim, checkers.jaipur)
    for user in (checkers.ajmer, cast.sibling_admin, cast.viewer):
        with pytest.raises(FactCheckError):
            _answer(claim, user, django_capture_on_commit_callbacks)
    assert not Message.objects.exists() and not OutboxMessage.objects.filter(template="factcheck_rebuttal").exists()
    assert Claim.objects.get(pk=claim.pk).answered_at is None


def test_the_answer_button(client, rumour, checkers, django_capture_on_commit_callbacks):
    claim, _tips = rumour
    _publish(claim, checkers.jaipur)
    log_in(client, checkers.ajmer)
    assert client.post(reverse("factcheck:claim_answer", args=[claim.pk])).status_code == 404
    assert not Message.objects.exists()
    log_in(client, checkers.jaipur, "hi")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("factcheck:claim_answer", args=[claim.pk]), follow=True)
    assert page.status_code == 200 and "खंडन कैस्केड से नीचे जा रहा है" in page.content.decode()
    assert Message.objects.count() == 1
