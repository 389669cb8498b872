"""No link on any page of the service leaves it. Signed in as business improvement and as a team
lead, every page the navigation leads to (and every page those link to), every heatmap dimension
and every drill-down is read in the browser: each `a[href]`, in HTML or in an inline SVG, must
resolve to the service's own origin. The downloaded heatmap pictures are read too.

A relative link inside a Vega chart once resolved against Vega's own base URL
(https://vega.github.io/vega-datasets/), so every heatmap cell went off-site; this is the test
that would have caught it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page

from assess import store
from assess.assessment.questionnaire import load_folder
from assess.config import DEFAULTS
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

OFFICER = "sam.okafor@council.example"  # business improvement
LEAD = "priya.shah@council.example"  # team lead, Housing Needs
CEX = load_folder(Path(DEFAULTS["QUESTIONNAIRES"]))["cex-culture-maturity"]

# Links meant to leave the service, each by its full URL and why. None today: add one here, on
# purpose, rather than loosen the test.
OFF_SITE_ON_PURPOSE: dict[str, str] = {}

# Files, not pages: their links (if any) are read by test_downloaded_heatmaps_link_nowhere.
DOWNLOAD = re.compile(r"\.(csv|svg|png|xlsx|json|zip|pdf|txt)$|[?&](download|format)=")
MAX_PAGES = 120  # a guard against a crawl that never ends; the demo has fewer

LINKS = """() => Array.from(document.querySelectorAll('a')).map(a => {
    const raw = a.getAttribute('href')
        ?? a.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    return raw === null ? null : {raw, url: new URL(raw, document.baseURI).href,
                                  svg: a instanceof SVGElement};
}).filter(link => link !== null)"""


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def links_on(page: Page) -> list[dict]:
    return page.evaluate(LINKS)


def crawl(page: Page, base: str, starts: list[str], depth: int) -> dict[str, list[dict]]:
    """Visit `starts` and every on-site page they link to, `depth` links deep (downloads and
    fragments aside); return each page's links."""
    seen: dict[str, list[dict]] = {}
    frontier = [urljoin(base, start) for start in starts]
    for level in range(depth + 1):
        following = []
        for url in frontier:
            if url in seen or len(seen) >= MAX_PAGES:
                continue
            response = page.goto(url)
            assert response is not None and response.ok, f"{url}: {response and response.status}"
            seen[url] = links_on(page)
            if level < depth:
                following += [
                    link["url"].split("#")[0]
                    for link in seen[url]
                    if origin(link["url"]) == origin(base) and not DOWNLOAD.search(link["url"])
                ]
        frontier = list(dict.fromkeys(following))
    return seen


def off_site(pages: dict[str, list[dict]], base: str) -> list[str]:
    return sorted(
        {
            f"{page} -> {link['raw']}" + (" (in an SVG)" if link["svg"] else "")
            for page, links in pages.items()
            for link in links
            if origin(link["url"]) != origin(base) and link["url"] not in OFF_SITE_ON_PURPOSE
        }
    )


def navigation(page: Page) -> list[str]:
    """The service navigation's links, as the signed-in user sees them."""
    return page.locator(".govuk-service-navigation a[href]").evaluate_all(
        "links => links.map(a => a.href)"
    )


def heatmaps(round_id: int) -> list[str]:
    return [f"/rounds/{round_id}/heatmap/{d.key}" for d in CEX.dimensions] + [
        f"/rounds/{round_id}/heatmap/value/{m.key}/statements"
        for m in CEX.section_dimension.members
    ]


def current_round_id(live_server) -> int:
    db = store.connect(live_server.instance / "assess.db")
    round_id = store.current_round(db)["id"]
    db.conn.close()
    return round_id


def test_no_link_business_improvement_sees_leaves_the_service(live_server, page):
    sign_in(page, live_server.url, OFFICER)
    pages = crawl(page, live_server.url, navigation(page), depth=1)
    pages |= crawl(page, live_server.url, heatmaps(current_round_id(live_server)), depth=0)
    assert len(pages) > 10  # the crawl reached the service, not just a sign-in page
    assert off_site(pages, live_server.url) == []


def test_no_link_a_team_lead_sees_leaves_the_service(live_server, page):
    sign_in(page, live_server.url, LEAD)
    pages = crawl(page, live_server.url, navigation(page), depth=2)
    assert len(pages) > 3
    assert off_site(pages, live_server.url) == []


@pytest.mark.parametrize("dimension", [d.key for d in CEX.dimensions])
def test_downloaded_heatmaps_link_nowhere(live_server, page, dimension):
    """A picture for a report carries no links: a relative one would resolve wherever the file
    is opened, and an absolute one would name whichever host served it."""
    sign_in(page, live_server.url, OFFICER)
    round_id = current_round_id(live_server)
    response = page.request.get(f"{live_server.url}/rounds/{round_id}/heatmap/{dimension}.svg")
    assert response.ok
    svg = response.text()
    assert svg.lstrip().startswith("<svg")
    assert re.findall(r"<a\b[^>]*>", svg) == []
