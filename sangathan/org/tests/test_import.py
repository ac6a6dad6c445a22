"""Importing the unit tree from CSV/XLSX: the service, the command and the web flow."""

import csv
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from sangathan.org import services
from sangathan.org.importing import import_units
from sangathan.org.models import Appointment, CoverageCounter, PositionFillCounter, Unit, UnitImportJob
from sangathan.org.paths import subtree_q
from sangathan.org.selectors import coverage_for_unit, naive_coverage
from sangathan.org.tests.factories import PersonFactory, level, position
from sangathan.org.views_import import SESSION_KEY

pytestmark = pytest.mark.django_db

HEADER = ["state", "district", "ac_no", "ac_name", "block", "mandal", "booth_no", "booth_name", "polling_station"]
HINDI_HEADER = ["राज्य", "जिला", "विधानसभा संख्या", "विधानसभा", "ब्लॉक", "मंडल", "बूथ संख्या", "बूथ का नाम", "मतदान केंद्र"]
# Row 2 names existing units only; the rest add Jaipur South (AC 46) with a block, a mandal and booths
# (booth 3 directly under its AC: blank block and mandal), a booth in Amer, and a new district Kota.
ROWS = [
    ["Rajasthan", "Jaipur", 45, "Jaipur North", "Amer", "", 1, "Amer School", "Govt School, Amer"],
    ["Rajasthan", "Jaipur", 45, "Jaipur North", "Amer", "", 3, "Amer Bazaar", "Govt School, Amer"],
    ["Rajasthan", "Jaipur", 46, "Jaipur South", "Sanganer", "Pratap Nagar", 1, "Sanganer 1", ""],
    ["Rajasthan", "Jaipur", 46, "Jaipur South", "Sanganer", "Pratap Nagar", 2, "Sanganer 2", ""],
    ["RJ", "Jaipur", 46, "Jaipur South", "", "", 3, "Durgapura", ""],
    ["राजस्थान", "Kota", 150, "Kota North", "", "", 1, "Kota Station", ""],
]
NEW = {"district": 1, "assembly": 2, "block": 1, "mandal": 1, "booth": 5}
EXISTING = {"district": 1, "assembly": 1, "block": 1, "booth": 1}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    """Pages in English (the site defaults to Hindi), so the tests can read the messages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def rajasthan(tree):
    Unit.objects.filter(pk=tree.rajasthan.pk).update(code="RJ")
    tree.rajasthan.refresh_from_db()
    return tree.rajasthan


def csv_bytes(rows, header=HEADER, *, bom=False, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(data: bytes, root, *, dry_run=False):
    return import_units(file=io.BytesIO(data), root=root, by=None, dry_run=dry_run)


def by_level(counter_or_report, attr=None) -> dict[str, int]:
    counts = getattr(counter_or_report, attr) if attr else counter_or_report
    return {row.level.code: getattr(row, attr or "new") for row in counter_or_report.levels if counts[row.level.id]}


def snapshot():
    """Everything an import could touch."""
    return (
        sorted(Unit.objects.values_list("id", "path", "depth", "numchild", "parent_id", "name_en", "number")),
        sorted(CoverageCounter.objects.values_list("unit_id", "level_id", "units_total", "units_key_filled")),
        sorted(PositionFillCounter.objects.values_list("unit_id", "position_id", "filled")),
    )


def assert_tree_true(*units):
    """Paths, depths and numchild are sound, and every counter equals a recount from the data."""
    assert all(not problems for problems in Unit.objects.find_problems()), Unit.objects.find_problems()
    for unit in units:
        unit.refresh_from_db()
        fast = sorted((row.level.id, row.units_total, row.units_key_filled) for row in coverage_for_unit(unit))
        assert fast == sorted(naive_coverage(unit)), unit
        seats = dict(PositionFillCounter.objects.filter(unit=unit, filled__gt=0).values_list("position_id", "filled"))
        below = Appointment.objects.filter(subtree_q([unit.path], "unit__path"), status="active").exclude(unit=unit)
        assert seats == dict(below.values_list("position_id").annotate(n=Count("id"))), unit


def errors(report):
    return [(error.row, error.column) for error in report.errors]


def unit(**lookup) -> Unit:
    return Unit.objects.get(**lookup)


# ------------------------------------------------------------------ the happy paths


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
def test_csv_import_adds_the_new_units_and_keeps_counters_true(tree, rajasthan, bom):
    services.appointment_create(
        unit=tree.booth1, position=position("booth", "representative"), person=PersonFactory(), by=None
    )
    report = run(csv_bytes(ROWS, bom=bom), rajasthan)

    assert report.ok, report.errors
    assert report.imported and report.file_format == "csv" and report.rows_total == 6
    assert by_level(report, "new") == NEW
    assert by_level(report, "existing") == EXISTING
    south = unit(number=46, level__code="assembly")
    assert south.parent_id == tree.jaipur.pk and south.name_en == "Jaipur South"
    mandal = unit(name_en="Pratap Nagar")
    assert mandal.parent.name_en == "Sanganer" and mandal.parent.parent_id == south.pk
    assert set(Unit.objects.filter(parent=mandal).values_list("number", flat=True)) == {1, 2}
    direct = unit(parent=south, number=3)
    assert direct.name_en == "Durgapura" and direct.level.code == "booth"
    assert unit(parent=tree.amer, number=3).polling_station == "Govt School, Amer"
    kota = unit(name_en="Kota")
    assert kota.parent_id == rajasthan.pk and kota.level.code == "district"
    assert Unit.objects.get(pk=tree.booth1.pk).name_en == "Amer School"
    assert_tree_true(tree.india, rajasthan, tree.jaipur, tree.jaipur_ac, south, kota)
    booth_level = level("booth")
    rows = {row.level.id: row for row in coverage_for_unit(rajasthan)}
    assert (rows[booth_level.id].units_total, rows[booth_level.id].units_key_filled) == (3 + 5, 1)


def test_xlsx_import(tree, rajasthan):
    report = run(xlsx_bytes(ROWS), rajasthan)
    assert report.ok, report.errors
    assert report.file_format == "xlsx"
    assert by_level(report, "new") == NEW
    assert_tree_true(tree.india, rajasthan)


def test_hindi_headers_and_hindi_names_match_existing_units(tree, rajasthan):
    rows = [
        ["राजस्थान", "जयपुर", "४५", "जयपुर उत्तर", "आमेर", "", "3", "आमेर बाज़ार", "राजकीय विद्यालय"],
        ["राजस्थान", "जयपुर", "46", "जयपुर दक्षिण", "", "", "1", "सांगानेर", ""],
    ]
    report = run(csv_bytes(rows, HINDI_HEADER, bom=True), rajasthan)
    assert report.ok, report.errors
    assert by_level(report, "new") == {"assembly": 1, "booth": 2}
    assert by_level(report, "existing") == {"district": 1, "assembly": 1, "block": 1}
    booth = unit(parent=tree.amer, number=3)
    assert (booth.name_hi, booth.name_en, booth.polling_station) == ("आमेर बाज़ार", "", "राजकीय विद्यालय")
    assert unit(number=46, level__code="assembly").name_hi == "जयपुर दक्षिण"


def test_bilingual_name_columns_and_other_spellings_of_headers(tree, rajasthan):
    header = ["State Name", "जिला (हिंदी)", "District (English)", "AC No.", "AC Name", "Booth No", "Booth Name", "S.No."]
    rows = [["Rajasthan", "कोटा", "Kota", "150", "Kota North", "1", "Station", "1"]]
    report = run(csv_bytes(rows, header, delimiter=";"), rajasthan)
    assert report.ok, report.errors
    kota = unit(level__code="district", name_en="Kota")
    assert kota.name_hi == "कोटा"


def test_idempotent_rerun_adds_nothing(tree, rajasthan):
    data = csv_bytes(ROWS)
    assert run(data, rajasthan).imported
    before = snapshot()

    again = run(data, rajasthan)

    assert again.ok and not again.imported
    assert again.new_total == 0
    assert by_level(again, "existing") == {code: NEW.get(code, 0) + EXISTING.get(code, 0) for code in NEW}
    assert snapshot() == before


def test_extra_rows_add_only_the_new_units(tree, rajasthan):
    run(csv_bytes(ROWS), rajasthan)
    extra = [
        ["Rajasthan", "Jaipur", 46, "Jaipur South", "Sanganer", "Pratap Nagar", 4, "Sanganer 4", ""],
        ["Rajasthan", "Kota", 151, "Kota South", "", "", 1, "Kota South 1", ""],
    ]
    report = run(csv_bytes(ROWS + extra), rajasthan)
    assert report.ok, report.errors
    assert by_level(report, "new") == {"assembly": 1, "booth": 2}
    assert Unit.objects.filter(level__code="booth", name_en="Sanganer 4").count() == 1
    assert_tree_true(tree.india, rajasthan, unit(name_en="Kota"))


def test_new_children_continue_after_the_last_existing_child(tree, rajasthan):
    report = run(csv_bytes([["", "Jaipur", 45, "Jaipur North", "Amer", "", 9, "Nine", ""]]), rajasthan)
    assert report.ok, report.errors
    nine = unit(parent=tree.amer, number=9)
    assert nine.path[:-4] == tree.amer.path
    assert nine.path > tree.booth2.path
    tree.amer.refresh_from_db()
    assert tree.amer.numchild == 3


def test_dry_run_reports_without_writing(tree, rajasthan):
    before = snapshot()
    report = run(csv_bytes(ROWS), rajasthan, dry_run=True)
    assert report.ok and not report.imported and report.dry_run
    assert by_level(report, "new") == NEW
    assert snapshot() == before


def test_import_under_a_district_checks_the_upper_columns(tree):
    rows = [
        ["Rajasthan", "Jaipur", 46, "Jaipur South", "", "", 1, "One", ""],
        ["Rajasthan", "Ajmer", 98, "Ajmer North", "", "", 1, "Two", ""],
        ["Bihar", "", 47, "Elsewhere", "", "", 1, "Three", ""],
    ]
    report = run(csv_bytes(rows), tree.jaipur)
    assert errors(report) == [(3, "district"), (4, "state")]
    assert "this file is being imported under Jaipur" in report.errors[0].message

    report = run(csv_bytes(rows[:1]), tree.jaipur)
    assert report.ok, report.errors
    assert unit(number=46, level__code="assembly").parent_id == tree.jaipur.pk


def test_a_differing_name_of_an_existing_unit_is_a_warning_not_a_rename(tree, rajasthan):
    report = run(csv_bytes([["", "Jaipur", 45, "Jaipur Uttar", "Amer", "", 1, "Amer School", ""]]), rajasthan)
    assert report.ok and report.new_total == 0
    assert [(w.row, w.column) for w in report.warnings] == [(2, "ac_no")]
    assert unit(pk=tree.jaipur_ac.pk).name_en == "Jaipur North"


def test_a_number_for_a_unit_known_only_by_name_does_not_duplicate_it(tree, rajasthan):
    rows = [
        ["", "Jaipur", 45, "Jaipur North", "Amer", "", "", "Chowk", ""],  # booth without a number ...
        ["", "Jaipur", 45, "Jaipur North", "Amer", "", 8, "Chowk", ""],  # ... numbered in a later row
        ["", "Jaipur", 45, "Jaipur North", "Amer", "", 1, "Amer School", ""],
    ]
    report = run(csv_bytes(rows), rajasthan)
    assert report.ok, report.errors
    assert by_level(report, "new") == {"booth": 1}
    assert unit(parent=tree.amer, name_en="Chowk").number == 8

    services.unit_create(parent=tree.jaipur_ac, level=level("block"), name_en="Unnumbered")
    report = run(csv_bytes([["", "Jaipur", 45, "Jaipur North", "Unnumbered", "", "", "", ""]]), rajasthan)
    assert report.ok and report.new_total == 0


def test_existing_unnumbered_unit_is_matched_by_name_with_a_warning(tree, rajasthan):
    services.unit_create(parent=tree.jaipur, level=level("assembly"), name_en="Bagru")
    report = run(csv_bytes([["", "Jaipur", 47, "Bagru", "", "", 1, "Bagru 1", ""]]), rajasthan)
    assert report.ok, report.errors
    assert by_level(report, "new") == {"booth": 1}
    assert "without a number" in report.warnings[0].message
    assert Unit.objects.filter(parent=tree.jaipur, name_en="Bagru").count() == 1


def test_states_by_code_and_both_name_columns_under_the_national_root(tree, rajasthan):
    header = ["state", "district", "district_hi", "ac_no", "ac_name", "booth_no", "booth_name"]
    rows = [
        ["RJ", "Kota", "कोटा", 150, "Kota North", 1, "x"],
        ["Gujarat", "Surat", "सूरत", 1, "Surat East", 1, "y"],
    ]
    report = run(csv_bytes(rows, header), tree.india)
    assert report.ok, report.errors
    assert by_level(report, "new") == {"state": 1, "district": 2, "assembly": 2, "booth": 2}
    assert unit(name_en="Kota").parent_id == rajasthan.pk
    assert unit(name_hi="सूरत").name_en == "Surat"
    assert_tree_true(tree.india)


# ------------------------------------------------------------------ bad files: nothing imported


BAD_ROWS = [
    pytest.param(
        [["Rajasthan", "Jaipur", "", "", "", "", 7, "Orphan booth", ""]],
        (3, "booth_no"),
        "needs its Assembly constituency",
        id="booth-without-ac",
    ),
    pytest.param(
        [["Rajasthan", "", 46, "Jaipur South", "", "", 1, "x", ""]],
        (3, "ac_no"),
        "needs its District",
        id="ac-without-district",
    ),
    pytest.param(
        [
            ["Rajasthan", "Jaipur", 46, "Jaipur South", "", "", 5, "Five", ""],
            ["Rajasthan", "Jaipur", 46, "Jaipur South", "", "", 5, "Another five", ""],
        ],
        (4, "booth_no"),
        "is called “Five” in row 3",
        id="duplicate-booth-number-different-names",
    ),
    pytest.param(
        [
            ["Rajasthan", "Jaipur", 46, "Jaipur South", "Sanganer", "", 5, "Five", ""],
            ["Rajasthan", "Jaipur", 46, "Jaipur South", "Bagru", "", 5, "Five", ""],
        ],
        (4, "booth_no"),
        "is placed under",
        id="same-booth-under-two-blocks",
    ),
    pytest.param(
        [["Rajasthan", "Jaipur", 45, "Jaipur North", "", "", 1, "Amer School", ""]],
        (3, "booth_no"),
        "already exists in Assembly constituency 45",
        id="booth-number-taken-elsewhere-in-its-ac",
    ),
    pytest.param(
        [["Rajasthan", "Jaipur", 99, "Ajmer South", "", "", 1, "x", ""]],
        (3, "ac_no"),
        "already exists in State",
        id="ac-number-taken-in-the-state",
    ),
    pytest.param(
        [["Rajasthan", "Jaipur", 46, "Jaipur South", "", "", "12A", "Auxiliary", ""]],
        (3, "booth_no"),
        "is not a whole number",
        id="non-numeric-booth-number",
    ),
    pytest.param(
        [["Rajasthan", "Jaipur", "forty", "Jaipur South", "", "", 1, "x", ""]],
        (3, "ac_no"),
        "is not a whole number",
        id="non-numeric-ac-number",
    ),
    pytest.param(
        [["Rajasthan", "Jaipur", 46, "Jaipur South", "", "", 1, "क" * 151, ""]],
        (3, "booth_name"),
        "at most 150",
        id="name-too-long",
    ),
    pytest.param(
        [["Rajasthan", "Jaipur", 46, "", "", "", "", "", ""]],
        (3, "ac_no"),
        "is new: give its name",
        id="new-unit-without-a-name",
    ),
    pytest.param(
        [["Bihar", "Patna", 1, "Patna Sahib", "", "", 1, "x", ""]],
        (3, "state"),
        "is not",
        id="another-state",
    ),
]


@pytest.mark.parametrize(("bad", "where", "message"), BAD_ROWS)
def test_a_bad_row_is_reported_by_row_number_and_nothing_is_imported(tree, rajasthan, bad, where, message):
    good = [["Rajasthan", "Kota", 150, "Kota North", "", "", 1, "Kota Station", ""]]
    before = snapshot()

    report = run(csv_bytes(good + bad), rajasthan)

    assert not report.ok and not report.imported
    assert errors(report) == [where], report.errors
    assert message in report.errors[0].message
    assert snapshot() == before


def test_row_numbers_count_blank_rows_and_xlsx_rows_alike(tree, rajasthan):
    rows = [
        ["Rajasthan", "Kota", 150, "Kota North", "", "", 1, "One", ""],
        [None] * 9,
        ["Rajasthan", "Kota", 150, "Kota North", "", "", "x", "Two", ""],
    ]
    for data in (xlsx_bytes(rows), csv_bytes([[c or "" for c in row] for row in rows])):
        report = run(data, rajasthan)
        assert errors(report) == [(4, "booth_no")]
        assert report.rows_total == 2


def test_every_bad_row_is_listed_in_row_order(tree, rajasthan):
    rows = [["Rajasthan", "Kota", 150, "Kota North", "", "", n, "x" * 151, ""] for n in range(1, 4)]
    rows.insert(1, ["Rajasthan", "Kota", "", "", "", "", 9, "Orphan", ""])  # found while matching, not parsing
    rows.append(["Rajasthan", "Kota", 150, "Kota North", "", "", "x", "y", ""])
    report = run(csv_bytes(rows), rajasthan)
    assert errors(report) == [(2, "booth_name"), (3, "booth_no"), (4, "booth_name"), (5, "booth_name"), (6, "booth_no")]
    assert report.errors_total == 5


def test_a_level_that_cannot_sit_under_the_root(tree):
    header = ["division", "district", "ac_no", "ac_name", "block", "booth_no", "booth_name"]
    rows = [["Jaipur Division", "Jaipur", 45, "Jaipur North", "Amer", 3, "x"]]
    before = snapshot()
    report = run(csv_bytes(rows, header), tree.amer)
    assert errors(report) == [(2, "division")]
    assert "A Division cannot be placed under a Block" in report.errors[0].message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("header", "column", "message"),
    [
        (HEADER + ["colour"], "colour", "Unknown column"),
        (HEADER[:1] + ["जिला"] + HEADER[1:], "district", "mean the same thing"),
        (["booth_no", "बूथ संख्या", "district"], "बूथ संख्या", "mean the same thing"),
    ],
    ids=["unknown", "district-twice", "booth-number-twice"],
)
def test_unknown_or_ambiguous_headers(tree, rajasthan, header, column, message):
    before = snapshot()
    report = run(csv_bytes([["x"] * len(header)], header), rajasthan)
    assert errors(report) == [(1, column)]
    assert message in report.errors[0].message
    assert snapshot() == before


def test_booth_columns_without_ac_columns(tree, rajasthan):
    report = run(csv_bytes([["Jaipur", 1, "x"]], ["district", "booth_no", "booth_name"]), rajasthan)
    assert errors(report) == [(1, "")]
    assert "no Assembly constituency column" in report.errors[0].message


def _zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "not a CSV or Excel"),
        (bytes(range(256)) * 4, "not a CSV or Excel"),
        (b"state,district\nRaj\x01\x02\x03asthan,Jaipur\n", "not a CSV or Excel"),
        (_zip("word/document.xml"), "not a CSV or Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel"),
        ("state,district\nRajasthan,Jaipur\n".encode("utf-16"), "not a CSV or Excel"),
        ("state,district\nRajasthan,Jodhpur\xe9\n".encode("latin-1"), "not in UTF-8"),
        (b"", "The file is empty"),
        (b"\xef\xbb\xbf\r\n", "The file is empty"),
        (b"state,district,ac_no,ac_name\r\n", "no data rows"),
    ],
    ids=["png", "binary", "control-chars", "other-zip", "xls", "utf-16", "latin-1", "empty", "bom-only", "header-only"],
)
def test_files_that_are_not_usable(tree, rajasthan, data, message):
    before = snapshot()
    report = run(data, rajasthan)
    assert not report.ok
    assert message in report.errors[0].message
    assert snapshot() == before


def test_file_size_and_row_limits(tree, rajasthan, settings):
    data = csv_bytes(ROWS)
    settings.UNIT_IMPORT_MAX_BYTES = len(data) - 1
    report = run(data, rajasthan)
    assert errors(report) == [(None, "")] and "larger than" in report.errors[0].message

    settings.UNIT_IMPORT_MAX_BYTES = 10_000
    settings.UNIT_IMPORT_MAX_ROWS = 3
    report = run(data, rajasthan)
    assert errors(report) == [(5, "")] and "more than 3 rows" in report.errors[0].message
    assert Unit.objects.filter(name_en="Kota").count() == 0


def test_import_from_a_path(tree, rajasthan, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx_bytes(ROWS))
    assert import_units(file=path, root=rajasthan, by=None).imported


# ------------------------------------------------------------------ the command


def test_command_imports_and_prints_a_table(tree, rajasthan, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes(ROWS, bom=True))
    out, err = io.StringIO(), io.StringIO()

    call_command("import_units", str(path), "--root", str(rajasthan.pk), stdout=out, stderr=err, verbosity=0)

    text = out.getvalue()
    assert "Booth" in text and "Already present" in text
    assert "Imported 10 new units." in text
    assert Unit.objects.filter(name_en="Kota").exists()


def test_command_dry_run_and_root_by_code_or_from_the_file(tree, rajasthan, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes(ROWS))
    before = snapshot()
    out = io.StringIO()
    call_command("import_units", str(path), "--root", "rj", "--dry-run", stdout=out, verbosity=0)
    assert "Dry run" in out.getvalue()
    assert snapshot() == before

    hindi_only = tmp_path / "hindi.csv"
    hindi_only.write_bytes(csv_bytes([["राजस्थान", "Kota", 150, "Kota North", "", "", 1, "x", ""]]))
    call_command("import_units", str(hindi_only), stdout=io.StringIO(), verbosity=0)
    assert unit(name_en="Kota").parent_id == rajasthan.pk


def test_command_exits_non_zero_and_lists_the_bad_rows(tree, rajasthan, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(ROWS + [["Rajasthan", "Jaipur", "", "", "", "", 7, "Orphan", ""]]))
    before = snapshot()
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_units", str(path), "--root", "RJ", stdout=out, stderr=err, verbosity=0)

    assert raised.value.returncode == 1
    assert "1 problem(s)" in str(raised.value)
    assert "row 8 [booth_no]: Booth 7 “Orphan” needs its Assembly constituency" in err.getvalue()
    assert snapshot() == before


def test_command_refuses_an_unknown_root_or_file(tree, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes([["", "Kota", 1, "x", "", "", 1, "y", ""]]))
    with pytest.raises(CommandError, match="Give --root"):
        call_command("import_units", str(path), verbosity=0)
    with pytest.raises(CommandError, match="No unit has the code"):
        call_command("import_units", str(path), "--root", "ZZ", verbosity=0)
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_units", str(tmp_path / "missing.csv"), verbosity=0)


# ------------------------------------------------------------------ the web flow


def upload(client, root, data: bytes, name="units.csv"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("org_import:upload"), {"root": root.pk, "file": file})


def test_web_upload_preview_confirm_done(client, cast, tree, rajasthan, django_capture_on_commit_callbacks):
    client.force_login(cast.state_admin)
    page = client.get(reverse("org_import:upload") + f"?root={rajasthan.pk}")
    assert page.status_code == 200
    assert "ac_no" in page.content.decode()

    with django_capture_on_commit_callbacks() as queued:
        response = upload(client, rajasthan, csv_bytes(ROWS, bom=True))
    assert response.status_code == 302 and response.url == reverse("org_import:preview")
    job = UnitImportJob.objects.get()
    # The request only stored the file: the worker checks it once the request has committed.
    assert client.session[SESSION_KEY] == job.pk and job.status == "checking" and bytes(job.content)
    assert len(queued) == 1
    waiting = client.get(reverse("org_import:preview")).content.decode()
    assert "hx-trigger" in waiting and "new units will be added" not in waiting
    before = snapshot()
    queued[0]()  # the worker's turn (in the embedded mode: right after the commit)
    job.refresh_from_db()
    assert job.status == "uploaded" and job.checked_ok

    preview = client.get(reverse("org_import:preview"))
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "10 new units will be added." in body and f'name="job" value="{job.pk}"' in body
    assert snapshot() == before  # the preview is a dry run

    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly once the job is committed
        response = client.post(reverse("org_import:confirm"), {"job": job.pk})
    assert response.status_code == 302 and response.url == reverse("org_import:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done" and job.created_by == cast.state_admin
    assert bytes(job.content) == b""  # the file is not kept once imported
    assert SESSION_KEY not in client.session
    assert Unit.objects.filter(name_en="Kota", parent=rajasthan).exists()
    assert_tree_true(tree.india, rajasthan)

    done = client.get(reverse("org_import:job", args=[job.pk]))
    assert done.status_code == 200 and "10 new units were added" in done.content.decode()
    # The sibling district's admin cannot follow another unit's import.
    client.force_login(cast.sibling_admin)
    assert client.get(reverse("org_import:job", args=[job.pk])).status_code == 404


def test_web_preview_lists_the_errors_and_offers_no_import(
    client, cast, tree, rajasthan, django_capture_on_commit_callbacks
):
    client.force_login(cast.state_admin)
    bad = ROWS + [["Rajasthan", "Jaipur", 46, "Jaipur South", "", "", "x", "Bad", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, rajasthan, xlsx_bytes(bad), name="units.xlsx")
    before = snapshot()
    body = client.get(reverse("org_import:preview")).content.decode()
    assert "is not a whole number" in body and "<td>8</td>" in body
    assert reverse("org_import:confirm") not in body
    response = client.post(reverse("org_import:confirm"), {"job": client.session[SESSION_KEY]})
    assert response.status_code == 302 and response.url == reverse("org_import:preview")
    assert snapshot() == before
    assert UnitImportJob.objects.get().status == "uploaded"


def test_web_confirm_needs_the_previewed_file_and_cancel_deletes_it(client, cast, tree, rajasthan):
    client.force_login(cast.state_admin)
    upload(client, rajasthan, csv_bytes(ROWS))
    job_id = client.session[SESSION_KEY]
    before = snapshot()
    response = client.post(reverse("org_import:confirm"), {"job": "stale"})
    assert response.status_code == 302 and response.url == reverse("org_import:preview")
    # Not previewed yet: confirming is refused.
    response = client.post(reverse("org_import:confirm"), {"job": job_id})
    assert response.status_code == 302 and response.url == reverse("org_import:preview")
    assert snapshot() == before

    client.post(reverse("org_import:cancel"))
    assert not UnitImportJob.objects.exists()
    assert SESSION_KEY not in client.session
    assert client.post(reverse("org_import:confirm"), {"job": job_id}).status_code == 302
    assert snapshot() == before


def test_another_user_cannot_confirm_my_upload(client, cast, tree, rajasthan, django_capture_on_commit_callbacks):
    client.force_login(cast.state_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, rajasthan, csv_bytes(ROWS))
    client.get(reverse("org_import:preview"))
    job_id = client.session[SESSION_KEY]
    other = type(cast.state_admin).objects.create(username="other_state_admin")
    from sangathan.access.models import RoleAssignment

    RoleAssignment.objects.create(user=other, unit=rajasthan, role="state_admin")
    client.force_login(other)
    session = client.session
    session[SESSION_KEY] = job_id
    session.save()
    before = snapshot()
    assert client.post(reverse("org_import:confirm"), {"job": job_id}).status_code == 302
    assert UnitImportJob.objects.get().status == "uploaded"
    assert snapshot() == before


def test_sibling_admin_cannot_import_under_another_district(client, cast, tree):
    client.force_login(cast.sibling_admin)
    before = snapshot()
    response = upload(client, tree.jaipur, csv_bytes(ROWS))
    assert response.status_code == 404
    assert SESSION_KEY not in client.session
    assert snapshot() == before
    assert client.get(reverse("org_import:upload") + f"?root={tree.jaipur.pk}").status_code == 404


@pytest.mark.parametrize("who", ["viewer", "district_admin", "outsider"])
def test_users_without_the_import_right_get_403(client, cast, tree, who):
    client.force_login(getattr(cast, who))
    before = snapshot()
    assert client.get(reverse("org_import:upload")).status_code == 403
    if who != "outsider":  # the outsider cannot even see Jaipur: 404, tested above for the sibling
        assert upload(client, tree.jaipur, csv_bytes(ROWS)).status_code == 403
    assert SESSION_KEY not in client.session
    assert snapshot() == before


def test_pages_render_in_hindi_by_default(client, settings, cast, tree, rajasthan):
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    client.force_login(cast.state_admin)
    page = client.get(reverse("org_import:upload"))
    assert page.status_code == 200 and '<html lang="hi">' in page.content.decode()
    upload(client, rajasthan, csv_bytes(ROWS))
    assert client.get(reverse("org_import:preview")).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client, tree):
    response = client.get(reverse("org_import:upload"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_sample_file_is_importable(client, cast, tree, rajasthan):
    client.force_login(cast.state_admin)
    response = client.get(reverse("org_import:sample"))
    assert response.status_code == 200
    report = run(response.content, rajasthan, dry_run=True)
    assert report.ok, report.errors


def test_job_page_shows_progress_while_running(client, cast, tree, rajasthan):
    from django.core.cache import cache

    from sangathan.org.import_jobs import _progress_key

    job = UnitImportJob.objects.create(root=rajasthan, content=b"", original_name="x.csv", status="running")
    cache.set(_progress_key(job.pk), {"stage": "write", "done": 250, "total": 1000})
    client.force_login(cast.state_admin)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("org_import:job", args=[job.pk])).content.decode()
    assert 'aria-valuenow="25"' in body and "Writing units" in body and 'hx-trigger="every 1s"' in body
    partial = client.get(reverse("org_import:job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="import-job"')
