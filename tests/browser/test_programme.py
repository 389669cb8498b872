"""Business improvement keeps the performance indicators in a real browser: reads them by area,
records a group's figure short of its target, follows the review it prompts to the EqIA and
records what was done; adds an indicator, first with a mistake. axe checks every page; the pages
work without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser

OFFICER = "sam.okafor@council.example"


def test_a_groups_figure_short_of_target_leads_to_the_eqia_review_and_its_outcome(
    live_server, page: Page
):
    sign_in(page, live_server.url, OFFICER)
    page.get_by_role("link", name="Programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance indicators")
    assert_accessible(page)
    page.get_by_role("link", name="PI-01 Online forms submitted for Housing").click()
    assert_accessible(page)
    page.get_by_label("Period").fill("2024/25")
    page.get_by_label("Who the figure is for").select_option("Age")
    page.get_by_label("Figure", exact=True).fill("800")
    page.get_by_label("Target (optional)").fill("1,000")
    page.get_by_role("button", name="Record figure").click()
    expect(page.get_by_text("a review of CEX-EQIA-01 is prompted")).to_be_visible()
    page.get_by_role("link", name="CEX-EQIA-01: Citizen Experience strategy").first.click()
    expect(page.get_by_role("heading", name="Reviews prompted by figures by group")).to_be_visible()
    assert_accessible(page)
    outcome = page.get_by_label("What was done about the review of CEX-EQIA-01 for Age?")
    outcome.fill("Assisted completion offered at the Community Larders")
    page.locator("form", has=outcome).get_by_role("button", name="Record what was done").click()
    expect(page.get_by_text("Done: Assisted completion offered")).to_be_visible()


def test_adding_an_indicator_without_javascript_shows_the_mistake_then_saves(
    live_server, page_without_js: Page
):
    page = page_without_js
    sign_in(page, live_server.url, OFFICER)
    page.goto(f"{live_server.url}/programme/indicators/new")
    page.get_by_label("Reference").fill("PI-30")
    page.get_by_label("Name").fill("Calls answered within two minutes")
    page.get_by_label("Definition").fill("Calls answered by an officer within two minutes.")
    page.get_by_label("Unit").fill("%")
    page.get_by_label("Higher is better").check()
    page.get_by_label("Owner").fill("Contact Centre Manager")
    page.get_by_label("Citizens at the heart of how we work").check()
    page.get_by_label("Baseline (optional)").fill("71.5")
    page.get_by_role("button", name="Add indicator").click()
    expect(page.get_by_role("link", name="Enter the period the baseline is for")).to_be_visible()
    expect(page.get_by_label("Baseline (optional)")).to_have_value("71.5")
    page.get_by_label("Baseline period").fill("2022/23")
    page.get_by_role("button", name="Add indicator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "PI-30: Calls answered within two minutes"
    )
    expect(page.get_by_text("71.5% in 2022/23")).to_be_visible()
