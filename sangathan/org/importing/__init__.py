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
    headers meaning the same thing. The full list is ``columns.COLUMNS``.

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

The modules, in the order an import runs through them
    ``columns``   the accepted headings and the checks of the header row
    ``rows``      the file (through ``core.spreadsheets``) as rows of steps, bad cells reported
    ``resolver``  every row matched against the tree, the new units planned with their paths
    ``writer``    ids, the set-based inserts, ``numchild``
    ``service``   ``import_units`` and ``root_from_file``
    ``report``    ``ImportReport``; what all imports share (``RowError``, ...) is ``core.importing``
"""

from sangathan.core.importing import RowError
from sangathan.org.importing.columns import (
    COLUMNS,
    FIELD_LABELS,
    HEADERS,
    IGNORED_HEADERS,
    LANGUAGE_SUFFIXES,
    NAME,
    NAME_EN,
    NAME_HI,
    NUMBER,
    NUMBER_SCOPE,
    REQUIRED_LEVELS,
    STATION,
    column_help,
)
from sangathan.org.importing.report import MAX_ERRORS_LISTED, MAX_WARNINGS_LISTED, ImportReport, LevelCount
from sangathan.org.importing.rows import NUMBER_MAX, STATION_MAX, Progress, unit_import_limits
from sangathan.org.importing.service import import_units, root_from_file

__all__ = [
    "COLUMNS",
    "FIELD_LABELS",
    "HEADERS",
    "IGNORED_HEADERS",
    "LANGUAGE_SUFFIXES",
    "MAX_ERRORS_LISTED",
    "MAX_WARNINGS_LISTED",
    "NAME",
    "NAME_EN",
    "NAME_HI",
    "NUMBER",
    "NUMBER_MAX",
    "NUMBER_SCOPE",
    "REQUIRED_LEVELS",
    "STATION",
    "STATION_MAX",
    "ImportReport",
    "LevelCount",
    "Progress",
    "RowError",
    "column_help",
    "import_units",
    "root_from_file",
    "unit_import_limits",
]
