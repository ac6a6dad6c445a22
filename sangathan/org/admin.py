"""Admin for the organisation structure. Writes go through the services, so counters stay true;
lists are scoped to the user's units."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sangathan.core.admin import PersonalDataAdmin, ReadOnlyMixin, ScopedAdmin, ServiceAdminForm, SuperuserOnlyAdmin
from sangathan.core.forms import service_kwargs
from sangathan.org import services
from sangathan.org.masking import mask_email, mask_mobile
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
class LevelAdmin(SuperuserOnlyAdmin):
    list_display = ("order", "code", "name_hi", "name_en", "numbered_within")
    inlines = [PositionInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Position)
class PositionAdmin(SuperuserOnlyAdmin):
    """Titles and seats may change; which post is the key post and its level are fixed once made,
    because coverage counts are built on them."""

    list_display = ("title_hi", "title_en", "level", "seats", "is_key")
    list_filter = ("level",)

    def get_readonly_fields(self, request, obj=None):
        return ("level", "is_key") if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False


class UnitAdminForm(ServiceAdminForm):
    class Meta:
        model = Unit
        fields = ("name_hi", "name_en", "level", "parent", "number", "code", "polling_station")

    def call_service(self):
        data = self.cleaned_data
        # Called once the form is valid, so every field of Meta.fields is in cleaned_data.
        common = service_kwargs(data, "name_hi", "name_en", "number", "code", "polling_station")
        if self.instance.pk is None:
            return services.unit_create(parent=data.get("parent"), level=data["level"], **common)
        unit = services.unit_update(unit=Unit.objects.get(pk=self.instance.pk), **common)
        if data.get("parent") and data["parent"].pk != unit.parent_id:
            unit = services.unit_move(unit=unit, new_parent=data["parent"])
        return unit


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    form = UnitAdminForm
    list_display = ("display_name", "level", "number", "parent", "key_post_filled")
    list_filter = ("level",)
    search_fields = ("name_hi", "name_en", "code", "=number")
    list_select_related = ("level", "parent")
    raw_id_fields = ("parent",)

    def get_readonly_fields(self, request, obj=None):
        return ("level",) if obj else ()

    def save_model(self, request, obj, form, change):
        form.instance = form.call_service()
        obj.pk = form.instance.pk


class PersonAdminForm(ServiceAdminForm):
    class Meta:
        model = Person
        fields = ("name_hi", "name_en", "mobile", "email", "home_unit", "languages", "skills")

    def call_service(self):
        data = self.cleaned_data
        kwargs = service_kwargs(data, "name_hi", "name_en", "mobile", "email", "home_unit")
        kwargs.update(languages=data.get("languages") or [], skills=data.get("skills") or [])
        if self.instance.pk is None:
            return services.person_create(**kwargs)
        return services.person_update(person=Person.objects.get(pk=self.instance.pk), **kwargs)


class SocialAccountInline(admin.TabularInline):
    model = SocialAccount
    extra = 0


@admin.register(Person)
class PersonAdmin(PersonalDataAdmin):
    personal_fields = {"mobile": mask_mobile, "email": mask_email}
    form = PersonAdminForm
    list_display = ("name_hi", "name_en", "mobile", "home_unit")
    search_fields = ("name_hi", "name_en", "mobile")
    raw_id_fields = ("home_unit",)
    list_select_related = ("home_unit",)
    inlines = [SocialAccountInline]

    def save_model(self, request, obj, form, change):
        saved = form.call_service()
        obj.pk = saved.pk
        form.instance = saved


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyMixin, PersonalDataAdmin):
    """Read-only here: appoint and relieve from the unit page or the API, where the rules are checked."""

    list_display = ("person", "position", "unit", "status", "start_date", "end_date")
    list_filter = ("status", "position__level")
    list_select_related = ("person", "position", "unit")
    search_fields = ("person__name_hi", "person__name_en", "person__mobile", "letter_number")


@admin.register(CommitteeEvent)
class CommitteeEventAdmin(admin.ModelAdmin):
    list_display = ("unit", "kind", "reason", "appointments_ended", "appointments_made", "by", "at")
    list_select_related = ("unit", "by")

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

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
        return super().get_queryset(request).restrict(request.user, "view")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("Sangathan administration")
admin.site.site_title = _("Sangathan")
