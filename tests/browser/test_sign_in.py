"""Signing in and out in a real browser, with and without JavaScript, by keyboard, and with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PRIYA = "priya.shah@council.example"
WRONG_PASSWORD = "not-the-password"
SIGN_IN_FAILED = "Enter a correct email address and password"
# WCAG 2.2 2.5.8 Target Size (Minimum): a control is at least 24 by 24 CSS pixels.
MIN_TARGET_PX = 24


def test_the_site_root_sends_a_signed_out_user_to_sign_in(live_server, page_without_js):
    page = page_without_js
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in\b"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_label("Email address", exact=True)).to_be_visible()


def test_a_wrong_password_shows_the_problem_and_keeps_the_email(live_server, page_without_js):
    page = page_without_js
    sign_in(page, live_server.url, PRIYA, WRONG_PASSWORD)
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    problem = page.get_by_role("link", name=SIGN_IN_FAILED)
    expect(problem).to_be_visible()
    expect(page.get_by_label("Email address", exact=True)).to_have_value(PRIYA)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")


def test_the_error_summary_links_to_the_email_field(live_server, page_without_js):
    page = page_without_js
    sign_in(page, live_server.url, PRIYA, WRONG_PASSWORD)
    problem = page.get_by_role("link", name=SIGN_IN_FAILED)
    expect(problem).to_have_attribute("href", "#email")
    expect(page.locator("#email")).to_have_count(1)
    expect(page.get_by_label("Email address", exact=True)).to_have_attribute("id", "email")
    problem.click()
    expect(page).to_have_url(re.compile(r"#email$"))
    expect(page.get_by_label("Email address", exact=True)).to_be_focused()


def test_signing_in_shows_your_team_and_role_and_signing_out_says_so(live_server, page_without_js):
    page = page_without_js
    sign_in(page, live_server.url, PRIYA)
    expect(page).to_have_url(f"{live_server.url}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Housing Needs")
    expect(main).to_contain_text("Team lead")

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/sign-in\b"))
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in\b"))


def test_signing_in_works_with_javascript(live_server, page):
    sign_in(page, live_server.url, PRIYA)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("main")).to_contain_text("Housing Needs")


def test_with_javascript_the_error_summary_takes_focus_and_its_link_focuses_the_field(
    live_server, page
):
    sign_in(page, live_server.url, PRIYA, WRONG_PASSWORD)
    expect(page.locator(":focus")).to_contain_text("There is a problem")
    page.get_by_role("link", name=SIGN_IN_FAILED).click()
    expect(page.get_by_label("Email address", exact=True)).to_be_focused()


def test_the_sign_in_page_meets_wcag_2_2_aa(live_server, page):
    page.goto(f"{live_server.url}/sign-in")
    assert_accessible(page)


@pytest.mark.parametrize(
    "email, password", [(PRIYA, WRONG_PASSWORD), ("", "")], ids=["wrong-password", "empty"]
)
def test_the_sign_in_page_with_errors_meets_wcag_2_2_aa(live_server, page, email, password):
    sign_in(page, live_server.url, email, password)
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)


def test_the_home_page_meets_wcag_2_2_aa(live_server, page):
    sign_in(page, live_server.url, PRIYA)
    expect(page.get_by_role("main")).to_contain_text("Housing Needs")
    assert_accessible(page)


def test_the_first_tab_reaches_a_visible_skip_link(live_server, page):
    page.goto(f"{live_server.url}/sign-in")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to main content")
    expect(focused).to_be_visible()
    expect(focused).to_be_in_viewport()
    box = focused.bounding_box()
    assert box and box["width"] >= MIN_TARGET_PX and box["height"] >= MIN_TARGET_PX, (
        f"the focused skip link is too small to see: {box}"
    )
