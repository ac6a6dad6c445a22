from django.contrib import admin

from sangathan.access.models import RoleAssignment
from sangathan.access.scope import can
from sangathan.org.models import Unit


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "granted_by", "created_at")
    list_filter = ("role",)
    raw_id_fields = ("user", "unit", "granted_by")
    search_fields = ("user__username", "unit__name_hi", "unit__name_en")

    def get_queryset(self, request):
        units = Unit.objects.restrict(request.user, "view")
        return super().get_queryset(request).filter(unit__in=units).select_related("user", "unit")

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can(request.user, "manage_roles", obj.unit))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can(request.user, "manage_roles", obj.unit))

    def save_model(self, request, obj, form, change):
        if not can(request.user, "manage_roles", obj.unit):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        obj.granted_by = obj.granted_by or request.user
        super().save_model(request, obj, form, change)
