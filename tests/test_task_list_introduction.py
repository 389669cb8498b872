"""The questionnaire's introduction is on the task list, above the sections, before a team lead
opens the first one."""

from __future__ import annotations

from assess import store
from tests.conftest import read_page


def test_the_task_list_shows_the_questionnaire_introduction_above_the_sections(client_as, db, cex):
    client = client_as("team_lead")
    round_ = store.current_round(db)
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
    page = read_page(client.get(f"/teams/{team_id}/rounds/{round_['id']}/"))
    introduction = " ".join(cex.description.split())
    assert "not to rank teams" in introduction and "Be honest" in introduction
    assert "About this assessment " + introduction in page.text
    assert page.text.index(introduction) < page.text.index("One Team")
