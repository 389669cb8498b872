"""Storage: pragmas, migrations, all-or-nothing submissions, the audit log, pinned versions."""

from __future__ import annotations

import json
import sqlite3

import pytest

from assess import store
from assess.assessment.questionnaire import from_content
from assess.assessment.scoring import score_assessment
from tests.conftest import AUDIT_KEY


def scorer(questionnaire):
    return lambda rows: score_assessment(questionnaire, store.as_scoring_answers(rows))


@pytest.fixture
def empty_db(tmp_path):
    db = store.connect(tmp_path / "assess.db", audit_key=AUDIT_KEY)
    yield db
    db.conn.close()


def test_a_connection_uses_wal_foreign_keys_and_a_busy_timeout(empty_db):
    assert empty_db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert empty_db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert empty_db.execute("PRAGMA busy_timeout").fetchone()[0] == store.BUSY_TIMEOUT_MS


def fill_at_first_schema(db, cex):
    """What an instance made by the first schema held: people, a round, answers and scores."""
    store.store_questionnaire_version(db, cex) if db["audit_events"].exists() else db[
        "questionnaire_versions"
    ].insert(
        {
            "version": cex.version,
            "questionnaire_id": cex.id,
            "title": cex.title,
            "content": json.dumps(cex.content),
            "first_loaded_at": store.now(),
        }
    )
    db.executescript(
        f"""
        INSERT INTO directorates (id, name) VALUES (1, 'Housing');
        INSERT INTO teams (id, name, directorate_id) VALUES (1, 'Housing Needs', 1);
        INSERT INTO users (id, email, name, role, password_hash, created_at)
            VALUES (1, 'lead@council.example', 'Lead', 'team_lead', 'x', '2024-01-01');
        INSERT INTO team_members VALUES (1, 1);
        INSERT INTO rounds (id, name, questionnaire_version, opens_on, closes_on, created_at)
            VALUES (1, '2023/24', '{cex.version}', '2023-09-01', '2023-11-30', '2023-08-01');
        INSERT INTO assessments (id, team_id, round_id, questionnaire_version, created_at,
            updated_at) VALUES (1, 1, 1, '{cex.version}', '2023-09-02', '2023-09-02');
        INSERT INTO answers (assessment_id, statement_key, level, evidence, answered_at)
            VALUES (1, '{cex.statements[0].key}', 3, 'Monthly report', '2023-09-02');
        """
    )


def in_order(db, table: str) -> str:
    """Rows in the order they were written, or by key where a table keeps no row order."""
    if "WITHOUT ROWID" in db[table].schema:
        return ", ".join(db[table].pks)
    return "rowid"


@pytest.mark.parametrize("stop_before", store.KNOWN_MIGRATIONS[1:])
def test_a_database_at_an_earlier_schema_is_upgraded_in_place_keeping_every_row(
    empty_db, cex, stop_before
):
    store.migrate(empty_db, stop_before=stop_before)
    done = store.schema_steps(empty_db)
    assert stop_before not in done
    fill_at_first_schema(empty_db, cex)

    before = {
        t: list(empty_db.query(f"SELECT * FROM [{t}] ORDER BY {in_order(empty_db, t)}"))
        for t in empty_db.table_names()
        if t != "_sqlite_migrations"
    }

    applied = store.migrate(empty_db)

    assert applied == store.KNOWN_MIGRATIONS[len(done) :]
    assert store.schema_steps(empty_db) == store.KNOWN_MIGRATIONS
    for table, rows in before.items():
        after = list(
            empty_db.query(f"SELECT * FROM [{table}] ORDER BY {in_order(empty_db, table)}")
        )
        assert [{k: row[k] for k in old} for row, old in zip(after, rows, strict=True)] == rows
    assert store.migrate(empty_db) == []  # nothing left to do


def test_a_database_from_a_newer_assess_is_refused(empty_db):
    store.migrate(empty_db)
    empty_db["_sqlite_migrations"].insert(
        {"migration_set": "assess", "name": "0099_future", "applied_at": store.now()}
    )
    with pytest.raises(store.StorageError, match="newer version of assess.*0099_future"):
        store.migrate(empty_db)


def test_a_file_that_is_not_a_database_gives_a_clear_message(tmp_path):
    path = tmp_path / "assess.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(store.StorageError, match="is not a usable assess database"):
        store.connect(path)


def test_a_missing_database_is_named(tmp_path):
    with pytest.raises(store.StorageError, match="No database at .*Run 'assess init-db'"):
        store.open_instance_db(tmp_path / "assess.db")


def draft(db, cex, round_name="2024/25"):
    """A new draft for a team that has not started the round."""
    round_id = db.execute("SELECT id FROM rounds WHERE name = ?", [round_name]).fetchone()[0]
    team_id = db.execute(
        "SELECT id FROM teams WHERE id NOT IN (SELECT team_id FROM assessments WHERE round_id = ?)"
        " ORDER BY id LIMIT 1",
        [round_id],
    ).fetchone()[0]
    return store.start_assessment(db, team_id, round_id, None)


def test_saving_answers_twice_keeps_the_latest(db, cex):
    assessment_id = draft(db, cex)
    key = cex.statements[0].key
    store.save_answers(db, assessment_id, [{"statement_key": key, "level": 2}], None)
    store.save_answers(
        db, assessment_id, [{"statement_key": key, "level": 4, "evidence": "Case audit"}], None
    )
    [row] = store.answers_of(db, assessment_id)
    assert (row["level"], row["evidence"]) == (4, "Case audit")


def test_a_save_guarded_by_a_stale_fingerprint_is_refused_and_writes_nothing(db, cex):
    assessment_id = draft(db, cex)
    keys = [s.key for s in cex.statements[:3]]
    opened = store.answers_fingerprint({}, keys)
    store.save_answers(db, assessment_id, [{"statement_key": keys[0], "level": 2}], None)
    events = db["audit_events"].count

    with pytest.raises(store.Stale):
        store.save_answers(
            db, assessment_id, [{"statement_key": keys[1], "level": 5}], None, shown=(keys, opened)
        )
    assert [(a["statement_key"], a["level"]) for a in store.answers_of(db, assessment_id)] == [
        (keys[0], 2)
    ]
    assert db["audit_events"].count == events

    current = {a["statement_key"]: a for a in store.answers_of(db, assessment_id)}
    fresh = store.answers_fingerprint(current, keys)
    assert fresh != opened
    store.save_answers(
        db, assessment_id, [{"statement_key": keys[1], "level": 5}], None, shown=(keys, fresh)
    )
    assert len(store.answers_of(db, assessment_id)) == 2


def test_the_fingerprint_covers_only_the_statements_shown(db, cex):
    shown, other = cex.statements[0].key, cex.statements[1].key
    answer = {**store.ANSWER_DEFAULTS, "level": 3}
    assert store.answers_fingerprint({other: answer}, [shown]) == store.answers_fingerprint(
        {}, [shown]
    )
    assert store.answers_fingerprint({shown: answer}, [shown]) != store.answers_fingerprint(
        {shown: {**answer, "evidence": "x"}}, [shown]
    )


def test_not_applicable_needs_a_reason_in_the_database_too(db, cex):
    assessment_id = draft(db, cex)
    with pytest.raises(sqlite3.IntegrityError):
        store.save_answers(
            db, assessment_id, [{"statement_key": cex.statements[0].key, "not_applicable": 1}], None
        )
    assert store.answers_of(db, assessment_id) == []


def test_a_submission_stores_scores_with_the_rules_version_and_locks_the_answers(db, cex):
    assessment_id = draft(db, cex)
    store.save_answers(
        db, assessment_id, [{"statement_key": s.key, "level": 3} for s in cex.statements], None
    )
    store.submit_assessment(db, assessment_id, None, scorer(cex))
    scores = list(db.query("SELECT * FROM scores WHERE assessment_id = ?", [assessment_id]))
    assert {s["rules_version"] for s in scores} == {"2026.1"}
    assert {s["score"] for s in scores} == {3.0}
    assert store.assessment(db, assessment_id)["status"] == "submitted"
    with pytest.raises(store.Locked, match="can no longer be changed"):
        store.save_answers(
            db, assessment_id, [{"statement_key": cex.statements[0].key, "level": 5}], None
        )
    assert {a["level"] for a in store.answers_of(db, assessment_id)} == {3}


def test_a_failed_submission_leaves_nothing_half_done(db, cex):
    assessment_id = draft(db, cex)
    store.save_answers(
        db, assessment_id, [{"statement_key": cex.statements[0].key, "level": 3}], None
    )
    events_before = db["audit_events"].count

    def failing_scorer(rows):
        raise RuntimeError("scoring failed midway")

    with pytest.raises(RuntimeError):
        store.submit_assessment(db, assessment_id, None, failing_scorer)
    assert store.assessment(db, assessment_id)["status"] == "draft"
    assert (
        db.execute(
            "SELECT count(*) FROM scores WHERE assessment_id = ?", [assessment_id]
        ).fetchone()[0]
        == 0
    )
    assert db["audit_events"].count == events_before


def test_the_database_refuses_to_change_or_delete_an_audit_event(db):
    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        db.execute("UPDATE audit_events SET action = 'nothing' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="cannot be deleted"):
        db.execute("DELETE FROM audit_events WHERE id = 1")


def test_each_audit_event_is_chained_to_the_one_before(db):
    events = store.audit_events(db)
    assert events[0]["previous_hash"] == store.GENESIS_HASH
    for previous, event in zip(events, events[1:], strict=False):
        assert event["previous_hash"] == previous["hash"]
        assert event["hash"] == store.event_hash(AUDIT_KEY, previous["hash"], event)


def test_answers_on_an_old_version_keep_pointing_at_it(db, cex):
    old_round = db.execute("SELECT id FROM rounds WHERE name = '2022/23'").fetchone()[0]
    edited = from_content({**cex.content, "title": "CEX Culture Maturity Assessment 2025"})
    assert store.store_questionnaire_version(db, edited) is True
    assert store.store_questionnaire_version(db, edited) is False
    pinned = {
        a["questionnaire_version"]
        for a in db.query(
            "SELECT questionnaire_version FROM assessments WHERE round_id = ?", [old_round]
        )
    }
    assert pinned == {cex.version}
    assert store.questionnaire_version(db, cex.version).title == cex.title
    assert store.questionnaire_version(db, edited.version).title.endswith("2025")


def test_sign_off_needs_a_submitted_assessment(db, cex):
    assessment_id = draft(db, cex)
    with pytest.raises(store.Locked, match="only a submitted assessment can be signed off"):
        store.sign_off_assessment(db, assessment_id, None)


def test_the_demo_council_has_three_rounds_and_drafts_in_the_current_one(db):
    assert [r["name"] for r in store.rounds(db)] == ["2022/23", "2023/24", "2024/25"]
    assert db["teams"].count == 40
    assert db["directorates"].count == 6
    statuses = dict(
        db.execute(
            "SELECT a.status, count(*) FROM assessments a JOIN rounds r ON r.id = a.round_id "
            "WHERE r.name = '2024/25' GROUP BY a.status"
        ).fetchall()
    )
    assert statuses["draft"] > 0 and statuses["submitted"] + statuses["signed_off"] > 0
    roles = {r[0] for r in db.execute("SELECT DISTINCT role FROM users")}
    assert roles == set(store.ROLES)


def test_a_request_never_upgrades_the_schema_it_refuses_a_database_behind(tmp_path):
    path = tmp_path / "assess.db"
    db = store.connect(path)
    store.migrate(db, stop_before=store.KNOWN_MIGRATIONS[-1])
    db.conn.close()
    with pytest.raises(store.StorageError, match="Run `assess init-db`"):
        store.open_instance_db(path)
    assert store.schema_steps(store.connect(path)) == store.KNOWN_MIGRATIONS[:-1]


def test_the_store_exports_exactly_the_names_it_imports():
    import ast
    from pathlib import Path

    source = Path(store.__file__).read_text()
    imported = {
        alias.asname or alias.name
        for node in ast.parse(source).body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert set(store.__all__) == imported
    assert len(store.__all__) == len(set(store.__all__)), "a name listed twice"
