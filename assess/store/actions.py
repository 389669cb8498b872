"""Improvement actions against gaps, and target levels."""

from __future__ import annotations

from sqlite_utils import Database

from assess.store.audit import insert_recorded, record_event, record_update
from assess.store.db import NotFound, now, write

# --- improvement actions and targets ------------------------------------------------------------

ACTION_STATUSES = {"not_started": "Not started", "in_progress": "In progress", "done": "Done"}


def add_action(
    db: Database,
    team_id: int,
    round_id: int,
    statement_key: str,
    what: str,
    owner: str,
    due_on: str,
    user_id: int | None,
) -> int:
    stamp = now()
    record = {
        "team_id": team_id,
        "round_id": round_id,
        "statement_key": statement_key,
        "what": what,
        "owner": owner,
        "due_on": due_on,
        "status": "not_started",
        "created_by": user_id,
        "created_at": stamp,
        "updated_at": stamp,
    }
    return insert_recorded(db, "improvement_actions", record, user_id)


def action(db: Database, action_id: int) -> dict:
    rows = list(db.query("SELECT * FROM improvement_actions WHERE id = ?", [action_id]))
    if not rows:
        raise NotFound(f"improvement action {action_id} does not exist")
    return rows[0]


def update_action(db: Database, action_id: int, changes: dict, user_id: int | None) -> None:
    """Change an action; closing it (status done) needs evidence of what changed."""
    with write(db):
        before = action(db, action_id)
        changes = {**changes, "updated_at": now()}
        if changes.get("status") == "done" and before["status"] != "done":
            changes["closed_at"] = changes["updated_at"]
        elif changes.get("status") not in (None, "done"):
            changes["closed_at"] = None
        db.table("improvement_actions").update(action_id, changes)
        record_update(db, user_id, "improvement_action", action_id, before, changes)


def actions_for(db: Database, team_id: int, round_id: int) -> list[dict]:
    """Actions raised in this round, and open ones carried over from earlier rounds."""
    return list(
        db.query(
            """SELECT ia.*, r.name AS round_name FROM improvement_actions ia
               JOIN rounds r ON r.id = ia.round_id
               WHERE ia.team_id = ? AND (ia.round_id = ? OR (ia.status <> 'done'
                 AND r.opens_on < (SELECT opens_on FROM rounds WHERE id = ?)))
               ORDER BY ia.due_on, ia.id""",
            [team_id, round_id, round_id],
        )
    )


def set_targets(
    db: Database, team_id: int, dimension: str, levels: dict[str, int | None], user_id: int | None
) -> None:
    """Set (or clear, with None) a team's target level per member of a dimension."""
    stamp = now()
    with write(db):
        before = targets_of(db, team_id, dimension)
        db.execute("DELETE FROM targets WHERE team_id = ? AND dimension = ?", [team_id, dimension])
        db.table("targets").insert_all(
            {
                "team_id": team_id,
                "dimension": dimension,
                "member": member,
                "level": level,
                "set_by": user_id,
                "set_at": stamp,
            }
            for member, level in levels.items()
            if level is not None
        )
        record_event(
            db,
            user_id,
            "set_targets",
            "team",
            team_id,
            before=before,
            after={m: v for m, v in levels.items() if v is not None},
        )


def targets_of(db: Database, team_id: int, dimension: str) -> dict[str, int]:
    return {
        r["member"]: r["level"]
        for r in db.query(
            "SELECT member, level FROM targets WHERE team_id = ? AND dimension = ?",
            [team_id, dimension],
        )
    }
