"""Business improvement's view of staff answers: the heatmap's staff view, its downloads and the
tracker's response rates. Every figure is a median of the scores kept when each response was
submitted; small groups show their count and why their answers are hidden, never a figure."""

from __future__ import annotations

import csv
import io

import pytest

from assess import store
from assess.assessment.staff_figures import response_scores, section_medians, staff_view
from assess.assessment.staff_results import responses_by_team
from assess.store import staff as staff_store
from tests.conftest import read_page, running_renderer
from tests.test_staff_results import staff_answer


@pytest.fixture
def round_id(db) -> int:
    return store.current_round(db)["id"]


def staff_heatmap(client_as, round_id: int, query: str = "") -> tuple[str, object]:
    response = client_as("business_improvement").get(
        f"/rounds/{round_id}/heatmap/value?view=staff{query}"
    )
    return response.get_data(as_text=True), read_page(response)


def test_the_staff_view_shows_each_teams_staff_median_and_its_count(client_as, db, round_id, cex):
    staff_answer(db, round_id, "Housing Needs", [1, 1, 1, 2, 5], cex)
    staff_answer(db, round_id, "Allocations", [4] * 5, cex)
    html, page = staff_heatmap(client_as, round_id)
    assert "Staff view: what each team’s staff answered" in page.text
    assert "Housing Needs (5 answered)" in page.text
    assert "Allocations (5 answered)" in page.text
    members = len(cex.section_dimension.members)
    assert page.text.count("1.00") >= members + 1  # each value and overall
    assert page.text.count("4.00") >= members + 1


def test_a_small_team_shows_its_count_and_why_its_answers_are_hidden(client_as, db, round_id, cex):
    staff_answer(db, round_id, "Housing Needs", [3] * 6, cex)
    staff_answer(db, round_id, "Allocations", [1, 2, 1], cex, comment="Only Kim knows this")
    html, page = staff_heatmap(client_as, round_id)
    assert "3 answered: hidden (fewer than 5 responses)" in page.text
    # Housing Needs alone beside the directorate total would give Allocations' answers away
    assert "6 answered: hidden (hidden so another team's answers cannot be worked out)" in (
        page.text.replace("’", "'")
    )
    assert "Allocations 3 answered: hidden" in page.text
    assert "Housing Needs 6 answered: hidden" in page.text
    # the directorate's nine answers are enough for its own median, and the council's
    assert page.text.count("3.00") == 2 * (len(cex.section_dimension.members) + 1)
    assert "Only Kim knows this" not in html


def test_the_staff_views_downloads_hide_what_the_page_hides(client_as, db, round_id, cex):
    staff_answer(db, round_id, "Housing Needs", [3] * 6, cex)
    staff_answer(db, round_id, "Allocations", [1, 2, 1], cex)
    client = client_as("business_improvement")
    response = client.get(f"/rounds/{round_id}/heatmap/value.csv?view=staff")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Directorate", "Team", "Staff answers"]
    by_team = {row[1]: row for row in rows[1:]}
    assert by_team["Allocations"][2] == "3 answered: hidden (fewer than 5 responses)"
    assert set(by_team["Allocations"][3:]) == {""}
    assert set(by_team["Housing Needs"][3:]) == {""}
    assert not any("1.00" in cell for row in rows for cell in row)


def test_an_unknown_view_is_the_agreed_view(client_as, round_id):
    response = client_as("business_improvement").get(
        f"/rounds/{round_id}/heatmap/value?view=<script>"
    )
    page = read_page(response)
    assert "Staff view: what" not in page.text
    assert "<script>" not in response.get_data(as_text=True).split("</head>")[1].split("<script")[0]


def test_the_scores_kept_at_submission_are_the_staff_views(app, db, cex):
    """The heatmap reads the kept scores; the results page scores the levels: they must agree,
    response by response and in each team's medians."""
    closed = [r for r in store.rounds(db) if r["status"] == "closed"][-1]["id"]
    kept: dict[str, dict] = {}
    for row in db.query(
        """SELECT c.* FROM staff_scores c JOIN staff_responses s ON s.id = c.response_id
           WHERE s.round_id = ?""",
        [closed],
    ):
        kept.setdefault(row["response_id"], {})[(row["dimension"], row["member"])] = row["score"]
    by_response: dict[str, dict] = {}
    for row in staff_store.round_staff_levels(db, closed):
        by_response.setdefault(row["response_id"], {})[row["statement_key"]] = row["level"]
    assert by_response, "the demo's closed rounds hold staff answers"
    assert set(kept) == set(by_response)
    for response_id, answers in by_response.items():
        scores = response_scores(cex, answers)
        assert kept[response_id] == {k: v for k, v in scores.items() if v is not None}
    values: dict[int, dict] = {}
    for team_id, dimension, member, score in staff_store.round_staff_scores(
        db, closed, cex.section_dimension.key
    ):
        values.setdefault(team_id, {}).setdefault((dimension, member), []).append(score)
    with app.test_request_context():
        by_team = responses_by_team(closed)
    for team_id, responses in by_team.items():
        view = staff_view(cex, responses)
        medians = section_medians(values[team_id])
        for key, figure in [*view.sections.items(), (("overall", "overall"), view.overall)]:
            if key in medians:
                assert medians[key] == figure.median


def test_the_tracker_shows_staff_invited_answered_and_the_response_rate(
    client_as, db, round_id, cex
):
    staff_answer(db, round_id, "Housing Needs", [2, 3, 4], cex)
    team_id = store.team_id_by_name(db, "Housing Needs")
    staff_store.create_invitations(db, round_id, team_id, "printed", None, count=1)
    page = read_page(client_as("business_improvement").get(f"/rounds/{round_id}"))
    assert "Staff invited: answered" in page.text
    assert "3 of 4 (75%)" in page.text
    assert "council total: 3 of 4 (75%) of the staff invited have answered" in page.text


def test_upgrading_works_out_the_scores_of_responses_submitted_before(db):
    kept = sorted(db.execute("SELECT * FROM staff_scores").fetchall())
    assert kept, "the demo's staff answers were scored as they were submitted"
    with db.conn:
        db.execute("DROP TABLE staff_scores")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = '0017_staff_scores'")
    assert store.migrate(db) == ["0017_staff_scores"]
    assert sorted(db.execute("SELECT * FROM staff_scores").fetchall()) == kept


def test_calibration_lists_where_staff_and_team_leads_differ_most_for_shown_teams_only(
    client_as, db
):
    closed = [r for r in store.rounds(db) if r["status"] == "closed"][-1]["id"]
    page = read_page(client_as("business_improvement").get(f"/rounds/{closed}/calibration"))
    assert "Where staff and team leads differ most" in page.text
    assert "Widest gaps between the staff view and the agreed view" in page.text
    counts = staff_store.round_staff_teams(db, closed)
    names = {row["id"]: row["name"] for row in db.query("SELECT id, name FROM teams")}
    small = [names[t] for teams in counts.values() for t, n in teams.items() if 0 < n < 5]
    assert small, "the demo has teams below the minimum"
    table = page.text.split("Widest gaps between the staff view and the agreed view")[1]
    table = table.split("Support links")[0]
    assert "Overall" in table or "staff rate it" in table
    for name in small:
        assert f" {name} " not in f" {table} "


def test_the_staff_views_picture_leaves_a_hidden_teams_cells_blank(
    client_as, app, db, round_id, cex
):
    staff_answer(db, round_id, "Housing Needs", [3] * 6, cex)
    staff_answer(db, round_id, "Allocations", [1, 2, 1], cex)
    client = client_as("business_improvement")
    query = "?view=staff&directorate=Housing"
    with running_renderer(app, ahead=False):
        response = client.get(f"/rounds/{round_id}/heatmap/value.svg{query}")
    assert response.status_code == 200
    svg = response.get_data(as_text=True)
    assert "staff view" in svg
    assert "Allocations (3 answered: hidden" in svg
    assert "1.00" not in svg and "2.00" not in svg


def test_the_staff_view_narrows_to_one_directorate(client_as, db, round_id, cex):
    staff_answer(db, round_id, "Housing Needs", [2] * 5, cex)
    _, page = staff_heatmap(client_as, round_id, "&directorate=Housing")
    assert "Housing Needs (5 answered)" in page.text
    assert "Council" in page.text
    assert "Taxi Licensing" not in page.text
