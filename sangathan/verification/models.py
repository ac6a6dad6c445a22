"""Proof that whoever is asking holds a mobile number: a one-time code sent to it (docs/security.md,
"Mobile ownership").

A mobile number or a reference number is never proof of who is asking: both are written on posters,
forwarded in groups and typed into forms by others. What proves it is a code that only the phone
received. Every public action that reads or changes somebody's data asks for one.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MobileChallenge(models.Model):
    """One code sent to one mobile number, for one purpose and one subject (e.g. "the status of the
    application with reference RJ-2026-7K4Q"). The code itself is never stored: only a salted HMAC of it.
    It is valid for ``VERIFICATION_CODE_SECONDS`` (5 minutes), for ``VERIFICATION_MAX_TRIES`` (5) tries,
    once; a newer code for the same purpose, subject and number replaces it."""

    class Purpose(models.TextChoices):
        APPLICATION = "application", _("checking or changing an application")
        MEMBERSHIP = "membership", _("joining as a member")
        SIGN_IN = "sign_in", _("signing in to an office-bearer's login")

    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    # What the code unlocks, so that a code asked for one thing opens nothing else.
    subject = models.CharField(_("subject"), max_length=64)
    mobile = models.CharField(_("mobile number"), max_length=16)
    salt = models.CharField(max_length=32)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    requested_from = models.GenericIPAddressField(_("asked from"), null=True, blank=True)
    message = models.ForeignKey(
        "notifications.OutboxMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("mobile verification code")
        verbose_name_plural = _("mobile verification codes")
        indexes = [
            # "the codes sent to this number in the last hour" and "the open code for this subject"
            models.Index(fields=["mobile", "created_at"], name="challenge_mobile_recent"),
            models.Index(fields=["purpose", "subject", "mobile"], name="challenge_subject"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(tries__lte=100), name="challenge_tries_bounded"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="challenge_expires_later"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.created_at:%Y-%m-%d %H:%M})"
