"""Time the action plan page with 500 corporate actions (each with three milestones, one of them
overdue, and two progress updates); print a table. Target: under 300 ms.

Server time (the request handled in process, no network), median and slowest of repeated
requests, as business improvement and as a team lead (whose page lists only the actions their
teams serve). The instance is a fresh 40-team council in a temporary folder.

    .venv/bin/python bench/plan_page.py [--actions 500] [--repeat 20]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate, open_instance  # noqa: E402

from assess.demo import DEMO_PASSWORD  # noqa: E402
from assess.store import plan as plan_store  # noqa: E402
from assess.web.app import create_app  # noqa: E402

OFFICER = "sam.okafor@council.example"
AREAS = ("digital", "insight", "localities", "citizens")


def add_actions(folder: Path, count: int) -> None:
    db = open_instance(folder)
    areas = [r[0] for r in db.execute("SELECT DISTINCT readiness_area FROM corporate_actions")]
    today = date.today()
    for n in range(count):
        action_id = plan_store.add_corporate_action(
            db,
            {
                "ref": f"BENCH-{n:04d}",
                "title": f"Corporate action {n} for the bench",
                "readiness_area": areas[n % len(areas)] if areas else AREAS[n % 4],
                "strand": f"Strand {n % 6}",
                "lead_officer": "A. Officer",
                "lead_member": "Cllr B. Member",
                "rag": ("red", "amber", "green")[n % 3],
                "rag_reason": "" if n % 3 == 2 else "Waiting on the supplier",
            },
            None,
        )
        for days in (-30, 60, 200):
            due = (today + timedelta(days=days)).isoformat()
            plan_store.add_milestone(db, action_id, f"Milestone due in {days} days", due, None)
        for weeks in (10, 2):
            noted = (today - timedelta(weeks=weeks)).isoformat()
            plan_store.add_note(db, action_id, noted, "Progress as planned", "amber", "", None)
    db.conn.close()


def signed_in(app, email: str):
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    return client


def timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.data)
    return statistics.median(times), max(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assess-plan-bench-") as tmp:
        folder = Path(tmp)
        print(f"generating 40 teams and {args.actions} actions ...", file=sys.stderr, flush=True)
        generate(folder, 40, 3)
        add_actions(folder, args.actions)
        app = create_app({"TESTING": True, "SECRET_KEY": "bench"}, instance_path=folder)
        logging.getLogger("assess.requests").setLevel(logging.WARNING)  # a line per request
        lead = (
            open_instance(folder)
            .execute("SELECT email FROM users WHERE role = 'team_lead' ORDER BY id LIMIT 1")
            .fetchone()[0]
        )
        rows = [
            ("plan page, business improvement", signed_in(app, OFFICER), "/programme/plan"),
            ("plan page, a team lead", signed_in(app, lead), "/programme/plan"),
            ("scrutiny log", signed_in(app, OFFICER), "/programme/scrutiny"),
        ]
        print(f"\n{args.actions} corporate actions (+ the demo's), {args.repeat} requests each")
        print(f"{'page':34} {'median ms':>10} {'max ms':>8} {'KB':>6}")
        for name, client, url in rows:
            median, slowest, size = timed(client, url, args.repeat)
            print(f"{name:34} {median:10.1f} {slowest:8.1f} {size / 1024:6.0f}")
        print("target: the plan page under 300 ms")


if __name__ == "__main__":
    main()
