"""Read-only admin for the privacy records (superusers only): they are evidence, never edited by hand.
Admins in scope work at /privacy/."""

from django.contrib import admin

from sangathan.core.admin import ReadOnlyMixin, SuperuserOnlyAdmin
from sangathan.privacy.models import ConsentRecord, DataRequest, Erasure, Notice


class ReadOnlyAdmin(ReadOnlyMixin, SuperuserOnlyAdmin):
    """Seen by superusers only, changed by nobody."""


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("purpose", "campaign", "version", "created_at")
    list_filter = ("purpose",)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ("id", "purpose", "notice", "application", "given_at", "withdrawn_at")
    list_select_related = ("notice", "application")
    raw_id_fields = ("application", "person", "notice")


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "status", "via", "unit", "created_at", "resolved_at")
    list_filter = ("kind", "status", "via")
    list_select_related = ("unit",)
    raw_id_fields = ("application", "person", "unit")


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ("id", "reason", "application", "person", "at")
    raw_id_fields = ("application", "person", "request")
