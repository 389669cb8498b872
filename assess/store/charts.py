"""Drawn charts and the charts waiting to be drawn, in their own SQLite file beside the database.

A cache, not a record: deleting the file (service stopped) loses nothing. It is a separate file
so the renderer's writes never wait on (or hold up) the assessments' writer, and backups of the
database stay small. Every web worker and the renderer share it, and it outlives restarts.

- `drawn`: a picture by chart key and format.
- `wanted`: charts to draw, most urgent first (`WAITING` before `VIEWED` before `AHEAD`).
- `changed`: rounds whose figures changed; the renderer works out which charts they feed.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlite_utils import Database

from assess.charts import Chart
from assess.store.db import connect, now

WAITING = 0  # someone is waiting for a download
VIEWED = 1  # a page was shown without it
CHANGED = 2  # the team whose figures just changed
AHEAD = 3  # everything else the change feeds
ATTEMPTS = 3  # a chart that fails this often is left alone (and logged) until its inputs change

SCHEMA = """
CREATE TABLE IF NOT EXISTS drawn (
    key TEXT NOT NULL, format TEXT NOT NULL, body BLOB NOT NULL, drawn_at TEXT NOT NULL,
    PRIMARY KEY (key, format));
CREATE INDEX IF NOT EXISTS drawn_at ON drawn (drawn_at);
CREATE TABLE IF NOT EXISTS wanted (
    key TEXT NOT NULL, format TEXT NOT NULL, kind TEXT NOT NULL, inputs TEXT NOT NULL,
    priority INTEGER NOT NULL, wanted_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT, PRIMARY KEY (key, format));
CREATE INDEX IF NOT EXISTS wanted_order ON wanted (attempts, priority, wanted_at);
CREATE TABLE IF NOT EXISTS changed (
    round_id INTEGER NOT NULL, team_id INTEGER NOT NULL, changed_at REAL NOT NULL,
    PRIMARY KEY (round_id, team_id));
"""


_MADE: set[str] = set()  # the cache files this process has made sure of


def open_charts(path: Path | str, *, checkpoints: bool = True) -> Database:
    """The chart cache at `path`, made on first use.

    A web request's connection passes `checkpoints=False`: copying the write-ahead log back into
    the file (a checkpoint, with a sync) is then left to the renderer, whose pictures fill the
    log, and never falls on the request that happened to commit when the log grew full.
    """
    db = connect(path)
    db.execute("PRAGMA synchronous = NORMAL")  # a cache: a power cut may lose a picture, not data
    if not checkpoints:
        db.execute("PRAGMA wal_autocheckpoint = 0")
    if str(path) not in _MADE:
        db.conn.executescript(SCHEMA)
        _MADE.add(str(path))
    return db


def picture(db: Database, chart: Chart, fmt: str) -> bytes | None:
    row = db.execute(
        "SELECT body FROM drawn WHERE key = ? AND format = ?", [chart.key, fmt]
    ).fetchone()
    return row[0] if row else None


def is_drawn(db: Database, chart: Chart, fmt: str) -> bool:
    return (
        db.execute("SELECT 1 FROM drawn WHERE key = ? AND format = ?", [chart.key, fmt]).fetchone()
        is not None
    )


def want(db: Database, charts: list[Chart], fmt: str, priority: int) -> None:
    """Ask for charts not drawn yet; one already asked for keeps the more urgent priority."""
    with db.conn:
        for chart in charts:
            db.execute(
                """INSERT INTO wanted (key, format, kind, inputs, priority, wanted_at)
                   SELECT ?, ?, ?, ?, ?, ?
                   WHERE NOT EXISTS (SELECT 1 FROM drawn WHERE key = ? AND format = ?)
                   ON CONFLICT (key, format)
                   DO UPDATE SET priority = min(priority, excluded.priority)""",
                [chart.key, fmt, chart.kind, chart.inputs, priority, time.time(), chart.key, fmt],
            )


def next_wanted(db: Database) -> tuple[Chart, str] | None:
    """The most urgent chart to draw, oldest first, leaving out those tried too often. Taking
    it counts as a try, so a chart that crashes the renderer itself is not tried for ever."""
    with db.conn:
        row = db.execute(
            """SELECT kind, inputs, format FROM wanted WHERE attempts < ?
               ORDER BY priority, wanted_at LIMIT 1""",
            [ATTEMPTS],
        ).fetchone()
        if row is None:
            return None
        chart = Chart(row[0], row[1])
        db.execute(
            "UPDATE wanted SET attempts = attempts + 1 WHERE key = ? AND format = ?",
            [chart.key, row[2]],
        )
    return chart, row[2]


def keep(db: Database, chart: Chart, fmt: str, body: bytes) -> None:
    with db.conn:
        db.execute(
            "INSERT OR REPLACE INTO drawn (key, format, body, drawn_at) VALUES (?, ?, ?, ?)",
            [chart.key, fmt, body, now()],
        )
        db.execute("DELETE FROM wanted WHERE key = ? AND format = ?", [chart.key, fmt])


def failed(db: Database, chart: Chart, fmt: str, error: str) -> None:
    with db.conn:
        db.execute(
            "UPDATE wanted SET error = ? WHERE key = ? AND format = ?",
            [error[:1000], chart.key, fmt],
        )


WHOLE_ROUND = 0  # `changed.team_id` when the change touches every team's figures in the round


def note_change(db: Database, round_id: int, team_id: int | None) -> None:
    """The figures of one team in a round changed, or (`team_id` None) of the whole round."""
    with db.conn:
        db.execute(
            """INSERT INTO changed (round_id, team_id, changed_at) VALUES (?, ?, ?)
               ON CONFLICT (round_id, team_id) DO UPDATE SET changed_at = excluded.changed_at""",
            [round_id, team_id or WHOLE_ROUND, time.time()],
        )


def take_change(db: Database) -> tuple[int, int | None] | None:
    """The change noted longest ago, taken off: (round id, team id or None for the whole round).
    Taking a whole round takes its teams' changes with it."""
    with db.conn:
        row = db.execute(
            "SELECT round_id, team_id FROM changed ORDER BY changed_at LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        round_id, team_id = row
        if team_id == WHOLE_ROUND:
            db.execute("DELETE FROM changed WHERE round_id = ?", [round_id])
        else:
            db.execute("DELETE FROM changed WHERE round_id = ? AND team_id = ?", row)
    return round_id, team_id or None


def waiting(db: Database) -> dict[str, int]:
    """How many charts wait to be drawn, how many failed too often, how many rounds changed."""
    wanted, stuck = db.execute(
        "SELECT count(*), coalesce(sum(attempts >= ?), 0) FROM wanted", [ATTEMPTS]
    ).fetchone()
    changed = db.execute("SELECT count(*) FROM changed").fetchone()[0]
    return {"wanted": wanted - stuck, "failed": stuck, "changed": changed}


def prune(db: Database, most: int) -> int:
    """Keep the `most` newest pictures; returns how many older ones went."""
    with db.conn:
        cursor = db.execute(
            """DELETE FROM drawn WHERE rowid IN (
                   SELECT rowid FROM drawn ORDER BY drawn_at DESC LIMIT -1 OFFSET ?)""",
            [most],
        )
    return cursor.rowcount
