"""Staff invitations and anonymous staff responses: the only SQL that touches them.

What is anonymous, and how the schema keeps it so:
- An invitation (an emailed link or a printed code) is a row with a keyed hash of its secret,
  its team and round, and `used` 0 or 1: never when it was used. Its email is kept only so a
  reminder can reach someone who has not used their link; it is wiped when the link is used
  (the table's CHECK refuses a used invitation with an email) and when the round closes (a
  trigger on rounds).
- A response has a random text id, a hash of the secret its device keeps in a cookie, its team,
  round, questionnaire version and status: no user, no address, no timestamp, and nothing that
  names the invitation it came from. Responses, answers and comments are WITHOUT ROWID tables,
  so neither their keys nor the order they were written in line up with the invitations.
- The audit trail holds only events about invitations made and reminders sent (a team, a round,
  a count), never one per response: an audit event carries the time it happened, and the time a
  response was started or submitted, beside the time each invitation was sent or a request was
  logged, could point to the person who answered. So starting, saving and submitting a staff
  response are deliberately not audited; the figures the council reads are counts per team.

Secrets (links, codes, device secrets) are stored as an HMAC keyed by a key derived from the
audit key, which is kept apart from the database and its backups: a ten-character code is too
short for a plain hash to hide it from someone holding a copy of the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from assess.assessment.scoring import OVERALL
from assess.assessment.staff import new_code
from assess.store.audit import record_event
from assess.store.db import NotFound, StorageError, audit_key_of, now, write

KINDS = ("email", "printed")


class StaffClosed(StorageError):
    """The response can no longer change: submitted, or its round is not open."""


def _hash(db: Database, secret: str) -> str:
    key = hmac.new(audit_key_of(db).encode(), b"assess staff secrets", hashlib.sha256).digest()
    return hmac.new(key, secret.encode("utf-8"), hashlib.sha256).hexdigest()


# --- invitations --------------------------------------------------------------------------------


def create_invitations(
    db: Database,
    round_id: int,
    team_id: int,
    kind: str,
    user_id: int | None,
    emails: Iterable[str] = (),
    count: int = 0,
) -> list[tuple[str | None, str]]:
    """New single-use invitations for a team in a round: one per email (kind "email") or
    `count` printed codes. Returns (email or None, secret) for each; the secret (a link's token
    or a code) is never stored, so it can be shown or sent only now. One audit event."""
    if kind not in KINDS:
        raise ValueError(f"an invitation is one of {KINDS}")
    made: list[tuple[str | None, str]] = (
        [(email, secrets.token_urlsafe(32)) for email in emails]
        if kind == "email"
        else [(None, new_code()) for _ in range(count)]
    )
    stamp = now()
    with write(db):
        db.conn.executemany(
            """INSERT INTO staff_invitations
               (round_id, team_id, kind, email, token_hash, created_at, created_by)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [
                (round_id, team_id, kind, email, _hash(db, secret), stamp, user_id)
                for email, secret in made
            ],
        )
        record_event(
            db,
            user_id,
            "invite_staff",
            "staff_invitations",
            None,
            after={"round_id": round_id, "team_id": team_id, "kind": kind, "count": len(made)},
        )
    return made


def invitation_counts(db: Database, round_id: int, team_id: int) -> dict[str, int]:
    """How many invitations a team has in a round, how many were used, and responses submitted:
    counts only, never who."""
    invited, used, emailed = db.execute(
        """SELECT count(*), coalesce(sum(used), 0), coalesce(sum(kind = 'email'), 0)
           FROM staff_invitations WHERE round_id = ? AND team_id = ?""",
        [round_id, team_id],
    ).fetchone()
    submitted = db.execute(
        """SELECT count(*) FROM staff_responses
           WHERE round_id = ? AND team_id = ? AND status = 'submitted'""",
        [round_id, team_id],
    ).fetchone()[0]
    return {
        "invited": invited,
        "used": used,
        "emailed": emailed,
        "printed": invited - emailed,
        "submitted": submitted,
    }


def renew_unused_links(
    db: Database, round_id: int, team_id: int | None, user_id: int | None
) -> list[tuple[int, str, str]]:
    """For a reminder: each unused emailed invitation of the round (of one team, or of all) gets
    a new secret, since only hashes are kept; the link sent before stops working. Returns
    (team id, email, new secret). One audit event with the count."""
    with write(db):
        rows = db.execute(
            """SELECT id, team_id, email FROM staff_invitations
               WHERE round_id = ? AND used = 0 AND email IS NOT NULL
                 AND (? IS NULL OR team_id = ?) ORDER BY id""",
            [round_id, team_id, team_id],
        ).fetchall()
        renewed = [(row_id, t, email, secrets.token_urlsafe(32)) for row_id, t, email in rows]
        db.conn.executemany(
            "UPDATE staff_invitations SET token_hash = ? WHERE id = ?",
            [(_hash(db, secret), row_id) for row_id, _, _, secret in renewed],
        )
        if renewed:
            record_event(
                db,
                user_id,
                "remind_staff",
                "staff_invitations",
                None,
                after={"round_id": round_id, "team_id": team_id, "count": len(renewed)},
            )
    return [(t, email, secret) for _, t, email, secret in renewed]


# --- starting and resuming a response -----------------------------------------------------------


@dataclass(frozen=True)
class Started:
    """A response just started from an invitation: its id and the secret its device keeps."""

    response_id: str
    device_secret: str


@dataclass(frozen=True)
class Refused:
    """Why an invitation did not start a response: "unknown", "used" or "closed"."""

    reason: str


def invitation_state(db: Database, secret: str) -> dict | None:
    """The round and team of an invitation and whether it is used and its round open (for the
    page a link opens, before anything changes); None when no invitation has this secret."""
    rows = list(
        db.query(
            """SELECT i.used, i.team_id, i.round_id, r.status AS round_status,
                      r.name AS round_name, r.closes_on, t.name AS team_name
               FROM staff_invitations i JOIN rounds r ON r.id = i.round_id
               JOIN teams t ON t.id = i.team_id WHERE i.token_hash = ?""",
            [_hash(db, secret)],
        )
    )
    return rows[0] if rows else None


def start_response(db: Database, secret: str) -> Started | Refused:
    """Use an invitation: if it is unused and its round open, mark it used (forgetting its
    email) and start a response with a random id and device secret, in one transaction. Nothing
    written links the two."""
    with write(db):
        row = db.execute(
            """SELECT i.id, i.used, i.team_id, i.round_id, r.status, r.questionnaire_version
               FROM staff_invitations i JOIN rounds r ON r.id = i.round_id
               WHERE i.token_hash = ?""",
            [_hash(db, secret)],
        ).fetchone()
        if row is None:
            return Refused("unknown")
        invitation_id, used, team_id, round_id, round_status, version = row
        if used:
            return Refused("used")
        if round_status != "open":
            return Refused("closed")
        db.execute(
            "UPDATE staff_invitations SET used = 1, email = NULL WHERE id = ?", [invitation_id]
        )
        started = Started(secrets.token_urlsafe(16), secrets.token_urlsafe(32))
        db.execute(
            """INSERT INTO staff_responses
               (id, round_id, team_id, questionnaire_version, resume_hash, status)
               VALUES (?, ?, ?, ?, ?, 'draft')""",
            [started.response_id, round_id, team_id, version, _hash(db, started.device_secret)],
        )
    return started


def staff_response(db: Database, response_id: str, device_secret: str) -> dict | None:
    """The response a device's cookie names, with its round and team, if the device's secret is
    the one it was started with; None otherwise."""
    rows = list(
        db.query(
            """SELECT s.id, s.round_id, s.team_id, s.questionnaire_version, s.resume_hash,
                      s.status, r.status AS round_status, r.name AS round_name, r.closes_on,
                      t.name AS team_name
               FROM staff_responses s JOIN rounds r ON r.id = s.round_id
               JOIN teams t ON t.id = s.team_id WHERE s.id = ?""",
            [response_id],
        )
    )
    if not rows or not hmac.compare_digest(rows[0]["resume_hash"], _hash(db, device_secret)):
        return None
    response = rows[0]
    del response["resume_hash"]
    return response


# --- answers ------------------------------------------------------------------------------------


def staff_levels(db: Database, response_id: str) -> dict[str, int]:
    """A response's levels by statement key."""
    return dict(
        db.execute(
            "SELECT statement_key, level FROM staff_answers WHERE response_id = ?", [response_id]
        ).fetchall()
    )


def staff_comments(db: Database, response_id: str) -> dict[str, str]:
    """A response's comments by section key."""
    return dict(
        db.execute(
            "SELECT section_key, text FROM staff_comments WHERE response_id = ?", [response_id]
        ).fetchall()
    )


def _changeable(db: Database, response_id: str) -> None:
    row = db.execute(
        """SELECT s.status, r.status FROM staff_responses s JOIN rounds r ON r.id = s.round_id
           WHERE s.id = ?""",
        [response_id],
    ).fetchone()
    if row is None:
        raise NotFound("there is no such response")
    if row[0] != "draft":
        raise StaffClosed("Your answers have been submitted, so they can no longer be changed.")
    if row[1] != "open":
        raise StaffClosed("The round has closed, so answers can no longer be changed.")


def save_staff_section(
    db: Database,
    response_id: str,
    levels: dict[str, int],
    section_key: str,
    comment: str | None,
) -> None:
    """Keep a section's levels and its comment ("" removes it; None leaves it as it was), in
    one transaction; StaffClosed once the response is submitted or its round not open."""
    with write(db):
        _changeable(db, response_id)
        db.conn.executemany(
            """INSERT INTO staff_answers (response_id, statement_key, level) VALUES (?, ?, ?)
               ON CONFLICT (response_id, statement_key) DO UPDATE SET level = excluded.level""",
            [(response_id, key, level) for key, level in levels.items()],
        )
        if comment == "":
            db.execute(
                "DELETE FROM staff_comments WHERE response_id = ? AND section_key = ?",
                [response_id, section_key],
            )
        elif comment is not None:
            db.execute(
                """INSERT INTO staff_comments (response_id, section_key, text) VALUES (?, ?, ?)
                   ON CONFLICT (response_id, section_key) DO UPDATE SET text = excluded.text""",
                [response_id, section_key, comment],
            )


# A response's levels -> its section scores and overall score (`staff_figures.response_scores`).
Scorer = Callable[[dict[str, int]], Mapping[tuple[str, str], float | None]]


def _keep_scores(
    db: Database, response_id: str, scores: Mapping[tuple[str, str], float | None]
) -> None:
    """Keep a submitted response's scores, with its round and team so the council's figures
    read them in one scan."""
    round_id, team_id = db.execute(
        "SELECT round_id, team_id FROM staff_responses WHERE id = ?", [response_id]
    ).fetchone()
    db.conn.executemany(
        """INSERT INTO staff_scores (round_id, dimension, team_id, member, response_id, score)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [
            (round_id, dimension, team_id, member, response_id, score)
            for (dimension, member), score in scores.items()
            if score is not None
        ],
    )


def submit_staff_response(
    db: Database, response_id: str, statement_keys: Iterable[str], score: Scorer
) -> None:
    """Submit a response that answers every statement given, keeping its scores as `score`
    gives them, in one transaction; StaffClosed if it cannot change, ValueError naming how many
    are unanswered."""
    with write(db):
        _changeable(db, response_id)
        levels = staff_levels(db, response_id)
        missing = set(statement_keys) - set(levels)
        if missing:
            raise ValueError(f"{len(missing)} statements are not answered yet")
        db.execute("UPDATE staff_responses SET status = 'submitted' WHERE id = ?", [response_id])
        _keep_scores(db, response_id, score(levels))


# --- throttling wrong codes ---------------------------------------------------------------------


def claim_code_attempt(
    db: Database,
    address: str,
    at: datetime,
    window_start: datetime,
    wait: Callable[[list[datetime]], float],
) -> float:
    """Before a typed code is checked: the seconds this client address must wait, from its wrong
    codes within the window (`wait` decides); 0 means check it now. Old failures are dropped."""
    with write(db):
        db.execute("DELETE FROM staff_code_failures WHERE at < ?", [window_start.isoformat()])
        rows = db.execute(
            "SELECT at FROM staff_code_failures WHERE address = ?", [address]
        ).fetchall()
    return wait([datetime.fromisoformat(stamp) for (stamp,) in rows])


def record_wrong_code(db: Database, address: str, at: datetime) -> None:
    """A code that matched no usable invitation: it counts against the client address. A right
    one is never recorded (its time and address would sit beside a new response)."""
    with write(db):
        db.execute(
            "INSERT INTO staff_code_failures (address, at) VALUES (?, ?)",
            [address, at.isoformat()],
        )


# --- what the figures read ----------------------------------------------------------------------


def round_staff_levels(db: Database, round_id: int, team_id: int | None = None) -> list[dict]:
    """Every level of the round's submitted staff responses (of one team, or all): rows of
    response_id, team_id, statement_key, level, in an order that says nothing of when they were
    given. What the aggregate and suppression rules read; drafts are left out."""
    return list(
        db.query(
            """SELECT a.response_id, s.team_id, a.statement_key, a.level
               FROM staff_answers a JOIN staff_responses s ON s.id = a.response_id
               WHERE s.round_id = ? AND s.status = 'submitted' AND (? IS NULL OR s.team_id = ?)
               ORDER BY s.team_id, a.response_id, a.statement_key""",
            [round_id, team_id, team_id],
        )
    )


def round_staff_comments(db: Database, round_id: int, team_id: int | None = None) -> list[dict]:
    """The comments of the round's submitted staff responses: response_id, team_id, section_key,
    text. Free text can name its writer: show it only where the group is large enough."""
    return list(
        db.query(
            """SELECT c.response_id, s.team_id, c.section_key, c.text
               FROM staff_comments c JOIN staff_responses s ON s.id = c.response_id
               WHERE s.round_id = ? AND s.status = 'submitted' AND (? IS NULL OR s.team_id = ?)
               ORDER BY s.team_id, c.response_id, c.section_key""",
            [round_id, team_id, team_id],
        )
    )


def round_staff_scores(db: Database, round_id: int, dimension: str) -> list[tuple]:
    """The kept scores of the round's submitted staff responses in one dimension and overall,
    as (team_id, dimension, member, score): what a heatmap's medians read. No response id, and
    in no order that says when they were given (only submitted responses have scores)."""
    return db.execute(
        """SELECT team_id, dimension, member, score FROM staff_scores
           WHERE round_id = ? AND dimension IN (?, ?)""",
        [round_id, dimension, OVERALL],
    ).fetchall()


def kept_scores_by_response(db: Database, round_id: int) -> dict[str, dict[tuple[str, str], float]]:
    """The kept section and overall scores of each of the round's submitted responses, by
    response id: for figures worked out from them, never to be shown by id."""
    kept: dict[str, dict[tuple[str, str], float]] = {}
    for response_id, dimension, member, score in db.execute(
        "SELECT response_id, dimension, member, score FROM staff_scores WHERE round_id = ?",
        [round_id],
    ):
        kept.setdefault(response_id, {})[(dimension, member)] = score
    return kept


def round_staff_counts(db: Database, round_id: int) -> dict[int, dict[str, int]]:
    """Per team in the round: invitations made and used, responses started and submitted."""
    counts: dict[int, dict[str, int]] = {}
    for team_id, invited, used in db.execute(
        """SELECT team_id, count(*), sum(used) FROM staff_invitations
           WHERE round_id = ? GROUP BY team_id""",
        [round_id],
    ):
        counts[team_id] = {"invited": invited, "used": used, "started": 0, "submitted": 0}
    for team_id, started, submitted in db.execute(
        """SELECT team_id, count(*), sum(status = 'submitted') FROM staff_responses
           WHERE round_id = ? GROUP BY team_id""",
        [round_id],
    ):
        entry = counts.setdefault(team_id, {"invited": 0, "used": 0})
        entry.update(started=started, submitted=submitted)
    return counts


def round_staff_teams(db: Database, round_id: int) -> dict[int, dict[int, int]]:
    """The round's submitted staff responses per team, by directorate (directorate id -> team
    id -> responses): what the small-group rule reads. Every team in the round's scope is there,
    with 0 where nobody answered."""
    found: dict[int, dict[int, int]] = {}
    for directorate_id, team_id, submitted in db.execute(
        """SELECT t.directorate_id, t.id,
                  (SELECT count(*) FROM staff_responses s
                   WHERE s.round_id = rt.round_id AND s.team_id = t.id AND s.status = 'submitted')
           FROM round_teams rt JOIN teams t ON t.id = rt.team_id
           WHERE rt.round_id = ?""",
        [round_id],
    ):
        found.setdefault(directorate_id, {})[team_id] = submitted
    return found


def record_submitted_responses(
    db: Database,
    round_id: int,
    team_id: int,
    invited: int,
    responses: Iterable[tuple[dict[str, int], dict[str, str]]],
    version: str,
    score: Scorer,
) -> None:
    """Responses gathered in full for a round (levels by statement, comments by section), as
    the demo's closed rounds hold them: `invited` printed invitations, as many used as there are
    responses, each response submitted with its scores (`score`). No device can resume them."""
    responses = list(responses)
    with write(db):
        create_invitations(db, round_id, team_id, "printed", None, count=invited)
        db.execute(
            """UPDATE staff_invitations SET used = 1 WHERE id IN (
                   SELECT id FROM staff_invitations WHERE round_id = ? AND team_id = ? AND used = 0
                   LIMIT ?)""",
            [round_id, team_id, len(responses)],
        )
        for levels, comments in responses:
            response_id = secrets.token_urlsafe(16)
            db.execute(
                """INSERT INTO staff_responses
                   (id, round_id, team_id, questionnaire_version, resume_hash, status)
                   VALUES (?, ?, ?, ?, ?, 'submitted')""",
                [response_id, round_id, team_id, version, _hash(db, secrets.token_urlsafe(32))],
            )
            db.conn.executemany(
                "INSERT INTO staff_answers (response_id, statement_key, level) VALUES (?, ?, ?)",
                [(response_id, key, level) for key, level in levels.items()],
            )
            db.conn.executemany(
                "INSERT INTO staff_comments (response_id, section_key, text) VALUES (?, ?, ?)",
                [(response_id, key, text) for key, text in comments.items()],
            )
            _keep_scores(db, response_id, score(levels))


def record_round_staff_counts(db: Database, round_id: int, user_id: int | None) -> None:
    """When a round closes: one audit event with each team's counts (invitations made and used,
    responses started and submitted), the only record of staff answers the audit trail keeps."""
    counts = round_staff_counts(db, round_id)
    if not counts:
        return
    with write(db):
        record_event(
            db,
            user_id,
            "staff_counts",
            "round",
            round_id,
            after={"teams": {str(team_id): figures for team_id, figures in counts.items()}},
        )
