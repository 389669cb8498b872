"""First views of the pages that show charts, as a browser loads them: the page, then every
picture it shows. Against a real server: gunicorn, 2 workers (and the chart renderer, where the
code being measured has one), on loopback.

Seeds a demo-style instance, starts the server from `--root` (default: this tree; point it at a
checkout of an earlier commit for a before-and-after), waits until the renderer has nothing left
to draw, then views each page once per team, round or filter, as business improvement: a first
view in that worker. Then a team lead submits and views their results at once: the page right
after a submission. Prints p50, p95 and max per page kind (page and pictures together, in ms)
and the memory of every server process (PSS counts shared pages once; RSS per process).

    .venv/bin/python bench/first_views.py [--teams 40] [--views 20] [--wait 900] [--root PATH]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import tempfile
import time
from html import unescape
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate, open_instance  # noqa: E402
from journey import (  # noqa: E402
    Client,
    charts_waiting,
    free_port,
    hidden_fields,
    percentiles,
    print_memory,
    processes,
    section_form,
    serve,
    together_mb,
)

from assess import store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PICTURE = re.compile(r'<img src="([^"]+)"')


def view(client: Client, path: str) -> float:
    """Load a page and every picture on it, one after another as a browser on one connection
    would; the seconds it took."""
    status, text, spent = client.request("GET", path)
    assert status == 200, f"{path}: {status}"
    for src in PICTURE.findall(text):
        if src.startswith("/") and not src.startswith("/static/"):
            status, _, elapsed = client.request("GET", unescape(src))
            assert status == 200, f"{src}: {status}"
            spent += elapsed
    return spent


def wait_until_drawn(folder: Path, seconds: float) -> float:
    """Wait until the renderer (if any) has nothing waiting; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        time.sleep(1)
        if not (folder / "charts.db").exists():
            if time.monotonic() - started > 15:
                break  # code without a renderer
            continue  # or it has not started yet
        if not charts_waiting(folder):
            break
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--views", type=int, default=20, help="teams whose pages are viewed")
    parser.add_argument(
        "--wait", type=float, default=900, help="the longest wait for the renderer (seconds)"
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="assess-first-views-"))
    print(f"seeding {args.teams} teams x 3 rounds into {folder} ...", file=sys.stderr, flush=True)
    generate(folder, teams=args.teams, rounds=3)
    db = open_instance(folder)
    round_ = store.current_round(db)
    rounds = [r["id"] for r in store.rounds(db)]
    assessed = [
        row[0]
        for row in db.execute(
            "SELECT team_id, id FROM assessments WHERE round_id = ? AND status IN "
            "('submitted', 'signed_off') ORDER BY team_id LIMIT ?",
            [round_["id"], args.views],
        )
    ]
    reports = [
        row[0]
        for row in db.execute(
            "SELECT id FROM assessments WHERE round_id = ? AND status = 'signed_off' "
            "ORDER BY team_id LIMIT ?",
            [round_["id"], args.views],
        )
    ]
    lead, draft_team = db.execute(
        """SELECT u.email, t.id FROM users u JOIN team_members m ON m.user_id = u.id
           JOIN teams t ON t.id = m.team_id
           LEFT JOIN assessments a ON a.team_id = t.id AND a.round_id = ?
           WHERE u.role = 'team_lead' AND (a.id IS NULL OR a.status = 'draft')
           GROUP BY t.id ORDER BY t.id LIMIT 1""",
        [round_["id"]],
    ).fetchone()
    directorates = [r[0] for r in db.execute("SELECT name FROM directorates ORDER BY id LIMIT 4")]
    db.conn.close()

    port = free_port()
    started = time.monotonic()
    server = serve(folder, args.root, port)
    try:
        serving = time.monotonic() - started
        drawn_in = wait_until_drawn(folder, seconds=args.wait)

        client = Client(port)
        client.sign_in("sam.okafor@council.example")
        kinds: dict[str, list[float]] = {}
        base = f"/teams/{{}}/rounds/{round_['id']}"
        for team in assessed:
            path = base.format(team) + "/results"
            kinds.setdefault("team results", []).append(view(client, path))
        for assessment in reports:
            path = f"/audit/assessments/{assessment}/report"
            kinds.setdefault("printable report", []).append(view(client, path))
        for round_id in rounds:
            path = f"/rounds/{round_id}/council"
            kinds.setdefault("council view", []).append(view(client, path))
        for dimension in ("value", "readiness_area"):
            for directorate in ["", *directorates]:
                path = f"/trends/{'' if dimension == 'value' else dimension}"
                path += f"?directorate={quote(directorate)}" if directorate else ""
                kinds.setdefault("trends", []).append(view(client, path))
            for round_id in rounds:
                path = f"/rounds/{round_id}/heatmap/{dimension}"
                kinds.setdefault("heatmap", []).append(view(client, path))
        for query in ("", "?stage=inherent", "?stage=target", "?band=Red", "?sort=ref"):
            kinds.setdefault("risk register", []).append(view(client, f"/registers/risks{query}"))

        # A team lead submits, then looks at the results at once.
        team_lead = Client(port)
        team_lead.sign_in(lead)
        team_base = base.format(draft_team)
        status, text, _ = team_lead.request("GET", team_base + "/")
        for section in sorted(set(re.findall(r"/sections/([a-z0-9-]+)", text))):
            status, text, _ = team_lead.request("GET", f"{team_base}/sections/{section}")
            form = {**section_form(text, "3"), **hidden_fields(text), "action": "continue"}
            team_lead.request("POST", f"{team_base}/sections/{section}", form)
        status, text, _ = team_lead.request("GET", team_base + "/check")
        form = {"confirm": "y", **hidden_fields(text)}
        status, _, _ = team_lead.request("POST", team_base + "/check", form)
        assert status == 302, f"submit gave {status}"
        after = view(team_lead, team_base + "/results")
        kinds["results right after submitting"] = [after]
        after_views = processes(server.pid)
        for _ in range(120):  # a renderer ends once it has had nothing to draw for a while
            at_rest = processes(server.pid)
            if len(at_rest) <= 1 + 2 + 1:  # master, 2 workers and at most the supervisor
                break
            time.sleep(1)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    print(f"gunicorn, 2 workers, loopback, {args.teams} teams; server from {args.root}")
    print(
        f"serving after {serving:.2f} s; measured after waiting {drawn_in:.0f} s for the renderer"
    )
    print(f"{'first view (page and its pictures)':<44} {'n':>5} {'p50':>8} {'p95':>8} {'max':>8}")
    for kind, times in kinds.items():
        print(f"{kind:<44} {percentiles(times)}")
    for when, found in (("after the views", after_views), ("at rest", at_rest)):
        print_memory(when, found)
        print(f"PSS of all {len(found)} server processes {together_mb(found):.0f} MB")


if __name__ == "__main__":
    main()
