from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from sangathan.notifications.models import OutboxMessage
from sangathan.outreach import services
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import ApprovalRule, Delivery, Message, Rollup, RollupDelta, SendChunk

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
    assert RollupDelta.objects.filter(message=message).exists()  # answers wait to be folded in
    services.rollups_fold(message_ids=[message.pk])
    assert not RollupDelta.objects.filter(message=message).exists()
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


def test_a_link_signed_before_the_move_to_core_signedlinks_still_opens(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    send(message, cast.district_admin)
    delivery = Delivery.objects.filter(message=message).first()
    old = signing.dumps(delivery.pk, salt="sangathan.outreach.delivery", compress=False)  # as outreach signed it
    assert services.delivery_from_token(old) == (delivery.pk, "")
    assert services.delivery_token(delivery.pk).split(":")[0] == old.split(":")[0]  # the same payload
    report_link = signing.dumps(delivery.pk, salt="sangathan.controlroom.report", compress=False)
    assert services.delivery_from_token(report_link) == (None, "bad")  # another kind of link does not open it


def test_reminders_and_escalation_timing(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.jaipur, by=cast.district_admin, priority="urgent")
    send(message, cast.district_admin)
    _respond(message, tree.booth1, "received")
    # Sent at 08:00 local time, so that the hours below fall on the days they name whenever the test runs
    # (reminders are at most once a local day: sent at 10:30, 14 hours later would be the next day already).
    sent = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    Message.objects.filter(pk=message.pk).update(sent_at=sent)

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


def _naive_rollups(message):
    """Every roll-up counter recounted from the deliveries themselves."""
    result = {}
    for rollup in Rollup.objects.filter(message=message):
        subtree = Delivery.objects.filter(message=message, level_id=rollup.level_id, path__startswith=rollup.path)
        result[(rollup.path, rollup.level_id)] = (
            subtree.count(),
            subtree.filter(opened_at__isnull=False).count(),
            subtree.filter(acknowledged_at__isnull=False).count(),
            subtree.filter(shared_at__isnull=False).count(),
            subtree.filter(cannot_at__isnull=False).count(),
        )
    return result


def _rollups(message):
    services.rollups_fold(message_ids=[message.pk])
    return {
        (r.path, r.level_id): (r.total, r.opened, r.acknowledged, r.shared, r.cannot)
        for r in Rollup.objects.filter(message=message)
    }


def test_rollup_counters_equal_a_naive_count_after_any_answers(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.rajasthan, by=cast.state_admin)
    send(message, cast.state_admin)
    script = [
        (tree.booth1, "open", {}),
        (tree.booth1, "open", {}),
        (tree.booth1, "received", {}),
        (tree.booth2, "received", {}),  # acknowledges without opening the page first
        (tree.booth2, "received", {}),
        (tree.amer, "cannot", {"reason": "No phone"}),
        (tree.amer, "received", {}),
        (tree.amer, "shared", {"note": "block group"}),
        (tree.jaipur_ac, "shared", {"share_url": "https://x.com/ac/status/2"}),
        (tree.jaipur_ac, "received", {}),
        (tree.ajmer_booth, "open", {}),
        (tree.ajmer, "cannot", {"reason": "Away"}),
        (tree.ajmer, "cannot", {"reason": "Still away"}),
    ]
    for unit, action, kwargs in script:
        _respond(message, unit, action, **kwargs)
        assert _rollups(message) == _naive_rollups(message), (unit, action)
    booth = tree.booth1.level_id
    assert _rollups(message)[(tree.jaipur.path, booth)] == (2, 2, 2, 0, 0)
    assert _rollups(message)[(tree.ajmer.path, tree.ajmer.level_id)] == (1, 1, 1, 0, 1)


def test_the_fast_answer_returns_the_state_and_counts_once(tree, cast, in_charges, make_draft, send):
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    send(message, cast.district_admin)
    first = _respond(message, tree.booth1, "received")
    again = _respond(message, tree.booth1, "received")
    stored = Delivery.objects.get(message=message, unit=tree.booth1)
    assert first.acknowledged_at == again.acknowledged_at == stored.acknowledged_at
    assert stored.opened_at == stored.acknowledged_at and stored.ack_seconds is not None
    assert 0 <= stored.ack_seconds <= 60
    later = _respond(message, tree.booth1, "shared", note="group")
    assert _respond(message, tree.booth1, "received").shared_at == later.shared_at
    with pytest.raises(OutreachError) as missing:
        services.delivery_respond(delivery_id=10**9, action="received")
    assert missing.value.code == "not_found"
    assert RollupDelta.objects.filter(message=message).count() == 2  # received, then shared
    services.outreach_sweep()  # folds what nobody has read yet
    assert not RollupDelta.objects.exists()
    assert _rollups(message) == _naive_rollups(message)


def test_a_bad_mobile_number_does_not_hold_back_the_chunk(tree, cast, in_charges, make_draft, send, settings):
    from sangathan.org.models import Person

    settings.NOTIFY_DEFAULT_CHANNELS = ["sms"]
    Person.objects.filter(pk=in_charges.booth1.pk).update(mobile="12345")
    message = make_draft(unit=tree.jaipur, by=cast.district_admin)
    send(message, cast.district_admin)
    assert Message.objects.get(pk=message.pk).status == "sent"
    people = set(OutboxMessage.objects.filter(template="outreach_message").values_list("person_id", flat=True))
    assert people == {in_charges.jaipur_ac.pk, in_charges.amer.pk, in_charges.booth2.pk}


def test_claiming_a_chunk_locks_only_the_chunk(tree, cast, in_charges, make_draft):
    """Two workers claim two chunks of one message at once: the claim must not lock the message (or unit,
    level) row it joins, or SKIP LOCKED makes the second worker skip its chunk and leave it pending."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    message = make_draft(unit=tree.rajasthan, by=cast.state_admin)
    services.message_send(message=message, by=cast.state_admin, queue=False)
    chunk = message.chunks.order_by("pk").first()
    with CaptureQueriesContext(connection) as queries:
        assert services.chunk_write(chunk_id=chunk.pk) > 0
    if connection.features.has_select_for_update:
        claims = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
        assert claims and all('FOR UPDATE OF "outreach_sendchunk"' in sql for sql in claims), claims


def test_rollup_rows_of_a_seeded_state_are_exactly_the_subtree_counts(django_user_model):
    """The one-statement roll-up against a count made unit by unit in Python, on the demo tree (286 units,
    booths at the deepest depth and units of every level above): the same rows, the same totals."""
    from collections import Counter

    from sangathan.org.models import Level, Unit
    from sangathan.org.seeding import seed

    root = seed("demo")
    state = Unit.objects.filter(path__startswith=root.path, depth=root.depth + 1).first() if root.depth == 1 else root
    booth = Level.objects.get(code="booth")
    author = django_user_model.objects.create_user("author", password="a-long-test-password")
    message = Message.objects.create(unit=state, target_level=booth, title="t", body_hi="b", created_by=author)
    message.sent_at = timezone.now()
    levels = services.target_level_ids(message)
    chunk_roots = list(Unit.objects.filter(parent=state))
    for chunk_root in chunk_roots:
        services.materialise(message_id=message.pk, root_path=chunk_root.path, level_ids=levels, at=message.sent_at)

    expected = Counter()
    for chunk_root in chunk_roots:
        units = [u for u in Unit.objects.filter(path__startswith=chunk_root.path) if u.level_id in levels]
        deepest = max(u.depth for u in units)
        for unit in units:
            for depth in range(chunk_root.depth, min(unit.depth, deepest - 1) + 1):
                expected[(unit.path[: depth * Unit.steplen], unit.level_id)] += 1
    written = {(r.path, r.level_id): r.total for r in Rollup.objects.filter(message=message)}
    assert len(chunk_roots) > 1 and len(written) > 50
    assert written == dict(expected)
    assert (
        Delivery.objects.filter(message=message).count()
        == Unit.objects.filter(path__startswith=state.path, level_id__in=levels).count()
    )
