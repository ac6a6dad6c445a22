"""The guarded spreadsheet reader: bombs and oversized sheets are refused before openpyxl parses them."""

import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.utils import translation

from sangathan.core import spreadsheets
from sangathan.core.spreadsheets import Limits, SpreadsheetError, read_table


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


SMALL = Limits(max_bytes=1024 * 1024, max_rows=10, max_columns=20)


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet(data: bytes, write_sheet, *, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """``data`` with one member replaced by what ``write_sheet(stream)`` writes (streamed, compressed)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename == name:
                member = zipfile.ZipInfo(name)
                member.compress_type = zipfile.ZIP_DEFLATED
                with target.open(member, "w", force_zip64=True) as stream:
                    write_sheet(stream)
            else:
                target.writestr(info, source.read(info.filename))
    return out.getvalue()


def bomb(unpacked_mb: int = 120) -> bytes:
    """A real zip bomb: a sheet of one repeated row, some hundred MB unpacked, a few hundred kB packed."""

    def write(stream):
        stream.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        row = b'<row><c t="inlineStr"><is><t>' + b"A" * 200 + b"</t></is></c></row>"
        block = row * (1024 * 1024 // len(row))
        for _ in range(unpacked_mb):
            stream.write(block)
        stream.write(b"</sheetData></worksheet>")

    return with_sheet(xlsx([["platform", "name"]]), write)


def _never_parse(*args, **kwargs):
    raise AssertionError("openpyxl was asked to parse a file the limits refuse")


def test_a_zip_bomb_is_refused_without_parsing_it(monkeypatch):
    data = bomb()
    assert len(data) < 1024 * 1024  # under every upload limit
    monkeypatch.setattr(spreadsheets, "load_workbook", _never_parse)
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetError) as refused:
            read_table(io.BytesIO(data), Limits(max_bytes=10 * 1024 * 1024, max_rows=100_000))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "too large once unpacked" in str(refused.value)
    assert peak < 8 * 1024 * 1024, f"reading the bomb's directory took {peak / 1e6:.1f} MB"


def test_a_bomb_under_the_size_limit_is_refused_for_its_ratio(monkeypatch):
    monkeypatch.setattr(spreadsheets, "load_workbook", _never_parse)
    limits = Limits(max_bytes=10 * 1024 * 1024, max_rows=100_000, max_unpacked_bytes=10**9)
    with pytest.raises(SpreadsheetError, match="too large once unpacked"):
        read_table(bomb(20), limits)


def test_too_many_rows_are_refused_before_parsing(monkeypatch):
    data = xlsx([["platform", "name"]] + [["broadcast", f"list {n}"] for n in range(30)])
    monkeypatch.setattr(spreadsheets, "load_workbook", _never_parse)
    with pytest.raises(SpreadsheetError, match="more than 10 rows"):
        read_table(data, Limits(max_bytes=SMALL.max_bytes, max_rows=10, blank_rows=5))


def test_a_row_claiming_a_far_row_number_is_refused(monkeypatch):
    def write(stream):
        stream.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        stream.write(b'<row r="1"><c t="inlineStr"><is><t>a</t></is></c></row>')
        stream.write(b'<row r="1048576"><c t="inlineStr"><is><t>b</t></is></c></row></sheetData></worksheet>')

    monkeypatch.setattr(spreadsheets, "load_workbook", _never_parse)
    with pytest.raises(SpreadsheetError, match="more than 10 rows"):
        read_table(with_sheet(xlsx([["a"]]), write), SMALL)


def test_a_row_of_too_many_cells_and_a_huge_cell_are_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "load_workbook", _never_parse)
    with pytest.raises(SpreadsheetError, match="more than 20 columns"):
        read_table(xlsx([list(range(50))]), SMALL)

    def write(stream):  # openpyxl itself cuts a cell at Excel's 32,767 characters: write the XML
        stream.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        stream.write(b'<row><c t="inlineStr"><is><t>' + b"a" * 40_000 + b"</t></is></c></row></sheetData></worksheet>")

    with pytest.raises(SpreadsheetError, match="more than 32767 characters"):
        read_table(with_sheet(xlsx([["a"]]), write), SMALL)


def test_a_doctype_is_refused(monkeypatch):
    def write(stream):
        stream.write(b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">]>')
        stream.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        stream.write(b"<sheetData><row><c><v>&a;</v></c></row></sheetData></worksheet>")

    monkeypatch.setattr(spreadsheets, "load_workbook", _never_parse)
    with pytest.raises(SpreadsheetError, match="could not be read"):
        read_table(with_sheet(xlsx([["a"]]), write), SMALL)


def test_a_sheet_within_the_limits_is_read_as_a_stream():
    table = read_table(xlsx([["platform", "name"], ["broadcast", "list 1"], [None, None], ["group", 5.0]]), SMALL)
    assert table.format == "xlsx" and table.header[:2] == ["platform", "name"]
    rows = [(number, cells[:2]) for number, cells in table.rows]
    assert rows == [(2, ["broadcast", "list 1"]), (3, [None, None]), (4, ["group", 5])]


def test_data_past_the_column_limit_is_refused(monkeypatch):
    """A row of few cells far to the right passes the count of cells, but not the width."""
    book = openpyxl.Workbook()
    book.active["A1"], book.active["A2"], book.active["AZ2"] = "name", "x", "far away"
    buffer = io.BytesIO()
    book.save(buffer)
    monkeypatch.setattr(spreadsheets, "load_workbook", _never_parse)
    with pytest.raises(SpreadsheetError, match="more than 20 columns"):
        read_table(buffer.getvalue(), SMALL)


def test_csv_limits():
    lines = b"name\n" + b"x\n" * 30
    with pytest.raises(SpreadsheetError, match="more than 10 rows"):
        read_table(lines, Limits(max_bytes=SMALL.max_bytes, max_rows=10, blank_rows=5))
    with pytest.raises(SpreadsheetError, match="larger than"):
        read_table(io.BytesIO(b"name\n" + b"x" * 2000), Limits(max_bytes=1000, max_rows=10))
    with pytest.raises(SpreadsheetError, match="more than 20 columns"):
        read_table(",".join(["h"] * 30).encode(), SMALL)
    # Data rows are counted as they come too (quoted line breaks make records fewer than lines).
    many = b"name\n" + b"x\n" * 11
    with pytest.raises(SpreadsheetError, match="more than 10 rows") as refused:
        list(read_table(many, Limits(max_bytes=SMALL.max_bytes, max_rows=10, blank_rows=50)).rows)
    assert refused.value.row == 12
