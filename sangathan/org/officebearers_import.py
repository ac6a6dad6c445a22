"""Import office-bearers from a sheet: ``import_office_bearers(file=..., root=..., by=..., dry_run=...)``.

The file
    CSV or Excel ``.xlsx``, read through ``core.spreadsheets`` (its limits are checked before the sheet is
    parsed: a huge file or a zip bomb is refused). Row 1 is the header (Hindi or English headings, see
    ``COLUMNS``); every later row is one office-bearer. Errors carry the row numbers a spreadsheet shows.

A row
    the unit (``unit id``: the number in the unit page's address, or ``unit code``), the post (its code or
    its title in Hindi or English, among the posts of the unit's level), the name (Hindi or English, by
    its script), the mobile number, and optionally the wing or cell (its code or its name: IT cell, women,
    youth, minority), gender, age, consent, start date and social handles (Facebook, X, Instagram, YouTube,
    Telegram).

Rules
    * Every row goes through the services of one appointment (``services.person_for_appointment`` and
      ``services.appointment_create``): a full post, a second post in one committee, a number of someone
      outside the importer's area are row errors, and a post with a role invites a login (``logins``).
    * Scope: every unit must lie under ``root`` and be one the importer may appoint in; any other unit
      (a sibling district's) is the same row error as a unit that does not exist, naming nothing of it.
    * All or nothing: the rows are applied in one transaction, rolled back if any row fails, and always
      for a dry run (the check shown as the preview), which therefore applies exactly the same rules.
    * Idempotent: a row whose person already holds that post in that unit is left as it is (missing
      social handles are added); the same file imported twice appoints nobody the second time.
    * Gender and age are checked. They are kept (gender, age band) only when the row's consent column says
      yes (``Person.profile_consent_at``: the person agreed), and only where ``Person`` has those fields;
      otherwise a warning says they were not recorded. For a person already registered they are changed
      through ``representation.person_profile_set`` (audited, the representation counts moved), and only
      when the importer may edit that person (appoint where they live); a value the row leaves empty is kept.
    * A wing puts the appointment in that wing of its unit; a row already in place moves to the row's wing
      (``representation.appointment_wing_set``, audited). An unknown wing is a row error.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.access.permissions import APPOINT
from sangathan.access.scope import can
from sangathan.audit.context import acting_as
from sangathan.audit.services import audit_mobile_lookup
from sangathan.core.importing import SheetReport, data_rows, filled_cells, match_headers, name_key
from sangathan.core.spreadsheets import Limits, SpreadsheetError, cell_date, header_key, read_table, whole_number
from sangathan.core.validators import MARKUP_MESSAGE, has_markup
from sangathan.org import representation, services
from sangathan.org.errors import OrgError
from sangathan.org.lookups import refusal_of
from sangathan.org.models import Appointment, Person, Position, SocialAccount, Unit, Wing
from sangathan.org.phones import normalise_mobile

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
LIMITS = Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
AGE_MIN, AGE_MAX = 18, 110
HANDLE_MAX = 200

Progress = Callable[[str, int, int], None]

WING = "wing"
UNIT_ID, UNIT_CODE, POST, NAME, MOBILE, GENDER, AGE, CONSENT, START = (
    "unit_id",
    "unit_code",
    "post",
    "name",
    "mobile",
    "gender",
    "age",
    "consent",
    "start_date",
)
# Age bands as ``Person.age_band`` keeps them: (highest age, value).
AGE_BANDS = ((25, "18_25"), (35, "26_35"), (45, "36_45"), (60, "46_60"), (AGE_MAX, "61_plus"))
SOCIAL = {
    "facebook": SocialAccount.Platform.FACEBOOK,
    "x": SocialAccount.Platform.X,
    "instagram": SocialAccount.Platform.INSTAGRAM,
    "youtube": SocialAccount.Platform.YOUTUBE,
    "telegram": SocialAccount.Platform.TELEGRAM,
}

# (field, English headings, Hindi headings)
COLUMNS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (UNIT_ID, ("unit id", "unit no"), ("इकाई आईडी", "इकाई आई डी")),
    (UNIT_CODE, ("unit code",), ("इकाई कोड",)),
    (POST, ("post", "position", "designation"), ("पद", "पदनाम")),
    (WING, ("wing", "cell", "wing or cell"), ("प्रकोष्ठ", "विंग", "सेल")),
    (NAME, ("name", "full name"), ("नाम", "पूरा नाम")),
    (MOBILE, ("mobile", "mobile number", "phone", "mobile no"), ("मोबाइल", "मोबाइल नंबर", "फ़ोन")),
    (GENDER, ("gender", "sex"), ("लिंग",)),
    (AGE, ("age",), ("आयु", "उम्र")),
    (CONSENT, ("consent", "agreed"), ("सहमति",)),
    (START, ("start date", "from", "appointed on"), ("नियुक्ति तिथि", "प्रारंभ तिथि", "से")),
    ("facebook", ("facebook", "fb"), ("फेसबुक", "फ़ेसबुक")),
    ("x", ("x", "twitter"), ("ट्विटर", "एक्स")),
    ("instagram", ("instagram", "insta"), ("इंस्टाग्राम",)),
    ("youtube", ("youtube",), ("यूट्यूब",)),
    ("telegram", ("telegram",), ("टेलीग्राम",)),
)
HEADINGS = {header_key(text): name for name, english, hindi in COLUMNS for text in (*english, *hindi, name)}
GENDER_WORDS = {
    "female": ("female", "f", "woman", "महिला", "स्त्री"),
    "male": ("male", "m", "man", "पुरुष"),
    "other": ("other", "अन्य"),
}
GENDERS = {header_key(word): value for value, words in GENDER_WORDS.items() for word in words}
YES_NO = {
    **{header_key(word): True for word in ("yes", "y", "हाँ", "हां", "हा")},
    **{header_key(word): False for word in ("no", "n", "नहीं", "नही")},
}
DEVANAGARI = re.compile("[\u0900-\u097f]")


def column_help() -> list[dict]:
    """The accepted headings, for the upload page."""
    return [{"field": name, "english": english, "hindi": hindi} for name, english, hindi in COLUMNS]


@dataclass(kw_only=True)
class OfficeBearerReport(SheetReport):
    """What an import found and did: appointments made (or that would be), rows already in place, new
    people, social handles added."""

    dry_run: bool
    appointed: int = 0
    unchanged: int = 0
    people_new: int = 0
    handles_added: int = 0

    def summary(self) -> dict:
        return {
            "rows": self.rows_total,
            "appointed": self.appointed,
            "unchanged": self.unchanged,
            "people_new": self.people_new,
            "handles_added": self.handles_added,
            "seconds": round(self.seconds, 1),
        }

    def digest(self) -> dict:
        return {**self.summary(), **self.problems_digest()}

    @classmethod
    def from_digest(cls, data: dict, *, dry_run: bool = True) -> "OfficeBearerReport":
        report = cls(dry_run=dry_run)
        report.load_digest(data)
        for name in ("appointed", "unchanged", "people_new", "handles_added"):
            setattr(report, name, data.get(name, 0))
        return report


@dataclass
class _Column:
    index: int
    heading: str
    field: str


@dataclass
class _Row:
    number: int
    values: dict = field(default_factory=dict)
    handles: dict = field(default_factory=dict)


def _person_has(name: str) -> bool:
    try:
        Person._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _read_header(header: list[str], report: OfficeBearerReport) -> list[_Column] | None:
    matched = match_headers(header, lookup=lambda key, _text: HEADINGS.get(key), ignored=(), report=report)
    columns = [_Column(index, heading, str(target)) for index, heading, target in matched]
    present = {column.field for column in columns}
    if not present & {UNIT_ID, UNIT_CODE}:
        report.add_error(1, "", _("The file needs a “unit id” or a “unit code” column."))
    for required, label in ((POST, _("post")), (MOBILE, _("mobile"))):
        if required not in present:
            report.add_error(1, "", _("The file needs a “%(column)s” column.") % {"column": label})
    return None if report.errors_total else columns


def _parse_row(row_no: int, cells: list, columns: list[_Column], report: OfficeBearerReport) -> _Row | None:
    """A row's cells checked one by one; every bad cell reported; None if any was bad."""
    row = _Row(row_no)
    bad = False
    wrong: set[str] = set()  # fields whose cell is filled but wrong (reported once, not also as missing)
    for column, raw, text in filled_cells(cells, columns):
        try:
            row_value = _cell(column.field, raw, text)
        except ValueError as problem:
            report.add_error(row_no, column.heading, str(problem))
            bad = True
            wrong.add(column.field)
            continue
        if column.field in SOCIAL:
            row.handles[SOCIAL[column.field]] = row_value
        else:
            row.values[column.field] = row_value
    for required, label in ((POST, _("post")), (MOBILE, _("mobile"))):
        if required not in row.values and required not in wrong:
            report.add_error(row_no, label, _("This row has no %(column)s.") % {"column": label})
            bad = True
    if not {UNIT_ID, UNIT_CODE} & (set(row.values) | wrong):
        report.add_error(row_no, _("unit"), _("This row names no unit."))
        bad = True
    return None if bad else row


def _cell(name: str, raw, text: str):
    """One cell's value, or ValueError with the message for the report."""
    if has_markup(text):
        raise ValueError(str(MARKUP_MESSAGE))
    if name == UNIT_ID:
        try:
            return whole_number(raw)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a unit id (a whole number).") % {"value": text}) from None
    if name == MOBILE:
        try:
            return normalise_mobile(text)
        except OrgError as error:
            raise ValueError(" ".join(error.messages)) from None
    if name == GENDER:
        gender = GENDERS.get(header_key(text))
        if gender is None:
            raise ValueError(_("“%(value)s” is not a gender: write female, male or other.") % {"value": text})
        return gender
    if name == AGE:
        try:
            age = whole_number(raw, maximum=999)
        except ValueError:
            age = None
        if age is None or not AGE_MIN <= age <= AGE_MAX:
            raise ValueError(
                _("“%(value)s” is not an age from %(min)d to %(max)d.")
                % {"value": text, "min": AGE_MIN, "max": AGE_MAX}
            )
        return age
    if name == CONSENT:
        agreed = YES_NO.get(header_key(text))
        if agreed is None:
            raise ValueError(_("“%(value)s” is not yes or no.") % {"value": text})
        return agreed
    if name == START:
        try:
            return cell_date(raw)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date (e.g. 15/08/2026).") % {"value": text}) from None
    if name == NAME and len(text) > 120:
        raise ValueError(_("A name can be at most %(max)d characters long.") % {"max": 120})
    if name in SOCIAL and len(text) > HANDLE_MAX:
        raise ValueError(_("A handle can be at most %(max)d characters long.") % {"max": HANDLE_MAX})
    return text


class _Places:
    """The units and posts rows name, looked up once each; a unit outside the importer's area is not found."""

    def __init__(self, *, root: Unit, by):
        self.root, self.by = root, by
        self.units: dict[tuple[str, object], Unit | None] = {}
        self.posts: dict[int, dict[str, Position]] = {}
        self.wings: dict[str, Wing] | None = None

    def unit(self, row: _Row) -> Unit:
        key = (UNIT_ID, row.values[UNIT_ID]) if UNIT_ID in row.values else (UNIT_CODE, row.values[UNIT_CODE])
        if key not in self.units:
            found = (
                Unit.objects.filter(pk=key[1]) if key[0] == UNIT_ID else Unit.objects.filter(code__iexact=key[1])
            ).select_related("level")
            candidates = [unit for unit in found[:2] if self._allowed(unit)]
            self.units[key] = candidates[0] if len(candidates) == 1 else None
        unit = self.units[key]
        if unit is None:
            raise OrgError(_("There is no unit “%(unit)s” in your area.") % {"unit": key[1]}, code="unit_not_found")
        return unit

    def _allowed(self, unit: Unit) -> bool:
        return unit.is_within(self.root) and (self.by is None or can(self.by, APPOINT, unit))

    def wing(self, text: str) -> Wing:
        if self.wings is None:
            self.wings = {}
            for wing in Wing.objects.all():
                for word in (wing.code, wing.name_hi, wing.name_en):
                    if word:
                        self.wings.setdefault(name_key(word), wing)
        found = self.wings.get(name_key(text))
        if found is None:
            names = ", ".join(wing.name for wing in sorted(set(self.wings.values()), key=lambda w: w.order))
            raise OrgError(
                _("There is no wing or cell “%(wing)s”. Write one of: %(names)s.") % {"wing": text, "names": names},
                code="wing_unknown",
            )
        return found

    def post(self, unit: Unit, text: str) -> Position:
        if unit.level_id not in self.posts:
            table: dict[str, Position] = {}
            for position in Position.objects.filter(level_id=unit.level_id):
                for word in (position.code, position.title_hi, position.title_en):
                    if word:
                        table.setdefault(name_key(word), position)
            self.posts[unit.level_id] = table
        found = self.posts[unit.level_id].get(name_key(text))
        if found is None:
            raise OrgError(
                _("There is no post “%(post)s” in a %(level)s committee.") % {"post": text, "level": unit.level.name},
                code="post_unknown",
            )
        return found


def import_office_bearers(
    *, file, root: Unit, by=None, dry_run: bool = False, progress: Progress | None = None
) -> OfficeBearerReport:
    """Appoint the office-bearers a CSV/XLSX file lists, under ``root``: all rows or none (see the module)."""
    started = time.monotonic()
    report = OfficeBearerReport(dry_run=dry_run)
    try:
        table = read_table(file, LIMITS)
        report.file_format = table.format
        columns = _read_header(table.header, report)
        rows = []
        if columns is not None:
            for row_no, cells in data_rows(table.rows, report):
                row = _parse_row(row_no, cells, columns, report)
                if row is not None:
                    rows.append(row)
                if progress and report.rows_total % 500 == 0:
                    progress("read", report.rows_total, 0)
    except SpreadsheetError as problem:
        report.add_error(problem.row, "", str(problem))
        columns = None
    if columns is None:  # the file or its header is unusable: the rows cannot be checked
        report.seconds = time.monotonic() - started
        return report
    if not report.rows_total:
        report.add_no_data_rows()
        return report
    refusals = []
    with acting_as(by), transaction.atomic():  # a worker or a command has no request to name the importer
        places = _Places(root=root, by=by)
        for done, row in enumerate(rows, start=1):
            try:
                with transaction.atomic():
                    _apply(row, places=places, report=report, by=by)
            except OrgError as error:
                refusal = refusal_of(error)
                if refusal is not None:
                    refusals.append(refusal)
                report.add_error(row.number, "", " ".join(error.messages))
            if progress and (done % 100 == 0 or done == len(rows)):
                progress("check" if dry_run else "write", done, len(rows))
        report.imported = not dry_run and not report.errors_total
        if not report.imported:
            transaction.set_rollback(True)  # a check, or a file with errors: nothing is kept
    report.errors.sort(key=lambda error: error.row or 0)
    for refusal in refusals:  # after the rollback: the refused look-ups stay in the audit trail
        audit_mobile_lookup(
            obj=refusal.obj, purpose=refusal.purpose, mobile=refusal.mobile, outcome="refused", by=refusal.by
        )
    report.seconds = time.monotonic() - started
    return report


def _apply(row: _Row, *, places: _Places, report: OfficeBearerReport, by) -> None:
    """One row through the services of one appointment (in its own savepoint)."""
    unit = places.unit(row)
    position = places.post(unit, row.values[POST])
    wing = places.wing(row.values[WING]) if WING in row.values else None
    mobile = row.values[MOBILE]
    held = (
        Appointment.objects.filter(unit=unit, position=position, person__mobile=mobile, status="active")
        .select_related("person")
        .first()
    )
    person = held.person if held is not None else None
    if person is None:
        name = row.values.get(NAME, "")
        hindi = bool(DEVANAGARI.search(name))
        person, created = services.person_for_appointment(
            mobile=mobile,
            name_hi=name if hindi else "",
            name_en="" if hindi else name,
            home_unit=unit,
            by=by,
            purpose="import",
        )
        if created:
            _store_profile(person, row, report)
        else:
            _update_profile(person, row, report, by=by)
        services.appointment_create(
            unit=unit, position=position, person=person, start_date=row.values.get(START), wing=wing, by=by
        )
        report.appointed += 1
        report.people_new += int(created)
    else:
        _update_profile(person, row, report, by=by)
        if WING in row.values:
            representation.appointment_wing_set(appointment=held, wing=wing, by=by)
        report.unchanged += 1
    if row.handles and _may_edit(person, by):
        for platform, handle in row.handles.items():
            _account, added = SocialAccount.objects.get_or_create(person=person, platform=platform, handle=handle)
            report.handles_added += int(added)


def _may_edit(person: Person, by) -> bool:
    """People are edited by whoever may appoint where they live (their home unit), as on their page."""
    return by is None or Person.objects.restrict(by, APPOINT).filter(pk=person.pk).exists()


def _consented(row: _Row, report: OfficeBearerReport) -> dict | None:
    """The row's gender and age, if it gives any and says the person agreed (else a warning, and None)."""
    given = {name: row.values[name] for name in (GENDER, AGE) if name in row.values}
    if not given:
        return None
    if not row.values.get(CONSENT) or not _person_has("profile_consent_at"):
        report.add_warning(
            row.number,
            "",
            _("Gender and age were not recorded: the consent column does not say the person agreed."),
        )
        return None
    return given


def _age_band(age: int) -> str:
    return next(band for highest, band in AGE_BANDS if age <= highest)


def _update_profile(person: Person, row: _Row, report: OfficeBearerReport, *, by) -> None:
    """An already registered person's gender and age band, with their consent: through the representation
    service (audited; it moves the counts of every post they hold). A value the row leaves empty is kept."""
    given = _consented(row, report)
    if given is None:
        return
    if not _may_edit(person, by):
        report.add_warning(
            row.number,
            "",
            _("Gender and age were not changed: this person is registered outside your area."),
        )
        return
    representation.person_profile_set(
        person=person,
        gender=given.get(GENDER, person.gender),
        age_band=_age_band(given[AGE]) if AGE in given else person.age_band,
        consent=True,
        by=by,
    )


def _store_profile(person: Person, row: _Row, report: OfficeBearerReport) -> None:
    """A new person's gender and age band, when the row says they agreed to have them recorded. Before their
    appointment, so the representation counts (moved by the appointment's hooks) include them."""
    given = _consented(row, report)
    if given is None:
        return
    fields: dict[str, object] = {"profile_consent_at": timezone.now()}
    if GENDER in given:
        fields["gender"] = given[GENDER]
    if AGE in given:
        fields["age_band"] = _age_band(given[AGE])
    for name, value in fields.items():
        setattr(person, name, value)
    person.save(update_fields=list(fields))
