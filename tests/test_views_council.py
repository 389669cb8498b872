"""The council view and trends: spread, movers, and breaks where rounds cannot be compared."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from assess import store
from assess.assessment.questionnaire import from_content
from assess.assessment.scoring import score_assessment
from assess.rounds import council_views
from assess.rounds import tables as reports
from tests.conftest import draw_charts, read_page


@pytest.fixture
def officer(client_as):
    return client_as("business_improvement")


def test_spread_gives_quartiles_and_counts_only_teams_with_a_score():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, None]})
    [row] = reports.spread(frame, ["a"]).to_dict("records")
    assert (row["teams"], row["minimum"], row["median"], row["maximum"]) == (4, 1.0, 2.5, 4.0)
    assert (row["lower_quartile"], row["upper_quartile"]) == (1.75, 3.25)


def test_level_bands_round_half_up_and_count_every_team_once():
    frame = pd.DataFrame({"a": [1.49, 1.5, 2.5, 4.9, None]})
    [row] = reports.level_bands(frame, ["a"], (1, 2, 3, 4, 5)).to_dict("records")
    assert [row[str(level)] for level in range(1, 6)] == [1, 1, 1, 0, 1]


def test_movers_only_count_changes_beyond_the_threshold():
    current = pd.DataFrame(
        {
            "team_id": [1, 2, 3],
            "team": ["A", "B", "C"],
            "directorate": ["D"] * 3,
            "overall": [3.0, 2.0, 2.6],
        }
    )
    previous = pd.DataFrame({"team_id": [1, 2, 3], "overall": [2.0, 2.9, 2.5]})
    up, down = reports.movers(current, previous, "overall", threshold=0.5)
    assert [(r["team"], r["change"]) for r in up] == [("A", 1.0)]
    assert [(r["team"], r["change"]) for r in down] == [("B", -0.9)]


def edited(cex, drop_from_value="one-team"):
    """A new version of the questionnaire with one statement of a value removed."""
    content = dict(cex.content)
    dropped = cex.statements_in("value", drop_from_value)[0].key
    content["statements"] = [s for s in cex.content["statements"] if s["key"] != dropped]
    return from_content(content)


def test_a_value_whose_statements_changed_is_not_comparable_and_the_rest_are(cex):
    result = reports.comparable_members(cex, edited(cex), "value")
    assert result["one-team"] is False
    assert all(result[m] for m in result if m != "one-team")


def test_a_trend_line_breaks_where_rounds_cannot_be_compared():
    points = [
        {"round": r, "opens_on": o, "member": "a", "score": s}
        for r, o, s in [("1", "2022", 2.0), ("2", "2023", 2.5), ("3", "2024", 3.0)]
    ]
    frame = reports.trend(points, {("3", "a"): False})
    assert frame["segment"].tolist() == [0, 0, 1]


def test_the_council_view_shows_the_spread_of_signed_off_teams(officer, db, chart_renderer):
    round_ = store.current_round(db)
    signed_off = db.execute(
        "SELECT count(*) FROM assessments WHERE round_id = ? AND status = 'signed_off'",
        [round_["id"]],
    ).fetchone()[0]
    submitted = db.execute(
        "SELECT count(*) FROM assessments WHERE round_id = ? "
        "AND status IN ('submitted', 'signed_off')",
        [round_["id"]],
    ).fetchone()[0]
    page = read_page(officer.get(f"/rounds/{round_['id']}/council"))
    assert page.h1 == ["The council, 2024/25"]
    assert f"half of the {signed_off} teams score between" in page.text
    assert "Teams that moved most since 2023/24" in page.text
    both = read_page(officer.get(f"/rounds/{round_['id']}/council?include=submitted"))
    assert f"half of the {submitted} teams score between" in both.text
    chart = officer.get(f"/rounds/{round_['id']}/council/value.svg")
    assert b"Council median" in chart.data and b"Upper quartile" in chart.data


def test_trends_follow_the_council_a_directorate_or_a_team(officer, db):
    page = read_page(officer.get("/trends/"))
    assert page.h1 == ["Corporate values over time: Council"]
    assert "2022/23" in page.text and "2023/24" in page.text
    housing = read_page(officer.get("/trends/readiness_area?directorate=Housing"))
    assert housing.h1 == ["Readiness areas over time: Housing"]
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
    team = read_page(officer.get(f"/trends/value?team={team_id}"))
    assert team.h1 == ["Corporate values over time: Housing Needs"]


def test_trends_say_when_a_new_questionnaire_version_breaks_comparison(officer, db, cex):
    new_version = edited(cex)
    store.store_questionnaire_version(db, new_version)
    round_id = store.create_round(
        db, "2025/26", new_version.version, "2025-09-01", "2025-12-12", "open"
    )
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
    assessment_id = store.start_assessment(db, team_id, round_id, None)
    store.save_answers(
        db,
        assessment_id,
        [{"statement_key": s.key, "level": 4} for s in new_version.statements],
        None,
    )
    store.submit_assessment(
        db,
        assessment_id,
        None,
        lambda rows: score_assessment(new_version, store.as_scoring_answers(rows)),
    )
    store.sign_off_assessment(db, assessment_id, None)
    page = read_page(officer.get("/trends/"))
    assert page.text.count("not comparable with the round before") == 1  # One Team only
    assert "2025/26" in page.text


@pytest.mark.parametrize(
    "url",
    ["/rounds/3/council", "/rounds/3/council/value.svg", "/trends/", "/trends/readiness_area"],
)
def test_team_leads_cannot_see_council_figures(client_as, url):
    assert client_as("team_lead").get(url).status_code == 403


def test_a_directorate_trend_resting_on_too_few_teams_is_suppressed_in_chart_and_table(
    app, officer
):
    app.config["SMALL_GROUP_TEAMS"] = 100
    response = officer.get("/trends/?directorate=Housing")
    page = read_page(response)
    assert "Not shown: fewer than 100 teams" in page.text
    assert "<svg" not in response.get_data(as_text=True)  # no chart draws what the table hides
    assert not re.search(r"\b\d\.\d\d\b", page.text.split("the numbers")[-1])
    app.config["SMALL_GROUP_TEAMS"] = 1
    response = officer.get("/trends/?directorate=Housing")
    assert "Not shown" not in read_page(response).text
    assert "chart is being prepared" in response.get_data(as_text=True)
    draw_charts(app)
    assert "<svg" in officer.get("/trends/?directorate=Housing").get_data(as_text=True)


def test_a_trend_chart_leaves_out_exactly_the_rounds_its_table_suppresses(app, db):
    counts = {
        round_["name"]: len(
            {
                r["team_id"]
                for r in store.round_scores(db, round_["id"], ("signed_off",), ("value",))
                if r["directorate"] == "Housing"
            }
        )
        for round_ in store.rounds(db)
    }
    minimum = max(counts.values())
    with app.test_request_context():
        frame, _, teams = council_views.trend_frame(
            "value", "Housing", None, ("signed_off",), minimum
        )
    assert teams == counts
    assert set(frame["round"]) == {name for name, n in counts.items() if n >= minimum}
    assert set(frame["round"]) != set(counts)  # the demo has a round with fewer Housing teams
