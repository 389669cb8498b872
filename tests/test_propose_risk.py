"""Raising a proposed risk from a low score: a page first says what the risk will be and adds
nothing; one press raises it; the same finding raised again gives the risk raised before."""

from __future__ import annotations

from assess import store
from tests.conftest import csrf_token, read_page

FINDING = {"target": "readiness_area:customer-insight"}


def risk_count(db) -> int:
    return db.execute("SELECT count(*) FROM risks").fetchone()[0]


def confirm_url(db, **extra) -> str:
    query = {**FINDING, "round_id": store.current_round(db)["id"], **extra}
    return "/registers/risks/propose?" + "&".join(f"{k}={v}" for k, v in query.items())


def raise_it(officer, db, **extra):
    page = officer.get(confirm_url(db, **extra)).get_data(as_text=True)
    data = {**FINDING, "round_id": str(store.current_round(db)["id"]), **extra}
    return officer.post("/registers/risks/propose", data={"csrf_token": csrf_token(page), **data})


def test_the_page_before_says_what_the_risk_will_be_and_adds_nothing(client_as, db):
    officer = client_as("business_improvement")
    before = risk_count(db)
    page = read_page(officer.get(confirm_url(db)))
    assert page.h1 == ["Raise a proposed risk"]
    assert "Low maturity in Customer insight and business intelligence" in page.text
    assert "The council average in Readiness area: Customer insight" in page.text
    assert "Starting score" in page.text
    assert risk_count(db) == before


def test_raising_the_same_finding_twice_gives_the_one_risk(client_as, db):
    officer = client_as("business_improvement")
    before = risk_count(db)
    first = raise_it(officer, db)
    assert first.status_code == 302
    again = raise_it(officer, db)
    assert again.location == first.location
    assert risk_count(db) == before + 1
    page = read_page(officer.get(again.location))
    assert "This finding was raised before, as proposed risk PROP-01" in page.text


def test_the_page_for_a_finding_already_raised_links_to_it_and_offers_no_button(client_as, db):
    officer = client_as("business_improvement")
    risk_url = raise_it(officer, db).location
    page = read_page(officer.get(confirm_url(db)))
    assert "already been raised as proposed risk PROP-01" in page.text
    html = officer.get(confirm_url(db)).get_data(as_text=True)
    assert f'href="{risk_url}"' in html
    assert "Raise proposed risk</button>" not in html


def test_a_teams_finding_and_the_councils_are_different_findings(client_as, db):
    officer = client_as("business_improvement")
    team = db.execute(
        "SELECT team_id FROM assessments WHERE round_id = ? AND status = 'signed_off'",
        [store.current_round(db)["id"]],
    ).fetchone()[0]
    council = raise_it(officer, db).location
    teams = raise_it(officer, db, team_id=team)
    assert teams.status_code == 302 and teams.location != council


def test_the_exposure_page_and_a_teams_results_lead_to_the_page_before(client_as, db):
    officer = client_as("business_improvement")
    exposure = officer.get("/registers/exposure").get_data(as_text=True)
    assert 'href="/registers/risks/propose?target=' in exposure
    assert 'action="/registers/risks/propose"' not in exposure
