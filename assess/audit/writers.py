"""The one rule for text a spreadsheet would run as a formula, and CSV text a batch at a time.

Every download goes through assess.audit.exports, whose writers take their cells from here:

- A text cell looks like a formula when it starts with = + - @, a tab or a carriage return
  (`looks_like_formula`; the strictest of the rules the app had, written once). A number never
  does: -3 stored as a number is a number.
- CSV writes such a cell with a leading apostrophe (`neutralise`): Excel and LibreOffice show
  the text and run nothing.
- XLSX writes it as typed text, an inline string with Excel's "quote prefix" (how Excel keeps
  text typed after an apostrophe): never a formula, and no apostrophe shows
  (assess.audit.xlsx.text_cell).
- JSON carries the stored value as it is: it is data for programs, which run no formulas.

CSV is RFC 4180 with every field quoted: byte for byte what Python's csv module writes with
`csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\\r\\n")` after `neutralise`.
Pure: no Flask, no database.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from itertools import chain
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    """Text a spreadsheet would run as a formula (or as the start of one)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value: Any) -> Any:
    """A CSV cell: formula-like text with a leading apostrophe, anything else as it is."""
    return "'" + value if looks_like_formula(value) else value


# CSV is written a batch at a time with whole-string operations rather than cell by cell (the
# csv module managed 40 MB/s here): one %-format fills every field of the batch at once, each
# between two placeholder characters (opening, closing) that stand for its quotes, the rows
# separated by a third. Then the opening placeholder followed by a formula start marks a
# formula-like cell (counting the opening placeholders before it says which value it is; a text
# value gets its apostrophe), quotes in the text are doubled and the placeholders become quotes
# and line breaks. Text that already holds a placeholder goes through the csv module instead,
# with the same result.
_OPEN, _CLOSE, _BETWEEN_ROWS = "\x1e", "\x1f", "\x1d"
_FORMULA_AT_FIELD_START = re.compile(
    re.escape(_OPEN) + "[" + re.escape("".join(FORMULA_STARTS)) + "]"
)


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
    if width == 0 or set(map(len, rows)) != {width}:  # no fields, or rows of different lengths
        return _by_csv_module(rows, between_rows)
    values = [value if value is not None else "" for value in chain.from_iterable(rows)]
    fields = width * len(rows)
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
        if isinstance(rows[row][column], str):  # the rule: a number such as -3 is not a formula
            pieces.append("'")
        done = position + 1
        fields_before += 1
    if pieces:
        text = "".join(pieces) + text[done:]
    text = text.replace('"', '""').replace(_OPEN, '"').replace(_CLOSE, '"')
    return text.replace(_BETWEEN_ROWS, between_rows)
