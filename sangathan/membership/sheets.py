"""A sheet of paper membership forms (CSV or .xlsx) entered as paper members, in the worker.

Each data row is checked by the paper form itself (``forms_staff.PaperForm``: the same rules and words as
typing it in) and entered with ``services.member_enter`` in its own transaction, so one bad row costs
only itself; the report lists the refused rows by the row number the spreadsheet shows (1 = the header).
Importing the same sheet again enters nothing twice: a number that is a member (or signed up) already is
counted as "already entered" and skipped, which is also what makes a retried task harmless.

Headings, in Hindi or English: name/नाम, mobile/मोबाइल, age/आयु, epic/voter_id/मतदाता पहचान पत्र,
gender/लिंग, and booth/बूथ (the booth's number or name, needed when the sheet is uploaded above a booth).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from sangathan.core.importing import SheetReport, data_rows, match_headers
from sangathan.core.spreadsheets import Limits, SpreadsheetError, cell_text, header_key, read_table
from sangathan.membership import services
from sangathan.membership.errors import MembershipError
from sangathan.membership.forms_public import BOOTH_LEVEL
from sangathan.membership.forms_staff import SHEET_MAX_BYTES, PaperForm
from sangathan.membership.models import Member
from sangathan.org.models import Unit
from sangathan.org.phones import ascii_digits

LIMITS = Limits(max_bytes=SHEET_MAX_BYTES, max_rows=20_000, max_columns=30)
REQUIRED = ("name", "mobile", "age")
HEADINGS = {
    "name": ("name", "नाम", "member name", "सदस्य का नाम"),
    "mobile": ("mobile", "mobile number", "phone", "मोबाइल", "मोबाइल नंबर"),
    "age": ("age", "आयु", "उम्र"),
    "epic": ("epic", "voter id", "epic number", "मतदाता पहचान पत्र", "वोटर आईडी"),
    "gender": ("gender", "लिंग"),
    "booth": ("booth", "booth number", "बूथ", "बूथ संख्या"),
}
GENDER_WORDS = {"female": "female", "f": "female", "महिला": "female", "स्त्री": "female",
                "male": "male", "m": "male", "पुरुष": "male", "other": "other", "अन्य": "other"}  # fmt: skip
_KEYS = {header_key(text): field for field, texts in HEADINGS.items() for text in texts}


@dataclass(kw_only=True)
class SheetOutcome(SheetReport):
    """What the import did: members entered, rows already entered (skipped), and the problems by row."""

    entered: int = 0
    already: int = 0

    def digest(self) -> dict:
        return {**self.problems_digest(), "rows": self.rows_total, "entered": self.entered, "already": self.already}


def _booth(root: Unit, text: str) -> Unit | None:
    """The booth a row names under ``root``: by its number, else by its exact Hindi or English name."""
    booths = Unit.objects.subtree(root).filter(level__code=BOOTH_LEVEL)
    digits = ascii_digits(text)
    found = list(booths.filter(number=int(digits))[:2]) if digits.isdecimal() and len(digits) < 9 else []
    if not found:
        found = list((booths.filter(name_hi=text) | booths.filter(name_en__iexact=text))[:2])
    return found[0] if len(found) == 1 else None


def import_sheet(*, root: Unit, content: bytes, by, language: str = "hi") -> SheetOutcome:
    """Enter every good row of the sheet as a paper member at ``root`` (a booth) or at the booth the row
    names under ``root``."""
    outcome = SheetOutcome()
    try:
        table = read_table(content, LIMITS)
        outcome.file_format = table.format
        columns = match_headers(table.header, lookup=lambda key, _text: _KEYS.get(key), ignored=(), report=outcome)
        found = {field for _index, _text, field in columns}
        at_booth = root.level.code == BOOTH_LEVEL
        for field in (*REQUIRED, *(() if at_booth else ("booth",))):
            if field not in found:
                outcome.add_error(
                    1, field, _("The sheet needs a column “%(column)s”.") % {"column": HEADINGS[field][0]}
                )
        if not outcome.ok:
            return outcome
        headings = {field: text for _index, text, field in columns}  # problems name the sheet's own heading
        for row_no, cells in data_rows(table.rows, outcome):
            values = {field: cell_text(cells[index]) if index < len(cells) else "" for index, _text, field in columns}
            _enter_row(
                root=root, row_no=row_no, values=values, headings=headings, by=by, language=language, outcome=outcome
            )
    except SpreadsheetError as error:
        outcome.add_error(error.row, "", str(error))
    if not outcome.rows_total and outcome.ok:
        outcome.add_no_data_rows()
    outcome.imported = bool(outcome.entered or outcome.already)
    return outcome


def _enter_row(
    *, root: Unit, row_no: int, values: dict, headings: dict, by, language: str, outcome: SheetOutcome
) -> None:
    gender = values.get("gender", "")
    values["gender"] = GENDER_WORDS.get(gender.casefold(), gender)
    form = PaperForm(values)
    booth = root
    if root.level.code != BOOTH_LEVEL:
        booth = _booth(root, values.get("booth", ""))
        if booth is None:
            outcome.add_error(row_no, headings["booth"], _("No single booth with this number or name under this unit."))
            return
    if not form.is_valid():
        for field, errors in form.errors.items():
            outcome.add_error(row_no, headings.get(field, field), " ".join(errors))
        return
    data = form.cleaned_data
    try:
        services.member_enter(
            unit=booth,
            name=data["name"],
            mobile=data["mobile"],
            age=data["age"],
            epic=data["epic"],
            gender=data["gender"],
            by=by,
            source=Member.Source.SHEET,
            language=language,
        )
    except MembershipError as error:
        if error.code == "mobile_taken":
            outcome.already += 1
            outcome.add_warning(row_no, headings["mobile"], _("Already entered or a member: skipped."))
            return
        outcome.add_error(row_no, "", " ".join(error.messages))
        return
    outcome.entered += 1
