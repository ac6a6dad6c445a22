"""Each statement of ``outreach.sql`` run on the test database (CI runs this on SQLite and on PostgreSQL)."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sangathan.org.models import Unit
from sangathan.outreach import sql
from sangathan.outreach.models import Delivery, Message, Rollup, RollupDelta
from sangathan.outreach.selectors import subtree_range, target_level_ids

pytestmark = pytest.mark.django_db

SENT_AT = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def message(tree, cast, make_draft):
    """A state message to every booth, marked sending, with no deliveries yet."""
    message = make_draft(unit=tree.rajasthan, by=cast.state_admin)
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, sent_at=SENT_AT)
    message.refresh_from_db()
    return message


def materialise(message, root):
    low, high = subtree_range(root.path)
    written = sql.deliveries_insert(
        message_id=message.pk, low=low, high=high, level_ids=target_level_ids(message), at=message.sent_at
    )
    sql.rollups_insert(message_id=message.pk, low=low, high=high, top=root.depth)
    return written


def test_deliveries_and_rollups_insert_once(tree, message):
    assert materialise(message, tree.jaipur) == 5  # the district, its AC, its block and two booths
    assert materialise(message, tree.jaipur) == 0  # ON CONFLICT DO NOTHING
    deliveries = Delivery.objects.filter(message=message)
    assert set(deliveries.values_list("unit_id", flat=True)) == set(
        Unit.objects.filter(path__startswith=tree.jaipur.path).values_list("pk", flat=True)
    )
    assert {d.created_at for d in deliveries} == {SENT_AT}
    totals = {(r.path, r.level_id): r.total for r in Rollup.objects.filter(message=message)}
    booth = tree.booth1.level_id
    assert totals[(tree.jaipur.path, booth)] == 2
    assert totals[(tree.amer.path, booth)] == 2
    assert totals[(tree.jaipur.path, tree.jaipur.level_id)] == 1
    assert (tree.booth1.path, booth) not in totals  # nothing below the deepest level
    assert sql.deliveries_insert(message_id=message.pk, low="", high="~", level_ids=[], at=SENT_AT) == 0


def test_open_then_acknowledge_stamp_once_and_append_one_delta_each(tree, message):
    materialise(message, tree.jaipur)
    delivery = Delivery.objects.get(message=message, unit=tree.booth1)
    opened = SENT_AT + datetime.timedelta(seconds=30)
    row = sql.delivery_open(delivery_id=delivery.pk, acknowledge=False, now=opened)
    assert row[:4] == (message.pk, tree.booth1.pk, tree.booth1.path, tree.booth1.level_id)
    assert bool(row[4]) and not row[5]
    assert dict(zip(sql.DELIVERY_STATE, row[6:], strict=True))["opened_at"] == opened
    again = opened + datetime.timedelta(seconds=1)
    assert not sql.delivery_open(delivery_id=delivery.pk, acknowledge=False, now=again)[4]  # a repeat
    received = SENT_AT + datetime.timedelta(seconds=90)
    row = sql.delivery_open(delivery_id=delivery.pk, acknowledge=True, now=received)
    assert not row[4] and bool(row[5])
    delivery.refresh_from_db()
    assert (delivery.opened_at, delivery.acknowledged_at) == (opened, received)
    assert 89 <= delivery.ack_seconds <= 90  # whole seconds; SQLite's julianday() difference is a float
    deltas = list(RollupDelta.objects.filter(message=message).values_list("opened", "acknowledged"))
    assert sorted(deltas) == [(0, 1), (1, 0)]
    assert sql.deltas_by_trigger() == (connection.vendor == "sqlite")


def test_acknowledge_refuses_an_expired_message_and_an_unknown_delivery(tree, message):
    materialise(message, tree.jaipur)
    delivery = Delivery.objects.get(message=message, unit=tree.booth1)
    Message.objects.filter(pk=message.pk).update(expires_at=SENT_AT + datetime.timedelta(hours=1))
    late = SENT_AT + datetime.timedelta(hours=2)
    assert sql.delivery_open(delivery_id=delivery.pk, acknowledge=True, now=late) is None
    assert sql.delivery_open(delivery_id=delivery.pk + 1000, acknowledge=False, now=late) is None
    delivery.refresh_from_db()
    assert delivery.acknowledged_at is None


def test_answer_statement_while_queries_are_logged(tree, message):
    """The logged path (DEBUG, query counts) runs the same statement as an ordinary query."""
    materialise(message, tree.jaipur)
    delivery = Delivery.objects.get(message=message, unit=tree.booth2)
    with CaptureQueriesContext(connection) as queries:
        row = sql.delivery_open(delivery_id=delivery.pk, acknowledge=True, now=timezone.now())
    assert len(queries) == 1 and bool(row[4]) and bool(row[5])


def test_deltas_claimed_once_and_added_to_the_rollups(tree, message):
    materialise(message, tree.jaipur)
    booth = tree.booth1.level_id
    RollupDelta.objects.create(message=message, path=tree.booth1.path, level_id=booth, opened=1, acknowledged=1)
    with transaction.atomic():
        rows = sql.deltas_claim(message_ids=[message.pk])
    assert rows == [(message.pk, tree.booth1.path, booth, 1, 1, 0, 0)]
    assert sql.deltas_claim(message_ids=[message.pk]) == []
    items = [(message.pk, path, booth, 1, 1, 0, 0) for path in (tree.jaipur.path, tree.amer.path)]
    sql.rollups_add(items=items)
    counts = {r.path: (r.opened, r.acknowledged, r.shared, r.cannot) for r in Rollup.objects.filter(level_id=booth)}
    assert counts[tree.jaipur.path] == counts[tree.amer.path] == (1, 1, 0, 0)
    assert counts[tree.jaipur_ac.path] == (0, 0, 0, 0)


def test_rollups_add_in_batches(tree, message, monkeypatch):
    materialise(message, tree.jaipur)
    monkeypatch.setattr(sql, "FOLD_BATCH", 1)
    booth = tree.booth1.level_id
    paths = [tree.jaipur.path, tree.jaipur_ac.path, tree.amer.path]
    sql.rollups_add(items=[(message.pk, path, booth, 0, 0, 1, 0) for path in paths])
    assert sorted(Rollup.objects.filter(level_id=booth, shared=1).values_list("path", flat=True)) == sorted(paths)
