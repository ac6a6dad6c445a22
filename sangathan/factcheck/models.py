"""The fact-check desk's claims: a rumour the desk has checked (or is checking), in several languages.

A claim is known to the outside by its ``external_id`` (the ``id`` column of ``sangathan factcheck-load``,
an archive's ClaimReview URL or a desk's own reference), so loading the same file twice finds the same
claims. Its texts — one per language: Hindi, English, Hindi written in Latin letters — each carry their
normalised key (``sangathan.factcheck.normalise``), which is what the matcher compares; a claim is
matched by the best of its texts.

A claim raised by a district desk belongs to that district; a claim of the national or state desk, or
one loaded from an archive, may belong to no unit (``unit`` empty).

The desk's workflow (triage, verification, publication, rebuttals) builds on ``status`` and ``verdict``;
a claim is published when its status is ``published`` (``published_at`` says since when): a tip that
repeats a published claim is answered at once.

Tips are what people send in: through the public tipline, WhatsApp, Telegram or an office-bearer's
cascade link. Each is matched to the claims on arrival and joins a ``TipCluster`` of tips that repeat
the same rumour, whose counters (tips, districts) are moved by the same transaction that stores the tip.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sangathan.access.scoping import ScopedManager, ScopeRule, Shared
from sangathan.org.models import Unit

EXTERNAL_ID_MAX = 100
TEXT_MAX = 5000  # characters; a forwarded rumour is rarely over 2,000. Longer rows are refused by the loader.
REBUTTAL_MAX = 4000  # as the cascade's message bodies (outreach.Message)
REBUTTAL_X_MAX = 1000  # as outreach.Message.text_x; the 280-character rule is checked when it is sent
ARCHIVE_FIELD_MAX = 200


class Language(models.TextChoices):
    """Languages a claim text may be in. ``hi-Latn`` is Hindi written in Latin letters (Hinglish)."""

    HINDI = "hi", _("Hindi")
    ENGLISH = "en", _("English")
    HINGLISH = "hi-Latn", _("Hindi in Latin letters (Hinglish)")


class Verdict(models.TextChoices):
    FALSE = "false", _("False")
    MISLEADING = "misleading", _("Misleading")
    TRUE = "true", _("True")
    UNVERIFIED = "unverified", _("Unverified")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


class Status(models.TextChoices):
    NEW = "new", _("New")
    TRIAGE = "triage", _("Triage")
    VERIFYING = "verifying", _("Verifying")
    VERDICT = "verdict", _("Verdict given")
    PUBLISHED = "published", _("Published")


class Claim(models.Model):
    """A rumour the desk checks once and answers every time it comes back."""

    external_id = models.CharField(_("reference"), max_length=EXTERNAL_ID_MAX, unique=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("unit"),
        help_text=_("The unit whose desk raised the claim; empty for the national desk and imported archives."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, default=Verdict.UNVERIFIED)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The desk (issue 14): who checks it, since when it has been in its status (the SLA clock,
    # ``desk.sla_hours``), its escalation to the state control room (once: ``escalated_at``), the rebuttal
    # with its per-platform variants, the cascade message that carried it (once: ``rebuttal_message``) and,
    # for a claim imported from an archive, the review's own address, author and wording of the rating.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    status_since = models.DateTimeField(_("in this status since"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("escalated to")
    )
    rebuttal_hi = models.TextField(_("rebuttal (Hindi)"), blank=True, max_length=REBUTTAL_MAX)
    rebuttal_en = models.TextField(_("rebuttal (English)"), blank=True, max_length=REBUTTAL_MAX)
    rebuttal_whatsapp = models.TextField(_("WhatsApp text"), blank=True, max_length=REBUTTAL_MAX)
    rebuttal_x = models.TextField(_("X post"), blank=True, max_length=REBUTTAL_X_MAX)
    rebuttal_facebook = models.TextField(_("Facebook post"), blank=True, max_length=REBUTTAL_MAX)
    rebuttal_message = models.ForeignKey(
        "outreach.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rebuttal message"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    review_url = models.URLField(_("fact-check address"), max_length=2000, blank=True)
    review_author = models.CharField(_("checked by"), max_length=ARCHIVE_FIELD_MAX, blank=True)
    rating_text = models.CharField(_("rating as written"), max_length=ARCHIVE_FIELD_MAX, blank=True)
    claimant = models.CharField(_("said by"), max_length=ARCHIVE_FIELD_MAX, blank=True)

    # A claim of no unit (the national desk's, an imported archive) is meant for every desk.
    scope_rule = ScopeRule("unit__path", shared=Shared(Q(unit__isnull=True)))
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.CheckConstraint(condition=~Q(external_id=""), name="factcheck_claim_has_reference"),
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values), name="factcheck_claim_verdict_known"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="factcheck_claim_status_known"),
            models.CheckConstraint(
                condition=Q(status=Status.PUBLISHED, published_at__isnull=False) | ~Q(status=Status.PUBLISHED),
                name="factcheck_claim_published_has_time",
            ),
        ]
        # The SLA sweep looks for claims of a status in it since before a moment, not yet escalated.
        indexes = [models.Index(fields=["status", "status_since"], name="factcheck_claim_status_since")]

    def __str__(self) -> str:
        return self.external_id

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class ClaimText(models.Model):
    """The claim as written in one language, with its matching key (``normalise(text)``)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="texts", verbose_name=_("claim"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    key = models.TextField(_("matching key"), editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = ScopeRule("claim__unit__path", shared=Shared(Q(claim__unit__isnull=True)))
    objects = ScopedManager()

    class Meta:
        ordering = ["claim_id", "language"]
        verbose_name = _("claim text")
        verbose_name_plural = _("claim texts")
        constraints = [
            models.UniqueConstraint(fields=["claim", "language"], name="factcheck_one_text_per_language"),
            models.CheckConstraint(condition=~Q(text=""), name="factcheck_claimtext_has_text"),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="factcheck_claimtext_language_known"
            ),
        ]
        # The matcher's freshness check reads max(id) and max(updated_at) on every match.
        indexes = [models.Index(fields=["updated_at"], name="factcheck_claimtext_updated")]

    def __str__(self) -> str:
        return f"{self.claim_id} [{self.language}]"


class ClaimLoad(models.Model):
    """One run of ``sangathan factcheck-load`` that changed something: which file (its name and SHA-256),
    who, and what it added. The audit trail's entries for the bulk inserts hang on it."""

    file_name = models.CharField(_("file"), max_length=255)
    digest = models.CharField(_("SHA-256 of the file"), max_length=64)
    claims_new = models.PositiveIntegerField(_("new claims"), default=0)
    texts_new = models.PositiveIntegerField(_("new texts"), default=0)
    texts_changed = models.PositiveIntegerField(_("changed texts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("claims file loaded")
        verbose_name_plural = _("claims files loaded")

    def __str__(self) -> str:
        return self.file_name


TIP_TEXT_MAX = TEXT_MAX
LINK_MAX = 2000
REFERENCE_MAX = 16
PROVIDER_ID_MAX = 200


class TipChannel(models.TextChoices):
    """How a tip reached the desk."""

    WEB = "web", _("Tipline form")
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    CASCADE = "cascade", _("Cascade link")


class Tier(models.TextChoices):
    """The matcher's tier (``matching``): auto links the tip to the claim; suggest offers it to the desk."""

    AUTO = "auto", _("Linked automatically")
    SUGGEST = "suggest", _("Suggested")
    NONE = "none", _("No match")


class SeenOn(models.TextChoices):
    """Where an office-bearer saw the rumour they reported from a personal link (``reported``)."""

    WHATSAPP = "whatsapp", _("WhatsApp group")
    FACEBOOK = "facebook", "Facebook"
    X = "x", "X (Twitter)"
    YOUTUBE = "youtube", "YouTube"
    OTHER = "other", _("Somewhere else")


class ReportSource(models.TextChoices):
    """Which personal link a rumour was reported from (``reported``)."""

    CASCADE = "cascade", _("Message link")
    REPORT = "report", _("Daily report link")


class TipCluster(models.Model):
    """Tips that repeat one rumour: the first tip's key stands for them all, and the counters say how often
    and in how many districts it came (moved in the transaction that stores each tip, never counted on a
    page). A cluster that tips auto-linked to a claim carries that claim (one cluster per claim)."""

    key = models.TextField(_("matching key"), editable=False)
    claim = models.OneToOneField(
        Claim, on_delete=models.SET_NULL, null=True, blank=True, related_name="cluster", verbose_name=_("claim")
    )
    tip_count = models.PositiveIntegerField(_("tips"), default=0)
    district_count = models.PositiveIntegerField(_("districts"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_tip_at = models.DateTimeField(_("last tip at"), null=True, blank=True)

    # A rumour's words and counts, no personal data: seen like its claim, and by every desk without one.
    scope_rule = ScopeRule("claim__unit__path", shared=Shared(Q(claim__isnull=True) | Q(claim__unit__isnull=True)))
    objects = ScopedManager()

    class Meta:
        ordering = ["-last_tip_at", "id"]
        verbose_name = _("tip cluster")
        verbose_name_plural = _("tip clusters")

    def __str__(self) -> str:
        return f"cluster {self.pk} ({self.tip_count})"


class TipClusterDistrict(models.Model):
    """A district a cluster's tips came from: the row that moves ``TipCluster.district_count`` once."""

    cluster = models.ForeignKey(TipCluster, on_delete=models.CASCADE, related_name="districts")
    district = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    scope_rule = ScopeRule("district__path")
    objects = ScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cluster", "district"], name="factcheck_cluster_district_once"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id} / {self.district_id}"


class Tip(models.Model):
    """One report of a rumour: its text, link and pictures, where it came from and how to answer it.

    ``reply_mobile`` (tipline, WhatsApp) and ``reply_chat`` (Telegram) are personal data: lists show them
    masked and the audit trail stores them masked. ``provider_message_id`` is the WhatsApp or Telegram
    message id, or for a rumour reported from a personal link the digest of the report: a webhook delivered
    twice, or a report sent twice, stores the tip once. ``claim`` is the matcher's best claim (``tier`` says
    whether it was linked or only suggested).

    A tip reported from an office-bearer's personal link (``reported``) says where they saw it
    (``seen_on``), which link (``reported_from``) and whose: the appointment of the daily report link, or
    the delivery (a message at their unit) of the cascade link; other tips leave the four empty."""

    reference = models.CharField(_("reference number"), max_length=REFERENCE_MAX, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=TipChannel.choices)
    text = models.TextField(_("text"), max_length=TIP_TEXT_MAX, blank=True)
    link = models.URLField(_("link"), max_length=LINK_MAX, blank=True)
    key = models.TextField(_("matching key"), editable=False, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.HINDI)
    forwarded = models.BooleanField(_("forwarded"), default=False)
    reply_mobile = models.CharField(_("mobile number for a reply"), max_length=16, blank=True)
    reply_chat = models.CharField(_("Telegram chat for a reply"), max_length=32, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="tips", verbose_name=_("unit")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    provider_message_id = models.CharField(_("provider message id"), max_length=PROVIDER_ID_MAX, blank=True)
    claim = models.ForeignKey(
        Claim, on_delete=models.SET_NULL, null=True, blank=True, related_name="tips", verbose_name=_("claim")
    )
    tier = models.CharField(_("match"), max_length=8, choices=Tier.choices, default=Tier.NONE)
    score = models.FloatField(_("score"), default=0.0)
    cluster = models.ForeignKey(TipCluster, on_delete=models.PROTECT, related_name="tips", verbose_name=_("cluster"))
    seen_on = models.CharField(_("seen on"), max_length=16, choices=SeenOn.choices, blank=True)
    reported_from = models.CharField(_("reported from"), max_length=16, choices=ReportSource.choices, blank=True)
    # Who reported it stays on the record: an appointment with tips is not deleted (it is ended, never
    # deleted, in the product). A delivery goes only with its message (the benchmark's clean-up, a test), and
    # the tip then keeps its place and link kind without the delivery.
    reported_appointment = models.ForeignKey(
        "org.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by the office-bearer"),
    )
    reported_delivery = models.ForeignKey(
        "outreach.Delivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported from the message"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # A tip of no known place (the public tipline, an unknown WhatsApp number) is for the state and
    # national desks, not for every district's.
    scope_rule = ScopeRule("unit__path", unitless=Q(unit__isnull=True), unitless_depth=2)
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="factcheck_tip_provider_message_once",
            ),
            models.CheckConstraint(condition=Q(channel__in=TipChannel.values), name="factcheck_tip_channel_known"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="factcheck_tip_tier_known"),
            models.CheckConstraint(
                condition=Q(seen_on="") | Q(seen_on__in=SeenOn.values), name="factcheck_tip_seen_on_known"
            ),
            models.CheckConstraint(
                condition=Q(reported_from="") | Q(reported_from__in=ReportSource.values),
                name="factcheck_tip_reported_from_known",
            ),
            # The appointment only on a daily report link's tip, the delivery only on a cascade link's.
            models.CheckConstraint(
                condition=(Q(reported_appointment__isnull=True) | Q(reported_from=ReportSource.REPORT))
                & (Q(reported_delivery__isnull=True) | Q(reported_from=ReportSource.CASCADE)),
                name="factcheck_tip_reported_link_matches",
            ),
        ]
        indexes = [models.Index(fields=["unit", "-created_at"], name="factcheck_tip_unit_recent")]

    def __str__(self) -> str:
        return self.reference


IMAGE_HASH_LENGTH = 16  # hex digits of a 64-bit perceptual hash (images.py)
HASH_BANDS = 4  # each hash split into this many 16-bit bands, indexed: the near-duplicate search (images.py)
BAND_FIELDS = tuple(f"{kind}_band{n}" for kind in ("phash", "dhash") for n in range(HASH_BANDS))


def hash_bands(phash: str, dhash: str) -> dict[str, int | None]:
    """{band field: its 16 bits} of two hashes of 16 hex digits (None for a missing hash): the columns the
    near-duplicate search looks candidates up in (``images.near_rows``)."""
    found: dict[str, int | None] = {}
    for kind, value in (("phash", phash), ("dhash", dhash)):
        bits = int(value, 16) if value else None
        for n in range(HASH_BANDS):
            found[f"{kind}_band{n}"] = None if bits is None else (bits >> (16 * n)) & 0xFFFF
    return found


def _band(label: str) -> models.IntegerField:
    return models.IntegerField(label, null=True, blank=True, editable=False, db_index=True)


class ImageError(models.TextChoices):
    """Why a picture could not be analysed (``images.open_picture``); the file is kept all the same."""

    NOT_AN_IMAGE = "not_an_image", _("Not a picture")
    TOO_LARGE = "too_large", _("Too large")
    TOO_MANY_PIXELS = "too_many_pixels", _("Too many pixels")
    MISSING = "missing", _("File missing")
    UNAVAILABLE = "unavailable", _("Could not be fetched")
    DAMAGED = "damaged", _("Damaged in download")  # the bytes differ from the provider's sha256 (media.py)


class TipMedia(models.Model):
    """A picture sent with a tip: a file in Django's storage (tipline uploads, checked to be an image) or
    the provider's media id (WhatsApp, Telegram), fetched by the desk when needed.

    After the tip is stored a task (``images.analyse_tip_images``) gives it its perceptual hashes (pHash and
    dHash, 16 hex digits each: the near-duplicate search) and the text Tesseract reads in it (matched like
    a typed tip), once: ``analysed_at``. A file that could not be read keeps the reason in ``error``."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(_("file"), upload_to="factcheck/tips/%Y/%m/", blank=True)
    provider_media_id = models.CharField(_("provider media id"), max_length=PROVIDER_ID_MAX, blank=True)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    phash = models.CharField(_("pHash"), max_length=IMAGE_HASH_LENGTH, blank=True, editable=False)
    dhash = models.CharField(_("dHash"), max_length=IMAGE_HASH_LENGTH, blank=True, editable=False)
    # The two hashes' 16-bit bands (``hash_bands``), set with them: indexed, so the near-duplicate search
    # reads only the pictures sharing a band within a few bits (images.py), not every stored picture.
    phash_band0, phash_band1, phash_band2, phash_band3 = (_band(f"pHash band {n}") for n in range(HASH_BANDS))
    dhash_band0, dhash_band1, dhash_band2, dhash_band3 = (_band(f"dHash band {n}") for n in range(HASH_BANDS))
    ocr_text = models.TextField(_("text read in the picture"), blank=True, editable=False)
    error = models.CharField(_("could not be read"), max_length=16, choices=ImageError.choices, blank=True)
    analysed_at = models.DateTimeField(_("analysed at"), null=True, blank=True, editable=False)
    # A provider's picture is downloaded by a task (``media.fetch_tip_media``): when it was last queued (the
    # sweep queues again one whose task was lost) and how many downloads were tried (``media``).
    fetch_queued_at = models.DateTimeField(_("fetch queued at"), null=True, blank=True, editable=False)
    fetch_attempts = models.PositiveSmallIntegerField(_("fetch attempts"), default=0, editable=False)

    scope_rule = ScopeRule("tip__unit__path", unitless=Q(tip__unit__isnull=True), unitless_depth=2)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("tip picture")
        verbose_name_plural = _("tip pictures")
        constraints = [
            models.CheckConstraint(condition=~Q(file="", provider_media_id=""), name="factcheck_tipmedia_has_source"),
            models.CheckConstraint(
                condition=Q(error="") | Q(error__in=ImageError.values), name="factcheck_tipmedia_error_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tip_id}: {self.content_type}"

    @property
    def is_video(self) -> bool:
        """A video is kept as the provider's media id and not analysed (no video analysis)."""
        return self.content_type.startswith("video/") or self.content_type == "video"


class LinkKind(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence")
    APPEARANCE = "appearance", _("Where it appeared")


class ClaimLink(models.Model):
    """A web address for a claim: evidence that answers it, or a place where the rumour appeared (the
    ClaimReview's ``itemReviewed.appearance``)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links", verbose_name=_("claim"))
    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices, default=LinkKind.EVIDENCE)
    url = models.URLField(_("link"), max_length=LINK_MAX)
    title = models.CharField(_("title"), max_length=ARCHIVE_FIELD_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule("claim__unit__path", shared=Shared(Q(claim__unit__isnull=True)))
    objects = ScopedManager()

    class Meta:
        ordering = ["claim_id", "kind", "id"]
        verbose_name = _("claim link")
        verbose_name_plural = _("claim links")
        constraints = [
            models.UniqueConstraint(fields=["claim", "kind", "url"], name="factcheck_claimlink_once"),
            models.CheckConstraint(condition=Q(kind__in=LinkKind.values), name="factcheck_claimlink_kind_known"),
        ]

    def __str__(self) -> str:
        return self.url


class ClaimFile(models.Model):
    """An evidence file (a picture or a PDF) the desk keeps with a claim; uploads are checked like the
    tipline's pictures (``desk_forms``). A picture gets its perceptual hashes (``images.hash_claim_file``),
    so a tip sending the same picture finds the claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="files", verbose_name=_("claim"))
    file = models.FileField(_("file"), upload_to="factcheck/evidence/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    phash = models.CharField(_("pHash"), max_length=IMAGE_HASH_LENGTH, blank=True, editable=False)
    dhash = models.CharField(_("dHash"), max_length=IMAGE_HASH_LENGTH, blank=True, editable=False)
    # The two hashes' 16-bit bands (``hash_bands``), set with them: indexed, so the near-duplicate search
    # reads only the pictures sharing a band within a few bits (images.py), not every stored picture.
    phash_band0, phash_band1, phash_band2, phash_band3 = (_band(f"pHash band {n}") for n in range(HASH_BANDS))
    dhash_band0, dhash_band1, dhash_band2, dhash_band3 = (_band(f"dHash band {n}") for n in range(HASH_BANDS))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule("claim__unit__path", shared=Shared(Q(claim__unit__isnull=True)))
    objects = ScopedManager()

    class Meta:
        ordering = ["claim_id", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name
