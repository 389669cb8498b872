"""The one export path: every file of rows the app lets someone download is written here, as
CSV, XLSX or JSON, and sent by `download`.

The audit exports, the register pages' downloads, the tracker's outstanding teams and the
heatmaps all come through `download`, so they share one Content-Type for each format, one way of
naming the file (`attachment`, which also names the round packs, and is there for the chart
images) and one rule for text a spreadsheet would run as a formula (assess.audit.writers, which
says what the rule is).

Each writer takes a few hundred rows at a time from its iterable and keeps nothing else, so a
million rows go out without being held in memory. A row comes as (provenance, values), as
assess.store.exports reads it: `values` are the row's own cells and `provenance` is (cells
before, cells after), one object shared by every row of an assessment, which each writer renders
once per assessment. `plain(rows)` makes rows of other origins into that shape.

- CSV opens in Excel as UTF-8 (it starts with a byte order mark, and says charset=utf-8 in its
  Content-Type), every field is quoted, and formula-like text gets a leading ' .
- XLSX (the streaming writer, assess.audit.xlsx) has typed cells, a frozen header row and one
  sheet per table; formula-like text is typed text, with no apostrophe. An audit export starts
  with a sheet "About this export": who, when, the filters, row counts and the SHA-256 of each
  table, which is the SHA-256 of that table's CSV export with the same filters.
- JSON is one array of objects, streamed.

A document (the committee report's DOCX) is written whole elsewhere and sent by `document`,
with the same naming.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby, islice, repeat
from operator import itemgetter
from typing import IO, Any
from urllib.parse import quote

from flask import Response, send_file

from assess.audit import xlsx
from assess.audit.writers import csv_rows
from assess.store.exports import BOOLEAN, NO_PROVENANCE, TEXT

BOM = "\ufeff"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Documents, not rows: written whole by their own module and sent by `document`.
DOCUMENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
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


def batches(rows: Iterable[Any], size: int = CHUNK_ROWS) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


# --- CSV ----------------------------------------------------------------------------------------


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


def _sheet_chunks(
    sheet: Sheet, names: list[str], digest: _CsvEncoder | None, counted: list[int]
) -> Iterator[str]:
    """The sheet's <row> elements a batch at a time; feeds the CSV digest (if there is one) and
    counts the rows."""
    yield xlsx.row_xml(1, [xlsx.text_cell(name, xlsx.BOLD) for name in names])
    writers = [xlsx.CELL_WRITERS.get(kind, xlsx.text_cell) for _, kind in sheet.columns]
    current, number = None, 1
    for batch in batches(sheet.rows):
        if number + len(batch) > XLSX_MAX_ROWS + 1:
            raise ExportTooLarge(
                f"{sheet.title} has more than {XLSX_MAX_ROWS:,} rows, more than one Excel sheet "
                "holds. Narrow the export by round, directorate or team, or export it as CSV."
            )
        if digest is not None:
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
    target: str | IO[bytes], sheets: Iterable[Sheet], about: About | None = None
) -> list[SheetSummary]:
    """Write the workbook, one sheet per table. With `about` (an audit export), "About this
    export" comes first, with each sheet's row count and SHA-256; without it (a page's download)
    there is no About sheet and no SHA-256 is worked out."""
    summaries = []
    first = 1 if about is None else 2  # sheet1.xml is the About sheet, when there is one
    with xlsx.XlsxWriter(target) as book:
        for number, sheet in enumerate(sheets, start=first):
            names = [name for name, _ in sheet.columns]
            digest, counted = (None if about is None else _CsvEncoder(names, digest=True)), [0]
            widths = [max(12, min(40, len(name) + 4)) for name in names]
            book.add_sheet(
                number, widths, _sheet_chunks(sheet, names, digest, counted), frozen_header=True
            )
            sha256 = "" if digest is None else digest.digest.hexdigest()
            summaries.append(SheetSummary(sheet.title, counted[0], sha256))
        if about is None:
            book.finish([s.title for s in summaries])
            return summaries
        book.add_sheet(1, [28, 40, 70], _about_rows(about, summaries), frozen_header=False)
        book.finish([ABOUT_SHEET, *(s.title for s in summaries)])
    return summaries


def _about_rows(about: About, summaries: list[SheetSummary]) -> Iterator[str]:
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

    return (xlsx.row_xml(n, map(cell, line)) for n, line in enumerate(lines, start=1))


# --- the response -------------------------------------------------------------------------------

# A file name as every browser takes it: anything but ASCII letters, digits, . _ - becomes -.
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")
_NOT_IN_A_NAME = re.compile(r'[\x00-\x1f\x7f"\\/]+')


def attachment(filename: str) -> str:
    """The Content-Disposition that saves a response as `filename`, for every download
    (chart images too): a plain ASCII name, and the name as given (RFC 6266's filename*) when
    that differs, so a round or team name with spaces or in Welsh keeps its letters. Quotes,
    slashes and control characters in a name never reach the header."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    plain_name = _NOT_PLAIN.sub("-", ascii_name).strip("-") or "download"
    header = f'attachment; filename="{plain_name}"'
    given = _NOT_IN_A_NAME.sub("-", filename)
    if given != plain_name:
        header += f"; filename*=UTF-8''{quote(given, safe='')}"
    return header


def text_sheet(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Sheet:
    """A page's table as a sheet: its column headings and its rows of cells (text or numbers)."""
    return Sheet(title, [(name, TEXT) for name in header], plain(rows))


def document(name: str, fmt: str, body: bytes) -> Response:
    """The response that downloads a written document (the committee report) as `name`.docx,
    named by the same helper as every other download."""
    if fmt not in DOCUMENT_TYPES:
        raise ValueError(f"cannot send {fmt!r}: choose one of {', '.join(DOCUMENT_TYPES)}")
    response = Response(body, content_type=DOCUMENT_TYPES[fmt])
    response.headers["Content-Disposition"] = attachment(f"{name}.{fmt}")
    return response


def download(name: str, fmt: str, sheets: Sequence[Sheet], about: About | None = None) -> Response:
    """The response that downloads `sheets` as `name`.csv, .xlsx or .json.

    CSV and JSON hold one sheet and stream as they are sent (rows read lazily, for example from a
    database snapshot opened by the first row, are read then). XLSX is written to a temporary
    file first, so it may raise ExportTooLarge before anything is sent; `about` gives it the
    audit export's About sheet."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"cannot write {fmt!r}: choose one of {', '.join(CONTENT_TYPES)}")
    filename = f"{name}.{fmt}"
    if fmt == "xlsx":
        # On disk, not in memory; send_file closes it when the response is sent.
        handle = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            write_xlsx(handle, sheets, about)
        except BaseException:
            handle.close()
            raise
        handle.seek(0)
        response = send_file(handle, mimetype=CONTENT_TYPES["xlsx"])
    else:
        if len(sheets) != 1:
            raise ValueError(f"a {fmt.upper()} file holds one table, not {len(sheets)}")
        sheet = sheets[0]
        body = (
            csv_chunks([column for column, _ in sheet.columns], sheet.rows)
            if fmt == "csv"
            else json_chunks(sheet.columns, sheet.rows)
        )
        response = Response(body, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = attachment(filename)
    return response
