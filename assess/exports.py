"""Writers for what auditors take away: CSV, JSON and XLSX, over iterables of rows.

Pure (no Flask, no database): each writer takes a few thousand rows at a time from its iterable
and keeps nothing else, so a million rows go out without being held in memory.

- CSV opens in Excel as UTF-8 (it starts with a byte order mark), every field is quoted, and a
  text cell that Excel would run as a formula (starting with = + - @, tab or carriage return)
  gets a leading ' .
- XLSX (our own streaming writer, assess/xlsx.py) has typed cells, a frozen header row, one
  sheet per table and a first sheet, "About this export", with who, when, the filters, row
  counts and the SHA-256 of each table, which is the SHA-256 of that table's CSV export with the
  same filters.
- JSON is one array of objects, streamed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import IO, Any

from assess import xlsx
from assess.store.exports import BOOLEAN

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 2000
ABOUT_SHEET = "About this export"
# Excel's own limit on the rows of one sheet (the header takes one).
XLSX_MAX_ROWS = 1_048_576 - 1


class ExportTooLarge(ValueError):
    """More rows than one Excel sheet holds: narrow the filters or export CSV instead."""


def neutralise(value: Any) -> Any:
    """A text cell Excel would treat as a formula, made plain text by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# CSV is written a batch at a time with whole-string operations rather than cell by cell (the
# csv module managed 40 MB/s here): one %-format fills every field of the batch at once, each
# between two placeholder characters (opening, closing) that stand for its quotes. Then the
# opening placeholder followed by = + - @ tab or CR marks a formula-like cell (counting the
# opening placeholders before it says which value it is; a text value gets its apostrophe),
# quotes in the text are doubled and the placeholders become quotes. A batch
# whose text already holds a placeholder goes through the csv module, with the same result.
_OPEN, _CLOSE = "\x1e", "\x1f"
_ROW_END = _CLOSE + "\r\n"
_FORMULA_AT_FIELD_START = re.compile(f"{_OPEN}[=+\\-@\t\r]")


def _by_csv_module(batch: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows([neutralise(value) for value in row] for row in batch)
    return buffer.getvalue()


def _row_format(width: int) -> str:
    return _OPEN + f"{_CLOSE},{_OPEN}".join(["%s"] * width) + _ROW_END


def csv_text(batch: Sequence[Sequence[Any]]) -> str:
    """CSV lines (RFC 4180, every field quoted, CRLF) for a batch of rows, with formula-like
    text cells neutralised. Numbers come out quoted too; Excel reads them as numbers."""
    if not batch:
        return ""
    width = len(batch[0])
    values = [value if value is not None else "" for value in chain.from_iterable(batch)]
    fields = width * len(batch)
    if len(values) != fields:  # rows of different lengths
        return _by_csv_module(batch)
    row_format = _row_format(width)
    text = (row_format * len(batch)) % tuple(values)
    if text.count(_OPEN) != fields or text.count(_CLOSE) != fields:
        return _by_csv_module(batch)
    pieces, done, fields_before = [], 0, 0
    for match in _FORMULA_AT_FIELD_START.finditer(text):
        position = match.start()
        fields_before += text.count(_OPEN, done, position)
        row, column = divmod(fields_before, width)
        pieces.append(text[done : position + 1])
        if isinstance(batch[row][column], str):  # a number such as -3 is not a formula
            pieces.append("'")
        done = position + 1
        fields_before += 1
    if pieces:
        text = "".join(pieces) + text[done:]
    return text.replace('"', '""').replace(_OPEN, '"').replace(_CLOSE, '"')


class _CsvEncoder:
    """Batches of rows -> the exact bytes of the CSV file; also the SHA-256 of those bytes."""

    def __init__(self, columns: Sequence[str]):
        self.digest = hashlib.sha256()
        self.header = (BOM + csv_text([columns])).encode("utf-8")
        self.digest.update(self.header)

    def encode(self, batch: Sequence[Sequence[Any]]) -> bytes:
        chunk = csv_text(batch).encode("utf-8")
        self.digest.update(chunk)
        return chunk


def batches(rows: Iterable[Sequence[Any]], size: int = CHUNK_ROWS) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def csv_chunks(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV file, a few thousand rows at a time."""
    encoder = _CsvEncoder(columns)
    yield encoder.header
    for batch in batches(rows):
        yield encoder.encode(batch)


def _json_value(value: Any, kind: str) -> Any:
    if kind == BOOLEAN and value is not None:
        return bool(value)
    return value


def json_chunks(
    columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]]
) -> Iterator[bytes]:
    """One JSON array of objects (column name -> value), a few thousand rows at a time."""
    names = [name for name, _ in columns]
    kinds = [kind for _, kind in columns]
    parts = ["["]
    for number, row in enumerate(rows, start=1):
        record = {n: _json_value(v, k) for n, k, v in zip(names, kinds, row, strict=True)}
        parts.append(("\n" if number == 1 else ",\n") + json.dumps(record, ensure_ascii=False))
        if number % CHUNK_ROWS == 0:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One table for the workbook: its sheet name, columns (name, kind) and rows."""

    title: str
    columns: Sequence[tuple[str, str]]
    rows: Iterable[Sequence[Any]]


@dataclass
class SheetSummary:
    title: str
    rows: int
    sha256: str


@dataclass
class About:
    """What the first sheet says about the export."""

    exported_by: str
    exported_at: str
    filters: dict[str, str]
    notes: list[str] = field(default_factory=list)


def _sheet_chunks(sheet: Sheet, names: list[str], digest: _CsvEncoder, counted: list[int]):
    """The sheet's <row> elements a batch at a time; feeds the CSV digest and counts the rows."""
    yield xlsx.row_xml(1, [xlsx.text_cell(name, xlsx.BOLD) for name in names])
    writers = [xlsx.CELL_WRITERS.get(kind, xlsx.text_cell) for _, kind in sheet.columns]
    number = 1
    for batch in batches(sheet.rows):
        if number + len(batch) > XLSX_MAX_ROWS + 1:
            raise ExportTooLarge(
                f"{sheet.title} has more than {XLSX_MAX_ROWS:,} rows, more than one Excel sheet "
                "holds. Narrow the export by round, directorate or team, or export it as CSV."
            )
        digest.encode(batch)
        rows = []
        for row in batch:
            number += 1
            cells = "".join([write(value) for write, value in zip(writers, row, strict=True)])
            rows.append(f'<row r="{number}">{cells}</row>')
        counted[0] = number - 1
        yield "".join(rows)


def write_xlsx(
    target: str | IO[bytes], sheets: Iterable[Sheet], about: About
) -> list[SheetSummary]:
    """Write the workbook: "About this export" first, then one sheet per table."""
    summaries = []
    with xlsx.XlsxWriter(target) as book:
        for number, sheet in enumerate(sheets, start=2):  # sheet1.xml is the About sheet
            names = [name for name, _ in sheet.columns]
            digest, counted = _CsvEncoder(names), [0]
            widths = [max(12, min(40, len(name) + 4)) for name in names]
            book.add_sheet(
                number, widths, _sheet_chunks(sheet, names, digest, counted), frozen_header=True
            )
            summaries.append(SheetSummary(sheet.title, counted[0], digest.digest.hexdigest()))
        lines: list[list[Any]] = [
            [(ABOUT_SHEET, xlsx.BOLD)],
            ["Exported by", about.exported_by],
            ["Exported at (UTC)", about.exported_at],
            *([label, value] for label, value in about.filters.items()),
            [],
            [("Sheet", xlsx.BOLD), ("Rows", xlsx.BOLD), ("SHA-256 of the sheet's data", xlsx.BOLD)],
            *([s.title, s.rows, s.sha256] for s in summaries),
            [],
            [
                "The SHA-256 of a sheet is the SHA-256 of the same table exported as CSV with the "
                "same filters, byte for byte, while the data is unchanged. Times are in UTC."
            ],
            *([note] for note in about.notes),
        ]

        def cell(value: Any) -> str:
            if isinstance(value, tuple):  # (text, style)
                return xlsx.text_cell(*value)
            return xlsx.number_cell(value) if isinstance(value, int) else xlsx.text_cell(value)

        rows = (xlsx.row_xml(n, map(cell, line)) for n, line in enumerate(lines, start=1))
        book.add_sheet(1, [28, 40, 70], rows, frozen_header=False)
        book.finish([ABOUT_SHEET, *(s.title for s in summaries)])
    return summaries
