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
