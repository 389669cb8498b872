"""The audit log: append-only, each event chained to the one before by an HMAC under the
audit key the connection was opened with (the rules are in `assess.audit.chain`)."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from assess.audit.chain import (
    GENESIS_HASH,
    SEAL_ACTION,
    UNSEALED,
    ChainCheck,
    event_hash,
    verify_chain,
)
from assess.store.db import StorageError, audit_key_of, insert_row, now, write
from assess.store.exports import audit_chain

# --- audit --------------------------------------------------------------------------------------


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
    """Append one audit event; call inside the transaction of the change it records. Refuses
    (StorageError) on a connection opened without the audit key: never an unkeyed hash."""
    key = audit_key_of(db)
    last = db.execute("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    event = {
        "id": last[0] + 1 if last else 1,  # the keyed hash covers the event's place
        "at": now(),
        "actor_id": actor_id,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "before": _json(before),
        "after": _json(after),
    }
    previous = last[1] if last else GENESIS_HASH
    event["previous_hash"] = previous
    event["hash"] = event_hash(key, previous, event)
    db.table("audit_events").insert(event)


def record_update(
    db: Database,
    actor_id: int | None,
    entity: str,
    entity_id: Any,
    before: dict,
    changes: dict,
    action: str = "update",
) -> None:
    """Record a change to a row: the changed fields as they were, and as they are now."""
    was = {k: before[k] for k in changes if k in before}
    record_event(db, actor_id, action, entity, entity_id, before=was, after=changes)


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


def audit_triggers(db: Database) -> dict[str, str]:
    """The triggers on audit_events, by name, with the statement that made each."""
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'"
    ).fetchall()
    return {name: sql or "" for name, sql in rows}


def check_audit_trail(db: Database) -> ChainCheck:
    """Walk the whole chain under the connection's audit key, and check the triggers."""
    return verify_chain(audit_chain(db), audit_key_of(db), audit_triggers(db))


def last_event(db: Database) -> dict | None:
    """The newest audit event's id, time and hash (what a restore replaces), if any."""
    row = db.execute("SELECT id, at, hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else {"id": row[0], "at": row[1], "hash": row[2]}


def seal_unkeyed_events(db: Database, actor_id: int | None = None) -> int | None:
    """Seal the events recorded before the chain was keyed: after checking that they and every
    later event hold, record a keyed event naming the last of them and its hash. Returns how
    many were sealed, or None when there is nothing to seal. Run once, when upgrading: an
    unkeyed chain on an instance already sealed means it was rewritten (docs/security.md)."""
    with write(db):
        result = check_audit_trail(db)
        if result.missing_triggers:
            raise StorageError(result.summary() + " Nothing was sealed.")
        if result.intact:
            return None
        assert result.first_break is not None
        if result.first_break.kind != UNSEALED:
            raise StorageError(result.summary() + " Nothing was sealed.")
        unkeyed = db.execute(
            "SELECT id, hash FROM audit_events WHERE id <= ? ORDER BY id DESC LIMIT 1",
            [result.unkeyed_events],
        ).fetchone()
        record_event(
            db,
            actor_id,
            SEAL_ACTION,
            "audit_events",
            unkeyed[0],
            after={"unkeyed_events": unkeyed[0], "last_unkeyed_hash": unkeyed[1]},
        )
        return int(unkeyed[0])
