"""The audit chain is keyed: an insider who drops the triggers and rewrites the log, recomputing
every hash without the key, is caught; the key lives outside the database; a restore leaves a
trace; missing append-only triggers are reported."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from assess import store
from assess.audit import chain
from assess.cli import cli
from assess.store import audit as audit_store
from assess.web.app import ConfigurationError, create_app
from tests.conftest import AUDIT_KEY, read_page

APPEND_ONLY = {
    name: f"CREATE TRIGGER {name} BEFORE {change} ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'no'); END"
    for name, change in chain.APPEND_ONLY_TRIGGERS.items()
}


def events_of(db) -> list[dict]:
    return store.audit_events(db)


def rewrite(db, events: list[dict], hasher) -> None:
    """What an insider with the database file can do: drop the guards, replace every event
    with `events` renumbered from 1, each hash recomputed with `hasher(previous, event)`."""
    triggers = audit_store.audit_triggers(db)
    for name in triggers:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("DELETE FROM audit_events")
    previous = chain.GENESIS_HASH
    for number, event in enumerate(events, start=1):
        event = {**event, "id": number, "previous_hash": previous}
        event["hash"] = previous = hasher(previous, event)
        db["audit_events"].insert(event)
    return triggers


def restore_triggers(db, triggers: dict[str, str]) -> None:
    for statement in triggers.values():
        db.execute(statement)


def run(instance, *args, env=None):
    return CliRunner().invoke(
        cli, ["--instance", str(instance), *args], env=env or {}, catch_exceptions=False
    )


# --- a rewrite without the key ------------------------------------------------------------------


def tampered(db) -> list[dict]:
    """An edited event, a deleted one, the rest kept: the ids are renumbered by `rewrite`."""
    events = events_of(db)
    events[39]["after"] = '{"status": "signed_off"}'
    del events[56]
    return events


def test_a_rewrite_with_the_old_public_hash_is_not_proved(db):
    rewrite(db, tampered(db), chain.unkeyed_event_hash)
    result = audit_store.check_audit_trail(db)
    assert not result.intact
    assert result.first_break.kind == chain.UNSEALED
    assert "rewritten without the key" in result.summary()


def test_a_rewrite_with_another_key_is_broken_at_its_first_event(db):
    rewrite(db, tampered(db), lambda previous, e: chain.event_hash("guess", previous, e))
    result = audit_store.check_audit_trail(db)
    assert not result.intact
    assert result.first_break.event_id == 1
    assert result.first_break.kind == chain.EDITED


def test_renumbering_events_after_a_deletion_breaks_the_chain_even_keeping_the_hashes(db):
    triggers = rewrite(
        db, events_of(db), lambda previous, e: chain.event_hash(AUDIT_KEY, previous, e)
    )
    restore_triggers(db, triggers)
    assert audit_store.check_audit_trail(db).intact  # the honest rewrite, with the key, holds
    for name in triggers:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("DELETE FROM audit_events WHERE id = 20")
    db.execute("UPDATE audit_events SET id = id - 1 WHERE id > 20")
    result = audit_store.check_audit_trail(db)
    assert not result.intact
    assert result.first_break.event_id == 20


def test_assess_audit_verify_says_a_rewrite_is_not_proved(instance, db):
    rewrite(db, tampered(db), chain.unkeyed_event_hash)
    result = run(instance, "audit", "verify")
    assert result.exit_code == 1
    assert "The audit trail is not proved" in result.output


@st.composite
def one_change(draw):
    """A chain of events under the key, and one field of one event changed to a new value."""
    events, previous = [], chain.GENESIS_HASH
    for number in range(1, draw(st.integers(1, 6)) + 1):
        event = {
            "id": number,
            "at": f"2025-01-0{number}T09:00:00.000000Z",
            "actor_id": draw(st.one_of(st.none(), st.integers(1, 5))),
            "action": draw(st.sampled_from(["create", "save_answers", "submit"])),
            "entity": "assessment",
            "entity_id": str(draw(st.integers(1, 50))),
            "before": None,
            "after": json.dumps({"level": draw(st.integers(1, 5))}),
            "previous_hash": previous,
        }
        event["hash"] = previous = chain.event_hash(AUDIT_KEY, previous, event)
        events.append(event)
    index = draw(st.integers(0, len(events) - 1))
    field = draw(st.sampled_from([*chain.KEYED_FIELDS, "previous_hash", "hash"]))
    new = draw(
        st.one_of(st.none(), st.integers(-3, 99), st.text(max_size=8)).filter(
            lambda v: v != events[index][field]
        )
    )
    events[index] = {**events[index], field: new}
    return events


@given(one_change())
def test_any_single_change_to_any_event_breaks_the_chain_under_the_key(events):
    result = chain.verify_chain(events, AUDIT_KEY, APPEND_ONLY)
    assert not result.intact


def test_a_database_opened_without_the_key_refuses_to_record_an_event(app):
    db = store.connect(app.config["DATABASE_PATH"])
    before = db["audit_events"].count
    with pytest.raises(store.StorageError, match="opened without the audit key"):
        store.add_directorate(db, "Coroner's Service")
    assert db["audit_events"].count == before
    assert store.directorate_id_by_name(db, "Coroner's Service") is None


# --- where the key lives ------------------------------------------------------------------------


def test_development_makes_an_audit_key_readable_by_its_owner_only_and_keeps_it(tmp_path):
    folder = tmp_path / "fresh"
    first = create_app({"ENV_NAME": "development"}, instance_path=folder)
    path = folder / "audit_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == first.config["AUDIT_KEY"]
    assert len(first.config["AUDIT_KEY"]) >= 32
    assert first.config["AUDIT_KEY"] != first.config["SECRET_KEY"]
    again = create_app({"ENV_NAME": "development"}, instance_path=folder)
    assert again.config["AUDIT_KEY"] == first.config["AUDIT_KEY"]


def test_production_without_an_audit_key_refuses_to_start_and_makes_no_key_file(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("ASSESS_AUDIT_KEY", raising=False)
    monkeypatch.delenv("ASSESS_ENV", raising=False)
    with pytest.raises(ConfigurationError, match="Set an AUDIT_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "given"}, instance_path=tmp_path)
    assert not (tmp_path / "audit_key").exists()
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "s", "AUDIT_KEY": "a"}, tmp_path)
    assert app.config["AUDIT_KEY"] == "a"


def test_the_command_on_a_production_instance_makes_no_key_files(tmp_path, monkeypatch):
    folder = tmp_path / "instance"
    monkeypatch.delenv("ASSESS_AUDIT_KEY", raising=False)
    env = {"ASSESS_ENV": "production", "ASSESS_SECRET_KEY": "s"}
    refused = run(folder, "init-db", env=env)
    assert refused.exit_code == 1
    assert "Set an AUDIT_KEY" in refused.output
    assert "Traceback" not in refused.output
    done = run(folder, "init-db", env={**env, "ASSESS_AUDIT_KEY": "from-the-secret-store"})
    assert done.exit_code == 0, done.output
    assert not (folder / "audit_key").exists() and not (folder / "secret_key").exists()


def test_the_demo_seeded_by_the_command_is_a_keyed_chain_that_verifies(tmp_path):
    folder = tmp_path / "instance"
    env = {"ASSESS_ENV": "development"}
    assert run(folder, "seed-demo", "--teams", "3", "--rounds", "1", env=env).exit_code == 0
    result = run(folder, "audit", "verify", env=env)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    db = store.connect(folder / "assess.db")
    first = events_of(db)[0]
    assert first["hash"] != chain.unkeyed_event_hash(chain.GENESIS_HASH, first)


# --- the append-only triggers -------------------------------------------------------------------


def test_healthz_is_unavailable_when_an_append_only_trigger_is_dropped(client, db):
    assert client.get("/healthz").status_code == 200
    db.execute("DROP TRIGGER audit_events_no_delete")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "audit_events_no_delete" in response.get_json()["reason"]


def test_healthz_is_unavailable_when_a_trigger_no_longer_refuses(client, db):
    db.execute("DROP TRIGGER audit_events_no_update")
    db.execute(
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT 1; END"
    )
    assert client.get("/healthz").status_code == 503


def test_verify_is_not_intact_when_the_triggers_are_missing(instance, db, client_as):
    db.execute("DROP TRIGGER audit_events_no_update")
    result = audit_store.check_audit_trail(db)
    assert result.first_break is None and not result.intact
    assert result.missing_triggers == ("audit_events_no_update",)
    command = run(instance, "audit", "verify")
    assert command.exit_code == 1
    assert "append-only triggers on audit_events are missing" in command.output
    page = read_page(client_as("auditor").get("/audit/verify"))
    assert "append-only triggers on audit_events are missing" in page.text
    assert "The audit trail is intact" not in page.text


# --- a restore leaves a trace -------------------------------------------------------------------


def test_a_restore_records_the_backup_and_the_last_event_it_replaced(instance, db, tmp_path):
    backup = tmp_path / "monday.db"
    assert run(instance, "backup", str(backup)).exit_code == 0
    store.add_directorate(db, "Coroner's Service")  # a change the rollback will undo
    replaced = audit_store.last_event(db)
    db.conn.close()

    result = run(instance, "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.output
    assert f"last event was {replaced['id']}" in result.output

    restored = store.connect(instance / "assess.db", audit_key=AUDIT_KEY)
    event = audit_store.last_event(restored)
    assert event["id"] == replaced["id"]  # the backup's events, then the restore's
    recorded = events_of(restored)[-1]
    assert (recorded["action"], recorded["entity"], recorded["entity_id"]) == (
        "restore",
        "database",
        "monday.db",
    )
    after = json.loads(recorded["after"])
    assert after["backup"] == str(backup)
    assert after["replaced_last_event"] == replaced
    assert store.directorate_id_by_name(restored, "Coroner's Service") is None
    assert audit_store.check_audit_trail(restored).intact


# --- a chain from before the key ----------------------------------------------------------------


def unkeyed(db) -> None:
    """The demo's events as assess recorded them before the chain was keyed."""
    triggers = rewrite(db, events_of(db), chain.unkeyed_event_hash)
    restore_triggers(db, triggers)


def test_a_chain_from_before_the_key_is_sealed_once_and_then_verifies(db):
    unkeyed(db)
    count = db["audit_events"].count
    assert audit_store.check_audit_trail(db).first_break.kind == chain.UNSEALED
    store.add_directorate(db, "Coroner's Service")  # the app's next write seals nothing
    assert audit_store.check_audit_trail(db).first_break.kind == chain.UNSEALED

    assert audit_store.seal_unkeyed_events(db) == count
    result = audit_store.check_audit_trail(db)
    assert result.intact, result.summary()
    assert (result.unkeyed_events, result.sealed_by) == (count, count + 2)
    assert f"Events 1 to {count} were recorded before the chain was keyed" in result.summary()
    assert audit_store.seal_unkeyed_events(db) is None  # nothing more to seal


def test_after_sealing_a_rewrite_of_the_old_events_is_caught(db):
    unkeyed(db)
    audit_store.seal_unkeyed_events(db)
    for name in chain.APPEND_ONLY_TRIGGERS:
        db.execute(f"DROP TRIGGER {name}")
    event = events_of(db)[4]
    edited = {**event, "action": "nothing_happened"}
    db.execute(
        "UPDATE audit_events SET action = ?, hash = ? WHERE id = 5",
        ["nothing_happened", chain.unkeyed_event_hash(event["previous_hash"], edited)],
    )
    result = audit_store.check_audit_trail(db)
    assert result.first_break.event_id == 6
    assert result.first_break.kind == chain.DELETED  # its link to event 5 no longer holds


def test_the_seal_command_seals_an_old_chain_and_refuses_a_broken_one(instance, db):
    unkeyed(db)
    sealed = run(instance, "audit", "seal", "--yes")
    assert sealed.exit_code == 0, sealed.output
    assert "Sealed events 1 to" in sealed.output
    assert run(instance, "audit", "verify").exit_code == 0
    assert "Nothing to seal" in run(instance, "audit", "seal", "--yes").output

    rewrite(db, tampered(db), lambda previous, e: chain.event_hash("guess", previous, e))
    refused = run(instance, "audit", "seal", "--yes")
    assert refused.exit_code == 1
    assert "Nothing was sealed" in refused.output
