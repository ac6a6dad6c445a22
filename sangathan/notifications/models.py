"""The outbox: every message the organisation sends is a row here before it is a request to a provider."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from sangathan.org.models import Person


class OutboxMessage(models.Model):
    """One message to one recipient on one channel, written in the same transaction as the event that
    caused it and delivered afterwards by a task (``services.message_deliver``).

    The body is rendered when the message is queued, in the recipient's language, so a retry days later
    sends exactly the same text. ``idempotency_key`` is unique: the same event (e.g. "appointment 42, sms")
    can never produce two messages. Status moves pending → sending → sent, or → failed (retried at
    ``next_attempt_at`` with exponential backoff) → dead after ``NOTIFY_MAX_ATTEMPTS`` attempts or a
    permanent refusal by the provider. Times that decide delivery (``next_attempt_at``, ``claimed_at``)
    come from the database clock, so workers on several machines agree on what is due.
    """

    class Channel(models.TextChoices):
        CONSOLE = "console", _("Console (log)")
        FILE = "file", _("File")
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        WHATSAPP = "whatsapp", "WhatsApp"
        TELEGRAM = "telegram", "Telegram"

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Dead, will not retry")

    class Language(models.TextChoices):
        HINDI = "hi", _("Hindi")
        ENGLISH = "en", _("English")

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient = models.CharField(
        _("recipient"), max_length=254, help_text=_("Mobile number (+91…), email address or Telegram chat id.")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("person"),
    )
    template = models.CharField(_("template"), max_length=100)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.HINDI)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_default=Now())
    claimed_at = models.DateTimeField(
        _("sending since"), null=True, blank=True, help_text=_("When a worker took the message to send it.")
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), db_default=Now())
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The sweep: "status in (pending, failed) and next_attempt_at <= now", "status = sending and
            # claimed_at < now - 10 min" (few rows are ever sending, so the status prefix is enough).
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["console", "file", "email", "sms", "whatsapp", "telegram"]),
                name="outbox_channel_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "dead"]),
                name="outbox_status_known",
            ),
            models.CheckConstraint(condition=Q(language__in=["hi", "en"]), name="outbox_language_known"),
            models.CheckConstraint(condition=~Q(recipient=""), name="outbox_has_recipient"),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="outbox_has_idempotency_key"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outbox_sent_has_sent_at"
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False), name="outbox_sending_is_claimed"
            ),
        ]

    def __str__(self) -> str:
        # No recipient: this text is the admin page's title and breadcrumb, shown to staff who see it masked.
        return f"{self.get_channel_display()} #{self.pk} ({self.template}, {self.get_status_display()})"
