"""Export a million answer rows as CSV, XLSX and JSON: time and peak memory of each.

.venv/bin/python bench/export.py [--rows 1000000] [--formats csv xlsx json]

Builds a temporary instance (the demo council, then synthetic answers added to its submitted
assessments until there are --rows), then runs each export in a child process of its own, as
the app does (assess.store.exports rows -> assess.audit.exports writer -> a file), and reads the
child's peak resident memory and CPU time from the kernel (wait4's rusage: RUSAGE_CHILDREN's
figures for that one child). Time is wall-clock inside the child, from opening the database to
the last byte written; on a shared machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import itertools
import json
import operator
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"csv": (5.0, 300), "xlsx": (60.0, 500), "json": (None, None)}  # seconds, MB
EVIDENCE = (
    "Team meeting notes from {month} show the standard discussed and agreed; see the shared "
    "drive, folder {n}."
)


def build(folder: Path, rows: int) -> int:
    """A demo instance topped up with synthetic answers to `rows`; returns the answer count."""
    from generate import open_instance

    from assess import demo, store
    from assess.assessment.questionnaire import load_folder
    from assess.config import DEFAULTS
    from assess.web.auth import hash_password

    db = open_instance(folder)
    store.migrate(db)
    questionnaire = load_folder(Path(DEFAULTS["QUESTIONNAIRES"]))[demo.DEMO_QUESTIONNAIRE]
    demo.seed(db, questionnaire, hash_password(demo.DEMO_PASSWORD))
    assessments = [
        r[0]
        for r in db.execute(
            "SELECT id FROM assessments WHERE status IN ('submitted', 'signed_off') ORDER BY id"
        )
    ]
    keys = [s.key for s in questionnaire.statements]
    needed = rows - db["answers"].count
    stamp = store.now()

    def synthetic():
        n = 0
        copy = 0
        while n < needed:
            copy += 1
            for assessment_id in assessments:
                for key in keys:
                    if n >= needed:
                        return
                    n += 1
                    not_applicable = n % 23 == 0
                    evidence = EVIDENCE.format(month=("January", "July")[n % 2], n=n)
                    if n % 97 == 0:
                        evidence = '=HYPERLINK("http://example.invalid")'  # neutralised
                    yield (
                        assessment_id,
                        f"{key}-copy-{copy}",
                        None if not_applicable else 1 + n % 5,
                        int(not_applicable),
                        "The team has no public counter" if not_applicable else "",
                        evidence,
                        "Monthly review with the service manager" if n % 3 == 0 else "",
                        None,
                        stamp,
                    )

    with store.write(db):
        db.conn.executemany(
            """INSERT INTO answers (assessment_id, statement_key, level, not_applicable,
                   not_applicable_reason, evidence, move_up, answered_by, answered_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            synthetic(),
        )
    count = db["answers"].count
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return count


def child(fmt: str, folder: Path, out: Path) -> None:
    """One export, as the app runs it, into `out`; prints rows and seconds as JSON."""
    from assess import store
    from assess.audit import exports
    from assess.store import exports as export_queries

    started = time.perf_counter()
    db = store.connect(folder / "assess.db")
    table = export_queries.ANSWERS
    # Counted without a Python step per row (that alone cost a second a million): zip takes
    # one number per row, and one more when the rows run out.
    numbers = itertools.count()
    answers = export_queries.table_rows(db, table, export_queries.Filters())
    rows = map(operator.itemgetter(1), zip(numbers, answers, strict=False))

    if fmt == "xlsx":
        about = exports.About("bench", store.now(), {"Round": "All"})
        exports.write_xlsx(str(out), [exports.Sheet(table.title, table.columns, rows)], about)
    else:
        chunks = (
            exports.csv_chunks(table.column_names, rows)
            if fmt == "csv"
            else exports.json_chunks(table.columns, rows)
        )
        with out.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": next(numbers) - 1, "seconds": seconds}))


def measure(fmt: str, folder: Path) -> dict:
    out = folder / f"answers.{fmt}"
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", fmt, "--instance", str(folder), "--out", str(out)],
        stdout=subprocess.PIPE,
        text=True,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the {fmt} export failed (exit {process.returncode})")
    result = json.loads(output)
    result.update(
        fmt=fmt,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,
        file_mb=out.stat().st_size / 1e6,
    )
    out.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx", "json"])
    parser.add_argument("--child", choices=sorted(TARGETS), help=argparse.SUPPRESS)
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--instance", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.instance, args.out)
        return
    if args.build:
        print(build(args.instance, args.build))
        return
    with tempfile.TemporaryDirectory(prefix="assess-bench-export-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        # Built in a child too: a child starts with its parent's peak memory, so the parent
        # stays small.
        built = subprocess.run(
            [sys.executable, __file__, "--build", str(args.rows), "--instance", str(folder)],
            check=True,
            capture_output=True,
            text=True,
        )
        count = int(built.stdout)
        print(f"{count:,} answers in a temporary instance ({time.perf_counter() - started:.0f} s)")
        header = (
            f"{'format':<6} {'rows':>10} {'time (s)':>9} {'CPU (s)':>8} {'peak RSS (MB)':>13} "
            f"{'file (MB)':>9}  target"
        )
        print(header)
        print("-" * len(header))
        for fmt in args.formats:
            r = measure(fmt, folder)
            seconds, megabytes = TARGETS[fmt]
            target = (
                f"< {seconds:.0f} s, < {megabytes} MB: "
                + ("met" if r["seconds"] < seconds and r["peak_mb"] < megabytes else "MISSED")
                if seconds
                else "none"
            )
            print(
                f"{fmt:<6} {r['rows']:>10,} {r['seconds']:>9.1f} {r['cpu_s']:>8.1f} "
                f"{r['peak_mb']:>13.0f} {r['file_mb']:>9.0f}  {target}",
                flush=True,
            )


if __name__ == "__main__":
    main()
