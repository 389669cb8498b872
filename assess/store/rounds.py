"""Questionnaire versions (every version ever loaded is kept) and rounds."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from assess.assessment.questionnaire import Questionnaire, from_stored
from assess.store.audit import insert_recorded, record_event
from assess.store.db import NotFound, now, write

# --- questionnaires and rounds ------------------------------------------------------------------


def keep_version(db: Database, table: str, id_column: str, loaded: Any) -> bool:
    """Keep a version of a data file (a questionnaire or a readiness review: anything with a
    version, id, title, content and source) in `table`, unless kept already; True if new. Every
    version ever loaded is kept, so old answers can always be read."""
    if db.execute(f"SELECT 1 FROM {table} WHERE version = ?", [loaded.version]).fetchone():
        return False
    with write(db):
        db.table(table).insert(
            {
                "version": loaded.version,
                id_column: loaded.id,
                "title": loaded.title,
                "content": json.dumps(loaded.content, ensure_ascii=False),
                "first_loaded_at": now(),
            }
        )
        record_event(
            db,
            None,
            "load",
            table.removesuffix("s"),
            loaded.version,
            after={"id": loaded.id, "source": loaded.source},
        )
    return True


def store_questionnaire_version(db: Database, questionnaire: Questionnaire) -> bool:
    """Keep a questionnaire's version; True if new."""
    return keep_version(db, "questionnaire_versions", "questionnaire_id", questionnaire)


def store_questionnaire_versions(db: Database, questionnaires: Iterable[Questionnaire]) -> None:
    """Record every loaded questionnaire version not yet kept (a round may use any of them)."""
    for questionnaire in questionnaires:
        store_questionnaire_version(db, questionnaire)


def questionnaire_version(db: Database, version: str) -> Questionnaire:
    row = db.execute(
        "SELECT content FROM questionnaire_versions WHERE version = ?", [version]
    ).fetchone()
    if row is None:
        raise NotFound(f"questionnaire version {version[:12]} is not in this database")
    return from_stored(row[0], version)


def questionnaire_versions(db: Database) -> list[dict]:
    return list(
        db.query(
            """SELECT v.version, v.questionnaire_id, v.title, v.first_loaded_at,
                  count(a.id) AS assessments
           FROM questionnaire_versions v LEFT JOIN assessments a
             ON a.questionnaire_version = v.version
           GROUP BY v.version ORDER BY v.questionnaire_id, v.first_loaded_at"""
        )
    )


def create_round(
    db: Database,
    name: str,
    version: str,
    opens_on: str,
    closes_on: str,
    status: str = "planned",
    actor_id: int | None = None,
    team_ids: list[int] | None = None,
) -> int:
    """A round and the teams in its scope (every active team unless given)."""
    record = {
        "name": name,
        "questionnaire_version": version,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "status": status,
        "created_at": now(),
    }
    with write(db):
        round_id = insert_recorded(db, "rounds", record, actor_id)
        if team_ids is None:
            team_ids = [r[0] for r in db.execute("SELECT id FROM teams WHERE active = 1")]
        db.table("round_teams").insert_all({"round_id": round_id, "team_id": t} for t in team_ids)
    return round_id


def round_by_name(db: Database, name: str) -> dict | None:
    rows = list(db.query("SELECT * FROM rounds WHERE name = ?", [name]))
    return rows[0] if rows else None


def rounds(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM rounds ORDER BY opens_on, id"))


def round_before(db: Database, round_: dict) -> dict | None:
    """The round that opened last before this one, if any: what "the last round" compares with."""
    rows = list(
        db.query(
            "SELECT * FROM rounds WHERE opens_on < ? ORDER BY opens_on DESC, id DESC LIMIT 1",
            [round_["opens_on"]],
        )
    )
    return rows[0] if rows else None


def in_round_scope(db: Database, round_id: int, team_id: int) -> bool:
    """Whether the round was created (or later scoped) for this team."""
    return (
        db.execute(
            "SELECT 1 FROM round_teams WHERE round_id = ? AND team_id = ?", [round_id, team_id]
        ).fetchone()
        is not None
    )


def assessments_of_teams(db: Database, user_id: int) -> list[dict]:
    """The user's teams in each round whose scope includes them, with the assessment's status
    ("not_started" when there is none): every open round, and the rounds with a submitted or
    signed-off assessment. Newest round first, then by team."""
    return list(
        db.query(
            """SELECT t.id AS team_id, t.name AS team, r.id AS round_id, r.name AS round,
                 r.status AS round_status, r.closes_on,
                 coalesce(a.status, 'not_started') AS status
               FROM team_members m
               JOIN teams t ON t.id = m.team_id
               JOIN round_teams rt ON rt.team_id = t.id
               JOIN rounds r ON r.id = rt.round_id
               LEFT JOIN assessments a ON a.team_id = t.id AND a.round_id = r.id
               WHERE m.user_id = ?
                 AND (r.status = 'open' OR a.status IN ('submitted', 'signed_off'))
               ORDER BY r.opens_on DESC, r.id DESC, t.name, t.id""",
            [user_id],
        )
    )
