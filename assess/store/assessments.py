"""Assessments, their answers and their scores."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable

from sqlite_utils import Database

from assess.assessment.scoring import RULES_VERSION, Answer, ScoreRow
from assess.store.audit import insert_recorded, record_event
from assess.store.db import NotFound, StorageError, now, write

ASSESSMENT_STATUSES = ("draft", "submitted", "returned", "signed_off")

# --- assessments --------------------------------------------------------------------------------


def start_assessment(
    db: Database, team_id: int, round_id: int, user_id: int | None, stamp: str | None = None
) -> int:
    """The team's assessment for a round, pinned to the round's questionnaire version; `stamp`
    (default now) is when it was started, for a seeded history such as the demo's."""
    row = db.execute(
        "SELECT id FROM assessments WHERE team_id = ? AND round_id = ?", [team_id, round_id]
    ).fetchone()
    if row:
        return row[0]
    version = db.execute(
        "SELECT questionnaire_version FROM rounds WHERE id = ?", [round_id]
    ).fetchone()
    if version is None:
        raise NotFound(f"round {round_id} does not exist")
    stamp = stamp or now()
    record = {
        "team_id": team_id,
        "round_id": round_id,
        "questionnaire_version": version[0],
        "status": "draft",
        "created_by": user_id,
        "created_at": stamp,
        "updated_at": stamp,
    }
    assessment_id = insert_recorded(db, "assessments", record, user_id)
    return assessment_id


def assessment(db: Database, assessment_id: int) -> dict:
    rows = list(db.query("SELECT * FROM assessments WHERE id = ?", [assessment_id]))
    if not rows:
        raise NotFound(f"assessment {assessment_id} does not exist")
    return rows[0]


class Locked(StorageError):
    """The assessment has been submitted and can no longer change."""


def submitted_assessment(db: Database, assessment_id: int, to_be: str) -> dict:
    """The assessment, which must be waiting for review; Locked, saying so, if it is not."""
    current = assessment(db, assessment_id)
    if current["status"] != "submitted":
        raise Locked(
            f"only a submitted assessment can be {to_be}; this one is "
            f"{current['status'].replace('_', ' ')}"
        )
    return current


class Stale(StorageError):
    """Someone saved these answers after the page that would change them was opened."""


ANSWER_DEFAULTS = {
    "level": None,
    "not_applicable": 0,
    "not_applicable_reason": "",
    "evidence": "",
    "move_up": "",
}


def answers_fingerprint(answers: dict[str, dict], statement_keys: Iterable[str]) -> str:
    """A short hash of the saved answers to these statements. A page carries the fingerprint of
    what it showed, so a change made from a page that has since gone stale can be refused."""
    digest = hashlib.sha256()
    for key in sorted(statement_keys):
        answer = answers.get(key)
        values = [key, *(answer[field] for field in ANSWER_DEFAULTS)] if answer else [key]
        digest.update(json.dumps(values).encode())
    return digest.hexdigest()[:20]


def refuse_if_stale(db: Database, assessment_id: int, shown: tuple[Iterable[str], str]) -> None:
    """Raise Stale unless the answers to the statements shown are still what the page showed."""
    keys, fingerprint = shown
    keys = set(keys)
    current = {a["statement_key"]: a for a in answers_of(db, assessment_id)}
    if answers_fingerprint(current, keys) != fingerprint:
        raise Stale(f"answers of assessment {assessment_id} changed after the page was opened")


def save_answers(
    db: Database,
    assessment_id: int,
    answers: Iterable[dict],
    user_id: int | None,
    stamp: str | None = None,
    section: str | None = None,
    shown: tuple[Iterable[str], str] | None = None,
) -> None:
    """Upsert answers (each a dict of answer columns with statement_key) in one transaction.
    With `shown` (statement keys and the fingerprint of their answers as the page showed them),
    refuse with Stale if someone has changed those answers since."""
    stamp = stamp or now()
    rows = [
        {
            **ANSWER_DEFAULTS,
            **a,
            "assessment_id": assessment_id,
            "answered_by": user_id,
            "answered_at": stamp,
        }
        for a in answers
    ]
    with write(db):
        status = assessment(db, assessment_id)["status"]
        if status not in ("draft", "returned"):
            raise Locked(
                f"assessment {assessment_id} is {status.replace('_', ' ')}; "
                "answers can no longer be changed"
            )
        if shown is not None:
            refuse_if_stale(db, assessment_id, shown)
        db.table("answers").upsert_all(rows, pk=("assessment_id", "statement_key"))
        db.table("assessments").update(
            assessment_id, {"updated_at": stamp, "last_section": section}
        )
        record_event(
            db,
            user_id,
            "save_answers",
            "assessment",
            assessment_id,
            after={"statements": [r["statement_key"] for r in rows]},
        )


def answers_of(db: Database, assessment_id: int) -> list[dict]:
    return list(
        db.query("SELECT * FROM answers WHERE assessment_id = ? ORDER BY rowid", [assessment_id])
    )


def as_scoring_answers(rows: Iterable[dict]) -> list[Answer]:
    """Answers for scoring: a level moderated by business improvement counts instead of the
    team's own (both stay stored)."""
    return [
        Answer(
            r["statement_key"], r.get("moderated_level") or r["level"], bool(r["not_applicable"])
        )
        for r in rows
    ]


def reference_for(db: Database, assessment_row: dict) -> str:
    """A reference a team lead can quote: round, team and assessment, e.g. AS-202425-007-00123."""
    round_name = round_(db, assessment_row["round_id"])["name"]
    digits = "".join(ch for ch in round_name if ch.isalnum())
    return f"AS-{digits}-{assessment_row['team_id']:03d}-{assessment_row['id']:05d}"


def store_scores(db: Database, assessment_id: int, rows: list[ScoreRow], stamp: str) -> None:
    """Replace an assessment's scores, each stamped with the rules version that made it."""
    db.table("scores").delete_where("assessment_id = ?", [assessment_id])
    db.table("scores").insert_all(
        {
            "assessment_id": assessment_id,
            "dimension": row.dimension,
            "member": row.member,
            "score": row.score.mean,
            "answered": row.score.answered,
            "not_applicable": row.score.not_applicable,
            "unanswered": row.score.unanswered,
            "rules_version": RULES_VERSION,
            "computed_at": stamp,
        }
        for row in rows
    )


def add_review(
    db: Database, assessment_id: int, action: str, comment: str, user_id: int | None, stamp: str
) -> None:
    """One step of the review history: submitted, returned (with a comment) or signed off."""
    db.table("assessment_reviews").insert(
        {
            "assessment_id": assessment_id,
            "action": action,
            "comment": comment,
            "by_user": user_id,
            "at": stamp,
        }
    )


def submit_assessment(
    db: Database,
    assessment_id: int,
    user_id: int | None,
    scores: Callable[[list[dict]], list[ScoreRow]],
    stamp: str | None = None,
    shown: tuple[Iterable[str], str] | None = None,
    staff_seen: int | None = None,
) -> None:
    """Lock the assessment and store its scores, all or nothing; with `shown`, only if the
    answers are still those the submitter checked (see save_answers). `staff_seen`: how many
    staff answers the submitter could see, when the assessment is agreed after them."""
    stamp = stamp or now()
    with write(db):
        current = assessment(db, assessment_id)
        if current["status"] not in ("draft", "returned"):
            raise Locked(
                f"assessment {assessment_id} is already {current['status'].replace('_', ' ')}"
            )
        if shown is not None:
            refuse_if_stale(db, assessment_id, shown)
        store_scores(db, assessment_id, scores(answers_of(db, assessment_id)), stamp)
        db.table("assessments").update(
            assessment_id,
            {
                "status": "submitted",
                "submitted_by": user_id,
                "submitted_at": stamp,
                "updated_at": stamp,
                "reference": reference_for(db, current),
                "staff_seen": staff_seen,
            },
        )
        add_review(db, assessment_id, "submitted", "", user_id, stamp)
        record_event(
            db,
            user_id,
            "submit",
            "assessment",
            assessment_id,
            before={"status": current["status"]},
            after={"status": "submitted", **({"staff_seen": staff_seen} if staff_seen else {})},
        )


def sign_off_assessment(
    db: Database, assessment_id: int, user_id: int | None, stamp: str | None = None
) -> None:
    stamp = stamp or now()
    with write(db):
        submitted_assessment(db, assessment_id, "signed off")
        db.table("assessments").update(
            assessment_id,
            {
                "status": "signed_off",
                "signed_off_by": user_id,
                "signed_off_at": stamp,
                "updated_at": stamp,
            },
        )
        add_review(db, assessment_id, "signed_off", "", user_id, stamp)
        record_event(
            db,
            user_id,
            "sign_off",
            "assessment",
            assessment_id,
            before={"status": "submitted"},
            after={"status": "signed_off"},
        )


SCORE_ROWS = """SELECT a.round_id, a.id AS assessment_id, t.id AS team_id, t.name AS team,
       d.name AS directorate, a.status, s.dimension, s.member, s.score
    FROM scores s JOIN assessments a ON a.id = s.assessment_id
    JOIN teams t ON t.id = a.team_id JOIN directorates d ON d.id = t.directorate_id"""


def _score_rows(
    db: Database, round_id: int | None, statuses: Iterable[str], dimensions: Iterable[str] | None
) -> Iterable[dict]:
    statuses = list(statuses)
    where = f"a.status IN ({','.join('?' * len(statuses))})"
    params: list[object] = [*statuses]
    if round_id is not None:
        where, params = f"a.round_id = ? AND {where}", [round_id, *params]
    if dimensions is not None:
        dimensions = list(dimensions)
        where += f" AND s.dimension IN ({','.join('?' * len(dimensions))})"
        params += dimensions
    return db.query(f"{SCORE_ROWS} WHERE {where}", params)


def round_scores(
    db: Database,
    round_id: int,
    statuses: Iterable[str] = ("submitted", "signed_off"),
    dimensions: Iterable[str] | None = None,
) -> list[dict]:
    """Stored scores of one round with their team and directorate, one row per score;
    only the dimensions named (the overall score is the dimension "overall"), if given."""
    return list(_score_rows(db, round_id, statuses, dimensions))


def scores_by_round(
    db: Database, statuses: Iterable[str], dimensions: Iterable[str]
) -> dict[int, list[dict]]:
    """Every round's stored scores of these dimensions, as `round_scores` gives them, by round id,
    in one read: the trends follow every round at once."""
    found: dict[int, list[dict]] = {}
    for row in _score_rows(db, None, statuses, dimensions):
        found.setdefault(row["round_id"], []).append(row)
    return found


def round_answers(
    db: Database, round_id: int, statuses: Iterable[str] = ("submitted", "signed_off")
) -> list[tuple]:
    """Every answer of a round's assessments at these statuses as (team_id, statement_key,
    level, not_applicable) tuples: plain tuples, because a council-wide read is 300,000 rows."""
    statuses = list(statuses)
    return db.execute(
        f"""SELECT a.team_id, an.statement_key, an.level, an.not_applicable
           FROM answers an JOIN assessments a ON a.id = an.assessment_id
           WHERE a.round_id = ? AND a.status IN ({",".join("?" * len(statuses))})""",
        [round_id, *statuses],
    ).fetchall()


def team(db: Database, team_id: int) -> dict:
    rows = list(
        db.query(
            """SELECT teams.*, directorates.name AS directorate FROM teams
               JOIN directorates ON directorates.id = teams.directorate_id WHERE teams.id = ?""",
            [team_id],
        )
    )
    if not rows:
        raise NotFound(f"team {team_id} does not exist")
    return rows[0]


def round_(db: Database, round_id: int) -> dict:
    rows = list(db.query("SELECT * FROM rounds WHERE id = ?", [round_id]))
    if not rows:
        raise NotFound(f"round {round_id} does not exist")
    return rows[0]


def current_round(db: Database) -> dict | None:
    """The open round (the latest, if several are open)."""
    rows = list(
        db.query("SELECT * FROM rounds WHERE status = 'open' ORDER BY opens_on DESC LIMIT 1")
    )
    return rows[0] if rows else None


def find_assessment(db: Database, team_id: int, round_id: int) -> dict | None:
    rows = list(
        db.query(
            "SELECT * FROM assessments WHERE team_id = ? AND round_id = ?", [team_id, round_id]
        )
    )
    return rows[0] if rows else None


def assessments_in_round(db: Database, round_id: int) -> list[dict]:
    """Every assessment of a round, drafts included, by team id."""
    return list(
        db.query("SELECT * FROM assessments WHERE round_id = ? ORDER BY team_id", [round_id])
    )


def previous_assessment(db: Database, team_id: int, round_id: int) -> dict | None:
    """The team's latest submitted assessment from a round that opened before this one."""
    rows = list(
        db.query(
            """SELECT a.*, r.name AS round_name FROM assessments a
               JOIN rounds r ON r.id = a.round_id
               WHERE a.team_id = ? AND a.status IN ('submitted', 'signed_off')
                 AND r.opens_on < (SELECT opens_on FROM rounds WHERE id = ?)
               ORDER BY r.opens_on DESC LIMIT 1""",
            [team_id, round_id],
        )
    )
    return rows[0] if rows else None


def scores_of(db: Database, assessment_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM scores WHERE assessment_id = ?", [assessment_id]))


def record_refused_change(
    db: Database, user_id: int | None, assessment_id: int, reason: str
) -> None:
    with write(db):
        record_event(
            db, user_id, "refused_change", "assessment", assessment_id, after={"reason": reason}
        )
