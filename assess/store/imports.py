"""Imports waiting to be confirmed: the checked entries of an uploaded register file, kept in the
instance database (never in the page) under a random token, for the user who checked them, until
they confirm or the preview expires. Import directly: `from assess.store import imports`.
"""

from __future__ import annotations

import json
import secrets

from sqlite_utils import Database

from assess.store.db import now, write


class ImportRefused(ValueError):
    """A confirmation that cannot be carried out; nothing was written. The message says why."""


NOT_FOUND = "This import was not found. Choose the file again."


def save_preview(
    db: Database, user_id: int, kind: str, entries: list[dict], max_age_minutes: float
) -> str:
    """Keep a checked import for its user; the token the confirmation posts back. Previews
    older than `max_age_minutes` are discarded on the way."""
    token = secrets.token_urlsafe(32)
    with write(db):
        discard_expired(db, max_age_minutes)
        db.table("import_previews").insert(
            {
                "token": token,
                "user_id": user_id,
                "kind": kind,
                "created_at": now(),
                "rows": len(entries),
                "entries": json.dumps(entries),
            }
        )
    return token


def discard_expired(db: Database, max_age_minutes: float) -> int:
    """Delete previews older than `max_age_minutes`, except one still being written."""
    return db.execute(
        "DELETE FROM import_previews WHERE created_at < ? AND state <> 'writing'",
        [now(max_age_minutes)],
    ).rowcount


def claim(db: Database, token: str, user_id: int, kind: str, max_age_minutes: float) -> list[dict]:
    """Take a checked import for writing (only one confirmation can): its entries. Raises
    ImportRefused for a token that is unknown, another user's or of another kind (the same
    words for each, so a token says nothing about anyone else's import), expired, or used."""
    with write(db):
        row = db.execute(
            "SELECT user_id, kind, created_at, state FROM import_previews WHERE token = ?",
            [token],
        ).fetchone()
        if row is None or row[0] != user_id or row[1] != kind:
            raise ImportRefused(NOT_FOUND)
        if row[3] != "checked":
            raise ImportRefused(
                "This import has already been confirmed. Check the register, or choose the "
                "file again."
            )
        if row[2] < now(max_age_minutes):
            raise ImportRefused(
                f"This import expired: a checked file waits {max_age_minutes:g} minutes to be "
                "confirmed. Choose the file again."
            )
        db.execute(
            "UPDATE import_previews SET state = 'writing', claimed_at = ? WHERE token = ?",
            [now(), token],
        )
        entries = db.execute(
            "SELECT entries FROM import_previews WHERE token = ?", [token]
        ).fetchone()[0]
    return json.loads(entries)


def record_written(db: Database, token: str, entry_ids: list[int]) -> None:
    """The entries a confirmation has added so far; call inside the batch that added them."""
    db.execute(
        "UPDATE import_previews SET written = ? WHERE token = ?", [json.dumps(entry_ids), token]
    )


def finish(db: Database, token: str, state: str) -> None:
    """Mark a claimed import 'imported' or 'undone'; its entries are no longer needed."""
    with write(db):
        db.execute(
            "UPDATE import_previews SET state = ?, entries = '[]' WHERE token = ?", [state, token]
        )


def stale_imports(db: Database, max_age_minutes: float) -> list[dict]:
    """Imports claimed longer ago than `max_age_minutes` and never finished (the worker writing
    them was stopped): kind, token and the entries they had written."""
    return [
        {**row, "written": json.loads(row["written"])}
        for row in db.query(
            """SELECT token, kind, user_id, written FROM import_previews
               WHERE state = 'writing' AND claimed_at < ?""",
            [now(max_age_minutes)],
        )
    ]
