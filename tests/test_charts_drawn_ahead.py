"""Charts are drawn by the renderer when their figures change, never in a request: a page whose
chart is not drawn yet shows its table and says the chart is being prepared; a drawn chart shows
the figures as they are now; a renderer that fails leaves the pages serving their tables."""

from __future__ import annotations

import re

import pytest

from assess import store
from assess.charts import renderer
from assess.store import charts as cache
from tests.conftest import hidden_fields, lead_email_of, read_page

PREPARED = "chart is being prepared"


@pytest.fixture
def signed_off(db):
    """A signed-off assessment in the demo's open round, and its results page."""
    row = db.execute(
        """SELECT a.team_id, a.round_id FROM assessments a JOIN rounds r ON r.id = a.round_id
           WHERE a.status = 'signed_off' AND r.status = 'open' ORDER BY a.team_id LIMIT 1"""
    ).fetchone()
    return {"team_id": row[0], "round_id": row[1], "base": f"/teams/{row[0]}/rounds/{row[1]}"}


def draw(app) -> int:
    return renderer.run(app, until_idle=True)


def test_a_results_page_never_waits_for_a_chart_and_shows_its_table(app, client_as, signed_off):
    officer = client_as("business_improvement")
    page = officer.get(signed_off["base"] + "/results").get_data(as_text=True)
    assert PREPARED in page
    assert '<img src="/teams' not in page  # no picture until the renderer has drawn it
    assert "the numbers in the chart" in page  # the table is there


def test_after_drawing_the_page_shows_the_chart_and_the_chart_is_served(app, client_as, signed_off):
    officer = client_as("business_improvement")
    officer.get(signed_off["base"] + "/results")
    assert draw(app) > 0
    page = officer.get(signed_off["base"] + "/results").get_data(as_text=True)
    assert PREPARED not in page
    svg = officer.get(signed_off["base"] + "/charts/value.svg")
    assert svg.status_code == 200 and svg.data.lstrip().startswith(b"<svg")


def submitted(db) -> tuple[int, int]:
    """A submitted (not yet signed-off) assessment in the open round: team id, round id."""
    return db.execute(
        """SELECT a.team_id, a.round_id FROM assessments a JOIN rounds r ON r.id = a.round_id
           WHERE a.status = 'submitted' AND r.status = 'open' ORDER BY a.team_id LIMIT 1"""
    ).fetchone()


def sign_off(officer, team_id: int, round_id: int) -> None:
    url = f"/rounds/{round_id}/teams/{team_id}/sign-off"
    page = officer.get(url).get_data(as_text=True)
    assert officer.post(url, data=hidden_fields(page)).status_code == 302


def test_a_sign_off_draws_ahead_every_chart_it_changes(app, db, client_as, signed_off):
    """A sign-off moves the council average on every team's radar: the renderer redraws them
    without anyone viewing a page, so the first view after it has its chart, and the chart
    shows the new council average (no stale picture)."""
    officer = client_as("business_improvement")
    results = signed_off["base"] + "/results"
    officer.get(results)
    draw(app)
    before = officer.get(signed_off["base"] + "/charts/value.svg").data

    sign_off(officer, *submitted(db))
    draw(app)
    page = officer.get(results).get_data(as_text=True)
    assert PREPARED not in page
    after = officer.get(signed_off["base"] + "/charts/value.svg").data
    assert after != before
    council = read_page(officer.get(results)).text
    average = re.search(r"Council average: One Team (\d\.\d\d)", after.decode())
    assert average and average.group(1) in council  # the picture agrees with the table


def test_a_moderation_redraws_the_teams_radar_with_the_moderated_score(app, db, client_as):
    team_id, round_id = submitted(db)
    assessment_id = store.find_assessment(db, team_id, round_id)["id"]
    answer = next(a for a in store.answers_of(db, assessment_id) if a["level"])
    results = f"/teams/{team_id}/rounds/{round_id}/results"
    officer = client_as("business_improvement")
    officer.get(results)
    draw(app)
    before = officer.get(f"/teams/{team_id}/rounds/{round_id}/charts/value.svg").data

    url = f"/rounds/{round_id}/teams/{team_id}/moderate/{answer['statement_key']}"
    page = officer.get(url).get_data(as_text=True)
    level = "1" if answer["level"] > 1 else "5"
    form = {**hidden_fields(page), "level": level, "reason": "No evidence of this."}
    assert officer.post(url, data=form).status_code == 302
    draw(app)
    assert PREPARED not in officer.get(results).get_data(as_text=True)  # drawn ahead
    after = officer.get(f"/teams/{team_id}/rounds/{round_id}/charts/value.svg").data
    assert after != before


def test_a_team_leads_save_draws_only_that_teams_charts(app, db, client_as):
    """A team lead's form changes only their own team's figures: the renderer draws that team's
    radars, not the whole round's."""
    team_id, round_id = submitted(db)
    path = f"/rounds/{round_id}/teams/{team_id}"
    officer = client_as("business_improvement")
    page = officer.get(path).get_data(as_text=True)
    officer.post(path + "/return", data={**hidden_fields(page), "comment": "Add evidence."})
    charts_db = cache.open_charts(app.config["CHARTS_PATH"])
    assert cache.take_change(charts_db) == (round_id, None)  # business improvement: the round
    lead = client_as("team_lead", email=lead_email_of(db, team_id))
    check = f"/teams/{team_id}/rounds/{round_id}/check"
    page = lead.get(check).get_data(as_text=True)
    assert lead.post(check, data={**hidden_fields(page), "confirm": "y"}).status_code == 302
    assert cache.take_change(charts_db) == (round_id, team_id)  # a team lead: their team


def test_a_failing_renderer_leaves_pages_serving_tables(app, client_as, signed_off, monkeypatch):
    from assess.charts import builders

    def broken(chart, fmt):
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(builders, "draw", broken)
    officer = client_as("business_improvement")
    officer.get(signed_off["base"] + "/results")
    draw(app)
    page = read_page(officer.get(signed_off["base"] + "/results"))
    assert PREPARED in page.text
    with cache.open_charts(app.config["CHARTS_PATH"]).conn as conn:
        failed = conn.execute("SELECT count(*) FROM wanted WHERE attempts >= 3").fetchone()[0]
    assert failed > 0  # given up on after three tries, not retried for ever
