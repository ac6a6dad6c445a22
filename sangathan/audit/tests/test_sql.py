"""``audit.sql`` run on the test database (CI runs this on SQLite and on PostgreSQL): the redaction switch
lets an erasure's UPDATE of the personal-data columns through the append-only trigger (PostgreSQL) only
inside the block."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction

from sangathan.audit import sql
from sangathan.audit.models import AuditEntry
from sangathan.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _setting() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('sangathan.audit_redaction', true)")
        return cursor.fetchone()[0]


def test_redaction_passes_inside_the_block_only(tree):
    person = PersonFactory(home_unit=tree.booth1, name_hi="", name_en="Sunil Sharma")
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(person), object_pk=str(person.pk)
    ).first()
    assert entry is not None
    with transaction.atomic():
        with sql.redaction_allowed():
            if connection.vendor == "postgresql":
                assert _setting() == "on"
            AuditEntry.objects.filter(pk=entry.pk).update(object_repr="[erased]")
        if connection.vendor == "postgresql":
            assert _setting() == "off"
    entry.refresh_from_db()
    assert entry.object_repr == "[erased]"
    if connection.vendor == "postgresql":  # SQLite has no append-only trigger
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(object_repr="forged")
        entry.refresh_from_db()
        assert entry.object_repr == "[erased]"
