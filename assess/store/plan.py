"""The strategy's action plan (corporate actions, their milestones and progress notes, the teams'
improvement actions serving them) and the log of scrutiny recommendations with the Cabinet's
responses.

Every change is audited in the transaction that makes it. Progress notes are added, never
changed. Import directly: `from assess.store import plan as plan_store`.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from assess.store.audit import record_event, record_update
from assess.store.db import NotFound, insert_row, now, write
from assess.store.registers import DuplicateRef

ACTION_FIELDS = (
    "ref",
    "title",
    "readiness_area",
    "strand",
    "lead_officer",
    "lead_member",
    "rag",
    "rag_reason",
    "source_kind",
    "source_id",
    "source_round_id",
)
RECOMMENDATION_FIELDS = (
    "committee",
    "report_title",
    "meeting_on",
    "received_on",
    "recommendation",
    "lead_member",
    "response",
    "response_reason",
    "responded_on",
    "corporate_action_id",
    "timescale",
)


# --- corporate actions --------------------------------------------------------------------------


def _check_ref(db: Database, ref: str, action_id: int | None = None) -> None:
    row = db.execute("SELECT id FROM corporate_actions WHERE ref = ?", [ref]).fetchone()
    if row and row[0] != action_id:
        raise DuplicateRef(f"{ref} is already used by another corporate action")


ACTION_SELECT = "SELECT a.* FROM corporate_actions a"


def corporate_action(db: Database, action_id: int) -> dict:
    rows = list(db.query(f"{ACTION_SELECT} WHERE a.id = ?", [action_id]))
    if not rows:
        raise NotFound(f"corporate action {action_id} does not exist")
    return rows[0]


def corporate_actions(db: Database, team_ids: list[int] | None = None) -> list[dict]:
    """Every corporate action by reference; with `team_ids`, only those an improvement action
    of one of those teams serves."""
    if team_ids is None:
        return list(db.query(f"{ACTION_SELECT} ORDER BY a.ref"))
    if not team_ids:
        return []
    marks = ",".join("?" * len(team_ids))
    return list(
        db.query(
            f"""{ACTION_SELECT} WHERE a.id IN (SELECT corporate_action_id FROM
                improvement_actions WHERE team_id IN ({marks})) ORDER BY a.ref""",
            team_ids,
        )
    )


def add_corporate_action(db: Database, fields: dict, actor_id: int | None) -> int:
    stamp = now()
    record: dict[str, Any] = {k: fields[k] for k in ACTION_FIELDS if k in fields}
    record.update(created_by=actor_id, created_at=stamp, updated_by=actor_id, updated_at=stamp)
    with write(db):
        _check_ref(db, record["ref"])
        action_id = insert_row(db, "corporate_actions", record)
        record_event(db, actor_id, "create", "corporate_action", action_id, after=record)
    return action_id


def update_corporate_action(
    db: Database, action_id: int, changes: dict, actor_id: int | None
) -> None:
    with write(db):
        before = corporate_action(db, action_id)
        if "ref" in changes:
            _check_ref(db, changes["ref"], action_id)
        changed = {k: v for k, v in changes.items() if k in ACTION_FIELDS and before[k] != v}
        if not changed:
            return
        db.table("corporate_actions").update(
            action_id, {**changed, "updated_by": actor_id, "updated_at": now()}
        )
        record_update(db, actor_id, "corporate_action", action_id, before, changed)


def refs(db: Database) -> dict[str, int]:
    """Every corporate action's id by its reference."""
    return {r: i for i, r in db.execute("SELECT id, ref FROM corporate_actions")}


# --- milestones and progress notes --------------------------------------------------------------


def milestones(db: Database, action_id: int | None = None) -> list[dict]:
    """Milestones (of one action, if given) by due date, with their action's reference."""
    where = "WHERE m.corporate_action_id = ?" if action_id is not None else ""
    return list(
        db.query(
            f"""SELECT m.*, a.ref, a.title AS action_title FROM action_milestones m
                JOIN corporate_actions a ON a.id = m.corporate_action_id {where}
                ORDER BY m.due_on, m.id""",
            [] if action_id is None else [action_id],
        )
    )


def add_milestone(
    db: Database, action_id: int, title: str, due_on: str, actor_id: int | None
) -> int:
    record = {"corporate_action_id": action_id, "title": title, "due_on": due_on}
    with write(db):
        corporate_action(db, action_id)
        milestone_id = insert_row(db, "action_milestones", record)
        record_event(db, actor_id, "create", "action_milestone", milestone_id, after=record)
    return milestone_id


def mark_milestone_done(
    db: Database, action_id: int, milestone_id: int, done_on: str, actor_id: int | None
) -> None:
    with write(db):
        rows = list(
            db.query(
                "SELECT * FROM action_milestones WHERE id = ? AND corporate_action_id = ?",
                [milestone_id, action_id],
            )
        )
        if not rows:
            raise NotFound(f"milestone {milestone_id} of action {action_id} does not exist")
        db.table("action_milestones").update(milestone_id, {"done_on": done_on})
        record_update(db, actor_id, "action_milestone", milestone_id, rows[0], {"done_on": done_on})


def notes(db: Database, action_id: int | None = None) -> list[dict]:
    """Progress notes (of one action, if given), newest first, with who recorded them."""
    where = "WHERE n.corporate_action_id = ?" if action_id is not None else ""
    return list(
        db.query(
            f"""SELECT n.*, a.ref, a.title AS action_title, u.name AS recorded_by_name
                FROM action_progress_notes n JOIN corporate_actions a
                ON a.id = n.corporate_action_id LEFT JOIN users u ON u.id = n.recorded_by
                {where} ORDER BY n.noted_on DESC, n.id DESC""",
            [] if action_id is None else [action_id],
        )
    )


def add_note(
    db: Database,
    action_id: int,
    noted_on: str,
    note: str,
    rag: str,
    rag_reason: str,
    actor_id: int | None,
) -> int:
    """Add a dated progress note; the action's RAG status (and its reason) becomes the note's."""
    record = {
        "corporate_action_id": action_id,
        "noted_on": noted_on,
        "note": note,
        "rag": rag,
        "recorded_by": actor_id,
        "recorded_at": now(),
    }
    with write(db):
        note_id = insert_row(db, "action_progress_notes", record)
        record_event(db, actor_id, "create", "action_progress_note", note_id, after=record)
        update_corporate_action(db, action_id, {"rag": rag, "rag_reason": rag_reason}, actor_id)
    return note_id


# --- teams' improvement actions serving a corporate action --------------------------------------


def serving(db: Database, action_id: int) -> list[dict]:
    """The teams' improvement actions that serve a corporate action, by team and due date."""
    return list(
        db.query(
            """SELECT ia.*, t.name AS team_name FROM improvement_actions ia
               JOIN teams t ON t.id = ia.team_id WHERE ia.corporate_action_id = ?
               ORDER BY t.name, ia.due_on, ia.id""",
            [action_id],
        )
    )


def serving_by_action(db: Database) -> dict[int, list[dict]]:
    """Every team's improvement action that serves a corporate action, by that action's id."""
    found: dict[int, list[dict]] = {}
    for row in db.query(
        """SELECT id, team_id, status, corporate_action_id FROM improvement_actions
           WHERE corporate_action_id IS NOT NULL"""
    ):
        found.setdefault(row["corporate_action_id"], []).append(row)
    return found


def unlinked_improvement_actions(db: Database) -> list[dict]:
    """Teams' improvement actions serving no corporate action yet, by team."""
    return list(
        db.query(
            """SELECT ia.id, ia.what, ia.due_on, t.name AS team_name FROM improvement_actions ia
               JOIN teams t ON t.id = ia.team_id WHERE ia.corporate_action_id IS NULL
               ORDER BY t.name, ia.due_on, ia.id"""
        )
    )


def set_served(
    db: Database, improvement_action_id: int, action_id: int | None, actor_id: int | None
) -> None:
    """Make a team's improvement action serve a corporate action (None: no longer any)."""
    with write(db):
        rows = list(
            db.query(
                "SELECT corporate_action_id FROM improvement_actions WHERE id = ?",
                [improvement_action_id],
            )
        )
        if not rows:
            raise NotFound(f"improvement action {improvement_action_id} does not exist")
        if action_id is not None:
            corporate_action(db, action_id)
        change = {"corporate_action_id": action_id}
        db.table("improvement_actions").update(improvement_action_id, change)
        record_update(db, actor_id, "improvement_action", improvement_action_id, rows[0], change)


# --- where an action came from ------------------------------------------------------------------


def sources(db: Database) -> dict[str, list[tuple[str, str]]]:
    """What a corporate action may come from, by kind: (value, words) pairs. A gap is a team's
    assessment in a round ("team_id:round_id")."""
    return {
        "risk": [
            (str(i), f"{ref} {title}")
            for i, ref, title in db.execute("SELECT id, ref, title FROM risks ORDER BY ref")
        ],
        "eqia": [
            (str(i), f"{ref} {title}")
            for i, ref, title in db.execute("SELECT id, ref, title FROM eqias ORDER BY ref")
        ],
        "scrutiny": [
            (str(i), f"{committee}, {meeting_on}: {text[:80]}")
            for i, committee, meeting_on, text in db.execute(
                """SELECT id, committee, meeting_on, recommendation FROM scrutiny_recommendations
                   ORDER BY meeting_on DESC, id"""
            )
        ],
        "gap": [
            (f"{team_id}:{round_id}", f"{team}, {round_name}")
            for team_id, round_id, team, round_name in db.execute(
                """SELECT a.team_id, a.round_id, t.name, r.name FROM assessments a
                   JOIN teams t ON t.id = a.team_id JOIN rounds r ON r.id = a.round_id
                   WHERE a.status IN ('submitted', 'signed_off')
                   ORDER BY r.opens_on DESC, t.name"""
            )
        ],
    }


# --- scrutiny recommendations -------------------------------------------------------------------

RECOMMENDATION_SELECT = """SELECT s.*, a.ref AS action_ref, a.title AS action_title
    FROM scrutiny_recommendations s LEFT JOIN corporate_actions a ON a.id = s.corporate_action_id"""


def recommendation(db: Database, recommendation_id: int) -> dict:
    rows = list(db.query(f"{RECOMMENDATION_SELECT} WHERE s.id = ?", [recommendation_id]))
    if not rows:
        raise NotFound(f"scrutiny recommendation {recommendation_id} does not exist")
    return rows[0]


def recommendations(db: Database) -> list[dict]:
    """Every recommendation, the latest meeting first."""
    return list(db.query(f"{RECOMMENDATION_SELECT} ORDER BY s.meeting_on DESC, s.id"))


def add_recommendation(db: Database, fields: dict, actor_id: int | None) -> int:
    stamp = now()
    record: dict[str, Any] = {k: fields[k] for k in RECOMMENDATION_FIELDS if k in fields}
    record.update(created_by=actor_id, created_at=stamp, updated_by=actor_id, updated_at=stamp)
    with write(db):
        found_id = insert_row(db, "scrutiny_recommendations", record)
        record_event(db, actor_id, "create", "scrutiny_recommendation", found_id, after=record)
    return found_id


def update_recommendation(
    db: Database, recommendation_id: int, changes: dict, actor_id: int | None
) -> None:
    with write(db):
        before = recommendation(db, recommendation_id)
        changed = {
            k: v for k, v in changes.items() if k in RECOMMENDATION_FIELDS and before[k] != v
        }
        if not changed:
            return
        db.table("scrutiny_recommendations").update(
            recommendation_id, {**changed, "updated_by": actor_id, "updated_at": now()}
        )
        record_update(db, actor_id, "scrutiny_recommendation", recommendation_id, before, changed)


# --- import -------------------------------------------------------------------------------------


def import_actions(db: Database, actions: list[dict], actor_id: int | None) -> tuple[int, int]:
    """Add or change every corporate action of a checked file (by reference), all or none, each
    audited: how many were added and how many changed."""
    added = changed = 0
    with write(db):
        known = refs(db)
        for found in actions:
            fields = {k: found[k] for k in ACTION_FIELDS if k in found}
            if found["ref"] in known:
                update_corporate_action(db, known[found["ref"]], fields, actor_id)
                changed += 1
            else:
                known[found["ref"]] = add_corporate_action(db, fields, actor_id)
                added += 1
    return added, changed
