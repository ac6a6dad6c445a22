"""core.exports on its own: formula-safe cells, the CSV's BOM, a long sheet title cut to Excel's limit."""

import io

from openpyxl import load_workbook

from sangathan.core.exports import csv_response, neutralise, rows, xlsx_response

COLUMNS = [("=Name", lambda row: row["name"]), ("Count", lambda row: row["count"])]
DATA = [{"name": '=HYPERLINK("http://x")', "count": -5}, {"name": "सीमा", "count": None}]


def test_cells_a_spreadsheet_would_run_get_an_apostrophe():
    assert [neutralise(v) for v in ("=1+1", "+1", "-x", "@a", "\tx", "ok", -5, None)] == [
        "'=1+1",
        "'+1",
        "'-x",
        "'@a",
        "'\tx",
        "ok",
        -5,
        None,
    ]
    assert list(rows(DATA, COLUMNS)) == [["'=Name", "Count"], ['\'=HYPERLINK("http://x")', -5], ["सीमा", None]]


def test_csv_is_utf8_with_a_bom_and_blank_for_none():
    response = csv_response(DATA, COLUMNS, "people")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff'=Name,Count")
    assert text.splitlines()[2] == "सीमा,"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'


def test_xlsx_sheet_title_is_cut_to_31_characters():
    response = xlsx_response(DATA, COLUMNS, "people", sheet_title="x" * 40)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["x" * 31]
    assert [cell.value for cell in next(workbook.active.iter_rows())] == ["'=Name", "Count"]
