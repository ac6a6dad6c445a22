"""django-auditlog's own migrations create its LogEntry table even though we swap in audit.AuditEntry
(AUDITLOG_LOGENTRY_MODEL). Nothing uses that table, and on PostgreSQL its foreign keys stop a flush of
the user and content-type tables (a TRUNCATE of them is refused), so drop it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_trigger"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS auditlog_logentry", migrations.RunSQL.noop)]
