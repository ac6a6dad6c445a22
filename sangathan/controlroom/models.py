"""The control room: what office-bearers report each day, the posts they report, and the daily roll-ups.

A key office-bearer (an active appointment in the key post of a unit) reports from a personal signed link,
no login (``views_public``). One ``ActivityReport`` per appointment and day: reporting again for the same
day updates it. The post links in a report are ``ReportedPost`` rows, one per post and state (found by the
key of ``controlroom.links``), tied to the reports that name them by ``PostMention``.

``ActivityRollup`` holds, per day, unit (by path) and level below it, the counts the wall shows; it is
rebuilt set-based for a whole day in one statement (``sql.rollup_insert``), like the cascade's roll-ups,
and ``RollupRun`` says when (see docs in ``services.rollup_refresh``); between rebuilds each report adds its
difference to its unit's and ancestors' rows (``rollups``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
        indexes = [
            models.Index(fields=["unit", "day"], name="controlroom_report_unit_day"),
            # The day's newest report (the wall's "updated at"): one index entry read, not the day's reports.
            models.Index(fields=["day", "updated_at"], name="controlroom_report_day_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}"


class ReportSubmission(models.Model):
    """One daily report as it was sent from a personal link, before anything else happens: the report page's
    intake (``controlroom.intake``, the application form's design, docs/adr/0005-application-intake.md).

    The POST checks the form, writes only this row and answers; ``intake.submissions_process`` then writes the
    ``ActivityReport`` (its post links, audit entry and roll-up rows) under the same rules, in the order the
    submissions came, in a worker (at once in the embedded mode, and before the page shows the report). A
    submission the rules refuse by then (the appointment ended) is kept with its ``problem``."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="+", db_index=False)
    day = models.DateField()
    payload = models.JSONField(default=dict)  # the cleaned counts, the note and the post links
    remote_addr = models.GenericIPAddressField(null=True, blank=True)  # for the report's audit entry
    at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=300, blank=True)

    scope_rule = ScopeRule("appointment__unit__path")
    objects = ScopedManager()

    class Meta:
        indexes = [
            models.Index(fields=["appointment", "day", "id"], name="controlroom_submission_report"),
            models.Index(
                fields=["id"],
                condition=models.Q(processed_at__isnull=True, problem=""),
                name="controlroom_submission_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_id} {self.day}"


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

    Rebuilt for a whole day set-based (``services.rollup_refresh``); between rebuilds each report adds its
    difference to the rows of its unit and ancestors, and a unit's move carries its subtree's rows
    (``rollups``)."""

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
    """When the roll-ups of a day were last rebuilt (``refreshed_at`` and ``rebuilt_at``), how many reports the
    rebuild counted and how long it took. Locked by every writer of the day's rows first (``rollups``); a
    report does not write it (one UPDATE of one hot row less per report): the wall's "updated at" is the
    later of the rebuild and the day's newest report (``selectors.updated_at``)."""

    day = models.DateField(unique=True)
    refreshed_at = models.DateTimeField()
    rebuilt_at = models.DateTimeField(null=True, blank=True)
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


class AlertRule(models.Model):
    """A rule the control room watches, as data: its ``kind`` names the evaluator in the registry
    (``controlroom.alerts.RULES``); ``threshold`` is a percent or a number of days as the kind says;
    ``at_time`` is the local time (Asia/Kolkata) from which it is checked each day, ``window_minutes`` how long
    after an event it waits (an urgent message's two hours); ``level_code`` the level of the units it watches.
    The default rules are made by the migration ``0004_alerts``; an organisation changes or switches them off
    here."""

    class Severity(models.TextChoices):
        WARNING = "warning", _("Warning")
        CRITICAL = "critical", _("Critical")

    kind = models.CharField(_("kind"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    threshold = models.FloatField(_("threshold"), default=0)
    at_time = models.TimeField(_("checked from (local time)"), null=True, blank=True)
    window_minutes = models.PositiveIntegerField(_("wait (minutes)"), null=True, blank=True)
    # The level's code, not a key: a level may belong to one state, and a rule is the organisation's.
    level_code = models.SlugField(_("level watched"), max_length=32, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(threshold__gte=0), name="controlroom_alertrule_threshold"),
            models.CheckConstraint(
                condition=models.Q(severity__in=["warning", "critical"]), name="controlroom_alertrule_severity"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """One finding of a rule about one unit: raised once per rule, unit, subject (what inside the unit: an
    appointment, a message; empty for the unit itself) and period (the day of a daily rule, the day a silence
    began; empty for once ever), which the unique constraint holds against two evaluations racing.

    ``open`` → ``acknowledged`` (an operator, with a note) → ``resolved``; an alert nobody acknowledges within
    ``CONTROLROOM_ALERT_ESCALATE_MINUTES`` becomes ``escalated`` (its parent unit's in-charge is told through the
    outbox, once) and can still be acknowledged. ``numbers`` holds what the rule measured (done, total, percent,
    days) so that the page says it in the reader's language."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("alert", "Open")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("alert", "Acknowledged")
        ESCALATED = "escalated", pgettext_lazy("alert", "Escalated")
        RESOLVED = "resolved", pgettext_lazy("alert", "Resolved")

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("rule"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    # The unit's path, copied when raised (like the roll-ups' and deliveries'): the wall counts a state's open
    # alerts without joining its 50,000 units (19,077 open in the seeded state: 177 ms with the join, see
    # ``alerts.wall_alerts``). A moved unit's live alerts follow it at the next evaluation (``alerts.paths_sync``).
    path = models.CharField(max_length=255, default="")
    subject = models.CharField(max_length=60, blank=True, default="")
    period = models.CharField(max_length=20, blank=True, default="")
    numbers = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.OPEN)
    raised_at = models.DateTimeField(_("raised at"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True, validators=[validate_plain_text])
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    scope_rule = ScopeRule("path")
    objects = ScopedManager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["rule", "unit", "subject", "period"], name="controlroom_alert_once"),
            models.CheckConstraint(
                condition=models.Q(state__in=["open", "acknowledged", "escalated", "resolved"]),
                name="controlroom_alert_state_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="acknowledged") | models.Q(acknowledged_at__isnull=False),
                name="controlroom_alert_acknowledged_has_time",
            ),
        ]
        # The escalation sweep reads open alerts by age, the wall the newest of a state (read backwards: the
        # newest 5 of a state's 19,077 in 0.04 ms); the counts go by state and path (an index-only scan).
        indexes = [
            models.Index(fields=["state", "raised_at", "id"], name="controlroom_alert_state_newest"),
            models.Index(fields=["unit", "state"], name="controlroom_alert_unit_state"),
            models.Index(fields=["state", "path"], name="controlroom_alert_state_path"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.unit_id} {self.subject} {self.period}"
