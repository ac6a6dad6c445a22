"""What every sheet import shares: headings matched to fields, problems listed and counted."""

import datetime

import pytest
from django.utils import translation

from sangathan.core.importing import HeaderProblem, SheetReport, data_rows, match_headers
from sangathan.core.spreadsheets import cell_date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def lookup(key, text):
    if key == "other_level":
        raise HeaderProblem(f"{text}: not here")
    return {"name": "name", "naam": "name", "mobile": "mobile"}.get(key)


def test_headings_known_unknown_repeated_and_refused():
    report = SheetReport()
    header = ["S. No.", "Name", "", "Colour", "नाम", "Mobile", "NAAM", "Other level"]
    matched = match_headers(header, lookup=lookup, ignored={"s_no"}, report=report)
    assert matched == [(1, "Name", "name"), (5, "Mobile", "mobile")]
    assert [(e.row, e.column) for e in report.errors] == [(1, "Colour"), (1, "नाम"), (1, "NAAM"), (1, "Other level")]
    assert report.errors[0].message.startswith("Unknown column “Colour”")
    assert report.errors[2].message == "Columns “Name” and “NAAM” mean the same thing. Keep one of them."
    assert report.errors[3].message == "Other level: not here"


def test_problems_listed_up_to_the_limit_and_all_counted():
    class Small(SheetReport):
        max_errors = 2
        max_warnings = 1

    report = Small()
    for row in range(2, 6):
        report.add_error(row, None, "bad")
        report.add_warning(row, "c", "odd")
    assert (len(report.errors), report.errors_total, len(report.warnings), report.warnings_total) == (2, 4, 1, 4)
    assert not report.ok
    again = Small()
    again.load_digest({"rows": 4, **report.problems_digest()})
    assert (again.rows_total, again.errors, again.errors_total, again.warnings) == (
        4,
        report.errors,
        4,
        report.warnings,
    )


def test_data_rows_skip_blank_rows_and_count_the_others():
    report = SheetReport()
    rows = [(2, ["a"]), (3, [None, " "]), (4, ["", 5])]
    assert list(data_rows(rows, report)) == [(2, ["a"]), (4, ["", 5])]
    assert report.rows_total == 2
    report.add_no_data_rows()
    assert report.errors[0].message == "The file has a header row but no data rows."


@pytest.mark.parametrize(
    "value",
    [
        "15/04/2026",
        "15-04-2026",
        "2026-04-15",
        "१५/०४/२०२६",
        "15.04.26",
        datetime.datetime(2026, 4, 15, 10, 30, tzinfo=datetime.UTC),
    ],
)
def test_cell_date(value):
    assert cell_date(value) == datetime.date(2026, 4, 15)


def test_cell_date_refuses_what_is_not_a_date():
    with pytest.raises(ValueError):
        cell_date("next week")
