"""The heatmap as people use it: a table that reflows on a phone, one tab stop per team, and
no axe violations, on every dimension's heatmap and the drill-down beneath each value."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from assess import store
from assess.assessment.questionnaire import load_folder
from assess.config import DEFAULTS
from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser

OFFICER = "sam.okafor@council.example"
CEX = load_folder(Path(DEFAULTS["QUESTIONNAIRES"]))["cex-culture-maturity"]
HEATMAPS = [f"/rounds/{{round}}/heatmap/{d.key}" for d in CEX.dimensions] + [
    f"/rounds/{{round}}/heatmap/value/{m.key}/statements" for m in CEX.section_dimension.members
]
NARROWEST = 320  # CSS pixels: WCAG 1.4.10 reflow
GOVUK_FOCUS = "rgb(255, 221, 0)"  # the GOV.UK focus colour, behind a focused link's text


def current_round(live_server) -> tuple[int, int]:
    """The demo's current round and how many teams in it are signed off (the heatmap's rows)."""
    db = store.connect(live_server.instance / "assess.db")
    round_id = store.current_round(db)["id"]
    rows = store.round_scores(db, round_id, ("signed_off",), ("overall",))
    db.conn.close()
    return round_id, len({row["team_id"] for row in rows})


def tab_stops(page: Page, limit: int = 2000) -> list[dict]:
    """Press Tab from the top of the page until focus leaves it or comes round again; for each
    stop, where it is: inside the heatmap's table, inside an SVG, or the scroll region itself."""
    page.locator("body").focus()
    stops: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                return {
                    key: el.outerHTML.slice(0, 200) + '|' + Array.from(
                        document.querySelectorAll('*')).indexOf(el),
                    inTable: !!el.closest('table'),
                    inSvg: !!el.closest('svg'),
                    region: el.getAttribute('role') === 'region',
                    background: getComputedStyle(el).backgroundColor,
                };
            }"""
        )
        if stop is None or (stops and stop["key"] == stops[0]["key"]):
            break
        stops.append(stop)
    return stops


@pytest.mark.parametrize("path", HEATMAPS)
def test_the_heatmap_page_never_scrolls_sideways_at_320_pixels(live_server, page, path):
    round_id, _ = current_round(live_server)
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    sign_in(page, live_server.url, OFFICER)
    page.goto(live_server.url + path.format(round=round_id))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROWEST
    region = page.get_by_role("region", name=page.locator("table caption").inner_text())
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # it scrolls, not the page


def test_keyboard_users_meet_one_tab_stop_per_team_in_the_heatmap(live_server, page):
    round_id, teams = current_round(live_server)
    sign_in(page, live_server.url, OFFICER)
    page.goto(f"{live_server.url}/rounds/{round_id}/heatmap/value")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    stops = tab_stops(page)
    assert [stop for stop in stops if stop["inSvg"]] == []
    in_table = [stop for stop in stops if stop["inTable"]]
    assert len(in_table) == teams
    assert all(stop["background"] == GOVUK_FOCUS for stop in in_table)  # the GOV.UK focus style
    assert sum(stop["region"] for stop in stops) == 1  # the table's scroll region, once


@pytest.mark.parametrize("width", [1280, NARROWEST])
@pytest.mark.parametrize("path", HEATMAPS)
def test_the_heatmap_passes_axe(live_server, page, path, width):
    round_id, _ = current_round(live_server)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, OFFICER)
    page.goto(live_server.url + path.format(round=round_id))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_each_directorate_is_a_group_of_rows_under_its_own_name(live_server, page):
    round_id, _ = current_round(live_server)
    sign_in(page, live_server.url, OFFICER)
    page.goto(f"{live_server.url}/rounds/{round_id}/heatmap/readiness_area")
    table = page.get_by_role("table")
    headings = table.locator("thead th")
    for member in CEX.dimension("readiness_area").members:  # in full, never cut short
        expect(headings.filter(has_text=member.name)).to_have_count(2)  # with its review's
        expect(headings.filter(has_text=f"{member.name} (review)")).to_have_count(1)
    groups = table.locator("tbody th[scope=rowgroup]").all_inner_texts()
    assert groups[-1] == "Averages" and len(groups) > 2
    directorates = [name.split(" (")[0] for name in groups[:-1]]
    assert directorates == sorted(directorates)
    border = table.locator("th[scope=rowgroup]").first.evaluate(
        "el => getComputedStyle(el).borderTopWidth"
    )
    assert border == "3px"  # a visible divider above each directorate
