"""What a user does in the browser tests: sign in, and check a page with axe."""

from __future__ import annotations

import weakref

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from assess.demo import DEMO_PASSWORD

# WCAG 2.2 AA is every A and AA rule from 2.0, 2.1 and 2.2; axe tags each rule with the level
# that added it.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
# axe runs inside the page; where JavaScript is off its timers never fire and axe.run never returns.
PAGES_WITHOUT_JAVASCRIPT: weakref.WeakSet[Page] = weakref.WeakSet()


def sign_in(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Open the sign-in page, fill the fields by their labels and press the button."""
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()


def assert_accessible(page: Page) -> None:
    """Fail, listing each rule and where it fails, if axe finds a WCAG 2.2 AA violation."""
    if page in PAGES_WITHOUT_JAVASCRIPT:
        pytest.fail("axe needs JavaScript: check this page with the `page` fixture", pytrace=False)
    results = Axe().run(page, options=AXE_OPTIONS)
    if results.violations_count == 0:
        return
    lines = [f"{results.violations_count} WCAG 2.2 AA violation(s) on {page.url}:"]
    for violation in results.response["violations"]:
        nodes = violation["nodes"]
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(nodes)} element(s)] {violation['helpUrl']}"
        )
        for node in nodes[:3]:
            lines.append(f"    {', '.join(str(target) for target in node['target'])}")
        if len(nodes) > 3:
            lines.append(f"    ... and {len(nodes) - 3} more")
    pytest.fail("\n".join(lines), pytrace=False)
