"""Roles held at a unit. A role covers the unit and everything below it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangathan.core.fields import actor_field


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("national admin")
    STATE_ADMIN = "state_admin", _("state admin")
    UNIT_ADMIN = "unit_admin", _("unit admin (in-charge)")
    RECRUITER = "recruiter", _("recruiter")
    INTERVIEWER = "interviewer", _("interviewer")
    TRAINER = "trainer", _("trainer")
    CONTROL_ROOM = "control_room", _("control-room operator")
    FACT_CHECKER = "fact_checker", _("fact-checker")
    VIEWER = "viewer", _("viewer")


class RoleAssignment(models.Model):
    """``user`` holds ``role`` at ``unit`` and so may act on the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    # By name: ``access`` sits below ``org`` (org's models import the scope rules from access.scoping).
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="role_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
