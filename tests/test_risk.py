"""Risk scoring, banding, the matrix and the register's storage, with default and other settings."""

from __future__ import annotations

import pytest

from assess import risk
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
    (eqia,) = register_store.eqias(db)
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


def test_a_proposed_risk_joins_the_register_when_accepted(db):
    risk_id = register_store.add_risk(db, risk_fields(ref="P-1"), None, status="proposed")
    assert risk_id not in {r["id"] for r in register_store.risks(db)}
    register_store.accept_risk(db, risk_id, None)
    assert risk_id in {r["id"] for r in register_store.risks(db)}
