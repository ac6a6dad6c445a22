"""Personal data under India's Digital Personal Data Protection Act 2023: what each person agreed to
(``Notice`` and ``ConsentRecord``), what they asked for (``DataRequest``) and whose data was erased
(``Erasure``). See docs/privacy.md."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangathan.access.scoping import ScopedQuerySet, ScopeRule
from sangathan.core.fields import actor_field
from sangathan.core.models import bilingual
from sangathan.org.models import Person, Unit
from sangathan.privacy import subjects
from sangathan.recruitment.models import Application, Campaign


class Purpose(models.TextChoices):
    RECRUITMENT = "recruitment", _("recruitment: reading and deciding on an application")


class Notice(models.Model):
    """One version of a privacy notice, as the person read it (Hindi and English). The recruitment notice
    of a campaign is copied here, once per ``Campaign.notice_version``, the first time it is seen."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("campaign")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    text_hi = models.TextField(_("text (Hindi)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["purpose", "campaign", "version"]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        constraints = [
            models.UniqueConstraint(fields=["purpose", "campaign", "version"], name="notice_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="notice_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"

    @property
    def text(self) -> str:
        return bilingual(self.text_hi, self.text_en)


class ConsentRecordQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class ConsentRecord(models.Model):
    """Who agreed to which version of which notice, when, and when (if ever) they withdrew."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="consent_records"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True, related_name="consent_records")
    given_at = models.DateTimeField(_("consent given"))
    withdrawn_at = models.DateTimeField(_("consent withdrawn"), null=True, blank=True)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        ordering = ["given_at", "id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        constraints = [
            models.UniqueConstraint(fields=["application", "notice"], name="consent_once_per_notice"),
            models.CheckConstraint(
                condition=Q(application__isnull=False) | Q(person__isnull=False), name="consent_has_a_subject"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]


class DataRequestQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=DataRequest.Status.OPEN)


class DataRequest(models.Model):
    """A data principal's request: a copy of their data, a correction, or erasure (with withdrawal of
    consent). Raised by the person on the public status page or by an admin on their behalf."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("copy of my data")
        CORRECTION = "correction", _("correction")
        ERASURE = "erasure", _("withdraw consent and erase")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        REFUSED = "refused", _("refused")

    class Via(models.TextChoices):
        STATUS_PAGE = "status_page", _("the applicant, on the status page")
        OWN_PAGE = "own_page", _("the person, on their own data page")
        STAFF = "staff", _("an admin, on the person's behalf")
        RETENTION = "retention", _("the retention rule")

    kind = models.CharField(_("request"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    via = models.CharField(_("raised by"), max_length=12, choices=Via.choices)
    # The data principal: an application (and through its mobile, everything else) or a person.
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="data_requests"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="data_requests")
    # Or a data principal kept by an app above privacy (``privacy.subjects``: membership's "member"), named by
    # its kind and id: a generic link rather than a foreign key, as privacy may not import those apps.
    subject_kind = models.CharField(_("kind of person"), max_length=16, blank=True, default="")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Where the person lives: decides which admins see and handle the request.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    details = models.TextField(_("what should be corrected"), max_length=1000, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = actor_field()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(_("note"), max_length=500, blank=True)

    scope_rule = ScopeRule("unit__path")
    objects = DataRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(application__isnull=False)
                | Q(person__isnull=False)
                | (~Q(subject_kind="") & Q(subject_id__isnull=False)),
                name="data_request_has_a_subject",
            ),
            models.CheckConstraint(
                condition=Q(subject_kind="", subject_id__isnull=True)
                | (~Q(subject_kind="") & Q(subject_id__isnull=False)),
                name="data_request_subject_kind_with_id",
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="data_request_resolved_when_closed",
            ),
            models.CheckConstraint(condition=Q(kind__in=["access", "correction", "erasure"]), name="data_request_kind"),
            models.CheckConstraint(condition=Q(status__in=["open", "done", "refused"]), name="data_request_status"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="data_request_status_idx"),
            models.Index(
                fields=["subject_kind", "subject_id"], condition=~Q(subject_kind=""), name="data_request_subject_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def subject_kind_label(self):
        """What a higher app calls this request's person (``privacy.subjects``), e.g. "member"; "" for none."""
        registered = subjects.get(self.subject_kind)
        return registered.label if registered is not None else self.subject_kind


class Erasure(models.Model):
    """The record that someone's personal data was anonymised: what, when, why, by whom. It holds no
    personal data itself (only ids and counts), so it can be kept for as long as the audit trail."""

    class Reason(models.TextChoices):
        REQUEST = "request", _("the person's request")
        RETENTION = "retention", _("retention period over")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    request = models.ForeignKey(DataRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by = actor_field()
    at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)  # rows touched per table

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(application__isnull=False), name="erasure_once_per_application"
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(person__isnull=False), name="erasure_once_per_person"
            ),
        ]
