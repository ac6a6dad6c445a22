from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from sangathan.access import services
from sangathan.access.models import RoleAssignment
from sangathan.access.permissions import MANAGE_ROLES
from sangathan.access.scope import can, forget_roles
from sangathan.core.admin import SuperuserOnlyAdmin
from sangathan.org.models import Unit


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "unit", "role")

    def clean_unit(self):
        unit = self.cleaned_data["unit"]
        if not can(self.request_user, MANAGE_ROLES, unit):
            raise forms.ValidationError(_("You may give roles only in units within your own area."))
        return unit


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Roles are granted by those who may manage roles at the unit (state and national admins)."""

    form = RoleAssignmentForm
    list_display = ("user", "role", "unit", "granted_by", "created_at")
    list_filter = ("role",)
    raw_id_fields = ("user", "unit")
    readonly_fields = ("granted_by", "created_at")
    search_fields = ("user__username", "unit__name_hi", "unit__name_en")

    def get_queryset(self, request):
        units = Unit.objects.restrict(request.user, "view")
        return super().get_queryset(request).filter(unit__in=units).select_related("user", "unit", "granted_by")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can(request.user, MANAGE_ROLES, obj.unit))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can(request.user, MANAGE_ROLES, obj.unit))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
        forget_roles(obj.user)


# Accounts: superusers only (API tokens: sangathan/apitokens/admin.py).
for model in (User, Group):
    admin.site.unregister(model)


@admin.register(User)
class SangathanUserAdmin(SuperuserOnlyAdmin, UserAdmin):
    pass


@admin.register(Group)
class SangathanGroupAdmin(SuperuserOnlyAdmin, GroupAdmin):
    pass


# Two-factor devices: django-otp's admin, with removal through the service (a superuser takes away the device
# of someone who lost their phone). Set-up, confirmation and removal are in the audit trail, without the key.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class SangathanTOTPDeviceAdmin(TOTPDeviceAdmin):
    def delete_model(self, request, obj):
        services.totp_device_remove(device=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for device in queryset:
            services.totp_device_remove(device=device, by=request.user)
