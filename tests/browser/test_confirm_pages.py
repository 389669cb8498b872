"""The pages that ask before a change, and the administrators' new forms: axe finds nothing on
them, and they fit a 320 px window."""

from __future__ import annotations

import pytest

from assess import store
from tests.browser.helpers import assert_accessible, sign_in
from tests.conftest import AUDIT_KEY

pytestmark = pytest.mark.browser


def pages(instance) -> list[tuple[str, str]]:
    db = store.connect(instance / "assess.db", audit_key=AUDIT_KEY)
    try:
        round_ = store.current_round(db)
        (team_id,) = db.execute(
            "SELECT team_id FROM assessments WHERE round_id = ? AND status = 'submitted'",
            [round_["id"]],
        ).fetchone()
        user = store.user_by_email(db, "priya.shah@council.example")
        team = store.team_id_by_name(db, "Housing Needs")
    finally:
        db.conn.close()
    base = f"/rounds/{round_['id']}"
    return [
        ("sam.okafor@council.example", f"{base}/status?status=closed"),
        ("sam.okafor@council.example", f"{base}/teams/{team_id}/sign-off"),
        ("alex.morgan@council.example", f"/admin/users/{user['id']}/password"),
        ("alex.morgan@council.example", f"/admin/teams/{team}"),
    ]


@pytest.mark.parametrize("width", [1280, 320])
def test_confirmation_and_admin_pages_pass_axe_and_fit(browser, live_server, width):
    for email, path in pages(live_server.instance):
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-GB")
        page = context.new_page()
        try:
            sign_in(page, live_server.url, email)
            response = page.goto(live_server.url + path)
            assert response and response.status == 200, path
            assert_accessible(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        finally:
            context.close()
