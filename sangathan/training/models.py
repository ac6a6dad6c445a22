"""Training: programmes of modules, camps held by units, invitations, attendance and completion.

How attendance counts towards completion (a deliberate choice, see ``services.completion_check``):
a camp covers a set of the programme's modules (``Camp.modules``; empty means *all* of them). One
``Attendance`` row per person and camp says the person was there, and so attended every module the
camp covers. A person completes a programme when the camps they attended together cover all its
modules: a block camp of the basics plus a central workshop on political communication complete it
as well as one full-day camp does. Per-module roll-call inside one camp is not modelled.

Camps are scoped by their host unit: a block in-charge sees the camps their block hosts. Trainers
are people and may come from anywhere (e.g. the national training team).
"""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangathan.access.scoping import ScopedManager, ScopeRule
from sangathan.core.models import bilingual
from sangathan.org.models import Person, Unit
from sangathan.training import codes

# Attendees may check in this long before a camp starts (people arrive early), and until it ends.
CHECK_IN_GRACE_MINUTES = 30
# Column limits the services check before writing (their messages name them).
VENUE_MAX = 255
WALK_IN_NAME_MAX = 120


def new_check_in_token() -> str:
    return secrets.token_urlsafe(12)


class Programme(models.Model):
    """A training curriculum, e.g. "digital wing basics", made of modules."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_hi = models.CharField(_("name (Hindi)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_en", "id"]
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_hi, self.name_en)


class Module(models.Model):
    """One subject of a programme, with how long it is expected to take."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_hi = models.CharField(_("name (Hindi)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)
    expected_minutes = models.PositiveSmallIntegerField(_("expected duration (minutes)"), default=60)

    class Meta:
        ordering = ["programme", "order", "id"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(fields=["programme", "order"], name="training_module_unique_order"),
            models.CheckConstraint(condition=Q(expected_minutes__gte=1), name="training_module_minutes_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_hi, self.name_en)


class Camp(models.Model):
    """A training camp or workshop hosted by a unit, at a venue, between two moments."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="camps", verbose_name=_("programme")
    )
    modules = models.ManyToManyField(
        Module,
        blank=True,
        related_name="camps",
        verbose_name=_("modules covered"),
        help_text=_("Leave empty if the camp covers the whole programme."),
    )
    host_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="training_camps", verbose_name=_("host unit")
    )
    venue = models.CharField(_("venue"), max_length=VENUE_MAX)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    trainers = models.ManyToManyField(Person, blank=True, related_name="camps_as_trainer", verbose_name=_("trainers"))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Empty: no limit."))
    allow_walk_ins = models.BooleanField(_("allow walk-ins"), default=False)
    check_in_token = models.CharField(max_length=32, unique=True, default=new_check_in_token, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule("host_unit__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("training camp")
        verbose_name_plural = _("training camps")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="training_camp_window"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="training_camp_capacity_positive"
            ),
        ]
        indexes = [models.Index(fields=["host_unit", "starts_at"], name="training_camp_unit_start")]

    def __str__(self) -> str:
        return f"{self.programme} — {self.host_unit} ({timezone.localtime(self.starts_at):%d.%m.%Y})"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def check_in_opens_at(self):
        return self.starts_at - datetime.timedelta(minutes=CHECK_IN_GRACE_MINUTES)

    def check_in_open(self, at=None) -> bool:
        at = at or timezone.now()
        return not self.is_cancelled and self.check_in_opens_at() <= at <= self.ends_at


class Invitation(models.Model):
    """A person invited to a camp: generated from the appointees not yet trained, or picked by hand."""

    class Source(models.TextChoices):
        APPOINTEES = "appointees", _("from appointees")
        HAND = "hand", _("picked by hand")

    camp = models.ForeignKey(Camp, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="training_invitations")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.HAND)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The personal check-in code is derived from this secret (``codes.derive``); never shown as such.
    check_in_secret = models.CharField(max_length=32, default=codes.new_secret, editable=False)
    # Wrong codes typed for this invitation on the QR page; at ``codes.MAX_FAILURES`` the code is locked
    # until the trainer sends it again (the trainer can always tick the person present).
    code_failures = models.PositiveSmallIntegerField(_("wrong check-in codes"), default=0)
    code_sent_at = models.DateTimeField(_("check-in code sent again at"), null=True, blank=True)

    class Meta:
        ordering = ["camp", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["camp", "person"], name="training_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.person} → {self.camp}"

    @property
    def check_in_code(self) -> str:
        """The personal code that goes out in the invitation and reminder messages."""
        return codes.derive(self.pk, self.check_in_secret)

    @property
    def code_locked(self) -> bool:
        return self.code_failures >= codes.MAX_FAILURES


class Attendance(models.Model):
    """A person was at a camp (and so attended every module it covers). One row per person and camp:
    a second scan of the QR code finds this row and creates nothing."""

    class Method(models.TextChoices):
        QR = "qr", _("QR check-in")
        ROLL_CALL = "roll_call", _("roll call")
        WALK_IN = "walk_in", _("walk-in")

    camp = models.ForeignKey(Camp, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="training_attendances")
    checked_in_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=12, choices=Method.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["camp", "checked_in_at", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["camp", "person"], name="training_attendance_unique")]
        indexes = [models.Index(fields=["person", "camp"], name="training_attendance_person")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.camp}"


class WalkInRequest(models.Model):
    """Somebody at the venue who was not invited (or lost their code) asked on the QR page to join a camp
    that takes walk-ins. Nothing else happens until the trainer confirms it on the roll call (then the
    person is found, or registered in the host unit, and marked present) or rejects it. The page answers
    every request alike, so it tells nobody whether a number is known, invited or from elsewhere."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the trainer")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    camp = models.ForeignKey(Camp, on_delete=models.CASCADE, related_name="walk_in_requests")
    mobile = models.CharField(_("mobile number"), max_length=16, help_text=_("Stored as +91XXXXXXXXXX."))
    name = models.CharField(_("name given"), max_length=WALK_IN_NAME_MAX)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="training_walk_in_requests"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["camp", "requested_at", "id"]
        verbose_name = _("walk-in request")
        verbose_name_plural = _("walk-in requests")
        # One request per number and camp: asking again changes nothing (and cannot reopen a rejection).
        constraints = [models.UniqueConstraint(fields=["camp", "mobile"], name="training_walk_in_request_unique")]
        indexes = [models.Index(fields=["camp", "status"], name="training_walk_in_pending")]

    def __str__(self) -> str:
        return f"{self.name} → {self.camp}"


class Completion(models.Model):
    """A person has completed a programme (attended all its modules). A plain indexed table: the plan
    dashboard counts trained appointees from it at national scale."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="training_completions")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)
    camp = models.ForeignKey(Camp, on_delete=models.SET_NULL, null=True, blank=True, related_name="completions")
    certificate_number = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-completed_at", "id"]
        verbose_name = _("training completion")
        verbose_name_plural = _("training completions")
        constraints = [models.UniqueConstraint(fields=["person", "programme"], name="training_completion_unique")]
        indexes = [models.Index(fields=["programme", "person"], name="training_completion_programme")]

    def __str__(self) -> str:
        return f"{self.person} — {self.programme}"


class TrainedPostCounter(models.Model):
    """Active posts in a unit's subtree (the unit's own posts included) held by someone who completed a
    training programme: the scorecards' and the national view's "training done" input, read in one
    indexed look-up instead of a count over the subtree's appointments on every page load (a state of
    28,000 active posts: about 0.3 s a page). Kept in the writer's transaction by ``training.counters``
    (completions, appointments made and ended, unit moves); no row means none. The posts themselves are
    ``org.PositionFillCounter``'s. Not constrained to be positive on purpose: a completion bulk-inserted
    around the services (demo data) must not make a relief fail; ``sangathan rebuild-training-counts``
    recounts."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, primary_key=True, related_name="+")
    trained = models.IntegerField(_("trained posts"), default=0)

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("trained posts counter")
        verbose_name_plural = _("trained posts counters")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.trained}"
