"""The delivery report of a message for one unit's area: CSV, XLSX (formula-safe cells) and PDF (WeasyPrint,
Noto Sans Devanagari). Streams the rows in path order; the PDF is capped (it is for printing)."""

import csv

from django.http import HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from sangathan.core.exports import XLSX_TYPE, neutralise
from sangathan.core.pdf import html_to_pdf
from sangathan.org.masking import mask_mobile
from sangathan.org.models import Appointment
from sangathan.outreach import selectors
from sangathan.outreach.services import deliveries_in

PDF_MAX_ROWS = 2000


def _status(delivery) -> str:
    return {
        "shared": _("Shared"),
        "cannot": _("Cannot share"),
        "acknowledged": _("Received"),
        "opened": _("Opened"),
        "silent": _("Silent"),
    }[delivery.status]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def headers() -> list[str]:
    return [
        _("Level"),
        _("Number"),
        _("Unit"),
        _("In-charge"),
        _("Mobile number"),
        _("Status"),
        _("Opened at"),
        _("Received at"),
        _("Shared at"),
        _("Link of the post"),
        _("Note"),
        _("Reason"),
    ]


def rows(message, unit, limit: int | None = None, masked: bool = False):
    """Header, then one row per delivery in ``unit``'s area, in tree order, in batches of 2,000."""
    yield [neutralise(h) for h in headers()]
    last_path = ""
    sent = 0
    base = deliveries_in(message, unit.path).select_related("unit__level").order_by("path")
    while True:
        batch = list(base.filter(path__gt=last_path)[:2000])
        if not batch:
            return
        last_path = batch[-1].path
        people = {}
        for a in (
            Appointment.objects.filter(status="active", position__is_key=True, unit__in=[d.unit_id for d in batch])
            .select_related("person")
            .order_by("seat")
        ):
            people.setdefault(a.unit_id, a.person)
        for d in batch:
            person = people.get(d.unit_id)
            yield [
                neutralise(value)
                for value in (
                    d.unit.level.name,
                    d.unit.number if d.unit.number is not None else "",
                    d.unit.name,
                    person.name if person else "",
                    (mask_mobile(person.mobile) if masked else person.mobile) if person else "",
                    _status(d),
                    _when(d.opened_at),
                    _when(d.acknowledged_at),
                    _when(d.shared_at),
                    d.share_url,
                    d.share_note,
                    d.cannot_reason,
                )
            ]
            sent += 1
            if limit is not None and sent >= limit:
                return


class _Echo:
    def write(self, value):
        return value


def response(message, unit, fmt: str, masked: bool = False):
    """``masked``: mobile numbers masked, for users without ``view_personal`` at the unit."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"message-{message.pk}-{unit.pk}-{stamp}"
    if fmt == "csv":
        writer = csv.writer(_Echo())
        stream = ("\ufeff" if i == 0 else "" for i in range(1))
        body = (writer.writerow(row) for row in rows(message, unit, masked=masked))
        result = StreamingHttpResponse(
            (part for chunk in (stream, body) for part in chunk), content_type="text/csv; charset=utf-8"
        )
        result["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return result
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=_("Deliveries")[:31])
        for row in rows(message, unit, masked=masked):
            sheet.append(row)
        result = HttpResponse(content_type=XLSX_TYPE)
        book.save(result)
        result["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return result
    table = list(rows(message, unit, limit=PDF_MAX_ROWS, masked=masked))
    html = render_to_string(
        "outreach/report_pdf.html",
        {
            "message": message,
            "unit": unit,
            "levels": selectors.level_counts(message, unit),
            "times": selectors.times(message, unit),
            "header": table[0],
            "table": table[1:],
            "capped": len(table) - 1 >= PDF_MAX_ROWS,
            "limit": PDF_MAX_ROWS,
            "printed_at": timezone.localtime(),
        },
    )
    result = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    result["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return result
