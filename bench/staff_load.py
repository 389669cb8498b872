"""Load test: staff answering their team's questionnaire anonymously, against gunicorn.

Builds the demo instance in a temporary folder, prints single-use codes for the open round's
teams (the printed-slip invitation), starts gunicorn through gunicorn.conf.py on a loopback
port, and lets `--staff` people arrive evenly over `--seconds`: each types their code, answers
every section (a level for each statement, sometimes a comment; "Save and continue", posting
back every hidden input as a browser does) and submits. Afterwards it checks the database
against what the server acknowledged (every acknowledged save's answers are there; every
acknowledged submission is submitted), prints the figures and exits non-zero if a check fails.
Loopback only; bounded; stops by itself. Target: p95 of a section save under 50 ms.

    .venv/bin/python bench/staff_load.py [--staff 2000] [--seconds 60] [--workers 4]
                                         [--concurrency 64]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import open_instance  # noqa: E402
from load import (  # noqa: E402
    BIN,
    Browser,
    Failed,
    Request,
    free_port,
    latency_row,
    read_form,
    start_server,
)

from assess import store  # noqa: E402
from assess.store import staff as staff_store  # noqa: E402

SECTION_LINK = re.compile(r'href="/staff/answers/([a-z0-9-]+)"')


@dataclass
class Outcome:
    """What the server acknowledged to one person."""

    saved: dict[str, int] = field(default_factory=dict)  # section -> statements acknowledged
    submitted: bool = False
    error: str = ""


def build_instance(folder: Path, staff: int) -> tuple[list[str], int]:
    """The demo instance and `staff` printed codes, spread over the open round's teams."""
    env = {**os.environ, "ASSESS_INSTANCE": str(folder), "ASSESS_ENV": "development"}
    subprocess.run(
        [str(BIN / "assess"), "init-db", "--demo-if-empty"],
        env=env,
        check=True,
        capture_output=True,
    )
    db = open_instance(folder)
    round_id = store.current_round(db)["id"]
    teams = store.round_scope(db, round_id)
    codes: list[str] = []
    for n, team_id in enumerate(teams):
        count = staff // len(teams) + (1 if n < staff % len(teams) else 0)
        codes += [
            s
            for _, s in staff_store.create_invitations(
                db, round_id, team_id, "printed", None, count=count
            )
        ]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return codes, round_id


def answer(port: int, code: str, log: list[Request], rng: random.Random) -> Outcome:
    """One member of staff: the code, every section, then submit."""
    outcome = Outcome()
    browser = Browser(port, log)
    try:
        status, page, _ = browser.request("code page", "GET", "/staff/")
        form = read_form(page)
        status, _, location = browser.request(
            "start with a code", "POST", "/staff/", {**form.hidden, "code": code}
        )
        if status != 302:
            outcome.error = f"code refused: {status}"
            return outcome
        status, page, _ = browser.request("task list", "GET", "/staff/answers/")
        sections = list(dict.fromkeys(SECTION_LINK.findall(page)))
        for section in sections:
            path = f"/staff/answers/{section}"
            status, page, _ = browser.request("section page", "GET", path)
            form = read_form(page)
            fields = {**form.hidden, "action": "continue"}
            for name, values in form.radios.items():
                fields[name] = rng.choice([v for v in values if v.isdigit()])
            if "comment" in form.textareas and rng.random() < 0.2:
                fields["comment"] = "More time with the people we serve."
            time.sleep(rng.uniform(0.1, 0.4))  # reading and choosing
            status, _, _ = browser.request("save a section (POST)", "POST", path, fields)
            if status != 302:
                outcome.error = f"save refused: {status}"
                return outcome
            outcome.saved[section] = len(form.radios)
        status, page, _ = browser.request("check page", "GET", "/staff/answers/check")
        form = read_form(page)
        status, _, _ = browser.request("submit", "POST", "/staff/answers/check", form.hidden)
        outcome.submitted = status == 302
        if not outcome.submitted:
            outcome.error = f"submit refused: {status}"
    except Failed as failed:
        outcome.error = str(failed)
    finally:
        browser.connection.close()
    return outcome


def check(folder: Path, round_id: int, outcomes: list[Outcome]) -> list[str]:
    """Acknowledged answers and submissions against the database."""
    db = sqlite3.connect(folder / "assess.db")
    answers = db.execute(
        """SELECT count(*) FROM staff_answers a JOIN staff_responses s ON s.id = a.response_id
           WHERE s.round_id = ?""",
        [round_id],
    ).fetchone()[0]
    submitted = db.execute(
        "SELECT count(*) FROM staff_responses WHERE round_id = ? AND status = 'submitted'",
        [round_id],
    ).fetchone()[0]
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()
    expected = sum(sum(o.saved.values()) for o in outcomes)
    acknowledged = sum(o.submitted for o in outcomes)
    problems = []
    if answers < expected:
        problems.append(f"lost answers: {expected - answers} of {expected} acknowledged")
    if submitted < acknowledged:
        problems.append(f"lost submissions: {acknowledged - submitted} of {acknowledged}")
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    print(f"answers acknowledged {expected}, stored {answers}; submissions acknowledged "
          f"{acknowledged}, stored {submitted}; integrity_check {integrity}")  # fmt: skip
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=64, help="people answering at once")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="assess-staff-load-"))
    print(f"building the demo instance and {args.staff} codes in {folder} ...", file=sys.stderr)
    codes, round_id = build_instance(folder, args.staff)
    port = free_port()
    server = start_server(folder, port, args.workers)
    log: list[Request] = []
    lock = threading.Lock()
    outcomes: list[Outcome] = []
    started = time.monotonic()

    def person(n: int, code: str) -> None:
        time.sleep(max(0.0, started + n * args.seconds / len(codes) - time.monotonic()))
        outcome = answer(port, code, log, random.Random(n))
        with lock:
            outcomes.append(outcome)

    try:
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for n, code in enumerate(codes):
                pool.submit(person, n, code)
        took = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(
        f"\ngunicorn, {args.workers} sync workers, loopback; {len(codes)} staff arriving over "
        f"{args.seconds:.0f} s, at most {args.concurrency} answering at once; {os.cpu_count()} "
        f"cores; all done in {took:.0f} s"
    )
    errors = [o.error for o in outcomes if o.error]
    statuses = [r for r in log if r.status is None or r.status >= 500]
    print(f"requests {len(log)} ({len(log) / took:.0f}/s); 5xx or no response {len(statuses)}; "
          f"people with an error {len(errors)}{': ' + errors[0] if errors else ''}")  # fmt: skip
    print(f"{'request (times in ms)':<34} {'n':>7} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    kinds = ["save a section (POST)", "section page", "start with a code", "submit", "task list"]
    for kind in kinds:
        print(latency_row(kind if kind != kinds[0] else kind, [r for r in log if r.kind == kind]))
    print(latency_row("all requests", log))
    problems = check(folder, round_id, outcomes)
    if errors or statuses:
        problems.append("requests failed")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    print("all checks passed" if not problems else "FAILED: " + "; ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
