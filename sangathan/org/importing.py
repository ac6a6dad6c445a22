"""Import the unit tree from a spreadsheet: ``import_units(file=..., root=..., by=..., dry_run=...)``.

The file
    CSV (UTF-8, with or without a byte-order mark; comma, semicolon or tab separated) or Excel
    ``.xlsx`` (the first sheet). The format is recognised from the content, not the file name.
    Row 1 is the header; every later row describes one chain of units from the top down, e.g.
    one booth with its district, assembly constituency, block and mandal. Error row numbers are
    the ones a spreadsheet shows (the header is row 1, the first data row is row 2).

Accepted headers (case, spaces, dots, hyphens and brackets do not matter; ज़/ज alike)
    ===========  ====================================================  ===============================
    level        English                                               Hindi
    ===========  ====================================================  ===============================
    state        state, state name                                     राज्य, प्रदेश, राज्य का नाम
    division     division, division name                               संभाग, संभाग का नाम
    district     district, district name                               जिला, जिले का नाम
    assembly no. ac_no, ac number, assembly no, assembly number        विधानसभा संख्या, विधानसभा क्रमांक
    assembly     ac_name, assembly, assembly name, constituency        विधानसभा, विधानसभा का नाम
    block        block, block name                                     ब्लॉक, ब्लाक, प्रखंड, विकास खंड
    mandal       mandal, mandal name                                   मंडल, मण्डल, मंडल का नाम
    ward no.     ward_no, ward number                                  वार्ड संख्या, वार्ड क्रमांक
    ward         ward, ward name                                       वार्ड, वार्ड का नाम
    cluster      cluster, booth cluster, shakti kendra                 शक्ति केंद्र
    booth no.    booth_no, booth number, part no, part number          बूथ संख्या, बूथ क्रमांक, भाग संख्या
    booth        booth_name, booth, booth name                         बूथ, बूथ का नाम, बूथ नाम
    polling st.  polling_station, polling station name                 मतदान केंद्र, मतदान केंद्र का नाम
    ===========  ====================================================  ===============================

    A name column holds Hindi or English; the script decides which (Devanagari → Hindi). To give
    both, add a language suffix: ``district_hi`` / ``district_en``, ``जिला (हिंदी)`` /
    ``जिला (अंग्रेज़ी)``, ``booth name (Hindi)``. Serial-number and remarks columns (S.No., क्रम
    संख्या, remarks, टिप्पणी) are ignored; any other unknown header is an error, and so are two
    headers meaning the same thing. The full list is ``COLUMNS`` below.

Rules
    * A blank cell skips that level in that row's branch (a booth directly under its AC when
      there is no mandal). Levels at or above ``root`` may be blank; when filled they must name
      ``root`` or its ancestor (Hindi or English name, or code, e.g. "RJ").
    * Anything below a district needs its district, below an AC its AC (``REQUIRED_LEVELS``).
    * A unit is found by (parent, level, official number) when the row gives a number (AC no.,
      booth no.), otherwise by (parent, level, name) in either language, ignoring case.
    * Booth numbers are unique within an assembly constituency and AC numbers within a state
      (``NUMBER_SCOPE``), whatever blocks or mandals lie between.
    * The import only adds units: it never renames, moves or deletes. A name in the file that
      differs from the unit already present is reported as a warning.
    * Idempotent: importing the same file again adds nothing.
    * All or nothing: if any row is wrong, nothing is written and the report lists every problem
      (the first ``MAX_ERRORS_LISTED``, with the total).
    * Limits: ``settings.UNIT_IMPORT_MAX_BYTES`` for the file, ``settings.UNIT_IMPORT_MAX_ROWS``
      (250,000 when not set) for the data rows; what follows from them (unpacked size, columns,
      cell length) and how a file is read within them is ``sangathan.core.spreadsheets``.

Speed: the root's subtree is loaded once into dictionaries; new units get ids and treebeard
paths computed here (after each parent's last child) and go in with set-based inserts (COPY on
PostgreSQL); ``numchild`` of touched parents is refreshed and the coverage counters of the
subtree are recounted once with ``coverage.rebuild(root)``.
"""

import contextlib
import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangathan.core.bulk import insert_rows, next_id
from sangathan.core.models import bilingual
from sangathan.core.spreadsheets import (
    Limits,
    SpreadsheetError,
    cell_text,
    header_key,
    is_blank,
    read_table,
    whole_number,
)
from sangathan.core.validators import MARKUP_MESSAGE, has_markup
from sangathan.org import coverage
from sangathan.org.models import UNIT_BULK_COLUMNS, Level, Unit
from sangathan.org.paths import subtree_q
from sangathan.org.services import NAME_MAX

logger = logging.getLogger(__name__)

NAME, NAME_HI, NAME_EN, NUMBER, STATION = "name", "name_hi", "name_en", "number", "polling_station"
STATION_MAX = 255
NUMBER_MAX = 2_147_483_647
MAX_ERRORS_LISTED = 500
MAX_WARNINGS_LISTED = 100

# (level code, field, English headers, Hindi headers). Headers are compared after header_key().
COLUMNS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("state", NAME, ("state", "state name"), ("राज्य", "प्रदेश", "राज्य का नाम", "प्रदेश का नाम")),
    ("division", NAME, ("division", "division name"), ("संभाग", "संभाग का नाम")),
    ("district", NAME, ("district", "district name"), ("जिला", "जिले का नाम", "जिला का नाम", "जिला नाम")),
    (
        "assembly",
        NUMBER,
        ("ac_no", "ac number", "assembly no", "assembly number", "constituency no", "constituency number"),
        ("विधानसभा संख्या", "विधानसभा क्रमांक", "विधानसभा नंबर", "विधानसभा क्रम संख्या", "विधानसभा क्षेत्र संख्या"),
    ),
    (
        "assembly",
        NAME,
        ("ac_name", "assembly", "assembly name", "assembly constituency", "constituency", "constituency name"),
        ("विधानसभा", "विधानसभा का नाम", "विधानसभा नाम", "विधानसभा क्षेत्र", "विधानसभा क्षेत्र का नाम"),
    ),
    ("block", NAME, ("block", "block name"), ("ब्लॉक", "ब्लाक", "प्रखंड", "विकास खंड", "विकासखंड", "ब्लॉक का नाम")),
    ("mandal", NAME, ("mandal", "mandal name"), ("मंडल", "मण्डल", "मंडल का नाम")),
    ("ward", NUMBER, ("ward_no", "ward number"), ("वार्ड संख्या", "वार्ड क्रमांक", "वार्ड नंबर")),
    ("ward", NAME, ("ward", "ward name"), ("वार्ड", "वार्ड का नाम")),
    ("cluster", NAME, ("cluster", "booth cluster", "shakti kendra"), ("शक्ति केंद्र", "शक्ति केन्द्र")),
    (
        "booth",
        NUMBER,
        ("booth_no", "booth number", "part no", "part number"),
        ("बूथ संख्या", "बूथ क्रमांक", "बूथ नंबर", "भाग संख्या", "भाग क्रमांक"),
    ),
    ("booth", NAME, ("booth_name", "booth", "booth name"), ("बूथ", "बूथ का नाम", "बूथ नाम")),
    (
        "booth",
        STATION,
        ("polling_station", "polling station name"),
        ("मतदान केंद्र", "मतदान केन्द्र", "मतदान केंद्र का नाम", "मतदान स्थल"),
    ),
)
IGNORED_HEADERS = (
    "s no",
    "sno",
    "sr no",
    "serial",
    "serial no",
    "serial number",
    "क्रम",
    "क्रम संख्या",
    "क्रमांक",
    "क्र सं",
    "remarks",
    "remark",
    "notes",
    "टिप्पणी",
    "विवरण",
)
LANGUAGE_SUFFIXES = (
    (NAME_HI, ("hi", "hindi", "in hindi", "हिंदी", "हिन्दी", "हिंदी में", "हिन्दी में")),
    (NAME_EN, ("en", "english", "in english", "अंग्रेज़ी", "अंग्रेजी", "अंग्रेज़ी में", "अंग्रेजी में", "इंग्लिश")),
)
# A row naming a unit below one of these levels must name that level too (unless it is the root or above).
REQUIRED_LEVELS = ("state", "district", "assembly")
# Official numbers are unique within the nearest unit of the given level, not just within the parent.
NUMBER_SCOPE = {"booth": "assembly", "assembly": "state"}

FIELD_LABELS = {
    NAME: gettext_lazy("name"),
    NAME_HI: gettext_lazy("name (Hindi)"),
    NAME_EN: gettext_lazy("name (English)"),
    NUMBER: gettext_lazy("number"),
    STATION: gettext_lazy("polling station"),
}

_DEVANAGARI = re.compile("[\u0900-\u097f]")
_AMBIGUOUS = 0  # a by-name entry shared by several units (unit ids start at 1, new units are negative)
_MAX_STEP = len(Unit.alphabet) ** Unit.steplen - 1

Progress = Callable[[str, int, int], None]


def _build_header_table() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for level_code, field_name, english, hindi in COLUMNS:
        for header in (*english, *hindi):
            table[header_key(header)] = (level_code, field_name)
    return table


HEADERS = _build_header_table()
_IGNORED = {header_key(h) for h in IGNORED_HEADERS}
_SUFFIXES = [(field_name, header_key(s)) for field_name, suffixes in LANGUAGE_SUFFIXES for s in suffixes]


def column_help() -> list[dict]:
    """The accepted headers, for the upload page: one entry per (level, field)."""
    levels = {level.code: level for level in Level.objects.all()}
    return [
        {"level": levels[code], "field": FIELD_LABELS[field_name], "english": english, "hindi": hindi}
        for code, field_name, english, hindi in COLUMNS
        if code in levels
    ]


# ---------------------------------------------------------------- the report


@dataclass
class RowError:
    """One problem: ``row`` as a spreadsheet numbers it (1 = header, None = the whole file)."""

    row: int | None
    column: str
    message: str


@dataclass
class LevelCount:
    level: Level
    new: int
    existing: int


@dataclass
class ImportReport:
    """What an import found and did. ``imported`` is True only when units were written."""

    root: Unit
    dry_run: bool
    rows_total: int = 0
    new: Counter = field(default_factory=Counter)  # level id -> units the file adds
    existing: Counter = field(default_factory=Counter)  # level id -> units the file names that are already there
    errors: list[RowError] = field(default_factory=list)
    errors_total: int = 0
    warnings: list[RowError] = field(default_factory=list)
    warnings_total: int = 0
    imported: bool = False
    file_format: str = ""
    seconds: float = 0.0
    level_objects: dict[int, Level] = field(default_factory=dict, repr=False)

    def add_error(self, row: int | None, column: str, message: str) -> None:
        self.errors_total += 1
        if len(self.errors) < MAX_ERRORS_LISTED:
            self.errors.append(RowError(row, str(column or ""), message))

    def add_warning(self, row: int | None, column: str, message: str) -> None:
        self.warnings_total += 1
        if len(self.warnings) < MAX_WARNINGS_LISTED:
            self.warnings.append(RowError(row, str(column or ""), message))

    @property
    def ok(self) -> bool:
        return not self.errors_total

    @property
    def new_total(self) -> int:
        return sum(self.new.values())

    @property
    def existing_total(self) -> int:
        return sum(self.existing.values())

    @property
    def levels(self) -> list[LevelCount]:
        """New and already-present units per level, top level first."""
        ids = [i for i in set(self.new) | set(self.existing) if i in self.level_objects]
        rows = [LevelCount(self.level_objects[i], self.new[i], self.existing[i]) for i in ids]
        return sorted(rows, key=lambda row: row.level.order)

    def summary(self) -> dict:
        """A JSON-safe digest (for the session between the import and the page showing it)."""
        return {
            "root": self.root.pk,
            "rows": self.rows_total,
            "levels": [[row.level.pk, row.new, row.existing] for row in self.levels],
            "seconds": round(self.seconds, 1),
        }

    def digest(self) -> dict:
        """Everything the preview shows, JSON-safe (kept on the job between the worker and the page)."""
        return {
            **self.summary(),
            "file_format": self.file_format,
            "errors": [[e.row, e.column, e.message] for e in self.errors],
            "errors_total": self.errors_total,
            "warnings": [[w.row, w.column, w.message] for w in self.warnings],
            "warnings_total": self.warnings_total,
        }

    @classmethod
    def from_digest(cls, *, root: Unit, data: dict, dry_run: bool = True) -> "ImportReport":
        report = cls(root=root, dry_run=dry_run, level_objects=Level.objects.in_bulk())
        report.rows_total = data.get("rows", 0)
        for level_id, new, existing in data.get("levels", []):
            report.new[level_id], report.existing[level_id] = new, existing
        report.errors = [RowError(*error) for error in data.get("errors", [])]
        report.warnings = [RowError(*warning) for warning in data.get("warnings", [])]
        report.errors_total = data.get("errors_total", len(report.errors))
        report.warnings_total = data.get("warnings_total", len(report.warnings))
        report.file_format = data.get("file_format", "")
        report.seconds = data.get("seconds", 0.0)
        return report


class _RowFailed(Exception):
    """A row has a problem, already reported; the rest of that row is skipped."""


# ---------------------------------------------------------------- reading the file


def unit_import_limits() -> Limits:
    """The file and row limits of a unit import (settings ``UNIT_IMPORT_MAX_BYTES`` and ``_MAX_ROWS``)."""
    return Limits(max_bytes=settings.UNIT_IMPORT_MAX_BYTES, max_rows=getattr(settings, "UNIT_IMPORT_MAX_ROWS", 250_000))


# ---------------------------------------------------------------- headers and rows


@dataclass
class _Column:
    index: int
    header: str
    level: Level
    field: str


@dataclass
class _Step:
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
        return _unit_label(self.level, self.number, self.name_hi, self.name_en)


def _unit_label(level: Level, number: int | None, name_hi: str, name_en: str) -> str:
    name = bilingual(name_hi, name_en)
    if number is not None:
        return f"{level.name} {number}" + (f" “{name}”" if name else "")
    return f"{level.name} “{name}”"


def _name_key(name: str) -> str:
    return name.casefold()


def _is_hindi(text: str) -> bool:
    return not text.isascii() and _DEVANAGARI.search(text) is not None


def _map_headers(header: list[str], levels: dict[str, Level], report: ImportReport) -> list[_Column]:
    columns: list[_Column] = []
    seen: dict[tuple[str, str], str] = {}
    for index, text in enumerate(header):
        key = header_key(text)
        if not key or key in _IGNORED:
            continue
        target = HEADERS.get(key)
        if target is None:
            for field_name, suffix in _SUFFIXES:
                if key.endswith("_" + suffix):
                    base = HEADERS.get(key[: -len(suffix) - 1])
                    if base is not None and base[1] == NAME:
                        target = (base[0], field_name)
                        break
        if target is None:
            report.add_error(
                1,
                text,
                _("Unknown column “%(header)s”. Rename it to one of the accepted headings, or delete it.")
                % {"header": text},
            )
            continue
        level_code, field_name = target
        if level_code not in levels:
            report.add_error(
                1, text, _("Column “%(header)s” is for a level this organisation does not have.") % {"header": text}
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
        columns.append(_Column(index, text, levels[level_code], field_name))
    return columns


def _check_structure(columns: list[_Column], levels: dict[str, Level], root: Unit, report: ImportReport) -> None:
    """Header-level checks that would otherwise fail every row the same way."""
    file_levels = {column.level.code: column.level for column in columns}
    below = [level for level in file_levels.values() if level.order > root.level.order]
    if not below:
        report.add_error(
            1,
            "",
            _("Nothing to import under %(unit)s: the file has no columns for the levels below it.")
            % {"unit": root.display_name},
        )
        return
    deepest = max(below, key=lambda level: level.order)
    for code in REQUIRED_LEVELS:
        required = levels.get(code)
        if required is None or code in file_levels:
            continue
        if root.level.order < required.order < deepest.order:
            report.add_error(
                1,
                "",
                _("The file has %(child)s columns but no %(parent)s column: every %(child)s needs its %(parent)s.")
                % {"child": deepest.name, "parent": required.name},
            )
    for level in file_levels.values():
        fields = {column.field for column in columns if column.level == level}
        if fields == {STATION}:
            report.add_error(1, "", _("The file has a polling station column but no booth number or name column."))


def _row_steps(row_no: int, cells: list, columns: list[_Column], report: ImportReport) -> list[_Step] | None:
    """The levels a row names, top first; None (and errors reported) if a cell is unusable."""
    steps: dict[int, _Step] = {}
    ok = True
    for column in columns:
        raw = cells[column.index] if column.index < len(cells) else None
        text = cell_text(raw)
        if not text:
            continue
        step = steps.setdefault(column.level.id, _Step(level=column.level))
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
            slot = NAME_HI if _is_hindi(text) else NAME_EN
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


# ---------------------------------------------------------------- matching rows to the tree


@dataclass
class _NewUnit:
    ref: int
    level: Level
    parent: int
    path: str
    number: int | None
    name_hi: str
    name_en: str
    station: str
    row: int
    numchild: int = 0


class _Resolver:
    """Matches every row against the tree (loaded once) and plans the new units with their paths."""

    def __init__(self, *, root: Unit, levels: dict[str, Level], report: ImportReport):
        self.root = root
        self.report = report
        self.levels_by_id = {level.id: level for level in levels.values()}
        self.scope_of = {
            levels[child].id: levels[scope].id
            for child, scope in NUMBER_SCOPE.items()
            if child in levels and scope in levels
        }
        self.required = [levels[code] for code in REQUIRED_LEVELS if code in levels]
        self.path_of: dict[int, str] = {}
        self.info: dict[int, tuple[int, int | None, str, str]] = {}  # id -> (level id, number, name_hi, name_en)
        self.by_number: dict[tuple[int, int, int], int] = {}
        self.by_name: dict[tuple[int, int, str], int] = {}
        self.in_scope: dict[tuple[int, int, int], int] = {}
        self.last_child: dict[str, int] = {}
        self.mentions: dict[tuple[int, int, int], list] = {}
        self.new: list[_NewUnit] = []
        self.new_by_ref: dict[int, _NewUnit] = {}
        self.touched_parents: set[int] = set()
        self.existing_seen: set[int] = set()
        self.ancestors = list(
            Unit.objects.filter(path__in=root.ancestor_paths(include_self=True)).select_related("level")
        )
        self.ancestor_by_level = {unit.level_id: unit for unit in self.ancestors}

    # -- loading

    def load(self) -> None:
        root, step = self.root, Unit.steplen
        rows = (
            Unit.objects.filter(subtree_q([root.path]))
            .order_by()
            .values_list("id", "path", "parent_id", "level_id", "number", "name_hi", "name_en", "code")
        )
        scope_levels = set(self.scope_of.values())
        scope_paths: dict[str, int] = {a.path: a.id for a in self.ancestors if a.level_id in scope_levels}
        numbered: list[tuple[int, str, int, int]] = []
        for uid, path, parent_id, level_id, number, name_hi, name_en, code in rows:
            self.path_of[uid] = path
            self.info[uid] = (level_id, number, name_hi, name_en)
            if uid == root.pk:
                continue
            parent_path, position = path[:-step], Unit._str2int(path[-step:])
            if position > self.last_child.get(parent_path, 0):
                self.last_child[parent_path] = position
            if number is not None:
                self.by_number[(parent_id, level_id, number)] = uid
                if level_id in self.scope_of:
                    numbered.append((uid, path, level_id, number))
            for name in {name_hi, name_en, code}:
                if name:
                    self._register_name((parent_id, level_id, _name_key(name)), uid)
            if level_id in scope_levels:
                scope_paths[path] = uid
        # Numbers in scope: the nearest unit of the scope level above each numbered unit.
        for uid, path, level_id, number in numbered:
            scope_id = self._scope_from_paths(path, scope_paths)
            if scope_id is not None:
                self.in_scope.setdefault((scope_id, level_id, number), uid)
        # A scope unit above the root (importing under a block of an AC): its numbers outside the root count too.
        for child_level_id, scope_level_id in self.scope_of.items():
            scope = self.ancestor_by_level.get(scope_level_id)
            if scope is None or scope.pk == root.pk or self.levels_by_id[child_level_id].order <= root.level.order:
                continue
            for uid, number in (
                Unit.objects.filter(subtree_q([scope.path]), level_id=child_level_id, number__isnull=False)
                .order_by()
                .values_list("id", "number")
            ):
                self.in_scope.setdefault((scope.pk, child_level_id, number), uid)

    @staticmethod
    def _scope_from_paths(path: str, scope_paths: dict[str, int]) -> int | None:
        for end in range(len(path) - Unit.steplen, 0, -Unit.steplen):
            found = scope_paths.get(path[:end])
            if found is not None:
                return found
        return None

    def _register_name(self, key: tuple[int, int, str], ref: int) -> None:
        current = self.by_name.get(key)
        self.by_name[key] = ref if current is None or current == ref else _AMBIGUOUS

    # -- rows

    def resolve(self, row_no: int, steps: list[_Step]) -> None:
        """Match one row; report its first problem (later levels of a bad row are not looked at)."""
        with contextlib.suppress(_RowFailed):
            self._resolve_row(row_no, steps)

    def _fail(self, row_no: int, column: str, message: str) -> NoReturn:
        self.report.add_error(row_no, column, message)
        raise _RowFailed

    def _resolve_row(self, row_no: int, steps: list[_Step]) -> None:
        root = self.root
        below = []
        for step in steps:
            if step.level.order > root.level.order:
                below.append(step)
            else:
                self._check_ancestor(row_no, step)
        if not below:
            return
        given = {step.level.id for step in below}
        for required in self.required:
            if required.id in given or not root.level.order < required.order < below[-1].level.order:
                continue
            child = next(step for step in below if step.level.order > required.order)
            self._fail(
                row_no,
                child.column,
                _("%(unit)s needs its %(parent)s: fill in the %(parent)s column.")
                % {"unit": child.label, "parent": required.name},
            )
        chain = {unit.level_id: unit.pk for unit in self.ancestors}
        parent = root.pk
        for step in below:
            if step.number is not None:
                parent = self._resolve_numbered(row_no, step, parent, chain)
            else:
                parent = self._resolve_named(row_no, step, parent)
            chain[step.level.id] = parent

    def _check_ancestor(self, row_no: int, step: _Step) -> None:
        """A column at or above the root's level must name the root or its ancestor."""
        root = self.root
        ancestor = self.ancestor_by_level.get(step.level.id)
        if ancestor is None:
            self._fail(
                row_no,
                step.column,
                _("A %(child)s cannot be placed under a %(parent)s.")
                % {"child": step.level.name, "parent": root.level.name}
                + " "
                + _("%(unit)s is not under any %(level)s; leave this column empty.")
                % {"unit": root.display_name, "level": step.level.name},
            )
        known = {_name_key(n) for n in (ancestor.name_hi, ancestor.name_en, ancestor.code) if n}
        wrong = [n for n in step.names if _name_key(n) not in known]
        if step.number is not None and step.number != ancestor.number:
            wrong.insert(0, str(step.number))
        if wrong:
            self._fail(
                row_no,
                step.column,
                _("“%(value)s” is not %(expected)s: this file is being imported under %(root)s.")
                % {"value": wrong[0], "expected": ancestor.display_name, "root": root.display_name},
            )

    def _label(self, ref: int) -> str:
        if ref < 0:
            node = self.new_by_ref[ref]
            return _unit_label(node.level, node.number, node.name_hi, node.name_en)
        level_id, number, name_hi, name_en = self._info(ref)
        return _unit_label(self.levels_by_id[level_id], number, name_hi, name_en)

    def _info(self, ref: int) -> tuple[int, int | None, str, str]:
        if ref not in self.info:  # a unit above the root, or outside it in the same scope: rare, on errors only
            self.info[ref] = Unit.objects.filter(pk=ref).values_list("level_id", "number", "name_hi", "name_en").get()
        return self.info[ref]

    def _number_of(self, ref: int) -> int | None:
        return self.new_by_ref[ref].number if ref < 0 else self._info(ref)[1]

    def _parent_of(self, ref: int) -> int:
        if ref < 0:
            return self.new_by_ref[ref].parent
        return Unit.objects.filter(pk=ref).values_list("parent_id", flat=True).get()

    def _by_names(self, row_no: int, step: _Step, parent: int, *, strict: bool = True) -> int | None:
        """The unit under ``parent`` with one of the step's names; None if none. With ``strict``, a name
        shared by several units or two names pointing at two units is an error; otherwise just no match."""
        refs = set()
        for name in step.names:
            found = self.by_name.get((parent, step.level.id, _name_key(name)))
            if found == _AMBIGUOUS:
                if not strict:
                    return None
                self._fail(
                    row_no,
                    step.column,
                    _("There are several %(level)s units called “%(name)s” here; give the number.")
                    % {"level": step.level.name, "name": name},
                )
            if found is not None:
                refs.add(found)
        if len(refs) > 1:
            if not strict:
                return None
            self._fail(
                row_no,
                step.column,
                _("“%(hi)s” and “%(en)s” are two different units here.") % {"hi": step.name_hi, "en": step.name_en},
            )
        return refs.pop() if refs else None

    def _resolve_named(self, row_no: int, step: _Step, parent: int) -> int:
        ref = self._by_names(row_no, step, parent)
        if ref is None:
            return self._create(row_no, step, parent)
        if ref > 0:
            self._note_existing(row_no, step, ref)
            return ref
        node = self.new_by_ref[ref]
        clash = _clash(node.name_hi, step.name_hi) or _clash(node.name_en, step.name_en)
        if clash:
            self._fail(
                row_no,
                step.column,
                _("%(unit)s is called “%(first)s” in row %(row)d but “%(here)s” here.")
                % {"unit": step.level.name, "first": clash[0], "row": node.row, "here": clash[1]},
            )
        self._fill_names(step, node)
        return ref

    def _resolve_numbered(self, row_no: int, step: _Step, parent: int, chain: dict[int, int]) -> int:
        level_id, number = step.level.id, step.number
        scope_level_id = self.scope_of.get(level_id)
        scope = chain.get(scope_level_id, parent) if scope_level_id else parent
        scope_key = (scope, level_id, number)
        unit_name = f"{step.level.name} {number}"
        first = self.mentions.get(scope_key)
        if first is None:
            self.mentions[scope_key] = [row_no, parent, step.name_hi, step.name_en]
        else:
            first_row, first_parent, first_hi, first_en = first
            if first_parent != parent:
                self._fail(
                    row_no,
                    step.column,
                    _("%(unit)s is placed under %(other)s in row %(row)d, and under %(here)s here.")
                    % {
                        "unit": unit_name,
                        "other": self._label(first_parent),
                        "row": first_row,
                        "here": self._label(parent),
                    },
                )
            clash = _clash(first_hi, step.name_hi) or _clash(first_en, step.name_en)
            if clash:
                self._fail(
                    row_no,
                    step.column,
                    _("%(unit)s is called “%(first)s” in row %(row)d but “%(here)s” here.")
                    % {"unit": unit_name, "first": clash[0], "row": first_row, "here": clash[1]},
                )
            first[2], first[3] = first_hi or step.name_hi, first_en or step.name_en

        ref = self.by_number.get((parent, level_id, number))
        if ref is not None:
            if ref > 0:
                self._note_existing(row_no, step, ref)
            else:
                self._fill_names(step, self.new_by_ref[ref])
            return ref
        other = self.in_scope.get(scope_key)
        if other is not None and other > 0:
            self._fail(
                row_no,
                step.column,
                _("%(unit)s already exists in %(scope)s, under %(parent)s. The number can be used only once there.")
                % {
                    "unit": self._label(other),
                    "scope": self._label(scope),
                    "parent": self._label(self._parent_of(other)),
                },
            )
        # The same unit without a number yet (an earlier row named it, or it was created by hand)?
        named = self._by_names(row_no, step, parent, strict=False)
        if named is not None and self._number_of(named) is None:
            if named < 0:
                node = self.new_by_ref[named]
                node.number = number
                self.by_number[(parent, level_id, number)] = named
                self._fill_names(step, node)
            else:
                self._note_existing(row_no, step, named)
                self.report.add_warning(
                    row_no,
                    step.column,
                    _("%(unit)s is already there without a number; the number %(number)d was not added.")
                    % {"unit": self._label(named), "number": number},
                )
            self.in_scope[scope_key] = named
            return named
        ref = self._create(row_no, step, parent)
        self.in_scope[scope_key] = ref
        return ref

    def _fill_names(self, step: _Step, node: "_NewUnit") -> None:
        """A later row may give a new unit's name in the other language."""
        for slot in (NAME_HI, NAME_EN):
            value = getattr(step, slot)
            if value and not getattr(node, slot):
                setattr(node, slot, value)
                self._register_name((node.parent, node.level.id, _name_key(value)), node.ref)

    def _note_existing(self, row_no: int, step: _Step, ref: int) -> None:
        if ref not in self.existing_seen:
            self.existing_seen.add(ref)
            self.report.existing[step.level.id] += 1
        _level_id, _number, name_hi, name_en = self.info[ref]
        clash = _clash(name_hi, step.name_hi) or _clash(name_en, step.name_en)
        if clash:
            self.report.add_warning(
                row_no,
                step.column,
                _("%(unit)s is already there as “%(current)s”; its name was not changed to “%(file)s”.")
                % {"unit": step.level.name, "current": clash[0], "file": clash[1]},
            )

    def _create(self, row_no: int, step: _Step, parent: int) -> int:
        if not step.names:
            self._fail(row_no, step.column, _("%(unit)s is new: give its name.") % {"unit": step.label})
        parent_path = self.path_of[parent] if parent > 0 else self.new_by_ref[parent].path
        position = self.last_child.get(parent_path, 0) + 1
        if position > _MAX_STEP:
            self._fail(row_no, step.column, _("%(unit)s cannot hold more units.") % {"unit": self._label(parent)})
        self.last_child[parent_path] = position
        ref = -(len(self.new) + 1)
        node = _NewUnit(
            ref=ref,
            level=step.level,
            parent=parent,
            path=parent_path + Unit._int2str(position).rjust(Unit.steplen, "0"),
            number=step.number,
            name_hi=step.name_hi,
            name_en=step.name_en,
            station=step.station,
            row=row_no,
        )
        self.new.append(node)
        self.new_by_ref[ref] = node
        if parent < 0:
            self.new_by_ref[parent].numchild += 1
        else:
            self.touched_parents.add(parent)
        if step.number is not None:
            self.by_number[(parent, step.level.id, step.number)] = ref
        for name in step.names:
            self._register_name((parent, step.level.id, _name_key(name)), ref)
        self.report.new[step.level.id] += 1
        return ref

    # -- writing

    UNIT_COLUMNS = UNIT_BULK_COLUMNS

    def write(self, progress: Progress | None) -> None:
        ids = _allocate_ids(len(self.new))
        id_of = {node.ref: uid for node, uid in zip(self.new, ids, strict=True)}
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = [
            (
                id_of[node.ref],
                node.path,
                len(node.path) // Unit.steplen,
                node.numchild,
                node.name_hi,
                node.name_en,
                node.level.id,
                id_of[node.parent] if node.parent < 0 else node.parent,
                node.number,
                "",
                node.station,
                False,
                now,
            )
            for node in self.new
        ]
        chunk = 20000
        for start in range(0, len(rows), chunk):
            insert_rows(Unit._meta.db_table, self.UNIT_COLUMNS, rows[start : start + chunk])
            if progress:
                progress("write", min(start + chunk, len(rows)), len(rows))
        _refresh_numchild(self.touched_parents)


def _clash(known: str, given: str) -> tuple[str, str] | None:
    if known and given and _name_key(known) != _name_key(given):
        return known, given
    return None


def _refresh_numchild(parent_ids: set[int]) -> None:
    """Set treebeard's ``numchild`` of existing parents that got children: one UPDATE per distinct count."""
    ids = sorted(parent_ids)
    by_count: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(ids), 5000):
        counts = (
            Unit.objects.filter(parent_id__in=ids[start : start + 5000])
            .order_by()  # the manager orders by path, which would split the GROUP BY
            .values_list("parent_id")
            .annotate(n=Count("id"))
        )
        for parent_id, n in counts:
            by_count[n].append(parent_id)
    for n, parents in by_count.items():
        for start in range(0, len(parents), 5000):
            Unit.objects.filter(pk__in=parents[start : start + 5000]).update(numchild=n)


def _allocate_ids(count: int) -> list[int]:
    """Ids for new units: from the sequence on PostgreSQL (safe beside concurrent inserts), after MAX(id) on
    SQLite (whose IMMEDIATE transactions already hold the write lock)."""
    table = Unit._meta.db_table
    if not count:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
    start = next_id(table)
    return list(range(start, start + count))


# ---------------------------------------------------------------- the service


def import_units(*, file, root: Unit, by=None, dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Add the units a CSV/XLSX file describes under ``root``: all rows or none.

    ``file`` is a path or a file object (an upload). With ``dry_run`` nothing is written and the
    report says what would happen. ``progress(stage, done, total)`` is called now and then.
    """
    started = time.monotonic()
    levels = {level.code: level for level in Level.objects.all()}
    report = ImportReport(root=root, dry_run=dry_run, level_objects={level.id: level for level in levels.values()})
    try:
        rows = _parse(file=file, root=root, levels=levels, report=report, progress=progress)
    except SpreadsheetError as problem:
        report.add_error(problem.row, "", str(problem))
        rows = None
    if rows is None:  # the file or its header is unusable: the rows cannot be checked
        report.seconds = time.monotonic() - started
        return report
    try:
        with contextlib.nullcontext() if dry_run else transaction.atomic():
            if not dry_run:
                # Structural writes under the root are serialised (a no-op on SQLite, whose IMMEDIATE
                # transaction already holds the database's write lock).
                root = Unit.objects.select_for_update(of=("self",)).select_related("level").get(pk=root.pk)
                report.root = root
            resolver = _Resolver(root=root, levels=levels, report=report)
            resolver.load()
            for done, (row_no, steps) in enumerate(rows, start=1):
                resolver.resolve(row_no, steps)
                if progress and (done % 2000 == 0 or done == len(rows)):
                    progress("check", done, len(rows))
            if report.errors_total or dry_run or not resolver.new:
                report.errors.sort(key=lambda error: error.row or 0)
                report.seconds = time.monotonic() - started
                return report
            resolver.write(progress)
            coverage.rebuild(root, progress=(lambda i, n: progress("count", i, n)) if progress else None)
            report.imported = True
    except IntegrityError:
        report.new.clear()
        report.imported = False
        report.add_error(
            None, "", _("The unit tree changed while the file was being imported. Nothing was imported; try again.")
        )
    report.seconds = time.monotonic() - started
    if report.imported:
        logger.info(
            "unit import under %s by %s: %d new units from %d rows in %.1f s",
            root.pk,
            getattr(by, "pk", None),
            report.new_total,
            report.rows_total,
            report.seconds,
        )
    return report


def _parse(
    *, file, root: Unit, levels: dict[str, Level], report: ImportReport, progress: Progress | None = None
) -> list[tuple[int, list[_Step]]] | None:
    """The rows as steps, the unusable ones reported and left out; None when the header is unusable."""
    table = read_table(file, unit_import_limits())  # refuses what is over the limits before parsing it
    report.file_format, header, raw_rows = table.format, table.header, table.rows
    columns = _map_headers(header, levels, report)
    unnamed = [index for index, text in enumerate(header) if not header_key(text)]
    if report.errors_total:
        return None
    _check_structure(columns, levels, root, report)
    if report.errors_total:
        return None
    rows: list[tuple[int, list[_Step]]] = []
    flagged_unnamed = False
    for row_no, cells in raw_rows:  # at most the rows the limits allow: read_table stops past them
        if is_blank(cells):
            continue
        report.rows_total += 1
        if progress and report.rows_total % 2000 == 0:
            progress("read", report.rows_total, 0)
        if not flagged_unnamed and any(index < len(cells) and cell_text(cells[index]) for index in unnamed):
            report.add_error(1, "", _("A column with data has no heading in row 1."))
            flagged_unnamed = True
        steps = _row_steps(row_no, cells, columns, report)
        if steps is not None:
            rows.append((row_no, steps))
    if not report.rows_total:
        report.add_error(None, "", _("The file has a header row but no data rows."))
        return None
    return rows


def root_from_file(*, file) -> Unit | None:
    """The state a file is about, when its state column names exactly one existing state; else None."""
    try:
        table = read_table(file, unit_import_limits())
        header, raw_rows = table.header, table.rows
    except SpreadsheetError:
        return None
    index = next((i for i, text in enumerate(header) if HEADERS.get(header_key(text)) == ("state", NAME)), None)
    if index is None:
        return None
    values = set()
    with contextlib.suppress(SpreadsheetError):
        for _row_no, cells in raw_rows:
            if index < len(cells) and cell_text(cells[index]):
                values.add(_name_key(cell_text(cells[index])))
            if len(values) > 1:
                return None
    if len(values) != 1:
        return None
    value = values.pop()
    matches = [
        unit
        for unit in Unit.objects.filter(level__code="state").select_related("level")
        if value in {_name_key(n) for n in (unit.name_hi, unit.name_en, unit.code) if n}
    ]
    return matches[0] if len(matches) == 1 else None
