"""The database: connections, write transactions, the schema and its migrations.

Every write that must not be half-done runs inside `write(db)`. Migrations upgrade an
instance database in place; a database written by a newer assess is refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 5000


class StorageError(Exception):
    """The database cannot be used as it is; the message says what to do."""


class NotFound(StorageError):
    pass


def now(minutes_ago: float = 0) -> str:
    """The time as every timestamp column holds it (UTC, ISO), or that many minutes before."""
    moment = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


def insert_row(db: Database, table: str, record: dict[str, Any]) -> int:
    """Insert one row and return its id (every table a row is added to has an integer `id`)."""
    return cast(int, db.table(table).insert(record).last_pk)


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


@migrations(name="0005_rounds_reviews_moderation_reminders")
def _rounds_reviews_moderation_reminders(db: Database) -> None:
    """Business improvement's work: teams in a round's scope, the review history of each
    assessment, moderated levels beside the team's own, reminders sent, directorate leads."""
    db.executescript(
        """
        CREATE TABLE round_teams (
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            team_id INTEGER NOT NULL REFERENCES teams(id),
            PRIMARY KEY (round_id, team_id)
        );
        INSERT INTO round_teams (round_id, team_id)
            SELECT rounds.id, teams.id FROM rounds, teams WHERE teams.active = 1;
        CREATE TABLE assessment_reviews (
            id INTEGER PRIMARY KEY,
            assessment_id INTEGER NOT NULL REFERENCES assessments(id),
            action TEXT NOT NULL CHECK (action IN ('submitted', 'returned', 'signed_off')),
            comment TEXT NOT NULL DEFAULT '',
            by_user INTEGER REFERENCES users(id),
            at TEXT NOT NULL,
            CHECK (action <> 'returned' OR trim(comment) <> '')
        );
        CREATE INDEX assessment_reviews_assessment ON assessment_reviews(assessment_id, id);
        ALTER TABLE answers ADD COLUMN moderated_level INTEGER;
        ALTER TABLE answers ADD COLUMN moderation_reason TEXT NOT NULL DEFAULT '';
        ALTER TABLE answers ADD COLUMN moderated_by INTEGER REFERENCES users(id);
        ALTER TABLE answers ADD COLUMN moderated_at TEXT;
        ALTER TABLE directorates ADD COLUMN lead_user_id INTEGER REFERENCES users(id);
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            team_id INTEGER NOT NULL REFERENCES teams(id),
            recipient TEXT NOT NULL,
            escalated INTEGER NOT NULL DEFAULT 0,
            delivery TEXT NOT NULL CHECK (delivery IN ('smtp', 'log')),
            sent_by INTEGER REFERENCES users(id),
            sent_at TEXT NOT NULL
        );
        CREATE INDEX reminders_round_team ON reminders(round_id, team_id);
        """
    )


@migrations(name="0006_api_tokens_round_packs")
def _api_tokens_round_packs(db: Database) -> None:
    """Per-user tokens for the read-only API (only a hash is kept), and frozen round packs:
    a closed round's scores, answers, questionnaire versions and sign-offs, never changed."""
    db.executescript(
        """
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            name TEXT NOT NULL CHECK (trim(name) <> ''),
            token_hash TEXT NOT NULL UNIQUE,
            hint TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT,
            revoked_by INTEGER REFERENCES users(id)
        );
        CREATE INDEX api_tokens_user ON api_tokens(user_id);
        CREATE TABLE round_packs (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            content BLOB NOT NULL,
            sha256 TEXT NOT NULL,
            parts TEXT NOT NULL
        );
        CREATE INDEX round_packs_round ON round_packs(round_id);
        CREATE TRIGGER round_packs_no_update BEFORE UPDATE ON round_packs
        BEGIN SELECT RAISE(ABORT, 'round packs cannot be changed'); END;
        CREATE TRIGGER round_packs_no_delete BEFORE DELETE ON round_packs
        BEGIN SELECT RAISE(ABORT, 'round packs cannot be deleted'); END;
        """
    )


@migrations(name="0007_risk_register_eqia")
def _risk_register_eqia(db: Database) -> None:
    """The strategy's risk register and equality impact assessments, their actions,
    score history, links to questionnaire areas, values and statements, and EqIA review prompts."""
    db.executescript(
        """
        CREATE TABLE risks (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE CHECK (trim(ref) <> ''),
            title TEXT NOT NULL CHECK (trim(title) <> ''),
            cause TEXT NOT NULL DEFAULT '',
            event TEXT NOT NULL DEFAULT '',
            consequence TEXT NOT NULL DEFAULT '',
            category TEXT NOT NULL DEFAULT '',
            owner TEXT NOT NULL DEFAULT '',
            raised_on TEXT NOT NULL,
            inherent_likelihood INTEGER NOT NULL,
            inherent_impact INTEGER NOT NULL,
            current_likelihood INTEGER NOT NULL,
            current_impact INTEGER NOT NULL,
            target_likelihood INTEGER NOT NULL,
            target_impact INTEGER NOT NULL,
            response TEXT NOT NULL DEFAULT 'Treat'
                CHECK (response IN ('Treat', 'Tolerate', 'Transfer', 'Terminate')),
            controls TEXT NOT NULL DEFAULT '',
            last_review_on TEXT,
            next_review_on TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('proposed', 'open', 'closed')),
            source_round_id INTEGER REFERENCES rounds(id),
            source_team_id INTEGER REFERENCES teams(id),
            source_evidence TEXT NOT NULL DEFAULT '',
            accepted_by INTEGER REFERENCES users(id),
            accepted_at TEXT,
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE risk_scores (
            id INTEGER PRIMARY KEY,
            risk_id INTEGER NOT NULL REFERENCES risks(id),
            likelihood INTEGER NOT NULL,
            impact INTEGER NOT NULL,
            score INTEGER NOT NULL,
            recorded_on TEXT NOT NULL,
            recorded_by INTEGER REFERENCES users(id)
        );
        CREATE INDEX risk_scores_risk ON risk_scores(risk_id, id);
        CREATE TABLE eqias (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE CHECK (trim(ref) <> ''),
            title TEXT NOT NULL CHECK (trim(title) <> ''),
            workstream TEXT NOT NULL DEFAULT '',
            lead_officer TEXT NOT NULL DEFAULT '',
            screening_outcome TEXT NOT NULL DEFAULT '',
            evidence TEXT NOT NULL DEFAULT '',
            consultation TEXT NOT NULL DEFAULT '',
            overall_outcome TEXT NOT NULL DEFAULT '',
            signed_off_by TEXT NOT NULL DEFAULT '',
            signed_off_on TEXT,
            review_on TEXT,
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE eqia_impacts (
            eqia_id INTEGER NOT NULL REFERENCES eqias(id),
            group_name TEXT NOT NULL,
            impact TEXT NOT NULL CHECK (impact IN ('Positive', 'Neutral', 'Negative', 'Unknown')),
            severity TEXT CHECK (severity IN ('High', 'Medium', 'Low')),
            evidence TEXT NOT NULL DEFAULT '',
            mitigation TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (eqia_id, group_name)
        );
        CREATE TABLE register_actions (
            id INTEGER PRIMARY KEY,
            entry_kind TEXT NOT NULL CHECK (entry_kind IN ('risk', 'eqia')),
            entry_id INTEGER NOT NULL,
            what TEXT NOT NULL CHECK (trim(what) <> ''),
            owner TEXT NOT NULL DEFAULT '',
            due_on TEXT,
            status TEXT NOT NULL DEFAULT 'not_started'
                CHECK (status IN ('not_started', 'in_progress', 'done'))
        );
        CREATE INDEX register_actions_entry ON register_actions(entry_kind, entry_id);
        CREATE TABLE register_links (
            id INTEGER PRIMARY KEY,
            entry_kind TEXT NOT NULL CHECK (entry_kind IN ('risk', 'eqia')),
            entry_id INTEGER NOT NULL,
            questionnaire_id TEXT NOT NULL,
            dimension TEXT NOT NULL,
            member TEXT NOT NULL,
            UNIQUE (entry_kind, entry_id, questionnaire_id, dimension, member)
        );
        CREATE INDEX register_links_target ON register_links(questionnaire_id, dimension, member);
        CREATE TABLE eqia_review_prompts (
            id INTEGER PRIMARY KEY,
            eqia_id INTEGER NOT NULL REFERENCES eqias(id),
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            reason TEXT NOT NULL,
            raised_at TEXT NOT NULL,
            outcome TEXT NOT NULL DEFAULT '',
            resolved_by INTEGER REFERENCES users(id),
            resolved_at TEXT,
            UNIQUE (eqia_id, round_id)
        );
        """
    )


@migrations(name="0008_register_actions_risk_owners")
def _register_actions_risk_owners(db: Database) -> None:
    """Register actions are changed and closed (with a note of what was done); a proposed risk's
    owner is a user of the service, who accepts or declines it (every decision kept)."""
    db.executescript(
        """
        ALTER TABLE register_actions ADD COLUMN completion_note TEXT NOT NULL DEFAULT '';
        ALTER TABLE register_actions ADD COLUMN closed_at TEXT;
        ALTER TABLE register_actions ADD COLUMN closed_by INTEGER REFERENCES users(id);
        ALTER TABLE risks ADD COLUMN owner_user_id INTEGER REFERENCES users(id);
        CREATE INDEX risks_owner_user ON risks(owner_user_id, status);
        CREATE TABLE risk_owner_decisions (
            id INTEGER PRIMARY KEY,
            risk_id INTEGER NOT NULL REFERENCES risks(id),
            owner_user_id INTEGER REFERENCES users(id),
            decided_by INTEGER REFERENCES users(id),
            decision TEXT NOT NULL CHECK (decision IN ('accepted', 'declined')),
            reason TEXT NOT NULL DEFAULT '',
            decided_at TEXT NOT NULL,
            CHECK (decision <> 'declined' OR trim(reason) <> '')
        );
        CREATE INDEX risk_owner_decisions_risk ON risk_owner_decisions(risk_id, id);
        """
    )


@migrations(name="0009_user_session_version")
def _user_session_version(db: Database) -> None:
    """A number kept in each session at sign-in: raising it (sign-out, a role change,
    deactivation) ends every session the user has open."""
    db.execute("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0")


@migrations(name="0010_sign_in_attempts")
def _sign_in_attempts(db: Database) -> None:
    """Every sign-in attempt, claimed before its password is checked, so concurrent guesses
    count against each other; `succeeded` is NULL while the check runs."""
    db.executescript(
        """
        CREATE TABLE sign_in_attempts (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL,
            address TEXT NOT NULL,
            at TEXT NOT NULL,
            succeeded INTEGER
        );
        CREATE INDEX sign_in_attempts_email ON sign_in_attempts(email, at);
        CREATE INDEX sign_in_attempts_address ON sign_in_attempts(address, at);
        """
    )


@migrations(name="0011_import_previews")
def _import_previews(db: Database) -> None:
    """A checked import waits here between its preview and its confirmation, keyed by a random
    token and the user who checked it; `written` lists the entries a confirmation has added so
    far, so an import stopped part-way can be undone."""
    db.executescript(
        """
        CREATE TABLE import_previews (
            token TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN ('risk', 'eqia')),
            created_at TEXT NOT NULL,
            rows INTEGER NOT NULL,
            entries TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'checked'
                CHECK (state IN ('checked', 'writing', 'imported', 'undone')),
            claimed_at TEXT,
            written TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX import_previews_created ON import_previews(created_at);
        """
    )


@migrations(name="0012_eqia_strand_impacts")
def _eqia_strand_impacts(db: Database) -> None:
    """What an EqIA implies for equality under each strand of the strategy (the questionnaire's
    `strand` members, by key): an impact and a short note, one row per strand assessed."""
    db.executescript(
        """
        CREATE TABLE eqia_strand_impacts (
            eqia_id INTEGER NOT NULL REFERENCES eqias(id),
            strand TEXT NOT NULL CHECK (trim(strand) <> ''),
            impact TEXT NOT NULL CHECK (impact IN ('Positive', 'Neutral', 'Negative', 'Unknown')),
            note TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (eqia_id, strand)
        );
        """
    )


@migrations(name="0013_readiness_reviews")
def _readiness_reviews(db: Database) -> None:
    """The readiness review: each version of the checks file ever used, a team's review in a
    round (one per team and round, on one version), its answers with their evidence (or the
    reason a check is not applicable), and the scores of a completed review by area."""
    db.executescript(
        """
        CREATE TABLE readiness_review_versions (
            version TEXT PRIMARY KEY,
            review_id TEXT NOT NULL,
            title TEXT NOT NULL,
            content TEXT NOT NULL,
            first_loaded_at TEXT NOT NULL
        );
        CREATE TABLE readiness_reviews (
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            version TEXT NOT NULL REFERENCES readiness_review_versions(version),
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'completed')),
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            completed_by INTEGER REFERENCES users(id),
            completed_at TEXT,
            UNIQUE (team_id, round_id)
        );
        CREATE TABLE readiness_answers (
            review_id INTEGER NOT NULL REFERENCES readiness_reviews(id),
            check_key TEXT NOT NULL,
            answer TEXT NOT NULL CHECK (trim(answer) <> ''),
            note TEXT NOT NULL DEFAULT '',
            answered_by INTEGER REFERENCES users(id),
            answered_at TEXT NOT NULL,
            PRIMARY KEY (review_id, check_key)
        );
        CREATE TABLE readiness_scores (
            review_id INTEGER NOT NULL REFERENCES readiness_reviews(id),
            area TEXT NOT NULL,
            score REAL,
            answered INTEGER NOT NULL,
            not_applicable INTEGER NOT NULL,
            unanswered INTEGER NOT NULL,
            rules_version TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            PRIMARY KEY (review_id, area)
        );
        CREATE INDEX readiness_reviews_round ON readiness_reviews(round_id);
        """
    )


@migrations(name="0014_indicators")
def _indicators(db: Database) -> None:
    """The strategy programme's performance indicators, their figures by period and group ('' is
    everyone), and the EqIA reviews a group's figure short of its target prompts (one per EqIA,
    indicator, period and group)."""
    db.executescript(
        """
        CREATE TABLE indicators (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE CHECK (trim(ref) <> ''),
            name TEXT NOT NULL CHECK (trim(name) <> ''),
            definition TEXT NOT NULL DEFAULT '',
            unit TEXT NOT NULL DEFAULT '',
            direction TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
            owner TEXT NOT NULL DEFAULT '',
            readiness_area TEXT NOT NULL,
            team_id INTEGER REFERENCES teams(id),
            baseline REAL,
            baseline_period TEXT NOT NULL DEFAULT '',
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id),
            updated_at TEXT NOT NULL
        );
        CREATE TABLE indicator_values (
            indicator_id INTEGER NOT NULL REFERENCES indicators(id),
            period TEXT NOT NULL CHECK (trim(period) <> ''),
            group_name TEXT NOT NULL DEFAULT '',
            value REAL NOT NULL,
            target REAL,
            note TEXT NOT NULL DEFAULT '',
            recorded_by INTEGER REFERENCES users(id),
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (indicator_id, period, group_name)
        );
        CREATE TABLE eqia_indicator_prompts (
            id INTEGER PRIMARY KEY,
            eqia_id INTEGER NOT NULL REFERENCES eqias(id),
            indicator_id INTEGER NOT NULL REFERENCES indicators(id),
            period TEXT NOT NULL,
            group_name TEXT NOT NULL,
            reason TEXT NOT NULL,
            raised_at TEXT NOT NULL,
            outcome TEXT NOT NULL DEFAULT '',
            resolved_by INTEGER REFERENCES users(id),
            resolved_at TEXT,
            UNIQUE (eqia_id, indicator_id, period, group_name)
        );
        CREATE INDEX eqia_indicator_prompts_indicator ON eqia_indicator_prompts(indicator_id);
        """
    )


# 0015 is another change's; the gap is kept so both can be merged in number order.
@migrations(name="0015_action_plan")
def _action_plan(db: Database) -> None:
    """The strategy's action plan: corporate actions under a readiness area (and a strand), where
    each came from, their milestones and dated progress notes (kept, never edited); teams'
    improvement actions may serve one. And the log of scrutiny recommendations with the Cabinet's
    response to each."""
    db.executescript(
        """
        CREATE TABLE corporate_actions (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE CHECK (trim(ref) <> ''),
            title TEXT NOT NULL CHECK (trim(title) <> ''),
            readiness_area TEXT NOT NULL,
            strand TEXT NOT NULL DEFAULT '',
            lead_officer TEXT NOT NULL DEFAULT '',
            lead_member TEXT NOT NULL DEFAULT '',
            rag TEXT NOT NULL DEFAULT 'green' CHECK (rag IN ('red', 'amber', 'green')),
            rag_reason TEXT NOT NULL DEFAULT '',
            source_kind TEXT NOT NULL DEFAULT 'strategy'
                CHECK (source_kind IN ('strategy', 'gap', 'risk', 'eqia', 'scrutiny')),
            source_id INTEGER,
            source_round_id INTEGER REFERENCES rounds(id),
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id),
            updated_at TEXT NOT NULL
        );
        CREATE TABLE action_milestones (
            id INTEGER PRIMARY KEY,
            corporate_action_id INTEGER NOT NULL REFERENCES corporate_actions(id),
            title TEXT NOT NULL CHECK (trim(title) <> ''),
            due_on TEXT NOT NULL,
            done_on TEXT
        );
        CREATE INDEX action_milestones_action ON action_milestones(corporate_action_id);
        CREATE TABLE action_progress_notes (
            id INTEGER PRIMARY KEY,
            corporate_action_id INTEGER NOT NULL REFERENCES corporate_actions(id),
            noted_on TEXT NOT NULL,
            note TEXT NOT NULL CHECK (trim(note) <> ''),
            rag TEXT NOT NULL CHECK (rag IN ('red', 'amber', 'green')),
            recorded_by INTEGER REFERENCES users(id),
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX action_progress_notes_action ON action_progress_notes(corporate_action_id);
        ALTER TABLE improvement_actions
            ADD COLUMN corporate_action_id INTEGER REFERENCES corporate_actions(id);
        CREATE INDEX improvement_actions_corporate ON improvement_actions(corporate_action_id);
        CREATE TABLE scrutiny_recommendations (
            id INTEGER PRIMARY KEY,
            committee TEXT NOT NULL CHECK (trim(committee) <> ''),
            report_title TEXT NOT NULL CHECK (trim(report_title) <> ''),
            meeting_on TEXT NOT NULL,
            received_on TEXT NOT NULL,
            recommendation TEXT NOT NULL CHECK (trim(recommendation) <> ''),
            lead_member TEXT NOT NULL DEFAULT '',
            response TEXT NOT NULL DEFAULT ''
                CHECK (response IN ('', 'accepted', 'partially_accepted', 'rejected')),
            response_reason TEXT NOT NULL DEFAULT '',
            responded_on TEXT,
            corporate_action_id INTEGER REFERENCES corporate_actions(id),
            timescale TEXT NOT NULL DEFAULT '',
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id),
            updated_at TEXT NOT NULL
        );
        """
    )


@migrations(name="0016_staff_responses")
def _staff_responses(db: Database) -> None:
    """Staff invitations and anonymous staff responses (see store/staff.py for why nothing here
    can tie a response to a person): responses, answers and comments have random keys and are
    WITHOUT ROWID tables, so neither a key nor the order rows were written in matches an
    invitation; no timestamp, user or address is kept with them. An invitation's email is
    forgotten when its link is used (a CHECK) or its round closes (a trigger). Wrong codes typed
    at /staff/ are counted per client address to throttle guessing."""
    db.executescript(
        """
        CREATE TABLE staff_invitations (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            team_id INTEGER NOT NULL REFERENCES teams(id),
            kind TEXT NOT NULL CHECK (kind IN ('email', 'printed')),
            email TEXT CHECK (email IS NULL OR kind = 'email'),
            token_hash TEXT NOT NULL UNIQUE,
            used INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id),
            CHECK (used = 0 OR email IS NULL)
        );
        CREATE INDEX staff_invitations_round_team ON staff_invitations(round_id, team_id);
        CREATE TABLE staff_responses (
            id TEXT PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            team_id INTEGER NOT NULL REFERENCES teams(id),
            questionnaire_version TEXT NOT NULL REFERENCES questionnaire_versions(version),
            resume_hash TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted'))
        ) WITHOUT ROWID;
        CREATE INDEX staff_responses_round_team ON staff_responses(round_id, team_id, status);
        CREATE TABLE staff_answers (
            response_id TEXT NOT NULL REFERENCES staff_responses(id),
            statement_key TEXT NOT NULL,
            level INTEGER NOT NULL CHECK (level >= 1),
            PRIMARY KEY (response_id, statement_key)
        ) WITHOUT ROWID;
        CREATE TABLE staff_comments (
            response_id TEXT NOT NULL REFERENCES staff_responses(id),
            section_key TEXT NOT NULL,
            text TEXT NOT NULL CHECK (trim(text) <> ''),
            PRIMARY KEY (response_id, section_key)
        ) WITHOUT ROWID;
        CREATE TABLE staff_code_failures (
            id INTEGER PRIMARY KEY,
            address TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX staff_code_failures_address ON staff_code_failures(address, at);
        CREATE TRIGGER staff_invitations_forget_emails AFTER UPDATE OF status ON rounds
        WHEN NEW.status = 'closed'
        BEGIN
            UPDATE staff_invitations SET email = NULL
            WHERE round_id = NEW.id AND email IS NOT NULL;
        END;
        """
    )


@migrations(name="0017_staff_scores")
def _staff_scores(db: Database) -> None:
    """Each submitted staff response's section scores and overall score, kept when it is
    submitted (by the same rule as the figures read: `staff_figures.response_scores`), so a
    council's heatmap reads medians from them rather than scoring every response again. Scores
    of responses submitted before this step are worked out now. WITHOUT ROWID, keyed by the
    response, like its answers: nothing in them says when they were written."""
    db.executescript(
        """
        CREATE TABLE staff_scores (
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            dimension TEXT NOT NULL,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            member TEXT NOT NULL,
            response_id TEXT NOT NULL REFERENCES staff_responses(id),
            score REAL NOT NULL,
            PRIMARY KEY (round_id, dimension, team_id, member, response_id)
        ) WITHOUT ROWID;
        CREATE INDEX staff_scores_response ON staff_scores(response_id);
        """
    )
    from assess.assessment.questionnaire import from_stored
    from assess.assessment.staff_figures import response_scores

    levels: dict[str, dict[str, int]] = {}
    version_of: dict[str, str] = {}
    round_of: dict[str, int] = {}
    team_of: dict[str, int] = {}
    for response_id, version, round_id, team_id, key, level in db.execute(
        """SELECT s.id, s.questionnaire_version, s.round_id, s.team_id, a.statement_key, a.level
           FROM staff_responses s JOIN staff_answers a ON a.response_id = s.id
           WHERE s.status = 'submitted'"""
    ):
        levels.setdefault(response_id, {})[key] = level
        version_of[response_id] = version
        round_of[response_id], team_of[response_id] = round_id, team_id
    questionnaires = {
        version: from_stored(content, version)
        for version, content in db.execute("SELECT version, content FROM questionnaire_versions")
        if version in set(version_of.values())
    }
    db.conn.executemany(
        """INSERT INTO staff_scores (round_id, dimension, team_id, member, response_id, score)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [
            (round_of[response_id], dimension, team_of[response_id], member, response_id, score)
            for response_id, answers in levels.items()
            for (dimension, member), score in response_scores(
                questionnaires[version_of[response_id]], answers
            ).items()
            if score is not None
        ],
    )


@migrations(name="0018_agreed_view")
def _agreed_view(db: Database) -> None:
    """How many staff answers a team lead could see when submitting: the assessment is then the
    team's agreed view, written after the staff's (none: agreed without a staff view)."""
    db.execute("ALTER TABLE assessments ADD COLUMN staff_seen INTEGER")


# Every step, in order: what an empty database has pending (sqlite-utils' public API).
KNOWN_MIGRATIONS = [m.name for m in migrations.pending(Database(memory=True))]


def migrate(db: Database, stop_before: str | None = None) -> list[str]:
    """Bring the schema up to date in place; return the steps applied. Refuse a newer schema."""
    applied = [m.name for m in migrations.applied(db)]
    unknown = [name for name in applied if name not in KNOWN_MIGRATIONS]
    if unknown:
        raise newer(db_label(db), unknown[-1])
    pending = [m.name for m in migrations.pending(db)]
    if stop_before in pending:
        pending = pending[: pending.index(stop_before)]
    migrations.apply(db, stop_before=stop_before)
    return pending


def newer(label: str, step: str) -> StorageError:
    return StorageError(
        f"{label} was written by a newer version of assess (schema step '{step}' is unknown "
        "to this one). Upgrade assess, or restore a backup made by this version."
    )


def schema_steps(db: Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


def db_label(db: Database) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return f"The database {row[2]}" if row and row[2] else "The database"


def unusable(path: Path | str, error: sqlite3.DatabaseError) -> StorageError:
    """The message for a file SQLite refuses: not a database at all, or a damaged one."""
    if getattr(error, "sqlite_errorname", "") == "SQLITE_NOTADB":
        what = (
            "it is not an SQLite database at all (SQLite says: file is not a database), so it "
            "was overwritten or replaced by another file"
        )
    else:
        what = (
            f"it is damaged (SQLite says: {error}), for example truncated by a full disk or "
            "partly overwritten"
        )
    return StorageError(
        f"{path} is not a usable assess database: {what}. Restore the latest backup with "
        "'assess restore FILE'; if there is none, move the file aside and run 'assess init-db' "
        "to start an empty one."
    )


def missing(path: Path) -> StorageError:
    return StorageError(
        f"No database at {path}. Run 'assess init-db' to create it (with --instance or "
        f"ASSESS_INSTANCE naming the folder {path.parent}), or 'assess restore FILE' to put back "
        "a backup, then start assess again."
    )


def check_file(path: Path) -> None:
    """The database file must be there and hold something (SQLite would take an empty or absent
    file for a new database)."""
    if not path.exists():
        raise missing(path)
    if path.stat().st_size == 0:
        raise StorageError(
            f"The database {path} is empty (0 bytes): it was never set up, or it was wiped. "
            "Restore the latest backup with 'assess restore FILE', or run 'assess init-db' to "
            "set it up afresh."
        )


AUDIT_KEY_ATTRIBUTE = "assess_audit_key"


def with_audit_key(db: Database, key: str | None) -> Database:
    """Give a connection the audit chain key its audit events are hashed with. The key belongs
    to the app (or the CLI) that opens the database, never to the process: tests run many."""
    setattr(db, AUDIT_KEY_ATTRIBUTE, key or None)
    return db


def audit_key_of(db: Database) -> str:
    """The connection's audit chain key; a connection opened without one cannot record events."""
    key = getattr(db, AUDIT_KEY_ATTRIBUTE, None)
    if not key:
        raise StorageError(
            f"{db_label(db)} was opened without the audit key, so no audit event can be recorded "
            "or checked on it. Open it through the app or the assess command, which read "
            "AUDIT_KEY (ASSESS_AUDIT_KEY) or, in development, instance/audit_key."
        )
    return str(key)


def connect(
    path: Path | str, *, check_same_thread: bool = True, audit_key: str | None = None
) -> Database:
    """Open a database with WAL, foreign keys and a busy timeout; complain clearly if unusable.
    `audit_key` is the key its audit events are chained with (none: it cannot record any)."""
    try:
        conn = sqlite3.connect(str(path), check_same_thread=check_same_thread)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            db.enable_wal()
    except sqlite3.DatabaseError as error:
        raise unusable(path, error) from error
    return with_audit_key(db, audit_key)


def open_instance_db(path: Path, audit_key: str | None = None) -> Database:
    """Open an instance database that must already exist and be current (as the web app needs).
    It never changes the schema in the middle of a request: start-up (`check_database`, or
    `assess init-db`) upgrades it; a database that is behind or ahead of this assess is refused."""
    if not path.exists():
        raise missing(path)
    db = connect(path, audit_key=audit_key)
    if migrations.pending(db) or any(n not in KNOWN_MIGRATIONS for n in schema_steps(db)):
        db.conn.close()
        raise StorageError(
            f"The database {path} is not at the schema this assess expects. Run "
            "`assess init-db` (or restart the service, which upgrades it), then try again."
        )
    return db


def check_sound(db: Database, path: Path | str, *, thorough: bool = False) -> None:
    """Refuse a damaged file, one that is not an assess database, or one from a newer assess.
    `thorough` runs SQLite's full integrity check (for backups) instead of the quick one."""
    try:
        pragma = "integrity_check" if thorough else "quick_check"
        problems = [row[0] for row in db.execute(f"PRAGMA {pragma}(5)").fetchall()]
        if problems != ["ok"]:
            raise StorageError(
                f"{path} is not a usable assess database: it is damaged (SQLite says: "
                f"{'; '.join(problems)}). Restore the latest backup with 'assess restore FILE'."
            )
        if not schema_steps(db):
            raise StorageError(
                f"{path} is not an assess database (it holds no assess schema). Check that "
                "ASSESS_INSTANCE and ASSESS_DATABASE name the right file, or run 'assess "
                "init-db' to set up a new one."
            )
    except sqlite3.DatabaseError as error:
        raise unusable(path, error) from error
    unknown = [name for name in schema_steps(db) if name not in KNOWN_MIGRATIONS]
    if unknown:
        raise newer(f"The database {path}", unknown[-1])


def check_database(path: Path) -> str:
    """The start-up check of the instance database: it must exist and be sound, and this assess
    must be able to use it (pending schema steps are applied, as the first request would).
    Returns the newest schema step; raises StorageError saying what to do."""
    check_file(path)
    db = connect(path)
    try:
        check_sound(db, path)
        try:
            migrate(db)
            return schema_steps(db)[-1]
        except sqlite3.DatabaseError as error:
            raise unusable(path, error) from error
    finally:
        db.conn.close()


def table_counts(db: Database) -> dict[str, int]:
    return {name: db[name].count for name in sorted(db.table_names())}


# --- per-request connection ---------------------------------------------------------------------


def get_db() -> Database:
    """The request's connection, opened on first use and closed when the request ends."""
    from flask import current_app, g

    if "db" not in g:
        g.db = open_instance_db(
            current_app.config["DATABASE_PATH"], audit_key=current_app.config["AUDIT_KEY"]
        )
    return g.db


def close_request_db(exception: BaseException | None = None) -> None:
    from flask import g

    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def check_readable(db: Database) -> str:
    """The newest schema step, read from the database: raises if the database cannot answer."""
    db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()
    return schema_steps(db)[-1]


@contextmanager
def read_snapshot(path: Path | str) -> Iterator[Database]:
    """A connection of its own reading one consistent state of the database (for exports)."""
    db = connect(path)
    try:
        db.execute("BEGIN")
        yield db
    finally:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        db.conn.close()
