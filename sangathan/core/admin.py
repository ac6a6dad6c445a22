"""Admin helpers: every admin list is filtered by the user's scope, like every other view."""

from django.contrib import admin

from sangathan.access.scope import can


class ScopedAdmin(admin.ModelAdmin):
    """``unit_field``: the path from the model to the unit that decides scope ("" for Unit itself)."""

    unit_field = "unit"
    change_action = "appoint"

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

    def unit_of(self, obj):
        if not self.unit_field:
            return obj
        for part in self.unit_field.split("__"):
            obj = getattr(obj, part, None)
        return obj

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        unit = self.unit_of(obj)
        if unit is None:
            return request.user.is_superuser
        return can(request.user, self.change_action, unit)

    def has_delete_permission(self, request, obj=None):
        return False
