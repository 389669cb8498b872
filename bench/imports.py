"""Import a risk register of 10,000 rows and of the row limit, as CSV and as XLSX: time and peak
memory of the preview (read and check every row, keep the checked rows) and the confirm (write
them in short transactions), and the longest a concurrent save waited for the write lock.

.venv/bin/python bench/imports.py [--rows 10000 20000]

Builds a temporary instance (the demo council), then drives the real import page through Flask's
test client as business improvement, each file in a process of its own. Memory is that process's
peak resident size after the step (the interpreter and the app included, so the preview's figure
is the floor the confirm's starts from); times are taken with nothing else measuring. A second
thread saves an answer every 100 ms through the store while the confirm runs.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from openpyxl import Workbook

HEADINGS = [
    "Ref", "Title", "Cause", "Event", "Consequence", "Category", "Owner", "Date raised",
    "Inherent likelihood", "Inherent impact", "Current likelihood", "Current impact",
    "Target likelihood", "Target impact", "Response", "Existing controls", "Last review",
    "Next review", "Links",
]  # fmt: skip


AUDIT_KEY = "bench-audit-key-" + "0" * 48  # the temporary instance's audit chain key


def row(n: int) -> list[str]:
    return [
        f"B-{n:06}", f"Risk number {n}: the contact centre cannot recruit", "Pay below market",
        "Vacancies stay open", "Longer waits for residents", "People", "Head of Customer Services",
        "2024-06-01", "4", "3", "3", "3", "2", "2", "Treat", "Agency staff; overtime", "",
        "2025-06-01", "value:one-team",
    ]  # fmt: skip


def csv_file(rows: int) -> bytes:
    lines = [",".join(HEADINGS), *(",".join(row(n)) for n in range(rows))]
    return ("\n".join(lines) + "\n").encode()


def xlsx_file(rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADINGS)
    for n in range(rows):
        sheet.append(row(n))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def sign_in_as(client, user: dict) -> None:
    with client.session_transaction() as session:
        session["user_id"] = user["id"]
        session["session_version"] = user["session_version"]


def measured(step):
    """The step's result, its seconds, and the process's peak resident size after it (MB)."""
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    return result, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(template: Path, fmt: str, rows: int) -> dict:
    from assess import store
    from assess.web.app import create_app

    folder = Path(tempfile.mkdtemp())
    shutil.copy(template, folder / "assess.db")
    settings = {"TESTING": True, "AUDIT_KEY": AUDIT_KEY, "IMPORT_MAX_ROWS": max(rows, 20_000)}
    app = create_app(settings, instance_path=folder)
    db = store.connect(app.config["DATABASE_PATH"], audit_key=AUDIT_KEY)
    officer = store.user_by_email(db, "sam.okafor@council.example")
    lead = store.user_by_email(db, "priya.shah@council.example")
    team_id = store.team_id_by_name(db, "Housing Needs")
    assessment = store.find_assessment(db, team_id, store.current_round(db)["id"])
    client = app.test_client()
    sign_in_as(client, officer)
    content = csv_file(rows) if fmt == "csv" else xlsx_file(rows)
    token = hidden_fields(client.get("/registers/import").get_data(as_text=True))["csrf_token"]

    def preview():
        data = {"kind": "risk", "csrf_token": token, "file": (io.BytesIO(content), f"r.{fmt}")}
        return client.post("/registers/import", data=data, content_type="multipart/form-data")

    response, preview_seconds, preview_mb = measured(preview)
    html = response.get_data(as_text=True)
    assert "Every row is valid" in html, re.sub(r"<[^>]+>", " ", html)[:2000]
    fields = hidden_fields(html)
    waits: list[float] = []
    stop = threading.Event()

    def keep_saving():
        saver = store.connect(
            app.config["DATABASE_PATH"], check_same_thread=False, audit_key=AUDIT_KEY
        )
        key = store.answers_of(saver, assessment["id"])[0]["statement_key"]
        n = 0
        while not stop.is_set():
            n += 1
            started = time.perf_counter()
            store.save_answers(
                saver, assessment["id"], [{"statement_key": key, "level": 1 + n % 5}], lead["id"]
            )
            waits.append(time.perf_counter() - started)
            time.sleep(0.1)
        saver.conn.close()

    saver = threading.Thread(target=keep_saving)
    saver.start()
    try:
        response, confirm_seconds, confirm_mb = measured(
            lambda: client.post("/registers/import", data=fields)
        )
    finally:
        stop.set()
        saver.join()
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.execute("SELECT count(*) FROM risks WHERE ref LIKE 'B-%'").fetchone()[0] == rows
    db.conn.close()
    shutil.rmtree(folder)
    return {
        "file": f"{rows:,} rows {fmt.upper()} ({len(content) / 1024 / 1024:.1f} MB)",
        "preview": f"{preview_seconds:6.1f} s {preview_mb:6.0f} MB",
        "page": f"{len(html) / 1024:5.0f} KB",
        "confirm": f"{confirm_seconds:6.1f} s {confirm_mb:6.0f} MB",
        "saves": f"{len(waits):4} saves, longest {max(waits) * 1000:4.0f} ms",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"])
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)  # TEMPLATE ROWS FORMAT
    arguments = parser.parse_args()
    if arguments.one:
        template, rows, fmt = arguments.one
        print(json.dumps(run(Path(template), fmt, int(rows))))
        return

    from assess import demo, store
    from assess.assessment.questionnaire import load_folder
    from assess.config import DEFAULTS
    from assess.web.auth import hash_password

    template = Path(tempfile.mkdtemp()) / "assess.db"
    db = store.connect(template, audit_key=AUDIT_KEY)
    store.migrate(db)
    questionnaire = load_folder(Path(DEFAULTS["QUESTIONNAIRES"]))[demo.DEMO_QUESTIONNAIRE]
    demo.seed(db, questionnaire, hash_password(demo.DEMO_PASSWORD))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    print(f"{'file':<28} {'preview (time, peak)':<22} {'page':<9} {'confirm (time, peak)':<22} "
          "a team lead's saves during the confirm")  # fmt: skip
    for rows in arguments.rows:
        for fmt in arguments.formats:
            child = [sys.executable, __file__, "--one", str(template), str(rows), fmt]
            output = subprocess.run(child, capture_output=True, check=True, text=True).stdout
            figures = json.loads(output.splitlines()[-1])  # after the app's own log lines
            print(
                f"{figures['file']:<28} {figures['preview']:<22} {figures['page']:<9} "
                f"{figures['confirm']:<22} {figures['saves']}"
            )
    shutil.rmtree(template.parent)


if __name__ == "__main__":
    main()
