"""Imports that cannot take the service down: bounded reading, bad files as clear errors, the
checked rows kept on the server under a token, and a confirmed import written in short
transactions while a team lead goes on saving."""

from __future__ import annotations

import io
import re
import threading
import time
import zipfile

import pytest
from openpyxl import Workbook

from assess import store
from assess.registers import entries
from assess.store import imports
from assess.store import registers as register_store
from assess.web.app import create_app
from tests.conftest import csrf_token, hidden_fields, read_page

HEADINGS = (
    "Ref,Title,Cause,Event,Consequence,Category,Owner,Date raised,Inherent likelihood,"
    "Inherent impact,Current likelihood,Current impact,Target likelihood,Target impact,"
    "Response,Existing controls,Last review,Next review,Links"
)
ROWS = 5_000  # the row limit these tests run with: enough batches to hold real write contention


def risk_row(n: int) -> str:
    return (
        f"LOAD-{n:05},Risk number {n},Cause,Event,Consequence,People,Head of Service,2024-06-01,"
        "4,3,3,3,2,2,Treat,Controls,,2025-06-01,value:one-team"
    )


def register_csv(count: int, start: int = 1) -> bytes:
    return "\n".join([HEADINGS, *(risk_row(n) for n in range(start, start + count))]).encode()


@pytest.fixture
def app(instance):
    return create_app({"TESTING": True, "IMPORT_MAX_ROWS": ROWS}, instance_path=instance)


@pytest.fixture
def officer(client, client_as):
    return client_as("business_improvement", client=client)


def upload(client, content: bytes, filename: str = "register.csv", kind: str = "risk"):
    token = csrf_token(client.get("/registers/import").get_data(as_text=True))
    return client.post(
        "/registers/import",
        data={"kind": kind, "file": (io.BytesIO(content), filename), "csrf_token": token},
        content_type="multipart/form-data",
    )


def confirm(client, import_token: str, kind: str = "risk", **extra):
    token = csrf_token(client.get("/registers/import").get_data(as_text=True))
    data = {"kind": kind, "confirm": "yes", "token": import_token, "csrf_token": token, **extra}
    return client.post("/registers/import", data=data)


def import_token(response) -> str:
    return hidden_fields(response.get_data(as_text=True))["token"]


def refused(response, message: str) -> None:
    """A 400 on the import page whose error summary says `message`."""
    page = read_page(response, 400)
    assert page.title.startswith("Error:")
    summary = re.search(r"govuk-error-summary(.*?)</ul>", response.get_data(as_text=True), re.S)
    assert summary and message in summary.group(1).replace("&#39;", "'"), page.text


def load_count(db) -> int:
    return db.execute("SELECT count(*) FROM risks WHERE ref LIKE 'LOAD-%'").fetchone()[0]


# --- a confirmed import at the row limit while a team lead saves ----------------------------------


def test_an_import_of_the_row_limit_lets_a_team_lead_save_every_100_ms(app, client_as, db):
    officer, lead = client_as("business_improvement"), client_as("team_lead")
    team_id = store.team_id_by_name(db, "Housing Needs")
    round_id = store.current_round(db)["id"]
    section = f"/teams/{team_id}/rounds/{round_id}/sections/one-team"
    saves: list[tuple[float, float, int]] = []  # (started, seconds, status)
    stop = threading.Event()

    def keep_saving():
        n = 0
        while not stop.is_set():
            n += 1
            html = lead.get(section).get_data(as_text=True)
            fields = hidden_fields(html)
            name = re.search(r'name="([^"]+-evidence)"', html).group(1)
            started = time.monotonic()
            response = lead.post(section, data={**fields, name: f"Save {n}", "action": "later"})
            saves.append((started, time.monotonic() - started, response.status_code))
            time.sleep(0.1)

    response = upload(officer, register_csv(ROWS))
    assert "Every row is valid" in read_page(response).text
    token = import_token(response)
    saver = threading.Thread(target=keep_saving)
    saver.start()
    try:
        time.sleep(0.3)
        began = time.monotonic()
        response = confirm(officer, token)
        ended = time.monotonic()
        time.sleep(0.3)
    finally:
        stop.set()
        saver.join()
    assert response.status_code == 302
    assert load_count(db) == ROWS
    during = [s for s in saves if began <= s[0] <= ended]
    assert ended - began > 0.5, "the import spans several batches"
    assert len(during) >= 3, "the team lead saved while the import was written"
    assert {status for _, _, status in saves} == {302}, "every save succeeded"
    slowest = max(seconds for _, seconds, _ in saves)
    assert slowest < 1.0, f"a save waited {slowest:.2f} s"
    [events] = db.execute(
        "SELECT count(*) FROM audit_events WHERE action = 'create' AND entity = 'risk' "
        "AND after LIKE '%LOAD-%'"
    ).fetchone()
    assert events == ROWS, "every imported risk is audited"


# --- limits ---------------------------------------------------------------------------------------


def test_a_file_over_the_row_limit_is_refused_saying_the_limit(officer, db):
    response = upload(officer, register_csv(ROWS + 1))
    refused(response, f"it has more than {ROWS:,} rows")
    assert load_count(db) == 0


def test_reading_stops_at_the_first_row_past_the_limit():
    content = register_csv(2_000) + b"\nLOAD-9,\xff\xfe not UTF-8 and never read\n"
    with pytest.raises(entries.UnreadableFile, match="more than 3 rows"):
        entries.read_table("register.csv", content, max_rows=3)
    assert len(entries.read_table("register.csv", register_csv(3), max_rows=3)) == 3


def test_a_file_over_the_import_size_is_refused_with_a_clear_error(app, officer, db):
    app.config["IMPORT_MAX_BYTES"] = 10_000
    response = upload(officer, register_csv(100))
    refused(response, "The file is larger than 10 KB")
    assert load_count(db) == 0


def test_the_import_page_states_the_limits_in_words(officer):
    text = read_page(officer.get("/registers/import")).text
    assert "A CSV or XLSX file of up to 5 MB and 5,000 rows" in text


@pytest.mark.parametrize("url", ["/registers/import", "/sign-in"])
def test_a_request_over_the_whole_app_limit_is_a_413_page(app, officer, url):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    response = officer.post(
        url,
        data={"kind": "risk", "file": (io.BytesIO(b"x" * 60_000), "register.csv")},
        content_type="multipart/form-data",
    )
    page = read_page(response, 413)
    assert page.h1 == ["The file is too large"]
    assert (
        "larger than 0 MB" not in page.text and "A register import can be up to 5 MB" in page.text
    )


def test_the_whole_app_limit_is_20_mb_by_default(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024


# --- files that cannot be read --------------------------------------------------------------------


def xlsx_with_sheet(sheet_xml: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A real workbook (openpyxl), its first sheet's XML replaced or other members added."""
    book = Workbook()
    book.active.append(HEADINGS.split(","))
    book.active.append(risk_row(1).split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    if sheet_xml is None and not extra:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zip_:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml" and sheet_xml is not None:
                data = sheet_xml.encode()
            zip_.writestr(item, data)
        for name, data in (extra or {}).items():
            zip_.writestr(name, data)
    return out.getvalue()


SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Ref</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>{cell}</t></is></c></row>'
    "</sheetData></worksheet>"
)
EXTERNAL = SHEET.format(
    doctype='<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>', cell="&e;"
)
BOMB = SHEET.format(
    doctype="<!DOCTYPE worksheet [<!ENTITY a0 'lol'>"
    + "".join(f"<!ENTITY a{i} '{f'&a{i - 1};' * 10}'>" for i in range(1, 10))
    + "]>",
    cell="&a9;",
)
TRUNCATED = SHEET.format(doctype="", cell="R1")[:-60]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            register_csv(1) + b"\n" + b"L-2," + b"x" * 131_073 + b"\n",
            "register.csv",
            "The file could not be read: register.csv has a cell longer than 131,072 characters",
        ),
        (xlsx_with_sheet(EXTERNAL), "register.xlsx", "register.xlsx holds XML entities"),
        (xlsx_with_sheet(BOMB), "register.xlsx", "register.xlsx holds XML entities"),
        (
            xlsx_with_sheet(TRUNCATED),
            "register.xlsx",
            "The file could not be read: register.xlsx is not a readable XLSX file",
        ),
        (
            xlsx_with_sheet()[:-200],
            "register.xlsx",
            "The file could not be read: register.xlsx is not a readable XLSX file",
        ),
    ],
    ids=[
        "csv-huge-field",
        "xlsx-external-entity",
        "xlsx-entity-bomb",
        "xlsx-truncated-sheet",
        "xlsx-corrupt-zip",
    ],  # fmt: skip
)
def test_a_file_that_cannot_be_read_is_a_clear_error_never_a_500(
    officer, db, content, filename, message
):
    response = upload(officer, content, filename)
    refused(response, message)
    assert load_count(db) == 0


def test_a_zip_bomb_is_refused_before_it_is_opened():
    bomb = xlsx_with_sheet(extra={"xl/media/padding.bin": b"\0" * (51 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(entries.UnreadableFile, match="unpacks to 51 MB, more than the 50 MB"):
        entries.read_table("register.xlsx", bomb)


def test_a_zip_bomb_upload_is_a_clear_error(app, officer):
    app.config["IMPORT_MAX_UNZIPPED_BYTES"] = 1024 * 1024
    bomb = xlsx_with_sheet(extra={"bomb.bin": b"\0" * 2 * 1024 * 1024})
    response = upload(officer, bomb, "register.xlsx")
    refused(response, "unpacks to 2 MB, more than the 1 MB an import may hold")


def test_a_good_xlsx_still_reads_within_the_limits():
    [row] = entries.read_table("register.xlsx", xlsx_with_sheet())
    assert row["Ref"] == "LOAD-00001"


# --- the preview is kept on the server ------------------------------------------------------------


def test_the_preview_page_carries_no_rows_only_a_token(officer, db):
    response = upload(officer, register_csv(2_000))
    page = read_page(response)
    html = response.get_data(as_text=True)
    assert "The file holds 2,000 risks; the first 20 are shown" in page.text
    assert len(html) < 40_000, f"the preview page is {len(html):,} bytes"
    assert "payload" not in html and "LOAD-00021" not in html
    assert set(hidden_fields(html)) == {"csrf_token", "kind", "confirm", "token"}
    assert db["import_previews"].count == 1


def test_a_confirmed_preview_is_written_once_and_its_token_then_refused(officer, db):
    token = import_token(upload(officer, register_csv(3)))
    response = confirm(officer, token)
    assert response.status_code == 302
    assert "Imported 3 risks." in read_page(officer.get(response.headers["Location"])).text
    refused(confirm(officer, token), "This import has already been confirmed")
    assert load_count(db) == 3


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 5000])
def test_an_unknown_token_is_a_clear_error_and_writes_nothing(officer, db, token):
    upload(officer, register_csv(3))
    refused(confirm(officer, token), "This import was not found. Choose the file again.")
    assert load_count(db) == 0


def test_another_users_token_is_not_found_and_writes_nothing(officer, client_as, db):
    token = import_token(upload(officer, register_csv(3)))
    store.create_user(db, "kim.lee@council.example", "Kim Lee", "business_improvement", "x")
    colleague = client_as("business_improvement", email="kim.lee@council.example")
    refused(confirm(colleague, token), "This import was not found")
    assert load_count(db) == 0
    assert confirm(officer, token).status_code == 302, "still there for its own user"


def test_a_token_for_the_other_kind_is_not_found(officer, db):
    token = import_token(upload(officer, register_csv(3)))
    refused(confirm(officer, token, kind="eqia"), "This import was not found")


def test_an_expired_token_is_a_clear_error_and_writes_nothing(officer, db):
    token = import_token(upload(officer, register_csv(3)))
    db.execute("UPDATE import_previews SET created_at = '2000-01-01T00:00:00.000000Z'")
    db.conn.commit()
    refused(confirm(officer, token), "This import expired: a checked file waits 30 minutes")
    assert load_count(db) == 0


def test_expired_previews_are_cleared_when_another_is_kept(officer, db):
    upload(officer, register_csv(3))
    db.execute("UPDATE import_previews SET created_at = '2000-01-01T00:00:00.000000Z'")
    db.conn.commit()
    upload(officer, register_csv(3))
    assert db["import_previews"].count == 1


def test_a_confirm_with_a_payload_of_the_wrong_shape_is_a_clear_error(officer, db):
    payload = '[{"ref": "LOAD-1", "title": "x", "impacts": ["x"], "links": [1]}]'
    for kind in ("risk", "eqia"):
        refused(confirm(officer, "", kind=kind, payload=payload), "This import was not found")
    assert load_count(db) == 0


def test_a_ref_taken_since_the_preview_is_a_clear_error_and_writes_nothing(officer, db):
    token = import_token(upload(officer, register_csv(3)))
    register_store.add_risk(db, risk_fields("LOAD-00002"), None)
    refused(confirm(officer, token), "LOAD-00002 is now used by another entry")
    assert load_count(db) == 1


# --- all or none, in short transactions -----------------------------------------------------------


def risk_fields(ref: str) -> dict:
    return {
        "ref": ref, "title": "Imported", "raised_on": "2024-06-01", "response": "Treat",
        **{f"{stage}_{axis}": 2 for stage in ("inherent", "current", "target")
           for axis in ("likelihood", "impact")},
    }  # fmt: skip


def test_a_failing_batch_removes_the_batches_before_it(db):
    before = db["risks"].count
    batch = [risk_fields(f"B-{n}") for n in range(5)] + [risk_fields("B-0")]
    with pytest.raises(register_store.DuplicateRef):
        register_store.import_entries(db, "risk", batch, None, batch_seconds=0)
    assert db["risks"].count == before
    [removed] = db.execute(
        "SELECT count(*) FROM audit_events WHERE action = 'delete' AND entity = 'risk'"
    ).fetchone()
    assert removed == 5, "each removal is audited"


def test_an_import_stopped_part_way_is_undone_by_the_next_confirmation(officer, db):
    first = import_token(upload(officer, register_csv(3)))
    user_id = db.execute("SELECT user_id FROM import_previews").fetchone()[0]
    written = imports.claim(db, first, user_id, "risk", 30)[:2]
    register_store.import_entries(db, "risk", written, user_id, first)  # then the worker died
    db.execute("UPDATE import_previews SET claimed_at = '2000-01-01T00:00:00.000000Z'")
    db.conn.commit()
    assert load_count(db) == 2
    second = import_token(upload(officer, register_csv(2, start=10)))
    assert confirm(officer, second).status_code == 302
    refs = {r[0] for r in db.execute("SELECT ref FROM risks WHERE ref LIKE 'LOAD-%'")}
    assert refs == {"LOAD-00010", "LOAD-00011"}
