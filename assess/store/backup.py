"""Online backup and checked restore, with SQLite's backup API."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from assess.store.audit import last_event, record_event
from assess.store.db import StorageError, check_sound, connect, migrate, table_counts, write

# --- backup and restore -------------------------------------------------------------------------


def backup(
    source: Path,
    destination: Path,
    progress: Callable[[int, int], None] | None = None,
    pages: int = 256,
) -> None:
    """Copy a live database with SQLite's online backup API (safe while the service runs).

    The copy is the database as it stood when the backup began. A read transaction holds that
    snapshot across the backup's steps: without it SQLite restarts the copy whenever another
    connection commits, and under steady writes a large database would never finish. (In WAL
    mode the read transaction does not block the service's writers.)"""
    if destination.exists():
        raise StorageError(f"{destination} already exists; choose a new file name")
    src = connect(source)
    dst = sqlite3.connect(str(destination))
    try:
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
        src.conn.backup(
            dst,
            pages=pages,
            progress=(lambda status, remaining, total: progress(total - remaining, total))
            if progress
            else None,
        )
    finally:
        dst.close()
        src.conn.close()


def check_backup(path: Path) -> dict[str, int]:
    """A backup must be a sound assess database this version can read; return its row counts."""
    if not path.exists():
        raise StorageError(f"No backup at {path}")
    db = connect(path)
    try:
        check_sound(db, path, thorough=True)
        return table_counts(db)
    finally:
        db.conn.close()


def replaced_last_event(path: Path) -> dict | None:
    """The newest audit event of the database a restore is about to replace, or None when
    there is no database or it cannot be read."""
    if not path.exists():
        return None
    try:
        db = connect(path)
    except StorageError:
        return None
    try:
        return last_event(db)
    except sqlite3.DatabaseError:
        return None
    finally:
        db.conn.close()


def restore(
    backup_path: Path,
    destination: Path,
    progress: Callable[[int, int], None] | None = None,
    *,
    audit_key: str,
    replaced: dict | None = None,
    set_aside: Path | None = None,
) -> dict[str, int]:
    """Replace the instance database with a checked backup, upgrade it to this schema, and
    record in its audit chain which backup was restored over what: `replaced` is the newest
    event of the database replaced (`replaced_last_event`, read before anything moved), and
    `set_aside` where a damaged one was moved. A rollback thus leaves a trace."""
    counts = check_backup(backup_path)
    src = sqlite3.connect(str(backup_path))
    dst = connect(destination, audit_key=audit_key)
    try:
        src.backup(
            dst.conn,
            pages=256,
            progress=(lambda status, remaining, total: progress(total - remaining, total))
            if progress
            else None,
        )
        dst.execute("PRAGMA foreign_keys = ON")
        migrate(dst)
        with write(dst):
            record_event(
                dst,
                None,
                "restore",
                "database",
                backup_path.name,
                after={
                    "backup": str(backup_path),
                    "backup_last_event": last_event(dst),
                    "replaced_last_event": replaced,  # None: no database, or none readable
                    "set_aside": str(set_aside) if set_aside else None,
                },
            )
    finally:
        src.close()
        dst.conn.close()
    return counts


def set_aside_if_damaged(path: Path) -> Path | None:
    """A damaged file cannot be restored into (SQLite refuses to open it), so rename it and its
    -wal and -shm files to PATH.damaged-STAMP, kept for investigation. Returns the new name, or
    None when there is no file or SQLite can read it."""
    if not path.exists():
        return None
    try:
        db = connect(path)
    except StorageError:
        damaged = True
    else:
        try:
            damaged = db.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok"
        except sqlite3.DatabaseError:
            damaged = True
        finally:
            db.conn.close()
    if not damaged:
        return None
    aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    for suffix in ("-wal", "-shm", ""):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            companion.rename(Path(f"{aside}{suffix}"))
    return aside
