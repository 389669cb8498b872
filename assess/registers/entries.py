"""Checking register entries, and reading them from imported CSV and XLSX files.

One set of rules checks a risk or EqIA whether it comes from a form or a row of an imported
file; an error names the field (a form shows it beside the field, an import names the row and
column as the file heads it). A file's column is found by its heading ("Date raised") or by the
field's name ("raised_on"), which is how the register pages' downloads head it (they are
written by the one export path, assess.audit.exports, and import back as they are). No Flask,
no database.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from defusedxml import DefusedXmlException
from openpyxl import load_workbook  # reading only: every download is written by assess.audit

from assess.registers import rules as risk

MAX_TEXT = 5000

# field -> the column heading an imported file may use instead of the field's name (and the words
# in messages)
RISK_COLUMNS = {
    "ref": "Ref",
    "title": "Title",
    "cause": "Cause",
    "event": "Event",
    "consequence": "Consequence",
    "category": "Category",
    "owner": "Owner",
    "raised_on": "Date raised",
    "inherent_likelihood": "Inherent likelihood",
    "inherent_impact": "Inherent impact",
    "current_likelihood": "Current likelihood",
    "current_impact": "Current impact",
    "target_likelihood": "Target likelihood",
    "target_impact": "Target impact",
    "response": "Response",
    "controls": "Existing controls",
    "last_review_on": "Last review",
    "next_review_on": "Next review",
    "links": "Links",
}
EQIA_COLUMNS = {
    "ref": "Ref",
    "title": "Title",
    "workstream": "Policy or workstream",
    "lead_officer": "Lead officer",
    "screening_outcome": "Screening outcome",
    "evidence": "Evidence",
    "consultation": "Consultation",
    "overall_outcome": "Overall outcome",
    "signed_off_by": "Signed off by",
    "signed_off_on": "Signed off on",
    "review_on": "Review date",
    "links": "Links",
    "group_name": "Group",
    "impact": "Impact",
    "severity": "Severity",
    "group_evidence": "Group evidence",
    "mitigation": "Mitigation",
    "strand": "Strand",
    "strand_impact": "Strand impact",
    "strand_note": "Strand note",
}
REQUIRED_RISK = ("ref", "title", "raised_on")
SCORES = [f"{stage}_{axis}" for stage in ("inherent", "current", "target") for axis in
          ("likelihood", "impact")]  # fmt: skip
DATES = ("raised_on", "last_review_on", "next_review_on", "signed_off_on", "review_on")


class UnreadableFile(ValueError):
    """A file that cannot be read as a table at all."""


@dataclass(frozen=True)
class RowError:
    row: int  # the row number a spreadsheet shows: the heading is row 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, column ‘{self.column}’: {self.message}"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "date") and callable(value.date):  # a datetime from XLSX
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def check_date(text: str) -> str | None:
    """An ISO date (2025-03-31) or 31/03/2025, as ISO; None if not a real date."""
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(p) for p in text.split("/"))
            return date(year, month, day).isoformat()
        return date.fromisoformat(text).isoformat()
    except (ValueError, OverflowError):  # 1/1/99999999999999999999 is too big to be a date
        return None


def parse_links(text: str, questionnaire) -> tuple[list[tuple[str, str]], str | None]:
    """'readiness_area:digital-access; statement:key' -> [(dimension, member)], or an error."""
    links = []
    for part in (p.strip() for p in text.replace("\n", ";").split(";")):
        if not part:
            continue
        dimension, _, member = (x.strip() for x in part.partition(":"))
        if dimension not in risk.LINK_DIMENSIONS or not link_target_exists(
            questionnaire, dimension, member
        ):
            return [], (
                f"‘{part}’ is not an area, value or statement of {questionnaire.title}; "
                "write for example readiness_area:digital-access"
            )
        links.append((dimension, member))
    return links, None


def link_target_exists(questionnaire, dimension: str, member: str) -> bool:
    if dimension == "statement":
        return any(s.key == member for s in questionnaire.statements)
    try:
        return any(m.key == member for m in questionnaire.dimension(dimension).members)
    except (KeyError, ValueError, StopIteration):
        return False


def link_name(questionnaire, dimension: str, member: str) -> str:
    """'Readiness area: Digital access and automation', for pages and messages."""
    if dimension == "statement":
        matches = [s.text for s in questionnaire.statements if s.key == member]
        return f"Statement: {matches[0]}" if matches else f"Statement: {member}"
    try:
        member_name = questionnaire.dimension(dimension).member(member).name
        return f"{risk.LINK_DIMENSIONS[dimension]}: {member_name}"
    except (KeyError, ValueError, StopIteration):
        return f"{dimension}: {member}"


def check_risk(
    values: Mapping[str, str], settings: risk.RiskSettings, questionnaire=None
) -> tuple[dict, list[tuple[str, str]]]:
    """A risk from raw text values: (fields to store, [(field, message)]) in column order."""
    fields: dict = {}
    errors: list[tuple[str, str]] = []
    for field, heading in RISK_COLUMNS.items():
        text = _text(values.get(field))
        name = heading.lower()
        if field == "links":
            if questionnaire is not None and text:
                links, error = parse_links(text, questionnaire)
                if error:
                    errors.append((field, error))
                fields["links"] = [(questionnaire.id, d, m) for d, m in links]
            continue
        if field in REQUIRED_RISK and not text:
            errors.append((field, f"Enter the {name}"))
            continue
        if len(text) > MAX_TEXT:
            errors.append((field, f"The {name} must be {MAX_TEXT:,} characters or fewer"))
            continue
        if field in SCORES:
            if text not in {str(s) for s in settings.steps}:
                errors.append(
                    (field, f"The {name} must be a whole number from 1 to {settings.size}")
                )
                continue
            fields[field] = int(text)
        elif field in DATES:
            if not text:
                fields[field] = None
                continue
            iso = check_date(text)
            if iso is None:
                errors.append((field, f"The {name} must be a real date, for example 2025-03-31"))
                continue
            fields[field] = iso
        elif field == "response":
            matched = [r for r in risk.RESPONSES if r.lower() == text.lower()]
            if not matched:
                errors.append((field, f"The response must be one of {', '.join(risk.RESPONSES)}"))
                continue
            fields[field] = matched[0]
        else:
            fields[field] = text
    return fields, errors


EQIA_REQUIRED = ("ref", "title")


def check_eqia(values: Mapping[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """An EqIA's own fields from raw text values."""
    fields, errors = {}, []
    for field in (f for f in EQIA_COLUMNS if f not in (*EQIA_ROW_FIELDS, "links")):
        text = _text(values.get(field))
        name = EQIA_COLUMNS[field].lower()
        if field in EQIA_REQUIRED and not text:
            errors.append((field, f"Enter the {name}"))
        elif len(text) > MAX_TEXT:
            errors.append((field, f"The {name} must be {MAX_TEXT:,} characters or fewer"))
        elif field in DATES:
            iso = check_date(text) if text else None
            if text and iso is None:
                errors.append((field, f"The {name} must be a real date, for example 2025-03-31"))
            fields[field] = iso
        else:
            fields[field] = text
    return fields, errors


EQIA_GROUP_FIELDS = ("group_name", "impact", "severity", "group_evidence", "mitigation")
EQIA_STRAND_FIELDS = ("strand", "strand_impact", "strand_note")
EQIA_ROW_FIELDS = EQIA_GROUP_FIELDS + EQIA_STRAND_FIELDS  # a row's own, after its EqIA's


def check_impact(values: Mapping[str, str], groups: Iterable[str]) -> tuple[dict, list]:
    """One group's impact, severity (needed when the impact is negative), evidence, mitigation."""
    groups = list(groups)
    group = _text(values.get("group_name"))
    impact = _text(values.get("impact")).capitalize()
    severity = _text(values.get("severity")).capitalize()
    errors = []
    known = {g.lower(): g for g in groups}
    if group.lower() not in known:
        errors.append(("group_name", f"‘{group}’ is not one of the groups an EqIA covers"))
    if impact not in risk.IMPACTS:
        errors.append(("impact", f"The impact must be one of {', '.join(risk.IMPACTS)}"))
    if severity and severity not in risk.SEVERITIES:
        errors.append(("severity", f"The severity must be one of {', '.join(risk.SEVERITIES)}"))
    elif impact == "Negative" and not severity:
        errors.append(("severity", "Give the severity of a negative impact: High, Medium or Low"))
    record = {
        "group_name": known.get(group.lower(), group),
        "impact": impact,
        "severity": severity or None,
        "evidence": _text(values.get("group_evidence") or values.get("evidence")),
        "mitigation": _text(values.get("mitigation")),
    }
    return record, errors


def check_strand_impact(values: Mapping[str, str]) -> tuple[dict | None, list[tuple[str, str]]]:
    """What an EqIA implies for equality under one strand: an impact and a short note. A strand
    left blank (no impact, no note) is not yet assessed, so nothing is stored for it; a note
    needs an impact to go with it."""
    impact = _text(values.get("impact")).capitalize()
    note = _text(values.get("note"))
    if not impact and not note:
        return None, []
    errors: list[tuple[str, str]] = []
    if not impact:
        errors.append(("impact", "Choose the impact on equality that the note explains"))
    elif impact not in risk.IMPACTS:
        errors.append(("impact", f"The impact must be one of {', '.join(risk.IMPACTS)}"))
    if len(note) > MAX_STRAND_NOTE:
        errors.append(("note", f"The note must be {MAX_STRAND_NOTE:,} characters or fewer"))
    return {"impact": impact, "note": note}, errors


MAX_STRAND_NOTE = 500  # a short note: the evidence and mitigation live with each group


def members_of(questionnaire, dimension_key: str) -> list[tuple[str, str]]:
    """A dimension's members (key, name) in the questionnaire; none if it has no such
    dimension."""
    try:
        dimension = questionnaire.dimension(dimension_key)
    except StopIteration:
        return []
    return [(m.key, m.name) for m in dimension.members]


def strands_of(questionnaire) -> list[tuple[str, str]]:
    """The strategy's strands (key, name): the questionnaire's `strand` members."""
    return members_of(questionnaire, "strand")


def check_strand_row(
    values: Mapping[str, str], strands: Iterable[tuple[str, str]]
) -> tuple[dict, list[tuple[str, str]]]:
    """A strand's row of an EqIA file: the strand (by key or name, kept by key) and what the
    EqIA implies under it, checked as the form checks it. The row must give an impact, and
    leave the group's columns to a row of their own."""
    strands = list(strands)
    strand = _text(values.get("strand"))
    known = {text.lower(): key for key, name in strands for text in (key, name)}
    errors: list[tuple[str, str]] = []
    if strand.lower() not in known:
        names = ", ".join(name for _, name in strands) or "it has none"
        errors.append(("strand", f"‘{strand}’ is not a strand of the strategy: {names}"))
    given = {"impact": values.get("strand_impact"), "note": values.get("strand_note")}
    record, strand_errors = check_strand_impact(given)
    if record is None:
        record = {"impact": "", "note": ""}
        strand_errors = [("impact", "Give the impact on equality under this strand")]
    errors += [(f"strand_{field}", message) for field, message in strand_errors]
    filled = [field for field in EQIA_GROUP_FIELDS if _text(values.get(field))]
    if filled:
        errors.append((filled[0], "This row is for a strand: give the group a row of its own"))
    return {"strand": known.get(strand.lower(), strand), **record}, errors


# The two kinds of row an EqIA file holds besides its EqIA's columns: the part of the EqIA a
# row adds to -> the field that names its group or strand, and what that is called.
EQIA_ROW_PARTS = {"impacts": ("group_name", "group"), "strand_impacts": ("strand", "strand")}


def check_eqia_row(
    values: Mapping[str, str], groups: Iterable[str], strands: Iterable[tuple[str, str]]
) -> tuple[str, dict, list[tuple[str, str]]]:
    """What a row of an EqIA file adds to its EqIA: a group's impact or, if the row names a
    strand, that strand's implication, as (the part of EQIA_ROW_PARTS, record, errors)."""
    if _text(values.get("strand")):
        record, errors = check_strand_row(values, strands)
        return "strand_impacts", record, errors
    record, errors = check_impact(values, groups)
    if _text(values.get("strand_impact")) or _text(values.get("strand_note")):
        errors.append(("strand", "Name the strand this implication is for"))
    return "impacts", record, errors


# --- files --------------------------------------------------------------------------------------


# What an import may hold, unless the settings say otherwise (assess.config: IMPORT_*).
MAX_ROWS = 20_000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 200  # a register has about 20; cells beyond this column are not read


def size_words(size: int) -> str:
    """5242880 -> '5 MB', 50000 -> '49 KB': a size limit as the pages state it."""
    megabytes = size / 1024 / 1024
    return f"{megabytes:,.0f} MB" if megabytes >= 1 else f"{size / 1024:,.0f} KB"


def unreadable(reason: str) -> UnreadableFile:
    return UnreadableFile(f"The file could not be read: {reason}")


def read_table(
    filename: str,
    content: bytes,
    *,
    max_rows: int = MAX_ROWS,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file keyed by their column headings (first sheet, first row).

    Read as a stream that stops at the first row past `max_rows` (the heading not counted), so
    a huge file costs no more than a file at the limit. Every way a file can fail to be read
    (not UTF-8, a cell over csv's field limit, a broken zip, an XLSX that unpacks to more than
    `max_unzipped_bytes`, XML entities or a DOCTYPE, a truncated sheet) is an UnreadableFile."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(filename, content, max_unzipped_bytes)
    elif name.endswith(".csv"):
        rows = _csv_rows(filename, content)
    else:
        raise UnreadableFile("The file must be a CSV or XLSX file")
    headings: list[str] | None = None
    table: list[dict[str, str]] = []
    for row in rows:
        if headings is None:
            headings = [_text(h) for h in row]
            continue
        if len(table) == max_rows:
            raise unreadable(
                f"it has more than {max_rows:,} rows. Split it into files of {max_rows:,} rows "
                "or fewer and import each"
            )
        if all(_text(v) == "" for v in row):
            table.append({})  # keep numbering: a blank row is skipped, not renumbered
            continue
        table.append({h: v for h, v in zip(headings, row, strict=False) if h})
    if headings is None:
        raise unreadable(f"{filename} is empty")
    return table


def _csv_rows(filename: str, content: bytes) -> Iterator[list[str]]:
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(text)
    except UnicodeDecodeError as error:
        raise unreadable(f"{filename} is not UTF-8 text. Save it as CSV UTF-8") from error
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            limit = csv.field_size_limit()
            raise unreadable(
                f"{filename} has a cell longer than {limit:,} characters, far more than any "
                f"register field takes ({MAX_TEXT:,})"
            ) from error
        raise unreadable(f"{filename} is not a readable CSV file ({error})") from error


def _xlsx_rows(filename: str, content: bytes, max_unzipped_bytes: int) -> Iterator[list]:
    """The first sheet's rows, read-only and streamed. The zip's directory is checked before
    openpyxl opens it (a zip bomb is refused unopened; Python's zipfile never inflates a member
    past the size its directory gives); openpyxl parses through defusedxml, which refuses XML
    entities, so an entity bomb or an external entity is an error, never followed."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise unreadable(f"{filename} is not a readable XLSX file ({error})") from error
    if unzipped > max_unzipped_bytes:
        raise unreadable(
            f"{filename} unpacks to {unzipped / 1024 / 1024:,.0f} MB, more than the "
            f"{max_unzipped_bytes / 1024 / 1024:,.0f} MB an import may hold"
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                yield list(row)
        finally:
            book.close()
    except Exception as error:  # openpyxl, zipfile and the XML parser raise many kinds
        if _caused_by(error, DefusedXmlException):
            raise unreadable(
                f"{filename} holds XML entities or a document type declaration, which a "
                "spreadsheet saved by Excel never has. Save it again from Excel, or as CSV"
            ) from error
        raise unreadable(f"{filename} is not a readable XLSX file ({error})") from error


def _caused_by(error: BaseException | None, kind: type[BaseException]) -> bool:
    """Whether `error` or one it was raised from is a `kind` (openpyxl wraps parse errors)."""
    while error is not None:
        if isinstance(error, kind):
            return True
        error = error.__cause__ or error.__context__
    return False


@dataclass(frozen=True)
class Preview:
    entries: list[dict]
    errors: list[RowError]
    rows: int


def headings_in(table: list[dict], columns: Mapping[str, str]) -> dict[str, str]:
    """field -> the heading the file gives its column: the heading ("Date raised") or the
    field's name ("raised_on"), in any case. Fields the file has no column for are left out."""
    present = {k.lower(): k for row in table for k in row}
    found = {}
    for field, heading in columns.items():
        for name in (heading.lower(), field):
            if name in present:
                found[field] = present[name]
                break
    return found


def _by_field(row: Mapping, headings: Mapping[str, str]) -> dict:
    lowered = {k.lower(): v for k, v in row.items()}
    return {f: lowered.get(h.lower()) for f, h in headings.items()}


def missing_columns(table: list[dict], columns: Mapping[str, str], required) -> list[str]:
    found = headings_in(table, columns)
    return [columns[f] for f in required if f not in found]


def preview_risks(
    table: list[dict], settings: risk.RiskSettings, questionnaire, taken_refs: set[str]
) -> Preview:
    """Check every row of a risk register; nothing is stored here."""
    errors, entries, seen = [], [], set(taken_refs)
    missing = missing_columns(table, RISK_COLUMNS, (*REQUIRED_RISK, *SCORES))
    if missing:
        return Preview([], [RowError(1, m, "this column is missing") for m in missing], 0)
    headings = {**RISK_COLUMNS, **headings_in(table, RISK_COLUMNS)}
    for number, row in enumerate(table, start=2):
        if not row:
            continue
        fields, row_errors = check_risk(_by_field(row, headings), settings, questionnaire)
        if "ref" in fields and fields["ref"] in seen:
            row_errors.append(("ref", f"{fields['ref']} is already used by another risk"))
        seen.add(fields.get("ref"))
        errors += [RowError(number, headings[f], m) for f, m in row_errors]
        entries.append(fields)
    return Preview(entries, errors, len(entries))


def preview_eqias(
    table: list[dict], groups: Iterable[str], questionnaire, taken_refs: set[str]
) -> Preview:
    """Check an EqIA file, one row per (EqIA, group) and per (EqIA, strand), the strands those
    of `questionnaire`; rows with the same ref make one EqIA."""
    groups, strands = list(groups), strands_of(questionnaire)
    missing = missing_columns(table, EQIA_COLUMNS, ("ref", "title", "group_name", "impact"))
    if missing:
        return Preview([], [RowError(1, m, "this column is missing") for m in missing], 0)
    errors, by_ref = [], {}
    headings = {**EQIA_COLUMNS, **headings_in(table, EQIA_COLUMNS)}
    for number, row in enumerate(table, start=2):
        if not row:
            continue
        values = _by_field(row, headings)
        fields, row_errors = check_eqia(values)
        part, record, part_errors = check_eqia_row(values, groups, strands)
        row_errors += part_errors
        ref = fields.get("ref")
        if ref in taken_refs:
            row_errors.append(("ref", f"{ref} is already used by another EqIA"))
        if ref and ref not in by_ref:
            links, error = parse_links(_text(values.get("links")), questionnaire)
            if error:
                row_errors.append(("links", error))
            by_ref[ref] = {
                **fields,
                "impacts": [],
                "strand_impacts": [],
                "links": [(questionnaire.id, d, m) for d, m in links],
            }
        if ref:
            name, kind = EQIA_ROW_PARTS[part]
            if record[name] in {given[name] for given in by_ref[ref][part]}:
                row_errors.append((name, f"{ref} already has a row for this {kind}"))
            by_ref[ref][part].append(record)
        errors += [RowError(number, headings[f], m) for f, m in row_errors]
    return Preview(list(by_ref.values()), errors, sum(1 for r in table if r))
