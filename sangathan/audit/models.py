"""The audit trail: one append-only row per create, change, delete or reveal (docs/adr/0006-audit-trail.md).

``AuditEntry`` is django-auditlog's log entry (``AUDITLOG_LOGENTRY_MODEL``) with one column more:
``unit_path``, the path of the unit the object belongs to when it was written, so the log page can
show an admin exactly the entries of their own subtree with an indexed range query.
"""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangathan.access.scoping import ScopedQuerySet, ScopeRule
from sangathan.audit.scoping import unit_path_for


class AuditEntryManager(LogEntryManager.from_queryset(ScopedQuerySet)):
    """auditlog's manager, filling in ``unit_path`` from the object being logged."""

    def log_create(self, instance, force_log: bool = False, **kwargs):
        kwargs.setdefault("unit_path", unit_path_for(instance))
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        kwargs.setdefault("unit_path", unit_path_for(instance))
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)


class AuditEntry(AbstractLogEntry):
    """Who did what to which object, when, from which address, with the values before and after.

    Never changed or deleted: the admin is read-only for everyone, and on PostgreSQL a trigger
    refuses UPDATE and DELETE on the table (migration 0002).
    """

    unit_path = models.CharField(_("unit"), max_length=255, blank=True, default="", db_index=True)

    # Entries about objects in the user's subtrees. Entries that belong to no unit (accounts, settings such
    # as levels and posts) are shown only to those whose scope is the whole tree: superusers and holders
    # of a role at a root unit.
    scope_rule = ScopeRule("unit_path", unitless=models.Q(unit_path=""))
    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["unit_path", "timestamp"], name="audit_unit_time"),
            models.Index(fields=["content_type", "object_pk"], name="audit_object"),
        ]
