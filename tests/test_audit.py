"""The audit trail: append-only in the database, and any edit, deletion or reordering is named."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from assess import store
from assess.audit import chain as audit
from assess.cli import cli
from assess.store import audit as audit_store
from assess.store import exports as export_queries
from tests.conftest import AUDIT_KEY, read_page


def check(db) -> audit.ChainCheck:
    return audit.verify_chain(
        export_queries.audit_chain(db), AUDIT_KEY, audit_store.audit_triggers(db)
    )


def allow_tampering(db) -> None:
    """What someone with the database file could do: remove the guards first."""
    db.execute("DROP TRIGGER audit_events_no_update")
    db.execute("DROP TRIGGER audit_events_no_delete")


def test_the_demo_audit_trail_is_intact(db):
    result = check(db)
    assert result.intact
    assert result.events_checked == db["audit_events"].count > 100
    assert "The audit trail is intact" in result.summary()


def test_the_database_refuses_to_change_or_delete_an_audit_event(db):
    with pytest.raises(sqlite3.IntegrityError, match="audit events cannot be changed"):
        db.execute("UPDATE audit_events SET action = 'nothing' WHERE id = 5")
    with pytest.raises(sqlite3.IntegrityError, match="audit events cannot be deleted"):
        db.execute("DELETE FROM audit_events WHERE id = 5")


def test_an_edited_event_is_named_as_edited(db):
    allow_tampering(db)
    db.execute('UPDATE audit_events SET after = \'{"status": "draft"}\' WHERE id = 40')
    result = check(db)
    assert not result.intact
    assert result.first_break.event_id == 40
    assert result.first_break.kind == audit.EDITED
    assert result.events_checked == 40
    assert "broken at event 40" in result.summary()
    assert "edited" in result.summary()


def test_an_edited_and_rehashed_event_breaks_the_link_to_the_next(db):
    allow_tampering(db)
    event = next(e for e in list(export_queries.audit_chain(db)) if e["id"] == 40)
    event["action"] = "nothing_happened"
    new_hash = store.event_hash(AUDIT_KEY, event["previous_hash"], event)  # with the key
    db.execute(
        "UPDATE audit_events SET action = 'nothing_happened', hash = ? WHERE id = 40", [new_hash]
    )
    result = check(db)
    assert result.first_break.event_id == 41
    assert "does not match event 40" in result.first_break.message


def test_a_deleted_event_is_named_by_the_event_after_the_gap(db):
    allow_tampering(db)
    db.execute("DELETE FROM audit_events WHERE id = 57")
    result = check(db)
    assert result.first_break.event_id == 58
    assert result.first_break.kind == audit.DELETED
    assert "event 57 deleted" in result.first_break.message


def test_a_deleted_first_event_is_caught(db):
    allow_tampering(db)
    db.execute("DELETE FROM audit_events WHERE id = 1")
    result = check(db)
    assert result.first_break.event_id == 2
    assert result.first_break.kind == audit.DELETED


def test_a_reordered_pair_is_named_as_reordered(db):
    allow_tampering(db)
    db.execute("UPDATE audit_events SET id = -1 WHERE id = 30")
    db.execute("UPDATE audit_events SET id = 30 WHERE id = 31")
    db.execute("UPDATE audit_events SET id = 31 WHERE id = -1")
    result = check(db)
    assert result.first_break.event_id == 30
    assert result.first_break.kind == audit.REORDERED
    assert "recorded after event 31" in result.first_break.message


def test_an_empty_log_is_intact():
    assert audit.verify_chain([], AUDIT_KEY, APPEND_ONLY).intact


APPEND_ONLY = {
    name: f"CREATE TRIGGER {name} BEFORE {change} ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'no'); END"
    for name, change in audit.APPEND_ONLY_TRIGGERS.items()
}


# --- the CLI ------------------------------------------------------------------------------------


def run_verify(instance):
    return CliRunner().invoke(cli, ["--instance", str(instance), "audit", "verify"])


def test_assess_audit_verify_says_the_trail_is_intact(instance):
    result = run_verify(instance)
    assert result.exit_code == 0, result.output
    assert "The audit trail is intact" in result.output


def test_assess_audit_verify_fails_naming_the_first_broken_event(instance):
    db = store.connect(instance / "assess.db")
    allow_tampering(db)
    db.execute("DELETE FROM audit_events WHERE id = 12")
    db.conn.close()
    result = run_verify(instance)
    assert result.exit_code == 1
    assert "broken at event 13" in result.output
    assert "event 12 deleted" in result.output
    assert "Traceback" not in result.output


# --- the auditor's page -------------------------------------------------------------------------


def test_the_auditor_sees_the_trail_is_intact(client_as):
    page = read_page(client_as("auditor").get("/audit/verify"))
    assert page.h1 == ["Check the audit trail"]
    assert "The audit trail is intact" in page.text


def test_the_auditor_sees_where_the_trail_is_broken(client_as, db):
    allow_tampering(db)
    db.execute("UPDATE audit_events SET after = 'tampered' WHERE id = 9")
    page = read_page(client_as("auditor").get("/audit/verify"))
    assert "The audit trail is broken at event 9" in page.text
    assert "edited" in page.text


def test_a_team_lead_cannot_check_the_audit_trail(client_as):
    assert client_as("team_lead").get("/audit/verify").status_code == 403
