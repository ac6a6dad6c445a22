"""The plan: per-level deadlines for a unit's subtree, and the tables that make its progress fast to read.

A ``Plan`` belongs to a scope unit and holds ``Milestone`` rows, one per (level, kind): every unit of
that level below the scope must be *appointed* (key post filled), *trained* (every active appointee
has a training completion) or have its *channels* registered (an active channel of each platform)
by the milestone's date. Whether a unit meets a milestone is never ticked by hand: it is computed
from appointments, training completions and the channel registry.

Progress is read from roll-ups (see docs/adr/0003-plan-progress.md): appointed counts are the
live ``org.CoverageCounter``; trained and channels counts come from ``UnitProgress`` (one row per
unit under a plan, recomputed set-based by ``progress.refresh``) rolled up into ``ProgressCounter``;
``PlanSnapshot`` keeps one row per unit, day, level and kind for the progress chart. Kinds registered by
higher apps (``planning.kinds``: membership's "members") are kept the same way in ``UnitKindMet`` (the
units that meet one) and ``KindCounter`` (their roll-up).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sangathan.access.scoping import ScopedManager, ScopeRule
from sangathan.core.models import bilingual
from sangathan.org.models import Level, Unit

# Kind and KIND_ORDER live with the registry of kinds (``planning.kinds``); the rest of planning imports them here.
from sangathan.planning.kinds import DATABASE_KINDS, KIND_ORDER, Kind, choices  # noqa: F401


class Plan(models.Model):
    """The deadlines of one unit's subtree, copied from the template or from the plan above.

    One plan per unit. A sub-unit's plan (``parent`` = the plan above it) may tighten its parent's
    dates but never loosen them; ``services`` enforce it.
    """

    scope = models.OneToOneField(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="plan", verbose_name=_("unit")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="sub_plans", verbose_name=_("plan above")
    )
    is_template = models.BooleanField(_("template"), default=False)
    title_hi = models.CharField(_("title (Hindi)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Plans whose unit lies in the user's scope; the template (no unit) is never among them.
    scope_rule = ScopeRule("scope__path", base=Q(is_template=False))
    objects = ScopedManager()

    class Meta:
        ordering = ["scope__path", "id"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_template=True, scope__isnull=True) | Q(is_template=False, scope__isnull=False),
                name="plan_template_has_no_scope",
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="plan_year_sane"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return bilingual(self.title_hi, self.title_en)


class Milestone(models.Model):
    """Every unit of ``level`` under the plan's scope must meet ``kind`` by ``due_date`` (inclusive)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", verbose_name=_("level"))
    kind = models.CharField(_("what"), max_length=12, choices=choices)
    due_date = models.DateField(_("deadline"))
    programme_code = models.SlugField(
        _("training programme"),
        max_length=40,
        blank=True,
        help_text=_("Code of the programme that counts; empty: any completed programme."),
    )
    platforms = models.JSONField(_("platforms"), default=list, blank=True)

    class Meta:
        ordering = ["level__order", "due_date", "kind"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["plan", "level", "kind"], name="milestone_unique_per_level_kind"),
            models.CheckConstraint(condition=Q(kind__in=list(DATABASE_KINDS)), name="milestone_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.level} · {self.get_kind_display()} · {self.due_date:%Y-%m-%d}"


class UnitProgress(models.Model):
    """Whether one unit under a plan meets its level's milestones, as of ``refreshed_at``.

    Written only by ``progress.refresh`` (set-based, per level and plan region). ``late_since`` is the
    earliest deadline the unit has missed (NULL: none); ``next_due`` the earliest deadline still ahead
    that it does not meet yet. ``path`` is copied from the unit so subtree scans need no join.
    """

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, primary_key=True, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255)
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")
    appointed = models.BooleanField(default=False)
    trained = models.BooleanField(default=False)
    channels = models.BooleanField(default=False)
    late_since = models.DateField(null=True, blank=True)
    next_due = models.DateField(null=True, blank=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["path"], name="unitprogress_path"),
            models.Index(fields=["late_since", "path"], name="unitprogress_late"),
        ]


class ProgressCounter(models.Model):
    """For one unit and one level below it: how many units are trained / have their channels (strict
    subtree, as of the last refresh). Built per depth like ``org.CoverageCounter``."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")
    trained = models.PositiveIntegerField(default=0)
    channels = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "level"], name="progress_counter_unique")]


class UnitKindMet(models.Model):
    """A unit under a plan that meets its level's milestone of a registered kind (``planning.kinds``), as of
    the last refresh. Sparse (a row only when met) and written only by ``progress.refresh``, with the
    ``UnitProgress`` row of the same unit; ``path`` copied from the unit like there."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=choices)
    path = models.CharField(max_length=255)
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")

    # Derived like UnitProgress, but scoped by its own path: a read of it restricted to a user never joins.
    scope_rule = ScopeRule("path")
    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="unitkindmet_unique")]
        indexes = [models.Index(fields=["path"], name="unitkindmet_path")]


class KindCounter(models.Model):
    """For one unit, one level below it and one registered kind: how many units of that level in its strict
    subtree meet their milestone of that kind (as of the last refresh). ``ProgressCounter``'s twin for the
    kinds that have no column of their own."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=choices)
    done = models.PositiveIntegerField(default=0)

    scope_rule = ScopeRule("unit__path")
    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "level", "kind"], name="kind_counter_unique")]


class ProgressRun(models.Model):
    """One refresh of the progress tables: the whole tree (``unit`` NULL) or one subtree."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    finished_at = models.DateTimeField()
    units = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["unit", "finished_at"], name="progressrun_unit")]


class PlanSnapshot(models.Model):
    """One day's progress of one unit's subtree against one milestone (level × kind), for the chart."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=choices)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["unit", "date"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "date", "level", "kind"], name="plan_snapshot_unique"),
        ]
