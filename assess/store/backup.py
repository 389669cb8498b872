"""Online backup and checked restore, with SQLite's backup API."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from assess.store.db import (
    KNOWN_MIGRATIONS,
    StorageError,
    connect,
    migrate,
    schema_steps,
    table_counts,
)

# --- backup and restore -------------------------------------------------------------------------


def backup(
    source: Path, destination: Path, progress: Callable[[int, int], None] | None = None
) -> None:
    """Copy a live database with SQLite's online backup API (safe while the service runs)."""
    if destination.exists():
        raise StorageError(f"{destination} already exists; choose a new file name")
    src = connect(source)
    dst = sqlite3.connect(str(destination))
    try:
        src.conn.backup(
            dst,
            pages=256,
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
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise StorageError(f"{path} is damaged: {result}")
        if not db["_sqlite_migrations"].exists():
            raise StorageError(f"{path} is not an assess database")
        unknown = [n for n in schema_steps(db) if n not in KNOWN_MIGRATIONS]
        if unknown:
            raise StorageError(f"{path} was made by a newer version of assess ({unknown[-1]})")
        return table_counts(db)
    except sqlite3.DatabaseError as error:
        raise StorageError(f"{path} is not a usable assess database ({error})") from error
    finally:
        db.conn.close()


def restore(
    backup_path: Path, destination: Path, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Replace the instance database with a checked backup, then upgrade it to this schema."""
    counts = check_backup(backup_path)
    src = sqlite3.connect(str(backup_path))
    dst = connect(destination)
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
    finally:
        src.close()
        dst.conn.close()
    return counts
