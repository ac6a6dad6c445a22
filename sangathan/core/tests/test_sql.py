"""Each statement of ``core.sql`` run on the test database (CI runs this on SQLite and on PostgreSQL)."""

import pytest
from django.contrib.auth.models import Group

from sangathan.core import sql

TABLE = Group._meta.db_table

pytestmark = pytest.mark.django_db


def test_next_id_is_one_past_the_largest():
    assert sql.next_id(TABLE) == (max(Group.objects.values_list("pk", flat=True), default=0) + 1)
    group = Group.objects.create(name="next-id")
    assert sql.next_id(TABLE) == group.pk + 1


def test_allocate_ids_gives_fresh_distinct_ids():
    assert sql.allocate_ids(TABLE, 0) == []
    existing = Group.objects.create(name="allocate").pk
    ids = sql.allocate_ids(TABLE, 3)
    assert len(set(ids)) == 3
    assert min(ids) > existing


def test_insert_rows_then_reset_sequence():
    start = sql.next_id(TABLE)  # ids past the sequence on PostgreSQL: reset_sequence must move it
    rows = [(start + i, f"inserted {i}") for i in range(3)]
    assert sql.insert_rows(TABLE, ("id", "name"), iter(rows)) == 3
    assert sorted(Group.objects.filter(name__startswith="inserted ").values_list("pk", "name")) == rows
    sql.reset_sequence(TABLE)
    assert Group.objects.create(name="after").pk > start + 2


def test_insert_rows_in_batches(monkeypatch):
    monkeypatch.setattr(sql, "INSERT_BATCH", 2)  # SQLite inserts in batches; PostgreSQL copies
    start = sql.next_id(TABLE)
    assert sql.insert_rows(TABLE, ("id", "name"), [(start + i, f"batch {i}") for i in range(5)]) == 5
    assert Group.objects.filter(name__startswith="batch ").count() == 5
