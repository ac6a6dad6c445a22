"""From the file to rows of steps: each data row becomes the units it names, top level first (``Step``),
its unusable cells reported. The file is read through ``core.spreadsheets`` within ``unit_import_limits``."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from sangathan.core.importing import data_rows, filled_cells
from sangathan.core.models import bilingual
from sangathan.core.spreadsheets import Limits, cell_text, header_key, read_table, whole_number
from sangathan.core.validators import MARKUP_MESSAGE, has_markup
from sangathan.org.importing.columns import (
    NAME,
    NAME_EN,
    NAME_HI,
    NUMBER,
    STATION,
    Column,
    check_structure,
    map_headers,
)
from sangathan.org.importing.report import ImportReport
from sangathan.org.models import Level, Unit
from sangathan.org.services import NAME_MAX

STATION_MAX = 255
NUMBER_MAX = 2_147_483_647

_DEVANAGARI = re.compile("[\u0900-\u097f]")

Progress = Callable[[str, int, int], None]


def unit_import_limits() -> Limits:
    """The file and row limits of a unit import (settings ``UNIT_IMPORT_MAX_BYTES`` and ``_MAX_ROWS``)."""
    return Limits(max_bytes=settings.UNIT_IMPORT_MAX_BYTES, max_rows=getattr(settings, "UNIT_IMPORT_MAX_ROWS", 250_000))


@dataclass
class Step:
    """One level of one row: the unit the row names at that level."""

    level: Level
    number: int | None = None
    name_hi: str = ""
    name_en: str = ""
    station: str = ""
    number_column: str = ""
    name_column: str = ""

    @property
    def column(self) -> str:
        return self.number_column if self.number is not None and self.number_column else self.name_column

    @property
    def names(self) -> list[str]:
        return [name for name in (self.name_hi, self.name_en) if name]

    @property
    def label(self) -> str:
        return unit_label(self.level, self.number, self.name_hi, self.name_en)


def unit_label(level: Level, number: int | None, name_hi: str, name_en: str) -> str:
    name = bilingual(name_hi, name_en)
    if number is not None:
        return f"{level.name} {number}" + (f" “{name}”" if name else "")
    return f"{level.name} “{name}”"


def is_hindi(text: str) -> bool:
    return not text.isascii() and _DEVANAGARI.search(text) is not None


def parse(
    *, file, root: Unit, levels: dict[str, Level], report: ImportReport, progress: Progress | None = None
) -> list[tuple[int, list[Step]]] | None:
    """The rows as steps, the unusable ones reported and left out; None when the header is unusable."""
    table = read_table(file, unit_import_limits())  # refuses what is over the limits before parsing it
    report.file_format, header = table.format, table.header
    columns = map_headers(header, levels, report)
    unnamed = [index for index, text in enumerate(header) if not header_key(text)]
    if report.errors_total:
        return None
    check_structure(columns, levels, root, report)
    if report.errors_total:
        return None
    rows: list[tuple[int, list[Step]]] = []
    flagged_unnamed = False
    for row_no, cells in data_rows(table.rows, report):  # at most the rows the limits allow
        if progress and report.rows_total % 2000 == 0:
            progress("read", report.rows_total, 0)
        if not flagged_unnamed and any(index < len(cells) and cell_text(cells[index]) for index in unnamed):
            report.add_error(1, "", _("A column with data has no heading in row 1."))
            flagged_unnamed = True
        steps = row_steps(row_no, cells, columns, report)
        if steps is not None:
            rows.append((row_no, steps))
    if not report.rows_total:
        report.add_no_data_rows()
        return None
    return rows


def row_steps(row_no: int, cells: list, columns: list[Column], report: ImportReport) -> list[Step] | None:
    """The levels a row names, top first; None (and errors reported) if a cell is unusable."""
    steps: dict[int, Step] = {}
    ok = True
    for column, raw, text in filled_cells(cells, columns):
        step = steps.setdefault(column.level.id, Step(level=column.level))
        if column.field == NUMBER:
            try:
                step.number = whole_number(raw, maximum=NUMBER_MAX)
            except ValueError:
                report.add_error(
                    row_no,
                    column.header,
                    _("“%(value)s” is not a whole number. Write numbers like 45, without letters.") % {"value": text},
                )
                ok = False
            step.number_column = column.header
            continue
        limit = STATION_MAX if column.field == STATION else NAME_MAX
        if has_markup(text):  # the rule of the model fields (core.validators)
            report.add_error(row_no, column.header, str(MARKUP_MESSAGE))
            ok = False
            continue
        if len(text) > limit:
            report.add_error(
                row_no,
                column.header,
                _("This is %(length)d characters long; at most %(max)d are allowed.")
                % {"length": len(text), "max": limit},
            )
            ok = False
            continue
        if column.field == STATION:
            step.station = text
            continue
        if column.field == NAME:  # the script decides the language; a _hi/_en column of the level wins
            slot = NAME_HI if is_hindi(text) else NAME_EN
            if not getattr(step, slot):
                setattr(step, slot, text)
        else:
            setattr(step, column.field, text)
        step.name_column = step.name_column or column.header
    for step in steps.values():
        if step.number is None and not step.names and step.station:
            report.add_error(row_no, "", _("A polling station is given without a booth number or name."))
            ok = False
    if not ok:
        return None
    return sorted(steps.values(), key=lambda step: step.level.order)
