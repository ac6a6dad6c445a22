"""Logins for office-bearers: which posts bring which role, the account of an office-bearer, the one-time
invitation that lets them set a password, the roles their appointments gave them, and sessions that can be
ended at once.

Why here and not in ``org`` or ``access``: an invitation goes through the outbox (``notifications``) and a
sign-in with a code through ``verification``, both above the foundation layer. ``org`` calls this app only
through its hook registry (``org.hooks``), registered in ``LoginsConfig.ready``.
"""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangathan.access.models import Role
from sangathan.access.scoping import Also, ScopedManager, ScopeRule


class PostRole(models.Model):
    """The role an appointment to ``position`` brings, at the unit appointed to.

    A row with no ``state`` holds for every state; a state's own row (written by its state admins) overrides
    it there. ``role`` empty: this post brings no login in that state. Without any row, the defaults in
    ``logins.defaults`` apply (district in-charge → unit admin of the district, trainer → trainer, …).
    """

    state = models.ForeignKey(
        "org.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("state"),
    )
    position = models.ForeignKey("org.Position", on_delete=models.CASCADE, related_name="+", verbose_name=_("post"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    # Rows of the whole organisation (no state) are seen only by whole-tree admins.
    scope_rule = ScopeRule("state__path", unitless=Q(state__isnull=True))
    objects = ScopedManager()

    class Meta:
        verbose_name = _("role of a post")
        verbose_name_plural = _("roles of posts")
        constraints = [
            models.UniqueConstraint(fields=["state", "position"], name="post_role_unique_in_state"),
            models.UniqueConstraint(
                fields=["position"], condition=Q(state__isnull=True), name="post_role_unique_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} → {self.get_role_display() or '—'}"


class Login(models.Model):
    """An office-bearer's account: the user who is this person. Made when a post with a role is first given
    to them; suspended and resumed by the admins of their area."""

    person = models.OneToOneField(
        "org.Person", on_delete=models.PROTECT, related_name="login", verbose_name=_("person")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_login", verbose_name=_("user")
    )
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Managed where the person lives; seen also where they hold (or held) a post.
    scope_rule = ScopeRule("person__home_unit__path", also=Also("person__appointments__unit__path"))
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("login")
        verbose_name_plural = _("logins")

    def __str__(self) -> str:
        return f"{self.person} ({self.user})"

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class LoginInvitation(models.Model):
    """A one-time link to set a password (or sign in with a code to the mobile) and land on ``unit``.

    Only a digest of the link's secret is kept; the link is signed and carries the invitation's id and the
    secret. Valid ``INVITATION_HOURS`` (72), once; a newer invitation for the same login revokes it.
    """

    login = models.ForeignKey(Login, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("login"))
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    appointment = models.ForeignKey(
        "org.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    secret_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="invitation_expires_later"),
        ]

    def __str__(self) -> str:
        return f"{self.login} → {self.unit}"


class GrantedRole(models.Model):
    """A role given because of an appointment: taken away (with the user's sessions) when it ends. A role
    the user held before the appointment is not recorded here, so ending the appointment leaves it."""

    appointment = models.OneToOneField("org.Appointment", on_delete=models.CASCADE, related_name="granted_role")
    assignment = models.OneToOneField(
        "access.RoleAssignment", on_delete=models.CASCADE, related_name="granted_by_appointment"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule("appointment__unit__path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("role from an appointment")
        verbose_name_plural = _("roles from appointments")


class LoginSession(AbstractBaseSession):
    """Django's database session with its user's id beside it, so that relieving someone or suspending their
    login ends every session they have at once (one indexed DELETE), whatever browser it is in. The pattern
    is Django's own ("Extending database-backed session engines"); ``logins.sessions`` is the engine."""

    user_id = models.IntegerField(null=True, db_index=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from sangathan.logins.sessions import SessionStore  # the store module imports this one

        return SessionStore
