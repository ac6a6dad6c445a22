"""A fresh installation: ``sangathan import-units FILE`` with no units at all makes the national unit and the
state the file names, asking nothing, so a newcomer with only their state's booth list starts in one
command (the set-up page and ``sangathan setup`` do the rest: the organisation's name, more states, the
first state admin's login)."""

import unicodedata

from django.db import transaction

from sangathan.core.models import Organisation
from sangathan.core.spreadsheets import SpreadsheetError, cell_text, header_key, read_table
from sangathan.org import services
from sangathan.org.importing.columns import HEADERS, NAME, NAME_EN, NAME_HI
from sangathan.org.importing.rows import unit_import_limits
from sangathan.org.models import Level, Unit

# The national unit a fresh import makes when nobody has named it (the set-up page lets one choose).
NATIONAL_HI, NATIONAL_EN = "राष्ट्रीय", "National"


def is_fresh() -> bool:
    """No unit exists yet."""
    return not Unit.objects.exists()


def _is_devanagari(text: str) -> bool:
    return any("DEVANAGARI" in unicodedata.name(ch, "") for ch in text)


def state_names_in_file(*, file) -> tuple[str, str] | None:
    """(Hindi, English) name of the one state a file names in its state column(s), or None when it names
    none, several, or cannot be read. A plain ``state`` column counts as Hindi when written in Devanagari."""
    try:
        table = read_table(file, unit_import_limits())
    except SpreadsheetError:
        return None
    columns = {}
    for index, text in enumerate(table.header):
        level, field = HEADERS.get(header_key(text), (None, None))
        if level == "state" and field in (NAME, NAME_HI, NAME_EN):
            columns[index] = field
    if not columns:
        return None
    seen: set[tuple[str, str]] = set()
    try:
        for _row_no, cells in table.rows:
            hindi = english = ""
            for index, field in columns.items():
                value = cell_text(cells[index]) if index < len(cells) else ""
                if not value:
                    continue
                if field == NAME_HI or (field == NAME and _is_devanagari(value)):
                    hindi = value
                else:
                    english = value
            if hindi or english:
                seen.add((hindi, english))
            if len({(h.casefold(), e.casefold()) for h, e in seen}) > 1:
                return None
    except SpreadsheetError:
        return None
    return seen.pop() if len(seen) == 1 else None


@transaction.atomic
def root_for_fresh_install(*, file, by=None) -> Unit | None:
    """On a database with no units: make the national unit (named after the organisation when it has been
    set up, else "राष्ट्रीय / National") and the state the file names, and return the state. None when
    units exist already or the file names no single state (nothing is written)."""
    if not is_fresh():
        return None
    names = state_names_in_file(file=file)
    if names is None:
        return None
    national_level = Level.objects.filter(code="national").first()
    state_level = Level.objects.filter(code="state").first()
    if national_level is None or state_level is None:
        return None
    organisation = Organisation.objects.first()
    national = services.unit_create(
        parent=None,
        level=national_level,
        name_hi=(organisation.name_hi if organisation and organisation.name_hi else NATIONAL_HI),
        name_en=(organisation.name_en if organisation and organisation.name_en else NATIONAL_EN),
        by=by,
    )
    hindi, english = names
    return services.unit_create(parent=national, level=state_level, name_hi=hindi, name_en=english, by=by)
