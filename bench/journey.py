"""Time the team-lead journey against a real server: gunicorn with 2 workers on loopback.

Seeds a demo-style instance (200 teams, so there are enough unsubmitted assessments), starts
gunicorn, and drives it with a scripted client (keep-alive, cookies, CSRF tokens as a browser
would send them). Prints p50/p95 per request kind, the servers' memory at the end of the run
(while the chart renderer is still drawing) and at rest, and how long the renderer took to draw
what the run asked for. Stops by itself.

    .venv/bin/python bench/journey.py [--saves 200] [--questionnaires 35] [--results 200]
                                      [--root CHECKOUT]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import audit_key, generate, open_instance  # noqa: E402

from assess import store  # noqa: E402

try:
    from assess.charts.renderer import RENDERER_NAME
except ImportError:  # measuring a checkout from before the renderer (--root)
    RENDERER_NAME = "assess-draw"
from assess.demo import DEMO_PASSWORD  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CATCH_UP_SECONDS = 900  # the longest wait for the renderer to draw what the run asked for
HIDDEN = re.compile(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """A form's hidden inputs (CSRF token, the fingerprint of the answers shown)."""
    return dict(HIDDEN.findall(html))


class Client:
    """A browser-like client on one keep-alive connection: cookies and CSRF tokens."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, float]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        if cookie := response.getheader("Set-Cookie"):
            self.cookie = cookie.split(";", 1)[0]
        return response.status, text, elapsed

    def token(self, path: str) -> str:
        status, text, _ = self.request("GET", path)
        match = TOKEN.search(text)
        if status != 200 or not match:
            raise RuntimeError(f"GET {path} gave {status} without a form")
        return match.group(1)

    def sign_in(self, email: str) -> None:
        token = self.token("/sign-in")
        status, _, _ = self.request(
            "POST", "/sign-in", {"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        if status != 302:
            raise RuntimeError(f"sign-in as {email} gave {status}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder: Path, root: Path, port: int) -> subprocess.Popen:
    """gunicorn (2 workers, gunicorn.conf.py) serving the code of checkout `root` on loopback,
    once it answers."""
    env = {
        **os.environ,
        "ASSESS_INSTANCE": str(folder),
        "ASSESS_SECRET_KEY": "bench",
        "ASSESS_AUDIT_KEY": audit_key(folder),
        "ASSESS_ENV": "production",
        "ASSESS_BIND": f"127.0.0.1:{port}",
        "ASSESS_WORKERS": "2",
        "PYTHONPATH": str(root),  # the code under root, not this tree's
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--log-level", "warning", "wsgi:app"],
        cwd=root,
        env=env,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return server


class Process(NamedTuple):
    """A server process and its memory in MB. PSS splits shared pages between the processes
    sharing them, so it adds up (anonymous: heap, copied-on-write pages; file: code and libraries
    mapped from disk); RSS counts shared pages once per process."""

    pid: int
    name: str
    pss: float
    pss_anon: float
    pss_file: float
    rss: float


def processes(pid: int) -> list[Process]:
    """A process and all its descendants, the process first."""
    found, queue = [], [pid]
    while queue:
        process = queue.pop(0)
        children = subprocess.run(["pgrep", "-P", str(process)], capture_output=True, text=True)
        queue += map(int, children.stdout.split())
        try:
            rollup = Path(f"/proc/{process}/smaps_rollup").read_text()
            name = Path(f"/proc/{process}/comm").read_text().strip()
        except OSError:
            continue  # it ended meanwhile (a renderer done drawing)
        sizes = {}
        for line in rollup.splitlines():
            key, value, *_ = line.split()
            sizes[key] = int(value) / 1024 if value.isdigit() else 0.0
        found.append(
            Process(
                process,
                name,
                sizes["Pss:"],
                sizes.get("Pss_Anon:", 0.0),
                sizes.get("Pss_File:", 0.0),
                sizes["Rss:"],
            )
        )
    return found


def together_mb(found: list[Process]) -> float:
    """PSS of all the server's processes: master, web workers, renderer and its supervisor."""
    return sum(process.pss for process in found)


def memory_mb(master: int, found: list[Process]) -> dict[str, float]:
    """PSS of the master, the web workers and the chart renderer (with its supervisor), and the
    largest RSS of a web worker."""
    totals = {"master": 0.0, "workers": 0.0, "renderer": 0.0, "worker_rss": 0.0}
    for process in found:
        part = "renderer" if process.name.startswith("assess-") else "workers"
        part = "master" if process.pid == master else part
        totals[part] += process.pss
        if part == "workers":
            totals["worker_rss"] = max(totals["worker_rss"], process.rss)
    return totals


def charts_waiting(folder: Path) -> int:
    """Charts and changed rounds the renderer has still to work through (0 without a cache)."""
    path = folder / "charts.db"
    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(
            "SELECT (SELECT count(*) FROM wanted WHERE attempts < 3)"
            " + (SELECT count(*) FROM changed)"
        ).fetchone()[0]


def print_memory(when: str, found: list[Process]) -> None:
    """Each server process's memory."""
    print(f"server memory {when}:")
    for process in found:
        print(
            f"  pid {process.pid:<8} {process.name:<14} PSS {process.pss:5.0f} MB "
            f"(anonymous {process.pss_anon:4.0f}, file {process.pss_file:4.0f})   "
            f"RSS {process.rss:5.0f} MB"
        )


def percentiles(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * len(ms))) - 1)]
    return f"{len(ms):>5} {statistics.median(ms):>8.1f} {p95:>8.1f} {max(ms):>8.1f}"


def section_form(text: str, level: str) -> dict:
    """What a browser posts for a section page: a level for every statement on it."""
    names = sorted(set(re.findall(r'name="([a-z0-9_-]+-level)"', text)))
    return {name: level for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--questionnaires", type=int, default=35)
    parser.add_argument("--results", type=int, default=200)
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="serve the code of this checkout (before/after)"
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="assess-bench-"))
    print(f"seeding 200 teams x 2 rounds into {folder} ...", file=sys.stderr, flush=True)
    generate(folder, teams=200, rounds=2)
    db = open_instance(folder)
    round_ = store.current_round(db)
    leads = db.execute(
        """SELECT u.email, t.id FROM users u JOIN team_members m ON m.user_id = u.id
           JOIN teams t ON t.id = m.team_id
           LEFT JOIN assessments a ON a.team_id = t.id AND a.round_id = ?
           WHERE u.role = 'team_lead' AND (a.id IS NULL OR a.status = 'draft')
           GROUP BY t.id ORDER BY t.id""",
        [round_["id"]],
    ).fetchall()
    submitted = db.execute(
        "SELECT team_id FROM assessments WHERE round_id = ? AND status = 'submitted' LIMIT 1",
        [round_["id"]],
    ).fetchone()[0]
    db.conn.close()
    needed = args.questionnaires + 1
    if len(leads) < needed:
        sys.exit(f"only {len(leads)} unsubmitted teams; need {needed}")

    port = free_port()
    server = serve(folder, args.root, port)
    try:
        values = [
            "one-team",
            "inclusion-respect",
            "service-excellence",
            "stepping-up",
            "amazing-outcomes",
        ]

        # 1. Saving a section, repeatedly, by one team lead.
        email, team_id = leads[0]
        client = Client(port)
        client.sign_in(email)
        base = f"/teams/{team_id}/rounds/{round_['id']}"
        saves = []
        for i in range(args.saves):
            path = f"{base}/sections/{values[i % 5]}"
            status, text, _ = client.request("GET", path)
            form = {
                **section_form(text, str(1 + i % 5)),
                **hidden_fields(text),
                "action": "continue",
            }
            status, _, elapsed = client.request("POST", path, form)
            assert status == 302, status
            saves.append(elapsed)

        # 2. Whole questionnaires: every section saved, then submitted.
        totals, requests = [], []
        for email, team_id in leads[1 : 1 + args.questionnaires]:
            client = Client(port)
            client.sign_in(email)
            base = f"/teams/{team_id}/rounds/{round_['id']}"
            spent = 0.0
            for value in values:
                status, text, _ = client.request("GET", f"{base}/sections/{value}")
                form = {
                    **section_form(text, "3"),
                    **hidden_fields(text),
                    "action": "continue",
                }
                status, _, elapsed = client.request("POST", f"{base}/sections/{value}", form)
                assert status == 302, status
                spent += elapsed
                requests.append(elapsed)
            status, text, _ = client.request("GET", f"{base}/check")
            status, _, elapsed = client.request(
                "POST", f"{base}/check", {"confirm": "y", **hidden_fields(text)}
            )
            assert status == 302, status
            spent += elapsed
            requests.append(elapsed)
            totals.append(spent)

        # 3. The results page of a submitted assessment, and its charts once cached.
        client = Client(port)
        client.sign_in("sam.okafor@council.example")
        base = f"/teams/{submitted}/rounds/{round_['id']}"
        first_chart = [
            client.request("GET", f"{base}/charts/{d}.svg")[2] for d in ("value", "readiness_area")
        ]
        pages, charts = [], []
        for _ in range(args.results):
            status, _, elapsed = client.request("GET", f"{base}/results")
            assert status == 200, status
            pages.append(elapsed)
            for dimension in ("value", "readiness_area"):
                charts.append(client.request("GET", f"{base}/charts/{dimension}.svg")[2])
        end_of_run = processes(server.pid)
        waiting = charts_waiting(folder)
        # The renderer draws what the run asked for, then ends once it has had nothing to
        # draw for a while: memory at rest.
        ended, caught_up, peak = time.monotonic(), None, together_mb(end_of_run)
        while time.monotonic() - ended < CATCH_UP_SECONDS:
            at_rest = processes(server.pid)
            peak = max(peak, together_mb(at_rest))
            if caught_up is None and not charts_waiting(folder):
                caught_up = time.monotonic() - ended
            if caught_up is not None and all(p.name != RENDERER_NAME for p in at_rest):
                break
            time.sleep(0.5)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)

    print("gunicorn, 2 workers, loopback; times are request times in ms")
    print(f"{'request':<44} {'n':>5} {'p50':>8} {'p95':>8} {'max':>8}")
    print(f"{'save a section (POST)':<44} {percentiles(saves)}")
    print(f"{'questionnaire requests (5 saves + submit)':<44} {percentiles(requests)}")
    print(f"{'whole questionnaire, sum of its 6 requests':<44} {percentiles(totals)}")
    print(f"{'results page (HTML)':<44} {percentiles(pages)}")
    print(f"{'results chart SVG, cached':<44} {percentiles(charts)}")
    print(f"{'results chart SVG, first request':<44} {percentiles(first_chart)}")
    drawn_in = (
        f"{caught_up:.1f} s later" if caught_up is not None else f"not within {CATCH_UP_SECONDS} s"
    )
    print(
        f"chart renderer: {waiting} charts or changed rounds waiting at the end of the run, "
        f"all drawn {drawn_in}; PSS together at most {peak:.0f} MB meanwhile"
    )
    for when, found in (("at the end of the run", end_of_run), ("at rest", at_rest)):
        print_memory(when, found)
    for when, found in (("at the end of the run", end_of_run), ("at rest", at_rest)):
        figures = memory_mb(server.pid, found)
        together = figures["workers"] + figures["master"] + figures["renderer"]
        print(
            f"PSS together {when}: {together:.0f} MB (master {figures['master']:.0f}, "
            f"2 workers {figures['workers']:.0f}, chart renderer and supervisor "
            f"{figures['renderer']:.0f}); largest web worker RSS {figures['worker_rss']:.0f} MB"
        )


if __name__ == "__main__":
    main()
