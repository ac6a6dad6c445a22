"""An office-bearer's own daily report through the API (a personal API token signs in as their user): the
posts they may report for are the active key appointments of the person whose login the user is. Nobody
reports for another person's post, whatever their roles: a state admin's token is no office-bearer's."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sangathan.controlroom.errors import ControlRoomError
from sangathan.org.models import Appointment


def own_key_appointments(user) -> QuerySet[Appointment]:
    """The active key appointments held by the person whose office-bearer login ``user`` is."""
    if not getattr(user, "is_authenticated", False):
        return Appointment.objects.none()
    return Appointment.objects.filter(
        person__login__user=user,
        person__login__suspended_at__isnull=True,
        status=Appointment.Status.ACTIVE,
        position__is_key=True,
    ).select_related("unit", "position")


def own_appointment_for_report(user, appointment_id: int | None) -> Appointment:
    """The post the user reports for: the one named (it must be theirs, else ``PermissionDenied`` with the
    same message whether it exists or not), or their only key post when none is named."""
    mine = list(own_key_appointments(user).order_by("pk"))
    if appointment_id is None:
        if len(mine) == 1:
            return mine[0]
        if not mine:
            raise PermissionDenied(_("Only the holder of a key post can send a daily report, for their own post."))
        raise ControlRoomError(_("You hold several key posts: say which one the report is for."), code="which_post")
    for appointment in mine:
        if appointment.pk == appointment_id:
            return appointment
    raise PermissionDenied(_("You can send a daily report only for your own key post."))
