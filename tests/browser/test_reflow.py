"""Nothing scrolls sideways at 320 px (WCAG 1.4.10 reflow). Each role walks every kind of page
its links reach, one page of each shape, in a 320 px wide window: the page is never wider than
the window. A wide table scrolls inside its own box instead, which is then a named region that
keyboard users can focus."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser

WIDTH = 320
PEOPLE = {
    "team lead": "priya.shah@council.example",
    "business improvement": "sam.okafor@council.example",
    "auditor": "jo.maxwell@council.example",
    "administrator": "alex.morgan@council.example",
}
# Downloads, actions and pages that are not HTML are not walked.
NOT_PAGES = re.compile(r"\.(csv|xlsx|json|png|svg|docx)\b|/export|download|/api/|sign-out")
MOST_PAGES = 80


def shape(path: str) -> str:
    """/rounds/3/teams/12 and /rounds/2/teams/7 are pages of one shape."""
    return re.sub(r"/\d+", "/N", path)


def walk(page: Page, base_url: str) -> dict[str, int]:
    """Each page shape the signed-in user's links reach, with its width at the window's size."""
    widths: dict[str, int] = {}
    queue, seen = ["/"], set()
    while queue and len(widths) < MOST_PAGES:
        path = queue.pop(0)
        if shape(path) in seen:
            continue
        seen.add(shape(path))
        response = page.goto(base_url + path)
        if not response or response.status != 200:
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
        links = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
        for href in links:
            href = href.split("#")[0]
            if href.startswith("/") and not NOT_PAGES.search(href):
                queue.append(href)
    return widths


@pytest.mark.parametrize("role", list(PEOPLE))
def test_no_page_scrolls_sideways_at_320_px(browser, live_server, role):
    context = browser.new_context(viewport={"width": WIDTH, "height": 720}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, live_server.url, PEOPLE[role])
        widths = walk(page, live_server.url)
    finally:
        context.close()
    assert len(widths) > 5, widths
    too_wide = {path: width for path, width in widths.items() if width > WIDTH}
    assert not too_wide, f"wider than {WIDTH} px: {too_wide}"


def test_a_table_too_wide_for_a_phone_scrolls_in_a_named_region_keyboard_users_can_reach(
    browser, live_server
):
    context = browser.new_context(viewport={"width": WIDTH, "height": 720}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, live_server.url, PEOPLE["business improvement"])
        page.goto(live_server.url + "/rounds/")
        region = page.get_by_role("region", name="Every round, newest first")
        assert region.get_attribute("tabindex") == "0"
        box = region.evaluate("box => [box.scrollWidth, box.clientWidth]")
        assert box[0] > box[1], "the rounds table is wider than a phone"
        region.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.app-table-scroll').scrollLeft > 0")
        assert_accessible(page)
    finally:
        context.close()


def test_a_table_that_fits_adds_no_tab_stop(page, live_server):
    sign_in(page, live_server.url, PEOPLE["business improvement"])
    page.goto(live_server.url + "/rounds/")
    box = page.locator(".app-table-scroll").first
    assert box.get_attribute("tabindex") is None
    assert box.get_attribute("role") is None


def test_the_administrators_navigation_fits_on_one_line_at_1280_px(page, live_server):
    """The most entries any role has; who is signed in sits in the header, not beside them."""
    sign_in(page, live_server.url, PEOPLE["administrator"])
    links = page.get_by_role("navigation", name="Menu").get_by_role("link")
    tops = {round(box["y"]) for box in (link.bounding_box() for link in links.all()) if box}
    assert len(links.all()) == 7 and len(tops) == 1, tops
    header = page.locator(".app-header")
    assert "Alex Morgan" in header.inner_text()
    header.get_by_role("button", name="Sign out").click()
    assert page.url.endswith("/sign-in") or "/sign-in" in page.url
