"""The message cascade: a message drafted at one unit, optionally approved by a second person, sent down
the subtree to a chosen level, and tracked unit by unit (reached, acknowledged, shared).

Sending writes one ``Delivery`` per target unit set-based (one INSERT … SELECT per chunk: a child of the
message's unit with its whole subtree), and a ``Rollup`` row per (unit, level) inside each chunk with the
counts the tracking page shows, so that page reads a handful of rows even for 1.05 million deliveries
(see docs/adr/0004-message-cascade.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sangathan.access.scoping import FromAbove, ScopedManager, ScopeRule
from sangathan.org.models import Level, Unit


class ApprovalRule(models.Model):
    """Whether messages of a unit's subtree need a second person's approval (four-eyes) before they go out.

    The nearest rule at or above a message's unit applies; without any rule, no approval is needed.
    """

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    four_eyes = models.BooleanField(_("a second person must approve"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")

    def __str__(self) -> str:
        return f"{self.unit}: {self.four_eyes}"


class Message(models.Model):
    """One message of the cascade, from draft to sent. ``unit`` is the root of the subtree it goes to
    (the sender's unit or one below it); deliveries go to every unit under it down to ``target_level``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    class Priority(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("send to the area of"))
    target_level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", verbose_name=_("down to"))
    title = models.CharField(_("title"), max_length=150)
    body_hi = models.TextField(_("message (Hindi)"), blank=True, max_length=4000)
    body_en = models.TextField(_("message (English)"), blank=True, max_length=4000)
    text_whatsapp = models.TextField(_("WhatsApp text"), blank=True, max_length=4000)
    text_x = models.TextField(_("X post"), blank=True, max_length=1000)
    text_facebook = models.TextField(_("Facebook / Instagram caption"), blank=True, max_length=4000)
    text_telegram = models.TextField(_("Telegram text"), blank=True, max_length=4000)
    hashtags = models.CharField(_("hashtags"), max_length=300, blank=True)
    call_to_action = models.CharField(_("call to action"), max_length=200, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    image = models.ImageField(_("image"), upload_to="outreach/%Y/%m/", blank=True)
    media_url = models.URLField(_("link to a picture, PDF or video"), blank=True, max_length=500)
    ack_within_hours = models.PositiveSmallIntegerField(
        _("acknowledge within (hours)"), default=24, help_text=_("Units that acknowledge later count as late.")
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    deliveries_total = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)

    # Messages of the user's area; to view, also the sent messages that came down to it from above (the
    # tracking shows only the user's part).
    scope_rule = ScopeRule("unit__path", from_above=FromAbove(when=Q(status__in=["sending", "sent"])))
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                name="outreach_message_approver_is_not_author",
            ),
            models.CheckConstraint(condition=~Q(body_hi="", body_en=""), name="outreach_message_has_body"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "awaiting", "approved", "sending", "sent"]),
                name="outreach_message_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "awaiting", "approved"]) | Q(sent_at__isnull=False),
                name="outreach_message_sent_has_sent_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "sent_at"], name="outreach_msg_status_sent")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_sent(self) -> bool:
        return self.status in (self.Status.SENDING, self.Status.SENT)

    def variants(self) -> list[tuple[str, str, str]]:
        """(code, label, text) of each platform's text that is filled in; the body when none is."""
        hashtags = self.hashtags.strip()
        items = [
            ("whatsapp", "WhatsApp", self.text_whatsapp),
            ("x", "X", self.text_x),
            ("facebook", "Facebook / Instagram", self.text_facebook),
            ("telegram", "Telegram", self.text_telegram),
        ]
        result = [(code, label, text) for code, label, text in items if text.strip()]
        if not result:
            body = self.body_hi or self.body_en
            if hashtags and hashtags not in body:
                body = f"{body}\n\n{hashtags}"
            result = [("whatsapp", "WhatsApp", body)]
        return result


class SendChunk(models.Model):
    """One piece of a send: a child of the message's unit with its subtree. ``pending`` → ``written``
    (deliveries and roll-ups committed in one transaction) → ``done`` (notifications queued). A re-run
    skips what is done, so a worker dying mid-send loses and duplicates nothing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        WRITTEN = "written", _("Deliveries written")
        DONE = "done", _("Done")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="chunks")
    root = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    deliveries = models.PositiveIntegerField(default=0)
    notifications = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "root"], name="outreach_chunk_unique")]


class Delivery(models.Model):
    """The message at one unit: what the unit did with it. ``path``, ``depth`` and ``level`` are copied from
    the unit when the delivery is written, so subtree counts need no join."""

    # No database FK constraints and no FK indexes on these three: the rows are written only by INSERT … SELECT
    # from the unit table (valid by construction), and at a million rows each per-row FK trigger or index
    # costs about as much as the insert itself. The two indexes below lead with the message and with the
    # unit, so they serve the message's pages, a unit's history and Django's on_delete (CASCADE / PROTECT);
    # a level is deleted rarely enough to scan for.
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="deliveries", db_constraint=False, db_index=False
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False)
    path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False)
    created_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    cannot_at = models.DateTimeField(null=True, blank=True)
    ack_seconds = models.PositiveIntegerField(null=True, blank=True)
    share_seconds = models.PositiveIntegerField(null=True, blank=True)
    share_url = models.URLField(max_length=500, blank=True)
    share_note = models.CharField(max_length=300, blank=True)
    cannot_reason = models.CharField(max_length=300, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            # (unit, message): also serves a unit's history, so no separate index on unit.
            models.UniqueConstraint(fields=["unit", "message"], name="outreach_delivery_one_per_unit"),
            models.CheckConstraint(
                condition=Q(shared_at__isnull=True) | Q(acknowledged_at__isnull=False),
                name="outreach_delivery_shared_is_acknowledged",
            ),
        ]
        indexes = [
            models.Index(fields=["message", "path"], name="outreach_delivery_msg_path"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.unit_id}"

    @property
    def status(self) -> str:
        if self.shared_at:
            return "shared"
        if self.cannot_at:
            return "cannot"
        if self.acknowledged_at:
            return "acknowledged"
        if self.opened_at:
            return "opened"
        return "silent"

    @property
    def status_label(self) -> str:
        return {
            "shared": _("shared"),
            "cannot": _("cannot share"),
            "acknowledged": _("received"),
            "opened": _("opened"),
            "silent": _("silent"),
        }[self.status]


class Rollup(models.Model):
    """For one message, one unit (by path) and one level: how many units of that level in the unit's subtree
    (the unit itself included) got the message, opened it, acknowledged, shared, or could not share.

    Written set-based with the deliveries of each chunk and kept true by the acknowledgement service in the
    same transaction. Rows exist only from the chunk roots (children of the message's unit) down, so two
    chunks never write the same row; the message's own unit is the sum of its children's rows."""

    # Indexed by the unique (message, path, level) below only, for the same reasons as ``Delivery``.
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    path = models.CharField(max_length=255)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False)
    total = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    shared = models.PositiveIntegerField(default=0)
    cannot = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "path", "level"], name="outreach_rollup_unique")]


class RollupDelta(models.Model):
    """An answer not yet counted in the roll-ups: +1 (or -1) per counter, for the answering unit's path and
    level. Answers only append here (no two answers wait for the same row), and ``rollups_fold`` adds the
    deltas of a message to its ``Rollup`` rows set-based and deletes them in one transaction, before any
    read of the roll-ups; so the counts a page shows are always exact."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    path = models.CharField(max_length=255)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    opened = models.SmallIntegerField(default=0)
    acknowledged = models.SmallIntegerField(default=0)
    shared = models.SmallIntegerField(default=0)
    cannot = models.SmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["message"], name="outreach_delta_message")]


class TrendDrive(models.Model):
    """A scheduled hashtag campaign: a message of the cascade carrying ``hashtag``, with a window in which the
    units below post with it and a target of posts per unit at each level (``TrendDriveTarget``).

    The proofs are the message's own "shared" answers with a link (one per unit: ``Delivery.share_url``)
    given inside the window, so the live count per level is one grouped read of the message's deliveries
    over the (message, path) index (``outreach.drives``). ``unit`` is the message's, copied so the drive is
    scoped like its message without a join: seen in the sender's area, and from below once the message is
    out."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="trend_drive")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    hashtag = models.CharField(_("hashtag"), max_length=61)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule("unit__path", from_above=FromAbove(when=Q(message__status__in=["sending", "sent"])))
    objects = ScopedManager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("trend drive")
        verbose_name_plural = _("trend drives")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="outreach_drive_window_order"),
        ]
        indexes = [models.Index(fields=["ends_at"], name="outreach_drive_ends")]  # the wall's live drives

    def __str__(self) -> str:
        return self.hashtag

    def is_live(self, now) -> bool:
        return self.starts_at <= now <= self.ends_at


class TrendDriveTarget(models.Model):
    """How many posts with the drive's hashtag each unit of ``level`` should make during the window."""

    drive = models.ForeignKey(TrendDrive, on_delete=models.CASCADE, related_name="targets")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", verbose_name=_("level"))
    posts_per_unit = models.PositiveSmallIntegerField(_("posts per unit"))

    scope_rule = ScopeRule(
        "drive__unit__path", from_above=FromAbove(when=Q(drive__message__status__in=["sending", "sent"]))
    )
    objects = ScopedManager()

    class Meta:
        verbose_name = _("trend drive target")
        verbose_name_plural = _("trend drive targets")
        constraints = [
            models.UniqueConstraint(fields=["drive", "level"], name="outreach_drive_target_unique"),
            models.CheckConstraint(
                condition=Q(posts_per_unit__gte=1, posts_per_unit__lte=100), name="outreach_drive_target_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drive_id} {self.level_id}: {self.posts_per_unit}"
