"""A team lead reads, in the registers, only what concerns their own teams: the entries their
own teams' results pages list (and the risks they own), and nothing that names another team."""

from __future__ import annotations

import re

from assess import store
from assess.store import registers as register_store
from tests.samples import stored_risk

LEAD = "priya.shah@council.example"  # Housing Needs


def authored_text(db) -> str:
    """What the registers' own authors wrote (titles, owners, actions): a team's name there is
    part of the entry, not another team's data."""
    parts = []
    for table in ("risks", "eqias", "register_actions"):
        for row in db.query(f"SELECT * FROM {table}"):
            parts += [str(v) for v in row.values() if isinstance(v, str)]
    return "\n".join(parts)


def test_a_team_lead_meets_no_other_teams_name_on_any_register_page_they_can_open(client_as, db):
    lead = client_as("team_lead")
    user = store.user_by_email(db, LEAD)
    own = {t["name"] for t in store.teams_of_user(db, user["id"])}
    authored = authored_text(db)
    others = {r[0] for r in db.execute("SELECT name FROM teams")} - own
    others = {name for name in others if name not in authored}
    assert len(others) > 10, "the demo has other teams to leak"
    urls = [f"/registers/risks/{r[0]}" for r in db.execute("SELECT id FROM risks")]
    urls += [f"/registers/eqias/{r[0]}" for r in db.execute("SELECT id FROM eqias")]
    opened = 0
    for url in urls:
        response = lead.get(url)
        assert response.status_code in (200, 404), url
        if response.status_code == 200:
            opened += 1
            text = response.get_data(as_text=True)
            assert not [name for name in others if re.search(re.escape(name), text)], url
    assert opened, "the lead can open the entries their results list"
    for url in ("/registers/risks", "/registers/eqias", "/registers/exposure"):
        assert lead.get(url).status_code == 403


def results_links(client, team_id: int, round_id: int) -> set[str]:
    page = client.get(f"/teams/{team_id}/rounds/{round_id}/results").get_data(as_text=True)
    return set(re.findall(r'href="(/registers/(?:risks|eqias)/\d+)"', page))


def test_a_team_lead_opens_exactly_the_entries_their_own_results_list(client_as, db):
    lead = client_as("team_lead")
    user = store.user_by_email(db, LEAD)
    listed = set()
    for row in store.assessments_of_teams(db, user["id"]):
        listed |= results_links(lead, row["team_id"], row["round_id"])
    owned = {
        f"/registers/risks/{r[0]}"
        for r in db.execute("SELECT id FROM risks WHERE owner_user_id = ?", [user["id"]])
    }
    assert listed, "the lead's results list linked entries"
    opened = set()
    for kind in ("risks", "eqias"):
        for (entry_id,) in db.execute(f"SELECT id FROM {kind}"):
            url = f"/registers/{kind}/{entry_id}"
            if lead.get(url).status_code == 200:
                opened.add(url)
    assert opened == listed | owned


def test_an_open_risk_linked_where_the_leads_teams_are_not_weak_is_not_found(client_as, db, cex):
    """Linked and open, but on no results page of the lead's teams: it does not exist for them."""
    lead = client_as("team_lead")
    user = store.user_by_email(db, LEAD)
    risk_id = register_store.add_risk(
        db,
        stored_risk("OTHER-1", "Another team's concern"),
        None,
    )
    url = f"/registers/risks/{risk_id}"
    for statement in cex.statements:
        register_store.add_link(db, "risk", risk_id, cex.id, "statement", statement.key, None)
        shown = set()
        for row in store.assessments_of_teams(db, user["id"]):
            shown |= results_links(lead, row["team_id"], row["round_id"])
        if url not in shown:
            break
        db.execute("DELETE FROM register_links WHERE entry_id = ?", [risk_id])
    else:
        raise AssertionError("every statement is among the lead's gaps")
    assert lead.get(url).status_code == 404
    assert client_as("business_improvement").get(url).status_code == 200
