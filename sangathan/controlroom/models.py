"""The control room: what office-bearers report each day, the posts they report, and the daily roll-ups.

A key office-bearer (an active appointment in the key post of a unit) reports from a personal signed link,
no login (``views_public``). One ``ActivityReport`` per appointment and day: reporting again for the same
day updates it. The post links in a report are ``ReportedPost`` rows, one per post and state (found by the
key of ``controlroom.links``), tied to the reports that name them by ``PostMention``.

``ActivityRollup`` holds, per day, unit (by path) and level below it, the counts the wall shows; it is
rebuilt set-based for a whole day in one statement (``sql.rollup_insert``), like the cascade's roll-ups,
and ``RollupRun`` says when (see docs in ``services.rollup_refresh``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sangathan.access.scoping import ScopedManager, ScopeRule
from sangathan.controlroom.links import URL_MAX, Platform
from sangathan.core.validators import validate_plain_text
from sangathan.org.models import Appointment, Level, Person, Unit

COUNTERS = ("posts", "shares", "groups_messaged", "people_added", "events")
NOTE_MAX = 500


class ActivityReport(models.Model):
    """One key office-bearer's activity on one day, as they reported it. Unique per appointment and day:
    a second report for the day updates this row (``revisions`` counts how often)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    day = models.DateField(_("day"))
    posts = models.PositiveIntegerField(_("posts made"), default=0)
    shares = models.PositiveIntegerField(_("party messages shared"), default=0)
    groups_messaged = models.PositiveIntegerField(_("WhatsApp groups messaged"), default=0)
    people_added = models.PositiveIntegerField(_("people added"), default=0)
    events = models.PositiveIntegerField(_("events held"), default=0)
    note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True, validators=[validate_plain_text])
    revisions = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-day", "-id"]  # not by the unit's path: a join and a sort on every read (100 ms for a state)
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        constraints = [
            # Also the index of the roll-up's look-ups (this appointment on this day, in the last 7 days).
            models.UniqueConstraint(fields=["appointment", "day"], name="controlroom_report_one_per_day"),
        ]
        indexes = [models.Index(fields=["unit", "day"], name="controlroom_report_unit_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}"


class ReportedPost(models.Model):
    """A post reported by office-bearers, once per state: the first reporter's unit and person and the
    day; ``mentions`` counts the reports that name it (kept by the report service)."""

    state = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.CHOICES)
    key = models.CharField(max_length=200)
    url = models.URLField(_("link"), max_length=URL_MAX)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("first reported by"))
    first_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    first_reported_on = models.DateField()
    mentions = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-mentions", "-id"]
        verbose_name = _("reported post")
        verbose_name_plural = _("reported posts")
        constraints = [models.UniqueConstraint(fields=["state", "key"], name="controlroom_post_unique_in_state")]

    def __str__(self) -> str:
        return self.url


class PostMention(models.Model):
    """A report names a post. ``day`` and ``unit`` are the report's, copied so that the top posts of a
    subtree over a week are read without a join."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="mentions")
    post = models.ForeignKey(ReportedPost, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "post"], name="controlroom_mention_unique")]
        indexes = [models.Index(fields=["day", "post"], name="controlroom_mention_day_post")]


class ActivityRollup(models.Model):
    """For one day, one unit (by path) and one level: over the active key appointments of that level in
    the unit's subtree (the unit itself included), how many there are (``bearers``), how many reported
    that day, how many units of the level had a report, how many reported at least once in the silent
    window ending that day (``recent``), and the sums of what they reported.

    Rebuilt for a whole day set-based (``services.rollup_refresh``); never written row by row."""

    day = models.DateField()
    path = models.CharField(max_length=255)
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    bearers = models.PositiveIntegerField(default=0)
    reported = models.PositiveIntegerField(default=0)
    units_reported = models.PositiveIntegerField(default=0)
    recent = models.PositiveIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    groups_messaged = models.PositiveIntegerField(default=0)
    people_added = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)

    scope_rule = ScopeRule("path")
    objects = ScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "path", "level"], name="controlroom_rollup_unique"),
        ]


class RollupRun(models.Model):
    """When the roll-ups of a day were last rebuilt, and how long it took: the wall's "updated at"."""

    day = models.DateField(unique=True)
    refreshed_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)
    reports = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.refreshed_at:%H:%M}"


class StateReport(models.Model):
    """The daily or weekly report of a state (or any unit asked for on the command line): a Hindi PDF and
    an XLSX with the same numbers, made from the roll-ups, kept in Django's storage and downloadable from
    the control room. One per unit, kind and day (a weekly report's day is the last day of its week):
    making it again replaces the files of the same row (``reports.report_make``). ``delivered_at`` is set
    once the outbox messages to the national department and the state's leaders are queued, so a second
    run never sends them again."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    class Status(models.TextChoices):
        MAKING = "making", _("Being made")
        MADE = "made", _("Made")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    day = models.DateField(_("day"), help_text=_("For a weekly report, the last day of the week."))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.MAKING)
    pdf = models.FileField(_("PDF"), upload_to="controlroom/reports/%Y/%m/", blank=True)
    xlsx = models.FileField(_("Excel file"), upload_to="controlroom/reports/%Y/%m/", blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    seconds = models.FloatField(default=0)
    made_at = models.DateTimeField(_("made at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("control-room report")
        verbose_name_plural = _("control-room reports")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "day"], name="controlroom_statereport_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["daily", "weekly"]), name="controlroom_statereport_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["making", "made", "failed"]),
                name="controlroom_statereport_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.day}"
