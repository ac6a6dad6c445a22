"""Reading the claims file of ``sangathan factcheck-load`` and the tips file of ``sangathan factcheck-match``.

Claims: CSV, UTF-8 (a byte-order mark is accepted), header ``id,lang,text`` (other columns are ignored);
the rows that share an ``id`` are the texts of one claim in different languages. Every row is checked
before anything is written, and each problem is reported with its row number (the header is row 1,
as a spreadsheet numbers it): an empty id or text, a language other than ``hi``, ``en`` or ``hi-Latn``,
the same (id, language) twice, a text over ``TEXT_MAX`` characters or with no word left once
normalised, bytes that are not UTF-8. One problem and nothing is loaded.

Tips: CSV, UTF-8, header ``id,text`` (other columns ignored).
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from sangathan.factcheck.models import EXTERNAL_ID_MAX, TEXT_MAX, Language
from sangathan.factcheck.normalise import normalise

# csv refuses a field over 128 KiB by default; a text is at most TEXT_MAX characters (4 bytes each at
# most), so anything longer is reported as too long rather than as a broken file.
csv.field_size_limit(max(csv.field_size_limit(), 8 * TEXT_MAX * 4))

_LANGUAGES = {value.lower(): value for value in Language.values}


@dataclass(frozen=True)
class RowError:
    row: int  # 1 is the header; 0 is the file as a whole
    message: str

    def __str__(self) -> str:
        where = _("row %(row)d") % {"row": self.row} if self.row else _("file")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ClaimRow:
    row: int
    external_id: str
    language: str
    text: str
    key: str


@dataclass(frozen=True)
class TipRow:
    row: int
    tip_id: str
    text: str


def _records(content: bytes, required: tuple[str, ...]) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """(row number, {column: value}) of each data row, or the problems that stop the file being read.

    Bytes are decoded with surrogate escapes so that a row with bad bytes is reported by its number and
    the rows around it are still read."""
    text = content.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        message = _("The file is empty: the first line must be the header %(header)s.") % {"header": ",".join(required)}
        return [], [RowError(0, message)]
    except csv.Error as error:
        return [], [RowError(1, str(error))]
    names = [name.strip().lower() for name in header]
    if _has_bad_bytes(header):
        return [], [RowError(1, _("not UTF-8 text"))]
    missing = [column for column in required if column not in names]
    if missing:
        message = _("The header must name the columns %(header)s (missing: %(missing)s).") % {
            "header": ",".join(required),
            "missing": ", ".join(missing),
        }
        return [], [RowError(1, message)]
    positions = {column: names.index(column) for column in required}
    records: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    row = 1
    while True:
        row += 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(row, str(error)))
            break
        if not any(value.strip() for value in values):
            continue  # a blank line
        if _has_bad_bytes(values):
            errors.append(RowError(row, _("not UTF-8 text")))
            continue
        records.append((row, {column: values[i] if i < len(values) else "" for column, i in positions.items()}))
    return records, errors


def _has_bad_bytes(values: list[str]) -> bool:
    return any("\udc80" <= ch <= "\udcff" for value in values for ch in value)


def read_claims(content: bytes) -> tuple[list[ClaimRow], list[RowError]]:
    """The rows of a claims file and every problem found in it (load only when there is none)."""
    records, errors = _records(content, ("id", "lang", "text"))
    rows: list[ClaimRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row, record in records:
        external_id, language, text = record["id"].strip(), record["lang"].strip(), record["text"].strip()
        problems = []
        if not external_id:
            problems.append(_("the id is missing"))
        elif len(external_id) > EXTERNAL_ID_MAX:
            problems.append(_("the id is longer than %(max)d characters") % {"max": EXTERNAL_ID_MAX})
        canonical = _LANGUAGES.get(language.lower())
        if canonical is None:
            problems.append(
                _("unknown language %(lang)r (use one of %(known)s)")
                % {"lang": language, "known": ", ".join(Language.values)}
            )
        key = ""
        if not text:
            problems.append(_("the text is missing"))
        elif len(text) > TEXT_MAX:
            problems.append(
                _("the text has %(length)d characters, at most %(max)d are allowed")
                % {"length": len(text), "max": TEXT_MAX}
            )
        else:
            key = normalise(text)
            if not key:
                problems.append(_("the text has no words to match (only links, emojis or punctuation)"))
        if external_id and canonical is not None:
            first = seen.setdefault((external_id, canonical), row)
            if first != row:
                problems.append(
                    _("id %(id)s in language %(lang)s already appears in row %(first)d")
                    % {"id": external_id, "lang": canonical, "first": first}
                )
        if problems:
            errors.append(RowError(row, "; ".join(str(problem) for problem in problems)))
        else:
            rows.append(ClaimRow(row=row, external_id=external_id, language=canonical or "", text=text, key=key))
    errors.sort(key=lambda error: error.row)
    return rows, errors


def read_tips(content: bytes) -> tuple[list[TipRow], list[RowError]]:
    """The rows of a tips file; a row's problems (bad bytes) are reported, other rows are still read."""
    records, errors = _records(content, ("id", "text"))
    return [TipRow(row=row, tip_id=record["id"].strip(), text=record["text"]) for row, record in records], errors
