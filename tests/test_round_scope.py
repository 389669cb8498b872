"""A round is for the teams in its scope: every page of a team's journey in a round the team is
not in is not found, for every role, and nothing is saved or started there.

Two rounds of the sample council (tests/samples.py): a new open round, 2025/26, created for every
team but Housing Needs (which has no assessment there), and 2024/25 with Housing Needs taken out
of its scope after its draft was started (and an action added). Roles are signed in by putting
their id in the session.
"""

from __future__ import annotations

import pytest

from assess import store
from tests.conftest import csrf_token, hidden_fields, read_page, sign_in_as

ROLES = (
    "team_lead",  # Priya, Housing Needs
    "other_team_lead",  # Tom, Taxi Licensing and Parking Services
    "business_improvement",
    "auditor",
    "administrator",
)


@pytest.fixture(scope="module")
def council(tmp_path_factory, sample_council, cex):
    """The app on one copy of the sample council for the module, with the two rounds above:
    each case outside the scope checks it changed nothing."""
    app = sample_council.app_in(tmp_path_factory.mktemp("round_scope"))
    ids = sample_council.ids
    db = store.connect(app.config["DATABASE_PATH"], audit_key=app.config["AUDIT_KEY"])
    housing = ids["team_id"]
    others = [t["id"] for t in store.active_teams(db) if t["id"] != housing]
    new_round = store.create_round(
        db, "2025/26", cex.version, "2025-04-01", "2026-03-31", "open", team_ids=others
    )
    store.set_round_scope(db, ids["round_id"], others, None)
    db.conn.close()
    return {
        "app": app,
        "users": sample_council.users,
        "team_id": housing,
        "taxi_id": ids["other_team_id"],
        "rounds": {"never in scope": new_round, "taken out of scope": ids["round_id"]},
        "draft_id": ids["draft_id"],
        "action_id": ids["action_id"],
        "statement_key": ids["statement_key"],
    }


def signed_in(council, role: str):
    client = council["app"].test_client()
    sign_in_as(client, council["users"][role])
    return client


def journey_requests(council, round_id: int) -> list[tuple[str, str, str]]:
    """(method, url, rule) for every route of the team blueprint, and the printable report that
    follows it, for Housing Needs in the round."""
    app = council["app"]
    values = {
        "team_id": council["team_id"],
        "round_id": round_id,
        "section": "one-team",
        "dimension": "value",
        "fmt": "svg",
        "action_id": council["action_id"],
        "assessment_id": council["draft_id"],
    }
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if not (rule.endpoint.startswith("team.") or rule.endpoint == "audit.report"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = adapter.build(rule.endpoint, {a: values[a] for a in rule.arguments})
            if rule.endpoint == "team.new_action":
                url += f"?statement={council['statement_key']}"
            found.append((method, url, rule.rule))
    return found


def test_the_scope_is_tried_on_every_route_of_the_team_blueprint(council):
    """The test below asks each route the app registers for the team journey, read from the URL
    map: a new route is asked without a change to it. These are the ones there today."""
    asked = {
        (method, rule) for method, rule in ((m, r) for m, _, r in journey_requests(council, 1))
    }
    team = "/teams/<int:team_id>/rounds/<int:round_id>"
    assert {
        ("GET", team + "/"),
        ("GET", team + "/sections/<section>"),
        ("POST", team + "/sections/<section>"),
        ("GET", team + "/check"),
        ("POST", team + "/check"),
        ("GET", team + "/submitted"),
        ("GET", team + "/results"),
        ("GET", team + "/charts/<dimension>.<fmt>"),
        ("GET", team + "/actions/new"),
        ("POST", team + "/actions/new"),
        ("GET", team + "/actions/<int:action_id>"),
        ("POST", team + "/actions/<int:action_id>"),
        ("GET", team + "/targets"),
        ("POST", team + "/targets"),
        ("GET", "/audit/assessments/<int:assessment_id>/report"),
    } <= asked


@pytest.mark.parametrize("scope", ["never in scope", "taken out of scope"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_team_outside_the_rounds_scope_is_not_found(council, cex, role, scope):
    round_id = council["rounds"][scope]
    client = signed_in(council, role)
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    answers = {f"{s.key}-level": "3" for s in cex.statements_in("value", "one-team")}
    form = {"csrf_token": token, "seen": "x", "action": "later", "confirm": "y", **answers}
    form |= {"what": "Train", "owner": "Priya", "due_day": "1", "due_month": "6"}
    form |= {"due_year": "2030", "one-team": "4"}
    db = store.connect(
        council["app"].config["DATABASE_PATH"], audit_key=council["app"].config["AUDIT_KEY"]
    )
    try:
        before = store.table_counts(db)
        for method, url, rule in journey_requests(council, round_id):
            response = client.open(url, method=method, data=form if method == "POST" else None)
            assert response.status_code == 404, f"{method} {rule} as {role}: {response.status}"
        assert store.table_counts(db) == before, "a page outside the round's scope changed data"
        found = store.find_assessment(db, council["team_id"], council["rounds"]["never in scope"])
        assert found is None, "an assessment was started in a round the team is not in"
    finally:
        db.conn.close()


def test_a_team_in_a_new_rounds_scope_starts_its_assessment_there(council, cex):
    """The counterpart: the same round works for a team in its scope."""
    round_id = council["rounds"]["never in scope"]
    client = signed_in(council, "other_team_lead")
    base = f"/teams/{council['taxi_id']}/rounds/{round_id}"
    assert read_page(client.get(base + "/")).h1 == ["Your team’s assessment for 2025/26"]
    url = base + "/sections/one-team"
    hidden = hidden_fields(client.get(url).get_data(as_text=True))
    first = cex.statements_in("value", "one-team")[0].key
    response = client.post(url, data={**hidden, f"{first}-level": "2", "action": "later"})
    assert response.status_code == 302
    db = store.connect(
        council["app"].config["DATABASE_PATH"], audit_key=council["app"].config["AUDIT_KEY"]
    )
    try:
        assessment = store.find_assessment(db, council["taxi_id"], round_id)
        assert [a["level"] for a in store.answers_of(db, assessment["id"])] == [2]
    finally:
        db.conn.close()
