"""Business improvement's work on a round: its scope and status, completion, review, moderation."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlite_utils import Database

from assess.assessment.scoring import ScoreRow
from assess.store.assessments import (
    Locked,
    add_review,
    answers_of,
    assessment,
    round_,
    store_scores,
    submitted_assessment,
)
from assess.store.audit import record_event
from assess.store.db import NotFound, now, write

ROUND_STATUSES = ("planned", "open", "closed")


def set_round_scope(
    db: Database, round_id: int, team_ids: Iterable[int], actor_id: int | None
) -> None:
    """The teams expected to assess themselves in a round."""
    team_ids = sorted(set(team_ids))
    with write(db):
        before = round_scope(db, round_id)
        db.execute("DELETE FROM round_teams WHERE round_id = ?", [round_id])
        db.table("round_teams").insert_all({"round_id": round_id, "team_id": t} for t in team_ids)
        record_event(db, actor_id, "set_scope", "round", round_id, before=before, after=team_ids)


def round_scope(db: Database, round_id: int) -> list[int]:
    return [
        r[0]
        for r in db.execute(
            "SELECT team_id FROM round_teams WHERE round_id = ? ORDER BY team_id", [round_id]
        )
    ]


def set_round_status(db: Database, round_id: int, status: str, actor_id: int | None) -> None:
    """Open or close a round. Closing keeps drafts as drafts: they stay visibly unsubmitted."""
    if status not in ROUND_STATUSES:
        raise ValueError(f"a round is {', '.join(ROUND_STATUSES)}")
    with write(db):
        before = round_(db, round_id)["status"]
        db.table("rounds").update(round_id, {"status": status})
        record_event(
            db,
            actor_id,
            "set_status",
            "round",
            round_id,
            before={"status": before},
            after={"status": status},
        )


def rounds_overview(db: Database) -> list[dict]:
    """Every round, newest first, with the status of each team in its scope (`statuses`, one
    entry per team, as the completion tracker sees them)."""
    statuses: dict[int, list[str]] = {}
    for round_id, status in db.execute(
        """SELECT rt.round_id, coalesce(a.status, 'not_started')
           FROM round_teams rt
           LEFT JOIN assessments a ON a.team_id = rt.team_id AND a.round_id = rt.round_id"""
    ):
        statuses.setdefault(round_id, []).append(status)
    return [
        {**r, "statuses": statuses.get(r["id"], [])}
        for r in db.query("SELECT * FROM rounds ORDER BY opens_on DESC, id DESC")
    ]


def completion(db: Database, round_id: int) -> list[dict]:
    """Every team in scope with its assessment's status, answers given, last activity and leads."""
    return list(
        db.query(
            """SELECT t.id AS team_id, t.name AS team, d.id AS directorate_id,
                 d.name AS directorate, a.id AS assessment_id,
                 coalesce(a.status, 'not_started') AS status, a.updated_at AS last_activity,
                 a.reference,
                 (SELECT count(*) FROM answers an WHERE an.assessment_id = a.id
                    AND (an.level IS NOT NULL OR an.not_applicable = 1)) AS answered,
                 (SELECT group_concat(u.name, ', ') FROM team_members m
                    JOIN users u ON u.id = m.user_id
                    WHERE m.team_id = t.id AND u.role = 'team_lead' AND u.active = 1) AS leads,
                 (SELECT group_concat(u.email, ', ') FROM team_members m
                    JOIN users u ON u.id = m.user_id
                    WHERE m.team_id = t.id AND u.role = 'team_lead' AND u.active = 1)
                    AS lead_emails
               FROM round_teams rt JOIN teams t ON t.id = rt.team_id
               JOIN directorates d ON d.id = t.directorate_id
               LEFT JOIN assessments a ON a.team_id = t.id AND a.round_id = rt.round_id
               WHERE rt.round_id = ?
               ORDER BY d.name, t.name""",
            [round_id],
        )
    )


def return_assessment(
    db: Database, assessment_id: int, comment: str, user_id: int | None, stamp: str | None = None
) -> None:
    """Send a submitted assessment back to its team for changes, with the reviewer's comment."""
    stamp = stamp or now()
    if not comment.strip():
        raise ValueError("a returned assessment needs a comment saying what to change")
    with write(db):
        submitted_assessment(db, assessment_id, "returned")
        db.table("assessments").update(assessment_id, {"status": "returned", "updated_at": stamp})
        add_review(db, assessment_id, "returned", comment.strip(), user_id, stamp)
        record_event(
            db,
            user_id,
            "return",
            "assessment",
            assessment_id,
            before={"status": "submitted"},
            after={"status": "returned", "comment": comment},
        )


def review_history(db: Database, assessment_id: int) -> list[dict]:
    return list(
        db.query(
            """SELECT r.*, u.name AS by_name FROM assessment_reviews r
               LEFT JOIN users u ON u.id = r.by_user
               WHERE r.assessment_id = ? ORDER BY r.id""",
            [assessment_id],
        )
    )


def closed_round_reason(round_name: str) -> str:
    """Why a closed round's assessments cannot be moderated, in words for business improvement."""
    return (
        f"The {round_name} round is closed, so its published figures no longer change: "
        "levels in it cannot be moderated."
    )


def moderate(
    db: Database,
    assessment_id: int,
    statement_key: str,
    level: int | None,
    reason: str,
    user_id: int | None,
    rescore: Callable[[list[dict]], list[ScoreRow]],
) -> None:
    """Set (or with None, clear) business improvement's level for one answer, keeping the
    team's own, and recompute the stored scores with it. A closed round's published figures
    never change, so its assessments cannot be moderated."""
    if level is not None and not reason.strip():
        raise ValueError("a moderated level needs a reason")
    stamp = now()
    with write(db):
        current = assessment(db, assessment_id)
        if current["status"] not in ("submitted", "signed_off"):
            raise Locked("only a submitted assessment can be moderated")
        round_name, round_status = db.execute(
            "SELECT name, status FROM rounds WHERE id = ?", [current["round_id"]]
        ).fetchone()
        if round_status == "closed":
            raise Locked(closed_round_reason(round_name))
        rows = [a for a in answers_of(db, assessment_id) if a["statement_key"] == statement_key]
        if not rows:
            raise NotFound(f"'{statement_key}' has no answer to moderate")
        before = {k: rows[0][k] for k in ("level", "moderated_level", "moderation_reason")}
        db.execute(
            """UPDATE answers SET moderated_level = ?, moderation_reason = ?, moderated_by = ?,
               moderated_at = ? WHERE assessment_id = ? AND statement_key = ?""",
            [
                level,
                reason.strip() if level is not None else "",
                user_id if level else None,
                stamp if level else None,
                assessment_id,
                statement_key,
            ],
        )
        store_scores(db, assessment_id, rescore(answers_of(db, assessment_id)), stamp)
        record_event(
            db,
            user_id,
            "moderate",
            "answer",
            f"{assessment_id}/{statement_key}",
            before=before,
            after={"moderated_level": level, "moderation_reason": reason},
        )


def calibration(db: Database, round_id: int) -> list[dict]:
    """Every moderated answer of a round: the team's level beside business improvement's."""
    return list(
        db.query(
            """SELECT t.id AS team_id, t.name AS team, d.name AS directorate,
                 an.statement_key, an.level, an.moderated_level, an.moderation_reason
               FROM answers an JOIN assessments a ON a.id = an.assessment_id
               JOIN teams t ON t.id = a.team_id JOIN directorates d ON d.id = t.directorate_id
               WHERE a.round_id = ? AND an.moderated_level IS NOT NULL
               ORDER BY d.name, t.name""",
            [round_id],
        )
    )


def round_statement_levels(
    db: Database, round_id: int, statement_keys: list[str], statuses: Iterable[str]
) -> list[dict]:
    """Each team's level per statement for a round (moderated where moderated), for drill-down."""
    statuses = list(statuses)
    keys = ",".join("?" * len(statement_keys))
    marks = ",".join("?" * len(statuses))
    return list(
        db.query(
            f"""SELECT t.id AS team_id, t.name AS team, d.name AS directorate, a.status,
                  an.statement_key, coalesce(an.moderated_level, an.level) AS score
                FROM answers an JOIN assessments a ON a.id = an.assessment_id
                JOIN teams t ON t.id = a.team_id JOIN directorates d ON d.id = t.directorate_id
                WHERE a.round_id = ? AND a.status IN ({marks})
                  AND an.statement_key IN ({keys})""",
            [round_id, *statuses, *statement_keys],
        )
    )


def reminders_sent(db: Database, round_id: int) -> dict[int, int]:
    """How many reminders each team of a round has been sent."""
    return dict(
        db.execute(
            "SELECT team_id, count(DISTINCT sent_at) FROM reminders WHERE round_id = ? "
            "GROUP BY team_id",
            [round_id],
        ).fetchall()
    )


def directorate_lead_email(db: Database, team_id: int) -> str | None:
    row = db.execute(
        """SELECT u.email FROM teams t JOIN directorates d ON d.id = t.directorate_id
           JOIN users u ON u.id = d.lead_user_id WHERE t.id = ? AND u.active = 1""",
        [team_id],
    ).fetchone()
    return row[0] if row else None


def set_directorate_lead(
    db: Database, directorate_id: int, user_id: int | None, actor_id: int | None
) -> None:
    with write(db):
        db.table("directorates").update(directorate_id, {"lead_user_id": user_id})
        record_event(
            db, actor_id, "set_lead", "directorate", directorate_id, after={"lead_user_id": user_id}
        )


def record_reminder(
    db: Database,
    round_id: int,
    team_id: int,
    recipients: list[str],
    escalated: bool,
    delivery: str,
    actor_id: int | None,
) -> None:
    """Every reminder sent is kept, with who it went to and how."""
    stamp = now()
    with write(db):
        for recipient in recipients:
            db.table("reminders").insert(
                {
                    "round_id": round_id,
                    "team_id": team_id,
                    "recipient": recipient,
                    "escalated": int(escalated),
                    "delivery": delivery,
                    "sent_by": actor_id,
                    "sent_at": stamp,
                }
            )
        record_event(
            db,
            actor_id,
            "remind",
            "team",
            team_id,
            after={
                "round_id": round_id,
                "to": recipients,
                "escalated": escalated,
                "delivery": delivery,
            },
        )
