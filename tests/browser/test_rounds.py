"""A round from opening to sign-off, in the browser, by the people who take part in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from assess import store
from assess.assessment.questionnaire import load_folder
from assess.config import DEFAULTS
from tests.browser.helpers import assert_accessible, sign_in
from tests.conftest import AUDIT_KEY

pytestmark = pytest.mark.browser

OFFICER = "sam.okafor@council.example"
LEAD = "tom.reed@council.example"  # Taxi Licensing: not started in the demo's current round
CEX = load_folder(Path(DEFAULTS["QUESTIONNAIRES"]))["cex-culture-maturity"]


def answer_everything(page: Page) -> None:
    """As the team lead: every section at level 3, through the forms."""
    for member in CEX.section_dimension.members:
        page.get_by_role("link", name=member.name, exact=True).click()
        for statement in CEX.statements_in("value", member.key):
            group = page.get_by_role("group", name=re.compile(re.escape(statement.text)))
            group.get_by_label("3 Established", exact=True).check()
        page.get_by_role("button", name="Save and come back later").click()


def submit(page: Page) -> None:
    page.get_by_role("link", name="Check and submit").click()
    page.get_by_label("I confirm these answers are a fair picture").check()
    page.get_by_role("button", name="Submit assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment submitted")


def test_a_round_from_opening_to_sign_off(live_server, browser):
    db = store.connect(live_server.instance / "assess.db", audit_key=AUDIT_KEY)
    officer = browser.new_context().new_page()
    lead = browser.new_context(java_script_enabled=False).new_page()
    for page in (officer, lead):
        page.set_default_timeout(10_000)

    sign_in(officer, live_server.url, OFFICER)
    officer.get_by_role("link", name="Rounds", exact=True).click()
    assert_accessible(officer)
    officer.get_by_role("button", name="Create a round").click()
    officer.get_by_label("Round name").fill("2025/26")
    for prefix, (day, month, year) in (
        ("opens", ("1", "9", "2025")),
        ("closes", ("12", "12", "2025")),
    ):
        group = officer.get_by_role("group", name=re.compile(f"When does it {prefix[:-1]}"))
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    assert_accessible(officer)
    officer.get_by_role("button", name="Create round").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Round 2025/26")
    officer.get_by_role("button", name="Open this round").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Open round 2025/26?")
    assert_accessible(officer)
    officer.get_by_role("button", name="Open this round").click()
    expect(officer.get_by_text("is open")).to_be_visible()
    assert_accessible(officer)
    round_id = store.round_by_name(db, "2025/26")["id"]
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Taxi Licensing'").fetchone()[0]

    # The team lead submits (two rounds are open: the new one is the latest).
    sign_in(lead, live_server.url, LEAD)
    lead.goto(f"{live_server.url}/teams/{team_id}/rounds/{round_id}/")
    answer_everything(lead)
    submit(lead)

    # Business improvement returns it with a comment.
    officer.goto(f"{live_server.url}/rounds/{round_id}")
    officer.get_by_role("link", name="Taxi Licensing").click()
    assert_accessible(officer)
    officer.get_by_label("What should the team change?").fill(
        "Add evidence for the Community Larders work."
    )
    officer.get_by_role("button", name="Return for changes").click()
    expect(officer.get_by_text("was returned with your comment")).to_be_visible()

    # The team lead reads the comment, changes an answer and resubmits.
    lead.goto(f"{live_server.url}/teams/{team_id}/rounds/{round_id}/")
    expect(lead.get_by_text("Add evidence for the Community Larders work.")).to_be_visible()
    lead.get_by_role("link", name="One Team", exact=True).click()
    lead.get_by_label("Evidence", exact=True).first.fill("Larder sessions log, June to September")
    lead.get_by_role("button", name="Save and come back later").click()
    submit(lead)

    # Business improvement signs it off; the history keeps every step.
    officer.goto(f"{live_server.url}/rounds/{round_id}/teams/{team_id}")
    officer.get_by_role("button", name="Sign off this assessment").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(
        "Sign off Taxi Licensing’s assessment?"
    )
    officer.get_by_role("button", name="Sign off this assessment").click()
    expect(officer.get_by_text("is signed off")).to_be_visible()
    officer.goto(f"{live_server.url}/rounds/{round_id}/teams/{team_id}")
    history = officer.get_by_role("list").filter(has_text="Returned by")
    expect(history).to_contain_text("Submitted by Tom Reed")
    expect(history).to_contain_text("Returned by Sam Okafor")
    expect(history).to_contain_text("Signed off by Sam Okafor")
    db.conn.close()


def test_the_heatmap_and_its_drill_down(live_server, page):
    db = store.connect(live_server.instance / "assess.db", audit_key=AUDIT_KEY)
    round_id = store.current_round(db)["id"]
    db.conn.close()
    sign_in(page, live_server.url, OFFICER)
    page.goto(f"{live_server.url}/rounds/{round_id}")
    page.get_by_role("link", name="Heatmap of values").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Corporate values by team, 2024/25")
    assert_accessible(page)
    page.get_by_label("Include submitted, not yet signed off").check()
    page.get_by_label("Sort within directorate by").select_option("overall")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_role("table")).to_contain_text("Submitted")
    page.get_by_role("link", name=re.compile(r"^One Team\s*: statements by team")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "One Team: statements by team, 2024/25"
    )
    assert_accessible(page)
    page.get_by_role("table").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Results for "))


@pytest.mark.parametrize(
    "path",
    [
        "/rounds/{round}/council",
        "/rounds/{round}/committee-report",
        "/trends/",
        "/trends/readiness_area",
        "/rounds/{round}/calibration",
        "/rounds/{round}?status=draft",
        "/rounds/new",
        "/rounds/{closed}/heatmap/value?view=staff",
        "/rounds/{closed}/calibration",
        "/rounds/{closed}",
        "/teams/{team}/rounds/{closed}/results",
        "/teams/{team}/rounds/{round}/staff/",
        "/programme/plan",
        "/programme/plan/1",
        "/programme/scrutiny",
        "/programme/scrutiny/1",
        "/programme/scrutiny/1/response",
    ],
)
def test_the_council_pages_pass_axe(live_server, page, path):
    db = store.connect(live_server.instance / "assess.db", audit_key=AUDIT_KEY)
    round_id = store.current_round(db)["id"]
    closed = db.execute("SELECT max(id) FROM rounds WHERE status = 'closed'").fetchone()[0]
    shown = db.execute(  # a team whose staff answers the results show
        """SELECT team_id FROM staff_responses WHERE round_id = ? AND status = 'submitted'
           GROUP BY team_id ORDER BY count(*) DESC LIMIT 1""",
        [closed],
    ).fetchone()[0]
    db.conn.close()
    sign_in(page, live_server.url, OFFICER)
    page.goto(live_server.url + path.format(round=round_id, closed=closed, team=shown))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("load")
    assert_accessible(page)


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/users/new", "/admin/users/1", "/admin/teams/new", "/admin/directorates/1"],
)
def test_the_administration_pages_pass_axe(live_server, page, path):
    sign_in(page, live_server.url, "alex.morgan@council.example")
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
