"""A member of staff, on a phone-sized page with JavaScript off, types the code from a printed
slip, answers a section and saves it: nothing scrolls sideways on the way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assess import store
from assess.assessment.questionnaire import load_folder
from assess.config import DEFAULTS
from assess.store import staff as staff_store
from tests.conftest import AUDIT_KEY

pytestmark = pytest.mark.browser

WIDTH = 375
CEX = load_folder(Path(DEFAULTS["QUESTIONNAIRES"]))["cex-culture-maturity"]


def printed_code(instance: Path) -> str:
    db = store.connect(instance / "assess.db", audit_key=AUDIT_KEY)
    try:
        team_id = store.team_id_by_name(db, "Housing Needs")
        round_id = store.current_round(db)["id"]
        [(_, code)] = staff_store.create_invitations(
            db, round_id, team_id, "printed", None, count=1
        )
    finally:
        db.conn.close()
    return code


def test_a_staff_member_answers_a_section_at_375_px_without_javascript(browser, live_server):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 800}, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    widths = {}

    def measure(name: str) -> None:
        widths[name] = page.evaluate("document.documentElement.scrollWidth")

    code = printed_code(live_server.instance)
    page.goto(f"{live_server.url}/staff/")
    measure("code")
    page.get_by_label("Your code").fill(f"{code[:5].lower()} {code[5:]}")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers about Housing Needs")
    measure("tasks")
    value = CEX.section_dimension.members[0]
    page.get_by_role("link", name=value.name).click()
    measure("section")
    for statement in CEX.statements_in("value", value.key):
        group = page.get_by_role("group", name=re.compile(re.escape(statement.text)))
        group.get_by_label("4 Embedded", exact=True).check()
    page.get_by_label(re.compile("Anything you would like to add")).fill("We hand over well")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_text("Your answers have been saved")).to_be_visible()
    measure("saved")
    completed = page.get_by_text(f"{len(CEX.statements_in('value', value.key))} of ")
    expect(completed.first).to_be_visible()
    assert all(width <= WIDTH for width in widths.values()), widths
    # and at 320 px, the narrowest width WCAG's reflow asks for
    page.set_viewport_size({"width": 320, "height": 800})
    narrow = {}
    paths = ("/staff/", "/staff/answers/", f"/staff/answers/{value.key}", "/staff/answers/check")
    for path in paths:
        page.goto(live_server.url + path)
        narrow[path] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert all(width <= 320 for width in narrow.values()), narrow
