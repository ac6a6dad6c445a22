"""Writes of the control room: an office-bearer's daily report (``activity_report_submit``, which adds its
difference to the day's roll-ups in its transaction, ``rollups``) and the set-based rebuild of a day's
roll-ups (``rollup_refresh``: run for yesterday and today by the daily job ``rollups_daily``, by the wall's
button, and queued by ``rollup_refresh_soon`` when a report finds its day not built yet).

The rules a report must meet are here too (``check_day``, ``check_counts``, ``check_links``): the public
form calls them for its messages and the service calls them again, so no other entry point can skip them.
"""

import copy
import datetime
import time
from collections.abc import Iterable, Mapping
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangathan.access.permissions import SEND_MESSAGES
from sangathan.access.scope import can
from sangathan.audit.services import audit_bulk_action, audit_save_changed
from sangathan.controlroom import conf, rollups, sql, tasks, tokens
from sangathan.controlroom.errors import ControlRoomError
from sangathan.controlroom.links import PostLink, PostLinkError, normalise_post_url
from sangathan.controlroom.models import COUNTERS, NOTE_MAX, ActivityReport, PostMention, ReportedPost, RollupRun
from sangathan.core.paths import subtree_q
from sangathan.core.validators import has_markup
from sangathan.org.models import Appointment, Unit
from sangathan.outreach.services import notify_bulk

COUNTER_LABELS = {
    "posts": gettext_lazy("Posts made"),
    "shares": gettext_lazy("Party messages shared"),
    "groups_messaged": gettext_lazy("WhatsApp groups messaged"),
    "people_added": gettext_lazy("People added"),
    "events": gettext_lazy("Events held"),
}


# ---------------------------------------------------------------- the rules of a report


def check_day(day: datetime.date, *, today: datetime.date, started: datetime.date | None = None) -> None:
    """A report is for today or one of the last ``conf.report_days_back()`` days, never the future, and
    not for a day before the appointment began."""
    if day > today:
        raise ControlRoomError(_("A report cannot be for a day that has not come yet."), code="future_day")
    back = conf.report_days_back()
    if day < today - datetime.timedelta(days=back):
        raise ControlRoomError(
            _("A report can be for today or the last %(days)d days only.") % {"days": back}, code="old_day"
        )
    if started is not None and day < started:
        raise ControlRoomError(_("You were not yet appointed on that day."), code="before_appointment")


def check_counts(counts: Mapping[str, object]) -> dict[str, int]:
    """Each count a whole number from 0 up to its cap (``conf.caps()``); missing ones are 0."""
    caps = conf.caps()
    result = {}
    for name in COUNTERS:
        value = counts.get(name, 0)
        if value in (None, ""):
            value = 0
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise ControlRoomError(
                _("“%(label)s” must be a whole number.") % {"label": COUNTER_LABELS[name]}, code="not_a_number"
            ) from None
        if number < 0:
            raise ControlRoomError(
                _("“%(label)s” cannot be below 0.") % {"label": COUNTER_LABELS[name]}, code="negative"
            )
        if number > caps[name]:
            raise ControlRoomError(
                _("“%(label)s” cannot be more than %(cap)d in one day. Please check the number.")
                % {"label": COUNTER_LABELS[name], "cap": caps[name]},
                code="too_many",
            )
        result[name] = number
    return result


def check_links(urls: Iterable[str]) -> list[PostLink]:
    """Every pasted link must be a link to one post; the same post twice counts once. All the bad links are
    named in one message."""
    links: dict[str, PostLink] = {}
    problems = []
    for url in urls:
        try:
            link = normalise_post_url(url)
        except PostLinkError as error:
            problems.append(" ".join(error.messages))
            continue
        links.setdefault(link.key, link)
    if problems:
        raise ControlRoomError(problems, code="bad_link")
    if len(links) > conf.urls_max():
        raise ControlRoomError(
            _("At most %(count)d post links in one report.") % {"count": conf.urls_max()}, code="too_many_links"
        )
    return list(links.values())


def check_note(note: str) -> str:
    """Plain text of at most ``NOTE_MAX`` characters, without NUL and other control characters (a database
    text cannot hold NUL)."""
    note = "".join(ch for ch in (note or "") if ch in "\n\t" or ch >= " ").strip()
    if len(note) > NOTE_MAX:
        raise ControlRoomError(
            _("The note can be at most %(limit)d characters long.") % {"limit": NOTE_MAX}, code="note_too_long"
        )
    if has_markup(note):
        raise ControlRoomError(_("Write plain text, without HTML tags."), code="markup")
    return note


# ---------------------------------------------------------------- a report


def activity_report_submit(
    *,
    appointment_id: int,
    day: datetime.date,
    counts: Mapping[str, object],
    note: str = "",
    urls: Iterable[str] = (),
    today: datetime.date | None = None,
) -> ActivityReport:
    """Record what the holder of ``appointment_id`` did on ``day``: a new report, or the day's report
    updated (never a second one). The appointment must be active in a key post. The post links become
    ``ReportedPost`` rows of the state (a post already reported there gets one more mention). One
    transaction, which also adds the report's difference to the day's roll-ups (``rollups``)."""
    check_counts(counts), check_note(note), check_links(urls)  # refused before the transaction begins
    with transaction.atomic():
        appointment = appointment_locked(appointment_id)
        return report_write(appointment=appointment, day=day, counts=counts, note=note, urls=urls, today=today)


def appointment_locked(appointment_id: int) -> Appointment | None:
    """The appointment of a report, its row locked: the lock serialises two submissions of one link (a double
    tap), the second updates the first. Call inside a transaction."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("position", "unit", "person")
        .filter(pk=appointment_id)
        .first()
    )


def appointments_locked(appointment_ids) -> dict[int, Appointment]:
    """``appointment_locked`` for many (a batch of stored reports), one query, locked in id order."""
    rows = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("position", "unit", "person")
        .filter(pk__in=sorted(appointment_ids))
        .order_by("pk")
    )
    return {appointment.pk: appointment for appointment in rows}


def report_write(
    *,
    appointment: Appointment | None,
    day: datetime.date,
    counts: Mapping[str, object],
    note: str = "",
    urls: Iterable[str] = (),
    today: datetime.date | None = None,
) -> ActivityReport:
    """The write of ``activity_report_submit`` (the same rules) for a caller that holds ``appointment_locked``
    in its transaction: the report page reads the appointment once this way. Every refusal
    (``ControlRoomError``) comes before the first write, so a caller may catch it without a savepoint."""
    today = today or timezone.localdate()
    values = check_counts(counts)
    note = check_note(note)
    links = check_links(urls)
    if appointment is None or appointment.status != Appointment.Status.ACTIVE or not appointment.position.is_key:
        raise ControlRoomError(_("This report link is no longer valid."), code="not_active")
    check_day(day, today=today, started=appointment.start_date)
    runs = rollups.days_locked(day)
    nearby = rollups.nearby_reports(appointment, day)
    report = next((r for r in nearby if r.appointment_id == appointment.pk and r.day == day), None)
    before = old = None
    if report is None:
        report = ActivityReport(
            appointment=appointment, person_id=appointment.person_id, unit=appointment.unit, day=day
        )
    else:
        before = {name: getattr(report, name) for name in COUNTERS}
        if report.unit_id == appointment.unit_id:
            report.unit = appointment.unit  # read already (the audit entry names its path)
        old = copy.copy(report)  # the row as read (under the appointment's lock): the audit's "before"
        report.revisions += 1
    for name, value in values.items():
        setattr(report, name, value)
    report.note = note
    if old is None:
        report.save()
    else:
        audit_save_changed(obj=report, old=old)  # without the audit hook's second read of the row
    _mentions_set(report=report, unit=appointment.unit, links=links, new=before is None)
    stale = rollups.report_applied(appointment=appointment, report=report, before=before, nearby=nearby, runs=runs)
    for stale_day in sorted(stale):
        transaction.on_commit(partial(rollup_refresh_soon, day=stale_day))
    return report


def state_of(unit: Unit) -> Unit:
    """The unit at the state level above ``unit`` (depth 2), or the unit itself at the top of the tree."""
    if unit.depth <= 2:
        return unit
    return Unit.objects.get(path=unit.path[: 2 * Unit.steplen])


def _mentions_set(*, report: ActivityReport, unit: Unit, links: list[PostLink], new: bool = False) -> None:
    """Make the report's post mentions those of ``links``: new posts of the state are created with this
    report as the first, known ones get a mention more (both in one statement, ``sql.posts_mentioned``), links
    no longer in the report lose theirs. ``new``: the report was just made (it has no mentions to read)."""
    wanted = {link.key: link for link in links}
    current = {} if new else {mention.post.key: mention for mention in report.mentions.select_related("post")}
    gone = [mention for key, mention in current.items() if key not in wanted]
    if gone:
        PostMention.objects.filter(pk__in=[m.pk for m in gone]).delete()
        ReportedPost.objects.filter(pk__in=[m.post_id for m in gone]).update(mentions=F("mentions") - 1)
    fresh = [link for key, link in wanted.items() if key not in current]
    if not fresh:
        return
    post_ids = sql.posts_mentioned(
        state_path=unit.path[: 2 * Unit.steplen],
        unit_id=unit.pk,
        person_id=report.person_id,
        day=report.day,
        links=fresh,
    )
    PostMention.objects.bulk_create(
        [PostMention(report=report, post_id=post_id, unit=unit, day=report.day) for post_id in post_ids]
    )
    # The upsert bypasses the audit log's save hook: one entry names the posts this report made or mentioned.
    audit_bulk_action(
        obj=report, what="controlroom posts mentioned", count=len(post_ids), model=ReportedPost, ids=post_ids
    )


# ---------------------------------------------------------------- roll-ups


def rollup_refresh(*, day: datetime.date) -> RollupRun:
    """Rebuild the roll-ups of ``day`` for the whole tree, set-based (``sql.rollup_insert``), in one
    transaction: a reader sees the old rows or the new ones, never a mix. Two refreshes of one day wait for
    each other (the day's ``RollupRun`` row is locked first). Safe to run twice."""
    start = time.perf_counter()
    since = day - datetime.timedelta(days=conf.silent_days() - 1)
    with transaction.atomic():
        RollupRun.objects.get_or_create(day=day, defaults={"refreshed_at": timezone.now()})
        run = RollupRun.objects.select_for_update().get(day=day)
        sql.rollup_delete(day=day)
        run.rows = sql.rollup_insert(day=day, since=since)
        run.reports = ActivityReport.objects.filter(day=day).count()
        run.refreshed_at = run.rebuilt_at = timezone.now()
        run.seconds = round(time.perf_counter() - start, 3)
        run.save()
    sql.rollup_analyze()
    return run


def rollup_refresh_soon(*, day: datetime.date, at_once: bool = False) -> None:
    """Queue the refresh of ``day``'s roll-ups. With a worker, reports arriving within
    ``conf.refresh_delay_seconds()`` share one refresh (the first queues it to run after the delay; the
    cache key that says one is queued lives a little shorter, so no report is left out). Eager (the
    embedded mode, the tests) or ``at_once`` (the wall's button): now."""
    delay = conf.refresh_delay_seconds()
    if at_once or tasks.refresh_day.app.conf.task_always_eager or delay <= 0:
        tasks.refresh_day.delay(day.isoformat())
        return
    if cache.add(f"controlroom:refresh-queued:{day.isoformat()}", 1, timeout=max(1, delay - 2)):
        tasks.refresh_day.apply_async(args=[day.isoformat()], countdown=delay)


def rollups_daily(*, today: datetime.date) -> str:
    """The daily job: yesterday's roll-ups made final (late reports, appointments ended) and today's begun."""
    runs = [rollup_refresh(day=today - datetime.timedelta(days=1)), rollup_refresh(day=today)]
    return ", ".join(f"{run.day}: {run.rows} rows, {run.reports} reports" for run in runs)


# ---------------------------------------------------------------- the links


def report_links_queue(*, root: Unit, by) -> None:
    """Queue sending every key office-bearer in ``root``'s subtree their report link (a task, after the
    commit: a state has tens of thousands)."""
    if not can(by, SEND_MESSAGES, root):
        raise ControlRoomError(_("You may not send messages to this unit."), code="not_allowed")
    root_id, user_id = root.pk, by.pk
    transaction.on_commit(lambda: tasks.send_report_links.delay(root_id, user_id))


def report_links_send(*, root: Unit, by, today: datetime.date | None = None) -> int:
    """Put each active key office-bearer's personal report link in the outbox (their default channels). The
    idempotency key holds the day: sending twice in one day sends once; a later day sends a fresh link.
    One audit entry on the root unit for the whole action. Returns how many messages were queued."""
    if not can(by, SEND_MESSAGES, root):
        raise ControlRoomError(_("You may not send messages to this unit."), code="not_allowed")
    today = today or timezone.localdate()
    appointments = (
        Appointment.objects.filter(status=Appointment.Status.ACTIVE, position__is_key=True)
        .filter(subtree_q([root.path], "unit__path"))
        .select_related("person", "unit")
        .order_by("unit__path", "seat")
    )
    with transaction.atomic():
        items = [
            (
                f"controlroom-link:{appointment.pk}:{today.isoformat()}",
                appointment.person,
                {
                    "name": appointment.person.name,
                    "unit": appointment.unit.display_name,
                    "link": tokens.report_link(appointment.pk),
                },
            )
            for appointment in appointments.iterator(chunk_size=2000)
        ]
        sent = notify_bulk(template="controlroom_report_link", context={}, items=items)
        audit_bulk_action(obj=root, what="controlroom report links sent", count=sent, model=Appointment, ids=[], by=by)
    return sent
