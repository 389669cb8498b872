"""Writers for what auditors take away: CSV, JSON and XLSX, over iterables of rows.

Pure (no Flask, no database): each writer takes a few thousand rows at a time from its iterable
and keeps nothing else, so a million rows go out without being held in memory.

- CSV opens in Excel as UTF-8 (it starts with a byte order mark), every field is quoted, and a
  text cell that Excel would run as a formula (starting with = + - @, tab or carriage return)
  gets a leading ' .
- XLSX (openpyxl write-only mode) has typed cells, a frozen header row, one sheet per table and a
  first sheet, "About this export", with who, when, the filters, row counts and the SHA-256 of
  each table, which is the SHA-256 of that table's CSV export with the same filters.
- JSON is one array of objects, streamed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import accumulate, islice
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError

from assess.store.exports import BOOLEAN, DATE, TIMESTAMP

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
# csv module managed 40 MB/s here): the batch is joined with two control characters as field and
# record separators, then quotes are doubled and separators replaced by `str.replace`. Every
# field is quoted. A batch whose text already holds a separator character goes through the csv
# module instead, with the same result.
_FIELD = "\x1f"
_RECORD = "\x1e"
# One pattern per separator: a pattern that starts with one literal character is searched fast.
_FORMULA_AT_FIELD_START = [re.compile(f"{sep}[=+\\-@\t\r]") for sep in (_FIELD, _RECORD)]
_NONE_AS_EMPTY = {None: ""}.get  # dict.get(value, value): None -> "", anything else unchanged


def _record(row: Iterable[Any]) -> str:
    return _FIELD.join(map(str, map(_NONE_AS_EMPTY, row, row)))


def _by_csv_module(batch: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows([neutralise(value) for value in row] for row in batch)
    return buffer.getvalue()


def csv_text(batch: Sequence[Sequence[Any]]) -> str:
    """CSV lines (RFC 4180, every field quoted, CRLF) for a batch of rows, with formula-like
    text cells neutralised. Numbers come out quoted too; Excel reads them as numbers."""
    if not batch:
        return ""
    records = [_record(row) for row in batch]
    text = _RECORD + _RECORD.join(records)
    if text.count(_RECORD) != len(batch) or text.count(_FIELD) != sum(
        len(row) - 1 for row in batch
    ):
        return _by_csv_module(batch)
    hits = [m.start() + 1 for pattern in _FORMULA_AT_FIELD_START for m in pattern.finditer(text)]
    if hits:  # neutralise the text cells of just those rows
        starts = list(accumulate((len(r) + 1 for r in records), initial=1))
        for index in {bisect_right(starts, position) - 1 for position in hits}:
            records[index] = _record([neutralise(value) for value in batch[index]])
        text = _RECORD + _RECORD.join(records)
    quoted = text.replace('"', '""').replace(_FIELD, '","').replace(_RECORD, '"\r\n"')
    return quoted[3:] + '"\r\n'


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


def _timestamp(value: str) -> datetime | str:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)  # stored in UTC
    except ValueError:
        return value


def _day(value: str) -> date | str:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return value


def _converters(columns: Sequence[tuple[str, str]]):
    """Per column, how a stored value becomes a typed cell (None: as it is)."""
    table = {
        TIMESTAMP: lambda v: None if v is None else _timestamp(v),
        DATE: lambda v: None if v is None else _day(v),
        BOOLEAN: lambda v: None if v is None else bool(v),
    }
    return [(index, table[kind]) for index, (_, kind) in enumerate(columns) if kind in table]


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    """Text that starts with '=' stays text: openpyxl would otherwise store it as a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write_sheet(workbook: Workbook, sheet: Sheet) -> SheetSummary:
    worksheet = workbook.create_sheet(sheet.title[:31])
    worksheet.freeze_panes = "A2"  # must be set before the first row in write-only mode
    names = [name for name, _ in sheet.columns]
    for index, name in enumerate(names):
        worksheet.column_dimensions[get_column_letter(index + 1)].width = max(
            12, min(40, len(name) + 4)
        )
    bold = Font(bold=True)
    header = []
    for name in names:
        cell = WriteOnlyCell(worksheet, value=name)
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    converters = _converters(sheet.columns)
    csv_copy = _CsvEncoder(names)
    count = 0
    for batch in batches(sheet.rows):
        count += len(batch)
        if count > XLSX_MAX_ROWS:
            raise ExportTooLarge(
                f"{sheet.title} has more than {XLSX_MAX_ROWS:,} rows, more than one Excel sheet "
                "holds. Narrow the export by round, directorate or team, or export it as CSV."
            )
        csv_copy.encode(batch)
        for row in batch:
            cells = list(row)
            for index, convert in converters:
                cells[index] = convert(cells[index])
            for index, value in enumerate(cells):
                if isinstance(value, str) and value.startswith("="):
                    cells[index] = _text_cell(worksheet, value)
            try:
                worksheet.append(cells)
            except IllegalCharacterError:  # control characters XML cannot hold
                worksheet.append([_clean(value) for value in cells])
    return SheetSummary(sheet.title, count, csv_copy.digest.hexdigest())


def write_xlsx(
    target: str | IO[bytes], sheets: Iterable[Sheet], about: About
) -> list[SheetSummary]:
    """Write the workbook: "About this export" first, then one sheet per table."""
    workbook = Workbook(write_only=True)
    summaries = [_write_sheet(workbook, sheet) for sheet in sheets]
    first = workbook.create_sheet(ABOUT_SHEET)
    first.column_dimensions["A"].width = 28
    first.column_dimensions["B"].width = 40
    first.column_dimensions["C"].width = 70
    bold = Font(bold=True)

    def heading(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(first, value=text)
        cell.font = bold
        return cell

    first.append([heading(ABOUT_SHEET)])
    first.append(["Exported by", about.exported_by])
    first.append(["Exported at (UTC)", about.exported_at])
    for label, value in about.filters.items():
        first.append([label, value])
    first.append([])
    first.append([heading("Sheet"), heading("Rows"), heading("SHA-256 of the sheet's data")])
    for summary in summaries:
        first.append([summary.title, summary.rows, summary.sha256])
    first.append([])
    first.append(
        [
            "The SHA-256 of a sheet is the SHA-256 of the same table exported as CSV with the "
            "same filters, byte for byte, while the data is unchanged. Times are in UTC."
        ]
    )
    for note in about.notes:
        first.append([note])
    workbook.move_sheet(ABOUT_SHEET, offset=-len(summaries))
    workbook.active = 0
    workbook.save(target)
    return summaries
