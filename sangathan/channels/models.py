"""The channel registry: each unit's WhatsApp groups, broadcast lists and social accounts.

A channel belongs to one unit. Removing a channel deactivates it (who, when, why) and keeps the
row, so the history of a booth's groups survives. Links are stored normalised (see
``sangathan.channels.links``) so the same group typed two ways is recognised as one.
The registry feeds the plan's "booth WhatsApp group + broadcast list" milestone through
``sangathan.channels.selectors.unit_ids_with_platforms``.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangathan.access.scoping import ScopedManager, ScopedQuerySet, ScopeRule
from sangathan.channels import links
from sangathan.channels.choices import ACCOUNT_PLATFORMS, PLATFORM_BADGES, Platform
from sangathan.core.fields import actor_field
from sangathan.core.validators import validate_plain_text
from sangathan.org.models import Person, Unit


class ChannelQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Channel(models.Model):
    """One communication channel of a unit: a WhatsApp group, a broadcast list, a page, an account."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="channels", verbose_name=_("unit"))
    platform = models.CharField(_("platform"), max_length=24, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=150, validators=[validate_plain_text])
    link = models.CharField(
        _("link or handle"),
        max_length=300,
        blank=True,
        help_text=_("Invite link, page address or @handle. WhatsApp broadcast lists have none."),
    )
    owner_mobile = models.CharField(
        _("phone it is run from"),
        max_length=16,
        blank=True,
        help_text=_("For a WhatsApp broadcast list: the mobile number that holds the list."),
    )
    admins = models.ManyToManyField(Person, blank=True, related_name="channels_admin_of", verbose_name=_("admins"))
    other_admin_mobiles = models.JSONField(
        _("other admins' mobile numbers"),
        default=list,
        blank=True,
        help_text=_("Admins who are not yet in the system, by mobile number (+91XXXXXXXXXX)."),
    )
    member_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    created_on = models.DateField(_("date created"), null=True, blank=True)
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True)
    last_verified_by = actor_field()
    is_active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    deactivated_by = actor_field()
    deactivation_reason = models.CharField(_("reason for removal"), max_length=500, blank=True)
    created_by = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = ScopeRule("unit__path")
    objects = ChannelQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "platform", "name", "id"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "link"],
                condition=Q(is_active=True) & ~Q(link=""),
                name="channel_one_active_per_link",
            ),
            models.UniqueConstraint(
                fields=["unit", "platform", "name"],
                condition=Q(is_active=True),
                name="channel_one_active_name_per_unit",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="channel_has_a_name"),
            models.CheckConstraint(
                condition=Q(platform="whatsapp_broadcast") | ~Q(link=""),
                name="channel_link_unless_broadcast",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, deactivated_at__isnull=True) | Q(is_active=False),
                name="channel_active_not_deactivated",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "platform"], condition=Q(is_active=True), name="channel_active_unit_platform"),
            models.Index(fields=["platform", "unit"], condition=Q(is_active=True), name="channel_active_platform_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.name}"

    @property
    def url(self) -> str:
        """An address to open the channel, or '' (broadcast lists)."""
        return links.channel_url(self.platform, self.link)

    @property
    def badge(self) -> str:
        """Two Latin letters for the platform's round badge (brand names are written in Latin script)."""
        return PLATFORM_BADGES.get(self.platform, "?")

    @property
    def short_link(self) -> str:
        return links.short_link(self.link)

    @property
    def is_account(self) -> bool:
        """An official account whose numbers the control room follows (not a WhatsApp group or list)."""
        return self.platform in ACCOUNT_PLATFORMS

    @property
    def is_stale(self) -> bool:
        """Not verified in the last 90 days (or never)."""
        checked = self.last_verified_on or self.created_on
        return checked is None or (timezone.localdate() - checked) > datetime.timedelta(days=90)


class ChannelImport(models.Model):
    """A web upload of a channel sheet, a job for the worker: checked (a dry run, shown as a preview),
    confirmed, imported. The web request only stores the bytes; reading the sheet, which can be slow or
    hostile (a zip bomb), happens in a Celery task. The bytes stay in this row until the import has
    run, so any web server or worker machine can read them."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("being checked")
        CHECKED = "checked", _("checked, not confirmed")
        IMPORTING = "importing", _("importing")
        IMPORTED = "imported", _("imported")
        FAILED = "failed", _("failed")

    root = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="channel_imports", verbose_name=_("unit"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    content = models.BinaryField(editable=False)
    original_name = models.CharField(_("file"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKING)
    checked_ok = models.BooleanField(default=False)
    language = models.CharField(max_length=10, blank=True)  # the uploader's, for the worker's messages
    report = models.JSONField(default=dict, blank=True)  # the last check's or run's findings, for the page
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope_rule = ScopeRule("root__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("channel import")
        verbose_name_plural = _("channel imports")

    def __str__(self) -> str:
        return f"{self.original_name} → {self.root}"

    @property
    def busy(self) -> bool:
        """The worker has it (checking or importing): the page polls."""
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)


class ChannelSnapshot(models.Model):
    """One day's numbers of an official account (followers, posts, reach, impressions), from an export file
    people download from the platform or from the platform's API.

    One row per channel and day (a unique constraint): a file imported again, or an API run repeated,
    updates the day's row and never adds a second. Every number is nullable because no platform gives them
    all: an X export has impressions and new follows but no follower total, the Telegram Bot API only a
    member count. A later source fills what it gives and leaves the rest of the day's row as it was.
    """

    class Source(models.TextChoices):
        EXPORT = "export", _("export file")
        API = "api", _("platform API")

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("channel"))
    day = models.DateField(_("day"))
    followers = models.PositiveBigIntegerField(_("followers"), null=True, blank=True)
    followers_change = models.BigIntegerField(
        _("change in followers"), null=True, blank=True, help_text=_("New followers less those who left, that day.")
    )
    posts = models.PositiveIntegerField(_("posts that day"), null=True, blank=True)
    posts_total = models.PositiveBigIntegerField(_("posts in all"), null=True, blank=True)
    reach = models.PositiveBigIntegerField(_("reach"), null=True, blank=True)
    impressions = models.PositiveBigIntegerField(_("impressions"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    scope_rule = ScopeRule("channel__unit__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["channel", "day"]
        verbose_name = _("channel snapshot")
        verbose_name_plural = _("channel snapshots")
        constraints = [
            models.UniqueConstraint(fields=["channel", "day"], name="channel_snapshot_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.day}"


class ChannelCredential(models.Model):
    """How the daily run reads an official account's numbers from the platform's API: the account's id there
    and an access token (a bot token for Telegram, an API key for YouTube).

    The token is stored encrypted (``sangathan.channels.secrets``, Fernet with ``CHANNEL_CREDENTIAL_KEYS``), is
    never shown back on a page, in the admin, the API, the audit trail or a log: it can only be replaced or
    removed. A platform that refuses it (expired, revoked) marks the credential as needing attention, shown on
    the channel's page until somebody sets a new one. A rate limit sets ``retry_after``: the next run resumes
    from the last day fetched, so no day is lost.
    """

    class Status(models.TextChoices):
        OK = "ok", _("working")
        ATTENTION = "attention", _("needs attention")

    channel = models.OneToOneField(
        Channel, on_delete=models.CASCADE, related_name="credential", verbose_name=_("channel")
    )
    account_id = models.CharField(
        _("account id on the platform"),
        max_length=100,
        help_text=_("X user id, Facebook Page id, Instagram account id, YouTube channel id or Telegram chat id."),
    )
    token_encrypted = models.BinaryField(editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OK)
    last_error = models.CharField(_("last problem"), max_length=500, blank=True)
    retry_after = models.DateTimeField(_("wait until"), null=True, blank=True)
    fetched_through = models.DateField(_("numbers fetched through"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    set_by = actor_field()
    set_at = models.DateTimeField(_("set at"), default=timezone.now)  # moved by each new token (in the trail)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = ScopeRule("channel__unit__path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("channel API access")
        verbose_name_plural = _("channels' API access")
        constraints = [models.CheckConstraint(condition=~Q(account_id=""), name="channel_credential_has_account")]

    def __str__(self) -> str:
        return f"{self.channel_id}: {self.account_id}"

    @property
    def needs_attention(self) -> bool:
        return self.status == self.Status.ATTENTION
