"""A team's self-assessment meets its indicators: the rule that flags where they disagree, and
the results page that shows the team's indicators and the flags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess import store
from assess.programme import indicators as rules
from assess.store import programme as programme_store
from tests.conftest import read_page

HIGH, LOW = 3.5, 2.5


def indicator(area: str, ref: str = "PI-90", direction: str = "higher") -> dict:
    return {"id": 1, "ref": ref, "readiness_area": area, "direction": direction, "unit": "%"}


def summary(area: str, value: float, target: float | None, ref: str = "PI-90") -> rules.Summary:
    found = indicator(area, ref)
    row = {"period": "2025/26", "group_name": "", "value": value, "target": target}
    return rules.summary(found, [row])


def test_a_high_score_with_an_indicator_off_target_is_flagged():
    flagged = rules.mismatches(
        {"digital": 3.8, "insight": 3.8},
        [summary("digital", 40, 60), summary("insight", 70, 60, "PI-91")],
        HIGH,
        LOW,
    )
    assert [(m.area, m.high, [s.indicator["ref"] for s in m.evidence]) for m in flagged] == [
        ("digital", True, ["PI-90"])
    ]


def test_a_weak_score_with_every_indicator_on_target_is_flagged_as_modest():
    flagged = rules.mismatches({"digital": 2.1}, [summary("digital", 70, 60)], HIGH, LOW)
    assert [(m.area, m.high) for m in flagged] == [("digital", False)]
    assert rules.mismatches({"digital": 2.1}, [summary("digital", 50, 60)], HIGH, LOW) == []


def test_no_target_no_score_or_no_indicator_says_nothing():
    assert rules.mismatches({"digital": 4.5}, [summary("digital", 40, None)], HIGH, LOW) == []
    assert rules.mismatches({"digital": None}, [summary("digital", 40, 60)], HIGH, LOW) == []
    assert rules.mismatches({"insight": 4.5}, [summary("digital", 40, 60)], HIGH, LOW) == []


@given(
    score=st.floats(1, 5, allow_nan=False),
    figures=st.lists(
        st.tuples(st.floats(0, 100, allow_nan=False), st.floats(0, 100, allow_nan=False)),
        min_size=1,
        max_size=4,
    ),
)
def test_a_flag_is_raised_only_where_the_score_and_the_targets_disagree(score, figures):
    summaries = [summary("a", v, t, f"PI-{n}") for n, (v, t) in enumerate(figures)]
    missed = any(v < t for v, t in figures)
    flagged = rules.mismatches({"a": score}, summaries, HIGH, LOW)
    if score >= HIGH and missed:
        assert [m.high for m in flagged] == [True]
    elif score < LOW and not missed:
        assert [m.high for m in flagged] == [False]
    else:
        assert flagged == []


# --- the results page ---------------------------------------------------------------------------


@pytest.fixture
def current(db):
    return store.current_round(db)


def area_scores(db, round_id: int) -> list[tuple[int, str, float]]:
    """(team id, area, score) of the round's submitted and signed-off assessments."""
    return [
        (row["team_id"], row["member"], row["score"])
        for row in store.round_scores(
            db, round_id, ("submitted", "signed_off"), ("readiness_area",)
        )
        if row["dimension"] == "readiness_area" and row["score"] is not None
    ]


def give_indicator(db, team_id: int, area: str, value: float, target: float, ref: str) -> None:
    officer = store.user_by_email(db, "sam.okafor@council.example")["id"]
    fields = {
        "ref": ref,
        "name": "Share of requests made online",
        "definition": "Requests made online as a share of all requests.",
        "unit": "%",
        "direction": "higher",
        "owner": "Service manager",
        "readiness_area": area,
        "team_id": team_id,
    }
    found = programme_store.add_indicator(db, fields, officer)
    programme_store.record_value(
        db, found, "2025/26", "", {"value": value, "target": target, "note": ""}, officer
    )


def test_a_team_rating_itself_high_sees_its_indicator_off_target(client_as, db, current):
    team_id, area, score = max(area_scores(db, current["id"]), key=lambda row: row[2])
    assert score >= HIGH
    give_indicator(db, team_id, area, 41.0, 60.0, "PI-90")
    officer = client_as("business_improvement")
    page = read_page(officer.get(f"/teams/{team_id}/rounds/{current['id']}/results"))
    assert "PI-90 Share of requests made online" in page.text
    assert "41.0%" in page.text and "Not met" in page.text
    assert f"rates itself {score:.2f} on" in page.text and "misses its latest target" in page.text


def test_a_team_rating_itself_weak_sees_its_indicators_on_target(client_as, db, current):
    team_id, area, score = min(area_scores(db, current["id"]), key=lambda row: row[2])
    assert score < LOW
    give_indicator(db, team_id, area, 75.0, 60.0, "PI-91")
    page = read_page(
        client_as("business_improvement").get(f"/teams/{team_id}/rounds/{current['id']}/results")
    )
    assert "meets its latest target" in page.text and "may be too modest" in page.text


def test_a_team_without_indicators_sees_no_indicator_section(client_as, db, current):
    owners = {row["team_id"] for row in programme_store.indicators(db)}
    team_id = next(t for t, _, _ in area_scores(db, current["id"]) if t not in owners)
    page = read_page(
        client_as("business_improvement").get(f"/teams/{team_id}/rounds/{current['id']}/results")
    )
    assert "Performance indicators" not in page.text


def test_the_council_view_shows_every_indicator_beside_its_scores(client_as, db, current):
    page = read_page(client_as("auditor").get(f"/rounds/{current['id']}/council"))
    assert "Performance indicators" in page.text
    for found in programme_store.indicators(db):
        assert f"{found['ref']} {found['name']}" in page.text
