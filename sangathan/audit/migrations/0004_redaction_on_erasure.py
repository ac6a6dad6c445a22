"""Erasure (DPDP) may take personal data out of old audit entries; nothing else may change them.

The append-only trigger of migration 0002 now also lets an UPDATE through when the transaction has set
``sangathan.audit_redaction`` to ``on`` (``audit.services.audit_redact`` does, for the length of one
erasure) and the row differs only in the columns that can hold personal data: its name, its changes
and its serialised copy. Who, when, from where, which object, which action: unchanged, always.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('sangathan.audit_redaction', true) = 'on'
       AND (to_jsonb(NEW) - ARRAY['object_repr', 'changes', 'changes_text', 'serialized_data'])
         = (to_jsonb(OLD) - ARRAY['object_repr', 'changes', 'changes_text', 'serialized_data']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_drop_unused_auditlog_table")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
