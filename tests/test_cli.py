"""Every `assess` command, end to end on a temporary instance folder."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from assess import demo, store
from assess.cli import cli
from tests.conftest import QUESTIONNAIRES


@pytest.fixture
def run(tmp_path):
    def invoke(*args, instance=None, input=None, env=None):
        folder = instance or tmp_path / "instance"
        env = {"ASSESS_ENV": "development", **(env or {})}  # keys made in the instance folder
        return CliRunner().invoke(
            cli, ["--instance", str(folder), *args], input=input, env=env, catch_exceptions=False
        )

    return invoke


def open_db(folder):
    key = (folder / "audit_key").read_text().strip()
    return store.connect(folder / "assess.db", audit_key=key)


def test_init_db_creates_the_schema_loads_questionnaires_and_seeds_the_demo(run, tmp_path):
    result = run("init-db", "--demo-if-empty")
    assert result.exit_code == 0, result.output
    assert "Seeded 6 directorates, 40 teams" in result.output
    assert "priya.shah@council.example" in result.output
    db = open_db(tmp_path / "instance")
    assert store.schema_steps(db) == store.KNOWN_MIGRATIONS
    assert {v["questionnaire_id"] for v in store.questionnaire_versions(db)} == {
        "cex-culture-maturity",
        "customer-service-excellence",
    }

    again = run("init-db", "--demo-if-empty")
    assert again.exit_code == 0
    assert "already has users; the demo was not seeded" in again.output
    assert "priya.shah@council.example" in again.output  # make run always shows the sign-ins
    assert db["teams"].count == 40


def test_a_broken_questionnaire_stops_init_with_the_file_and_line(run, tmp_path):
    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, folder)
    path = folder / "cex-culture-maturity.yaml"
    path.write_text(
        path.read_text().replace("readiness_area: digital-access", "readiness_area: telepathy", 1)
    )
    result = run("init-db", env={"ASSESS_QUESTIONNAIRES": str(folder)})
    assert result.exit_code == 1
    assert "A questionnaire file is broken" in result.output
    assert f"{path}, line " in result.output
    assert "unknown readiness area 'telepathy'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "instance" / "assess.db").exists()


def test_questionnaires_check_reports_each_file_or_every_problem(run, tmp_path):
    ok = run("questionnaires", "check")
    assert ok.exit_code == 0
    assert "cex-culture-maturity 'CEX Culture Maturity Assessment', 38 statements" in ok.output
    assert "cex-readiness-review 'CEX Readiness Review', 25 checks in 4 areas" in ok.output

    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, folder)
    review = folder / "readiness-reviews" / "cex-readiness-review.yaml"
    review.write_text(review.read_text().replace("area: digital-access", "area: telepathy", 1))
    result = run("questionnaires", "check", str(folder))
    assert result.exit_code == 1
    assert f"{review}, line " in result.output and "unknown area 'telepathy'" in result.output

    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ntitle: Broken\nscale: []\n")
    result = run("questionnaires", "check", str(broken))
    assert result.exit_code == 1
    assert f"{broken}, line 3 (scale): bad scale" in result.output


def test_questionnaires_load_records_a_new_version_after_an_edit(run, tmp_path):
    run("init-db")
    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, folder)
    path = folder / "customer-service-excellence.yaml"
    path.write_text(path.read_text().replace("title: ", "title: Revised ", 1))
    result = run("questionnaires", "load", env={"ASSESS_QUESTIONNAIRES": str(folder)})
    assert result.exit_code == 0
    assert "known  cex-culture-maturity" in result.output
    assert "new  customer-service-excellence" in result.output
    db = open_db(tmp_path / "instance")
    assert len(store.questionnaire_versions(db)) == 3


def test_create_user_adds_someone_who_can_sign_in_to_their_team(run, tmp_path):
    run("seed-demo", "--teams", "8", "--rounds", "1")
    result = run(
        "create-user",
        "--email",
        "New.Lead@Council.Example",
        "--name",
        "New Lead",
        "--role",
        "team_lead",
        "--team",
        "Housing Needs",
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    db = open_db(tmp_path / "instance")
    user = store.user_by_email(db, "new.lead@council.example")
    assert user["role"] == "team_lead"
    assert [t["name"] for t in store.teams_of_user(db, user["id"])] == ["Housing Needs"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--team", "Nowhere"], "There is no team called 'Nowhere'."),
        (["--password", "short"], "a password needs at least 12 characters"),
    ],
)
def test_create_user_refuses_bad_input_with_a_message(run, args, message):
    run("seed-demo", "--teams", "4", "--rounds", "1")
    result = run(
        "create-user",
        "--email",
        "x@council.example",
        "--name",
        "X",
        "--role",
        "auditor",
        *args,
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 1
    assert message in result.output


def test_seed_demo_builds_the_size_asked_for_and_refuses_a_seeded_instance(run, tmp_path):
    result = run("seed-demo", "--teams", "12", "--rounds", "2")
    assert result.exit_code == 0
    assert "12 teams" in result.output and "2 rounds" in result.output
    first_round = demo.round_calendar(2)[0][0]  # the demo is dated around today
    assert f"Round {first_round}" in result.output  # the progress bar's label
    again = run("seed-demo")
    assert again.exit_code == 1
    assert "already has teams" in again.output


def test_backup_and_restore_round_trip_every_row(run, tmp_path):
    run("seed-demo", "--teams", "10", "--rounds", "2")
    backup = tmp_path / "backup.db"
    result = run("backup", str(backup))
    assert result.exit_code == 0, result.output
    original = store.table_counts(open_db(tmp_path / "instance"))

    other = tmp_path / "restored"
    restored = run("restore", str(backup), "--yes", instance=other)
    assert restored.exit_code == 0, restored.output
    restore_event = {**original, "audit_events": original["audit_events"] + 1}
    assert store.table_counts(open_db(other)) == restore_event
    assert f"Restored {sum(original.values())} rows" in restored.output


def test_backup_never_overwrites_and_restore_refuses_a_damaged_file(run, tmp_path):
    run("seed-demo", "--teams", "4", "--rounds", "1")
    existing = tmp_path / "exists.db"
    existing.write_text("keep me")
    result = run("backup", str(existing))
    assert result.exit_code == 1 and "already exists" in result.output
    assert existing.read_text() == "keep me"

    counts = store.table_counts(open_db(tmp_path / "instance"))
    refused = run("restore", str(existing), "--yes")
    assert refused.exit_code == 1
    assert "is not a usable assess database" in refused.output
    assert store.table_counts(open_db(tmp_path / "instance")) == counts


def test_restore_asks_before_replacing(run, tmp_path):
    run("seed-demo", "--teams", "4", "--rounds", "1")
    run("backup", str(tmp_path / "b.db"))
    result = run("restore", str(tmp_path / "b.db"), input="n\n")
    assert result.exit_code == 1
    assert "Aborted" in result.output
