"""Business improvement keeps the risk register in a real browser: adds a risk, links it to an
area, sees it on a weak team's results and on the exposure page, imports a register (a bad file
refused with the row named, then a good one), proposes a risk that its owner accepts, and closes
an action. axe checks every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assess import store
from tests.browser.helpers import assert_accessible, sign_in
from tests.conftest import AUDIT_KEY

pytestmark = pytest.mark.browser

OFFICER = "sam.okafor@council.example"
AREA = "Readiness area: Customer insight and business intelligence"  # low across the council
LEAD = "priya.shah@council.example"  # Housing Needs: weakest in digital access
WEAKEST = "Readiness area: Digital access and automation"
LINKED = "CEX-R01: Digitally excluded residents cannot reach services"

HEADINGS = (
    "Ref,Title,Cause,Event,Consequence,Category,Owner,Date raised,Inherent likelihood,"
    "Inherent impact,Current likelihood,Current impact,Target likelihood,Target impact,"
    "Response,Existing controls,Last review,Next review,Links"
)
GOOD = (
    "IMP-1,Contact centre cannot recruit,Pay,Vacancies,Longer waits,People,Head of Customer "
    "Services,2024-06-01,4,3,3,3,2,2,Treat,Agency staff,,2025-06-01,value:one-team"
)
BAD = (
    "IMP-2,Payments platform fails,Old system,Outage,No payments,Delivery,Head of Digital,"
    "2024-06-01,4,3,7,3,2,2,Treat,,,,readiness_area:digital-access"
)


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def housing_needs_results(live_server) -> str:
    db = store.connect(live_server.instance / "assess.db", audit_key=AUDIT_KEY)
    try:
        team_id = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
        round_id = store.current_round(db)["id"]
    finally:
        db.conn.close()
    return f"{live_server.url}/teams/{team_id}/rounds/{round_id}/results"


def fill_scores(page: Page, stage: str, likelihood: str, impact: str) -> None:
    group = page.get_by_role("group", name=stage, exact=True)
    group.get_by_label("Likelihood").select_option(likelihood)
    group.get_by_label("Impact").select_option(impact)


def test_an_officer_adds_a_risk_links_it_and_it_shows_where_teams_are_weak(live_server, page):
    sign_in(page, live_server.url, OFFICER)
    page.get_by_role("link", name="Risks and equality").click()
    expect(heading(page)).to_have_text("Risk register")
    assert_accessible(page)

    page.get_by_role("link", name="Add a risk").click()
    expect(heading(page)).to_have_text("Add a risk")
    assert_accessible(page)
    page.get_by_label("Ref").fill("CEX-R60")
    page.get_by_label("Cause").fill("Case notes are kept in personal spreadsheets")
    page.get_by_role("button", name="Save risk").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter the title")
    expect(summary).to_contain_text("The inherent likelihood must be a whole number from 1 to 5")
    expect(page).to_have_title(re.compile(r"^Error: Add a risk"))
    expect(page.get_by_label("Cause")).to_have_value("Case notes are kept in personal spreadsheets")
    assert_accessible(page)

    page.get_by_label("Title").fill("Insight lost when staff leave")
    page.get_by_label("Owner").fill("Head of Business Intelligence")
    fill_scores(page, "Inherent risk (before controls)", "4", "4")
    fill_scores(page, "Current risk", "4", "4")
    fill_scores(page, "Target risk", "2", "3")
    page.get_by_role("button", name="Save risk").click()
    expect(heading(page)).to_have_text("CEX-R60: Insight lost when staff leave")
    expect(page.get_by_text("Risk CEX-R60 added to the register.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Link to a readiness area, value or statement").select_option(label=AREA)
    page.get_by_role("button", name="Add link").click()
    expect(page.get_by_text(f"Linked to {AREA}.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Risks and equality").click()
    page.get_by_role("link", name="Risks exposed by low maturity").click()
    expect(heading(page)).to_have_text("Risks exposed by low maturity")
    expect(page.get_by_role("link", name="CEX-R60: Insight lost when staff leave")).to_be_visible()
    assert_accessible(page)


def test_a_team_lead_sees_the_risks_linked_to_the_teams_weakest_areas(live_server, page):
    sign_in(page, live_server.url, LEAD)
    page.goto(housing_needs_results(live_server))
    section = page.locator("#risks")
    expect(section).to_have_text("Risks and equality impacts linked to your weakest areas")
    link = page.get_by_role("link", name=LINKED)
    expect(link).to_be_visible()
    expect(page.get_by_text(WEAKEST + " (")).to_be_visible()
    assert_accessible(page)
    link.click()
    expect(heading(page)).to_have_text(LINKED)
    expect(page.get_by_role("link", name="Change this risk")).to_have_count(0)
    assert_accessible(page)


def choose_file(page: Page, rows: list[str]) -> None:
    page.get_by_label("A risk register").check()
    page.get_by_label("File").set_input_files(
        {
            "name": "register.csv",
            "mimeType": "text/csv",
            "buffer": ("\n".join([HEADINGS, *rows]) + "\n").encode(),
        }
    )
    page.get_by_role("button", name="Check the file").click()


def test_an_import_with_a_bad_row_is_refused_with_the_row_named_then_a_good_one_is_imported(
    live_server, page
):
    sign_in(page, live_server.url, OFFICER)
    page.goto(f"{live_server.url}/registers/risks")
    page.get_by_role("link", name="Import a risk register or EqIA").click()
    expect(heading(page)).to_have_text("Import a risk register or EqIA")
    assert_accessible(page)

    choose_file(page, [GOOD, BAD])
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The file was not imported")
    expect(summary).to_contain_text("Row 3, column ‘Current likelihood’")
    assert_accessible(page)

    choose_file(page, [GOOD])
    expect(page.get_by_text("Every row is valid. Nothing has been saved yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Import 1 risk").click()
    expect(heading(page)).to_have_text("Risk register")
    expect(page.get_by_text("Imported 1 risk.")).to_be_visible()
    expect(page.get_by_role("link", name="Contact centre cannot recruit")).to_be_visible()


def test_business_improvement_proposes_a_risk_and_its_owner_accepts_it(live_server, page):
    sign_in(page, live_server.url, OFFICER)
    page.goto(f"{live_server.url}/registers/exposure")
    page.get_by_role("link", name=f"Raise a proposed risk for {AREA}").click()
    expect(heading(page)).to_have_text("Raise a proposed risk")
    expect(
        page.get_by_text("The council average in Readiness area: Customer insight")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Raise proposed risk").click()
    expect(heading(page)).to_contain_text("PROP-01: Low maturity in Customer insight")
    expect(page.get_by_text("Needs an owner", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change this risk or choose its owner").click()
    expect(heading(page)).to_have_text("Change risk PROP-01")
    assert_accessible(page)
    page.get_by_label("Owner").select_option(
        label="Priya Shah (priya.shah@council.example), Team lead"
    )
    page.get_by_role("button", name="Save risk").click()
    expect(page.get_by_text("Waiting for its owner to accept it")).to_be_visible()
    expect(page.get_by_role("button", name="Accept this risk")).to_have_count(0)
    page.get_by_role("link", name="Risks and equality").click()
    expect(page.locator("#proposed + p + .app-table-scroll table")).to_contain_text("Priya Shah")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, live_server.url, LEAD)
    expect(page.get_by_role("heading", name="Proposed risks for you")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^PROP-01: Low maturity")).click()
    assert_accessible(page)
    page.get_by_role("link", name="Decline this risk").click()
    expect(heading(page)).to_have_text("Decline risk PROP-01")
    page.get_by_role("button", name="Decline the risk").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why you are declining this risk")
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("button", name="Accept this risk").click()
    expect(
        page.get_by_text("You accepted risk PROP-01: it is now on the register.")
    ).to_be_visible()
    expect(page.get_by_text("Priya Shah accepted the risk")).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url)
    expect(page.get_by_role("heading", name="Proposed risks for you")).to_have_count(0)


def test_an_officer_changes_an_action_and_closes_it(live_server, page):
    sign_in(page, live_server.url, OFFICER)
    page.goto(f"{live_server.url}/registers/risks")
    page.get_by_role("link", name="Digitally excluded residents cannot reach services").click()
    actions = page.locator("#actions + .app-table-scroll table")
    expect(actions).to_contain_text("Overdue")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^Change action: Review controls")).click()
    expect(heading(page)).to_have_text("Change an action")
    assert_accessible(page)
    page.get_by_label("What will be done?").fill("Review assisted digital controls")
    page.get_by_role("radio", name="Done").check()
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("alert")).to_contain_text("Say what was done")
    assert_accessible(page)
    page.get_by_role("radio", name="In progress").check()
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_text("Action updated.")).to_be_visible()

    page.get_by_role("link", name="Mark as done action: Review assisted digital controls").click()
    expect(heading(page)).to_have_text("Mark an action as done")
    assert_accessible(page)
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_role("alert")).to_contain_text("Say what was done")
    assert_accessible(page)
    page.get_by_label("What was done?").fill("Controls reviewed at the March risk board")
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("Action closed.")).to_be_visible()
    expect(actions).to_contain_text("What was done: Controls reviewed at the March risk board")
    expect(actions).not_to_contain_text("Overdue")
    assert_accessible(page)


def test_the_register_works_without_javascript(live_server, page_without_js):
    page = page_without_js
    sign_in(page, live_server.url, OFFICER)
    page.goto(f"{live_server.url}/registers/risks")
    page.get_by_label("RAG band").select_option("Red")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="1 of 11 open risks")).to_be_visible()
    page.get_by_label("Target").check()
    page.get_by_role("button", name="Show these scores").click()
    expect(page.get_by_text("The risk matrix as a table (target scores)")).to_be_visible()
    expect(page.get_by_label("RAG band")).to_have_value("Red")
    page.get_by_role("link", name="Digitally excluded residents cannot reach services").click()
    page.get_by_label("Link to a readiness area, value or statement").select_option(
        label="Corporate value: One Team"
    )
    page.get_by_role("button", name="Add link").click()
    expect(page.get_by_text("Linked to Corporate value: One Team.")).to_be_visible()
    page.goto(f"{live_server.url}/registers/import")
    choose_file(page, [BAD])
    expect(page.get_by_role("alert")).to_contain_text("Row 2, column ‘Current likelihood’")
