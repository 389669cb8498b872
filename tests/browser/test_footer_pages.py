"""The footer's pages in a real browser: reached from the footer, WCAG 2.2 AA by axe, and no
sideways scrolling at 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser

FOOTER_PAGES = {
    "/accessibility": "Accessibility statement",
    "/privacy": "Privacy notice",
    "/cookies": "Cookies",
}


@pytest.mark.parametrize("path", list(FOOTER_PAGES))
def test_a_footer_page_meets_wcag_2_2_aa(live_server, page, path):
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(FOOTER_PAGES[path])
    assert_accessible(page)


@pytest.mark.parametrize("path", list(FOOTER_PAGES))
def test_a_footer_page_fits_320_px_and_meets_wcag_2_2_aa(live_server, page, path):
    page.set_viewport_size({"width": 320, "height": 720})
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)


@pytest.mark.parametrize("path", list(FOOTER_PAGES))
def test_the_footer_link_leads_to_its_page_when_signed_in(live_server, page, path):
    sign_in(page, live_server.url, "priya.shah@council.example")
    footer = page.get_by_role("contentinfo")
    footer.get_by_role("link", name=FOOTER_PAGES[path], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FOOTER_PAGES[path])
    assert page.url == live_server.url + path
