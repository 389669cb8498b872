"""Time scoring and council-wide aggregation at 100, 1,000 and 10,000 teams; print a table.

Scoring happens once per team, at submission; the council figures read the stored scores and
average them with `scoring.council_average`, as every page does. Instances are generated once into
bench/out/ (gitignored) and reused. Target: aggregating one round for 10,000 teams in under 1 s.

    .venv/bin/python bench/scoring.py [--sizes 100 1000 10000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from assess import store  # noqa: E402
from assess.assessment.scoring import Answer, council_average, score_assessment  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def best_of(repeats: int, work) -> tuple[float, object]:
    """Fastest of several runs (the least disturbed by the rest of the machine), and its result."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def averages(scores: list[dict]) -> dict[tuple[str, str], float | None]:
    """The council average of every dimension member, as the pages compute it."""
    by_member: dict[tuple[str, str], list] = {}
    for row in scores:
        by_member.setdefault((row["dimension"], row["member"]), []).append(row["score"])
    return {member: council_average(values) for member, values in by_member.items()}


def measure(teams: int, rounds: int) -> dict:
    folder = OUT / f"{teams}-teams-{rounds}-rounds"
    if not (folder / "assess.db").exists():
        print(f"generating {teams} teams x {rounds} rounds ...", file=sys.stderr, flush=True)
        generate(folder, teams, rounds)
    db = store.connect(folder / "assess.db")
    all_rounds = store.rounds(db)
    latest = all_rounds[-2] if len(all_rounds) > 1 else all_rounds[-1]  # the last complete round
    questionnaire = store.questionnaire_version(db, latest["questionnaire_version"])

    rows = store.round_answers(db, latest["id"])
    query_s, scores = best_of(3, lambda: store.round_scores(db, latest["id"]))
    aggregate_s, council = best_of(3, lambda: averages(scores))
    by_team: dict[int, list[Answer]] = {}
    for team_id, key, level, not_applicable in rows:
        by_team.setdefault(team_id, []).append(Answer(key, level, bool(not_applicable)))
    one_by_one_s, _ = best_of(
        1, lambda: [score_assessment(questionnaire, a) for a in by_team.values()]
    )
    single = [
        best_of(1, lambda a=a: score_assessment(questionnaire, a))[0]
        for a in list(by_team.values())[:200]
    ]
    db.conn.close()
    return {
        "teams": teams,
        "answers": len(rows),
        "submitted": len(by_team),
        "query_s": query_s,
        "aggregate_s": aggregate_s,
        "query_and_aggregate_s": query_s + aggregate_s,
        "score_each_team_s": one_by_one_s,
        "score_one_ms": statistics.median(single) * 1000,
        "council_members": len(council),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = [measure(teams, args.rounds) for teams in args.sizes]
    header = (
        f"{'teams':>7} {'answers':>9} {'submitted':>9} {'score 1 (ms)':>12} "
        f"{'score all (s)':>13} {'query (s)':>9} {'aggregate (s)':>13} {'total (s)':>9}"
    )
    print(
        "One complete round, council-wide. Query (stored scores) and aggregate (council "
        "averages): best of 3 runs."
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['teams']:>7,} {r['answers']:>9,} {r['submitted']:>9,} {r['score_one_ms']:>12.2f} "
            f"{r['score_each_team_s']:>13.3f} {r['query_s']:>9.3f} {r['aggregate_s']:>13.3f} "
            f"{r['query_and_aggregate_s']:>9.3f}"
        )


if __name__ == "__main__":
    main()
