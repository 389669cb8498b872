"""Fill an instance with N teams and R rounds of answers, for the benchmarks.

.venv/bin/python bench/generate.py --teams 10000 --rounds 3 --instance bench/out/10000
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assess import demo, store
from assess.assessment.questionnaire import load_folder
from assess.config import DEFAULTS
from assess.web.app import AUDIT_KEY_FILE, instance_key
from assess.web.auth import hash_password


def audit_key(folder: Path) -> str:
    """The instance's audit key, the one an app on this folder makes and uses in development
    (a bench serving it as production passes it as ASSESS_AUDIT_KEY)."""
    return instance_key(folder, AUDIT_KEY_FILE)


def open_instance(folder: Path, path: Path | None = None) -> store.Database:
    """The instance's database (or `path`, a copy of it) with the instance's audit key."""
    return store.connect(path or folder / "assess.db", audit_key=audit_key(folder))


def generate(folder: Path, teams: int, rounds: int, track=lambda items, label: items) -> float:
    """Seed a new instance folder; return the seconds it took."""
    folder.mkdir(parents=True, exist_ok=True)
    db = open_instance(folder)
    store.migrate(db)
    questionnaire = load_folder(Path(DEFAULTS["QUESTIONNAIRES"]))[demo.DEMO_QUESTIONNAIRE]
    started = time.perf_counter()
    demo.seed(
        db,
        questionnaire,
        hash_password(demo.DEMO_PASSWORD),
        teams=teams,
        rounds=rounds,
        track=track,
    )
    elapsed = time.perf_counter() - started
    db.conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--instance", type=Path, required=True)
    args = parser.parse_args()
    if (args.instance / "assess.db").exists():
        parser.error(f"{args.instance / 'assess.db'} exists; choose an empty folder")
    seconds = generate(args.instance, args.teams, args.rounds)
    print(f"{args.teams} teams x {args.rounds} rounds in {seconds:.1f} s -> {args.instance}")


if __name__ == "__main__":
    main()
