"""Admin for the organisation structure. Writes go through the services, so counters stay true;
lists are scoped to the user's units."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sangathan.core.admin import ScopedAdmin
from sangathan.org import services
from sangathan.org.models import (
    Appointment,
    CommitteeEvent,
    Level,
    Person,
    Position,
    SocialAccount,
    Unit,
    UnitImportJob,
)


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "name_hi", "name_en")
    inlines = [PositionInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("title_hi", "title_en", "level", "seats", "is_key")
    list_filter = ("level",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    unit_field = ""
    change_action = "manage_units"
    list_display = ("display_name", "level", "number", "parent", "key_post_filled")
    list_filter = ("level",)
    search_fields = ("name_hi", "name_en", "code", "=number")
    list_select_related = ("level", "parent")
    raw_id_fields = ("parent",)
    fields = ("name_hi", "name_en", "level", "parent", "number", "code", "polling_station")

    def get_readonly_fields(self, request, obj=None):
        return ("level",) if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change:
                created = services.unit_create(
                    parent=data.get("parent"),
                    level=data["level"],
                    name_hi=data["name_hi"],
                    name_en=data["name_en"],
                    number=data.get("number"),
                    code=data.get("code", ""),
                    polling_station=data.get("polling_station", ""),
                    by=request.user,
                )
                obj.pk, obj.path = created.pk, created.path
                return
            original = Unit.objects.get(pk=obj.pk)
            services.unit_update(
                unit=original,
                name_hi=data["name_hi"],
                name_en=data["name_en"],
                number=data.get("number"),
                code=data.get("code", ""),
                polling_station=data.get("polling_station", ""),
                by=request.user,
            )
            if data.get("parent") and data["parent"].pk != original.parent_id:
                services.unit_move(unit=original, new_parent=data["parent"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    unit_field = "home_unit"
    list_display = ("name_hi", "name_en", "mobile", "home_unit")
    search_fields = ("name_hi", "name_en", "mobile")
    raw_id_fields = ("home_unit",)
    list_select_related = ("home_unit",)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        kwargs = {
            "name_hi": data["name_hi"],
            "name_en": data["name_en"],
            "mobile": data["mobile"],
            "email": data.get("email", ""),
            "home_unit": data.get("home_unit"),
            "languages": data.get("languages") or [],
            "skills": data.get("skills") or [],
            "by": request.user,
        }
        try:
            if change:
                services.person_update(person=Person.objects.get(pk=obj.pk), **kwargs)
            else:
                obj.pk = services.person_create(**kwargs).pk
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = ("person", "platform", "handle", "followers")

    def get_queryset(self, request):
        people = Person.objects.restrict(request.user, "view")
        return super().get_queryset(request).filter(person__in=people)


@admin.register(Appointment)
class AppointmentAdmin(ScopedAdmin):
    """Read-only here: appoint and relieve from the unit page or the API, where the rules are checked."""

    list_display = ("person", "position", "unit", "status", "start_date", "end_date")
    list_filter = ("status", "position__level")
    list_select_related = ("person", "position", "unit")
    search_fields = ("person__name_hi", "person__name_en", "person__mobile", "letter_number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CommitteeEvent)
class CommitteeEventAdmin(ScopedAdmin):
    list_display = ("unit", "kind", "reason", "appointments_ended", "appointments_made", "by", "at")
    list_select_related = ("unit", "by")

    def get_queryset(self, request):
        units = Unit.objects.restrict(request.user, "view")
        return admin.ModelAdmin.get_queryset(self, request).filter(unit__in=units)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UnitImportJob)
class UnitImportJobAdmin(admin.ModelAdmin):
    list_display = ("original_name", "root", "status", "created_by", "created_at", "finished_at")
    list_filter = ("status",)
    list_select_related = ("root", "created_by")
    readonly_fields = [f.name for f in UnitImportJob._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(root__in=Unit.objects.restrict(request.user, "view"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("Sangathan administration")
admin.site.site_title = _("Sangathan")
