"""What every import of a sheet (units, channels, ...) shares once the file is open (``core.spreadsheets``
opens it): the report's problems by row, the matching of headings to fields, the rows that carry data.

One place for these so that every import words the same problem the same way (and in Hindi) and counts
rows and errors alike: the rows as a spreadsheet numbers them (1 = the header), the first problems listed
and all of them counted.
"""

from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, TypeVar

from django.utils.translation import gettext as _

from sangathan.core.spreadsheets import cell_text, header_key, is_blank


@dataclass
class RowError:
    """One problem: ``row`` as a spreadsheet numbers it (1 = header, None = the whole file)."""

    row: int | None
    column: str
    message: str


class RowFailed(Exception):
    """A row has a problem, already reported; the rest of that row is skipped."""


class HeaderProblem(Exception):
    """A heading names something the import cannot take; the message says what (translated)."""


@dataclass(kw_only=True)
class SheetReport:
    """What an import of a sheet found: its data rows and problems. The first ``max_errors`` errors and
    ``max_warnings`` warnings are listed, all are counted. Each import adds what it did (its counts)."""

    max_errors: ClassVar[int] = 500
    max_warnings: ClassVar[int] = 500

    rows_total: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_total: int = 0
    warnings: list[RowError] = field(default_factory=list)
    warnings_total: int = 0
    imported: bool = False
    file_format: str = ""
    seconds: float = 0.0

    def add_error(self, row: int | None, column, message) -> None:
        self.errors_total += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(RowError(row, str(column or ""), str(message)))

    def add_warning(self, row: int | None, column, message) -> None:
        self.warnings_total += 1
        if len(self.warnings) < self.max_warnings:
            self.warnings.append(RowError(row, str(column or ""), str(message)))

    def add_no_data_rows(self) -> None:
        self.add_error(None, "", _("The file has a header row but no data rows."))

    @property
    def ok(self) -> bool:
        return not self.errors_total

    def problems_digest(self) -> dict:
        """The file's format and problems, JSON-safe (for an import's digest)."""
        return {
            "file_format": self.file_format,
            "errors": [[e.row, e.column, e.message] for e in self.errors],
            "errors_total": self.errors_total,
            "warnings": [[w.row, w.column, w.message] for w in self.warnings],
            "warnings_total": self.warnings_total,
        }

    def load_digest(self, data: dict) -> None:
        """Take back what a digest kept: rows, problems, format, time, whether it was imported."""
        self.rows_total = data.get("rows", 0)
        self.errors = [RowError(*error) for error in data.get("errors", [])]
        self.warnings = [RowError(*warning) for warning in data.get("warnings", [])]
        self.errors_total = data.get("errors_total", len(self.errors))
        self.warnings_total = data.get("warnings_total", len(self.warnings))
        self.imported = bool(data.get("imported"))
        self.file_format = data.get("file_format", "")
        self.seconds = data.get("seconds", 0.0)


def match_headers(
    header: list[str],
    *,
    lookup: Callable[[str, str], Hashable | None],
    ignored: Iterable[str],
    report: SheetReport,
) -> list[tuple[int, str, Hashable]]:
    """(column index, heading, target) for each heading of row 1 that ``lookup(key, heading)`` knows.

    ``key`` is the heading through ``header_key``; empty and ``ignored`` keys are skipped. A heading the
    lookup does not know (None), refuses (``HeaderProblem``) or that means the same as an earlier one is
    reported as an error of row 1."""
    ignored = set(ignored)
    seen: dict[Hashable, str] = {}
    matched: list[tuple[int, str, Hashable]] = []
    for index, text in enumerate(header):
        key = header_key(text)
        if not key or key in ignored:
            continue
        try:
            target = lookup(key, text)
        except HeaderProblem as problem:
            report.add_error(1, text, str(problem))
            continue
        if target is None:
            report.add_error(
                1,
                text,
                _("Unknown column “%(header)s”. Rename it to one of the accepted headings, or delete it.")
                % {"header": text},
            )
            continue
        if target in seen:
            report.add_error(
                1,
                text,
                _("Columns “%(first)s” and “%(second)s” mean the same thing. Keep one of them.")
                % {"first": seen[target], "second": text},
            )
            continue
        seen[target] = text
        matched.append((index, text, target))
    return matched


def data_rows(rows: Iterable[tuple[int, list]], report: SheetReport) -> Iterator[tuple[int, list]]:
    """The rows that hold something, each counted in ``report.rows_total``; blank rows are skipped."""
    for row_no, cells in rows:
        if is_blank(cells):
            continue
        report.rows_total += 1
        yield row_no, cells


class _Indexed(Protocol):
    index: int  # the column's place in the row


_Column = TypeVar("_Column", bound=_Indexed)


def filled_cells(cells: list, columns: Iterable[_Column]) -> Iterator[tuple[_Column, object, str]]:
    """Each column's cell of a row, as it was read and as clean text (``cell_text``); empty cells left out and
    a short row read as ending in empty cells."""
    for column in columns:
        raw = cells[column.index] if column.index < len(cells) else None
        text = cell_text(raw)
        if text:
            yield column, raw, text


def name_key(name: str) -> str:
    """A name as imports compare it: case does not matter."""
    return name.casefold()
