"""Admin helpers. Every admin list is filtered by the user's scope, like every other page; only
superusers change data here (everyone else changes it on the pages and the API, where each rule
is checked), and their changes go through the services too."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction


class ReadOnlyMixin:
    """Nothing added, changed or deleted here, superusers included: the rows are written by the services
    (or are evidence). Before the admin class it limits (``class X(ReadOnlyMixin, ScopedAdmin)``); inlines too."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserEditsMixin:
    """Superusers add and change (through the services); nobody deletes (other rows refer to these)."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedAdmin(SuperuserEditsMixin, admin.ModelAdmin):
    """Lists and detail pages limited to ``Model.objects.restrict(user, "view")``; writes for superusers."""

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")


class ScopedReadOnlyAdmin(ReadOnlyMixin, ScopedAdmin):
    """A scoped list that nobody changes here."""


class PersonalDataAdmin(ScopedAdmin):
    """A scoped admin for rows holding personal data (``personal_fields``: field name → mask function).

    Lists show the masked value to everyone: a list of full numbers is what a leak looks like, and a
    single number is revealed on the person's page, where each reveal is an audit entry. Detail pages show
    it in full to superusers only (they are the ones who edit here). Searching by those fields is for
    superusers only: a search that finds a full number tells whose it is.
    """

    personal_fields: dict = {}

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        for name, mask in self.personal_fields.items():
            setattr(self, f"{name}_masked", self._masked_column(name, mask))

    def _masked_column(self, name: str, mask):
        def column(obj):
            return mask(getattr(obj, name))

        column.short_description = self.model._meta.get_field(name).verbose_name
        return column  # not sortable: the order of the hidden values would hint at them

    def _is_personal(self, path: str) -> bool:
        """A field or lookup path (``mobile``, ``person__mobile__startswith``) that reaches personal data."""
        return any(part in self.personal_fields or part in ("mobile", "email") for part in path.split("__"))

    def get_list_display(self, request):
        return [f"{f}_masked" if f in self.personal_fields else f for f in super().get_list_display(request)]

    def lookup_allowed(self, lookup, value, request=None):
        """No ``?mobile=…`` / ``?mobile__startswith=…`` in the URL either (a row appearing or not would tell
        the number), but for superusers."""
        if self._is_personal(lookup) and not (request is not None and request.user.is_superuser):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return fields if request.user.is_superuser else [f for f in fields if not self._is_personal(f)]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return [f"{f}_masked" if f in self.personal_fields else f for f in fields]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        return [f for f in fields if f not in self.personal_fields] + [f"{f}_masked" for f in self.personal_fields]


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
