"""Tips on arrival: matched (auto links, suggest only names), clustered with earlier tips with counters
kept by the writer, replayed provider messages stored once, the tipster answered at once when the claim
is published, and tips scoped by unit (a tip of no place seen by the state and national desks)."""

import pytest
from django.db import transaction

from sangathan.access.models import Role, RoleAssignment
from sangathan.audit.models import AuditEntry
from sangathan.factcheck.models import Claim, Language, Tier, Tip, TipChannel, TipCluster, Verdict
from sangathan.factcheck.normalise import normalise
from sangathan.factcheck.services import _cluster_for, claim_publish, tip_receive
from sangathan.factcheck.tests.samples import EVM_HI, NOTES_EN, NOTES_HI
from sangathan.factcheck.tips import language_of
from sangathan.notifications.models import OutboxMessage
from sangathan.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(fresh_indexes):
    return fresh_indexes


def test_a_repeat_of_a_claim_is_linked_and_counted_in_one_cluster(claims, tree):
    first, new = tip_receive(channel=TipChannel.WEB, text="*Forwarded many times* " + NOTES_HI, unit=tree.booth1)
    second, _ = tip_receive(channel=TipChannel.WEB, text=NOTES_EN + " 😱", unit=tree.ajmer_booth)
    third, _ = tip_receive(channel=TipChannel.WEB, text=NOTES_HI, unit=tree.booth2)
    assert new and first.tier == Tier.AUTO and first.claim.external_id == "notes-2000"
    assert first.reference.startswith("T-") and len({first.reference, second.reference, third.reference}) == 3
    assert first.cluster_id == second.cluster_id == third.cluster_id
    cluster = TipCluster.objects.get(pk=first.cluster_id)
    assert cluster.claim_id == claims["notes"].pk
    assert (cluster.tip_count, cluster.district_count) == (3, 2)  # Jaipur twice, Ajmer once
    assert cluster.tip_count == cluster.tips.count()


def test_tips_that_match_no_claim_cluster_with_each_other(claims, tree):
    rumour = "सरकारी स्कूलों में गर्मी की छुट्टियां इस साल 15 जुलाई तक बढ़ा दी गई हैं"
    first, _ = tip_receive(channel=TipChannel.WEB, text=rumour, unit=tree.booth1)
    again, _ = tip_receive(channel=TipChannel.WEB, text="Forwarded: " + rumour + "!!", unit=tree.ajmer_booth)
    other, _ = tip_receive(channel=TipChannel.WEB, text="EVM को ब्लूटूथ से हैक कर सकते हैं", unit=tree.booth1)
    assert first.tier != Tier.AUTO and first.cluster_id == again.cluster_id
    assert other.cluster_id != first.cluster_id
    assert TipCluster.objects.get(pk=first.cluster_id).tip_count == 2


def test_a_suggestion_names_the_claim_but_does_not_link_it(claims):
    tip, _ = tip_receive(channel=TipChannel.WEB, text="2000 ke note band?")
    assert tip.tier in (Tier.SUGGEST, Tier.NONE) and tip.tier != Tier.AUTO
    assert TipCluster.objects.get(pk=tip.cluster_id).claim_id is None


def test_the_first_linked_tip_gives_its_claim_to_the_cluster_of_earlier_tips(claims):
    earlier = TipCluster.objects.create(key="not band kal se")
    other = TipCluster.objects.create(key="not band parso se")
    with transaction.atomic():
        assert _cluster_for(key="k", claim=claims["notes"], joins=earlier.pk) == earlier
        # The claim has its cluster now: a later linked tip joins it, whatever earlier tips it resembles.
        assert _cluster_for(key="k", claim=claims["notes"], joins=other.pk) == earlier
    earlier.refresh_from_db()
    other.refresh_from_db()
    assert earlier.claim_id == claims["notes"].pk and other.claim_id is None


def test_a_replayed_provider_message_is_stored_once(claims):
    first, new = tip_receive(channel=TipChannel.WHATSAPP, text=NOTES_HI, provider_message_id="wamid.ABC")
    again, new_again = tip_receive(channel=TipChannel.WHATSAPP, text=NOTES_HI, provider_message_id="wamid.ABC")
    assert new and not new_again and again.pk == first.pk
    assert Tip.objects.count() == 1 and TipCluster.objects.get().tip_count == 1


def test_a_tip_repeating_a_published_claim_is_answered_once_in_its_language(claims):
    claim_publish(claim=claims["notes"], verdict=Verdict.FALSE)
    hindi, _ = tip_receive(channel=TipChannel.WHATSAPP, text=NOTES_HI, reply_mobile="+919829012345")
    english, _ = tip_receive(channel=TipChannel.TELEGRAM, text=NOTES_EN, reply_chat="5551234")
    unpublished, _ = tip_receive(channel=TipChannel.WEB, text=EVM_HI, reply_mobile="+919829012346")
    messages = {message.recipient: message for message in OutboxMessage.objects.all()}
    assert set(messages) == {"+919829012345", "5551234"}
    assert messages["+919829012345"].channel == "whatsapp" and messages["+919829012345"].language == "hi"
    assert "झूठ" in messages["+919829012345"].body and hindi.reference in messages["+919829012345"].body
    assert messages["5551234"].channel == "telegram" and "False" in messages["5551234"].body
    assert NOTES_EN in messages["5551234"].body
    hindi.refresh_from_db()
    unpublished.refresh_from_db()
    assert hindi.answered_at is not None and unpublished.answered_at is None


def test_a_published_claim_is_answered_only_when_auto_linked(claims):
    claim_publish(claim=claims["notes"], verdict=Verdict.FALSE)
    tip, _ = tip_receive(channel=TipChannel.WEB, text="note band?", reply_mobile="+919829012345")
    assert tip.tier != Tier.AUTO and not OutboxMessage.objects.exists()


def test_publishing_is_audited_and_sets_the_time(claims):
    claim = claim_publish(claim=claims["evm"], verdict=Verdict.MISLEADING)
    assert claim.is_published and claim.published_at is not None and claim.verdict == Verdict.MISLEADING
    assert AuditEntry.objects.get_for_object(Claim.objects.get(pk=claim.pk)).count() >= 2


def test_the_tip_is_audited_with_the_mobile_masked(claims):
    tip, _ = tip_receive(channel=TipChannel.WEB, text=EVM_HI, reply_mobile="+919829012345")
    entry = AuditEntry.objects.get_for_object(tip).get()
    assert "9829012345" not in str(entry.changes) and "•" in str(entry.changes)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (NOTES_HI, Language.HINDI),
        ("Kal se 2000 ke note band ho jayenge, sab log bank jao", Language.HINGLISH),
        (NOTES_EN, Language.ENGLISH),
    ],
)
def test_the_language_of_a_tip(text, language):
    assert language_of(text, normalise(text)) == language


def test_a_district_sees_its_tips_and_the_state_those_of_no_place(claims, tree, cast):
    jaipur, _ = tip_receive(channel=TipChannel.CASCADE, text=EVM_HI, unit=tree.booth1)
    ajmer, _ = tip_receive(channel=TipChannel.CASCADE, text=EVM_HI, unit=tree.ajmer_booth)
    nowhere, _ = tip_receive(channel=TipChannel.WEB, text=EVM_HI)
    national = UserFactory(username="national_admin")
    RoleAssignment.objects.create(user=national, unit=tree.india, role=Role.NATIONAL_ADMIN)

    def seen(user):
        return set(Tip.objects.restrict(user, "view").values_list("reference", flat=True))

    assert seen(cast.district_admin) == {jaipur.reference}
    assert seen(cast.sibling_admin) == {ajmer.reference}
    assert seen(cast.state_admin) == {jaipur.reference, ajmer.reference, nowhere.reference}
    assert seen(national) == {jaipur.reference, ajmer.reference, nowhere.reference}
    assert seen(cast.outsider) == set()
