from datetime import timedelta

import pytest
from django.utils import timezone

from sangathan.notifications.models import OutboxMessage
from sangathan.outreach import services
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import ApprovalRule, Delivery, Message, Rollup, SendChunk

pytestmark = pytest.mark.django_db


def _units(message):
    return set(Delivery.objects.filter(message=message).values_list("unit__name_en", flat=True))


def test_send_to_a_subtree_down_to_a_level(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.jaipur, by=cast.district_admin, level="block")
    send(message, cast.district_admin)
    message.refresh_from_db()
    assert message.status == "sent" and message.deliveries_total == 2
    assert _units(message) == {"Jaipur North", "Amer"}  # the assembly and the block, not the booths
    # One notification per recipient, to the key office-bearers of those units.
    sent_to = set(OutboxMessage.objects.filter(template="outreach_message").values_list("person_id", flat=True))
    assert sent_to == {in_charges.jaipur_ac.pk, in_charges.amer.pk}


def test_state_message_to_every_booth(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.rajasthan, by=cast.state_admin)
    send(message, cast.state_admin)
    message.refresh_from_db()
    assert message.status == "sent" and message.chunks_total == 2
    assert Delivery.objects.filter(message=message).count() == 9  # 2 districts, 2 ACs, 2 blocks, 3 booths
    booth_level = tree.booth1.level
    rollup = {(r.path, r.level_id): r.total for r in Rollup.objects.filter(message=message)}
    assert rollup[(tree.jaipur.path, booth_level.pk)] == 2
    assert rollup[(tree.amer.path, booth_level.pk)] == 2
    assert rollup[(tree.ajmer.path, booth_level.pk)] == 1
    assert rollup[(tree.jaipur.path, tree.jaipur.level_id)] == 1  # the district itself
    body = OutboxMessage.objects.get(person=in_charges.booth1).body
    assert "Booth meeting on Sunday" in body and "/m/" in body


def test_resending_and_rerunning_chunks_writes_nothing_twice(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.rajasthan, by=cast.state_admin)
    services.message_send(message=message, by=cast.state_admin, queue=False)
    chunk = message.chunks.first()
    assert services.chunk_process(chunk_id=chunk.pk) > 0
    assert services.chunk_process(chunk_id=chunk.pk) == 0
    # A worker died after writing the deliveries but before the notifications: the chunk is "written".
    other = message.chunks.exclude(pk=chunk.pk).get()
    services.chunk_write(chunk_id=other.pk)
    send(message, cast.state_admin)  # resume: only what is not done
    message.refresh_from_db()
    assert message.status == "sent"
    assert Delivery.objects.filter(message=message).count() == 9
    keys = list(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 9
    assert (
        sum(r.total for r in Rollup.objects.filter(message=message, path__in=[tree.jaipur.path, tree.ajmer.path])) == 9
    )
    with pytest.raises(OutreachError):
        send(message, cast.state_admin)


def test_the_district_cannot_send_to_its_sibling(tree, cast, make_draft, send):
    with pytest.raises(OutreachError):
        make_draft(unit=tree.ajmer, by=cast.district_admin)
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    with pytest.raises(OutreachError):
        send(message, cast.sibling_admin)
    assert not Delivery.objects.exists()


def test_four_eyes(tree, cast, in_charges, make_draft, send):
    services.approval_rule_set(unit=tree.rajasthan, four_eyes=True, by=cast.state_admin)
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    with pytest.raises(OutreachError) as refused:
        send(message, cast.district_admin)
    assert refused.value.code == "approval"
    services.message_submit(message=message, by=cast.district_admin)
    with pytest.raises(OutreachError):
        services.message_approve(message=message, by=cast.district_admin)  # not the author
    with pytest.raises(OutreachError):
        services.message_approve(message=message, by=cast.sibling_admin)  # not in scope
    with pytest.raises(OutreachError):
        send(message, cast.district_admin)
    services.message_approve(message=message, by=cast.state_admin)
    send(message, cast.district_admin)
    message.refresh_from_db()
    assert (message.status, message.approved_by) == ("sent", cast.state_admin)
    # A nearer rule turns it off for Ajmer only.
    services.approval_rule_set(unit=tree.ajmer, four_eyes=False, by=cast.state_admin)
    assert not services.four_eyes_required(tree.ajmer_ac) and services.four_eyes_required(tree.jaipur_ac)
    with pytest.raises(OutreachError):
        services.approval_rule_set(unit=tree.jaipur, four_eyes=False, by=cast.sibling_admin)
    assert ApprovalRule.objects.count() == 2


def test_editing_an_approved_message_needs_approval_again(tree, cast, make_draft):
    services.approval_rule_set(unit=tree.rajasthan, four_eyes=True, by=cast.state_admin)
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    services.message_submit(message=message, by=cast.district_admin)
    services.message_approve(message=message, by=cast.state_admin)
    message = services.message_update(message=message, by=cast.district_admin, title="Changed")
    assert (message.status, message.approved_by) == ("draft", None)


def test_x_variant_over_the_limit_is_rejected(tree, cast, make_draft):
    with pytest.raises(OutreachError, match="280"):  # the number shows in either language
        make_draft(unit=tree.jaipur, by=cast.district_admin, text_x="बूथ " * 71)  # 284
    ok = make_draft(unit=tree.jaipur, by=cast.district_admin, text_x="बूथ " * 62 + "https://example.org/" + "x" * 300)
    assert ok.pk  # a link counts as 23
    with pytest.raises(OutreachError):
        make_draft(unit=tree.jaipur, by=cast.district_admin, text_x="😀" * 141)  # emoji count 2
    assert Message.objects.count() == 1


def test_bad_input_is_refused(tree, cast, make_draft):
    for fields in (
        {"title": ""},
        {"body_hi": "", "body_en": ""},
        {"hashtags": "#a#b"},
        {"media_url": "javascript:alert(1)"},
        {"expires_at": timezone.now() - timedelta(hours=1)},
        {"ack_within_hours": 0},
    ):
        with pytest.raises(OutreachError):
            make_draft(unit=tree.jaipur, by=cast.district_admin, **fields)
    with pytest.raises(OutreachError):
        make_draft(unit=tree.booth1, by=cast.district_admin)  # nothing below a booth
    assert not Message.objects.exists()
    message = make_draft(unit=tree.jaipur, by=cast.district_admin, hashtags="booth #संगठन, #booth")
    assert message.hashtags == "#booth #संगठन"


def _respond(message, unit, action, **kwargs):
    delivery = Delivery.objects.get(message=message, unit=unit)
    return services.delivery_respond(delivery_id=delivery.pk, action=action, **kwargs)


def test_acknowledgements_are_idempotent_and_counted_once(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.rajasthan, by=cast.state_admin)
    send(message, cast.state_admin)
    for _ in range(3):
        _respond(message, tree.booth1, "open")
        _respond(message, tree.booth1, "received")
    _respond(message, tree.booth1, "shared", share_url="https://x.com/a/status/1")
    _respond(message, tree.booth1, "shared", note="booth group")
    _respond(message, tree.booth2, "cannot", reason="No internet")
    _respond(message, tree.booth2, "shared", note="shared later")  # changes its mind
    with pytest.raises(OutreachError):
        _respond(message, tree.booth1, "cannot", reason="x")
    with pytest.raises(OutreachError):
        _respond(message, tree.ajmer_booth, "shared")  # no proof
    with pytest.raises(OutreachError):
        _respond(message, tree.ajmer_booth, "shared", share_url="ftp://x")
    with pytest.raises(OutreachError):
        _respond(message, tree.ajmer_booth, "cannot")
    booth = tree.booth1.level_id
    jaipur = Rollup.objects.get(message=message, path=tree.jaipur.path, level_id=booth)
    assert (jaipur.total, jaipur.opened, jaipur.acknowledged, jaipur.shared, jaipur.cannot) == (2, 2, 2, 2, 0)
    ajmer = Rollup.objects.get(message=message, path=tree.ajmer.path, level_id=booth)
    assert (ajmer.opened, ajmer.acknowledged, ajmer.shared) == (0, 0, 0)
    d = Delivery.objects.get(message=message, unit=tree.booth1)
    assert d.share_note == "booth group" and d.ack_seconds is not None


def test_tokens(tree, cast, in_charges, make_draft, send, settings):
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    send(message, cast.district_admin)
    delivery = Delivery.objects.filter(message=message).first()
    token = services.delivery_token(delivery.pk)
    assert services.delivery_from_token(token) == (delivery.pk, "")
    assert services.delivery_from_token(token[:-2] + "xx") == (None, "bad")
    assert services.delivery_from_token(token.replace(token.split(":")[0], "MTI", 1)) == (None, "bad")
    assert services.delivery_from_token("") == (None, "bad")
    settings.OUTREACH_LINK_MAX_AGE_DAYS = 0
    assert services.delivery_from_token(token)[1] in ("expired", "")  # same second may still pass


def test_reminders_and_escalation_timing(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.jaipur, by=cast.district_admin, priority="urgent")
    send(message, cast.district_admin)
    _respond(message, tree.booth1, "received")
    sent = Message.objects.get(pk=message.pk).sent_at

    def remind(hours):
        return services.reminders_send(now=sent + timedelta(hours=hours))

    assert remind(5) == (0, 0)  # not yet: 6 hours
    reminded, escalated = remind(7)
    assert (reminded, escalated) == (3, 0)  # AC, block, booth 2 (booth 1 acknowledged)
    assert remind(7.5) == (0, 0)  # at most once a day
    assert remind(13)[1] == 3  # urgent: the parent in-charge hears of each silent unit after 12 hours
    assert remind(14)[1] == 0  # once
    next_day = remind(31)
    assert next_day[0] == 3
    escalation = OutboxMessage.objects.filter(template="outreach_escalation", person=in_charges.amer).get()
    assert in_charges.booth2.mobile in escalation.body
    reminders = OutboxMessage.objects.filter(template="outreach_reminder", person=in_charges.booth2)
    assert reminders.count() == 2
    assert Delivery.objects.get(message=message, unit=tree.booth2).reminders == 2


def test_expired_message_takes_no_answers_and_no_reminders(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.jaipur, by=cast.district_admin, expires_at=timezone.now() + timedelta(hours=1))
    send(message, cast.district_admin)
    Message.objects.filter(pk=message.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(OutreachError) as refused:
        _respond(message, tree.booth1, "received")
    assert refused.value.code == "expired"
    assert services.reminders_send(now=timezone.now() + timedelta(hours=7)) == (0, 0)


def test_chunks_are_written_once_even_if_queued_twice(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.rajasthan, by=cast.state_admin)
    services.message_send(message=message, by=cast.state_admin, queue=False)
    assert SendChunk.objects.filter(message=message, status="pending").count() == 2
    assert services.message_run_inline(message=message) == 9
    assert services.message_run_inline(message=message) == 0
    assert Message.objects.get(pk=message.pk).status == "sent"


def test_demo(tree, cast, in_charges):
    from sangathan.outreach.demo import demo_outreach

    message = demo_outreach(state=tree.rajasthan)
    assert message.status == "sent" and Delivery.objects.filter(message=message, shared_at__isnull=False).exists()
    assert demo_outreach(state=tree.rajasthan) is None
