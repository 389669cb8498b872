"""The audit log: append-only, each event chained to the one before by a SHA-256 hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlite_utils import Database

from assess.store.db import insert_row, now, write

# --- audit --------------------------------------------------------------------------------------

GENESIS_HASH = "0" * 64


def event_hash(previous_hash: str, event: dict[str, Any]) -> str:
    """The chain: each event's hash covers its own fields and the previous event's hash."""
    fields = {
        k: event.get(k)
        for k in ("at", "actor_id", "action", "entity", "entity_id", "before", "after")
    }
    payload = previous_hash + json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def record_event(
    db: Database,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: Any = None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one audit event; call inside the transaction of the change it records."""
    last = db.execute("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    event = {
        "at": now(),
        "actor_id": actor_id,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "before": _json(before),
        "after": _json(after),
    }
    previous = last[0] if last else GENESIS_HASH
    event["previous_hash"] = previous
    event["hash"] = event_hash(previous, event)
    db.table("audit_events").insert(event)


def insert_recorded(
    db: Database, table: str, record: dict, actor_id: int | None, audit: dict | None = None
) -> int:
    """Insert a row and its "create" audit event together; `audit` replaces what is logged."""
    with write(db):
        row_id = insert_row(db, table, record)
        record_event(db, actor_id, "create", table.rstrip("s"), row_id, after=audit or record)
    return row_id


def audit_events(db: Database, limit: int | None = None) -> list[dict]:
    sql = "SELECT * FROM audit_events ORDER BY id"
    return list(db.query(sql + (f" LIMIT {int(limit)}" if limit else "")))
