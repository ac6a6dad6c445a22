"""The outbox in the admin: read-only, for looking at what was sent, what failed and why. Messages are
written by the services only; a non-superuser sees the messages of the people in their scope."""

from django.contrib import admin

from sangathan.notifications.models import OutboxMessage
from sangathan.org.models import Person


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "person",
        "template",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "language", "template")
    search_fields = ("recipient",)
    list_select_related = ("person",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(person__in=Person.objects.restrict(request.user, "view"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
