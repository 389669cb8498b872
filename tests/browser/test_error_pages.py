"""Error pages in a real browser: the service's header and navigation, a way on, and nothing
axe objects to."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_page_not_found_and_cannot_view_wear_the_service_and_lead_home(page: Page, live_server):
    sign_in(page, live_server.url, "priya.shah@council.example")
    for path, heading in (
        ("/no-such-page", "Page not found"),
        ("/rounds/", "You cannot view this page"),
    ):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("navigation", name="Menu")).to_be_visible()
        assert_accessible(page)
    page.get_by_role("link", name="Go to the home page").click()
    expect(page).to_have_url(live_server.url + "/")
