"""Proof that a refused request changed nothing: the tables that hold the organisation's data, and two ways of
watching them.

- ``snapshot()`` hashes every row of every guarded table. Exact whatever wrote, but it reads every table twice
  (about 10 ms a call on the security world): for the few tests that must also see writes made outside the request.
- ``rows_written()`` watches the request's own statements: every INSERT, UPDATE or DELETE on a guarded table and
  the rows it reports. One regular expression per statement: the scope matrix's 5,000 refused writes use it.
"""

import functools
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import connection

# Tables a forbidden write must leave exactly as they were.
GUARDED_APPS = (
    "org",
    "access",
    "recruitment",
    "channels",
    "training",
    "planning",
    "outreach",
    "notifications",
    "controlroom",
    "membership",
    "factcheck",
    "logins",
    "privacy",
)
# Written by every signed-in request, refused or not: the session store (logins.sessions).
UNGUARDED_TABLES = {"logins_loginsession"}
# The table a writing statement names (quoted or not); "FOR UPDATE OF x" and "DO UPDATE SET" name no table.
WRITING = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@functools.cache
def guarded_tables() -> tuple[tuple[str, str], ...]:
    tables = []
    for app_label in GUARDED_APPS:
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            if not model._meta.managed or model._meta.proxy or model._meta.db_table in UNGUARDED_TABLES:
                continue
            tables.append((model._meta.db_table, model._meta.pk.column))
    return tuple(tables)


def snapshot() -> str:
    """Every row of every guarded table (raw SQL: the ORM would make this the slowest part of a cell)."""
    digest = hashlib.sha256()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, pk in guarded_tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")  # noqa: S608 (model names)
            digest.update(f"{table}:{cursor.fetchall()!r}".encode())
    return digest.hexdigest()


@contextmanager
def rows_written() -> Iterator[list[str]]:
    """The statements run inside the block that changed rows of a guarded table (a statement that matched no row
    is no change; one whose count the driver cannot tell counts as a change)."""
    guarded = {table for table, _pk in guarded_tables()}
    written: list[str] = []

    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if any(table in guarded for table in WRITING.findall(sql)) and context["cursor"].rowcount != 0:
            written.append(f"{sql[:160]} ({context['cursor'].rowcount} rows)")
        return result

    with connection.execute_wrapper(watch):
        yield written
