"""Every download goes through one export path (assess/audit/exports.py) with one rule for text a
spreadsheet would run as a formula (assess/audit/writers.py): the fast CSV writer is the csv
module's output byte for byte, CSV and XLSX neutralise the same cells, and every download route
the app registers answers through that path."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from assess.audit import exports, writers
from assess.store import round_packs as pack_store
from assess.store.register_exports import (
    EQIA_GROUP_COLUMNS,
    EQIA_STRAND_COLUMNS,
    EQIAS,
    RISKS,
    without_provenance,
)
from tests.conftest import sign_in

PACKAGE = Path(__file__).resolve().parent.parent / "assess"
OFFICER = "sam.okafor@council.example"  # business improvement: may read every download
BOM = "\ufeff".encode()

# --- the writers --------------------------------------------------------------------------------

# Text with what CSV must quote or double (quotes, commas, line breaks, CR), what starts a formula,
# the fast writer's own placeholder characters, and any other Unicode.
TRICKY = st.sampled_from(list("\"',\r\n\t =+-@ \x1d\x1e\x1f"))
TEXT = st.text(st.one_of(TRICKY, st.characters(codec="utf-8")), max_size=12)
CELL = st.one_of(
    st.none(),
    TEXT,
    st.sampled_from(["", "=SUM(A1:A9)", "+44 20", "-1+1", "@SUM(A1)", "\tTAB", "\rCR", "'quoted"]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False),
)
ROWS = st.integers(min_value=1, max_value=6).flatmap(
    lambda width: st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=40)
)


def csv_module(header: list[str], rows: list[list]) -> bytes:
    """What Python's csv module writes with the one dialect, after the one rule."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([writers.neutralise(value) for value in row] for row in rows)
    return BOM + buffer.getvalue().encode("utf-8")


# Text holding the fast writer's placeholders goes through the csv module itself; without them,
# the fast path writes every batch.
NO_PLACEHOLDERS = str.maketrans("", "", "\x1d\x1e\x1f")


@settings(max_examples=300, deadline=None)
@given(rows=ROWS)
def test_the_fast_csv_writer_writes_what_the_csv_module_writes_byte_for_byte(rows):
    header = [f"column {n}" for n in range(len(rows[0]) if rows else 1)]
    fast = [[v.translate(NO_PLACEHOLDERS) if isinstance(v, str) else v for v in r] for r in rows]
    for cells in (rows, fast):
        written = b"".join(exports.csv_chunks(header, exports.plain(cells)))
        assert written == csv_module(header, cells)


@settings(max_examples=50, deadline=None)
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=5), min_size=1, max_size=8))
def test_rows_of_different_lengths_are_written_as_the_csv_module_writes_them(rows):
    header = ["a"]
    assert b"".join(exports.csv_chunks(header, exports.plain(rows))) == csv_module(header, rows)


# What XML can carry, so what goes in comes back out (the characters XML cannot hold at all are
# dropped, as tests/test_exports.py shows).
XML_TEXT = st.text(
    st.one_of(
        st.sampled_from(list("=+-@\t\r\n '\"<>&")),
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn")),
    ),
    min_size=1,
    max_size=12,
)


def as_xml_reads_it(text: str) -> str:
    """XML reads a carriage return, alone or before a line feed, as a line feed."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(XML_TEXT, min_size=1, max_size=20))
def test_csv_and_xlsx_neutralise_the_same_cells_and_xlsx_shows_no_apostrophe(values):
    sheet = [("evidence", "text"), ("count", "integer")]
    rows = [(value, -n) for n, value in enumerate(values, start=1)]
    written = b"".join(exports.csv_chunks(["evidence", "count"], exports.plain(rows)))
    from_csv = list(csv.reader(io.StringIO(written.decode("utf-8-sig"), newline="")))[1:]
    target = io.BytesIO()
    exports.write_xlsx(target, [exports.Sheet("Answers", sheet, exports.plain(rows))])
    with zipfile.ZipFile(io.BytesIO(target.getvalue())) as package:
        assert "<f>" not in package.read("xl/worksheets/sheet1.xml").decode()
    from_xlsx = list(load_workbook(io.BytesIO(target.getvalue())).active.iter_rows(min_row=2))
    for value, (csv_text, csv_count), (text_cell, count_cell) in zip(
        values, from_csv, from_xlsx, strict=True
    ):
        formula_like = value.startswith(writers.FORMULA_STARTS)
        assert formula_like == writers.looks_like_formula(value)
        assert csv_text == ("'" + value if formula_like else value)
        assert text_cell.data_type == "s", "typed text, never a formula"
        assert text_cell.value == as_xml_reads_it(value), "no apostrophe, nothing changed"
        assert text_cell.quotePrefix == formula_like, "kept as text if someone edits the cell"
        # a negative number is a number, not a formula, in both
        assert csv_count == str(count_cell.value) and count_cell.data_type == "n"


def test_the_rule_is_the_strictest_of_the_old_ones_and_leaves_numbers_alone():
    assert writers.FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")
    assert [writers.neutralise(v) for v in ("=1", "+1", "-1", "@A", "\tx", "\rx")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@A",
        "'\tx",
        "'\rx",
    ]
    assert [writers.neutralise(v) for v in (-1, -1.5, None, "", "a=b", "'=1")] == [
        -1,
        -1.5,
        None,
        "",
        "a=b",
        "'=1",
    ]


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        ("risk-register-2025-01-31.csv", 'attachment; filename="risk-register-2025-01-31.csv"'),
        (
            "heatmap-value-Spring 2025.csv",
            'attachment; filename="heatmap-value-Spring-2025.csv"; '
            "filename*=UTF-8''heatmap-value-Spring%202025.csv",
        ),
        (
            'Gwasanaethau "ŵ"\r\n.csv',
            'attachment; filename="Gwasanaethau-w-.csv"; '
            "filename*=UTF-8''Gwasanaethau%20-%C5%B5-.csv",
        ),
    ],
)
def test_a_download_is_named_by_one_helper_that_keeps_quotes_and_line_breaks_out(filename, header):
    assert exports.attachment(filename) == header


# --- every download route -----------------------------------------------------------------------

# A route that downloads a file: its URL names a file type, or it is an export.
DOWNLOAD_URL = re.compile(r"\.(csv|xlsx|docx|<fmt>|json\.gz)$|/export\b")
# Rows of a table: written by exports.download, checked below in every format each offers.
TABLE_DOWNLOADS = {
    "audit.export",
    "registers.export_risks",
    "registers.export_eqias",
    "rounds.outstanding_csv",
    "rounds.heatmap_download",
    "plan.export_plan",
}
# Not rows: each sends its own response (a chart image, a frozen round pack's stored bytes, or
# the committee report's document, sent by exports.document), named by exports.attachment
# (charts through web/pictures.py).
OWN_RESPONSE = {
    "audit.download_pack",
    "team.chart",
    "council.council_chart",
    "committee.report_docx",
}


def test_every_download_route_in_the_url_map_is_one_checked_here(app):
    downloads = {r.endpoint for r in app.url_map.iter_rules() if DOWNLOAD_URL.search(r.rule)}
    assert downloads == TABLE_DOWNLOADS | OWN_RESPONSE, (
        "a new download: send it with assess.audit.exports.download and add it to this file"
    )
    assert {endpoint for endpoint, _, _ in DOWNLOADS} == TABLE_DOWNLOADS


def sources() -> dict[str, str]:
    return {str(p.relative_to(PACKAGE)): p.read_text() for p in sorted(PACKAGE.rglob("*.py"))}


def test_only_the_export_path_writes_csv_or_xlsx_and_names_a_download():
    code = sources()
    assert [f for f, text in code.items() if "csv.writer" in text] == ["audit/writers.py"]
    assert [f for f, text in code.items() if "text/csv" in text] == ["audit/exports.py"]
    imports = re.compile(r"^\s*(from openpyxl\S* import [\w, ]+|import openpyxl\S*)", re.M)
    openpyxl = {f: [i.strip() for i in imports.findall(t)] for f, t in code.items()}
    assert {f: found for f, found in openpyxl.items() if found} == {
        "registers/entries.py": ["from openpyxl import load_workbook"]
    }, "openpyxl reads imported files; nothing writes with it"
    own_header = {f for f, text in code.items() if 'headers["Content-Disposition"] =' in text}
    assert own_header == {"audit/exports.py", "web/pictures.py", "audit/views.py"}
    assert "exports.attachment(" in code["web/pictures.py"], "a chart's name"
    assert "exports.attachment(" in code["audit/views.py"], "the round pack's name"


@pytest.fixture
def planted(db) -> str:
    """Every team, risk, EqIA and corporate action named like a formula: they appear in every
    table download."""
    for table, column in (
        ("teams", "name"),
        ("risks", "title"),
        ("eqias", "title"),
        ("corporate_actions", "title"),
    ):
        db.execute(f"UPDATE {table} SET {column} = '=HYPERLINK(\"http://evil\")' || {column}")
    db.conn.commit()
    return '=HYPERLINK("http://evil")'


def current_round(db) -> int:
    return db.execute("SELECT id FROM rounds WHERE status = 'open'").fetchone()[0]


DOWNLOADS = [
    ("rounds.outstanding_csv", "csv", "/rounds/{round}/outstanding.csv"),
    ("rounds.heatmap_download", "csv", "/rounds/{round}/heatmap/value.csv"),
    ("registers.export_risks", "csv", "/registers/risks/export.csv"),
    ("registers.export_risks", "xlsx", "/registers/risks/export.xlsx"),
    ("registers.export_eqias", "csv", "/registers/eqias/export.csv"),
    ("registers.export_eqias", "xlsx", "/registers/eqias/export.xlsx"),
    ("audit.export", "csv", "/audit/export?table=completion&format=csv"),
    ("audit.export", "xlsx", "/audit/export?table=all&format=xlsx"),
    ("audit.export", "json", "/audit/export?table=completion&format=json"),
    ("plan.export_plan", "csv", "/programme/plan/export.csv"),
    ("plan.export_plan", "xlsx", "/programme/plan/export.xlsx"),
]


def check_csv(body: bytes, planted: str) -> None:
    assert body.startswith(BOM), "Excel needs the byte order mark to read UTF-8"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    assert body == BOM + buffer.getvalue().encode(), "the one writer: every field quoted, CRLF"
    cells = [cell for row in rows for cell in row]
    assert any(cell.startswith("'" + planted) for cell in cells)
    assert not any(cell.startswith(planted) for cell in cells)


def check_xlsx(body: bytes, planted: str) -> None:
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        assert not any("<f>" in package.read(n).decode() for n in sheets), "no formula cells"
    book = load_workbook(io.BytesIO(body))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    formula_like = [c for c in cells if isinstance(c.value, str) and c.value.startswith(planted)]
    assert formula_like, "the planted text is there, as it was typed"
    assert all(c.data_type == "s" and c.quotePrefix for c in formula_like)
    assert not any(isinstance(c.value, str) and c.value.startswith("'=") for c in cells)


@pytest.mark.parametrize(("endpoint", "fmt", "url"), DOWNLOADS, ids=lambda v: str(v))
def test_each_download_comes_through_the_one_path(client, db, planted, endpoint, fmt, url):
    sign_in(client, OFFICER)
    response = client.get(url.format(round=current_round(db)))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == exports.CONTENT_TYPES[fmt]
    disposition = response.headers["Content-Disposition"]
    name = re.fullmatch(r'attachment; filename="([A-Za-z0-9._-]+)"(; filename\*=\S+)?', disposition)
    assert name and name[1].endswith(f".{fmt}"), disposition
    body = response.get_data()
    if fmt == "csv":
        check_csv(body, planted)
    elif fmt == "xlsx":
        check_xlsx(body, planted)
    else:  # JSON is data for programs: the stored text as it is
        assert any(row["team"].startswith(planted) for row in json.loads(body))


def test_a_round_pack_is_named_by_the_same_helper(client, db):
    closed = db.execute("SELECT id, name FROM rounds WHERE status = 'closed'").fetchone()
    officer = db.execute("SELECT id FROM users WHERE email = ?", [OFFICER]).fetchone()[0]
    pack_id = pack_store.freeze_round(db, closed[0], officer)
    sign_in(client, OFFICER)
    response = client.get(f"/audit/packs/{pack_id}.json.gz")
    assert response.status_code == 200
    slug = "".join(ch if ch.isalnum() else "-" for ch in closed[1])
    expected = exports.attachment(f"assess-round-pack-{slug}-{pack_id}.json.gz")
    assert response.headers["Content-Disposition"] == expected


# --- the register: one set of columns, two downloads -------------------------------------------


def test_the_register_pages_download_the_audit_exports_columns_less_provenance(client, db):
    sign_in(client, OFFICER)

    def header(url: str) -> list[str]:
        text = client.get(url).get_data().decode("utf-8-sig")
        return next(csv.reader(io.StringIO(text)))

    audit_risks = header("/audit/export?table=risks&format=csv")
    page_risks = header("/registers/risks/export.csv")
    assert audit_risks == RISKS.column_names
    own = [name for name, _ in without_provenance(RISKS)]
    assert page_risks == [*own, "current_band", "direction_of_travel"]  # as the page shows them
    page_risks = own
    assert audit_risks[len(page_risks) :] == [
        "accepted_by",
        "accepted_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    audit_eqias = header("/audit/export?table=eqias&format=csv")
    page_eqias = header("/registers/eqias/export.csv")
    own = [name for name, _ in without_provenance(EQIAS)]
    assert audit_eqias == [*own, "created_by", "created_at", "updated_at"]
    group = [name for name, _ in EQIA_GROUP_COLUMNS]
    assert page_eqias == [*own, *group, *(name for name, _ in EQIA_STRAND_COLUMNS)]
    assert page_eqias[-3:] == ["strand", "strand_impact", "strand_note"]
