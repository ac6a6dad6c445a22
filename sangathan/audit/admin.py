"""The audit trail in the admin: read-only for everyone, superusers included, and limited to scope."""

from auditlog.mixins import LogEntryAdminMixin
from django.contrib import admin

from sangathan.audit.access import READ_AUDIT, may_read_audit
from sangathan.audit.models import AuditEntry
from sangathan.core.admin import ReadOnlyMixin

if admin.site.is_registered(AuditEntry):  # django-auditlog's own admin allows deletes in cascades
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyMixin, LogEntryAdminMixin, admin.ModelAdmin):
    date_hierarchy = "timestamp"
    list_select_related = ["content_type", "actor"]
    list_display = ["created", "resource_url", "action", "msg_short", "user_url", "remote_addr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor__username", "unit_path"]
    readonly_fields = ["created", "resource_url", "action", "user_url", "remote_addr", "unit_path", "msg"]
    fieldsets = [(None, {"fields": readonly_fields})]

    def get_queryset(self, request):
        self.request = request
        return super().get_queryset(request).restrict(request.user, READ_AUDIT)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and may_read_audit(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)
