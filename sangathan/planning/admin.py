"""Admin for plans: read-only lists (scoped). Plans are copied and their dates edited on the plan pages
through the services, where the parent/child rule is checked; the template's milestones may be edited by
a superuser here (they are only the starting point of new plans)."""

from django.contrib import admin

from sangathan.planning.models import Milestone, Plan


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("level", "kind", "due_date", "programme_code", "platforms")

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser and obj is not None and obj.is_template

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and obj is not None and obj.is_template

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and obj is not None and obj.is_template


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("title_hi", "title_en", "scope", "year", "is_template", "parent")
    list_select_related = ("scope", "parent")
    inlines = [MilestoneInline]
    readonly_fields = ("scope", "parent", "is_template", "created_by", "created_at", "updated_at")

    def get_queryset(self, request):
        plans = super().get_queryset(request)
        if request.user.is_superuser:
            return plans
        return Plan.objects.restrict(request.user, "view")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and (obj is None or obj.is_template)

    def has_delete_permission(self, request, obj=None):
        return False
