"""A missing, damaged, foreign or newer database stops assess at start-up with one message.

Each case starts the real entry points in a subprocess (`wsgi`, as gunicorn and `flask run` import
it, gunicorn itself, and the `assess` command) on a temporary instance folder, and checks what an
officer would read on stderr: the file, what to do, no trace, and a non-zero exit status.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assess import store

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(
    args: list[str], instance: Path, timeout: float = 60, **settings: str
) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "ASSESS_INSTANCE": str(instance),
        "ASSESS_SECRET_KEY": "startup-tests",
        "ASSESS_AUDIT_KEY": "startup-tests-audit",
        "ASSESS_ENV": "production",
        **settings,
    }
    env.pop("ASSESS_DATABASE", None)
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def start_wsgi(instance: Path) -> subprocess.CompletedProcess:
    return run([sys.executable, "-c", "import wsgi"], instance)


def no_database(folder: Path, demo_database: Path) -> None:
    pass


def random_bytes(folder: Path, demo_database: Path) -> None:
    (folder / "assess.db").write_bytes(os.urandom(64 * 1024))


def truncated(folder: Path, demo_database: Path) -> None:
    content = demo_database.read_bytes()
    (folder / "assess.db").write_bytes(content[: len(content) // 2])


def newer_schema(folder: Path, demo_database: Path) -> None:
    shutil.copy(demo_database, folder / "assess.db")
    db = sqlite3.connect(folder / "assess.db")
    with db:
        db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('assess', '0099_from_the_future', '2030-01-01')"
        )
    db.close()


def empty_file(folder: Path, demo_database: Path) -> None:
    (folder / "assess.db").write_bytes(b"")


def not_assess(folder: Path, demo_database: Path) -> None:
    db = sqlite3.connect(folder / "assess.db")
    with db:
        db.execute("CREATE TABLE bins (street TEXT)")
    db.close()


CASES = {
    "no database": (no_database, ["No database at {db}", "Run 'assess init-db'"]),
    "random bytes": (
        random_bytes,
        ["{db} is not a usable assess database", "not an SQLite database", "assess restore"],
    ),
    "truncated": (truncated, ["{db} is not a usable assess database", "damaged", "assess restore"]),
    "newer schema": (
        newer_schema,
        ["{db} was written by a newer version of assess", "0099_from_the_future", "Upgrade"],
    ),
    "empty file": (empty_file, ["{db} is empty", "assess init-db"]),
    "not an assess database": (not_assess, ["{db} is not an assess database", "ASSESS_INSTANCE"]),
}


@pytest.fixture(params=CASES, ids=list(CASES))
def broken(request, tmp_path, demo_database) -> tuple[Path, list[str]]:
    """An instance folder whose database is broken in one way, and what the message must say."""
    make, expected = CASES[request.param]
    folder = tmp_path / "instance"
    folder.mkdir()
    make(folder, demo_database)
    db = folder / "assess.db"
    return folder, [text.format(db=db) for text in expected]


def assert_clear_refusal(result: subprocess.CompletedProcess, expected: list[str]) -> None:
    assert result.returncode != 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def test_the_wsgi_app_refuses_to_start_on_a_broken_database_with_one_message(broken):
    folder, expected = broken
    before = sorted(p.name for p in folder.iterdir())
    result = start_wsgi(folder)
    assert_clear_refusal(result, ["assess cannot start:", *expected])
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        name for name in before if not name.endswith(("-wal", "-shm"))
    ], "start-up must not create or replace the database"


def test_the_assess_command_refuses_a_broken_database_with_one_message(broken):
    folder, expected = broken
    result = run([str(BIN / "assess"), "audit", "verify"], folder)
    assert result.returncode == 1
    assert_clear_refusal(result, expected)


def test_gunicorn_fails_to_boot_with_the_message_when_there_is_no_database(tmp_path):
    folder = tmp_path / "instance"
    folder.mkdir()
    result = run([str(BIN / "gunicorn"), "wsgi:app"], folder, ASSESS_BIND="127.0.0.1:0")
    assert_clear_refusal(result, ["assess cannot start:", f"No database at {folder / 'assess.db'}"])
    assert not (folder / "assess.db").exists()


def test_a_sound_database_starts_and_an_older_schema_is_brought_up_to_date(tmp_path):
    folder = tmp_path / "instance"
    folder.mkdir()
    db = store.connect(folder / "assess.db")
    store.migrate(db, stop_before=store.KNOWN_MIGRATIONS[-1])
    db.conn.close()
    result = start_wsgi(folder)
    assert result.returncode == 0, result.stderr
    db = store.connect(folder / "assess.db")
    assert store.schema_steps(db) == store.KNOWN_MIGRATIONS
    db.conn.close()


def test_restore_moves_a_damaged_database_aside_and_puts_the_backup_in_its_place(
    tmp_path, demo_database
):
    folder = tmp_path / "instance"
    folder.mkdir()
    random_bytes(folder, demo_database)
    result = run([str(BIN / "assess"), "restore", str(demo_database), "--yes"], folder, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "The damaged database was moved aside to" in result.stdout
    assert [p.name[: len("assess.db.damaged-")] for p in folder.glob("assess.db.damaged-*")] == [
        "assess.db.damaged-"
    ]
    assert start_wsgi(folder).returncode == 0
