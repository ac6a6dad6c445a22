"""Admin for training. Programmes and modules are configuration (superusers); camps are listed in scope
and changed on the pages, where every rule is checked."""

from django.contrib import admin

from sangathan.core.admin import ScopedAdmin, SuperuserOnlyAdmin
from sangathan.training.models import Camp, Module, Programme


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SuperuserOnlyAdmin):
    list_display = ("code", "name_hi", "name_en")
    inlines = [ModuleInline]

    def has_delete_permission(self, request, obj=None):
        return False  # camps and completions refer to it


@admin.register(Camp)
class CampAdmin(ScopedAdmin):
    list_display = ("programme", "host_unit", "venue", "starts_at", "ends_at", "status")
    list_select_related = ("programme", "host_unit")
    list_filter = ("status", "programme")
    readonly_fields = ("programme", "host_unit", "check_in_token", "created_by", "created_at")
    filter_horizontal = ("modules",)
    raw_id_fields = ("trainers",)
