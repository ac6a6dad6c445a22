"""Admin helpers. Every admin list is filtered by the user's scope, like every other page; only
superusers change data here (everyone else changes it on the pages and the API, where each rule
is checked), and their changes go through the services too."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction


class ScopedAdmin(admin.ModelAdmin):
    """Lists and detail pages limited to ``Model.objects.restrict(user, "view")``; writes for superusers."""

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Configuration and accounts: seen and changed by superusers only."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class _DryRun(Exception):
    pass


class ServiceAdminForm(forms.ModelForm):
    """A form whose save is a service call: ``clean`` runs the service in a savepoint that is rolled
    back, so every rule the service checks shows as a form error and nothing is half-saved."""

    def call_service(self):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            with transaction.atomic():
                self.call_service()
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None
        return cleaned
