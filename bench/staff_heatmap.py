"""Time the round heatmap's staff view (and the auditors' staff figures export) at 1,000 teams
with 20,000 staff responses; print a table.

The responses are written straight into the instance's open round (`record_submitted_responses`,
their scores kept as a submission keeps them), 20 to a team but a few teams below the minimum.
Server time (the request handled in process), over repeated requests. Target: under 500 ms.

    .venv/bin/python bench/staff_heatmap.py [--teams 1000] [--responses 20000] [--repeat 10]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate, open_instance  # noqa: E402
from heatmap import OFFICER, timed  # noqa: E402

from assess import store  # noqa: E402
from assess.assessment.staff_figures import response_scores  # noqa: E402
from assess.demo import DEMO_PASSWORD  # noqa: E402
from assess.store import staff as staff_store  # noqa: E402
from assess.web.app import create_app  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def seed_staff(folder: Path, responses: int) -> int:
    """Staff responses spread over the open round's teams; returns the round's id."""
    db = open_instance(folder)
    store.migrate(db)
    round_ = store.current_round(db)
    questionnaire = store.questionnaire_version(db, round_["questionnaire_version"])
    teams = [r["team_id"] for r in store.completion(db, round_["id"])]
    if not db.execute(
        "SELECT count(*) FROM staff_responses WHERE round_id = ?", [round_["id"]]
    ).fetchone()[0]:
        rng = random.Random(7)
        each, small = divmod(responses, len(teams))
        for number, team_id in enumerate(teams):
            count = each + (1 if number < small else 0)
            answers = [
                ({s.key: rng.choice(questionnaire.levels) for s in questionnaire.statements}, {})
                for _ in range(count)
            ]
            staff_store.record_submitted_responses(
                db,
                round_["id"],
                team_id,
                count + 2,
                answers,
                questionnaire.version,
                lambda levels: response_scores(questionnaire, levels),
            )
    db.conn.close()
    return round_["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--responses", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    folder = OUT / f"{args.teams}-teams-{args.responses}-staff"
    if not (folder / "assess.db").exists():
        print(f"generating {args.teams} teams ...", file=sys.stderr, flush=True)
        generate(folder, args.teams, 1)
    round_id = seed_staff(folder, args.responses)
    app = create_app({"TESTING": True, "SECRET_KEY": "bench"}, instance_path=folder)
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/sign-in", data={"email": OFFICER, "password": DEMO_PASSWORD, "csrf_token": token})
    pages = [
        ("agreed view", f"/rounds/{round_id}/heatmap/value"),
        ("staff view", f"/rounds/{round_id}/heatmap/value?view=staff"),
        ("staff view, readiness areas", f"/rounds/{round_id}/heatmap/readiness_area?view=staff"),
        ("staff view, CSV", f"/rounds/{round_id}/heatmap/value.csv?view=staff"),
        (
            "auditors' staff figures, CSV",
            f"/audit/export?table=staff_figures&format=csv&round={round_id}",
        ),
    ]
    print(f"{args.teams:,} teams, {args.responses:,} staff responses; {args.repeat} requests each")
    print(f"{'page':<30} {'p50 ms':>8} {'p95 ms':>8} {'peak MB':>8}")
    for name, url in pages:
        p50, p95, peak = timed(client, url, args.repeat)
        print(f"{name:<30} {p50:>8.0f} {p95:>8.0f} {peak:>8.1f}")


if __name__ == "__main__":
    main()
