"""Tokens in the Django admin: superusers see every user's tokens and may revoke them; nothing else is editable
(a token is made by its owner on the "API tokens" page, and a revoked row stays for the record)."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sangathan.apitokens import services
from sangathan.apitokens.models import ApiToken
from sangathan.core.admin import ReadOnlyMixin, SuperuserOnlyAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyMixin, SuperuserOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_revoke_permission(self, request):
        return request.user.is_superuser

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:  # one by one, so the audit trail records each
            services.api_token_revoke(token=token)
        self.message_user(request, gettext("Tokens revoked: %(count)s.") % {"count": len(tokens)}, messages.SUCCESS)
