"""A state's daily and weekly report: made (a Hindi PDF through ``core.pdf.html_to_pdf`` with an inline SVG
chart, and an XLSX with the same numbers), archived as a ``StateReport`` in Django's storage, delivered
through the outbox, and read back by the control room's pages.

Made on schedule by the daily job ``controlroom-reports`` (``sangathan run-daily`` / Celery beat): a task
per state on the ``reports`` queue makes yesterday's daily report and, on the weekday
``CONTROLROOM_WEEKLY_REPORT_WEEKDAY`` (Monday), the weekly report of the seven days ending yesterday, then
delivers each once. ``sangathan controlroom-report`` makes one on demand and copies its files out.

Idempotent: one ``StateReport`` per unit, kind and day (a unique constraint, and the row is locked while it
is made); making it again replaces its files. Delivery sets ``delivered_at`` under the same lock and every
outbox message has a key naming the report and the person, so a report is sent once.
"""

import datetime
import io
import logging
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from openpyxl import Workbook

from sangathan.access.permissions import VIEW_CONTROL_ROOM
from sangathan.access.scope import require, scope_paths
from sangathan.audit.services import audit_bulk_action
from sangathan.controlroom import conf
from sangathan.controlroom.errors import ControlRoomError
from sangathan.controlroom.models import COUNTERS, RollupRun, StateReport
from sangathan.controlroom.report_numbers import ReportNumbers, period, report_numbers
from sangathan.controlroom.selectors import Rate
from sangathan.controlroom.services import COUNTER_LABELS, rollup_refresh
from sangathan.core.exports import XLSX_TYPE, neutralise
from sangathan.core.pdf import html_to_pdf
from sangathan.notifications.models import OutboxMessage
from sangathan.org.models import Appointment, Unit
from sangathan.outreach.services import notify_bulk

logger = logging.getLogger(__name__)
BAR_WIDTH, BAR_HEIGHT = 300, 16
BAND_COLOURS = {"good": "#1f7a4d", "fair": "#c77700", "poor": "#b3261e", "none": "#999999"}


def weekly_weekday() -> int:
    """The weekday (Monday 0) on which the weekly report of the week ending the day before is made."""
    return int(getattr(settings, "CONTROLROOM_WEEKLY_REPORT_WEEKDAY", 0))


# ---------------------------------------------------------------- rendering


def rate_bar(rate: Rate) -> str:
    """One bar of the reporting-rate chart as inline SVG: the bar and its percent (digits only: WeasyPrint
    draws SVG text glyph by glyph, unshaped, so the Devanagari labels stay in the HTML beside it)."""
    width = round(BAR_WIDTH * rate.percent / 100, 1)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}%">'
        '<rect x="0" y="2" width="{}" height="{}" fill="#eceff3"/><rect x="0" y="2" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" font-family="Noto Sans" font-size="9">{}%</text></svg>',
        BAR_WIDTH + 40,
        BAR_HEIGHT,
        BAR_WIDTH + 40,
        BAR_HEIGHT,
        rate.percent,
        BAR_WIDTH,
        BAR_HEIGHT - 4,
        width,
        BAR_HEIGHT - 4,
        BAND_COLOURS[rate.band],
        BAR_WIDTH + 4,
        BAR_HEIGHT - 4,
        rate.percent,
    )


def rate_chart(numbers: ReportNumbers) -> list[tuple[Unit, str]]:
    """The reporting rate of each child unit: (unit, its bar as inline SVG)."""
    return [(line.unit, rate_bar(line.reporting)) for line in numbers.children]


def report_title(unit: Unit, kind: str, day: datetime.date) -> str:
    if kind == StateReport.Kind.WEEKLY:
        return _("Weekly report of the control room: %(unit)s, %(first)s to %(last)s") % {
            "unit": unit.display_name,
            "first": period(kind, day)[0].strftime("%d.%m.%Y"),
            "last": day.strftime("%d.%m.%Y"),
        }
    return _("Daily report of the control room: %(unit)s, %(day)s") % {
        "unit": unit.display_name,
        "day": day.strftime("%d.%m.%Y"),
    }


def _title(numbers: ReportNumbers) -> str:
    return report_title(numbers.summary.unit, numbers.kind, numbers.day)


def report_pdf(numbers: ReportNumbers) -> bytes:
    with translation.override("hi"):
        html = render_to_string(
            "controlroom/report_pdf.html",
            {
                "n": numbers,
                "title": _title(numbers),
                "chart": rate_chart(numbers),
                "counter_labels": COUNTER_LABELS,
                "made_at": timezone.localtime(),
            },
        )
    return html_to_pdf(html)


def _sheet(book: Workbook, title: str, header: list, rows: list[list]) -> None:
    sheet = book.create_sheet(title=title[:31])
    sheet.append([neutralise(str(h)) for h in header])
    for row in rows:
        sheet.append([neutralise(value) for value in row])


def report_xlsx(numbers: ReportNumbers) -> bytes:
    """The report's numbers, one sheet per table, the definitions and "last updated" on the first."""
    with translation.override("hi"):
        counters = [str(COUNTER_LABELS[name]) for name in COUNTERS]
        s = numbers.summary
        book = Workbook(write_only=True)
        updated = timezone.localtime(s.updated_at).strftime("%d.%m.%Y %H:%M") if s.updated_at else "—"
        _sheet(
            book,
            _("Summary"),
            [_("Measure"), _("Value"), _("Out of")],
            [
                [_title(numbers), "", ""],
                [_("Numbers last updated"), updated, ""],
                [_("Key office-bearers who reported"), s.reporting.done, s.reporting.total],
                *[[str(COUNTER_LABELS[name]), s.activity[name], ""] for name in COUNTERS],
                [_("Booths"), s.booths, ""],
                [_("Posts per booth"), s.posts_per_booth, ""],
                [_("Party messages shared per booth"), s.shares_per_booth, ""],
                [_("Target units that acknowledged messages"), s.cascade.done, s.cascade.total],
                [_("Units with the key post vacant"), s.vacant, s.key_posts],
                [_("Office-bearers trained"), s.trained.done, s.trained.total],
                [_("Active channels"), s.channels, ""],
                [_("Booths with a WhatsApp group and a broadcast list"), s.booths_with_both, s.booths],
                *[[str(text), "", ""] for text in numbers.definitions.values()],
            ],
        )
        _sheet(
            book,
            _("Units"),
            [_("Unit"), _("Reported"), _("Expected"), _("Reporting rate (%)"), _("Booths"), *counters],
            [
                [
                    line.unit.display_name,
                    line.reporting.done,
                    line.reporting.total,
                    line.reporting.percent,
                    line.booths,
                    *[line.activity[name] for name in COUNTERS],
                ]
                for line in numbers.children
            ],
        )
        _sheet(
            book,
            _("Levels"),
            [
                _("Level"),
                _("Units"),
                _("Units reported"),
                _("Reported"),
                _("Expected"),
                _("Key post vacant"),
                *counters,
            ],
            [
                [
                    line.level.name,
                    line.units,
                    line.units_reported,
                    line.reporting.done,
                    line.reporting.total,
                    line.vacant,
                    *[line.activity[name] for name in COUNTERS],
                ]
                for line in numbers.levels
            ],
        )
        _sheet(
            book,
            _("Cascade"),
            [_("Message"), _("Sent at"), _("Down to"), _("Acknowledged"), _("Target units")],
            [
                [
                    line.message.title,
                    timezone.localtime(line.message.sent_at).strftime("%d.%m.%Y %H:%M") if line.message.sent_at else "",
                    line.level.name,
                    line.acknowledged.done,
                    line.acknowledged.total,
                ]
                for line in numbers.messages
            ],
        )
        _sheet(
            book,
            _("Training"),
            [_("Level"), _("Active posts"), _("Held by someone trained")],
            [[row.level.name, row.appointed, row.trained] for row in numbers.training],
        )
        _sheet(
            book,
            _("Channels"),
            [_("Platform"), _("Channels"), _("Units")],
            [[str(row.label), row.channels, row.units] for row in numbers.platforms],
        )
        buffer = io.BytesIO()
        book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- making and delivering


def file_stem(report: StateReport) -> str:
    code = report.unit.code or str(report.unit.pk)
    return f"controlroom-{report.kind}-{code}-{report.day.isoformat()}"


def check_request(*, kind: str, day: datetime.date, today: datetime.date | None = None) -> None:
    if kind not in StateReport.Kind.values:
        raise ControlRoomError(_("A report is daily or weekly."), code="bad_kind")
    if day > (today or timezone.localdate()):
        raise ControlRoomError(_("A report cannot be made for a day that has not ended yet."), code="future_day")


def report_make(*, unit: Unit, kind: str, day: datetime.date, by=None) -> StateReport:
    """Make (or make again) the ``kind`` report of ``unit`` for ``day``: one row, its files replaced. The
    roll-ups of days in the period that were never refreshed are rebuilt first. One transaction."""
    check_request(kind=kind, day=day)
    start = time.perf_counter()
    for each in period(kind, day):
        if not RollupRun.objects.filter(day=each).exists():
            rollup_refresh(day=each)
    with transaction.atomic():
        report, _created = StateReport.objects.get_or_create(unit=unit, kind=kind, day=day)
        report = StateReport.objects.select_for_update().select_related("unit__level").get(pk=report.pk)
        numbers = report_numbers(report.unit, kind, day)
        pdf, xlsx = report_pdf(numbers), report_xlsx(numbers)
        for old in (report.pdf, report.xlsx):
            if old:
                old.delete(save=False)
        stem = file_stem(report)
        report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        report.status = StateReport.Status.MADE
        report.error = ""
        report.made_at = timezone.now()
        report.seconds = round(time.perf_counter() - start, 3)
        report.save()
        audit_bulk_action(
            obj=report, what="controlroom report made", count=1, model=StateReport, ids=[report.pk], by=by
        )
    return report


def report_failed(*, unit: Unit, kind: str, day: datetime.date, error: Exception) -> StateReport:
    """Note that making a report failed (its own transaction: the failed one rolled back). A report made
    before keeps its files and status; a new one is left ``failed`` with the error, for the operators."""
    text = f"{type(error).__name__}: {error}"[:500]
    with transaction.atomic():
        report, _created = StateReport.objects.get_or_create(
            unit=unit, kind=kind, day=day, defaults={"status": StateReport.Status.FAILED}
        )
        report.error = text
        report.save(update_fields=["error"])
    return report


def recipients(unit: Unit) -> list[Appointment]:
    """Who gets a state's report: everyone holding an active post at the state unit (its leaders) and the key
    office-bearers of the national unit above it (the national department)."""
    national = unit.path[: Unit.steplen]
    return list(
        Appointment.objects.filter(status=Appointment.Status.ACTIVE)
        .filter(Q(unit=unit) | Q(position__is_key=True, unit__path=national))
        .order_by("pk")
    )


def download_url(report: StateReport, fmt: str) -> str:
    return conf.public_base_url() + reverse("controlroom:report_download", args=[report.pk, fmt])


def report_deliver(*, report_id: int) -> int:
    """Queue the report to its recipients on their default channels (``recipients``): email carries the PDF
    and the XLSX as attachments, WhatsApp and Telegram a link to the control room's download. Once: a
    delivered report queues nothing, and each message's key names the report and the person. Returns how
    many messages were queued."""
    with transaction.atomic():
        report = (
            StateReport.objects.select_for_update(of=("self",))
            .select_related("unit")
            .filter(pk=report_id, status=StateReport.Status.MADE)
            .first()
        )
        if report is None or report.delivered_at is not None:
            return 0
        people = Appointment.objects.filter(pk__in=[a.pk for a in recipients(report.unit)]).select_related("person")
        with translation.override("hi"):
            title = report_title(report.unit, report.kind, report.day)
        items = [
            (
                f"controlroom-report:{report.pk}:{appointment.person_id}",
                appointment.person,
                {"name": appointment.person.name},
            )
            for appointment in people.order_by("person_id", "pk")
        ]
        unique = list({key: (key, person, values) for key, person, values in items}.values())
        sent = notify_bulk(
            template="controlroom_state_report",
            context={
                "title": title,
                "pdf_link": download_url(report, "pdf"),
                "xlsx_link": download_url(report, "xlsx"),
            },
            items=unique,
        )
        report.delivered_at = timezone.now()
        report.save(update_fields=["delivered_at"])
        audit_bulk_action(obj=report, what="controlroom report delivered", count=sent, model=OutboxMessage)
    return sent


def report_attachments(message: OutboxMessage) -> list[tuple[str, bytes, str]]:
    """The files an outbox email of a report carries (found by the message's key, which names the report)."""
    prefix, _sep, rest = message.idempotency_key.partition(":")
    report_id = rest.partition(":")[0]
    if prefix != "controlroom-report" or not report_id.isdecimal():
        return []
    report = StateReport.objects.filter(pk=int(report_id), status=StateReport.Status.MADE).first()
    if report is None:
        return []
    result = []
    for field, suffix, mimetype in ((report.pdf, "pdf", "application/pdf"), (report.xlsx, "xlsx", XLSX_TYPE)):
        if field:
            with field.open("rb") as handle:
                result.append((f"{file_stem(report)}.{suffix}", handle.read(), mimetype))
    return result


def reports_daily(*, today: datetime.date) -> str:
    """The daily job: for every state, queue yesterday's daily report (and on the weekly weekday the week's),
    each made and delivered by a task on the reports queue."""
    from sangathan.controlroom import tasks  # tasks import this module

    yesterday = today - datetime.timedelta(days=1)
    kinds = [StateReport.Kind.DAILY] + ([StateReport.Kind.WEEKLY] if today.weekday() == weekly_weekday() else [])
    states = list(Unit.objects.filter(depth=2).values_list("pk", flat=True))
    failed = []
    for state_id in states:
        for kind in kinds:
            try:  # with a worker this only queues; run inline (embedded mode), one state's failure stops no other
                tasks.make_state_report.delay(state_id, str(kind), yesterday.isoformat())
            except Exception as error:
                logger.exception("The %s report of unit %s for %s failed", kind, state_id, yesterday)
                failed.append(f"{state_id}/{kind}: {error}")
    if failed:
        raise RuntimeError(f"{len(failed)} reports failed: {'; '.join(failed)}")
    return f"{len(states) * len(kinds)} reports queued for {yesterday}"


# ---------------------------------------------------------------- reading


def reports_for_user(user):
    """Made reports the user may see in the control room (their units' and those below)."""
    return (
        StateReport.objects.restrict(user, VIEW_CONTROL_ROOM)
        .filter(status=StateReport.Status.MADE)
        .select_related("unit__level")
    )


def sees_whole_country(user) -> bool:
    """Whether the user's control room is the whole country (a role at the national unit, or a superuser)."""
    paths = scope_paths(user, VIEW_CONTROL_ROOM)
    return paths is None or any(len(path) == Unit.steplen for path in paths)


def get_report_for_user(user, pk: int) -> StateReport:
    """A made report: 404 outside the user's view, 403 without the control room at its unit."""
    report = (
        StateReport.objects.restrict(user)
        .filter(pk=pk, status=StateReport.Status.MADE)
        .select_related("unit__level")
        .first()
    )
    if report is None:
        raise Http404
    require(user, VIEW_CONTROL_ROOM, report.unit)
    return report
