"""The headings a unit-tree file may have and what each means: ``COLUMNS`` (the table in the package's
docstring), matched with ``core.importing.match_headers``; then the checks of the header as a whole."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangathan.core.importing import HeaderProblem, match_headers, name_key
from sangathan.core.spreadsheets import header_key
from sangathan.org.importing.report import ImportReport
from sangathan.org.models import Level, Unit

NAME, NAME_HI, NAME_EN, NUMBER, STATION = "name", "name_hi", "name_en", "number", "polling_station"

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


def _build_header_table() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for level_code, field_name, english, hindi in COLUMNS:
        for header in (*english, *hindi):
            table[header_key(header)] = (level_code, field_name)
    return table


HEADERS = _build_header_table()
IGNORED = {header_key(h) for h in IGNORED_HEADERS}
_SUFFIXES = [(field_name, header_key(s)) for field_name, suffixes in LANGUAGE_SUFFIXES for s in suffixes]


def column_help() -> list[dict]:
    """The accepted headers, for the upload page: one entry per (level, field)."""
    levels = {level.code: level for level in Level.objects.all()}
    return [
        {"level": levels[code], "field": FIELD_LABELS[field_name], "english": english, "hindi": hindi}
        for code, field_name, english, hindi in COLUMNS
        if code in levels
    ]


def unit_column(key: str, text: str, levels: dict[str, Level], *, suffixes: bool = True) -> tuple[str, str] | None:
    """(level code, field) of a heading (``key`` = ``header_key(text)``); None if it is none of ``COLUMNS``.
    With ``suffixes`` a name heading may carry a language (``district_hi``, ``जिला (अंग्रेज़ी)``). A level
    this organisation does not have raises ``HeaderProblem``."""
    target = HEADERS.get(key)
    if target is None and suffixes:
        for field_name, suffix in _SUFFIXES:
            if key.endswith("_" + suffix):
                base = HEADERS.get(key[: -len(suffix) - 1])
                if base is not None and base[1] == NAME:
                    target = (base[0], field_name)
                    break
    if target is not None and target[0] not in levels:
        raise HeaderProblem(_("Column “%(header)s” is for a level this organisation does not have.") % {"header": text})
    return target


def unit_names(unit: Unit) -> set[str]:
    """The keys (``name_key``) a file may name an existing unit by: its names and its code."""
    return {name_key(name) for name in (unit.name_hi, unit.name_en, unit.code) if name}


@dataclass
class Column:
    index: int
    header: str
    level: Level
    field: str


def map_headers(header: list[str], levels: dict[str, Level], report: ImportReport) -> list[Column]:
    matched = match_headers(
        header, lookup=lambda key, text: unit_column(key, text, levels), ignored=IGNORED, report=report
    )
    return [Column(index, text, levels[level_code], field_name) for index, text, (level_code, field_name) in matched]


def check_structure(columns: list[Column], levels: dict[str, Level], root: Unit, report: ImportReport) -> None:
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
