"""The auditor's pages in a real browser: audit and exports, the chain check, a printed report."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser

JO = "jo.maxwell@council.example"


def test_the_auditor_finds_audit_and_exports_and_checks_the_trail(live_server, page):
    sign_in(page, live_server.url, JO)
    page.get_by_role("link", name="Audit and exports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit and exports")
    assert_accessible(page)
    page.get_by_role("link", name="Check the whole audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the audit trail")
    expect(page.get_by_role("main")).to_contain_text("The audit trail is intact")
    assert_accessible(page)


def test_the_auditor_downloads_answers_as_csv_from_the_form(live_server, page_without_js):
    page = page_without_js
    sign_in(page, live_server.url, JO)
    page.goto(f"{live_server.url}/audit/")
    page.get_by_label("Answers", exact=True).check()
    page.get_by_label("CSV", exact=True).check()
    page.locator("#team").select_option(label="Housing Needs")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export", exact=True).click()
    assert re.fullmatch(r"assess-answers-[\d-]+\.csv", download.value.suggested_filename)
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows and {r["team"] for r in rows} == {"Housing Needs"}


def test_a_missing_choice_is_shown_in_an_error_summary(live_server, page):
    sign_in(page, live_server.url, JO)
    page.goto(f"{live_server.url}/audit/")
    page.get_by_role("button", name="Export", exact=True).click()
    expect(page).to_have_title(re.compile(r"^Error: Audit and exports"))
    expect(page.get_by_role("link", name="Choose what to export")).to_have_attribute(
        "href", "#table"
    )
    assert_accessible(page)


def test_the_printed_report_leaves_off_the_service_chrome(live_server, page):
    sign_in(page, live_server.url, JO)
    page.goto(f"{live_server.url}/audit/")
    page.get_by_label("Assessment", exact=True).select_option(
        label="2023/24: Housing Needs (signed off)"
    )
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Assessment report: Housing Needs, 2023/24"
    )
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(page.locator(".app-header")).to_be_hidden()
    expect(page.get_by_role("heading", name="Answers and evidence")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_the_auditor_makes_and_revokes_an_api_token(live_server, page):
    sign_in(page, live_server.url, JO)
    page.goto(f"{live_server.url}/audit/")
    page.get_by_role("link", name="Manage your API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("Name of the new token").fill("Audit notebook")
    page.get_by_role("button", name="Create a token").click()
    token = page.get_by_label("Your new token")
    expect(token).to_have_value(re.compile("^assess_"))
    copy = page.get_by_role("button", name="Copy token")
    expect(copy).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke Audit notebook").click()
    expect(page.get_by_role("main")).to_contain_text("The token was revoked")
    expect(page.get_by_role("main")).to_contain_text("Revoked")


def test_business_improvement_freezes_a_round_pack(live_server, page):
    sign_in(page, live_server.url, "sam.okafor@council.example")
    page.goto(f"{live_server.url}/audit/packs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Round packs")
    page.get_by_role("button", name="Freeze a pack of 2023/24").click()
    expect(page.get_by_role("main")).to_contain_text("The round pack was frozen")
    expect(
        page.get_by_role("link", name=re.compile(r"Download the pack frozen .* for 2023.24"))
    ).to_be_visible()
    assert_accessible(page)
