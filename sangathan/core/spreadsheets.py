"""Reading an uploaded spreadsheet safely: ``read_table(file, limits)`` → header and rows, one at a time.

Every import of a sheet (units, channels, ...) reads through here, so one set of rules holds for all:

* The format is recognised from the content, not the name: CSV (UTF-8, with or without a byte-order
  mark; comma, semicolon or tab separated) or Excel ``.xlsx`` (its first sheet).
* Limits are checked before anything is parsed. A 475 kB ``.xlsx`` once unpacked to 195 MB of one
  repeated cell and took a gunicorn worker to 1 GB: an ``.xlsx`` is a zip, and what its members say
  they unpack to (``file_size``; ``zipfile`` never inflates past it) is summed and compared with
  ``Limits.max_unpacked_bytes``, and each large member's compression ratio with ``max_ratio`` (a real
  sheet packs 5–20×, a bomb 400–1000×). Then one streaming pass of expat over every XML member
  (constant memory, about a fifth of openpyxl's own reading time) counts the rows and the cells of
  each row, the longest text and the shared strings, and refuses DOCTYPEs (entity expansion). openpyxl
  reads every sheet's size when it opens a workbook (the whole sheet when the size is missing) and
  keeps the shared strings in memory, so all sheets and the strings are checked, not only the first.
* Only then is the first sheet read, in openpyxl's read-only (streaming) mode, at most
  ``max_columns`` wide; rows are counted again as they come (a ``dimension`` can lie).
* A CSV is at most ``max_bytes``; its lines are counted before it is parsed, its records as they come.

A file over a limit raises ``SpreadsheetError`` with a translated message saying which limit and what
to do (split the file). ``Limits.for_rows`` gives the defaults that follow from the rows allowed.
"""

import contextlib
import csv
import datetime
import io
import pyexpat
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

EXCEL_MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# Members smaller than this may pack as tightly as they like (styles, themes are tiny and repetitive).
RATIO_FREE_BYTES = 1024 * 1024
SCAN_CHUNK = 64 * 1024


class SpreadsheetError(Exception):
    """The file as a whole cannot be read or is over a limit; the message says why (translated), and
    ``row`` where it was found (a spreadsheet's row number) when that is known."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.row = row


@dataclass(frozen=True)
class Limits:
    """What an import accepts. ``max_rows`` counts data rows (the header is extra); up to ``blank_rows``
    empty rows more are tolerated (Excel keeps formatted empty rows)."""

    max_bytes: int
    max_rows: int
    max_columns: int = 100
    max_unpacked_bytes: int = 0  # 0: 1 kB per row allowed (a 10-column row of inline strings is 0.5 kB)
    max_ratio: int = 100
    max_cell_chars: int = EXCEL_MAX_CELL_CHARS
    blank_rows: int = 1000
    max_members: int = 1000

    @property
    def unpacked_bytes(self) -> int:
        return self.max_unpacked_bytes or max(self.max_rows * 1024, 10 * 1024 * 1024)

    @property
    def sheet_rows(self) -> int:
        """Rows a sheet may have in all: header, data rows and tolerated empty rows."""
        return 1 + self.max_rows + self.blank_rows

    @property
    def shared_strings(self) -> int:
        """Distinct texts an Excel file may hold (openpyxl keeps them all in memory)."""
        return 4 * self.max_rows + 1000


@dataclass
class Table:
    """An opened sheet: ``rows`` yields (row number as a spreadsheet shows it, raw cells) and may raise
    ``SpreadsheetError`` part-way (a damaged file, or over the row limit)."""

    format: str  # "csv" or "xlsx"
    header: list[str]
    rows: Iterator[tuple[int, list]]


# ---------------------------------------------------------------- small helpers every importer uses

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\ufeff\u00ad"))
_SEPARATORS = re.compile(r"[\s_\-./(),:;#|'\"]+")
_WHOLE_NUMBER = re.compile(r"(\d+)(?:\.0*)?")
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
DATE_FORMATS = (
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y-%m-%d",
    "%d/%m/%y",
    "%d-%m-%y",
    "%d.%m.%y",
    "%Y-%m-%d %H:%M:%S",
)


def cell_text(value) -> str:
    """A cell as clean text: NFC, no invisible characters, single spaces; whole floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return " ".join(text.split())


def header_key(text) -> str:
    """A heading reduced for comparison: case, spaces, punctuation and the nukta (ज़/ज) do not matter."""
    text = unicodedata.normalize("NFC", str(text or "")).translate(_INVISIBLE).replace("\u093c", "").casefold()
    return _SEPARATORS.sub("_", text).strip("_")


def whole_number(value, *, maximum: int = 2_147_483_647) -> int:
    """A cell as a whole number from 0 to ``maximum`` (Devanagari digits and ``45.0`` too); else ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        number = int(value)
    else:
        match = _WHOLE_NUMBER.fullmatch(cell_text(value).translate(_DEVANAGARI_DIGITS))
        if not match or len(match.group(1)) > 19:
            raise ValueError(value)
        number = int(match.group(1))
    if number < 0 or number > maximum:
        raise ValueError(value)
    return number


def cell_date(value) -> datetime.date:
    """A cell as a calendar date: an Excel date, or text in one of ``DATE_FORMATS`` (day first, Devanagari
    digits too); else ValueError."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value).translate(_DEVANAGARI_DIGITS)
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(text)


def is_blank(cells) -> bool:
    return not any(value is not None and (not isinstance(value, str) or value.strip()) for value in cells)


# ---------------------------------------------------------------- reading


def read_bytes(file, *, max_bytes: int) -> bytes:
    """The file's bytes (a path or a file object), refused past ``max_bytes`` without reading more."""
    too_big = _("The file is larger than %(max)s. Split it into smaller files, e.g. one per district.") % {
        "max": filesizeformat(max_bytes)
    }
    if isinstance(file, str | Path):
        path = Path(file)
        if path.stat().st_size > max_bytes:
            raise SpreadsheetError(too_big)
        return path.read_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise SpreadsheetError(too_big)
    with contextlib.suppress(AttributeError, OSError, ValueError):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise SpreadsheetError(too_big)
    return data


def read_table(file, limits: Limits) -> Table:
    """Open an uploaded CSV or .xlsx (a path, a file object or bytes) within ``limits``."""
    data = file if isinstance(file, bytes | bytearray | memoryview) else read_bytes(file, max_bytes=limits.max_bytes)
    data = bytes(data)
    if len(data) > limits.max_bytes:
        raise SpreadsheetError(
            _("The file is larger than %(max)s. Split it into smaller files, e.g. one per district.")
            % {"max": filesizeformat(limits.max_bytes)}
        )
    not_a_table = _("This is not a CSV or Excel (.xlsx) file. Save the sheet as “CSV UTF-8” or “Excel workbook”.")
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise SpreadsheetError(_("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        return _xlsx_table(data, limits, not_a_table)
    if data.startswith(OLE_MAGIC):
        raise SpreadsheetError(
            _("This is an old Excel (.xls) file. Save it as “Excel workbook (.xlsx)” or “CSV UTF-8”.")
        )
    if b"\x00" in data:
        raise SpreadsheetError(not_a_table)
    return _csv_table(data, limits, not_a_table)


def _too_many_rows(limits: Limits, row: int | None = None) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The file has more than %(max)s rows. Split it into smaller files, e.g. one per district. "
            "Empty rows that have formatting count too: delete them."
        )
        % {"max": limits.max_rows},
        row,
    )


def _too_many_columns(limits: Limits, row: int | None = None) -> SpreadsheetError:
    return SpreadsheetError(
        _("The file has more than %(max)s columns. Keep only the columns to import.") % {"max": limits.max_columns},
        row,
    )


def _counted(rows: Iterator[tuple[int, list]], limits: Limits) -> Iterator[tuple[int, list]]:
    """Rows as they come, stopped at the limits (data rows, and all rows with the empty ones)."""
    data_rows = 0
    for count, (row_no, cells) in enumerate(rows, start=1):
        if count > limits.max_rows + limits.blank_rows:
            raise _too_many_rows(limits, row_no)
        if len(cells) > limits.max_columns and not is_blank(cells[limits.max_columns :]):
            raise _too_many_columns(limits, row_no)
        if not is_blank(cells):
            data_rows += 1
            if data_rows > limits.max_rows:
                raise _too_many_rows(limits, row_no)
        yield row_no, cells[: limits.max_columns]


# ---------------------------------------------------------------- CSV


def _csv_table(data: bytes, limits: Limits, not_a_table: str) -> Table:
    # A record has at least one line: more lines than rows allowed is refused before parsing.
    if data.count(b"\n") > limits.sheet_rows:
        raise _too_many_rows(limits)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError(
            _("The file is not in UTF-8. In Excel choose “Save as” → “CSV UTF-8 (comma delimited)”.")
        ) from None
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text[:65536]):
        raise SpreadsheetError(not_a_table)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    if first_line.count(delimiter) >= limits.max_columns:
        raise _too_many_columns(limits)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise SpreadsheetError(not_a_table) from None

    def rows():
        try:
            yield from enumerate(reader, start=2)
        except csv.Error as error:
            raise SpreadsheetError(
                _("The file could not be read as CSV near row %(row)d: %(error)s")
                % {"row": reader.line_num, "error": error}
            ) from None

    return Table("csv", [cell_text(h) for h in header], _counted(rows(), limits))


# ---------------------------------------------------------------- Excel


class _Refused(Exception):
    """Raised from inside the expat scan to stop it; carries the SpreadsheetError to raise."""

    def __init__(self, error: SpreadsheetError):
        self.error = error


class _XmlScan:
    """Counts, in one streaming pass over a member, what openpyxl would hold in memory."""

    def __init__(self, limits: Limits, *, sheet: bool, strings: bool):
        self.limits = limits
        self.sheet = sheet
        self.strings = strings
        self.rows = 0
        self.cells = 0
        self.texts = 0
        self.text = 0
        self.last_column = get_column_letter(limits.max_columns)

    def start(self, name: str, attrs: dict) -> None:
        local = name.rpartition(":")[2]
        self.text = 0
        if self.sheet:
            if local == "c":
                self.cells += 1
                letters = attrs.get("r", "").rstrip("0123456789")
                if self.cells > self.limits.max_columns or (
                    len(letters) > len(self.last_column)
                    or (len(letters) == len(self.last_column) and letters > self.last_column)
                ):
                    raise _Refused(_too_many_columns(self.limits))
            elif local == "row":
                self.rows += 1
                self.cells = 0
                number = attrs.get("r", "")
                if self.rows > self.limits.sheet_rows or (
                    number.isdecimal() and (len(number) > 9 or int(number) > self.limits.sheet_rows)
                ):
                    raise _Refused(_too_many_rows(self.limits))
        elif self.strings and local == "si":
            self.texts += 1
            if self.texts > self.limits.shared_strings:
                raise _Refused(_too_many_rows(self.limits))

    def characters(self, data: str) -> None:
        if not (self.sheet or self.strings):
            return
        self.text += len(data)
        if self.text > self.limits.max_cell_chars:
            raise _Refused(
                SpreadsheetError(
                    _("A cell of the file holds more than %(max)s characters. Shorten it.")
                    % {"max": self.limits.max_cell_chars}
                )
            )

    def run(self, stream) -> None:
        parser = pyexpat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.CharacterDataHandler = self.characters
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.doctype
        while chunk := stream.read(SCAN_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)

    @staticmethod
    def doctype(*args) -> None:
        raise _Refused(SpreadsheetError(_("The Excel file could not be read. Open it in Excel and save it again.")))


def _check_archive(archive: zipfile.ZipFile, limits: Limits, not_a_table: str) -> None:
    """Sizes and ratios from the zip's directory (nothing inflated), then one scan of every XML member."""
    members = archive.infolist()
    names = {info.filename for info in members}
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(not_a_table)
    too_large = SpreadsheetError(
        _(
            "The Excel file is too large once unpacked (more than %(max)s). Split it into smaller files, "
            "or save it as CSV."
        )
        % {"max": filesizeformat(limits.unpacked_bytes)}
    )
    if len(members) > limits.max_members:
        raise too_large
    if sum(info.file_size for info in members) > limits.unpacked_bytes:
        raise too_large
    for info in members:
        if info.file_size > RATIO_FREE_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise too_large
    for info in members:
        name = info.filename
        if not name.endswith((".xml", ".rels")) or info.is_dir():
            continue
        sheet = name.startswith("xl/worksheets/")
        scan = _XmlScan(limits, sheet=sheet, strings=name.endswith("sharedStrings.xml"))
        with archive.open(info) as stream:
            scan.run(stream)


def _xlsx_table(data: bytes, limits: Limits, not_a_table: str) -> Table:
    damaged = _("The Excel file could not be read. Open it in Excel and save it again.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        _check_archive(archive, limits, not_a_table)
    except _Refused as refused:
        raise refused.error from None
    except (zipfile.BadZipFile, pyexpat.ExpatError, EOFError, OSError, ValueError, NotImplementedError):
        raise SpreadsheetError(damaged) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # The size a sheet states can be wrong either way (some writers always say "A1"): ignore it. No
        # cell lies past max_columns (the scan saw to it), so no data is cut off here.
        sheet.reset_dimensions()
        iterator = sheet.iter_rows(values_only=True, max_col=limits.max_columns)
        header = next(iterator, None)
    except Exception:  # openpyxl raises many kinds of errors on damaged files
        raise SpreadsheetError(damaged) from None
    if header is None:
        workbook.close()
        raise SpreadsheetError(_("The file is empty."))

    def rows():
        try:
            for index, cells in enumerate(iterator, start=2):
                yield index, list(cells)
        except SpreadsheetError:
            raise
        except Exception:
            raise SpreadsheetError(damaged) from None
        finally:
            workbook.close()

    return Table("xlsx", [cell_text(h) for h in header], _counted(rows(), limits))
