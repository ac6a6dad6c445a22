"""Alerts of the control room: rules as data (``AlertRule``), evaluated by kind, each finding raised once as an
``Alert``, assigned, acknowledged with a note, escalated through the outbox when nobody acts.

The rule registry
-----------------
``RULES`` maps a rule's ``kind`` to a ``RuleKind``; an app adds one with ``register_rule`` (at import of the
module that defines it, imported from ``ControlRoomConfig.ready``)::

    def followers_drop(rule: AlertRule, now: datetime.datetime) -> Iterable[Finding]:
        # set-based: one query over the week's snapshots, one Finding per channel that lost too many
        ...
        yield Finding(unit_id=channel.unit_id, path=channel.unit.path, subject=f"channel:{channel.pk}",
                      period=week_start.isoformat(), numbers={"before": 1200, "after": 1000, "percent": 16})

    register_rule("followers_drop", RuleKind(
        evaluate=followers_drop,
        describe=lambda alert: _("Followers fell by %(percent)d%% in a week") % alert.numbers,
        defaults={"name": "Official account lost over 10% of followers in a week", "threshold": 10},
    ))

- ``evaluate(rule, now)`` returns every finding that holds at ``now`` (an aware datetime). It must read
  set-based (one query or a few for the whole tree, never one per unit) and may return findings that were
  raised before: an alert is raised once per (rule, unit, subject, period), the database's unique constraint
  decides, so running the evaluation twice, or two workers at once, raises nothing twice. ``rule.threshold``,
  ``rule.at_time``, ``rule.window_minutes`` and ``rule.level_code`` mean what the kind says they mean.
- ``Finding``: ``unit_id`` and ``path`` of the unit the alert is about (its scope: who sees it), ``subject``
  (what inside the unit, up to 60 characters: "appointment:12", "message:7"; "" for the unit itself),
  ``period`` (up to 20: the day of a daily rule, the first day of a silence; "" for once ever) and
  ``numbers`` (JSON: what was measured, shown by ``describe``).
- ``describe(alert)`` returns the sentence the pages show, translated (called with the reader's language).
- ``defaults`` are the fields of the ``AlertRule`` row made on the first evaluation when no rule of the kind
  exists (``rules_ensure``); an organisation then changes the row (threshold, time, level, active).
- ``resolve(rule, now)``, optional: mark ``resolved`` the live alerts of the rule whose condition went away
  (a silent booth that reported); returns how many.
- ``daily``: True for a rule counted in days, evaluated by the daily run only (the silent booths: 3.7 s for a
  state's 25,000 key appointments when nothing is new, too much to repeat every five minutes).

Summaries: a kind with a ``summary`` sentence (the silent booths, the districts' reporting rate) is not
raised once per unit when more than ``CONTROLROOM_ALERT_SUMMARY_OVER`` (10) units under one parent unit (or
under the ancestor at ``CONTROLROOM_ALERT_SUMMARY_LEVEL``) are found: one alert on the parent, subject
``summary``, says "12 of 40 booths silent for 7 days" and lists them (``_summarised``; the alerts page names
them, ``summary_units``). It is raised once while it lasts (its count and list follow what is found), escalated
and scoped like any alert (its path is the parent's), resolved when no more than that many are found, and
raised again when needed again, the same day too. A unit with a control room of its own (an active
control-room role) at it or between it and the parent is never summarised there: its alerts stay its own.

Evaluation runs every ``CONTROLROOM_ALERT_SECONDS`` from Celery beat and once in the daily run
(``tasks.evaluate_alerts`` → ``alerts_evaluate``), then ``alerts_escalate`` tells the parent unit's in-charge
of the alerts left open for ``CONTROLROOM_ALERT_ESCALATE_MINUTES`` (exactly once each: a conditional update
and the outbox row in one transaction, idempotency keys on the outbox).
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery, Sum
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangathan.access.models import Role, RoleAssignment
from sangathan.access.permissions import VIEW_CONTROL_ROOM
from sangathan.access.scope import can, require
from sangathan.audit.services import audit_bulk_action
from sangathan.controlroom import conf, selectors, services
from sangathan.controlroom.errors import ControlRoomError
from sangathan.controlroom.models import ActivityReport, ActivityRollup, Alert, AlertRule, RollupRun
from sangathan.core.paths import subtree_q
from sangathan.org.models import Appointment, CoverageCounter, Level, Unit
from sangathan.outreach.models import Message
from sangathan.outreach.selectors import key_office_bearers_of
from sangathan.outreach.services import notify_bulk

State = Alert.State
LIVE = (State.OPEN, State.ESCALATED, State.ACKNOWLEDGED)
LIVE_OPEN = (State.OPEN, State.ESCALATED)  # waiting for someone: the wall shows these
BATCH = 2000
URGENT_LOOKBACK = datetime.timedelta(days=3)  # urgent messages older than this are past caring about
SUMMARY = "summary"  # the subject of a summary alert (many units under one parent unit, ``_summarised``)
SUMMARY_UNITS_KEPT = 500  # the units a summary alert lists (a block has a few hundred booths at most)


@dataclass(frozen=True)
class Finding:
    unit_id: int
    path: str
    subject: str = ""
    period: str = ""
    numbers: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.unit_id, self.subject, self.period)


@dataclass(frozen=True)
class RuleKind:
    evaluate: Callable[[AlertRule, datetime.datetime], Iterable[Finding]]
    describe: Callable[[Alert], str]
    defaults: dict
    resolve: Callable[[AlertRule, datetime.datetime], int] | None = None
    daily: bool = False  # evaluated by the daily run only, not every few minutes (a rule counted in days)
    # Many findings under one parent unit become one summary alert there (``_summarised``); ``summary`` is the
    # sentence of such an alert.
    summary: Callable[[Alert], str] | None = None


RULES: dict[str, RuleKind] = {}


def register_rule(kind: str, rule_kind: RuleKind) -> None:
    """Add (or replace) the evaluator of ``kind``."""
    RULES[kind] = rule_kind


def describe(alert: Alert) -> str:
    kind = RULES.get(alert.rule.kind)
    if kind is None:
        return rule_name(alert.rule)
    if alert.subject == SUMMARY and kind.summary is not None:
        return kind.summary(alert)
    return kind.describe(alert)


# ---------------------------------------------------------------- the rules


def _below(done: int, total: int, percent: float) -> bool:
    """``done`` of ``total`` is below ``percent``: exact in integers (49 of 100 is below 50, 50 is not)."""
    return total > 0 and done * 100 < percent * total


def _numbers(done: int, total: int) -> dict:
    return {"done": done, "total": total, "percent": math.floor(100 * done / total) if total else 0}


def reporting_rate(rule: AlertRule, now: datetime.datetime) -> Iterator[Finding]:
    """Units of ``rule.level_code`` (districts) where fewer than ``threshold`` percent of the key office-bearers
    of the subtree reported today, from ``at_time`` (20:00 local) on. The numbers are the day's roll-up, the
    wall's own (summed over the levels of the unit's row: the wall's bar per child); one query for all units."""
    local = timezone.localtime(now)
    if rule.at_time is not None and local.time() < rule.at_time:
        return
    day = local.date()
    if not RollupRun.objects.filter(day=day).exists():  # no report today yet: every unit is at 0
        services.rollup_refresh(day=day)
    rows = (
        ActivityRollup.objects.filter(day=day, path__in=Unit.objects.filter(level__code=rule.level_code).values("path"))
        .values("path")
        .annotate(bearers=Sum("bearers"), reported=Sum("reported"))
        .order_by("path")
    )
    low = {row["path"]: row for row in rows if _below(row["reported"], row["bearers"], rule.threshold)}
    for unit_id, path in Unit.objects.filter(path__in=list(low)).values_list("pk", "path"):
        row = low[path]
        yield Finding(
            unit_id=unit_id, path=path, period=day.isoformat(), numbers=_numbers(row["reported"], row["bearers"])
        )


def silent(rule: AlertRule, now: datetime.datetime) -> Iterator[Finding]:
    """Key office-bearers of units of ``rule.level_code`` (booths) with no report in the last ``threshold``
    days (today included) and appointed at least that long: one anti-join over the reports (their unique
    (appointment, day) index), the last report day read for the silent ones only. The period is the first
    silent day, so a booth that reports and falls silent again is a new alert."""
    day = timezone.localdate(now)
    days = max(1, int(rule.threshold))
    first = day - datetime.timedelta(days=days - 1)  # the window [first, day]
    recent = ActivityReport.objects.filter(appointment=OuterRef("pk"), day__gte=first, day__lte=day)
    last = ActivityReport.objects.filter(appointment=OuterRef("pk"), day__lt=first).order_by("-day").values("day")
    rows = (
        Appointment.objects.filter(
            status=Appointment.Status.ACTIVE,
            position__is_key=True,
            unit__level__code=rule.level_code,
            start_date__lte=first,
        )
        .filter(~Exists(recent))
        .annotate(last=Subquery(last[:1]))
        .values_list("pk", "unit_id", "unit__path", "start_date", "last")
        .order_by("unit__path", "pk")
    )
    for pk, unit_id, path, start, last_day in rows.iterator(chunk_size=BATCH):
        since = last_day + datetime.timedelta(days=1) if last_day else start
        yield Finding(
            unit_id=unit_id,
            path=path,
            subject=f"appointment:{pk}",
            period=since.isoformat(),
            numbers={"days": (day - since).days + 1, "since": since.isoformat()},
        )


def silent_resolve(rule: AlertRule, now: datetime.datetime) -> int:
    """The live silence alerts whose office-bearer reported since, or whose appointment ended: resolved."""
    live = (
        Alert.objects.filter(rule=rule, state__in=LIVE, subject__startswith="appointment:")
        .order_by("pk")
        .values_list("pk", "subject", "period")
    )
    done = 0
    last_pk = 0
    while rows := list(live.filter(pk__gt=last_pk)[:BATCH]):
        last_pk = rows[-1][0]
        by_appointment = {int(subject.split(":")[1]): (pk, period) for pk, subject, period in rows}
        reported = ActivityReport.objects.filter(appointment_id__in=list(by_appointment)).values_list(
            "appointment_id", "day"
        )
        over = {
            by_appointment[a][0]
            for a, report_day in reported
            if report_day.isoformat() >= by_appointment[a][1]  # ISO dates sort as dates
        }
        active = set(
            Appointment.objects.filter(
                pk__in=list(by_appointment), status=Appointment.Status.ACTIVE, position__is_key=True
            ).values_list("pk", flat=True)
        )
        over |= {pk for a, (pk, _period) in by_appointment.items() if a not in active}
        if over:
            done += Alert.objects.filter(pk__in=over, state__in=LIVE).update(state=State.RESOLVED, resolved_at=now)
    return done


def urgent_message(rule: AlertRule, now: datetime.datetime) -> Iterator[Finding]:
    """Urgent messages sent at least ``window_minutes`` ago (and within the last three days) whose target units
    acknowledged below ``threshold`` percent (the tracking's and the wall's counts: the roll-ups of the
    message's target level in its area). Once per message."""
    wait = datetime.timedelta(minutes=rule.window_minutes or 0)
    done = set(Alert.objects.filter(rule=rule, subject__startswith="message:").values_list("subject", flat=True))
    messages = (
        Message.objects.filter(
            priority=Message.Priority.URGENT,
            status__in=[Message.Status.SENDING, Message.Status.SENT],
            sent_at__lte=now - wait,
            sent_at__gt=now - URGENT_LOOKBACK,
        )
        .select_related("unit")
        .order_by("sent_at", "pk")
    )
    for message in messages:
        subject = f"message:{message.pk}"
        if subject in done:
            continue
        counts = selectors.target_counts_in(message, message.unit)
        if counts is None or not _below(counts.acknowledged, counts.total, rule.threshold):
            continue
        numbers = {**_numbers(counts.acknowledged, counts.total), "title": message.title[:150]}
        yield Finding(unit_id=message.unit_id, path=message.unit.path, subject=subject, numbers=numbers)


def _describe_rate(alert: Alert) -> str:
    return _("Only %(done)s of %(total)s office-bearers (%(percent)s%%) reported today by %(time)s.") % {
        **alert.numbers,
        "time": alert.rule.at_time.strftime("%H:%M") if alert.rule.at_time else "",
    }


def _describe_silent(alert: Alert) -> str:
    since = datetime.date.fromisoformat(alert.numbers.get("since", alert.period))
    return _("The key office-bearer has sent no report since %(since)s (%(days)s days).") % {
        "since": since.strftime("%d.%m.%Y"),
        "days": alert.numbers.get("days", ""),
    }


def _describe_urgent(alert: Alert) -> str:
    return _("Urgent message “%(title)s”: only %(done)s of %(total)s units (%(percent)s%%) acknowledged it.") % (
        alert.numbers
    )


def _summary_numbers(alert: Alert) -> dict:
    numbers = alert.numbers
    hindi = (translation.get_language() or "").startswith("hi")
    return {
        "count": numbers.get("count", 0),
        "total": numbers.get("total", 0),
        "level": numbers.get("level_hi" if hindi else "level_en", ""),
        "days": numbers.get("days", ""),
        "time": alert.rule.at_time.strftime("%H:%M") if alert.rule.at_time else "",
    }


def _summary_silent(alert: Alert) -> str:
    return _("%(count)s of %(total)s units (%(level)s) here have sent no report for %(days)s days or more.") % (
        _summary_numbers(alert)
    )


def _summary_rate(alert: Alert) -> str:
    return _("%(count)s of %(total)s units (%(level)s) here are below the reporting rate by %(time)s.") % (
        _summary_numbers(alert)
    )


register_rule(
    "reporting_rate",
    RuleKind(
        evaluate=reporting_rate,
        describe=_describe_rate,
        defaults={
            "name": gettext_lazy("District reporting rate low at 20:00"),
            "threshold": 50,
            "at_time": datetime.time(20, 0),
            "level_code": "district",
        },
        summary=_summary_rate,
    ),
)
register_rule(
    "silent",
    RuleKind(
        evaluate=silent,
        describe=_describe_silent,
        defaults={"name": gettext_lazy("Booth silent for 7 days"), "threshold": 7, "level_code": "booth"},
        resolve=silent_resolve,
        daily=True,
        summary=_summary_silent,
    ),
)
register_rule(
    "urgent_message",
    RuleKind(
        evaluate=urgent_message,
        describe=_describe_urgent,
        defaults={
            "name": gettext_lazy("Urgent message not acknowledged after 2 hours"),
            "threshold": 50,
            "window_minutes": 120,
            "severity": AlertRule.Severity.CRITICAL,
        },
    ),
)


# ---------------------------------------------------------------- evaluation and escalation


def rules_ensure() -> int:
    """Make the default rule of every registered kind that has none (the first run; a kind added later gets
    its row on the next run). Returns how many were made."""
    have = set(AlertRule.objects.values_list("kind", flat=True))
    made = 0
    for kind, rule_kind in RULES.items():
        if kind not in have:
            with translation.override("en"):  # stored in English, shown translated (``rule_name``)
                values = {name: str(v) if name == "name" else v for name, v in rule_kind.defaults.items()}
            AlertRule.objects.create(kind=kind, **values)
            made += 1
    return made


def rule_name(rule: AlertRule) -> str:
    """The rule's name in the active language: a default rule's name is in the catalogue; an organisation's
    own name is shown as written."""
    return _(rule.name) if rule.name else rule.kind


def _assignees(paths: Iterable[str]) -> dict[str, int]:
    """For each unit path, the user an alert there is assigned to: a control-room operator of the unit or the
    nearest unit above, else its nearest in-charge (unit or state admin); lowest user id among equals. Roles
    are few (hundreds), so they are read once and matched by path prefix."""
    preference: dict[str, int] = {Role.CONTROL_ROOM.value: 0, Role.UNIT_ADMIN.value: 1, Role.STATE_ADMIN.value: 1}
    roles = list(
        RoleAssignment.objects.filter(role__in=list(preference), user__is_active=True).values_list(
            "unit__path", "role", "user_id"
        )
    )
    result = {}
    for path in set(paths):
        best = None
        for role_path, role, user_id in roles:
            if path.startswith(role_path):
                rank = (preference[role], -len(role_path), user_id)
                if best is None or rank < best[0]:
                    best = (rank, user_id)
        if best is not None:
            result[path] = best[1]
    return result


def _raise(rule: AlertRule, findings: Iterable[Finding], now: datetime.datetime) -> int:
    """Insert the findings not raised before, in batches; a race with another run loses nothing and doubles
    nothing (``ignore_conflicts`` on the unique constraint). One audit entry per batch on the rule."""
    raised = 0
    batch: list[Finding] = []

    def flush() -> int:
        existing = set(
            Alert.objects.filter(rule=rule, unit_id__in={f.unit_id for f in batch}).values_list(
                "unit_id", "subject", "period"
            )
        )
        new = [f for f in {f.key: f for f in batch}.values() if f.key not in existing]
        if not new:
            return 0
        assignees = _assignees(f.path for f in new)
        rows = [
            Alert(
                rule=rule,
                unit_id=f.unit_id,
                path=f.path,
                subject=f.subject,
                period=f.period,
                numbers=f.numbers,
                raised_at=now,
                assigned_to_id=assignees.get(f.path),
            )
            for f in new
        ]
        with transaction.atomic():
            Alert.objects.bulk_create(rows, ignore_conflicts=True)
            audit_bulk_action(obj=rule, what="controlroom alerts raised", count=len(rows), model=Alert)
        return len(rows)

    for finding in findings:
        batch.append(finding)
        if len(batch) >= BATCH:
            raised += flush()
            batch = []
    if batch:
        raised += flush()
    return raised


def alerts_evaluate(*, now: datetime.datetime | None = None, daily: bool = True) -> dict[str, int]:
    """Evaluate every active rule (``daily=False``, beat's run every few minutes: not the daily kinds), raise
    what is new, resolve what went away, escalate what waited too long. Safe to run twice and from two workers
    at once. Returns counts by rule kind (and "escalated")."""
    now = now or timezone.now()
    rules_ensure()
    result: dict[str, int] = {}
    for rule in AlertRule.objects.filter(active=True).order_by("pk"):
        kind = RULES.get(rule.kind)
        if kind is None or (kind.daily and not daily):
            continue
        findings = kind.evaluate(rule, now)
        if kind.summary is not None:
            findings = _summarised(rule, list(findings), now)
        result[rule.kind] = result.get(rule.kind, 0) + _raise(rule, findings, now)
        if kind.resolve is not None:
            kind.resolve(rule, now)
    paths_sync()
    result["escalated"] = alerts_escalate(now=now)
    return result


def _group_units(paths: Iterable[str]) -> dict[str, tuple[int, str]]:
    """For each unit path, the unit its findings are summarised on: the ancestor at the level
    ``conf.alert_summary_level()``, or its parent when that is empty (one query for all)."""
    step, code = Unit.steplen, conf.alert_summary_level()
    paths = set(paths)
    if code:
        ancestors = {path[:n] for path in paths for n in range(step, len(path), step)}
        units = Unit.objects.filter(path__in=ancestors, level__code=code)
    else:
        units = Unit.objects.filter(path__in={path[:-step] for path in paths if len(path) > step})
    found = dict(units.values_list("path", "pk"))
    result = {}
    for path in paths:
        for n in range(len(path) - step, 0, -step):
            if path[:n] in found:
                result[path] = (found[path[:n]], path[:n])
                break
    return result


def control_room_paths() -> list[str]:
    """Paths of the units with a control room of their own: an active user holds the control-room role there.
    Role assignments are few (hundreds): read once per evaluation."""
    return list(
        RoleAssignment.objects.filter(role=Role.CONTROL_ROOM, user__is_active=True)
        .values_list("unit__path", flat=True)
        .distinct()
    )


def _nearer_room(path: str, group_path: str, rooms: Iterable[str]) -> bool:
    """A control room at the unit at ``path`` or between it and the unit it would be summarised on."""
    return any(len(room) > len(group_path) and path.startswith(room) for room in rooms)


def _next_period(rule: AlertRule, unit_ids: list[int], day: str) -> dict[int, str]:
    """The period of a summary raised today on each unit: the day, or "day/2", "day/3"... when summaries of
    the rule were raised there earlier today and resolved (the unique (rule, unit, subject, period) still
    keeps two runs at once from raising it twice)."""
    earlier: dict[int, int] = defaultdict(int)
    for unit_id in Alert.objects.filter(
        rule=rule, subject=SUMMARY, unit_id__in=unit_ids, period__startswith=day
    ).values_list("unit_id", flat=True):
        earlier[unit_id] += 1
    return {unit_id: day if not earlier[unit_id] else f"{day}/{earlier[unit_id] + 1}" for unit_id in unit_ids}


def _summarised(rule: AlertRule, findings: list[Finding], now: datetime.datetime) -> list[Finding]:
    """The findings with those of every parent unit under which more than ``conf.alert_summary_over()`` units
    were found replaced by one summary finding on the parent ("12 of 40 booths silent"): its ``numbers`` list
    the units (the alert's page names them).

    - A unit with a control room of its own nearer to it (at the unit, or between it and the parent:
      ``control_room_paths``) is not summarised: its alert stays its own, for its own operators (a state's
      summary of districts would otherwise take a district control room's alerts away).
    - A summary is raised once while it lasts: not again while one of the rule and unit is live; while it
      lasts its count and list follow the units found now (updated in place). A live summary whose parent has
      no longer enough units found is resolved; needed again, even the same day, it is raised again (its
      period: the day, then "day/2", ...).

    One query for the control rooms, one for the parents, one for the live summaries, one for the totals, one
    for the level's names, one for today's periods; one UPDATE per live summary whose numbers changed."""
    over = conf.alert_summary_over()
    groups = _group_units(f.path for f in findings)
    rooms = control_room_paths()
    units_under: dict[tuple[int, str], set[tuple[int, str]]] = defaultdict(set)
    for finding in findings:
        group = groups.get(finding.path)
        if group is not None and not _nearer_room(finding.path, group[1], rooms):
            units_under[group].add((finding.unit_id, finding.path))
    big = {group: units for group, units in units_under.items() if len(units) > over}
    live = Alert.objects.filter(rule=rule, subject=SUMMARY, state__in=LIVE)
    live.exclude(unit_id__in=[unit_id for unit_id, _path in big]).update(state=State.RESOLVED, resolved_at=now)
    if not big:
        return findings
    summarised = {path for units in big.values() for _unit_id, path in units}
    kept = [f for f in findings if f.path not in summarised]
    already = {
        unit_id: (pk, numbers)
        for pk, unit_id, numbers in live.filter(unit_id__in=[unit_id for unit_id, _path in big]).values_list(
            "pk", "unit_id", "numbers"
        )
    }
    totals = dict(
        CoverageCounter.objects.filter(
            unit_id__in=[unit_id for unit_id, _p in big], level__code=rule.level_code
        ).values_list("unit_id", "units_total")
    )
    level = Level.objects.filter(code=rule.level_code).values("name_en", "name_hi").first() or {}
    day = timezone.localdate(now).isoformat()
    periods = _next_period(rule, [unit_id for unit_id, _path in big if unit_id not in already], day)
    for (unit_id, path), units in sorted(big.items(), key=lambda item: item[0][1]):
        listed = sorted(units, key=lambda unit: unit[1])
        numbers = {
            "count": len(units),
            "total": max(totals.get(unit_id, 0), len(units)),
            "level_en": level.get("name_en", ""),
            "level_hi": level.get("name_hi", ""),
            "units": [unit_id for unit_id, _path in listed[:SUMMARY_UNITS_KEPT]],
        }
        if rule.kind == "silent":
            numbers["days"] = max(1, int(rule.threshold))
        if unit_id in already:
            pk, before = already[unit_id]
            if before != numbers:  # the count follows the units found now, while the summary lasts
                Alert.objects.filter(pk=pk, state__in=LIVE).update(numbers=numbers)
            continue
        kept.append(Finding(unit_id=unit_id, path=path, subject=SUMMARY, period=periods[unit_id], numbers=numbers))
    return kept


def summary_units(alerts: Iterable[Alert]) -> dict[int, list[Unit]]:
    """The units each summary alert of ``alerts`` lists (inside the alert's unit: the reader who sees the alert
    sees them), by alert id: one query for all."""
    wanted = {alert.pk: alert.numbers.get("units", []) for alert in alerts if alert.subject == SUMMARY}
    ids = {pk for pks in wanted.values() for pk in pks}
    if not ids:
        return {}
    units = Unit.objects.filter(pk__in=ids).select_related("level").in_bulk()
    by_alert = {alert.pk: alert.path for alert in alerts if alert.pk in wanted}
    return {
        pk: [units[i] for i in pks if i in units and units[i].path.startswith(by_alert[pk])]
        for pk, pks in wanted.items()
    }


def paths_sync() -> int:
    """The alerts of a unit moved since they were raised take its new path (their scope follows the unit),
    whatever their state (a resolved alert's note and assignee are the new district's, not the old one's):
    one UPDATE over the alerts whose copied path differs from their unit's. Returns how many moved."""
    current = Unit.objects.filter(pk=OuterRef("unit_id")).values("path")[:1]
    stale = Alert.objects.exclude(path=Subquery(current))
    return stale.update(path=Subquery(current))


def alerts_follow_unit(*, unit: Unit) -> None:
    """``org.hooks.unit_moved``: the moved subtree's alerts take their new paths in the move's transaction
    (before, the old district saw them until the next evaluation, and resolved ones for good)."""
    paths_sync()


def alerts_daily(*, today: datetime.date) -> str:
    """The daily run's job: every rule, the daily ones included (beat runs the others every few minutes)."""
    counts = alerts_evaluate()
    return ", ".join(f"{kind}: {count}" for kind, count in counts.items())


def alerts_escalate(*, now: datetime.datetime | None = None) -> int:
    """Alerts left open ``CONTROLROOM_ALERT_ESCALATE_MINUTES`` after they were raised become ``escalated`` and
    the key office-bearer of each one's parent unit is told through the outbox: one message per parent unit
    and batch, naming how many and the first. Exactly once: the batch is locked, moved by a conditional update
    and its messages queued in one transaction (idempotency keys hold the first alert's id). Returns how many
    alerts were escalated."""
    now = now or timezone.now()
    due = Alert.objects.filter(
        state=State.OPEN,
        escalated_at__isnull=True,
        raised_at__lte=now - datetime.timedelta(minutes=conf.alert_escalate_minutes()),
    )
    escalated = 0
    while True:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            moved = list(due.filter(pk__in=ids).select_related("rule", "unit__parent"))
            Alert.objects.filter(pk__in=[a.pk for a in moved], state=State.OPEN, escalated_at__isnull=True).update(
                state=State.ESCALATED, escalated_at=now
            )
            escalated += len(moved)
            _tell_parents(moved)
            audit_bulk_action(
                obj=moved[0].rule, what="controlroom alerts escalated", count=len(moved), model=Alert, ids=ids
            )
    return escalated


def _tell_parents(alerts: list[Alert]) -> int:
    by_parent: dict[int, list[Alert]] = defaultdict(list)
    for alert in alerts:
        if alert.unit.parent_id:
            by_parent[alert.unit.parent_id].append(alert)
    items = []
    for parent_id, _name, person in key_office_bearers_of(list(by_parent)):
        group = by_parent[parent_id]
        first = group[0]
        items.append(
            (
                f"controlroom-alert-escalated:{parent_id}:{first.pk}",
                person,
                {
                    "name": person.name,
                    "count": len(group),
                    "rule": first.rule.name,
                    "unit": first.unit.display_name,
                    "link": f"{conf.public_base_url()}/controlroom/alerts/unit/{parent_id}/",
                },
            )
        )
    return notify_bulk(template="controlroom_alert_escalated", context={}, items=items) if items else 0


# ---------------------------------------------------------------- an operator's actions


def alert_acknowledge(*, alert: Alert, by, note: str) -> Alert:
    """An operator who may open the control room at the alert's unit acknowledges it with a note (required,
    plain text). Open or escalated alerts only; audited (the alert's change)."""
    if not can(by, VIEW_CONTROL_ROOM, alert.unit):
        raise ControlRoomError(_("You may not act on alerts of this unit."), code="not_allowed")
    note = services.check_note(note)
    if not note:
        raise ControlRoomError(_("Write a note: what was done or who was called."), code="note_required")
    with transaction.atomic():
        locked = Alert.objects.select_for_update().select_related("rule", "unit").get(pk=alert.pk)
        if locked.state not in (State.OPEN, State.ESCALATED):
            raise ControlRoomError(_("This alert was already acknowledged."), code="not_open")
        locked.state = State.ACKNOWLEDGED
        locked.acknowledged_by = by
        locked.acknowledged_at = timezone.now()
        locked.note = note
        locked.save(update_fields=["state", "acknowledged_by", "acknowledged_at", "note"])
    return locked


def assignable_users(unit: Unit):
    """The active users who may open the control room at ``unit``: operators and in-charges of it or above."""
    ancestors = [unit.path[:n] for n in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    roles = [Role.CONTROL_ROOM, Role.UNIT_ADMIN, Role.STATE_ADMIN, Role.NATIONAL_ADMIN]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), role__in=roles, unit__path__in=ancestors)))
        .order_by("username")
    )


def alert_assign(*, alert: Alert, by, user_id: object) -> Alert:
    """Give the alert to another operator or in-charge who may open the control room at its unit. Audited."""
    if not can(by, VIEW_CONTROL_ROOM, alert.unit):
        raise ControlRoomError(_("You may not act on alerts of this unit."), code="not_allowed")
    try:
        pk = int(str(user_id))
    except ValueError:
        raise ControlRoomError(_("Choose a person from the list."), code="bad_user") from None
    user = assignable_users(alert.unit).filter(pk=pk).first()
    if user is None or not can(user, VIEW_CONTROL_ROOM, alert.unit):
        raise ControlRoomError(_("Choose a person from the list."), code="bad_user")
    with transaction.atomic():
        locked = Alert.objects.select_for_update().select_related("rule", "unit").get(pk=alert.pk)
        if locked.state == State.RESOLVED:
            raise ControlRoomError(_("This alert is resolved."), code="resolved")
        locked.assigned_to = user
        locked.save(update_fields=["assigned_to"])
    return locked


# ---------------------------------------------------------------- reads


SELECTED = ("rule", "unit__level", "assigned_to", "acknowledged_by")


def alerts_for_user(user):
    """The alerts of the units where the user may open the control room, with their rule, unit and people (the
    counts and the ids of ``newest_of`` leave the joins out)."""
    return Alert.objects.restrict(user, VIEW_CONTROL_ROOM).select_related(*SELECTED)


def alerts_in(user, unit: Unit, *, states: Iterable[str] = LIVE_OPEN):
    """The user's alerts of ``unit``'s subtree in ``states``, the newest first."""
    return (
        alerts_for_user(user)
        .filter(subtree_q([unit.path], "path"), state__in=list(states))
        .order_by("-raised_at", "-pk")
    )


def get_alert_for_user(user, pk: int) -> Alert:
    """The alert to act on: 404 outside the user's view scope, 403 without the control room at its unit."""
    alert = Alert.objects.restrict(user).select_related("rule", "unit").filter(pk=pk).first()
    if alert is None:
        raise Http404
    require(user, VIEW_CONTROL_ROOM, alert.unit)
    return alert


WALL_ALERTS = 5


def wall_alerts(user, unit: Unit) -> dict:
    """The wall's card: how many alerts of ``unit``'s subtree are open or escalated, and the newest few with
    their sentence (one query, two when there are more than shown)."""
    rows = alerts_in(user, unit)
    newest = newest_of(rows, WALL_ALERTS, LIVE_OPEN)
    total = len(newest) if len(newest) < WALL_ALERTS else rows.count()
    return {"total": total, "rows": [(alert, describe(alert)) for alert in newest]}


def newest_of(rows, limit: int, states: Iterable[str]) -> list[Alert]:
    """The newest ``limit`` of ``rows`` in ``states``: the ids of each state read backwards along the (state,
    raised_at, id) index and merged, then those rows read with their relations. One ordered read over both
    states sorted all 19,077 open alerts of the seeded state (92 ms on PostgreSQL); per state it stops at the
    fifth (0.04 ms for the state, 17 ms for a district whose alerts are older than the rest)."""
    pairs: list[tuple[datetime.datetime, int]] = []
    for state in states:
        pairs += rows.filter(state=state).order_by("-raised_at", "-pk").values_list("raised_at", "pk")[:limit]
    ids = [pk for _at, pk in sorted(pairs, reverse=True)[:limit]]
    found = {alert.pk: alert for alert in rows.model.objects.filter(pk__in=ids).select_related(*SELECTED)}
    return [found[pk] for pk in ids if pk in found]
