"""A small streaming XLSX writer: typed cells, a bold frozen header row, one sheet per table.

openpyxl spent about 10 µs a cell; this writes each row as one string of SpreadsheetML (inline
strings, so no shared-string table grows in memory) into a deflated zip member, a batch at a
time. Only what the exports need: no formulas (text is never read as one), no merged cells.
Text that looks like a formula (assess.audit.writers' one rule) also gets Excel's quote prefix,
so it stays text even when someone edits the cell; no apostrophe shows.

    with XlsxWriter(target) as book:
        book.add_sheet(2, widths, chunks_of_row_xml, frozen_header=True)  # sheet2.xml
        book.add_sheet(1, ...)                                              # in any order
        book.finish(["About this export", "Answers"])  # sheet1.xml, sheet2.xml
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from assess.audit.writers import FORMULA_STARTS, looks_like_formula

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Deflate level 1: a million-row sheet is over a gigabyte of XML; higher levels cost several
# times the time for a file a few per cent smaller.
COMPRESS_LEVEL = 1

# Cell styles, by their index in styles.xml's cellXfs; QUOTED and BOLD_QUOTED are plain and bold
# text with the quote prefix, for text that looks like a formula.
BOLD, DAY, TIMESTAMP, QUOTED, BOLD_QUOTED = 1, 2, 3, 4, 5
_QUOTED_STYLE = {0: QUOTED, BOLD: BOLD_QUOTED}
_STYLES = f"""<styleSheet xmlns="{MAIN}">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill>
<fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_FROZEN_HEADER = (
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
)

# Characters XML 1.0 cannot hold at all (not even escaped): most C0 controls, lone surrogates,
# U+FFFE and U+FFFF. Text that needs escaping or stripping is found with one search per cell (a
# search for the formula starts too would be twice as slow: it is a look at the first character).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEEDS_WORK = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
EMPTY = "<c/>"  # cells carry no reference, so an empty one keeps its place in the row
_EMPTY_TEXT = '<c t="inlineStr"><is><t></t></is></c>'
_EXCEL_EPOCH = datetime(1899, 12, 30)


def text_cell(value: Any, style: int = 0) -> str:
    """An inline-string cell; forbidden characters dropped, & < > escaped, edges kept, and text
    that looks like a formula quote-prefixed (typed text, as Excel keeps it)."""
    if value is None:
        return EMPTY
    text = value if type(value) is str else str(value)
    if not text and not style:  # common (a reason or a note not given), and quick
        return _EMPTY_TEXT
    if text[:1] in _FORMULA_FIRST and looks_like_formula(value):
        style = _QUOTED_STYLE.get(style, style)
    if _NEEDS_WORK.search(text) is not None:
        text = escape(_NOT_XML.sub("", text))
    if text.strip() is not text:  # strip() hands back the same string when it strips nothing
        return f'<c t="inlineStr" s="{style}"><is><t xml:space="preserve">{text}</t></is></c>'
    if style:
        return f'<c t="inlineStr" s="{style}"><is><t>{text}</t></is></c>'
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def number_cell(value: Any) -> str:
    """A numeric cell; anything stored that is not a finite number goes in as text."""
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return f"<c><v>{value!r}</v></c>"
    return text_cell(value)


def boolean_cell(value: Any) -> str:
    return EMPTY if value is None else f'<c t="b"><v>{1 if value else 0}</v></c>'


@lru_cache(maxsize=65536)  # the same few thousand stamps recur across a million rows
def timestamp_cell(value: Any) -> str:
    """An ISO timestamp (stored in UTC) as an Excel date-time; unreadable text stays text."""
    try:
        moment = datetime.fromisoformat(value).replace(tzinfo=None)
    except (TypeError, ValueError):
        return text_cell(value)
    days = (moment - _EXCEL_EPOCH).total_seconds() / 86400
    return f'<c s="{TIMESTAMP}"><v>{days!r}</v></c>'


@lru_cache(maxsize=65536)
def day_cell(value: Any) -> str:
    """An ISO date as an Excel date; unreadable text stays text."""
    try:
        days = (date.fromisoformat(value) - _EXCEL_EPOCH.date()).days
    except (TypeError, ValueError):
        return text_cell(value)
    return f'<c s="{DAY}"><v>{days}</v></c>'


def _none_as_empty(cell: Callable[[Any], str]) -> Callable[[Any], str]:
    def cell_or_empty(value: Any) -> str:
        return EMPTY if value is None else cell(value)

    return cell_or_empty


CELL_WRITERS: dict[str, Callable[[Any], str]] = {
    "integer": number_cell,
    "number": number_cell,
    "boolean": boolean_cell,
    "timestamp": _none_as_empty(timestamp_cell),
    "date": _none_as_empty(day_cell),
}


def row_xml(number: int, cells: Iterable[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


class XlsxWriter:
    """The zip package: sheets are streamed in as they come, the workbook parts at the end."""

    def __init__(self, target: str | IO[bytes]):
        self.zip = zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
        )

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.zip.close()

    def add_sheet(
        self, number: int, widths: Sequence[float], chunks: Iterable[str], frozen_header: bool
    ) -> None:
        """xl/worksheets/sheet{number}.xml, from chunks of <row> elements (in row order)."""
        columns = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths, start=1)
        )
        with self.zip.open(f"xl/worksheets/sheet{number}.xml", "w") as part:
            part.write(
                f'{DECLARATION}<worksheet xmlns="{MAIN}">'
                f"{_FROZEN_HEADER if frozen_header else ''}"
                f"{f'<cols>{columns}</cols>' if columns else ''}<sheetData>".encode()
            )
            for chunk in chunks:
                part.write(chunk.encode("utf-8"))
            part.write(b"</sheetData></worksheet>")

    def finish(self, titles: Sequence[str]) -> None:
        """The parts that list the sheets: titles[i] is xl/worksheets/sheet{i + 1}.xml."""
        numbers = range(1, len(titles) + 1)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
            for n in numbers
        )
        office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        self._part(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{office}.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self._part(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name={quoteattr(title[:31])} sheetId="{n}" r:id="rId{n}"/>'
            for n, title in zip(numbers, titles, strict=True)
        )
        self._part(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews><workbookView '
            f'activeTab="0"/></bookViews><sheets>{sheets}</sheets></workbook>',
        )
        links = "".join(
            f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in numbers
        )
        styles = len(titles) + 1
        self._part(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE_RELS}">{links}<Relationship Id="rId{styles}" '
            f'Type="{RELS}/styles" Target="styles.xml"/></Relationships>',
        )
        self._part("xl/styles.xml", _STYLES)

    def _part(self, name: str, xml: str) -> None:
        self.zip.writestr(name, DECLARATION + xml)
