"""The streaming XLSX writer (assess/audit/xlsx.py): a small workbook written with it and read
back with openpyxl, as an auditor's Excel would read it. Pure, tested without the app."""

from __future__ import annotations

import io
import math
from datetime import datetime

import pytest
from openpyxl import load_workbook

from assess.audit import xlsx


def workbook(sheets: dict[int, tuple[list[float], list[list[str]], bool]], titles: list[str]):
    """Write sheets (number -> widths, rows of cells, frozen header) and read the file back."""
    buffer = io.BytesIO()
    with xlsx.XlsxWriter(buffer) as book:
        for number, (widths, rows, frozen) in sheets.items():
            chunks = [xlsx.row_xml(i, cells) for i, cells in enumerate(rows, start=1)]
            book.add_sheet(number, widths, chunks, frozen_header=frozen)
        book.finish(titles)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def one_sheet(*rows: list[str]):
    return workbook({1: ([], list(rows), False)}, ["Sheet"])["Sheet"]


def test_a_workbook_has_its_sheets_in_title_order_whatever_order_they_were_written_in():
    answers = ([20, 12.5], [[xlsx.text_cell("team", xlsx.BOLD)], [xlsx.text_cell("Housing")]], True)
    about = ([40], [[xlsx.text_cell("About this export")]], False)
    book = workbook({2: answers, 1: about}, ["About this export", "Answers"])
    assert book.sheetnames == ["About this export", "Answers"]
    assert book["About this export"]["A1"].value == "About this export"
    assert [c.value for c in book["Answers"]["A"]] == ["team", "Housing"]


def test_the_header_row_is_bold_and_frozen_and_columns_have_their_widths():
    rows = [[xlsx.text_cell("team", xlsx.BOLD), xlsx.text_cell("score", xlsx.BOLD)],
            [xlsx.text_cell("Housing"), xlsx.number_cell(3.25)]]  # fmt: skip
    sheet = workbook({1: ([20, 12.5], rows, True)}, ["Scores"])["Scores"]
    assert sheet.freeze_panes == "A2"
    assert (sheet["A1"].font.b, sheet["B1"].font.b, sheet["A2"].font.b) == (True, True, False)
    widths = (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width)
    assert widths == (20, 12.5)
    plain = workbook({1: ([], rows, False)}, ["Scores"])["Scores"]
    assert plain.freeze_panes is None


def test_each_kind_of_value_reads_back_as_its_own_type():
    writers = xlsx.CELL_WRITERS
    sheet = one_sheet(
        [
            writers["integer"](42),
            writers["number"](2.35),
            writers["boolean"](True),
            writers["boolean"](False),
            writers["date"]("2025-03-31"),
            writers["timestamp"]("2025-03-31T09:30:15.250000+00:00"),
            xlsx.text_cell("Housing Needs"),
        ]
    )
    values = [cell.value for cell in sheet[1]]
    assert values[:4] == [42, 2.35, True, False]
    assert values[4] == datetime(2025, 3, 31)
    assert sheet["E1"].number_format == "mm-dd-yy"  # Excel's built-in short date
    assert abs(values[5] - datetime(2025, 3, 31, 9, 30, 15, 250000)).total_seconds() < 0.001
    assert sheet["F1"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert values[6] == "Housing Needs"


def test_an_empty_value_keeps_its_place_in_the_row():
    writers = xlsx.CELL_WRITERS
    cells = [xlsx.text_cell(None), writers["date"](None), writers["timestamp"](None)]
    cells += [writers["boolean"](None), xlsx.text_cell("last")]
    sheet = one_sheet(cells)
    assert [cell.value for cell in sheet[1]] == [None, None, None, None, "last"]


@pytest.mark.parametrize("value", ["2025-02-30", "not a date", 20250331])
def test_a_date_that_cannot_be_read_is_kept_as_text(value):
    assert one_sheet([xlsx.CELL_WRITERS["date"](value)])["A1"].value == str(value)


def test_a_timestamp_that_cannot_be_read_is_kept_as_text():
    sheet = one_sheet([xlsx.CELL_WRITERS["timestamp"]("yesterday at noon")])
    assert sheet["A1"].value == "yesterday at noon"


@pytest.mark.parametrize("value", [math.nan, math.inf, "3.5"])
def test_a_number_that_is_not_a_finite_number_goes_in_as_text(value):
    cell = one_sheet([xlsx.number_cell(value)])["A1"]
    assert (cell.value, cell.data_type) == (str(value), "s")


def test_a_missing_number_is_an_empty_cell():
    sheet = one_sheet([xlsx.number_cell(None), xlsx.number_cell(0)])
    assert [cell.value for cell in sheet[1]] == [None, 0]


def test_text_is_escaped_keeps_its_edges_and_loses_only_what_xml_cannot_hold():
    sheet = one_sheet(
        [
            xlsx.text_cell('<b>Tom & Jerry</b> "quoted"'),
            xlsx.text_cell("  two spaces either side  "),
            xlsx.text_cell("bell\x07 and\x00 null, tab\tkept"),
            xlsx.text_cell("مرحبا 漢字 🏳️‍🌈"),
        ]
    )
    assert [cell.value for cell in sheet[1]] == [
        '<b>Tom & Jerry</b> "quoted"',
        "  two spaces either side  ",
        "bell and null, tab\tkept",
        "مرحبا 漢字 🏳️‍🌈",
    ]


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil")', "+1", "-2+3", "@SUM(A1)", "\tx"])
def test_text_that_looks_like_a_formula_stays_text_with_the_quote_prefix(text):
    sheet = one_sheet([xlsx.text_cell(text), xlsx.text_cell(text, xlsx.BOLD)])
    for cell in sheet[1]:
        assert cell.value == text and cell.data_type == "s"
        assert cell.quotePrefix
    assert (sheet["A1"].font.b, sheet["B1"].font.b) == (False, True)


def test_ordinary_text_and_negative_numbers_get_no_quote_prefix():
    sheet = one_sheet([xlsx.text_cell("Housing Needs"), xlsx.number_cell(-3)])
    assert not sheet["A1"].quotePrefix
    assert (sheet["B1"].value, sheet["B1"].quotePrefix) == (-3, False)


def test_a_sheet_title_is_cut_to_the_31_characters_excel_allows():
    title = "Equality impact assessments and their groups"
    book = workbook({1: ([], [[xlsx.text_cell("x")]], False)}, [title])
    assert book.sheetnames == [title[:31]]


def test_many_rows_written_in_batches_all_read_back_in_order():
    rows = [[xlsx.number_cell(n), xlsx.text_cell(f"row {n}")] for n in range(1, 2001)]
    chunks = ["".join(xlsx.row_xml(n, cells) for n, cells in enumerate(rows[i : i + 500], i + 1))
              for i in range(0, len(rows), 500)]  # fmt: skip
    buffer = io.BytesIO()
    with xlsx.XlsxWriter(buffer) as book:
        book.add_sheet(1, [], chunks, frozen_header=False)
        book.finish(["Rows"])
    sheet = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)["Rows"]
    read = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert read == [(n, f"row {n}") for n in range(1, 2001)]
