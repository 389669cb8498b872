"""Round packs: frozen when a round closes, hashed in the audit log, and recomputable alone."""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3

import pytest
from click.testing import CliRunner

from assess import store
from assess.audit import round_pack
from assess.cli import cli
from assess.store import round_packs as pack_store
from tests.conftest import csrf_token, read_page

BUSINESS_IMPROVEMENT = "sam.okafor@council.example"


def round_id(db, name: str) -> int:
    return db.execute("SELECT id FROM rounds WHERE name = ?", [name]).fetchone()[0]


@pytest.fixture
def frozen(db) -> tuple[int, dict]:
    sam = store.user_by_email(db, BUSINESS_IMPROVEMENT)
    pack_id = pack_store.freeze_round(db, round_id(db, "2023/24"), sam["id"], 5)
    return pack_id, round_pack.from_file(pack_store.pack_file(db, pack_id)[1])


def test_business_improvement_freezes_a_closed_round_from_the_page(client_as, db):
    client = client_as("business_improvement")
    page = client.get("/audit/packs").get_data(as_text=True)
    response = client.post(
        f"/audit/rounds/{round_id(db, '2023/24')}/pack", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    page = read_page(client.get("/audit/packs"))
    assert "The round pack was frozen and its SHA-256 recorded in the audit log" in page.text
    assert "Download the pack frozen" in page.text


def test_the_audit_log_holds_the_sha256_of_the_pack_and_of_each_part(client_as, db, frozen):
    pack_id, pack = frozen
    event = db.execute(
        "SELECT entity, entity_id, after FROM audit_events WHERE action = 'freeze'"
    ).fetchone()
    assert event[:2] == ("round_pack", str(pack_id))
    recorded = json.loads(event[2])
    assert recorded["round"] == "2023/24"
    assert recorded["sha256"] == round_pack.sha256(pack)
    assert set(recorded["parts"]) == set(round_pack.PARTS)
    assert recorded["parts"]["answers"] == round_pack.sha256(pack["answers"])
    # the downloaded file is that pack, byte for byte
    download = client_as("auditor").get(f"/audit/packs/{pack_id}.json.gz")
    assert download.status_code == 200
    assert hashlib.sha256(gzip.decompress(download.data)).hexdigest() == recorded["sha256"]


def test_a_pack_holds_everything_a_score_rests_on(db, frozen):
    _, pack = frozen
    signed_off = db.execute(
        """SELECT count(*) FROM assessments WHERE round_id = ?
           AND status IN ('submitted', 'signed_off')""",
        [round_id(db, "2023/24")],
    ).fetchone()[0]
    assert len(pack["assessments"]) == signed_off > 0
    assert pack["scoring_rules_version"]
    assert pack["questionnaire_versions"][0]["content"]["statements"]
    assert len(pack["answers"]) >= 30 * signed_off - 30  # every statement, bar the odd gap
    assert {s["action"] for s in pack["sign_offs"]} >= {"signed_off"}
    assert all(a["signed_off_by"] for a in pack["assessments"] if a["status"] == "signed_off")


def test_an_open_round_cannot_be_frozen(client_as, db):
    client = client_as("business_improvement")
    page = client.get("/audit/packs").get_data(as_text=True)
    client.post(
        f"/audit/rounds/{round_id(db, '2024/25')}/pack", data={"csrf_token": csrf_token(page)}
    )
    page = read_page(client.get("/audit/packs"))
    assert "The 2024/25 round is open: close it before freezing its pack" in page.text
    assert db["round_packs"].count == 0


def test_the_auditor_sees_packs_but_cannot_freeze_one(client_as, db):
    client = client_as("auditor")
    page = read_page(client.get("/audit/packs"))
    assert "Freeze a pack" not in page.text
    token = csrf_token(client.get("/audit/tokens").get_data(as_text=True))
    response = client.post(
        f"/audit/rounds/{round_id(db, '2023/24')}/pack", data={"csrf_token": token}
    )
    assert response.status_code == 403


def test_the_database_refuses_to_change_a_frozen_pack(db, frozen):
    with pytest.raises(sqlite3.IntegrityError, match="round packs cannot be changed"):
        db.execute("UPDATE round_packs SET sha256 = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="round packs cannot be deleted"):
        db.execute("DELETE FROM round_packs")


# --- recomputation ------------------------------------------------------------------------------


def run(instance, *args):
    return CliRunner().invoke(cli, ["--instance", str(instance), "audit", "recompute", *args])


def write_pack(tmp_path, pack: dict):
    path = tmp_path / "pack.json.gz"
    path.write_bytes(round_pack.to_file(pack))
    return path


def test_every_score_recomputed_from_the_pack_alone_matches(instance, tmp_path, frozen):
    _, pack = frozen
    result = run(instance, str(write_pack(tmp_path, pack)))
    assert result.exit_code == 0, result.output
    assert f"SHA-256 {round_pack.sha256(pack)}" in result.output
    assert f"All {len(pack['scores'])} scores of {len(pack['assessments'])} assessments" in (
        result.output
    )


def test_recompute_takes_the_rounds_latest_pack_from_the_database(instance, frozen):
    result = run(instance, "--round", "2023/24")
    assert result.exit_code == 0, result.output
    assert "Round pack of 2023/24" in result.output


def test_a_stored_score_that_does_not_follow_from_the_answers_is_named(instance, tmp_path, frozen):
    _, pack = frozen
    score = next(s for s in pack["scores"] if s["score"] is not None and s["member"] != "overall")
    score["score"] = round(score["score"] + 0.5, 2)
    assessment = next(a for a in pack["assessments"] if a["id"] == score["assessment_id"])
    result = run(instance, str(write_pack(tmp_path, pack)))
    assert result.exit_code == 1
    assert f"1 of {len(pack['scores'])} scores differ" in result.output
    assert f"{assessment['reference']} ({assessment['team']}): " in result.output
    assert f"{score['dimension']}/{score['member']} stored {score['score']:.2f}" in result.output


def test_a_changed_answer_shows_as_differences(tmp_path, frozen):
    _, pack = frozen
    answer = next(a for a in pack["answers"] if a["level"] and a["level"] < 5)
    answer["level"] += 1
    result = round_pack.recompute(pack)
    assert result.differences
    assert {d.dimension for d in result.differences} >= {"overall"}


def test_a_pack_scored_with_other_rules_says_so(frozen):
    _, pack = frozen
    pack["scoring_rules_version"] = "1999.1"
    assert "scored with rules 1999.1" in round_pack.recompute(pack).notes[0]


def test_a_file_that_is_not_a_pack_is_refused_with_a_message(instance, tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    result = run(instance, str(path))
    assert result.exit_code == 1
    assert "This is not an assess round pack" in result.output


# --- staff figures --------------------------------------------------------------------------


def test_a_pack_holds_the_rounds_staff_figures_as_aggregates_and_they_check_out(db, frozen):
    _, pack = frozen
    part = pack["staff_figures"]
    assert part["min_responses"] == 5
    assert {row["scope"] for row in part["figures"]} == {"team", "directorate", "council"}
    hidden = [row for row in part["figures"] if row["hidden_because"]]
    assert hidden and all(row["median"] is None for row in hidden)
    response_ids = {r[0] for r in db.execute("SELECT id FROM staff_responses")}
    assert response_ids and not response_ids & set(json.dumps(pack).split('"'))
    assert round_pack.recompute(pack).differences == []


def test_a_small_team_shown_in_a_tampered_pack_is_found(frozen):
    _, pack = frozen
    row = next(
        r for r in pack["staff_figures"]["figures"] if r["scope"] == "team" and r["hidden_because"]
    )
    reason, row["hidden_because"] = row["hidden_because"], None
    differences = round_pack.recompute(pack).differences
    assert [(d.dimension, d.member, d.stored, d.recomputed) for d in differences] == [
        ("team", row["team"], "shown", reason)
    ]
