"""Readiness reviews: the versions of the checks file, a team's review in a round, its answers
and the scores of a completed review (the export tables are in `readiness_exports.py`)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlite_utils import Database

from assess.assessment.scoring import RULES_VERSION, review_scores
from assess.readiness.checks import Review, from_content
from assess.store.assessments import Locked
from assess.store.audit import record_event
from assess.store.db import NotFound, insert_row, now, write
from assess.store.rounds import keep_version


def store_review_version(db: Database, review: Review) -> bool:
    """Keep a readiness review's version; True if new."""
    return keep_version(db, "readiness_review_versions", "review_id", review)


def review_version(db: Database, version: str) -> Review:
    row = db.execute(
        "SELECT content FROM readiness_review_versions WHERE version = ?", [version]
    ).fetchone()
    if row is None:
        raise NotFound(f"readiness review version {version[:12]} is not in this database")
    return from_content(json.loads(row[0]), source=f"stored version {version[:12]}")


def find_review(db: Database, team_id: int, round_id: int) -> dict | None:
    rows = db.query(
        "SELECT * FROM readiness_reviews WHERE team_id = ? AND round_id = ?", [team_id, round_id]
    )
    return next(iter(rows), None)


def answers_of_review(db: Database, review_id: int) -> dict[str, dict]:
    """A review's answers by check key."""
    return {
        row["check_key"]: row
        for row in db.query(
            "SELECT * FROM readiness_answers WHERE review_id = ? ORDER BY rowid", [review_id]
        )
    }


def save_review(
    db: Database,
    team_id: int,
    round_id: int,
    review: Review,
    answers: Mapping[str, tuple[str, str]],
    actor_id: int | None,
    complete: bool = False,
    stamp: str | None = None,
) -> int:
    """Keep answers ((answer, evidence or reason) by check key) in one transaction, starting
    the review on `review`'s version if need be. `complete` marks it completed and keeps its
    scores; any other save that changes an answer makes it a draft again, without scores (a
    changed review is completed again before its scores count). Returns the review's id.
    Refuses (Locked) unless the round is open."""
    stamp = stamp or now()
    store_review_version(db, review)
    with write(db):
        status = db.execute("SELECT status FROM rounds WHERE id = ?", [round_id]).fetchone()
        if status is None or status[0] != "open":
            raise Locked("the round is not open, so its readiness reviews cannot be changed")
        found = find_review(db, team_id, round_id)
        if found is None:
            review_id = insert_row(
                db,
                "readiness_reviews",
                {
                    "team_id": team_id,
                    "round_id": round_id,
                    "version": review.version,
                    "created_by": actor_id,
                    "created_at": stamp,
                    "updated_at": stamp,
                },
            )
            record_event(
                db,
                actor_id,
                "create",
                "readiness_review",
                review_id,
                after={"team_id": team_id, "round_id": round_id, "version": review.version},
            )
        elif found["version"] != review.version:
            raise Locked("this review was started on another version of the checks")
        else:
            review_id = found["id"]
            kept = {
                k: (row["answer"], row["note"])
                for k, row in answers_of_review(db, review_id).items()
            }
            if not complete and all(kept.get(k) == given for k, given in answers.items()):
                return review_id  # nothing changed: a completed review stays completed
        db.table("readiness_answers").upsert_all(
            (
                {
                    "review_id": review_id,
                    "check_key": key,
                    "answer": answer,
                    "note": note,
                    "answered_by": actor_id,
                    "answered_at": stamp,
                }
                for key, (answer, note) in answers.items()
            ),
            pk=("review_id", "check_key"),
        )
        db.execute("DELETE FROM readiness_scores WHERE review_id = ?", [review_id])
        if complete:
            given = {k: row["answer"] for k, row in answers_of_review(db, review_id).items()}
            db.table("readiness_scores").insert_all(
                {
                    "review_id": review_id,
                    "area": area,
                    "score": score.mean,
                    "answered": score.answered,
                    "not_applicable": score.not_applicable,
                    "unanswered": score.unanswered,
                    "rules_version": RULES_VERSION,
                    "computed_at": stamp,
                }
                for area, score in review_scores(review, given).items()
            )
            state = {"status": "completed", "completed_by": actor_id, "completed_at": stamp}
        else:
            state = {"status": "draft", "completed_by": None, "completed_at": None}
        db.table("readiness_reviews").update(review_id, {"updated_at": stamp, **state})
        record_event(
            db,
            actor_id,
            "complete_readiness_review" if complete else "save_readiness_review",
            "readiness_review",
            review_id,
            after={key: {"answer": a, "note": n} for key, (a, n) in answers.items()},
        )
    return review_id


def scores_of_review(db: Database, review_id: int) -> dict[str, dict]:
    """A completed review's score rows by area (and overall); none for a draft."""
    return {
        row["area"]: row
        for row in db.query("SELECT * FROM readiness_scores WHERE review_id = ?", [review_id])
    }


def review_scores_in_round(db: Database, round_id: int) -> dict[int, dict[str, float | None]]:
    """The completed reviews' scores in a round: by team id, then by area (and overall)."""
    found: dict[int, dict[str, float | None]] = {}
    for row in db.query(
        """SELECT r.team_id, s.area, s.score FROM readiness_scores s
           JOIN readiness_reviews r ON r.id = s.review_id WHERE r.round_id = ?""",
        [round_id],
    ):
        found.setdefault(row["team_id"], {})[row["area"]] = row["score"]
    return found
