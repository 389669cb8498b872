"""Risk scoring, banding, the matrix and the register's storage, with default and other settings."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assess.cli import cli
from assess.registers import rules as risk
from assess.store import registers as register_store

DEFAULT = risk.RiskSettings()
# A council that scores on a 4 by 4 matrix with its own labels and bands: green 1-3,
# amber 4-8, red 9-16.
FOUR = risk.RiskSettings(
    size=4,
    likelihood_labels=("Low", "Medium", "High", "Very high"),
    impact_labels=("Minor", "Moderate", "Serious", "Critical"),
    green_max=3,
    amber_max=8,
)


@pytest.mark.parametrize(
    ("likelihood", "impact", "expected_score", "expected_band"),
    [(1, 1, 1, "Green"), (2, 2, 4, "Green"), (1, 5, 5, "Amber"), (3, 4, 12, "Amber"),
     (3, 5, 15, "Red"), (5, 5, 25, "Red")],
)  # fmt: skip
def test_default_scores_are_likelihood_times_impact_in_the_councils_bands(
    likelihood, impact, expected_score, expected_band
):
    score = risk.score(likelihood, impact, DEFAULT)
    assert (score, risk.band(score, DEFAULT)) == (expected_score, expected_band)


@pytest.mark.parametrize(
    ("likelihood", "impact", "expected_band"),
    [(1, 3, "Green"), (2, 2, "Amber"), (2, 4, "Amber"), (3, 3, "Red"), (4, 4, "Red")],
)
def test_a_four_by_four_matrix_bands_by_its_own_thresholds(likelihood, impact, expected_band):
    assert risk.band(risk.score(likelihood, impact, FOUR), FOUR) == expected_band


def test_a_likelihood_off_a_smaller_matrix_is_refused():
    with pytest.raises(risk.RiskScoreError, match="likelihood must be a whole number from 1 to 4"):
        risk.score(5, 1, FOUR)


def test_band_ranges_show_only_scores_the_matrix_can_give():
    assert DEFAULT.band_ranges() == [("Green", 1, 4), ("Amber", 5, 12), ("Red", 15, 25)]
    assert FOUR.band_ranges() == [("Green", 1, 3), ("Amber", 4, 8), ("Red", 9, 16)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"size": 4}, "RISK_LIKELIHOOD_LABELS needs 4 labels"),
        ({"green_max": 12, "amber_max": 12}, "RISK_GREEN_MAX (12) must be below RISK_AMBER_MAX"),
        ({"amber_max": 25}, "below the top score 25"),
    ],
)
def test_settings_that_contradict_each_other_say_which_to_change(changes, message):
    with pytest.raises(
        risk.RiskSettingsError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        risk.RiskSettings(**changes)


def test_settings_come_from_the_apps_config():
    config = {
        "RISK_MATRIX_SIZE": 4,
        "RISK_LIKELIHOOD_LABELS": list(FOUR.likelihood_labels),
        "RISK_IMPACT_LABELS": list(FOUR.impact_labels),
        "RISK_GREEN_MAX": 3,
        "RISK_AMBER_MAX": 8,
    }
    assert risk.settings_from(config) == FOUR


def test_the_matrix_frame_has_every_cell_with_its_count_and_band():
    frame = risk.matrix_frame([(4, 4), (4, 4), (1, 2)], FOUR)
    assert len(frame) == 16
    cell = frame[(frame.likelihood == 4) & (frame.impact == 4)].iloc[0]
    assert (cell["count"], cell["band"], cell["likelihood_label"]) == (2, "Red", "Very high")
    assert frame["count"].sum() == 3


@pytest.mark.parametrize(
    ("history", "direction"),
    [([12], "New"), ([16, 12], "Improving"), ([9, 12], "Worsening"), ([20, 12, 12], "No change")],
)
def test_direction_of_travel_compares_the_last_two_scores(history, direction):
    assert risk.direction_of_travel(history) == direction


def test_every_eqia_covers_the_nine_protected_characteristics_and_the_local_groups():
    groups = risk.eqia_groups(["Carers", "Age", "Rurality"])
    assert groups[:9] == risk.PROTECTED_CHARACTERISTICS
    assert groups[9:] == ("Carers", "Rurality")


def test_weakest_areas_are_those_below_the_threshold_and_the_lowest_of_each_dimension():
    scores = {
        "readiness_area": {"digital-access": 2.1, "customer-insight": 2.4, "joined-up": 3.5},
        "value": {"one-team": 3.9, "inclusion-respect": 3.1, "stepping-up": None},
    }
    assert risk.weakest(scores, 2.5) == {
        ("readiness_area", "digital-access"),
        ("readiness_area", "customer-insight"),
        ("value", "inclusion-respect"),
    }


def test_exposure_ranks_risks_by_how_many_teams_are_weak_in_their_areas():
    risks = [{"id": 1, "score": 20}, {"id": 2, "score": 6}, {"id": 3, "score": 25}]
    links = {
        1: [("readiness_area", "digital-access", "Digital access")],
        2: [("value", "one-team", "One Team"), ("readiness_area", "digital-access", "Digital")],
    }
    now = {
        ("readiness_area", "digital-access"): {1: 2.0, 2: 3.0, 3: 2.4},
        ("value", "one-team"): {1: 2.2, 2: 2.1},
    }
    before = {("readiness_area", "digital-access"): {1: 3.0, 2: 3.4, 3: 3.0}}
    ranked = risk.exposure(risks, links, now, before, low_score=2.5, change_threshold=0.5)
    assert [(e.risk["id"], e.teams_below) for e in ranked] == [(2, 3), (1, 2)]
    digital = ranked[1].links[0]
    assert (digital["average"], digital["previous_average"], digital["trend"]) == (
        2.47,
        3.13,
        "Falling",
    )


def test_a_lower_score_suggests_a_likelier_risk():
    low = risk.suggest_likelihood_impact(1.2, 2.5, 30, 40, DEFAULT)
    milder = risk.suggest_likelihood_impact(2.4, 2.5, 3, 40, DEFAULT)
    assert low[0] > milder[0] and low[1] > milder[1]
    assert all(1 <= x <= 4 for x in risk.suggest_likelihood_impact(0.5, 2.5, 40, 40, FOUR))


def test_an_inclusion_score_that_is_low_or_falls_prompts_an_eqia_review():
    assert risk.needs_eqia_review(2.2, 2.3, 2.5, 0.5).startswith("The council average")
    assert "fell from 3.60 to 3.00" in risk.needs_eqia_review(3.0, 3.6, 2.5, 0.5)
    assert risk.needs_eqia_review(3.0, 3.2, 2.5, 0.5) is None


# --- storage -----------------------------------------------------------------------------------


def risk_fields(**changes):
    return {
        "ref": "T-01",
        "title": "Test risk",
        "raised_on": "2024-01-01",
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "current_likelihood": 3,
        "current_impact": 4,
        "target_likelihood": 2,
        "target_impact": 2,
        "response": "Treat",
        **changes,
    }


def test_the_demo_register_has_risks_from_the_seeds_themes_and_an_eqia_for_every_group(db, app):
    risks = register_store.risks(db)
    assert len(risks) >= 10
    titles = " ".join(r["title"].lower() for r in risks)
    for theme in ("digitally excluded", "savings", "portal", "staff capacity", "data quality",
                  "partners"):  # fmt: skip
        assert theme in titles
    eqias = register_store.eqias(db)
    assert len(eqias) == 5, "the strategy's EqIA and one for each of four workstreams"
    for eqia in eqias:
        groups = {i["group_name"] for i in register_store.impacts_of(db, eqia["id"])}
        assert groups == set(risk.eqia_groups(app.config["EQIA_LOCAL_GROUPS"]))
    links = register_store.links_of(db, "risk", risks[0]["id"])
    assert {link["questionnaire_id"] for link in links} == {"cex-culture-maturity"}


def test_changing_a_risks_current_score_adds_to_its_history_and_the_audit_log(db):
    risk_id = register_store.add_risk(db, risk_fields(), actor_id=None)
    register_store.update_risk(db, risk_id, {"current_likelihood": 2}, actor_id=None)
    assert [h["score"] for h in register_store.score_history(db, risk_id)] == [12, 8]
    event = db.execute(
        "SELECT before, after FROM audit_events WHERE entity = 'risk' AND entity_id = ? "
        "ORDER BY id DESC LIMIT 1",
        [str(risk_id)],
    ).fetchone()
    assert '"current_likelihood": 3' in event[0] and '"current_likelihood": 2' in event[1]


def test_a_second_risk_with_the_same_ref_is_refused(db):
    register_store.add_risk(db, risk_fields(), actor_id=None)
    with pytest.raises(register_store.DuplicateRef, match="T-01 is already used"):
        register_store.add_risk(db, risk_fields(title="Another"), actor_id=None)


def test_an_import_with_a_failing_entry_writes_nothing(db):
    before = db["risks"].count
    with pytest.raises(register_store.DuplicateRef):
        register_store.import_entries(
            db, "risk", [risk_fields(ref="X-1"), risk_fields(ref="X-1")], None
        )
    assert db["risks"].count == before


def user(db, email):
    row = db.execute("SELECT id, role FROM users WHERE email = ?", [email]).fetchone()
    return {"id": row[0], "role": row[1]}


PRIYA = "priya.shah@council.example"
TOM = "tom.reed@council.example"
ADMIN = "alex.morgan@council.example"


def test_a_proposed_risk_joins_the_register_when_its_owner_accepts_it(db):
    priya = user(db, PRIYA)
    fields = risk_fields(ref="P-1", owner="Priya Shah", owner_user_id=priya["id"])
    risk_id = register_store.add_risk(db, fields, None, status="proposed")
    assert risk_id not in {r["id"] for r in register_store.risks(db)}
    assert [r["id"] for r in register_store.proposals(db, priya["id"])] == [risk_id]
    with pytest.raises(register_store.NotTheOwner, match="Only the owner of P-1"):
        register_store.accept_risk(db, risk_id, user(db, TOM))
    assert register_store.accept_risk(db, risk_id, priya) is True
    assert risk_id in {r["id"] for r in register_store.risks(db)}
    assert register_store.accept_risk(db, risk_id, priya) is False  # already on the register
    assert [d["decision"] for d in register_store.owner_decisions(db, risk_id)] == ["accepted"]


def test_a_declined_risk_keeps_the_reason_and_waits_for_another_owner(db):
    priya = user(db, PRIYA)
    fields = risk_fields(ref="P-2", owner="Priya Shah", owner_user_id=priya["id"])
    risk_id = register_store.add_risk(db, fields, None, status="proposed")
    with pytest.raises(register_store.NeedsNote):
        register_store.decline_risk(db, risk_id, " ", priya)
    register_store.decline_risk(db, risk_id, "Not a housing risk", priya)
    (proposal,) = [p for p in register_store.proposals(db) if p["id"] == risk_id]
    assert (proposal["proposal_state"], proposal["owner"]) == ("declined", "")
    (decision,) = register_store.owner_decisions(db, risk_id)
    assert (decision["reason"], decision["owner_name"]) == ("Not a housing risk", "Priya Shah")
    with pytest.raises(register_store.NotTheOwner):
        register_store.accept_risk(db, risk_id, priya)  # no longer hers
    register_store.update_risk(db, risk_id, {"owner_user_id": priya["id"]}, None)
    register_store.accept_risk(db, risk_id, user(db, ADMIN))  # an administrator, for her
    decisions = register_store.owner_decisions(db, risk_id)
    assert [(d["decision"], d["decided_by_name"]) for d in decisions] == [
        ("declined", "Priya Shah"),
        ("accepted", "Alex Morgan"),
    ]


def test_typing_in_another_owner_unlinks_the_user(db):
    priya = user(db, PRIYA)
    risk_id = register_store.add_risk(
        db, risk_fields(ref="P-3", owner="Priya Shah", owner_user_id=priya["id"]), None
    )
    assert register_store.owned_by(db, risk_id, priya["id"])
    register_store.update_risk(db, risk_id, {"owner": "Head of Housing"}, None)
    assert not register_store.owned_by(db, risk_id, priya["id"])


@pytest.mark.parametrize(
    ("role", "user_id", "owner", "may"),
    [("team_lead", 7, 7, True), ("team_lead", 8, 7, False),
     ("business_improvement", 3, 7, False), ("business_improvement", 3, 3, True),
     ("administrator", 6, 7, True), ("auditor", 5, 5, False), ("team_lead", 7, None, False)],
)  # fmt: skip
def test_only_the_owner_or_an_administrator_decides_on_a_proposed_risk(role, user_id, owner, may):
    assert risk.may_decide(user_id, role, owner) is may


@pytest.mark.parametrize(
    ("owner", "last", "state"),
    [(7, None, "awaiting"), (7, "declined", "awaiting"), (None, "declined", "declined"),
     (None, None, "needs_owner"), (None, "accepted", "needs_owner")],
)  # fmt: skip
def test_a_proposal_waits_for_its_owner_or_for_one(owner, last, state):
    assert risk.proposal_state(owner, last) == state


@pytest.mark.parametrize(
    ("status", "due_on", "overdue"),
    [("not_started", "2025-03-30", True), ("in_progress", "2025-03-31", False),
     ("done", "2024-01-01", False), ("in_progress", None, False)],
)  # fmt: skip
def test_an_action_is_overdue_when_not_done_after_its_due_date(status, due_on, overdue):
    assert risk.action_overdue({"status": status, "due_on": due_on}, "2025-03-31") is overdue


def test_closing_an_action_needs_a_note_and_reopening_it_keeps_the_note(db):
    risk_id = register_store.add_risk(db, risk_fields(ref="A-1"), None)
    action = {
        "what": "Train staff",
        "owner": "Lead",
        "due_on": "2025-01-01",
        "status": "in_progress",
    }
    action_id = register_store.add_register_action(db, "risk", risk_id, action, None)
    with pytest.raises(register_store.NeedsNote, match="Say what was done"):
        register_store.update_register_action(db, action_id, {"status": "done"}, None)
    register_store.update_register_action(
        db, action_id, {"status": "done", "completion_note": "All staff trained"}, None
    )
    closed = register_store.register_action(db, action_id)
    assert closed["closed_at"] and closed["completion_note"] == "All staff trained"
    register_store.update_register_action(db, action_id, {"status": "in_progress"}, None)
    reopened = register_store.register_action(db, action_id)
    assert (reopened["closed_at"], reopened["completion_note"]) == (None, "All staff trained")
    events = db.execute(
        "SELECT action FROM audit_events WHERE entity = 'register_action' AND entity_id = ? "
        "ORDER BY id",
        [str(action_id)],
    ).fetchall()
    assert [e[0] for e in events] == ["create", "close", "update"]


# --- EqIA review prompts ------------------------------------------------------------------------


def evidence(**changes):
    values = {"team": "Housing Needs", "round_name": "2024/25", "score": 3.0, "previous": 3.1,
              "council_average": 3.0, "council_previous": 3.0, **changes}  # fmt: skip
    return risk.InclusionEvidence(**values)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"score": 2.2}, "Housing Needs scored 2.20 for Inclusion & Respect in 2024/25, below 2.5"),
     ({"previous": 3.8}, "Housing Needs's Inclusion & Respect score fell from 3.80 to 3.00"),
     ({"council_average": 2.4}, "The council average for Inclusion & Respect is 2.40"),
     ({"council_previous": 3.6}, "The council average for Inclusion & Respect fell from 3.60"),
     ({}, None), ({"score": None, "previous": None}, None)],
)  # fmt: skip
def test_a_low_or_falling_inclusion_score_is_a_reason_to_review_the_eqias(changes, reason):
    found = risk.eqia_review_reason(evidence(**changes), low_score=2.5, change_threshold=0.5)
    assert found == reason or (reason and found.startswith(reason))


def test_an_eqia_bears_on_inclusion_through_the_value_or_one_of_its_statements():
    statements = ["inclusion-respect-translation"]
    assert risk.bears_on_inclusion([("value", "inclusion-respect")], statements)
    assert risk.bears_on_inclusion([("statement", "inclusion-respect-translation")], statements)
    assert not risk.bears_on_inclusion(
        [("value", "one-team"), ("statement", "one-team-huddles")], statements
    )


def signed_off_in(db, round_name):
    return db.execute(
        """SELECT a.id FROM assessments a JOIN rounds r ON r.id = a.round_id
           WHERE r.name = ? AND a.status = 'signed_off' ORDER BY a.id LIMIT 1""",
        [round_name],
    ).fetchone()[0]


def test_an_assessments_evidence_raises_one_prompt_per_linked_eqia_and_round(db):
    db.execute("DELETE FROM eqia_review_prompts")
    db.conn.commit()
    assessment_id = signed_off_in(db, "2024/25")
    assert register_store.raise_eqia_prompts_for(db, assessment_id, 0.5, 9.0) == []
    assert register_store.raise_eqia_prompts_for(db, assessment_id, 5.0, 0.5) == ["CEX-EQIA-01"]
    assert register_store.raise_eqia_prompts_for(db, assessment_id, 5.0, 0.5) == []
    (prompt,) = register_store.review_prompts(db)
    assert prompt["round_name"] == "2024/25" and "below 5" in prompt["reason"]


def test_a_draft_says_nothing_about_inclusion_yet(db):
    draft = db.execute("SELECT id FROM assessments WHERE status = 'draft' LIMIT 1").fetchone()[0]
    assert register_store.inclusion_evidence(db, draft) is None
    assert register_store.raise_eqia_prompts_for(db, draft, 5.0, 0.5) == []


def test_the_evidence_compares_the_team_and_the_council_with_the_round_before(db):
    found = register_store.inclusion_evidence(db, signed_off_in(db, "2023/24"))
    assert found.round_name == "2023/24"
    assert None not in (found.score, found.previous, found.council_average, found.council_previous)


def test_the_demo_raises_the_prompts_its_signed_off_rounds_call_for(db):
    rounds = {p["round_name"] for p in register_store.review_prompts(db)}
    assert rounds == {"2022/23", "2023/24", "2024/25"}
    db.execute("DELETE FROM eqia_review_prompts")
    db.conn.commit()
    round_id = db.execute("SELECT id FROM rounds WHERE name = '2023/24'").fetchone()[0]
    assert register_store.raise_eqia_prompts_for_round(db, round_id, 2.5, 0.5) == ["CEX-EQIA-01"]
    assert register_store.raise_eqia_prompts_for_round(db, round_id, 2.5, 0.5) == []


def test_the_backfill_command_raises_the_prompts_signed_off_rounds_call_for(instance, db):
    db.execute("DELETE FROM eqia_review_prompts")
    db.conn.commit()
    result = CliRunner().invoke(
        cli, ["--instance", str(instance), "eqia-prompts", "--round", "2023/24"]
    )
    assert result.exit_code == 0, result.output
    assert "2023/24: review prompted for CEX-EQIA-01." in result.output
    again = CliRunner().invoke(cli, ["--instance", str(instance), "eqia-prompts"])
    assert "2023/24: no new review prompts." in again.output
    missing = CliRunner().invoke(cli, ["--instance", str(instance), "eqia-prompts", "--round", "x"])
    assert missing.exit_code == 1 and "There is no round called 'x'" in missing.output
