"""Admin for the channel registry: lists scoped like the pages; read-only here (channels are registered,
changed and removed on the staff pages and through the services, where every rule is checked)."""

from django.contrib import admin

from sangathan.channels.models import Channel, ChannelImport
from sangathan.core.admin import PersonalDataAdmin, ReadOnlyMixin, ScopedReadOnlyAdmin
from sangathan.org.masking import mask_mobile


def _mask_mobiles(mobiles) -> str:
    return ", ".join(mask_mobile(mobile) for mobile in mobiles or [])


@admin.register(Channel)
class ChannelAdmin(ReadOnlyMixin, PersonalDataAdmin):
    personal_fields = {"owner_mobile": mask_mobile, "other_admin_mobiles": _mask_mobiles}
    list_display = ("name", "platform", "unit", "link", "member_count", "last_verified_on", "is_active")
    list_filter = ("platform", "is_active", "unit__level")
    search_fields = ("name", "link", "owner_mobile")
    list_select_related = ("unit", "unit__level")
    raw_id_fields = ("unit", "admins")
    readonly_fields = [f.name for f in Channel._meta.fields] + ["admins"]


class ChannelImportQuerySetAdmin(ScopedReadOnlyAdmin):
    list_display = ("original_name", "root", "status", "created_by", "created_at")
    list_select_related = ("root", "created_by")
    exclude = ("content",)


admin.site.register(ChannelImport, ChannelImportQuerySetAdmin)
