"""Load test: team leads saving and submitting against gunicorn, one worker killed midway.

Builds a demo instance in a temporary folder (`assess init-db --demo-if-empty`), adds one new
team and team lead per simulated user, starts gunicorn through gunicorn.conf.py on a free
loopback port, and runs the users for a fixed time. Each signs in, opens sections, saves them with
valid answers (posting back every hidden input of the page, as a browser does) and, most of them,
submits, then reads their results. Halfway through one worker is sent SIGKILL. Afterwards it
checks the database against what the server acknowledged, prints the figures and exits non-zero
if a check fails. Loopback only; stops by itself.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--workers 4] [--think 1.0]
                                   [--backup] [--root CHECKOUT]
"""

from __future__ import annotations

import argparse
import html
import http.client
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import audit_key, open_instance  # noqa: E402

from assess import store  # noqa: E402

try:
    from assess.charts.renderer import SUPERVISOR_NAME
except ImportError:  # measuring a checkout from before the renderer (--root, PYTHONPATH)
    SUPERVISOR_NAME = "assess-charts"
from assess.demo import DEMO_PASSWORD  # noqa: E402
from assess.store.audit import check_audit_trail  # noqa: E402
from assess.web.auth import hash_password  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv/bin"
TAG = re.compile(r"<(input|textarea)\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([a-zA-Z_:][-\w:.]*)\s*=\s*"([^"]*)"')
SECTION_LINK = re.compile(r'href="[^"]*/sections/([a-z0-9-]+)"')


# --- the simulated browser ----------------------------------------------------------------------


@dataclass
class Request:
    kind: str
    started: float
    ended: float
    status: int | None  # None: no response (the connection failed)
    error: str = ""


class Failed(Exception):
    """A request got no response: the connection was refused, reset or closed."""


class Browser:
    """One team lead's browser: a loopback connection, the session cookie, no redirects followed."""

    def __init__(self, port: int, log: list[Request]):
        self.port, self.log = port, log
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, kind: str, method: str, path: str, form: dict | None = None
    ) -> tuple[int, str, str]:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.log.append(Request(kind, started, time.monotonic(), None, type(error).__name__))
            self.connection.close()
            raise Failed(f"{method} {path}: {error!r}") from error
        self.log.append(Request(kind, started, time.monotonic(), response.status))
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, text, response.getheader("Location", "")


@dataclass
class Form:
    """A page's form as a browser sees it: hidden inputs, radio groups, text areas, checkboxes."""

    hidden: dict[str, str] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)
    textareas: list[str] = field(default_factory=list)
    checkboxes: dict[str, str] = field(default_factory=dict)


def read_form(page: str) -> Form:
    form = Form()
    for tag, attributes in TAG.findall(page):
        attrs = {k.lower(): html.unescape(v) for k, v in ATTRIBUTE.findall(attributes)}
        name = attrs.get("name")
        if not name:
            continue
        kind = attrs.get("type", "text").lower()
        if tag.lower() == "textarea":
            form.textareas.append(name)
        elif kind == "hidden":
            form.hidden[name] = attrs.get("value", "")
        elif kind == "radio":
            form.radios.setdefault(name, []).append(attrs.get("value", ""))
        elif kind == "checkbox":
            form.checkboxes[name] = attrs.get("value", "on")
    return form


# --- what the users did, and what the server said ------------------------------------------------


@dataclass
class Save:
    """A section save as posted: per statement (level or None for not applicable, evidence)."""

    team_id: int
    answers: dict[str, tuple[int | None, str]]
    acknowledged: bool = False


@dataclass
class Run:
    log: list[Request] = field(default_factory=list)
    saves: list[Save] = field(default_factory=list)  # in the order each user posted them
    submitted: set[int] = field(default_factory=set)  # acknowledged submissions, by team
    surprises: list[str] = field(default_factory=list)  # responses a browser would not expect
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, message: str) -> None:
        with self.lock:
            if len(self.surprises) < 200:
                self.surprises.append(message)


class TeamLead:
    """One simulated team lead of one team, working through the round's assessment."""

    def __init__(self, n: int, email: str, team_id: int, round_id: int, args, port: int, run: Run):
        self.n, self.email, self.team_id, self.args, self.run = n, email, team_id, args, run
        self.base = f"/teams/{team_id}/rounds/{round_id}"
        self.browser = Browser(port, run.log)
        self.rng = random.Random(n)
        self.saves = 0
        self.sections: list[str] = []
        self.saved_sections: set[str] = set()

    def think(self) -> None:
        if self.args.think:
            time.sleep(self.rng.uniform(0.5, 1.5) * self.args.think)

    def sign_in(self) -> None:
        for _ in range(5):
            try:
                _, page, _ = self.browser.request("sign_in_page", "GET", "/sign-in")
                fields = {**read_form(page).hidden, "email": self.email, "password": DEMO_PASSWORD}
                status, _, _ = self.browser.request("sign_in", "POST", "/sign-in", fields)
            except Failed:
                time.sleep(0.2)
                continue
            if status == 302:
                return
            self.run.note(f"sign-in as {self.email} gave {status}")
        raise RuntimeError(f"{self.email} could not sign in")

    def open_task_list(self) -> None:
        status, page, _ = self.browser.request("task_list", "GET", f"{self.base}/")
        if status != 200:
            self.run.note(f"task list gave {status}")
        if not self.sections:
            self.sections = list(dict.fromkeys(SECTION_LINK.findall(page)))

    def save_section(self, section: str) -> bool:
        """Open the section, answer every statement, post it; True when the server acknowledged.
        A save whose response never came is retried on a freshly opened page."""
        path = f"{self.base}/sections/{section}"
        for _ in range(5):
            try:
                status, page, _ = self.browser.request("section_page", "GET", path)
            except Failed:
                continue
            if status != 200:
                self.run.note(f"GET {path} gave {status}")
                return False
            form = read_form(page)
            fields = dict(form.hidden)
            self.saves += 1
            evidence = f"load test: lead {self.n}, save {self.saves}"
            answers = {}
            for name, values in form.radios.items():
                if not name.endswith("-level"):
                    continue
                key = name[: -len("-level")]
                levels = [v for v in values if v.isdigit()]
                if "na" in values and self.rng.random() < 0.05:
                    fields[name] = "na"
                    fields[f"{key}-na-reason"] = "Not part of this team's work (load test)"
                    answers[key] = (None, evidence)
                else:
                    fields[name] = self.rng.choice(levels)
                    answers[key] = (int(fields[name]), evidence)
                fields[f"{key}-evidence"] = evidence
            for name in form.textareas:
                fields.setdefault(name, "")
            fields["action"] = self.rng.choice(["continue", "continue", "later"])
            save = Save(self.team_id, answers)
            self.run.saves.append(save)
            try:
                status, _, location = self.browser.request("save", "POST", path, fields)
            except Failed:
                self.think()
                continue  # unknown whether it landed: open the page again and save anew
            if status == 302 and self.within_assessment(location):
                save.acknowledged = True
                self.saved_sections.add(section)
                return True
            self.run.note(f"save of {path} gave {status} to {location!r}")
            return False
        return False

    def within_assessment(self, location: str) -> bool:
        """Where a successful save leads: the next section, check answers or the task list
        (not the sign-in page, which would mean the session was lost)."""
        path = urllib.parse.urlsplit(location).path
        return path.startswith(f"{self.base}/sections/") or path in (
            f"{self.base}/check",
            f"{self.base}/",
        )

    def submit(self) -> bool:
        path = f"{self.base}/check"
        for _ in range(5):
            try:
                status, page, _ = self.browser.request("check_page", "GET", path)
                if status != 200:
                    self.run.note(f"GET {path} gave {status}")
                    return False
                form = read_form(page)
                if not form.checkboxes:
                    return True  # already submitted (a lost response to an earlier attempt)
                fields = {**form.hidden, **form.checkboxes}
                status, _, location = self.browser.request("submit", "POST", path, fields)
            except Failed:
                continue
            if status == 302 and location.endswith("/submitted"):
                with self.run.lock:
                    self.run.submitted.add(self.team_id)
                return True
            self.run.note(f"submit of {path} gave {status} to {location!r}")
            return False
        return False

    def read_results(self) -> None:
        kind, path = self.rng.choice(
            [("results", f"{self.base}/results"), ("task_list", f"{self.base}/")]
        )
        try:
            status, _, _ = self.browser.request(kind, "GET", path)
        except Failed:
            return
        if status != 200:
            self.run.note(f"GET {path} gave {status}")

    def work(self, started: float, deadline: float) -> None:
        will_submit = self.n % 5 != 0  # one in five leave their assessment as a draft
        submit_after = started + self.rng.uniform(0.4, 0.9) * (deadline - started)
        submitted = False
        time.sleep(self.n * self.args.ramp / max(1, self.args.users))  # arrivals spread out
        try:
            self.sign_in()
            self.open_task_list()
            while time.monotonic() < deadline:
                self.think()
                if submitted:
                    self.read_results()
                    continue
                complete = self.saved_sections.issuperset(self.sections)
                if will_submit and complete and time.monotonic() >= submit_after:
                    submitted = self.submit()
                    continue
                unsaved = [s for s in self.sections if s not in self.saved_sections]
                self.save_section(unsaved[0] if unsaved else self.rng.choice(self.sections))
        except Failed as error:
            self.run.note(f"lead {self.n}: {error}")
        except Exception as error:  # reported in the figures; one user must not stop the rest
            self.run.note(f"lead {self.n} stopped: {error!r}")


# --- the instance and the server ----------------------------------------------------------------


def build_instance(folder: Path, users: int) -> tuple[list[tuple[str, int]], int]:
    """The demo instance, plus a new team and team lead for each simulated user."""
    env = {**os.environ, "ASSESS_INSTANCE": str(folder), "ASSESS_ENV": "development"}
    subprocess.run(
        [str(BIN / "assess"), "init-db", "--demo-if-empty"],
        env=env,
        check=True,
        capture_output=True,
    )
    db = open_instance(folder)
    round_id = store.current_round(db)["id"]
    directorate = store.add_directorate(db, "Load Test")
    password = hash_password(DEMO_PASSWORD)
    leads = []
    for n in range(users):
        team_id = store.add_team(db, f"Load Test Team {n + 1:03d}", directorate)
        email = f"load.lead.{n + 1:03d}@council.example"
        store.create_user(db, email, f"Load Lead {n + 1}", "team_lead", password, [team_id])
        leads.append((email, team_id))
    scope = store.round_scope(db, round_id)
    store.set_round_scope(db, round_id, [*scope, *(t for _, t in leads)], None)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return leads, round_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder: Path, port: int, workers: int, root: Path = ROOT) -> subprocess.Popen:
    env = {
        **os.environ,
        "ASSESS_INSTANCE": str(folder),
        "ASSESS_SECRET_KEY": "load-test",
        "ASSESS_AUDIT_KEY": audit_key(folder),
        "ASSESS_ENV": "production",
        "ASSESS_BIND": f"127.0.0.1:{port}",
        "ASSESS_WORKERS": str(workers),
        "PYTHONPATH": str(root),
    }
    log = (folder / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start-up; see {folder / 'gunicorn.log'}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200 and len(workers_of(server.pid)) == workers:
                time.sleep(2)  # let every worker start its chart renderer
                return server
        except OSError:
            pass
        time.sleep(0.2)
    os.killpg(server.pid, signal.SIGTERM)
    sys.exit("gunicorn did not answer within 60 s")


def workers_of(master: int) -> list[int]:
    """The master's web workers (not the chart renderer's supervisor beside them)."""
    children = Path(f"/proc/{master}/task/{master}/children")
    pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    return [pid for pid in pids if is_web_worker(pid)]


def is_web_worker(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() != SUPERVISOR_NAME
    except OSError:  # it has just ended
        return False


@dataclass
class Kill:
    pid: int = 0
    at: float = 0.0


def kill_a_worker(master: int, at: float, kill: Kill) -> None:
    time.sleep(max(0.0, at - time.monotonic()))
    workers = workers_of(master)
    if workers:
        kill.pid, kill.at = workers[0], time.monotonic()
        os.kill(kill.pid, signal.SIGKILL)


@dataclass
class BackupResult:
    started: float = 0.0
    seconds: float = 0.0
    error: str = ""


def back_up_at(live: Path, copy: Path, at: float, result: BackupResult) -> None:
    time.sleep(max(0.0, at - time.monotonic()))
    result.started = time.monotonic()
    try:
        store.backup(live, copy)
    except Exception as error:  # reported with the checks
        result.error = repr(error)
    result.seconds = time.monotonic() - result.started


# --- the checks ---------------------------------------------------------------------------------


def lost_saves(db: sqlite3.Connection, run: Run) -> tuple[int, list[str]]:
    """Each statement's stored answer must be the last acknowledged save of it, or a later save
    whose response was lost. Returns the statements checked and the ones that differ."""
    expected: dict[tuple[int, str], set[tuple[int | None, str]]] = {}
    for save in run.saves:  # each user's saves are in order, and users do not share teams
        for key, answer in save.answers.items():
            if save.acknowledged:
                expected[(save.team_id, key)] = {answer}
            elif (save.team_id, key) in expected:
                expected[(save.team_id, key)].add(answer)
    rows = db.execute(
        """SELECT a.team_id, s.statement_key, s.level, s.evidence FROM answers s
           JOIN assessments a ON a.id = s.assessment_id
           JOIN teams t ON t.id = a.team_id WHERE t.name LIKE 'Load Test Team %'"""
    ).fetchall()
    stored = {(team, key): (level, evidence) for team, key, level, evidence in rows}
    problems = [
        f"team {team} statement {key}: stored {stored.get((team, key))}, acknowledged {answers}"
        for (team, key), answers in expected.items()
        if stored.get((team, key)) not in answers
    ]
    return len(expected), problems


def half_submitted(db: sqlite3.Connection) -> list[str]:
    """A submitted assessment has scores, a reference and a 'submitted' review; a load-test
    draft has none of them."""
    problems = []
    for assessment_id, team, status, referenced, scores, reviews in db.execute(
        """SELECT a.id, t.name, a.status, a.reference IS NOT NULL,
             (SELECT count(*) FROM scores s WHERE s.assessment_id = a.id),
             (SELECT count(*) FROM assessment_reviews r
               WHERE r.assessment_id = a.id AND r.action = 'submitted')
           FROM assessments a JOIN teams t ON t.id = a.team_id"""
    ):
        if status in ("submitted", "signed_off") and not (referenced and scores and reviews):
            problems.append(f"assessment {assessment_id} is {status} without all its parts")
        if team.startswith("Load Test") and status == "draft" and (referenced or scores or reviews):
            problems.append(f"assessment {assessment_id} is a draft with parts of a submission")
    return problems


def check_snapshot(folder: Path, path: Path) -> list[str]:
    """An online backup taken under load: sound, nothing half submitted, its audit chain whole."""
    problems = []
    try:
        store.check_backup(path)
    except store.StorageError as error:
        return [f"backup: {error}"]
    db = open_instance(folder, path)
    try:
        problems += [f"backup: {p}" for p in half_submitted(db.conn)]
        chain = check_audit_trail(db)
        if not chain.intact:
            problems.append(f"backup: {chain.summary()}")
    finally:
        db.conn.close()
    return problems


# --- figures ------------------------------------------------------------------------------------


def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, max(0, round(p / 100 * len(sorted_ms)) - 1))]


def latency_row(label: str, requests: list[Request]) -> str:
    ms = sorted((r.ended - r.started) * 1000 for r in requests)
    figures = " ".join(f"{percentile(ms, p):>8.1f}" for p in (50, 95, 99))
    return f"{label:<34} {len(ms):>7} {figures} {ms[-1] if ms else float('nan'):>8.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between a user's steps, in seconds"
    )
    parser.add_argument(
        "--ramp", type=float, default=10, help="seconds over which the users sign in"
    )
    parser.add_argument("--backup", action="store_true", help="take an online backup midway")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="serve the code of this checkout (before/after)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="assess-load-"))
    print(f"building the demo instance and {args.users} team leads in {folder} ...", flush=True)
    leads, round_id = build_instance(folder, args.users)
    port = free_port()
    server = start_server(folder, port, args.workers, args.root)
    run, kill, backup = Run(), Kill(), BackupResult()
    try:
        started = time.monotonic()
        deadline = started + args.seconds
        users = [
            TeamLead(n, email, team_id, round_id, args, port, run)
            for n, (email, team_id) in enumerate(leads)
        ]
        threads = [
            threading.Thread(target=u.work, args=(started, deadline), daemon=True) for u in users
        ]
        threads.append(
            threading.Thread(
                target=kill_a_worker, args=(server.pid, started + args.seconds / 2, kill)
            )
        )
        if args.backup:
            threads.append(
                threading.Thread(
                    target=back_up_at,
                    args=(
                        folder / "assess.db",
                        folder / "backup.db",
                        started + args.seconds * 0.7,
                        backup,
                    ),
                )
            )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - started
        workers_after = workers_of(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    # Checks against the database, with the server stopped.
    failures: list[str] = []
    db = sqlite3.connect(folder / "assess.db")
    checked, lost = lost_saves(db, run)
    failures += lost[:20]
    failures += half_submitted(db)
    not_submitted = [
        team
        for team in run.submitted
        if db.execute(
            "SELECT status FROM assessments WHERE team_id = ? AND round_id = ?", [team, round_id]
        ).fetchone()
        != ("submitted",)
    ]
    failures += [f"team {team}: acknowledged submission is not stored" for team in not_submitted]
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    if integrity != "ok":
        failures.append(f"integrity_check: {integrity}")
    db.close()
    verify = subprocess.run(
        [str(BIN / "assess"), "--instance", str(folder), "audit", "verify"],
        capture_output=True,
        text=True,
        env={**os.environ, "ASSESS_ENV": "development"},
    )
    if verify.returncode != 0:
        failures.append(f"audit verify: {verify.stdout}{verify.stderr}".strip())
    if args.backup:
        if backup.error:
            failures.append(f"backup: {backup.error}")
        else:
            failures += check_snapshot(folder, folder / "backup.db")

    # Which failed connections the killed worker explains: those open at the moment of the kill.
    no_response = [r for r in run.log if r.status is None]
    killed = [r for r in no_response if kill.pid and r.started <= kill.at + 0.05 <= r.ended + 5]
    unexplained = [r for r in no_response if r not in killed]
    served = [r for r in run.log if r.status is not None]
    server_errors = [r for r in served if r.status >= 500]
    saves = [r for r in served if r.kind == "save"]
    acknowledged = sum(1 for s in run.saves if s.acknowledged)
    if server_errors:
        failures.append(f"{len(server_errors)} responses with status 5xx")
    if unexplained:
        failures.append(f"{len(unexplained)} requests without a response besides the kill")

    print()
    print(
        f"gunicorn, {args.workers} sync workers, loopback; {args.users} team leads for "
        f"{args.seconds:.0f} s (signing in over the first {args.ramp:g} s), think time "
        f"{args.think:g} s (mean); {os.cpu_count()} cores"
    )
    print(
        f"requests served {len(served)} ({len(served) / elapsed:.0f}/s); 5xx {len(server_errors)}; "
        f"other unexpected responses {len(run.surprises)}; no response {len(no_response)} "
        f"({len(killed)} in flight on the killed worker, {len(unexplained)} otherwise)"
    )
    print(
        f"worker {kill.pid or '(none)'} killed at {kill.at - started:.1f} s; "
        f"{len(workers_after)} workers running at the end"
    )
    print(f"{'request (times in ms)':<34} {'n':>7} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    print(latency_row("save a section (POST)", saves))
    print(latency_row("all requests", served))
    print(latency_row("all but sign-ins", [r for r in served if r.kind != "sign_in"]))
    for kind in ("section_page", "task_list", "check_page", "submit", "results", "sign_in"):
        print(latency_row(f"  {kind.replace('_', ' ')}", [r for r in served if r.kind == kind]))
    windows = []
    for start in range(0, int(args.seconds), 10):
        ms = sorted(
            (r.ended - r.started) * 1000
            for r in served
            if r.kind != "sign_in" and start <= r.started - started < start + 10
        )
        windows.append(f"{start}-{start + 10} s: {percentile(ms, 95):.0f}")
    print(f"p95 of all but sign-ins, by when sent: {'; '.join(windows)}")
    print(
        f"saves acknowledged {acknowledged} of {len(run.saves)} posted; statements checked "
        f"{checked}, lost {len(lost)}; submissions acknowledged {len(run.submitted)}"
    )
    print(f"integrity_check {integrity}; audit verify: {(verify.stdout or verify.stderr).strip()}")
    if args.backup:
        consistent = not any(f.startswith("backup") for f in failures)
        print(
            f"online backup at {backup.started - started:.1f} s took "
            f"{backup.seconds * 1000:.0f} ms: {'consistent' if consistent else 'FAILED'}"
        )
    for message in run.surprises[:10]:
        print(f"  unexpected: {message}")
    for failure in failures:
        print(f"FAIL {failure}")
    print("all checks passed" if not failures else f"{len(failures)} checks failed")
    if not args.keep:
        shutil.rmtree(folder)
    else:
        print(f"instance kept in {folder}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
