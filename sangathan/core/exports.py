"""CSV and XLSX exports that are safe to open in a spreadsheet: the review queue, the audit trail, the
message reports, the roll call.

People type what they like into forms and imports, so every text cell that a spreadsheet would read as a
formula (starting with = + - @, or a tab / carriage return / new line) gets a leading apostrophe. A
column is ``(header, value of one row)``.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE_MAX = 31  # characters: Excel refuses a longer sheet name

Column = tuple[Any, Callable[[Any], Any]]


def neutralise(value):
    """A cell value that no spreadsheet runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows(objects: Iterable, cols: list[Column]) -> Iterator[list]:
    """The header row, then one neutralised row per object."""
    yield [neutralise(str(header)) for header, _get in cols]
    for obj in objects:
        yield [neutralise(get(obj)) for _header, get in cols]


class _Echo:
    def write(self, value):
        return value


def csv_response(objects: Iterable, cols: list[Column], filename: str) -> StreamingHttpResponse:
    """Streamed, so a long list never sits in memory; UTF-8 with a BOM so spreadsheets read the Hindi."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        for row in rows(objects, cols):
            yield writer.writerow(["" if v is None else v for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(objects: Iterable, cols: list[Column], filename: str, *, sheet_title: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title)[:SHEET_TITLE_MAX])
    for row in rows(objects, cols):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
