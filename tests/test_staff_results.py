"""A team's results show what its staff said beside the team lead's agreed scores, or how many
answered and why their answers are hidden: too few answered, or showing them would let another
team's answers be worked out from the directorate's figures."""

from __future__ import annotations

import pytest

from assess import store
from assess.assessment.staff_figures import response_scores
from assess.store import staff as staff_store
from tests.conftest import read_page

SECTION_TABLE = "staff and agreed scores"


@pytest.fixture
def round_id(db) -> int:
    return store.current_round(db)["id"]


def staff_answer(db, round_id: int, team: str, levels: list[int], cex, comment: str = "") -> None:
    """One submitted staff response per level in `levels`, answering every statement at it."""
    team_id = store.team_id_by_name(db, team)
    invitations = staff_store.create_invitations(
        db, round_id, team_id, "printed", None, count=len(levels)
    )
    section = cex.section_dimension
    for (_, secret), level in zip(invitations, levels, strict=True):
        started = staff_store.start_response(db, secret)
        assert isinstance(started, staff_store.Started)
        for member in section.members:
            statements = cex.statements_in(section.key, member.key)
            staff_store.save_staff_section(
                db,
                started.response_id,
                {s.key: level for s in statements},
                member.key,
                comment or None,
            )
        staff_store.submit_staff_response(
            db,
            started.response_id,
            [s.key for s in cex.statements],
            lambda answers: response_scores(cex, answers),
        )


def results(client_as, db, round_id: int, team: str = "Housing Needs", role: str = "team_lead"):
    team_id = store.team_id_by_name(db, team)
    response = client_as(role).get(f"/teams/{team_id}/rounds/{round_id}/results")
    return response.get_data(as_text=True), read_page(response)


def test_a_team_whose_staff_were_not_invited_is_told_how_to_invite_them(client_as, db, round_id):
    html, page = results(client_as, db, round_id)
    assert "What your staff said" in page.text
    assert "No staff have been invited" in page.text
    team_id = store.team_id_by_name(db, "Housing Needs")
    assert f"/teams/{team_id}/rounds/{round_id}/staff/" in page.links


def test_fewer_answers_than_the_minimum_are_counted_but_not_shown(client_as, db, round_id, cex):
    staff_answer(db, round_id, "Housing Needs", [1, 2, 3, 4], cex, comment="My manager is Sam")
    html, page = results(client_as, db, round_id)
    assert "4 of the 4 staff invited have answered (100%)" in page.text
    assert "hidden to protect the anonymity" in page.text
    assert "at least 5 people have answered" in page.text
    assert SECTION_TABLE not in page.text
    assert "My manager is Sam" not in html


def test_enough_answers_show_the_staff_median_and_spread_beside_the_agreed_score(
    client_as, db, round_id, cex
):
    staff_answer(db, round_id, "Housing Needs", [1, 1, 1, 2, 5], cex, comment="More training")
    html, page = results(client_as, db, round_id)
    assert "5 of the 5 staff invited have answered" in page.text
    for member in cex.section_dimension.members:
        assert f"{cex.section_dimension.name}s: {SECTION_TABLE}" in page.text
        assert member.name in page.text
    # every section's median is 1.00 and three staff answered at level 1, one at 2, one at 5
    assert page.text.count("1.00 3 1 0 0 1") >= len(cex.section_dimension.members)
    assert "More training" in page.text
    assert html.count('class="app-spread"') > len(cex.statements)


def test_where_staff_rate_lower_than_the_agreed_score_it_is_flagged(client_as, db, round_id, cex):
    team_id = store.team_id_by_name(db, "Housing Needs")
    assessment = store.find_assessment(db, team_id, round_id)
    agreed = {a["statement_key"]: a["level"] for a in store.answers_of(db, assessment["id"])}
    assert any(level and level >= 2 for level in agreed.values()), "the demo lead answered"
    staff_answer(db, round_id, "Housing Needs", [1] * 5, cex)
    _, page = results(client_as, db, round_id)
    assert "Staff rate it lower" in page.text


def test_a_team_above_the_minimum_is_hidden_when_a_small_team_beside_it_could_be_worked_out(
    client_as, db, round_id, cex
):
    """Housing Needs (6 answers) is the only team of its directorate shown: with Allocations (3)
    hidden, the directorate's figures minus Housing Needs' would be Allocations' answers."""
    staff_answer(db, round_id, "Housing Needs", [3] * 6, cex)
    staff_answer(db, round_id, "Allocations", [1, 2, 1], cex)
    _, page = results(client_as, db, round_id, role="business_improvement")
    assert "6 of the 6 staff invited have answered" in page.text
    assert "would let that team’s answers be worked out" in page.text
    assert "Another team in the directorate has fewer than 5 answers" in page.text
    assert SECTION_TABLE not in page.text


def test_the_minimum_is_a_setting(client_as, app, db, round_id, cex):
    app.config["MIN_RESPONSES"] = 3
    staff_answer(db, round_id, "Housing Needs", [2, 2, 2], cex)
    _, page = results(client_as, db, round_id)
    assert SECTION_TABLE in page.text
