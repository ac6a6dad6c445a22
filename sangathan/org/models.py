"""The organisation structure: levels, the unit tree, positions, people and appointments.

The tree is stored as a materialised path (django-treebeard ``MP_Node``) *and* a parent link:
the parent link is what people edit, the path is derived from it and makes subtree and
ancestor queries index-backed on SQLite and PostgreSQL alike. Coverage roll-ups are kept in
counter tables (``CoverageCounter``, ``PositionFillCounter``) maintained by the services in
the same transaction as the write that changes them (see docs/adr/0001-tree-and-rollups.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from sangathan.access.permissions import VIEW, VIEW_PERSONAL
from sangathan.access.scoping import Also, ScopedManager, ScopeRule
from sangathan.core.fields import actor_field
from sangathan.core.models import TimeStampedModel, bilingual
from sangathan.core.paths import STEPLEN
from sangathan.core.validators import validate_plain_text, validate_plain_text_items
from sangathan.org.querysets import AppointmentQuerySet, UnitManager


class Level(models.Model):
    """One rung of the organisation's chain (national, state, district, ... booth).

    Levels are data: an organisation configures its own chain. ``order`` gives the rung; a
    branch may skip a rung, but a child's level always has a higher order than its parent's.
    A level with a ``state`` exists in that state only (a zone, a city unit; ``org.shaping``): its
    units lie in that state, and its order is unique among the default levels and the state's own.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_hi = models.CharField(_("name (Hindi)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"))
    state = models.ForeignKey(
        "Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_levels",
        verbose_name=_("state"),
        help_text=_("Empty: a level of the default structure, in every state."),
    )
    numbered_within = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("numbers unique within"),
        help_text=_("E.g. booth numbers are unique within an assembly constituency."),
    )
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"),
        null=True,
        blank=True,
        help_text=_("How long an appointment at this level lasts, unless its post says otherwise. Empty: no term."),
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=Q(state__isnull=True), name="level_unique_order"),
            models.UniqueConstraint(fields=["state", "order"], name="level_unique_order_in_state"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_hi, self.name_en)


class Unit(MP_Node):
    """A unit of the organisation: the national department, a state, a district, ... a booth."""

    steplen = STEPLEN
    node_order_by = None

    name_hi = models.CharField(_("name (Hindi)"), max_length=150, blank=True, validators=[validate_plain_text])
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True, validators=[validate_plain_text])
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="units", verbose_name=_("level"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    number = models.PositiveIntegerField(
        _("official number"),
        null=True,
        blank=True,
        help_text=_("E.g. assembly constituency no. 112 or booth no. 45."),
    )
    code = models.CharField(
        _("short code"),
        max_length=16,
        blank=True,
        help_text=_("E.g. RJ for Rajasthan."),
        validators=[validate_plain_text],
    )
    polling_station = models.CharField(
        _("polling station"),
        max_length=255,
        blank=True,
        validators=[validate_plain_text],
        help_text=_("The building where the booth votes; several booths may share one."),
    )
    key_post_filled = models.BooleanField(_("key post filled"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule("path")
    objects = UnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "level", "number"],
                condition=Q(number__isnull=False),
                name="unit_unique_number_in_parent",
            ),
            models.UniqueConstraint(
                fields=["parent", "level", "name_en"],
                condition=Q(number__isnull=True) & ~Q(name_en=""),
                name="unit_unique_name_en_in_parent",
            ),
            models.UniqueConstraint(
                fields=["parent", "level", "name_hi"],
                condition=Q(number__isnull=True) & ~Q(name_hi=""),
                name="unit_unique_name_hi_in_parent",
            ),
            models.CheckConstraint(condition=~Q(name_hi="", name_en=""), name="unit_has_a_name"),
        ]
        indexes = [models.Index(fields=["level", "path"], name="unit_level_path")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def name(self) -> str:
        return bilingual(self.name_hi, self.name_en)

    @property
    def display_name(self) -> str:
        if self.number is not None:
            return f"{self.number} · {self.name}" if self.name else str(self.number)
        return self.name

    def ancestor_paths(self, include_self: bool = True) -> list[str]:
        """Paths of every ancestor, root first; exact-match lookups, so index-backed."""
        end = len(self.path) if include_self else len(self.path) - self.steplen
        return [self.path[:i] for i in range(self.steplen, end + 1, self.steplen)]

    def is_within(self, other: "Unit") -> bool:
        """True if this unit is ``other`` or below it."""
        return self.path.startswith(other.path)


# Column order of the raw bulk inserts (seeding, imports) into the unit table.
UNIT_BULK_COLUMNS = (
    "id",
    "path",
    "depth",
    "numchild",
    "name_hi",
    "name_en",
    "level_id",
    "parent_id",
    "number",
    "code",
    "polling_station",
    "key_post_filled",
    "created_at",
)


class Position(models.Model):
    """A post in the committee of every unit of one level, with a number of seats.

    The *key* post of a level (in-charge, representative) is the one coverage counts. A post with a
    ``state`` is that state's own (a spokesperson, an IT-cell in-charge; ``org.shaping``): a unit's
    committee has the default posts of its level and the posts its state added.
    """

    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="positions", verbose_name=_("level"))
    code = models.SlugField(_("code"), max_length=40)
    title_hi = models.CharField(_("title (Hindi)"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=100)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    is_key = models.BooleanField(_("key post"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"),
        null=True,
        blank=True,
        help_text=_("How long an appointment to this post lasts. Empty: the level's term."),
    )
    state = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_positions",
        verbose_name=_("state"),
        help_text=_("Empty: a post of the default structure, in every state."),
    )

    class Meta:
        ordering = ["level__order", "order", "id"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code"], condition=Q(state__isnull=True), name="position_unique_code_in_level"
            ),
            models.UniqueConstraint(fields=["level", "state", "code"], name="position_unique_code_in_state"),
            models.UniqueConstraint(fields=["level"], condition=Q(is_key=True), name="position_one_key_per_level"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="position_seats_at_least_one"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return bilingual(self.title_hi, self.title_en)


class Person(TimeStampedModel):
    """Somebody the organisation knows: an office-bearer, an applicant, a volunteer.

    Gender and age band are optional and kept only with the person's consent (``profile_consent_at``,
    when they agreed; ``org.representation``): they make the women's and youth share of each level.
    """

    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        OTHER = "other", _("other")

    class AgeBand(models.TextChoices):
        UP_TO_25 = "18_25", _("18–25")
        UP_TO_35 = "26_35", _("26–35")
        UP_TO_45 = "36_45", _("36–45")
        UP_TO_60 = "46_60", _("46–60")
        OVER_60 = "61_plus", _("over 60")

    name_hi = models.CharField(_("name (Hindi)"), max_length=120, blank=True, validators=[validate_plain_text])
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True, validators=[validate_plain_text])
    mobile = models.CharField(_("mobile number"), max_length=16, unique=True, help_text=_("Stored as +91XXXXXXXXXX."))
    email = models.EmailField(_("email"), blank=True)
    home_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("home unit"),
    )
    languages = models.JSONField(_("languages"), default=list, blank=True, validators=[validate_plain_text_items])
    skills = models.JSONField(_("skills"), default=list, blank=True, validators=[validate_plain_text_items])
    # db_default: the bulk writers (seeding, imports) that insert rows by column list need not name them.
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True, db_default="")
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True, db_default="")
    profile_consent_at = models.DateTimeField(_("agreed to record gender and age band at"), null=True, blank=True)

    # To view (and to see their personal data): people whose home unit, or any appointment (past or
    # present), is in the user's scope. To change (or to appoint elsewhere): only their home unit counts.
    scope_rule = ScopeRule("home_unit__path", also=Also("appointments__unit__path", actions=(VIEW, VIEW_PERSONAL)))
    objects = ScopedManager()

    class Meta:
        ordering = ["name_en", "name_hi", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(condition=~Q(name_hi="", name_en=""), name="person_has_a_name"),
            models.CheckConstraint(
                condition=Q(gender="", age_band="") | Q(profile_consent_at__isnull=False),
                name="person_profile_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_hi, self.name_en)


class SocialAccount(models.Model):
    """One of a person's own accounts on a social platform."""

    class Platform(models.TextChoices):
        FACEBOOK = "facebook", "Facebook"
        X = "x", "X (Twitter)"
        INSTAGRAM = "instagram", "Instagram"
        YOUTUBE = "youtube", "YouTube"
        WHATSAPP = "whatsapp", "WhatsApp"
        TELEGRAM = "telegram", "Telegram"
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="social_accounts")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(_("handle or URL"), max_length=200)
    followers = models.PositiveIntegerField(_("followers"), null=True, blank=True)

    class Meta:
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")
        constraints = [
            models.UniqueConstraint(fields=["person", "platform", "handle"], name="social_account_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.handle}"


class Wing(models.Model):
    """A wing or cell of the organisation (IT cell, women, youth, minority): an appointment at any unit may
    belong to one, and coverage is counted per wing (``org.representation``)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_hi = models.CharField(_("name (Hindi)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("wing")
        verbose_name_plural = _("wings")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_hi, self.name_en)


class Appointment(models.Model):
    """A person in one seat of a position at a unit, from a start date until relieved.

    Never deleted: relieving or dissolving ends it and records who, when and why.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        RELIEVED = "relieved", _("relieved")
        DISSOLVED = "dissolved", _("committee dissolved")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("person"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("unit"))
    position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("position"),
    )
    seat = models.PositiveSmallIntegerField(_("seat"))
    wing = models.ForeignKey(
        Wing, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments", verbose_name=_("wing")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    letter_number = models.CharField(_("letter number"), max_length=60, blank=True)
    term_ends_on = models.DateField(
        _("term ends on"),
        null=True,
        blank=True,
        help_text=_("The appointment ends by itself on this day. Empty: no term."),
    )
    end_reason = models.CharField(_("reason for ending"), max_length=500, blank=True)
    appointed_by = actor_field()
    ended_by = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule("unit__path")
    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "position", "seat"],
                condition=Q(status="active"),
                name="appointment_one_per_seat",
            ),
            models.UniqueConstraint(
                fields=["person", "unit"],
                condition=Q(status="active"),
                name="appointment_one_post_per_unit",
            ),
            models.CheckConstraint(condition=Q(seat__gte=1), name="appointment_seat_positive"),
            models.CheckConstraint(
                condition=Q(status="active", end_date__isnull=True) | ~Q(status="active"),
                name="appointment_active_has_no_end",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="appointment_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="appointment_unit_status"),
            models.Index(fields=["status", "term_ends_on"], name="appointment_term_end"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.position} ({self.unit})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class TermReminder(models.Model):
    """A reminder, ``days_before`` the end of an appointment's term, has been sent (once each)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="term_reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule("appointment__unit__path")
    objects = ScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appointment", "days_before"], name="term_reminder_once"),
        ]


class CommitteeEvent(models.Model):
    """A dissolution or reconstitution of a unit's committee, kept for history."""

    class Kind(models.TextChoices):
        DISSOLVED = "dissolved", _("dissolved")
        RECONSTITUTED = "reconstituted", _("reconstituted")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="committee_events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500)
    include_subtree = models.BooleanField(default=False)
    appointments_ended = models.PositiveIntegerField(default=0)
    appointments_made = models.PositiveIntegerField(default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("committee event")
        verbose_name_plural = _("committee events")

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()} {self.at:%Y-%m-%d}"


class CoverageCounter(models.Model):
    """For one unit and one level below it: how many units, and how many have the key post filled.

    Maintained by the services on every structural or appointment write.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="coverage_counters")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")
    units_total = models.PositiveIntegerField(default=0)
    units_key_filled = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "level"], name="coverage_counter_unique")]


class AppointeeCounter(models.Model):
    """For one unit and one level below it (and one wing, or all appointees when ``wing`` is empty): how
    many active appointees there are in the subtree, how many of them women and how many young (up to
    35). Maintained by ``org.representation`` in the writer's transaction, rebuilt set-based with coverage.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="appointee_counters")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")
    wing = models.ForeignKey(Wing, on_delete=models.CASCADE, null=True, related_name="+")
    appointees = models.IntegerField(default=0)
    women = models.IntegerField(default=0)
    youth = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "level"], condition=Q(wing__isnull=True), name="appointee_counter_unique"
            ),
            models.UniqueConstraint(fields=["unit", "level", "wing"], name="appointee_counter_unique_wing"),
        ]


class PositionFillCounter(models.Model):
    """For one unit and one position at a level below it: how many seats are filled in the subtree."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="position_counters")
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="+")
    filled = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "position"], name="position_counter_unique")]


class UnitImportJob(models.Model):
    """A web import of the unit tree: uploaded, checked (a dry run in a Celery task, shown as the preview),
    confirmed, then run by a Celery task. The web request never reads the file.

    The uploaded bytes live in this row until the task has run, so the web server that took the
    upload, the one that shows the preview and the worker that imports may be different machines.
    Progress while it runs lives in the cache (the import is one transaction, so rows written
    during it are invisible to the page that polls); the outcome is kept here.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("being checked")
        UPLOADED = "uploaded", _("uploaded, not confirmed")
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("importing")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")

    root = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("unit"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    content = models.BinaryField(editable=False)
    original_name = models.CharField(_("file"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    checked_ok = models.BooleanField(default=False)
    language = models.CharField(max_length=10, blank=True)  # the uploader's, for the worker's messages
    report = models.JSONField(default=dict, blank=True)  # the check's findings, for the preview
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope_rule = ScopeRule("root__path")  # seen by whoever can see the unit it imports under
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unit import")
        verbose_name_plural = _("unit imports")

    def __str__(self) -> str:
        return f"{self.original_name} → {self.root} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class OfficeBearerImportJob(models.Model):
    """A web import of office-bearers: uploaded, checked by a Celery task (the preview), confirmed, then run
    by a Celery task, like ``UnitImportJob``. ``root`` is the unit the uploader imports under: every row's
    unit must be within it."""

    Status = UnitImportJob.Status

    root = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    content = models.BinaryField(editable=False)
    original_name = models.CharField(_("file"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKING)
    checked_ok = models.BooleanField(default=False)
    language = models.CharField(max_length=10, blank=True)
    report = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope_rule = ScopeRule("root__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("office-bearer import")
        verbose_name_plural = _("office-bearer imports")

    def __str__(self) -> str:
        return f"{self.original_name} → {self.root} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
