"""Recruitment drives ("संगठन सृजन अभियान"): a campaign publishes a form, applicants apply, a panel
interviews them on a rubric, and the selected are appointed into the organisation tree.

Applications are scoped by the applicant's home unit (the booth or constituency they chose on the
form): a district in-charge reviews the applicants who live in their district.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangathan.access.scoping import FromAbove, ScopedManager, ScopeRule
from sangathan.core.models import bilingual
from sangathan.org.models import Appointment, Position, Unit


class Rubric(models.Model):
    """A set of weighted criteria that interview panels score applicants on."""

    name_hi = models.CharField(_("name (Hindi)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self) -> str:
        return bilingual(self.name_hi, self.name_en)


class Criterion(models.Model):
    """One thing a panel judges, e.g. creative writing, with its weight and its scale (1..scale_max)."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(max_length=40)
    name_hi = models.CharField(_("name (Hindi)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=10)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rubric", "order", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="criterion_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(scale_max__gte=2), name="criterion_scale_at_least_two"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_hi, self.name_en)


class Campaign(models.Model):
    """A recruitment drive for a unit's subtree, with an application window and a rubric.

    A campaign with a ``parent`` is a sub-campaign a district (or lower) in-charge runs for their own
    subtree; the parent's dashboard shows its progress.
    """

    title_hi = models.CharField(_("title (Hindi)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("short link"), max_length=40, unique=True)
    scope_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("unit"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_campaigns",
        verbose_name=_("parent campaign"),
    )
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+", verbose_name=_("rubric"))
    reference_prefix = models.CharField(_("reference prefix"), max_length=12, help_text=_("E.g. RJ-2026"))
    notice_hi = models.TextField(_("privacy notice (Hindi)"))
    notice_en = models.TextField(_("privacy notice (English)"))
    notice_version = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Campaigns of the user's area, and campaigns above a unit of theirs (a district in-charge works on the
    # state campaign's applicants from their district).
    scope_rule = ScopeRule("scope_unit__path", from_above=FromAbove())
    objects = ScopedManager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="campaign_window")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return bilingual(self.title_hi, self.title_en)

    @property
    def notice(self) -> str:
        return bilingual(self.notice_hi, self.notice_en)

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at


class CampaignPosition(models.Model):
    """A post the campaign recruits for, with an optional target number."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="positions")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+", verbose_name=_("post"))
    target = models.PositiveIntegerField(_("target"), null=True, blank=True)

    class Meta:
        ordering = ["position__level__order", "position__order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "position"], name="campaign_position_unique")]

    def __str__(self) -> str:
        return f"{self.position.title} ({self.position.level.name})"


class Application(models.Model):
    """One person's application to a campaign. The same mobile applying again updates it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        SHORTLISTED = "shortlisted", _("shortlisted")
        REJECTED = "rejected", _("not selected")
        SCHEDULED = "scheduled", _("interview scheduled")
        INTERVIEWED = "interviewed", _("interviewed")
        NO_SHOW = "no_show", _("did not come to the interview")
        WAITLISTED = "waitlisted", _("wait-listed")
        SELECTED = "selected", _("selected")
        APPOINTED = "appointed", _("appointed")

    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        OTHER = "other", _("other")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="applications")
    reference = models.CharField(_("reference number"), max_length=24, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    applied_for = models.ForeignKey(
        CampaignPosition, on_delete=models.PROTECT, related_name="applications", verbose_name=_("post applied for")
    )
    home_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="applications", verbose_name=_("where you live")
    )
    name_hi = models.CharField(_("name (Hindi)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=16)
    email = models.EmailField(_("email"), blank=True)
    age = models.PositiveSmallIntegerField(_("age"))
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    education = models.CharField(_("education"), max_length=120, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    social_accounts = models.JSONField(_("social media accounts"), default=list, blank=True)
    followers_total = models.PositiveIntegerField(default=0, editable=False)
    statement = models.TextField(_("why you want to join"), max_length=2000)
    writing_sample = models.TextField(_("a post you would write"), max_length=2000)
    consent_at = models.DateTimeField(_("consent given"))
    consent_version = models.PositiveSmallIntegerField()
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    score_disagreement = models.BooleanField(_("panel disagrees"), default=False)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="application"
    )
    letter_number = models.CharField(_("letter number"), max_length=60, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = ScopeRule("home_unit__path")  # where the applicant lives, by the unit they chose on the form
    objects = ScopedManager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "mobile"], name="application_one_per_mobile"),
            models.CheckConstraint(condition=~Q(name_hi="", name_en=""), name="application_has_a_name"),
            models.CheckConstraint(condition=Q(age__gte=16) & Q(age__lte=100), name="application_age_range"),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="application_campaign_status")]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def name(self) -> str:
        return bilingual(self.name_hi, self.name_en)


class ApplicationEvent(models.Model):
    """The history of an application: every submission, change and decision, never deleted."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    note = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class Submission(models.Model):
    """One sent form, stored as it came, before anything else happens: the public form's intake.

    The POST writes only this row (its one-time ``token`` is unique, so a double click or a retried POST
    is one submission) and answers with the applicant's ``reference`` at once; ``intake.submissions_process``
    then turns pending submissions, in the order they came, into applications, their history and the
    applicant's message, many at a time. See docs/adr/0005-application-intake.md.
    """

    # The public form's hot path inserts these rows, so each index is one the reads need, and none twice:
    # no "LIKE" twins of the text indexes (PostgreSQL, for unique=True / db_index=True on a CharField), the
    # campaign's own index is the (campaign, mobile) one, and a row is put in the application index only
    # once it has one.
    token = models.CharField(max_length=64)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="submissions", db_index=False)
    mobile = models.CharField(max_length=16)
    # The reference the applicant was shown: always this form's own, never an earlier form's (the number
    # is not proof of who sent the form, so the page must not hand out someone else's reference).
    reference = models.CharField(max_length=24)
    replaces_earlier = models.BooleanField(default=False)  # the same mobile had applied to this campaign before
    # A later form for a number that has an application already is kept, not applied: it changes the
    # application only once the number's owner confirms it with a code (``intake.submission_confirm``).
    held_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    payload = models.JSONField(default=dict)  # the cleaned form, ids instead of objects
    language = models.CharField(max_length=2, blank=True)
    at = models.DateTimeField(default=timezone.now)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    # Why it could not be made into an application (kept, left out of the drain, shown in the admin).
    problem = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "mobile", "id"], name="submission_applicant"),
            models.Index(fields=["reference"], name="submission_reference"),
            models.Index(fields=["application"], condition=Q(application__isnull=False), name="submission_application"),
            models.Index(fields=["id"], condition=Q(processed_at__isnull=True, problem=""), name="submission_pending"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["token"], name="submission_token_once"),
            models.CheckConstraint(
                condition=Q(processed_at__isnull=True) | Q(application__isnull=False),
                name="submission_processed_has_app",
            ),
        ]


# The seeds' interview hours at headquarters. Functions, not fixed values: Django's check for a fixed time
# default (fields.W161) fires whenever it runs within ten seconds of that time of day.
def interviews_start() -> datetime.time:
    return datetime.time(11, 0)


def interviews_end() -> datetime.time:
    return datetime.time(17, 0)


class InterviewDay(models.Model):
    """A day of interviews at a venue, in slots of ``slot_minutes`` between ``starts`` and ``ends``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="interview_days")
    date = models.DateField(_("date"))
    venue = models.CharField(_("venue"), max_length=200)
    starts = models.TimeField(_("from"), default=interviews_start)
    ends = models.TimeField(_("until"), default=interviews_end)
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per interview"), default=15)

    class Meta:
        ordering = ["date"]
        verbose_name = _("interview day")
        verbose_name_plural = _("interview days")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="interview_day_window"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="interview_day_slot_length"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.venue}"


class Panel(models.Model):
    """Interviewers working together on one line of slots; several panels run in parallel."""

    day = models.ForeignKey(InterviewDay, on_delete=models.CASCADE, related_name="panels")
    name = models.CharField(_("name"), max_length=80)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="panels", verbose_name=_("members"))

    class Meta:
        ordering = ["day", "name"]
        constraints = [models.UniqueConstraint(fields=["day", "name"], name="panel_unique_name")]

    def __str__(self) -> str:
        return self.name


class InterviewSlot(models.Model):
    """One interview: a panel, a time, an applicant. An applicant has at most one slot."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        DONE = "done", _("interviewed")
        NO_SHOW = "no_show", _("did not come")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="slot")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.BOOKED)
    # Scoring opens at the slot's time, less RECRUITMENT_SCORING_EARLY_MINUTES; an admin who appoints on the
    # applicant's unit can open it at once (the interview started early): when, kept and audited.
    scoring_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "panel"]
        constraints = [models.UniqueConstraint(fields=["panel", "starts_at"], name="slot_one_per_panel_time")]

    @property
    def scoring_opens_at(self) -> datetime.datetime:
        """When the panel may score: the slot's time less the margin, or when an admin opened it, if earlier."""
        opens = self.starts_at - datetime.timedelta(minutes=settings.RECRUITMENT_SCORING_EARLY_MINUTES)
        return min(opens, self.scoring_opened_at) if self.scoring_opened_at else opens

    def scoring_open(self, at: datetime.datetime | None = None) -> bool:
        return (at or timezone.now()) >= self.scoring_opens_at


class ScoreSheet(models.Model):
    """One panel member's scores for one applicant; hidden from the others until they submit theirs."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="score_sheets")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets")
    scores = models.JSONField(default=dict)  # criterion id (str) -> integer score
    weighted = models.DecimalField(max_digits=5, decimal_places=2)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="score_sheet_one_per_member"),
        ]
