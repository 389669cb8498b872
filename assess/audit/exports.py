"""Writers for what auditors take away: CSV, JSON and XLSX, over iterables of rows.

Pure (no Flask, no database): each writer takes a few hundred rows at a time from its iterable
and keeps nothing else, so a million rows go out without being held in memory.

A row comes as (provenance, values), as assess.store.exports reads it: `values` are the row's
own cells and `provenance` is (cells before, cells after), one object shared by every row of an
assessment, which each writer renders once per assessment. `plain(rows)` makes rows of other
origins into that shape.

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
from itertools import chain, groupby, islice, repeat
from operator import itemgetter
from typing import IO, Any

from assess.audit import xlsx
from assess.store.exports import BOOLEAN, NO_PROVENANCE

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows per batch. A batch's text is a few hundred kilobytes; at 2,000 rows the strings grew past
# what malloc keeps for reuse, and a fifth of a CSV export's time went on the kernel handing
# memory back and forth (200,000 page faults for a million rows; 20,000 at 500).
CHUNK_ROWS = 500
ABOUT_SHEET = "About this export"
# Excel's own limit on the rows of one sheet (the header takes one).
XLSX_MAX_ROWS = 1_048_576 - 1

Provenance = tuple[Sequence[Any], Sequence[Any]]  # (cells before, cells after)
Row = tuple[Provenance, Sequence[Any]]  # (provenance, the row's own cells)


class ExportTooLarge(ValueError):
    """More rows than one Excel sheet holds: narrow the filters or export CSV instead."""


def plain(rows: Iterable[Sequence[Any]]) -> Iterator[Row]:
    """Rows of cells, each with nothing before or after it, as the writers take them."""
    return zip(repeat(NO_PROVENANCE), rows)


def neutralise(value: Any) -> Any:
    """A text cell Excel would treat as a formula, made plain text by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def batches(rows: Iterable[Any], size: int = CHUNK_ROWS) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


# --- CSV ----------------------------------------------------------------------------------------

# CSV is written a batch at a time with whole-string operations rather than cell by cell (the
# csv module managed 40 MB/s here): one %-format fills every field of the batch at once, each
# between two placeholder characters (opening, closing) that stand for its quotes, the rows
# separated by a third. Then the opening placeholder followed by = + - @ tab or CR marks a
# formula-like cell (counting the opening placeholders before it says which value it is; a text
# value gets its apostrophe), quotes in the text are doubled and the placeholders become quotes
# and line breaks. Text that already holds a placeholder goes through the csv module instead,
# with the same result.
_OPEN, _CLOSE, _BETWEEN_ROWS = "\x1e", "\x1f", "\x1d"
_FORMULA_AT_FIELD_START = re.compile(f"{_OPEN}[=+\\-@\t\r]")


def _by_csv_module(rows: Sequence[Sequence[Any]], between_rows: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="")
    lines = []
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(value) for value in row])
        lines.append(buffer.getvalue())
    return between_rows.join(lines)


def csv_rows(rows: Sequence[Sequence[Any]], between_rows: str = "\r\n") -> str:
    """The rows as CSV (RFC 4180, every field quoted), `between_rows` between one row and the
    next (none after the last), formula-like text cells neutralised. Numbers come out quoted
    too; Excel reads them as numbers."""
    if not rows:
        return ""
    width = len(rows[0])
    values = [value if value is not None else "" for value in chain.from_iterable(rows)]
    fields = width * len(rows)
    if width == 0 or len(values) != fields:  # no fields, or rows of different lengths
        return _by_csv_module(rows, between_rows)
    row_format = _OPEN + f"{_CLOSE},{_OPEN}".join(["%s"] * width) + _CLOSE
    text = _BETWEEN_ROWS.join([row_format] * len(rows)) % tuple(values)
    if (
        text.count(_OPEN) != fields
        or text.count(_CLOSE) != fields
        or text.count(_BETWEEN_ROWS) != len(rows) - 1
    ):
        return _by_csv_module(rows, between_rows)
    pieces, done, fields_before = [], 0, 0
    for match in _FORMULA_AT_FIELD_START.finditer(text):
        position = match.start()
        fields_before += text.count(_OPEN, done, position)
        row, column = divmod(fields_before, width)
        pieces.append(text[done : position + 1])
        if isinstance(rows[row][column], str):  # a number such as -3 is not a formula
            pieces.append("'")
        done = position + 1
        fields_before += 1
    if pieces:
        text = "".join(pieces) + text[done:]
    text = text.replace('"', '""').replace(_OPEN, '"').replace(_CLOSE, '"')
    return text.replace(_BETWEEN_ROWS, between_rows)


class _CsvEncoder:
    """Batches of rows -> the exact bytes of the CSV file, and the SHA-256 of those bytes if
    asked for (an XLSX sheet's, not the CSV download's: hashing is a tenth of the time)."""

    def __init__(self, columns: Sequence[str], digest: bool = False):
        self.digest = hashlib.sha256() if digest else None
        self.header = self._hashed((BOM + csv_rows([columns]) + "\r\n").encode("utf-8"))
        self._last: tuple[Any, str, str] = (None, "", "")

    def _hashed(self, chunk: bytes) -> bytes:
        if self.digest is not None:
            self.digest.update(chunk)
        return chunk

    def _before_and_after(self, provenance: Provenance) -> tuple[str, str]:
        """The text before a row's own fields and after them (the line end included)."""
        if self._last[0] is not provenance:
            before, after = provenance
            self._last = (
                provenance,
                csv_rows([before]) + "," if before else "",
                ("," + csv_rows([after]) if after else "") + "\r\n",
            )
        return self._last[1], self._last[2]

    def encode(self, batch: Sequence[Row]) -> bytes:
        pieces = []
        # Rows of one assessment come together and share one provenance: one text per run.
        for provenance, run in groupby(batch, key=itemgetter(0)):
            before, after = self._before_and_after(provenance)
            own = csv_rows([values for _, values in run], between_rows=after + before)
            pieces.append(before + own + after)
        return self._hashed("".join(pieces).encode("utf-8"))


def csv_chunks(columns: Sequence[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """The CSV file, a few hundred rows at a time."""
    encoder = _CsvEncoder(columns)
    yield encoder.header
    for batch in batches(rows):
        yield encoder.encode(batch)


# --- JSON ---------------------------------------------------------------------------------------


def _json_members(names: Sequence[str], kinds: Sequence[str], values: Sequence[Any]) -> str:
    """`"name": value, ...`: the inside of a JSON object, booleans as true and false."""
    record = {
        name: bool(value) if kind == BOOLEAN and value is not None else value
        for name, kind, value in zip(names, kinds, values, strict=True)
    }
    return json.dumps(record, ensure_ascii=False)[1:-1]


def json_chunks(columns: Sequence[tuple[str, str]], rows: Iterable[Row]) -> Iterator[bytes]:
    """One JSON array of objects (column name -> value), a few hundred rows at a time."""
    names = [name for name, _ in columns]
    kinds = [kind for _, kind in columns]
    parts, current = ["["], None
    for number, (provenance, values) in enumerate(rows, start=1):
        if provenance is not current:  # a new assessment: its members, once
            current, (before, after) = provenance, provenance
            start, end = len(before), len(names) - len(after)
            opening = (
                "{" + _json_members(names[:start], kinds[:start], before) + ", " * bool(before)
            )
            closing = ", " * bool(after) + _json_members(names[end:], kinds[end:], after) + "}"
            own_names, own_kinds = names[start:end], kinds[start:end]
        record = opening + _json_members(own_names, own_kinds, values) + closing
        parts.append(("\n" if number == 1 else ",\n") + record)
        if number % CHUNK_ROWS == 0:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One table for the workbook: its sheet name, columns (name, kind) and rows (provenance,
    values)."""

    title: str
    columns: Sequence[tuple[str, str]]
    rows: Iterable[Row]


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


def _cells_around(writers: list, provenance: Provenance) -> tuple[str, str, list]:
    """A provenance's cells, rendered once for all its rows: those before a row's own cells,
    those after, and the writers for the row's own cells."""
    before, after = provenance
    start, end = len(before), len(writers) - len(after)
    return (
        "".join([write(value) for write, value in zip(writers[:start], before, strict=True)]),
        "".join([write(value) for write, value in zip(writers[end:], after, strict=True)]),
        writers[start:end],
    )


def _sheet_chunks(sheet: Sheet, names: list[str], digest: _CsvEncoder, counted: list[int]):
    """The sheet's <row> elements a batch at a time; feeds the CSV digest and counts the rows."""
    yield xlsx.row_xml(1, [xlsx.text_cell(name, xlsx.BOLD) for name in names])
    writers = [xlsx.CELL_WRITERS.get(kind, xlsx.text_cell) for _, kind in sheet.columns]
    current, number = None, 1
    for batch in batches(sheet.rows):
        if number + len(batch) > XLSX_MAX_ROWS + 1:
            raise ExportTooLarge(
                f"{sheet.title} has more than {XLSX_MAX_ROWS:,} rows, more than one Excel sheet "
                "holds. Narrow the export by round, directorate or team, or export it as CSV."
            )
        digest.encode(batch)
        rows = []
        for provenance, values in batch:
            if provenance is not current:
                current = provenance
                before, after, own_writers = _cells_around(writers, provenance)
            number += 1
            cells = "".join(
                [write(value) for write, value in zip(own_writers, values, strict=True)]
            )
            rows.append(f'<row r="{number}">{before}{cells}{after}</row>')
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
            digest, counted = _CsvEncoder(names, digest=True), [0]
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
