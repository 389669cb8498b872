"""From low scores to the registers: proposed risks' references and words, and weak areas."""

from __future__ import annotations

from assess.registers.rules import (
    Finding,
    RiskSettings,
    next_reference,
    proposed_risk,
    weak_areas,
)

AREA = "Readiness area: Digital access and automation"


def test_a_proposed_risk_takes_the_first_free_reference():
    assert next_reference([]) == "PROP-01"
    assert next_reference(["PROP-01", "PROP-03", "R-02"]) == "PROP-02"


def test_a_risk_raised_from_a_team_names_the_team_its_score_and_how_many_are_low():
    finding = Finding(AREA, "2024/25", {1: 1.8, 2: 3.0, 3: 2.4}, 2.5, team_id=1, team_name="Parks")
    fields = proposed_risk(finding, RiskSettings(), "PROP-01", "2026-11-29")
    assert fields["source_evidence"] == (
        "Parks scored 1.80 in Readiness area: Digital access and automation in 2024/25, below "
        "2.5. 2 of 3 signed-off teams score below 2.5 there."
    )
    assert fields["title"] == "Low maturity in Digital access and automation"
    assert (fields["ref"], fields["raised_on"], fields["source_team_id"]) == (
        "PROP-01",
        "2026-11-29",
        1,
    )
    assert 1 <= fields["target_likelihood"] <= fields["current_likelihood"]


def test_a_risk_raised_from_the_council_quotes_the_one_council_average():
    finding = Finding(AREA, "2024/25", {1: 2.34, 2: 2.35}, 2.5)
    fields = proposed_risk(finding, RiskSettings(), "PROP-02", "2026-11-29")
    assert (
        "The council average in Readiness area: Digital access and automation was 2.35"
        in (fields["source_evidence"])
    )


def test_the_further_below_and_the_more_teams_the_likelier_and_bigger_the_risk():
    few = proposed_risk(Finding(AREA, "r", {1: 2.4, 2: 4.0, 3: 4.0}, 2.5), RiskSettings(), "P", "d")
    many = proposed_risk(
        Finding(AREA, "r", {1: 1.0, 2: 1.2, 3: 1.1}, 2.5), RiskSettings(), "P", "d"
    )
    assert many["current_likelihood"] >= few["current_likelihood"]
    assert many["current_impact"] >= few["current_impact"]


def test_weak_areas_list_only_areas_with_a_team_below_the_low_score_most_first():
    areas = [("value", "a", "A"), ("value", "b", "B"), ("value", "c", "C")]
    scores = {("value", "a"): {1: 2.4, 2: 3.0}, ("value", "b"): {1: 1.0, 2: 2.0}}
    found = weak_areas(areas, scores, 2.5)
    assert [(a["name"], a["below"], a["teams"]) for a in found] == [("B", 2, 2), ("A", 1, 2)]
    assert found[0]["target"] == "value:b"


def test_a_scored_risk_has_each_stages_score_band_direction_and_overdue_review():
    from assess.registers.rules import scored_risk

    row = {
        "id": 7,
        "inherent_likelihood": 5, "inherent_impact": 5,
        "current_likelihood": 3, "current_impact": 4,
        "target_likelihood": 1, "target_impact": 2,
        "next_review_on": "2026-01-31",
    }  # fmt: skip
    scored = scored_risk(row, RiskSettings(), [20, 12], "2026-11-29")
    assert (scored["inherent_score"], scored["current_score"], scored["target_score"]) == (
        25,
        12,
        2,
    )
    assert (scored["inherent_band"], scored["current_band"], scored["target_band"]) == (
        "Red",
        "Amber",
        "Green",
    )
    assert scored["overdue"] is True
    assert (
        scored_risk({**row, "next_review_on": ""}, RiskSettings(), [], "2026-11-29")["overdue"]
        is False
    )


def test_the_register_filters_by_category_owner_band_and_overdue_and_sorts_by_choice():
    from assess.registers.rules import filter_and_sort

    risks = [
        {"ref": "R-02", "category": "People", "owner": "Ann", "current_band": "Red",
         "current_score": 16, "overdue": False, "next_review_on": "2026-03-01"},
        {"ref": "R-01", "category": "People", "owner": "Bo", "current_band": "Amber",
         "current_score": 9, "overdue": True, "next_review_on": "2026-01-01"},
        {"ref": "R-03", "category": "Money", "owner": "Ann", "current_band": "Red",
         "current_score": 20, "overdue": False, "next_review_on": ""},
    ]  # fmt: skip
    refs = lambda found: [r["ref"] for r in found[0]]  # noqa: E731
    assert refs(filter_and_sort(risks, {}, False, "score")) == ["R-03", "R-02", "R-01"]
    assert refs(filter_and_sort(risks, {}, False, "ref")) == ["R-01", "R-02", "R-03"]
    assert refs(filter_and_sort(risks, {}, False, "review")) == ["R-01", "R-02", "R-03"]
    assert refs(filter_and_sort(risks, {"category": "People"}, False, "score")) == ["R-02", "R-01"]
    assert refs(filter_and_sort(risks, {"owner": "Ann", "band": "Red"}, False, "ref")) == [
        "R-02",
        "R-03",
    ]
    assert refs(filter_and_sort(risks, {}, True, "score")) == ["R-01"]
    assert filter_and_sort(risks, {}, False, "nonsense")[1] == "score"
