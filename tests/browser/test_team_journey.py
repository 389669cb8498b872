"""A team lead completes the assessment in a real browser, as a user would, and reads the results.

Most steps run with JavaScript switched off: every page must work without it. axe checks each
kind of page the journey shows.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from assess import store
from assess.assessment.questionnaire import load_folder
from assess.assessment.scoring import score_assessment
from assess.config import DEFAULTS
from tests.browser.helpers import assert_accessible, sign_in
from tests.conftest import AUDIT_KEY, add_colleague

pytestmark = pytest.mark.browser

LEAD = "priya.shah@council.example"  # Housing Needs: a draft with two of five values done
CEX = load_folder(Path(DEFAULTS["QUESTIONNAIRES"]))["cex-culture-maturity"]


def statements(value: str):
    return CEX.statements_in("value", value)


def choose(page: Page, statement, level_name: str) -> None:
    """Pick a level for one statement, finding its fieldset by the statement's words."""
    group = page.get_by_role("group", name=re.compile(re.escape(statement.text)))
    group.get_by_label(level_name, exact=True).check()


def answer_section(page: Page, value: str, level_name: str = "3 Established") -> None:
    for statement in statements(value):
        choose(page, statement, level_name)


def open_assessment(page: Page, base_url: str) -> None:
    sign_in(page, base_url, LEAD)
    page.get_by_role("link", name="Housing Needs: 2024/25 assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your team’s assessment for 2024/25")


def reload_until_shown(page: Page, locator, seconds: float = 20) -> None:
    """Reload the page, as a reader would, until the renderer has drawn what it shows."""
    deadline = time.monotonic() + seconds
    while not locator.count() and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        page.reload()
    expect(locator).to_be_visible()


def test_a_team_lead_completes_and_submits_the_assessment_without_javascript(
    live_server, page_without_js
):
    page = page_without_js
    open_assessment(page, live_server.url)
    expect(page.get_by_text("2 of 5 sections completed")).to_be_visible()

    page.get_by_role("link", name="Service Excellence").click()
    first, *rest = statements("service-excellence")
    for statement in rest:
        choose(page, statement, "3 Established")
    page.get_by_label("Evidence", exact=True).nth(1).fill("Monthly first-contact report to DMT")
    page.get_by_role("button", name="Save and continue").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        re.compile(r"Select a level for statement \d+, or select not applicable")
    )
    expect(page.get_by_label("Evidence", exact=True).nth(1)).to_have_value(
        "Monthly first-contact report to DMT"
    )
    expect(page).to_have_title(re.compile(r"^Error: Service Excellence"))

    choose(page, first, "Not applicable")
    page.get_by_label("Why does this not apply to your team?").first.fill(
        "We have no face-to-face contact with residents."
    )
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stepping Up")

    choose(page, statements("stepping-up")[0], "2 Developing")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_text("Your answers have been saved")).to_be_visible()

    # The session ends; signing in again finds everything where it was left.
    page.context.clear_cookies()
    open_assessment(page, live_server.url)
    page.get_by_role("link", name="Continue where you left off: Stepping Up").click()
    expect(
        page.get_by_role(
            "group", name=re.compile(re.escape(statements("stepping-up")[0].text))
        ).get_by_label("2 Developing", exact=True)
    ).to_be_checked()

    answer_section(page, "stepping-up")
    page.get_by_role("button", name="Save and continue").click()
    answer_section(page, "amazing-outcomes", "2 Developing")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before you submit"
    )
    page.get_by_role(
        "link",
        name=re.compile("Change your answer to: " + re.escape(statements("stepping-up")[1].text)),
    ).click()
    choose(page, statements("stepping-up")[1], "5 Leading")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before you submit"
    )
    changed = page.locator(".govuk-summary-list__row", has_text=statements("stepping-up")[1].text)
    expect(changed.get_by_text("5 Leading")).to_be_visible()
    expect(changed.get_by_text("Evidence needed")).to_be_visible()
    expect(page.get_by_text("Give evidence for each answer at level 4 or above")).to_be_visible()
    expect(page.get_by_role("button", name="Submit assessment")).to_have_count(0)

    change_link = "Change your answer to: " + re.escape(statements("stepping-up")[1].text)
    page.get_by_role("link", name=re.compile(change_link)).click()
    page.get_by_label("Evidence", exact=True).nth(1).fill("Peer review by the LGA, March")
    page.get_by_role("button", name="Save and continue").click()
    expect(changed.get_by_text("Evidence: Peer review by the LGA, March")).to_be_visible()

    page.get_by_role("button", name="Submit assessment").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Confirm that the answers are a fair picture of your team"
    )
    page.get_by_label("I confirm these answers are a fair picture").check()
    page.get_by_role("button", name="Submit assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment submitted")
    expect(page.get_by_text(re.compile(r"AS-202425-\d{3}-\d{5}"))).to_be_visible()

    page.get_by_role("link", name="See your team’s results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for Housing Needs, 2024/25")
    table = page.get_by_role("table", name=re.compile("Corporate values: the numbers"))
    expect(table.get_by_role("row", name=re.compile("^Service Excellence"))).to_contain_text("3.00")
    chart = page.get_by_role("img", name=re.compile("Radar chart of corporate values"))
    reload_until_shown(page, chart)  # without JavaScript, a chart being prepared needs a reload
    page.wait_for_load_state("load")
    assert chart.evaluate("img => img.complete && img.naturalWidth") > 0, "the chart did not load"


def test_a_replayed_save_after_submission_is_refused_and_changes_nothing(live_server, browser):
    lead = browser.new_context(java_script_enabled=False)
    stale = lead.new_page()
    current = lead.new_page()
    open_assessment(current, live_server.url)
    for value in ("service-excellence", "stepping-up", "amazing-outcomes"):
        current.get_by_role("link", name=CEX.section_dimension.member(value).name).click()
        answer_section(current, value)
        current.get_by_role("button", name="Save and come back later").click()
    stale.goto(current.url.rstrip("/") + "/sections/one-team")
    current.get_by_role("link", name="Check and submit").click()
    current.get_by_label("I confirm these answers are a fair picture").check()
    current.get_by_role("button", name="Submit assessment").click()
    expect(current.get_by_role("heading", level=1)).to_have_text("Assessment submitted")

    answer_section(stale, "one-team", "5 Leading")
    stale.get_by_role("button", name="Save and continue").click()
    expect(stale.get_by_role("heading", level=1)).to_have_text("You cannot change this assessment")
    expect(stale.get_by_text("Nothing you sent was saved.")).to_be_visible()
    lead.close()


def test_improvement_actions_and_targets_from_the_results_page(live_server, page_without_js):
    page = page_without_js
    open_assessment(page, live_server.url)
    page.get_by_role("link", name="Preview your results so far").click()
    expect(page.get_by_text("This is a preview")).to_be_visible()

    page.get_by_role("link", name=re.compile("^Add an improvement action")).first.click()
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter what you will do")
    page.get_by_label("What will you do?").fill("Agree a joint process with the Contact Centre")
    page.get_by_label("Who owns it?").fill("Team leader")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2030")
    page.get_by_role("button", name="Save action").click()
    actions = page.get_by_role("table", name="Improvement actions")
    expect(actions).to_contain_text("Agree a joint process with the Contact Centre")
    expect(actions).to_contain_text("Not started")

    page.get_by_role("link", name=re.compile("^Change action")).click()
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("alert")).to_contain_text("Say what changed")
    page.get_by_label("What changed?").fill("Repeat calls fell by a third")
    page.get_by_role("button", name="Save action").click()
    expect(actions).to_contain_text("What changed: Repeat calls fell by a third")

    page.get_by_role("link", name=re.compile("^Set target levels")).click()
    page.get_by_label("One Team").select_option("4")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_role("table", name=re.compile("Corporate values"))).to_contain_text(
        "Gap to target"
    )


@pytest.mark.parametrize("path", ["/", "/sections/service-excellence", "/check", "/results"])
def test_the_journeys_pages_pass_axe(live_server, page, path):
    open_assessment(page, live_server.url)
    page.goto(page.url.rstrip("/") + path)
    assert_accessible(page)


def test_a_section_with_errors_and_the_action_form_pass_axe(live_server, page):
    open_assessment(page, live_server.url)
    page.get_by_role("link", name="Service Excellence").click()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.goto(page.url.split("/sections")[0] + "/results")
    page.get_by_role("link", name=re.compile("^Add an improvement action")).first.click()
    page.get_by_role("button", name="Save action").click()
    assert_accessible(page)


def fill_and_submit_in_the_database(instance, statement_level: int = 3) -> None:
    """Answer every statement and submit, straight through storage (the journey is tested above)."""
    db = store.connect(instance / "assess.db", audit_key=AUDIT_KEY)
    round_id = store.current_round(db)["id"]
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
    assessment = store.find_assessment(db, team_id, round_id)
    store.save_answers(
        db,
        assessment["id"],
        [{"statement_key": s.key, "level": statement_level} for s in CEX.statements],
        None,
    )
    store.submit_assessment(
        db,
        assessment["id"],
        None,
        lambda rows: score_assessment(CEX, store.as_scoring_answers(rows)),
    )
    db.conn.close()


def test_the_pages_after_submission_pass_axe(live_server, page):
    open_assessment(page, live_server.url)
    page.get_by_role("link", name="Service Excellence").click()
    fill_and_submit_in_the_database(live_server.instance)

    page.get_by_role("button", name="Save and continue").click()  # a stale page, now locked
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot change this assessment")
    assert_accessible(page)
    base = page.url.split("/sections")[0]
    for path, heading in [
        ("/submitted", "Assessment submitted"),
        ("/check", "Your team’s answers"),
        ("/targets", "Set target levels"),
        ("/results", "Results for Housing Needs, 2024/25"),
    ]:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)


def test_a_second_save_of_a_stale_page_is_refused_with_the_text_kept_on_screen(
    live_server, page, page_without_js
):
    db = store.connect(live_server.instance / "assess.db", audit_key=AUDIT_KEY)
    team_id = store.team_id_by_name(db, "Housing Needs")
    colleague = add_colleague(db, team_id)
    db.conn.close()
    omar, priya = page, page_without_js
    sign_in(omar, live_server.url, *colleague)
    omar.get_by_role("link", name="Housing Needs: 2024/25 assessment").click()
    omar.get_by_role("link", name="Service Excellence").click()
    open_assessment(priya, live_server.url)
    priya.get_by_role("link", name="Service Excellence").click()
    answer_section(priya, "service-excellence", "4 Embedded")
    priya.get_by_role("button", name="Save and come back later").click()

    answer_section(omar, "service-excellence", "2 Developing")
    omar.get_by_label("Evidence", exact=True).first.fill("Notes from our away day")
    omar.get_by_role("button", name="Save and come back later").click()

    summary = omar.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Priya Shah changed statement 17 after you opened this page")
    expect(omar.get_by_text("as Priya Shah saved it at").first).to_be_visible()
    expect(omar.get_by_label("Evidence", exact=True).first).to_have_value("Notes from our away day")
    first = omar.get_by_role(
        "group", name=re.compile(re.escape(statements("service-excellence")[0].text))
    )
    expect(first.get_by_label("2 Developing", exact=True)).to_be_checked()
    assert_accessible(omar)

    omar.get_by_role("button", name="Save and come back later").click()
    expect(omar.get_by_role("heading", level=1)).to_have_text("Your team’s assessment for 2024/25")
    db = store.connect(live_server.instance / "assess.db", audit_key=AUDIT_KEY)
    assessment = store.find_assessment(db, team_id, store.current_round(db)["id"])
    evidence = {a["evidence"] for a in store.answers_of(db, assessment["id"])}
    assert "Notes from our away day" in evidence


def test_the_reason_box_shows_only_under_not_applicable(live_server, page):
    open_assessment(page, live_server.url)
    page.goto(page.url.rstrip("/") + "/sections/service-excellence")
    first = page.locator(".app-statement").first
    reason = first.get_by_label("Why does this not apply to your team?")
    expect(reason).to_be_hidden()
    first.get_by_label("Not applicable").check()
    expect(reason).to_be_visible()
    reason.fill("We have no public counter")
    first.locator('input[value="3"]').check()
    expect(reason).to_be_visible()  # a reason typed is never hidden
    reason.fill("")
    first.locator('input[value="2"]').check()
    expect(reason).to_be_hidden()


def test_a_team_lead_completes_the_readiness_review(live_server, page, page_without_js):
    """Task list, an area's checks (one answer refused and named, what was typed kept), every
    area without JavaScript, "Complete the review", then the results show the review beside the
    self-assessment; axe on each kind of page, nothing wider than the screen at 320 px."""
    open_assessment(page, live_server.url)
    page.get_by_role("link", name="Readiness review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Readiness review")
    assert_accessible(page)
    overview = page.url
    page.get_by_role("link", name=re.compile("^Answer the checks")).first.click()
    first, second = (page.get_by_role("group", name=re.compile(f"Check {n}\\b")) for n in (1, 2))
    first.get_by_label("Yes", exact=True).check()
    second.get_by_label("Partly", exact=True).check()
    page.locator("textarea").nth(1).fill("Repairs form emailed and rekeyed")
    page.get_by_role("button", name="Save and come back later").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Give the evidence for answering “Yes” to check 1")
    expect(page.locator("textarea").nth(1)).to_have_value("Repairs form emailed and rekeyed")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    plain = page_without_js
    open_assessment(plain, live_server.url)
    plain.get_by_role("link", name="Readiness review").click()
    plain.get_by_role("link", name=re.compile("answers on digital access")).click()
    while True:  # every area in turn, "Save and continue" from one to the next
        for group in plain.get_by_role("group").all():
            group.get_by_label("No", exact=True).check()
        plain.get_by_role("button", name="Save and continue").click()
        if plain.get_by_role("heading", level=1).inner_text() == "Readiness review":
            break
    plain.get_by_role("button", name="Complete the review").click()
    expect(plain.locator(".govuk-tag", has_text="Completed")).to_be_visible()
    expect(plain.get_by_role("table", name="Readiness review scores")).to_contain_text("1.00")
    page.goto(overview)
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    plain.get_by_role("link", name="Back to the assessment").click()
    plain.get_by_role("link", name="Preview your results so far").click()
    expect(plain.get_by_role("table", name=re.compile("Readiness areas"))).to_contain_text(
        "Readiness review"
    )
