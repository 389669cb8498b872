"""Pages keep working under the Content-Security-Policy: the browser refuses nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assess import store
from tests.browser.helpers import sign_in
from tests.conftest import AUDIT_KEY

pytestmark = pytest.mark.browser


def test_no_page_of_the_service_breaks_the_content_security_policy(live_server, page):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    db = store.connect(live_server.instance / "assess.db", audit_key=AUDIT_KEY)
    round_id = store.current_round(db)["id"]
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
    db.conn.close()
    sign_in(page, live_server.url, "sam.okafor@council.example")
    for path in [
        "/",
        f"/teams/{team_id}/rounds/{round_id}/",
        f"/teams/{team_id}/rounds/{round_id}/results",
        f"/rounds/{round_id}",
        f"/rounds/{round_id}/heatmap/value",
        f"/rounds/{round_id}/council",
        f"/rounds/{round_id}/committee-report",
        "/trends/",
        "/registers/risks",
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        expect(page.locator("body")).to_have_class(
            "govuk-template__body js-enabled govuk-frontend-supported"
        )
    assert refused == []
