"""Time the committee report, as a page and as a DOCX, for a council of 1,000 teams; print a table.

Server time (the request handled in process, no network) over repeated requests, before the
renderer has drawn the council's radars (the document then leaves the pictures out) and after
(the document embeds two PNGs). The instance is generated once into bench/out/.
Target: the page and the DOCX for 1,000 teams each under 5 s.

    .venv/bin/python bench/committee_report.py [--teams 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate, open_instance  # noqa: E402

from assess import store  # noqa: E402
from assess.charts import renderer  # noqa: E402
from assess.demo import DEMO_PASSWORD  # noqa: E402
from assess.web.app import create_app  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
OFFICER = "sam.okafor@council.example"


def timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    """The median and slowest time in ms over `repeat` requests, and the response's size."""
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.data)
    return statistics.median(times), max(times), size


def measure(teams: int, repeat: int) -> list[tuple]:
    folder = OUT / f"{teams}-teams-3-rounds"
    if not (folder / "assess.db").exists():
        print(f"generating {teams} teams x 3 rounds ...", file=sys.stderr, flush=True)
        generate(folder, teams, 3)
    app = create_app({"TESTING": True, "SECRET_KEY": "bench"}, instance_path=folder)
    charts = Path(app.config["CHARTS_PATH"])  # a cache: emptied, so the first timings draw none
    for leftover in (charts, Path(f"{charts}-wal"), Path(f"{charts}-shm")):
        leftover.unlink(missing_ok=True)
    db = open_instance(folder)
    store.migrate(db)
    complete = store.rounds(db)[-2]["id"]  # the last complete round
    db.conn.close()
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/sign-in", data={"email": OFFICER, "password": DEMO_PASSWORD, "csrf_token": token})
    urls = [
        ("page", f"/rounds/{complete}/committee-report"),
        ("DOCX", f"/rounds/{complete}/committee-report.docx"),
    ]
    rows = [(teams, f"{name}, charts not drawn", *timed(client, url, 1)) for name, url in urls]
    renderer.run(app, until_idle=True, ahead=False)  # draws what the two requests asked for
    rows += [(teams, f"{name}, charts drawn", *timed(client, url, repeat)) for name, url in urls]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = measure(args.teams, args.repeat)
    print(f"Server time (first request alone; then over {args.repeat} requests); target 5,000 ms")
    print(f"{'teams':>7}  {'committee report':<28} {'median ms':>10} {'max ms':>8} {'KB':>7}")
    for teams, name, median, slowest, size in rows:
        print(f"{teams:>7,}  {name:<28} {median:>10.0f} {slowest:>8.0f} {size / 1024:>7.0f}")


if __name__ == "__main__":
    main()
