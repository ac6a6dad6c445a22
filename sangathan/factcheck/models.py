"""The fact-check desk's claims: a rumour the desk has checked (or is checking), in several languages.

A claim is known to the outside by its ``external_id`` (the ``id`` column of ``sangathan factcheck-load``,
an archive's ClaimReview URL or a desk's own reference), so loading the same file twice finds the same
claims. Its texts — one per language: Hindi, English, Hindi written in Latin letters — each carry their
normalised key (``sangathan.factcheck.normalise``), which is what the matcher compares; a claim is
matched by the best of its texts.

A claim raised by a district desk belongs to that district; a claim of the national or state desk, or
one loaded from an archive, may belong to no unit (``unit`` empty).

The desk's workflow (triage, verification, publication, rebuttals) builds on ``status`` and ``verdict``;
only the fields the matcher and the loader need are here so far.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sangathan.access.scoping import ScopedManager, ScopeRule, Shared
from sangathan.org.models import Unit

EXTERNAL_ID_MAX = 100
TEXT_MAX = 5000  # characters; a forwarded rumour is rarely over 2,000. Longer rows are refused by the loader.


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
        ]

    def __str__(self) -> str:
        return self.external_id


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
