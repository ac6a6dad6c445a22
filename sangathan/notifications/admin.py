"""The outbox in the admin: read-only, for looking at what was sent, what failed and why. Messages are
written by the services only; a non-superuser sees the messages of the people in their scope.

Personal data follows the admin's one rule (``PersonalDataAdmin``): recipients are masked in the list for
everyone and on the detail page for all but superusers, who alone search or filter by them. Bodies are
hidden from everyone but superusers: they hold signed links (a recipient's ``/m/`` page, a certificate,
a privacy ticket) that act for the recipient, and codes sent to confirm a number.
"""

from django.contrib import admin
from django.utils.translation import gettext as _

from sangathan.core.admin import PersonalDataAdmin, ReadOnlyMixin, ScopedAdmin
from sangathan.notifications.models import OutboxMessage
from sangathan.org.masking import mask_email, mask_mobile, mask_value
from sangathan.org.models import Person


def mask_recipient(value: str | None) -> str:
    """A mobile number, an e-mail address or a Telegram chat id, masked."""
    return mask_email(value) if "@" in (value or "") else mask_mobile(value)


def hide_body(value: str | None) -> str:
    return _("Hidden: only superusers read message bodies (they hold links that act for the recipient).")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyMixin, PersonalDataAdmin):
    personal_fields = {
        "recipient": mask_recipient,
        "subject": hide_body,
        "body": hide_body,
        "last_error": mask_value,  # a provider's refusal may quote the number
    }
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "person",
        "template",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "language", "template")
    search_fields = ("recipient",)
    list_select_related = ("person",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def get_queryset(self, request):
        # Past ScopedAdmin's ``restrict``: a message is in scope through the person it was sent to.
        queryset = super(ScopedAdmin, self).get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(person__in=Person.objects.restrict(request.user, "view"))
