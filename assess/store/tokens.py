"""Per-user tokens for the read-only API. Only a SHA-256 of each token is kept: the token itself
is shown once, when it is made. A revoked token, or one whose user is deactivated, opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlite_utils import Database

from assess.store.audit import record_event
from assess.store.db import NotFound, insert_row, now, write

TOKEN_PREFIX = "assess_"


def _hash(token: str) -> str:
    # A token is 256 random bits, so a plain SHA-256 cannot be guessed back (no salt needed).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db: Database, user_id: int, name: str) -> tuple[int, str]:
    """A new token for the user; returns its id and the token, which is never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write(db):
        token_id = insert_row(
            db,
            "api_tokens",
            {
                "user_id": user_id,
                "name": name,
                "token_hash": _hash(token),
                "hint": token[-4:],
                "created_at": now(),
            },
        )
        record_event(db, user_id, "create", "api_token", token_id, after={"name": name})
    return token_id, token


def tokens_of(db: Database, user_id: int) -> list[dict]:
    return list(
        db.query(
            """SELECT id, name, hint, created_at, revoked_at FROM api_tokens
               WHERE user_id = ? ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC""",
            [user_id],
        )
    )


def revoke_token(db: Database, token_id: int, user_id: int) -> None:
    """Revoke one of the user's own tokens; revoking twice changes nothing."""
    with write(db):
        row = db.execute(
            "SELECT revoked_at FROM api_tokens WHERE id = ? AND user_id = ?", [token_id, user_id]
        ).fetchone()
        if row is None:
            raise NotFound(f"you have no API token {token_id}")
        if row[0] is not None:
            return
        stamp = now()
        db.execute(
            "UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?",
            [stamp, user_id, token_id],
        )
        record_event(db, user_id, "revoke", "api_token", token_id, after={"revoked_at": stamp})


def user_for_token(db: Database, token: str) -> tuple[dict, int] | None:
    """The active user a live token belongs to, and the token's id; None for anything else."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    rows = list(
        db.query(
            """SELECT users.*, api_tokens.id AS token_id FROM api_tokens
               JOIN users ON users.id = api_tokens.user_id
               WHERE api_tokens.token_hash = ? AND api_tokens.revoked_at IS NULL
                 AND users.active = 1""",
            [_hash(token)],
        )
    )
    if not rows:
        return None
    user = rows[0]
    return user, user.pop("token_id")
