"""The audit trail's raw SQL: the switch that lets an erasure take personal data out of old entries.

On PostgreSQL the entry table is append-only (a trigger, audit migrations 0002 and 0004); the trigger lets
an UPDATE of the personal-data columns through only while the transaction has set
``sangathan.audit_redaction`` to ``on``. SQLite has no such trigger: the switch does nothing there.
``tests/test_sql.py`` runs it on the test database (CI runs it on both).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

REDACTION_SWITCH = "SELECT set_config('sangathan.audit_redaction', %s, true)"  # true: this transaction only


def redaction_switch(*, on: bool) -> None:
    """Let the append-only trigger pass redactions (``on``) or not, until the transaction ends."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(REDACTION_SWITCH, ["on" if on else "off"])


@contextmanager
def redaction_allowed() -> Iterator[None]:
    """Redactions pass inside the block (in an open transaction), and no longer once it is left."""
    redaction_switch(on=True)
    try:
        yield
    finally:
        redaction_switch(on=False)
