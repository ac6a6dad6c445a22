"""Each statement of ``core.sql`` run on the test database (CI runs this on SQLite and on PostgreSQL), and
ruff's S608 (SQL built from values) on for every module."""

import subprocess
import sys
from pathlib import Path

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


PROJECT = Path(__file__).resolve().parents[3]
BUILT_FROM_A_VALUE = "def rows(cursor, name):\n    cursor.execute(f\"SELECT id FROM org_unit WHERE name = '{name}'\")\n"


def _ruff(source: str, filename: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter running ruff on a snippet
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--output-format",
            "concise",
            "--stdin-filename",
            filename,
        ],
        input=source,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=False,
    )
    return result.stdout + result.stderr


@pytest.mark.parametrize("filename", ["sangathan/core/example.py", "sangathan/org/sql.py"])
def test_ruff_reports_sql_built_from_a_value(filename):
    """S608 is on for the whole project (pyproject.toml), the sql modules included: a statement with a value
    pasted in is reported; a statement written out with its parameters is not."""
    assert "S608" in _ruff(BUILT_FROM_A_VALUE, filename)
    safe = 'def rows(cursor, name):\n    cursor.execute("SELECT id FROM org_unit WHERE name = %s", [name])\n'
    assert "S608" not in _ruff(safe, filename)
