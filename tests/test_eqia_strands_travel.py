"""An EqIA's implications by strand travel where its impacts by group do: what the form saves
comes out, value for value, in the EqIAs' download, the audit export (CSV, XLSX, JSON) and the
read-only API, and the EqIAs' download imports back as it is, all rows or none."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from assess import store
from assess.store import registers as register_store
from assess.store import tokens as token_store
from tests.conftest import csrf_token, hidden_fields, read_page

NOTE = "Only “online” feedback is heard, so Welsh speakers; café users miss out"
ENTERED = [("citizen-focused", "Negative", NOTE), ("right-first-time", "Unknown", "")]
OFFICER = "sam.okafor@council.example"  # business improvement: enters EqIAs, reads every export


@pytest.fixture
def officer(client, client_as):
    return client_as("business_improvement", client=client)


def post(client, url, data, **kwargs):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def eqia_id_of(db, ref: str) -> int:
    return db.execute("SELECT id FROM eqias WHERE ref = ?", [ref]).fetchone()[0]


@pytest.fixture
def entered(officer, db) -> str:
    """A new EqIA whose strand implications were entered on its form: its ref."""
    data = {"ref": "LIB-EQIA-01", "title": "Library opening hours"}
    data.update({f"g{index}-impact": "Neutral" for index in range(16)})
    data.update({"s0-impact": "Negative", "s0-note": NOTE, "s3-impact": "unknown"})
    assert post(officer, "/registers/eqias/new", data).status_code == 302
    return "LIB-EQIA-01"


def as_text(value) -> str:
    """A cell as text: an empty XLSX cell reads as None."""
    return "" if value is None else str(value)


def sheet_dicts(body: bytes, title: str) -> list[dict]:
    rows = list(load_workbook(io.BytesIO(body), read_only=True)[title].values)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def csv_dicts(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def audit_export(officer, db, fmt: str) -> list[dict]:
    query = {"table": "eqia_strand_impacts", "format": fmt}
    body = officer.get("/audit/export", query_string=query).get_data()
    if fmt == "csv":
        return csv_dicts(body)
    if fmt == "xlsx":
        return sheet_dicts(body, "EqIA implications by strand")
    return json.loads(body)


def api(officer, db, fmt: str) -> list[dict]:
    user = store.user_by_email(db, OFFICER)
    token = token_store.create_token(db, user["id"], "strand check")[1]
    response = officer.get(
        "/audit/api/v1/eqia-strand-impacts", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    return response.get_json()


def page_download(officer, db, fmt: str) -> list[dict]:
    """The strand rows of the EqIAs' download, named as the audit export names them."""
    body = officer.get(f"/registers/eqias/export.{fmt}").get_data()
    rows = csv_dicts(body) if fmt == "csv" else sheet_dicts(body, "Equality impact assessments")
    return [
        {"eqia_ref": r["ref"], "strand": r["strand"], "impact": r["strand_impact"],
         "note": r["strand_note"]}
        for r in rows
        if r["strand"]
    ]  # fmt: skip


SURFACES = [
    (audit_export, "csv"),
    (audit_export, "xlsx"),
    (audit_export, "json"),
    (api, "json"),
    (page_download, "csv"),
    (page_download, "xlsx"),
]


@pytest.mark.parametrize(("read", "fmt"), SURFACES, ids=lambda v: getattr(v, "__name__", v))
def test_strand_implications_entered_on_the_form_come_out_with_the_same_values(
    officer, db, entered, read, fmt
):
    rows = read(officer, db, fmt)
    found = [
        (r["strand"], r["impact"], as_text(r["note"])) for r in rows if r["eqia_ref"] == entered
    ]
    assert found == ENTERED


def test_in_the_eqias_download_a_groups_row_leaves_the_strands_columns_empty_and_back(
    officer, db, entered
):
    body = officer.get("/registers/eqias/export.csv").get_data()
    rows = [row for row in csv_dicts(body) if row["ref"] == entered]
    groups = len(register_store.impacts_of(db, eqia_id_of(db, entered)))
    assert len(rows) == groups + len(ENTERED), "each EqIA's groups, then its strands"
    assert all(
        row["group"] and not row["strand"] and not row["strand_impact"] for row in rows[:groups]
    )
    assert all(row["strand"] and not row["group"] and not row["impact"] for row in rows[groups:])


# --- the EqIAs' download imports back -----------------------------------------------------------


def one_eqia(rows: list[list], ref: str, new_ref: str) -> list[list]:
    """The heading and one EqIA's rows of a download, under a new ref (a copy, as an officer
    makes one)."""
    column = list(rows[0]).index("ref")
    return [list(rows[0])] + [
        [*row[:column], new_ref, *row[column + 1 :]] for row in rows[1:] if row[column] == ref
    ]


def csv_file(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_file(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    saved = io.BytesIO()
    book.save(saved)
    return saved.getvalue()


def downloaded_rows(officer, fmt: str) -> list[list]:
    body = officer.get(f"/registers/eqias/export.{fmt}").get_data()
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    return [list(row) for row in load_workbook(io.BytesIO(body)).active.values]


def upload(officer, content: bytes, filename: str):
    return post(
        officer,
        "/registers/import",
        {"kind": "eqia", "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(("fmt", "write"), [("csv", csv_file), ("xlsx", xlsx_file)])
def test_the_eqias_download_imports_back_with_its_strand_implications(
    officer, db, entered, fmt, write
):
    copy = write(one_eqia(downloaded_rows(officer, fmt), entered, "LIB-EQIA-02"))
    response = upload(officer, copy, f"eqias.{fmt}")
    assert "Every row is valid" in read_page(response).text
    token = hidden_fields(response.get_data(as_text=True))["token"]
    confirm = {"kind": "eqia", "confirm": "yes", "token": token}
    assert post(officer, "/registers/import", confirm).status_code == 302
    original, copied = eqia_id_of(db, entered), eqia_id_of(db, "LIB-EQIA-02")
    strands = register_store.strand_impacts_of(db, copied)
    assert [(s["strand"], s["impact"], s["note"]) for s in strands] == ENTERED
    assert register_store.impacts_of(db, copied) == register_store.impacts_of(db, original)
    after = db.execute(
        "SELECT after FROM audit_events WHERE entity = 'eqia' AND action = 'create' "
        "AND entity_id = ?",
        [str(copied)],
    ).fetchone()[0]
    assert json.loads(after)["strand_impacts"] == strands, "the import is audited"


def test_a_bad_strand_row_refuses_the_whole_file_naming_the_row_and_column(officer, db, entered):
    rows = one_eqia(downloaded_rows(officer, "csv"), entered, "LIB-EQIA-02")
    impact = rows[0].index("strand_impact")
    number, bad = next((n, r) for n, r in enumerate(rows, start=1) if r[impact] == "Unknown")
    bad[impact] = "Mixed"
    before = db["eqias"].count, db["eqia_strand_impacts"].count
    page = read_page(upload(officer, csv_file(rows), "eqias.csv"), 400)
    assert (
        f"Row {number}, column ‘strand_impact’: The impact must be one of Positive, Neutral, "
        "Negative, Unknown" in page.text
    )
    assert (db["eqias"].count, db["eqia_strand_impacts"].count) == before


def test_an_eqia_import_that_fails_part_way_leaves_no_strand_implications(db):
    def entry(ref: str) -> dict:
        implication = {"strand": "citizen-focused", "impact": "Positive", "note": "Fewer trips"}
        return {"ref": ref, "title": "Libraries", "impacts": [], "strand_impacts": [implication]}

    before = db["eqia_strand_impacts"].count
    register_store.import_entries(db, "eqia", [entry("LIB-8")], None)
    assert db["eqia_strand_impacts"].count == before + 1
    with pytest.raises(register_store.DuplicateRef):
        register_store.import_entries(
            db, "eqia", [entry("LIB-9"), entry("LIB-9")], None, batch_seconds=0
        )
    assert db["eqia_strand_impacts"].count == before + 1, "the first batch's are removed again"
