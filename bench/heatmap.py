"""Time the heatmap page and the council view at 100, 1,000 and 10,000 teams; print a table.

Server time (the request handled in process, no network), over repeated requests, and the
peak Python memory one request allocates. Instances are generated once into bench/out/.
Target: the heatmap for 1,000 teams under 500 ms at p95.

    .venv/bin/python bench/heatmap.py [--sizes 100 1000 10000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate, open_instance  # noqa: E402

from assess import store  # noqa: E402
from assess.demo import DEMO_PASSWORD  # noqa: E402
from assess.web.app import create_app

OUT = Path(__file__).resolve().parent / "out"
OFFICER = "sam.okafor@council.example"


def timed(client, url: str, repeat: int) -> tuple[float, float, float]:
    """p50 and p95 in ms over `repeat` requests, and one request's peak allocation in MB."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()  # a streamed download is written as it is read
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)], peak


def measure(teams: int, repeat: int) -> list[tuple]:
    folder = OUT / f"{teams}-teams-3-rounds"
    if not (folder / "assess.db").exists():
        print(f"generating {teams} teams x 3 rounds ...", file=sys.stderr, flush=True)
        generate(folder, teams, 3)
    app = create_app({"TESTING": True, "SECRET_KEY": "bench"}, instance_path=folder)
    db = open_instance(folder)
    store.migrate(db)
    complete = store.rounds(db)[-2]["id"]  # the last complete round
    db.conn.close()
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/sign-in", data={"email": OFFICER, "password": DEMO_PASSWORD, "csrf_token": token})
    pages = [
        ("heatmap of values", f"/rounds/{complete}/heatmap/value"),
        ("heatmap, one directorate", f"/rounds/{complete}/heatmap/value?directorate=Housing"),
        ("council view", f"/rounds/{complete}/council"),
        ("council radar (SVG, cached)", f"/rounds/{complete}/council/value.svg"),
    ]
    return [(teams, name, *timed(client, url, repeat)) for name, url in pages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rows = [row for teams in args.sizes for row in measure(teams, args.repeat)]
    print(
        f"Server time over {args.repeat} requests each; peak = Python memory one request allocates"
    )
    print(f"{'teams':>7}  {'page':<30} {'p50 ms':>8} {'p95 ms':>8} {'peak MB':>8}")
    for teams, name, p50, p95, peak in rows:
        print(f"{teams:>7,}  {name:<30} {p50:>8.0f} {p95:>8.0f} {peak:>8.1f}")


if __name__ == "__main__":
    main()
