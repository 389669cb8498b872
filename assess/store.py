"""Storage: the one place that knows the schema and runs SQL (SQLite through sqlite-utils).

Every write that must not be half-done runs inside `db.atomic()`. Migrations upgrade an
instance database in place; a database written by a newer assess is refused.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from assess.questionnaire import Questionnaire, from_content
from assess.scoring import RULES_VERSION, Answer, ScoreRow

ROLES = ("team_lead", "business_improvement", "auditor", "administrator")
ROLE_NAMES = {
    "team_lead": "Team lead",
    "business_improvement": "Business improvement",
    "auditor": "Auditor",
    "administrator": "Administrator",
}
ASSESSMENT_STATUSES = ("draft", "submitted", "returned", "signed_off")
BUSY_TIMEOUT_MS = 5000


class StorageError(Exception):
    """The database cannot be used as it is; the message says what to do."""


class NotFound(StorageError):
    pass


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """A write transaction, all or nothing. BEGIN IMMEDIATE takes the write lock up front, so
    concurrent writers wait (busy timeout) instead of failing on a stale read; nested calls
    become savepoints."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


# --- schema -------------------------------------------------------------------------------------

migrations = Migrations("assess")


@migrations(name="0001_initial")
def _initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE directorates (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE CHECK (trim(name) <> '')
        );
        CREATE TABLE teams (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE CHECK (trim(name) <> ''),
            directorate_id INTEGER NOT NULL REFERENCES directorates(id),
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE CHECK (email = lower(trim(email)) AND email LIKE '%_@_%'),
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN
                ('team_lead', 'business_improvement', 'auditor', 'administrator')),
            password_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE team_members (
            user_id INTEGER NOT NULL REFERENCES users(id),
            team_id INTEGER NOT NULL REFERENCES teams(id),
            PRIMARY KEY (user_id, team_id)
        );
        CREATE TABLE questionnaire_versions (
            version TEXT PRIMARY KEY,
            questionnaire_id TEXT NOT NULL,
            title TEXT NOT NULL,
            content TEXT NOT NULL,
            first_loaded_at TEXT NOT NULL
        );
        CREATE TABLE rounds (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            questionnaire_version TEXT NOT NULL REFERENCES questionnaire_versions(version),
            opens_on TEXT NOT NULL,
            closes_on TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'open', 'closed')),
            created_at TEXT NOT NULL,
            CHECK (closes_on >= opens_on)
        );
        CREATE TABLE assessments (
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            questionnaire_version TEXT NOT NULL REFERENCES questionnaire_versions(version),
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
                ('draft', 'submitted', 'returned', 'signed_off')),
            reference TEXT UNIQUE,
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            submitted_by INTEGER REFERENCES users(id),
            submitted_at TEXT,
            signed_off_by INTEGER REFERENCES users(id),
            signed_off_at TEXT,
            UNIQUE (team_id, round_id)
        );
        CREATE TABLE answers (
            assessment_id INTEGER NOT NULL REFERENCES assessments(id),
            statement_key TEXT NOT NULL,
            level INTEGER,
            not_applicable INTEGER NOT NULL DEFAULT 0,
            not_applicable_reason TEXT NOT NULL DEFAULT '',
            evidence TEXT NOT NULL DEFAULT '',
            move_up TEXT NOT NULL DEFAULT '',
            answered_by INTEGER REFERENCES users(id),
            answered_at TEXT NOT NULL,
            PRIMARY KEY (assessment_id, statement_key),
            CHECK (not_applicable = 0 OR (level IS NULL AND trim(not_applicable_reason) <> ''))
        );
        CREATE TABLE scores (
            assessment_id INTEGER NOT NULL REFERENCES assessments(id),
            dimension TEXT NOT NULL,
            member TEXT NOT NULL,
            score REAL,
            answered INTEGER NOT NULL,
            not_applicable INTEGER NOT NULL,
            unanswered INTEGER NOT NULL,
            rules_version TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            PRIMARY KEY (assessment_id, dimension, member)
        );
        CREATE INDEX assessments_round ON assessments(round_id, status);
        CREATE INDEX team_members_team ON team_members(team_id);
        """
    )


@migrations(name="0002_audit_events")
def _audit_events(db: Database) -> None:
    """An append-only log, each event chained to the one before by a SHA-256 hash."""
    db.executescript(
        """
        CREATE TABLE audit_events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES users(id),
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT,
            before TEXT,
            after TEXT,
            previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        );
        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END;
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events cannot be deleted'); END;
        """
    )


@migrations(name="0003_actions_targets_resume")
def _actions_targets_resume(db: Database) -> None:
    """Improvement actions against gaps, target levels per value, and where a lead stopped."""
    db.executescript(
        """
        ALTER TABLE assessments ADD COLUMN last_section TEXT;
        CREATE TABLE improvement_actions (
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            statement_key TEXT NOT NULL,
            what TEXT NOT NULL CHECK (trim(what) <> ''),
            owner TEXT NOT NULL CHECK (trim(owner) <> ''),
            due_on TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'not_started'
                CHECK (status IN ('not_started', 'in_progress', 'done')),
            evidence_of_change TEXT NOT NULL DEFAULT '',
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            closed_at TEXT,
            CHECK (status <> 'done' OR trim(evidence_of_change) <> '')
        );
        CREATE INDEX improvement_actions_team ON improvement_actions(team_id, status);
        CREATE TABLE targets (
            team_id INTEGER NOT NULL REFERENCES teams(id),
            dimension TEXT NOT NULL,
            member TEXT NOT NULL,
            level INTEGER NOT NULL,
            set_by INTEGER REFERENCES users(id),
            set_at TEXT NOT NULL,
            PRIMARY KEY (team_id, dimension, member)
        );
        """
    )


@migrations(name="0004_sign_in_attempts_index")
def _sign_in_attempts_index(db: Database) -> None:
    """Sign-in throttling counts recent failures by action and time."""
    db.execute("CREATE INDEX audit_events_action_at ON audit_events(action, at)")


KNOWN_MIGRATIONS = [m.name for m in migrations._migrations]


def migrate(db: Database, stop_before: str | None = None) -> list[str]:
    """Bring the schema up to date in place; return the steps applied. Refuse a newer schema."""
    applied = [m.name for m in migrations.applied(db)]
    unknown = [name for name in applied if name not in KNOWN_MIGRATIONS]
    if unknown:
        raise StorageError(
            f"{db_label(db)} was written by a newer version of assess (schema step "
            f"'{unknown[-1]}' is unknown to this one). Upgrade assess, or restore a backup "
            "made by this version."
        )
    pending = [m.name for m in migrations.pending(db)]
    if stop_before in pending:
        pending = pending[: pending.index(stop_before)]
    migrations.apply(db, stop_before=stop_before)
    return pending


def schema_steps(db: Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


def db_label(db: Database) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return f"The database {row[2]}" if row and row[2] else "The database"


def connect(path: Path | str, *, check_same_thread: bool = True) -> Database:
    """Open a database with WAL, foreign keys and a busy timeout; complain clearly if unusable."""
    try:
        conn = sqlite3.connect(str(path), check_same_thread=check_same_thread)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            db.enable_wal()
    except sqlite3.DatabaseError as error:
        raise StorageError(
            f"{path} is not a usable assess database ({error}). Restore it from a backup "
            "with 'assess restore', or move it aside and run 'assess init-db'."
        ) from error
    return db


def open_instance_db(path: Path) -> Database:
    """Open an instance database that must already exist and be current (as the web app needs)."""
    if not path.exists():
        raise StorageError(f"No database at {path}. Run 'assess init-db' (or 'make run') first.")
    db = connect(path)
    if migrations.pending(db) or any(n not in KNOWN_MIGRATIONS for n in schema_steps(db)):
        migrate(db)
    return db


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
    db["audit_events"].insert(event)


def insert_recorded(
    db: Database, table: str, record: dict, actor_id: int | None, audit: dict | None = None
) -> int:
    """Insert a row and its "create" audit event together; `audit` replaces what is logged."""
    with write(db):
        row_id = db[table].insert(record).last_pk
        record_event(db, actor_id, "create", table.rstrip("s"), row_id, after=audit or record)
    return row_id


def audit_events(db: Database, limit: int | None = None) -> list[dict]:
    sql = "SELECT * FROM audit_events ORDER BY id"
    return list(db.query(sql + (f" LIMIT {int(limit)}" if limit else "")))


# --- people and teams ---------------------------------------------------------------------------


def add_directorate(db: Database, name: str, actor_id: int | None = None) -> int:
    return insert_recorded(db, "directorates", {"name": name}, actor_id)


def add_team(db: Database, name: str, directorate_id: int, actor_id: int | None = None) -> int:
    return insert_recorded(db, "teams", {"name": name, "directorate_id": directorate_id}, actor_id)


def create_user(
    db: Database,
    email: str,
    name: str,
    role: str,
    password_hash: str,
    team_ids: Iterable[int] = (),
    actor_id: int | None = None,
) -> int:
    """Add a user and their team memberships in one transaction."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    email = email.strip().lower()
    if db.execute("SELECT 1 FROM users WHERE email = ?", [email]).fetchone():
        raise ValueError(f"a user with the email {email} already exists")
    team_ids = list(team_ids)
    record = {
        "email": email,
        "name": name,
        "role": role,
        "password_hash": password_hash,
        "created_at": now(),
    }
    with write(db):
        user_id = insert_recorded(
            db,
            "users",
            record,
            actor_id,
            audit={"email": email, "name": name, "role": role, "teams": team_ids},
        )
        db["team_members"].insert_all({"user_id": user_id, "team_id": t} for t in team_ids)
    return user_id


def user_by_email(db: Database, email: str) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [email.strip().lower()]))
    return rows[0] if rows else None


def user_by_id(db: Database, user_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else None


def teams_of_user(db: Database, user_id: int) -> list[dict]:
    return list(
        db.query(
            """SELECT teams.id, teams.name, directorates.name AS directorate
           FROM team_members JOIN teams ON teams.id = team_members.team_id
           JOIN directorates ON directorates.id = teams.directorate_id
           WHERE team_members.user_id = ? ORDER BY teams.name""",
            [user_id],
        )
    )


def failed_sign_ins_since(db: Database, email: str, since: str) -> int:
    """Failed sign-ins for an email address (known or not) since a time, from the audit log."""
    return db.execute(
        """SELECT count(*) FROM audit_events WHERE action = 'sign_in_failed' AND at >= ?
           AND json_extract(after, '$.email') = ?""",
        [since, email.strip().lower()],
    ).fetchone()[0]


def record_sign_in(db: Database, user_id: int | None, email: str, succeeded: bool) -> None:
    with write(db):
        record_event(
            db,
            user_id,
            "sign_in" if succeeded else "sign_in_failed",
            "user",
            user_id,
            after={"email": email.strip().lower()},
        )


# --- questionnaires and rounds ------------------------------------------------------------------


def store_questionnaire_version(db: Database, questionnaire: Questionnaire) -> bool:
    """Keep every version ever loaded, so old answers can always be read; True if new."""
    if db.execute(
        "SELECT 1 FROM questionnaire_versions WHERE version = ?", [questionnaire.version]
    ).fetchone():
        return False
    with write(db):
        db["questionnaire_versions"].insert(
            {
                "version": questionnaire.version,
                "questionnaire_id": questionnaire.id,
                "title": questionnaire.title,
                "content": json.dumps(questionnaire.content, ensure_ascii=False),
                "first_loaded_at": now(),
            }
        )
        record_event(
            db,
            None,
            "load",
            "questionnaire_version",
            questionnaire.version,
            after={"id": questionnaire.id, "source": questionnaire.source},
        )
    return True


def questionnaire_version(db: Database, version: str) -> Questionnaire:
    row = db.execute(
        "SELECT content FROM questionnaire_versions WHERE version = ?", [version]
    ).fetchone()
    if row is None:
        raise NotFound(f"questionnaire version {version[:12]} is not in this database")
    content = json.loads(row[0])
    for statement in content.get("statements", []):
        statement["levels"] = {int(k): v for k, v in statement.get("levels", {}).items()}
    return from_content(content, source=f"stored version {version[:12]}")


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
) -> int:
    record = {
        "name": name,
        "questionnaire_version": version,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "status": status,
        "created_at": now(),
    }
    round_id = insert_recorded(db, "rounds", record, actor_id)
    return round_id


def rounds(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM rounds ORDER BY opens_on, id"))


# --- assessments --------------------------------------------------------------------------------


def start_assessment(db: Database, team_id: int, round_id: int, user_id: int | None) -> int:
    """The team's assessment for a round, pinned to the round's questionnaire version."""
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
    stamp = now()
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


ANSWER_DEFAULTS = {
    "level": None,
    "not_applicable": 0,
    "not_applicable_reason": "",
    "evidence": "",
    "move_up": "",
}


def save_answers(
    db: Database,
    assessment_id: int,
    answers: Iterable[dict],
    user_id: int | None,
    stamp: str | None = None,
    section: str | None = None,
) -> None:
    """Upsert answers (each a dict of answer columns with statement_key) in one transaction."""
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
        db["answers"].upsert_all(rows, pk=("assessment_id", "statement_key"))
        db["assessments"].update(assessment_id, {"updated_at": stamp, "last_section": section})
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
    return [Answer(r["statement_key"], r["level"], bool(r["not_applicable"])) for r in rows]


def reference_for(db: Database, assessment_row: dict) -> str:
    """A reference a team lead can quote: round, team and assessment, e.g. AS-202425-007-00123."""
    round_name = round_(db, assessment_row["round_id"])["name"]
    digits = "".join(ch for ch in round_name if ch.isalnum())
    return f"AS-{digits}-{assessment_row['team_id']:03d}-{assessment_row['id']:05d}"


def submit_assessment(
    db: Database,
    assessment_id: int,
    user_id: int | None,
    scores: Callable[[list[dict]], list[ScoreRow]],
    stamp: str | None = None,
) -> None:
    """Lock the assessment and store its scores, all or nothing."""
    stamp = stamp or now()
    with write(db):
        current = assessment(db, assessment_id)
        if current["status"] not in ("draft", "returned"):
            raise Locked(
                f"assessment {assessment_id} is already {current['status'].replace('_', ' ')}"
            )
        db["scores"].delete_where("assessment_id = ?", [assessment_id])
        db["scores"].insert_all(
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
            for row in scores(answers_of(db, assessment_id))
        )
        db["assessments"].update(
            assessment_id,
            {
                "status": "submitted",
                "submitted_by": user_id,
                "submitted_at": stamp,
                "updated_at": stamp,
                "reference": reference_for(db, current),
            },
        )
        record_event(
            db,
            user_id,
            "submit",
            "assessment",
            assessment_id,
            before={"status": current["status"]},
            after={"status": "submitted"},
        )


def sign_off_assessment(
    db: Database, assessment_id: int, user_id: int | None, stamp: str | None = None
) -> None:
    stamp = stamp or now()
    with write(db):
        current = assessment(db, assessment_id)
        if current["status"] != "submitted":
            raise Locked(
                f"only a submitted assessment can be signed off; this one is "
                f"{current['status'].replace('_', ' ')}"
            )
        db["assessments"].update(
            assessment_id,
            {
                "status": "signed_off",
                "signed_off_by": user_id,
                "signed_off_at": stamp,
                "updated_at": stamp,
            },
        )
        record_event(
            db,
            user_id,
            "sign_off",
            "assessment",
            assessment_id,
            before={"status": "submitted"},
            after={"status": "signed_off"},
        )


def round_scores(
    db: Database, round_id: int, statuses: Iterable[str] = ("submitted", "signed_off")
) -> list[dict]:
    """Stored scores of one round with their team and directorate, one row per score."""
    statuses = list(statuses)
    marks = ",".join("?" * len(statuses))
    return list(
        db.query(
            f"""SELECT a.id AS assessment_id, t.id AS team_id, t.name AS team,
                   d.name AS directorate, a.status, s.dimension, s.member, s.score
            FROM scores s JOIN assessments a ON a.id = s.assessment_id
            JOIN teams t ON t.id = a.team_id JOIN directorates d ON d.id = t.directorate_id
            WHERE a.round_id = ? AND a.status IN ({marks})""",
            [round_id, *statuses],
        )
    )


def round_answers(db: Database, round_id: int) -> list[tuple]:
    """Every answer of a round's submitted assessments as (team_id, statement_key, level,
    not_applicable) tuples: plain tuples, because a council-wide read is 300,000 rows."""
    return db.execute(
        """SELECT a.team_id, an.statement_key, an.level, an.not_applicable
           FROM answers an JOIN assessments a ON a.id = an.assessment_id
           WHERE a.round_id = ? AND a.status IN ('submitted', 'signed_off')""",
        [round_id],
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
        db["improvement_actions"].update(action_id, changes)
        record_event(
            db,
            user_id,
            "update",
            "improvement_action",
            action_id,
            before={k: before[k] for k in changes if k in before},
            after=changes,
        )


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
        db["targets"].insert_all(
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


def table_counts(db: Database) -> dict[str, int]:
    return {name: db[name].count for name in sorted(db.table_names())}


def home_summary(db: Database, user_id: int) -> dict:
    """What the home page shows: the user, their role and their teams."""
    user = user_by_id(db, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return {"user": user, "teams": teams_of_user(db, user_id)}


# --- backup and restore -------------------------------------------------------------------------


def backup(
    source: Path, destination: Path, progress: Callable[[int, int], None] | None = None
) -> None:
    """Copy a live database with SQLite's online backup API (safe while the service runs)."""
    if destination.exists():
        raise StorageError(f"{destination} already exists; choose a new file name")
    src = connect(source)
    dst = sqlite3.connect(str(destination))
    try:
        src.conn.backup(
            dst,
            pages=256,
            progress=(lambda status, remaining, total: progress(total - remaining, total))
            if progress
            else None,
        )
    finally:
        dst.close()
        src.conn.close()


def check_backup(path: Path) -> dict[str, int]:
    """A backup must be a sound assess database this version can read; return its row counts."""
    if not path.exists():
        raise StorageError(f"No backup at {path}")
    db = connect(path)
    try:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise StorageError(f"{path} is damaged: {result}")
        if not db["_sqlite_migrations"].exists():
            raise StorageError(f"{path} is not an assess database")
        unknown = [n for n in schema_steps(db) if n not in KNOWN_MIGRATIONS]
        if unknown:
            raise StorageError(f"{path} was made by a newer version of assess ({unknown[-1]})")
        return table_counts(db)
    except sqlite3.DatabaseError as error:
        raise StorageError(f"{path} is not a usable assess database ({error})") from error
    finally:
        db.conn.close()


def restore(
    backup_path: Path, destination: Path, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Replace the instance database with a checked backup, then upgrade it to this schema."""
    counts = check_backup(backup_path)
    src = sqlite3.connect(str(backup_path))
    dst = connect(destination)
    try:
        src.backup(
            dst.conn,
            pages=256,
            progress=(lambda status, remaining, total: progress(total - remaining, total))
            if progress
            else None,
        )
        dst.execute("PRAGMA foreign_keys = ON")
        migrate(dst)
    finally:
        src.close()
        dst.conn.close()
    return counts


# --- per-request connection ---------------------------------------------------------------------


def get_db() -> Database:
    """The request's connection, opened on first use and closed when the request ends."""
    from flask import current_app, g

    if "db" not in g:
        g.db = open_instance_db(current_app.config["DATABASE_PATH"])
    return g.db


def close_request_db(exception: BaseException | None = None) -> None:
    from flask import g

    db = g.pop("db", None)
    if db is not None:
        db.conn.close()
