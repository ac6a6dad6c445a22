"""Import channels from the sheets district teams already keep: ``import_channels(file=..., root=..., by=...)``.

The file
    CSV (UTF-8, with or without a byte-order mark; comma, semicolon or tab separated) or Excel
    ``.xlsx`` (the first sheet), read like the unit-tree import through ``sangathan.core.spreadsheets``
    (at most ``MAX_BYTES`` and ``MAX_ROWS``; the limits are checked before the sheet is parsed).
    Row 1 is the header; every later row is one channel. Row numbers in errors are the ones a
    spreadsheet shows. Headings are matched, and problems reported, as in every import
    (``sangathan.core.importing``).

Which unit
    Either a ``unit id`` column (the number in the unit page's address) or a ``unit code`` column
    (the short code, e.g. RJ), or the path columns of the unit-tree import: district, assembly no.
    or name, block, mandal, booth no. or name ... (Hindi or English headers, see ``COLUMNS`` there).
    The deepest level a row names is the channel's unit; levels in between may be left out
    (booth numbers are unique within an assembly constituency). Every unit must lie under ``root``.

The channel (headers in Hindi or English; case, spaces and punctuation do not matter)
    platform (WhatsApp group, broadcast, Telegram, Facebook page, ..., or in Hindi), name, link,
    admin mobiles (several separated by commas), broadcast number (the phone a broadcast list is
    run from), member count, date created, last verified. See ``CHANNEL_COLUMNS``.

Rules
    * All or nothing: if any row is wrong nothing is written, and the report lists every problem.
    * Idempotent: a channel already registered (same platform and link; for a broadcast list the
      same unit and name) is updated from the row's filled cells, or left alone when nothing
      differs. Importing the same file twice changes nothing the second time.
    * Admin mobiles of people the importer can see become the channel's admins; other numbers
      are kept as numbers (a warning says so).
"""

import datetime
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sangathan.access.permissions import MANAGE_CHANNELS, VIEW
from sangathan.access.scope import can
from sangathan.audit.services import audit_bulk_action
from sangathan.channels.links import ChannelError, normalise_link
from sangathan.channels.models import Channel, Platform
from sangathan.channels.services import MEMBER_MAX, NAME_MAX
from sangathan.core.importing import RowFailed, SheetReport, data_rows, filled_cells, match_headers, name_key
from sangathan.core.models import bilingual
from sangathan.core.spreadsheets import (
    Limits,
    SpreadsheetError,
    cell_date,
    header_key,
    read_table,
    whole_number,
)
from sangathan.core.validators import MARKUP_MESSAGE, has_markup
from sangathan.org.errors import OrgError
from sangathan.org.importing.columns import IGNORED, NUMBER, STATION, unit_column, unit_names
from sangathan.org.models import Level, Person, Unit
from sangathan.org.paths import subtree_q
from sangathan.org.phones import normalise_mobile

MAX_ERRORS_LISTED = 500
MAX_ROWS = 100_000
MAX_BYTES = 10 * 1024 * 1024
LIMITS = Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS)  # 100 MB unpacked at most, see core.spreadsheets

UNIT_ID, UNIT_CODE = "unit_id", "unit_code"
PLATFORM, CH_NAME, LINK, ADMINS, OWNER, MEMBERS, CREATED, VERIFIED = (
    "platform",
    "name",
    "link",
    "admins",
    "owner_mobile",
    "member_count",
    "created_on",
    "last_verified_on",
)

# (field, English headers, Hindi headers)
CHANNEL_COLUMNS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (UNIT_ID, ("unit id", "unit_id", "unit no"), ("इकाई आईडी", "इकाई आई डी")),
    (UNIT_CODE, ("unit code", "code"), ("इकाई कोड", "कोड")),
    (
        PLATFORM,
        ("platform", "channel type", "type", "medium"),
        ("प्लेटफ़ॉर्म", "प्लेटफार्म", "प्लेटफॉर्म", "माध्यम", "प्रकार", "चैनल का प्रकार"),
    ),
    (
        CH_NAME,
        ("name", "channel name", "group name", "channel", "group"),
        ("नाम", "चैनल का नाम", "ग्रुप का नाम", "ग्रुप नाम", "समूह का नाम", "चैनल"),
    ),
    (LINK, ("link", "url", "invite link", "handle", "link or handle"), ("लिंक", "इनवाइट लिंक", "हैंडल", "लिंक या हैंडल")),
    (
        ADMINS,
        ("admin mobile", "admin mobiles", "admins", "admin", "admin phone", "admin number", "admin numbers"),
        ("एडमिन", "एडमिन मोबाइल", "एडमिन मोबाइल नंबर", "एडमिन का मोबाइल", "एडमिन नंबर", "व्यवस्थापक"),
    ),
    (
        OWNER,
        ("broadcast number", "broadcast mobile", "owner mobile", "list mobile", "run from"),
        ("ब्रॉडकास्ट नंबर", "ब्रॉडकास्ट मोबाइल", "ब्राडकास्ट नंबर"),
    ),
    (
        MEMBERS,
        ("members", "member count", "number of members", "members count"),
        ("सदस्य", "सदस्य संख्या", "सदस्यों की संख्या", "कुल सदस्य"),
    ),
    (
        CREATED,
        ("created", "created on", "date created", "created date", "creation date", "date"),
        ("बनाने की तिथि", "बनाने की तारीख", "निर्माण तिथि", "निर्माण की तिथि", "तिथि", "तारीख", "दिनांक"),
    ),
    (VERIFIED, ("last verified", "verified on", "verified"), ("सत्यापन तिथि", "अंतिम सत्यापन", "सत्यापित")),
)

# Words people write in the platform column; the labels in both languages are added at start-up.
PLATFORM_WORDS: dict[str, tuple[str, ...]] = {
    Platform.WHATSAPP_GROUP: (
        "whatsapp",
        "whatsapp group",
        "wa group",
        "wa",
        "group",
        "व्हाट्सएप",
        "व्हाट्सऐप",
        "वॉट्सऐप",
        "व्हाट्सएप ग्रुप",
        "व्हाट्सऐप ग्रुप",
        "व्हाट्सएप समूह",
        "ग्रुप",
        "समूह",
    ),
    Platform.WHATSAPP_BROADCAST: (
        "broadcast",
        "broadcast list",
        "whatsapp broadcast",
        "whatsapp broadcast list",
        "wa broadcast",
        "ब्रॉडकास्ट",
        "ब्राडकास्ट",
        "ब्रॉडकास्ट लिस्ट",
        "ब्रॉडकास्ट सूची",
        "व्हाट्सएप ब्रॉडकास्ट",
        "व्हाट्सऐप ब्रॉडकास्ट",
    ),
    Platform.TELEGRAM_CHANNEL: ("telegram", "telegram channel", "टेलीग्राम", "टेलीग्राम चैनल"),
    Platform.TELEGRAM_GROUP: ("telegram group", "टेलीग्राम ग्रुप", "टेलीग्राम समूह"),
    Platform.FACEBOOK_PAGE: ("facebook", "facebook page", "fb", "fb page", "फेसबुक", "फेसबुक पेज", "फ़ेसबुक पेज"),
    Platform.FACEBOOK_GROUP: ("facebook group", "fb group", "फेसबुक ग्रुप", "फ़ेसबुक ग्रुप", "फेसबुक समूह"),
    Platform.INSTAGRAM: ("instagram", "insta", "ig", "इंस्टाग्राम", "इन्स्टाग्राम"),
    Platform.X: ("x", "twitter", "x twitter", "x (twitter)", "ट्विटर", "एक्स"),
    Platform.YOUTUBE: ("youtube", "yt", "यूट्यूब", "यू ट्यूब"),
}


def _platform_table() -> dict[str, str]:
    table = {header_key(value): value for value in Platform.values}
    for value, words in PLATFORM_WORDS.items():
        for word in words:
            table[header_key(word)] = value
    for language in ("hi", "en"):
        with translation.override(language):
            for value, label in Platform.choices:
                table.setdefault(header_key(str(label)), value)
    return table


_CHANNEL_HEADERS = {
    header_key(header): field_name for field_name, english, hindi in CHANNEL_COLUMNS for header in (*english, *hindi)
}
_MOBILE_SEPARATORS = re.compile(r"[,;/|\n]+")


def column_help() -> list[dict]:
    """The accepted channel headers, for the upload page."""
    labels = {
        UNIT_ID: _("unit id"),
        UNIT_CODE: _("unit code"),
        PLATFORM: _("platform"),
        CH_NAME: _("name"),
        LINK: _("link or handle"),
        ADMINS: _("admin mobiles"),
        OWNER: _("broadcast number"),
        MEMBERS: _("members"),
        CREATED: _("date created"),
        VERIFIED: _("last verified"),
    }
    return [{"field": labels[name], "english": english, "hindi": hindi} for name, english, hindi in CHANNEL_COLUMNS]


# ---------------------------------------------------------------- the report


@dataclass
class ImportReport(SheetReport):
    """What a channel import found and did, per platform."""

    max_errors = MAX_ERRORS_LISTED
    max_warnings = MAX_ERRORS_LISTED

    root: Unit
    dry_run: bool
    new: Counter = field(default_factory=Counter)  # platform -> channels added
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def new_total(self) -> int:
        return sum(self.new.values())

    @property
    def updated_total(self) -> int:
        return sum(self.updated.values())

    @property
    def unchanged_total(self) -> int:
        return sum(self.unchanged.values())

    @property
    def platforms(self) -> list[dict]:
        """Per platform: new, updated, unchanged (platforms the file mentions)."""
        return [
            {
                "platform": value,
                "label": label,
                "new": self.new[value],
                "updated": self.updated[value],
                "unchanged": self.unchanged[value],
            }
            for value, label in Platform.choices
            if self.new[value] or self.updated[value] or self.unchanged[value]
        ]

    def summary(self) -> dict:
        return {
            "rows": self.rows_total,
            "new": dict(self.new),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "errors_total": self.errors_total,
            "warnings_total": self.warnings_total,
            "imported": self.imported,
        }

    def digest(self) -> dict:
        """Everything the pages show, JSON-safe (kept on the job between the worker and the page)."""
        return {**self.summary(), **self.problems_digest()}

    @classmethod
    def from_digest(cls, *, root: Unit, data: dict, dry_run: bool = True) -> "ImportReport":
        report = cls(root=root, dry_run=dry_run)
        report.load_digest(data)
        report.new, report.updated, report.unchanged = (
            Counter(data.get(k) or {}) for k in ("new", "updated", "unchanged")
        )
        return report


# ---------------------------------------------------------------- rows


@dataclass
class _Row:
    row_no: int
    unit_id: int | None = None
    unit_code: str = ""
    steps: dict = field(default_factory=dict)  # level id -> {"number": int|None, "name": str, "column": str}
    platform: str = ""
    name: str = ""
    link: str = ""
    admins: list = field(default_factory=list)  # normalised mobiles
    admins_given: bool = False
    owner_mobile: str = ""
    member_count: int | None = None
    created_on: datetime.date | None = None
    last_verified_on: datetime.date | None = None
    unit: int | None = None


@dataclass
class _Column:
    index: int
    header: str
    field: str
    level: Level | None = None


def _column_target(key: str, text: str, levels: dict[str, Level]) -> tuple | None:
    """(field,) for a channel heading, (level code, field) for a heading of the unit-tree import (without
    the language suffixes: the channel's unit is found by any of its names)."""
    if key in _CHANNEL_HEADERS:
        return (_CHANNEL_HEADERS[key],)
    return unit_column(key, text, levels, suffixes=False)


def _map_headers(header: list[str], levels: dict[str, Level], report: ImportReport) -> list[_Column]:
    matched = match_headers(
        header, lookup=lambda key, text: _column_target(key, text, levels), ignored=IGNORED, report=report
    )
    columns = [
        _Column(index, text, target[0]) if len(target) == 1 else _Column(index, text, target[1], levels[target[0]])
        for index, text, target in matched
    ]
    fields = {column.field for column in columns}
    if PLATFORM not in fields:
        report.add_error(1, "", _("The file has no platform column (WhatsApp group, broadcast, ...)."))
    if not ({UNIT_ID, UNIT_CODE} & fields) and not any(column.level is not None for column in columns):
        report.add_error(
            1, "", _("The file says nowhere which unit a channel belongs to: add a unit id or booth number column.")
        )
    return columns


def _read_row(row_no: int, cells: list, columns: list[_Column], platforms: dict, report: ImportReport) -> _Row | None:
    row = _Row(row_no)
    ok = True

    def fail(column: _Column, message: str) -> None:
        nonlocal ok
        report.add_error(row_no, column.header, message)
        ok = False

    for column, raw, text in filled_cells(cells, columns):
        if column.level is not None:
            if column.field == STATION:
                continue
            step = row.steps.setdefault(column.level.id, {"number": None, "names": [], "column": column.header})
            if column.field == NUMBER:
                try:
                    step["number"] = whole_number(raw)
                except ValueError:
                    fail(column, _("“%(value)s” is not a whole number. Write numbers like 45.") % {"value": text})
                step["column"] = column.header
            else:
                step["names"].append(text)
            continue
        if column.field == UNIT_ID:
            try:
                row.unit_id = whole_number(raw)
            except ValueError:
                fail(column, _("“%(value)s” is not a unit id; the id is a whole number.") % {"value": text})
        elif column.field == UNIT_CODE:
            row.unit_code = text
        elif column.field == PLATFORM:
            value = platforms.get(header_key(text))
            if value is None:
                fail(
                    column,
                    _(
                        "“%(value)s” is not a platform we know. Write e.g. WhatsApp group, broadcast, Telegram, Facebook page."
                    )
                    % {"value": text},
                )
            else:
                row.platform = value
        elif column.field == CH_NAME:
            if has_markup(text):
                fail(column, str(MARKUP_MESSAGE))
            elif len(text) > NAME_MAX:
                fail(column, _("A channel name can be at most %(max)d characters long.") % {"max": NAME_MAX})
            row.name = text
        elif column.field == LINK:
            row.link = text
        elif column.field in (ADMINS, OWNER):
            mobiles = []
            for part in _MOBILE_SEPARATORS.split(str(raw) if not isinstance(raw, float) else text):
                part = part.strip()
                if not part:
                    continue
                try:
                    mobiles.append(normalise_mobile(part))
                except OrgError as error:
                    fail(column, f"{part}: {error.messages[0]}")
            if column.field == ADMINS:
                row.admins = list(dict.fromkeys(mobiles))
                row.admins_given = True
            elif len(mobiles) > 1:
                fail(column, _("Give one mobile number for the broadcast list."))
            elif mobiles:
                row.owner_mobile = mobiles[0]
        elif column.field == MEMBERS:
            try:
                count = whole_number(text.replace(",", ""))
            except ValueError:
                fail(column, _("“%(value)s” is not a whole number of members.") % {"value": text})
                continue
            if count > MEMBER_MAX:
                fail(column, _("The member count is not plausible."))
            row.member_count = count
        elif column.field in (CREATED, VERIFIED):
            try:
                day = cell_date(raw)
            except ValueError:
                fail(column, _("“%(value)s” is not a date. Write dates like 15/04/2026.") % {"value": text})
                continue
            if day > timezone.localdate():
                fail(column, _("The date %(date)s is in the future.") % {"date": day.strftime("%d/%m/%Y")})
            setattr(row, column.field, day)
    if not row.platform and ok:
        report.add_error(row_no, "", _("The platform is missing."))
        ok = False
    if row.platform and ok:
        try:
            row.link = normalise_link(row.platform, row.link)
        except ChannelError as error:
            if error.code == "broadcast_has_no_link":
                try:  # a broadcast list's "link" cell often holds the phone it is run from
                    row.owner_mobile = row.owner_mobile or normalise_mobile(row.link)
                    row.link = ""
                except OrgError:
                    report.add_error(row_no, "", error.messages[0])
                    ok = False
            else:
                report.add_error(row_no, "", error.messages[0])
                ok = False
    return row if ok else None


# ---------------------------------------------------------------- matching rows to units and channels


class _Units:
    """The root's subtree, loaded once, and the lookups rows need."""

    def __init__(self, root: Unit):
        self.root = root
        self.ancestors = {
            unit.level_id: unit
            for unit in Unit.objects.filter(path__in=root.ancestor_paths(include_self=True)).select_related("level")
        }
        self.info: dict[int, tuple] = {}
        self.by_number: dict[tuple[int, int], list[int]] = {}
        self.by_name: dict[tuple[int, str], list[int]] = {}
        self.by_code: dict[str, list[int]] = {}
        rows = (
            Unit.objects.filter(subtree_q([root.path]))
            .order_by()
            .values_list("id", "path", "level_id", "number", "name_hi", "name_en", "code")
        )
        for uid, path, level_id, number, name_hi, name_en, code in rows.iterator(chunk_size=5000):
            self.info[uid] = (path, level_id, number, name_hi, name_en)
            if number is not None:
                self.by_number.setdefault((level_id, number), []).append(uid)
            for name in {name_key(n) for n in (name_hi, name_en) if n}:
                self.by_name.setdefault((level_id, name), []).append(uid)
            if code:
                self.by_code.setdefault(name_key(code), []).append(uid)

    def label(self, uid: int) -> str:
        _path, _level, number, name_hi, name_en = self.info[uid]
        name = bilingual(name_hi, name_en)
        return f"{number} · {name}" if number is not None else name

    def resolve(self, row: _Row, levels_by_id: dict[int, Level], report: ImportReport) -> int:
        found: int | None = None
        if row.unit_id is not None:
            if row.unit_id not in self.info:
                raise self._fail(
                    report,
                    row,
                    _("There is no unit with id %(id)d under %(root)s.")
                    % {"id": row.unit_id, "root": self.root.display_name},
                )
            found = row.unit_id
        if row.unit_code:
            matches = self.by_code.get(name_key(row.unit_code), [])
            if len(matches) != 1:
                raise self._fail(
                    report,
                    row,
                    _("There is no unit with the code “%(code)s” under %(root)s.")
                    % {"code": row.unit_code, "root": self.root.display_name},
                )
            if found is not None and found != matches[0]:
                raise self._fail(report, row, _("The unit id and the unit code name different units."))
            found = matches[0]
        if row.steps:
            by_path = self._walk(row, levels_by_id, report)
            if found is not None and by_path != found:
                raise self._fail(
                    report, row, _("The unit id or code and the district/booth columns name different units.")
                )
            found = by_path
        if found is None:
            raise self._fail(report, row, _("The row does not say which unit the channel belongs to."))
        return found

    def _walk(self, row: _Row, levels_by_id: dict[int, Level], report: ImportReport) -> int:
        current, current_path = self.root.pk, self.root.path
        for level_id in sorted(row.steps, key=lambda i: levels_by_id[i].order):
            level = levels_by_id[level_id]
            step = row.steps[level_id]
            names = {name_key(n) for n in step["names"]}
            if level.order <= self.root.level.order:
                unit = self.ancestors.get(level_id)
                known = unit_names(unit) if unit else set()
                if (
                    unit is None
                    or (step["number"] is not None and step["number"] != unit.number)
                    or (names and not names & known)
                ):
                    raise self._fail(
                        report,
                        row,
                        _("This row is not about %(root)s; import it from there.") % {"root": self.root.display_name},
                        step["column"],
                    )
                continue
            if step["number"] is not None:
                candidates = self.by_number.get((level_id, step["number"]), [])
                shown = f"{level.name} {step['number']}"
            else:
                candidates = []
                for name in names:
                    candidates.extend(self.by_name.get((level_id, name), []))
                candidates = list(dict.fromkeys(candidates))
                shown = f"{level.name} “{step['names'][0]}”"
            inside = [uid for uid in candidates if self.info[uid][0].startswith(current_path) and uid != current]
            if not inside:
                raise self._fail(
                    report,
                    row,
                    _("%(unit)s was not found under %(parent)s.")
                    % {"unit": shown, "parent": self.label(current) if current in self.info else current},
                    step["column"],
                )
            if len(inside) > 1:
                raise self._fail(
                    report,
                    row,
                    _(
                        "There are several units called %(unit)s under %(parent)s; add the columns of the levels above it."
                    )
                    % {"unit": shown, "parent": self.label(current)},
                    step["column"],
                )
            current = inside[0]
            current_path = self.info[current][0]
        return current

    @staticmethod
    def _fail(report: ImportReport, row: _Row, message: str, column: str = "") -> RowFailed:
        report.add_error(row.row_no, column, message)
        return RowFailed()


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_channels(*, file, root: Unit, by=None, dry_run: bool = False) -> ImportReport:
    """Register or update the channels a CSV/XLSX file lists under ``root``: all rows or none."""
    started = time.monotonic()
    report = ImportReport(root=root, dry_run=dry_run)
    if by is not None and not can(by, MANAGE_CHANNELS, root):
        report.add_error(None, "", _("You may not manage the channels of this unit."))
        return report
    levels = {level.code: level for level in Level.objects.all()}
    levels_by_id = {level.id: level for level in levels.values()}
    try:
        table = read_table(file, LIMITS)  # refuses what is over the limits before parsing it
        report.file_format = table.format
        columns = _map_headers(table.header, levels, report)
        if report.errors_total:
            return report
        platforms = _platform_table()
        rows: list[_Row] = []
        for row_no, cells in data_rows(table.rows, report):  # at most MAX_ROWS: read_table stops past them
            row = _read_row(row_no, cells, columns, platforms, report)
            if row is not None:
                rows.append(row)
    except SpreadsheetError as problem:
        report.add_error(problem.row, "", str(problem))
        return report
    if not report.rows_total:
        report.add_no_data_rows()
        return report
    try:
        with transaction.atomic():
            _apply(rows, root=root, by=by, levels_by_id=levels_by_id, report=report, dry_run=dry_run)
            if report.errors_total or dry_run:
                transaction.set_rollback(True)
            else:
                report.imported = True
    except IntegrityError:
        report.imported = False
        report.add_error(
            None, "", _("Channels were changed by somebody else during the import. Nothing was imported; try again.")
        )
    report.errors.sort(key=lambda error: error.row or 0)
    report.seconds = time.monotonic() - started
    return report


def _apply(rows: list[_Row], *, root: Unit, by, levels_by_id, report: ImportReport, dry_run: bool) -> None:
    units = _Units(root)
    resolved = []
    for row in rows:
        try:
            row.unit = units.resolve(row, levels_by_id, report)
        except RowFailed:
            continue
        if not row.name:
            row.name = units.label(row.unit)
        resolved.append(row)
    rows = resolved
    # People the importer can see, by mobile: one query per 500 numbers.
    mobiles = sorted({m for row in rows for m in row.admins})
    people: dict[str, int] = {}
    visible = Person.objects.restrict(by, VIEW) if by is not None else Person.objects.all()
    for chunk in _chunks(mobiles):
        people.update(visible.filter(mobile__in=chunk).values_list("mobile", "id"))
    # Active channels the rows may mean: by link anywhere, by (unit, platform, name) in the rows' units.
    by_link: dict[tuple[str, str], Channel] = {}
    by_name: dict[tuple[int, str, str], Channel] = {}
    links = sorted({row.link for row in rows if row.link})
    for chunk in _chunks(links):
        for channel in Channel.objects.filter(is_active=True, link__in=chunk).select_related("unit"):
            by_link[(channel.platform, channel.link)] = channel
    unit_ids = sorted({row.unit for row in rows})
    for chunk in _chunks(unit_ids):
        for channel in Channel.objects.filter(is_active=True, unit_id__in=chunk):
            by_name[(channel.unit_id, channel.platform, name_key(channel.name))] = channel
    admins_of: dict[int, set[int]] = {}
    channel_ids = [c.pk for c in {*by_link.values(), *by_name.values()}]
    for chunk in _chunks(channel_ids):
        for channel_id, person_id in Channel.admins.through.objects.filter(channel_id__in=chunk).values_list(
            "channel_id", "person_id"
        ):
            admins_of.setdefault(channel_id, set()).add(person_id)

    seen: dict[tuple, int] = {}
    creates: list[tuple[Channel, list[int]]] = []
    updates: list[tuple[Channel, list[int] | None]] = []
    actor = by if by is not None and by.is_authenticated else None
    for row in rows:
        by_name_key = (row.unit, row.platform, name_key(row.name))
        keys = [("link", row.platform, row.link)] if row.link else []
        keys.append(("name",) + by_name_key)
        repeated = next((seen[k] for k in keys if k in seen), None)
        if repeated is not None:
            report.add_error(row.row_no, "", _("This channel is already in row %(row)d.") % {"row": repeated})
            continue
        for key in keys:
            seen[key] = row.row_no
        known_admins = [people[m] for m in row.admins if m in people]
        other_mobiles = [m for m in row.admins if m not in people]
        if other_mobiles:
            report.add_warning(
                row.row_no,
                "",
                _("No person with the mobile number %(mobiles)s is in your area; kept as a number.")
                % {"mobiles": ", ".join(other_mobiles)},
            )
        existing = by_link.get((row.platform, row.link)) if row.link else None
        named = by_name.get(by_name_key)
        if existing is not None and existing.unit_id != row.unit:
            where = (
                existing.unit.display_name
                if existing.unit.path.startswith(root.path)
                else _("a unit outside %(root)s") % {"root": root.display_name}
            )
            report.add_error(row.row_no, "", _("This link is already registered, for %(unit)s.") % {"unit": where})
            continue
        if existing is None and named is not None:
            if row.link and named.link and named.link != row.link:
                report.add_error(
                    row.row_no,
                    "",
                    _(
                        "%(unit)s already has a %(platform)s called “%(name)s” with another link. Change the name, or remove the old one first."
                    )
                    % {"unit": units.label(row.unit), "platform": Platform(row.platform).label, "name": row.name},
                )
                continue
            existing = named
        elif existing is not None and named is not None and named.pk != existing.pk:
            report.add_error(
                row.row_no,
                "",
                _("%(unit)s already has another %(platform)s called “%(name)s”.")
                % {"unit": units.label(row.unit), "platform": Platform(row.platform).label, "name": row.name},
            )
            continue
        if existing is None:
            creates.append(
                (
                    Channel(
                        unit_id=row.unit,
                        platform=row.platform,
                        name=" ".join(row.name.split()),
                        link=row.link,
                        owner_mobile=row.owner_mobile,
                        other_admin_mobiles=other_mobiles,
                        member_count=row.member_count,
                        created_on=row.created_on,
                        last_verified_on=row.last_verified_on,
                        last_verified_by=actor if row.last_verified_on else None,
                        created_by=actor,
                    ),
                    known_admins,
                )
            )
            report.new[row.platform] += 1
            continue
        changed = False
        for attr in ("name", "link", "owner_mobile", "member_count", "created_on", "last_verified_on"):
            value = getattr(row, attr)
            if value not in (None, "") and getattr(existing, attr) != value:
                setattr(existing, attr, value)
                changed = True
        new_admins = None
        if row.admins_given and (
            set(known_admins) != admins_of.get(existing.pk, set()) or other_mobiles != existing.other_admin_mobiles
        ):
            existing.other_admin_mobiles = other_mobiles
            new_admins = known_admins
            changed = True
        if changed:
            updates.append((existing, new_admins))
            report.updated[row.platform] += 1
        else:
            report.unchanged[row.platform] += 1
    if report.errors_total or dry_run:
        return
    made = Channel.objects.bulk_create([channel for channel, _admins in creates], batch_size=1000)
    through = Channel.admins.through
    links_to_add = [
        through(channel_id=channel.pk, person_id=pid)
        for channel, (_c, admin_ids) in zip(made, creates, strict=True)
        for pid in admin_ids
    ]
    for channel, admin_ids in updates:
        channel.save()
        if admin_ids is not None:
            through.objects.filter(channel_id=channel.pk).delete()
            links_to_add.extend(through(channel_id=channel.pk, person_id=pid) for pid in admin_ids)
    through.objects.bulk_create(links_to_add, batch_size=1000)
    # bulk_create and the admins' link rows send no signals (the updated channels' own saves do): one entry
    # on the import's root unit for the channels made, one for the channels whose admins were replaced.
    audit_bulk_action(
        obj=root, what="channels_imported", count=len(made), model=Channel, ids=[c.pk for c in made], by=actor
    )
    relinked = [channel.pk for channel, admin_ids in updates if admin_ids is not None]
    audit_bulk_action(
        obj=root, what="channel_admins_replaced", count=len(relinked), model=Channel, ids=relinked, by=actor
    )
