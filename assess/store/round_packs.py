"""Frozen round packs: gathered from the database, kept in it unchanged (triggers refuse edits),
and recorded in the audit log with the SHA-256 of each part."""

from __future__ import annotations

import json

from sqlite_utils import Database

from assess.assessment.scoring import RULES_VERSION
from assess.audit import round_pack
from assess.store.audit import record_event
from assess.store.db import NotFound, StorageError, insert_row, now, write
from assess.store.export_types import Filters
from assess.store.staff import round_staff_teams
from assess.store.staff_exports import STAFF_FIGURES, staff_figure_rows


def gather(
    db: Database, round_id: int, created_by: str | None, min_responses: int | None = None
) -> dict:
    """Everything the round's scores rest on, as one document (see assess.audit.round_pack);
    with `min_responses` (the setting MIN_RESPONSES), the round's staff figures too."""
    rows = list(db.query("SELECT * FROM rounds WHERE id = ?", [round_id]))
    if not rows:
        raise NotFound(f"round {round_id} does not exist")
    round_row = rows[0]
    assessments = list(
        db.query(
            """SELECT a.id, a.reference, t.name AS team, d.name AS directorate, a.status,
                  a.questionnaire_version, sb.email AS submitted_by, a.submitted_at,
                  so.email AS signed_off_by, a.signed_off_at
               FROM assessments a JOIN teams t ON t.id = a.team_id
               JOIN directorates d ON d.id = t.directorate_id
               LEFT JOIN users sb ON sb.id = a.submitted_by
               LEFT JOIN users so ON so.id = a.signed_off_by
               WHERE a.round_id = ? AND a.status IN ('submitted', 'signed_off')
               ORDER BY a.id""",
            [round_id],
        )
    )
    scope = (
        "SELECT id FROM assessments WHERE round_id = ? AND status IN ('submitted', 'signed_off')"
    )
    versions = sorted(
        {a["questionnaire_version"] for a in assessments} | {round_row["questionnaire_version"]}
    )
    marks = ",".join("?" * len(versions))
    return {
        "format": round_pack.FORMAT,
        "created_at": now(),
        "created_by": created_by,
        "scoring_rules_version": RULES_VERSION,
        "round": {
            k: round_row[k]
            for k in ("id", "name", "status", "opens_on", "closes_on", "questionnaire_version")
        },
        "questionnaire_versions": [
            {**v, "content": json.loads(v["content"])}
            for v in db.query(
                f"""SELECT version, questionnaire_id, title, content FROM questionnaire_versions
                    WHERE version IN ({marks}) ORDER BY version""",
                versions,
            )
        ],
        "assessments": assessments,
        "answers": list(
            db.query(
                f"""SELECT an.assessment_id, an.statement_key, an.level, an.not_applicable,
                      an.not_applicable_reason, an.evidence, an.move_up, an.moderated_level,
                      an.moderation_reason, u.email AS answered_by, an.answered_at
                   FROM answers an LEFT JOIN users u ON u.id = an.answered_by
                   WHERE an.assessment_id IN ({scope})
                   ORDER BY an.assessment_id, an.statement_key""",
                [round_id],
            )
        ),
        "scores": list(
            db.query(
                f"""SELECT assessment_id, dimension, member, score, answered, not_applicable,
                      unanswered, rules_version, computed_at FROM scores
                   WHERE assessment_id IN ({scope})
                   ORDER BY assessment_id, dimension, member""",
                [round_id],
            )
        ),
        "sign_offs": list(
            db.query(
                f"""SELECT r.assessment_id, r.action, r.comment, u.email AS by_user, r.at
                   FROM assessment_reviews r LEFT JOIN users u ON u.id = r.by_user
                   WHERE r.assessment_id IN ({scope}) ORDER BY r.id""",
                [round_id],
            )
        ),
        "readiness_reviews": _readiness_reviews(db, round_id),
    } | ({"staff_figures": _staff_figures(db, round_id, min_responses)} if min_responses else {})


def _staff_figures(db: Database, round_id: int, min_responses: int) -> dict:
    """The round's staff figures as auditors export them (aggregates only), with each team's
    count of responses, so a verifier can check the small-group rule from the pack alone."""
    names = dict(db.execute("SELECT id, name FROM teams").fetchall())
    filters = Filters(round_id=round_id, min_responses=min_responses)
    columns = STAFF_FIGURES.column_names
    return {
        "min_responses": min_responses,
        "teams": [
            {"directorate_id": d, "team_id": t, "team": names[t], "responses": n}
            for d, teams in sorted(round_staff_teams(db, round_id).items())
            for t, n in sorted(teams.items())
        ],
        "figures": [dict(zip(columns, row, strict=True)) for row in staff_figure_rows(db, filters)],
    }


def _readiness_reviews(db: Database, round_id: int) -> dict:
    """The round's completed readiness reviews, their checks' versions, answers and scores."""
    scope = "SELECT id FROM readiness_reviews WHERE round_id = ? AND status = 'completed'"
    reviews = list(
        db.query(
            """SELECT r.id, t.name AS team, d.name AS directorate, r.status, r.version,
                  cb.email AS completed_by, r.completed_at
               FROM readiness_reviews r JOIN teams t ON t.id = r.team_id
               JOIN directorates d ON d.id = t.directorate_id
               LEFT JOIN users cb ON cb.id = r.completed_by
               WHERE r.round_id = ? AND r.status = 'completed' ORDER BY r.id""",
            [round_id],
        )
    )
    versions = sorted({r["version"] for r in reviews})
    marks = ",".join("?" * len(versions))
    return {
        "versions": [
            {**v, "content": json.loads(v["content"])}
            for v in db.query(
                f"""SELECT version, review_id, title, content FROM readiness_review_versions
                    WHERE version IN ({marks}) ORDER BY version""",
                versions,
            )
        ],
        "reviews": reviews,
        "answers": list(
            db.query(
                f"""SELECT a.review_id, a.check_key, a.answer, a.note, u.email AS answered_by,
                      a.answered_at
                   FROM readiness_answers a LEFT JOIN users u ON u.id = a.answered_by
                   WHERE a.review_id IN ({scope}) ORDER BY a.review_id, a.check_key""",
                [round_id],
            )
        ),
        "scores": list(
            db.query(
                f"""SELECT review_id, area, score, answered, not_applicable, unanswered,
                      rules_version, computed_at FROM readiness_scores
                   WHERE review_id IN ({scope}) ORDER BY review_id, area""",
                [round_id],
            )
        ),
    }


def freeze_round(
    db: Database, round_id: int, user_id: int | None, min_responses: int | None = None
) -> int:
    """Freeze a closed round's pack and record its hashes in the audit log; returns its id.
    With `min_responses`, the pack holds the round's staff figures (aggregates only)."""
    with write(db):
        user = db.execute("SELECT email FROM users WHERE id = ?", [user_id]).fetchone()
        pack = gather(db, round_id, user[0] if user else None, min_responses)
        if pack["round"]["status"] != "closed":
            raise StorageError(
                f"The {pack['round']['name']} round is {pack['round']['status']}: close it "
                "before freezing its pack."
            )
        parts = round_pack.part_hashes(pack)
        digest = round_pack.sha256(pack)
        pack_id = insert_row(
            db,
            "round_packs",
            {
                "round_id": round_id,
                "created_by": user_id,
                "created_at": pack["created_at"],
                "content": round_pack.to_file(pack),
                "sha256": digest,
                "parts": json.dumps(parts, sort_keys=True),
            },
        )
        record_event(
            db,
            user_id,
            "freeze",
            "round_pack",
            pack_id,
            after={
                "round": pack["round"]["name"],
                "sha256": digest,
                "parts": parts,
                "assessments": len(pack["assessments"]),
                "answers": len(pack["answers"]),
                "scores": len(pack["scores"]),
            },
        )
    return pack_id


def round_packs(db: Database) -> list[dict]:
    return list(
        db.query(
            """SELECT p.id, p.round_id, r.name AS round, p.created_at, u.name AS created_by,
                  p.sha256, p.parts, length(p.content) AS size
               FROM round_packs p JOIN rounds r ON r.id = p.round_id
               LEFT JOIN users u ON u.id = p.created_by ORDER BY p.id DESC"""
        )
    )


def pack_file(db: Database, pack_id: int) -> tuple[str, bytes]:
    """The round's name and the pack's file (gzipped JSON)."""
    row = db.execute(
        """SELECT r.name, p.content FROM round_packs p JOIN rounds r ON r.id = p.round_id
           WHERE p.id = ?""",
        [pack_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"round pack {pack_id} does not exist")
    return row[0], row[1]


def latest_pack_of(db: Database, round_name: str) -> bytes:
    row = db.execute(
        """SELECT p.content FROM round_packs p JOIN rounds r ON r.id = p.round_id
           WHERE r.name = ? ORDER BY p.id DESC LIMIT 1""",
        [round_name],
    ).fetchone()
    if row is None:
        raise NotFound(f"The {round_name} round has no frozen pack.")
    return row[0]
