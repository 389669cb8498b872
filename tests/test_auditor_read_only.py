"""The auditor reads everything and changes nothing: every route the app registers, walked.

A new route is in this test the moment it is registered. If it takes a URL argument this test
has no sample for, the test fails and says which: add one to `samples` below.
"""

from __future__ import annotations

import json

import pytest
from werkzeug.routing import IntegerConverter

from assess import store
from assess.store import tokens as token_store
from tests.conftest import csrf_token

AUDITOR = "jo.maxwell@council.example"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Sign-in and sign-out change the session, not the council's data: every user must reach them.
# Signing in and out (with a password or the council's account) changes only the session.
SESSION_ONLY = {"auth.sign_in", "auth.sign_out", "oidc.start"}
# Making and revoking one's own API token changes one's own credentials, not the council's data
# (the issue asks that an auditor can do both); test_api.py covers them.
OWN_CREDENTIALS = {"audit.tokens", "audit.revoke_token"}
# A staff member's pages are public: a link, a code or the device cookie opens them, never a role,
# so they answer the auditor as anyone (test_staff_responses.py proves that without one they
# change nothing).
PUBLIC = {"staff.enter_code", "staff.start", "staff.section", "staff.check"}
# Audit events a read may add: the auditor's own sign-in and the record of an export.
READ_EVENTS = {"sign_in", "export"}


@pytest.fixture
def instance(tmp_path, sample_council):
    """The sample council (tests/samples.py) rather than the bare demo: a row of every kind a
    route takes an id of, so each change the auditor tries has something to act on."""
    return sample_council.copy_to(tmp_path)


@pytest.fixture
def walk(app, sample_council):
    """Every route, with a submitted assessment in the open round and its action in the URLs."""
    ids = sample_council.ids
    samples = {
        **ids,
        "team_id": ids["submitted_team_id"],
        "action_id": ids["submitted_action_id"],
        "assessment_id": ids["submitted_id"],
        "statement_key": ids["moderated_key"],
        "user_id": sample_council.users["team_lead"],
        "fmt": "svg",
        "filename": "app.js",
        "token": "no-such-invitation",
    }
    query_strings = {
        "audit.export": "table=all&format=xlsx",
        "team.new_action": f"statement={ids['moderated_key']}",
    }
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        missing = [a for a in rule.arguments if a not in samples]
        unknown = [a for a in missing if not isinstance(rule._converters[a], IntegerConverter)]
        if unknown:
            pytest.fail(f"{rule.rule}: add a sample value for {unknown} to this test")
        kind = "eqia" if "eqia" in rule.endpoint else "risk"
        entry = {
            "entry_id": ids[f"{kind}_id"],
            "link_id": ids[f"{kind}_link_id"],
            "register_action_id": ids[f"{kind}_action_id"],
        }
        if rule.endpoint in ("registers.export_risks", "registers.export_eqias"):
            entry["fmt"] = "xlsx"  # the registers download as CSV or XLSX, not SVG
        values = {a: {**samples, **entry}.get(a, 1) for a in rule.arguments}
        url = adapter.build(rule.endpoint, values)
        if rule.endpoint in query_strings:
            url += "?" + query_strings[rule.endpoint]
        routes.append((rule, url))
    return routes


def snapshot(db) -> tuple[dict, dict]:
    counts = store.table_counts(db)
    events = dict(
        db.execute("SELECT action, count(*) FROM audit_events GROUP BY action").fetchall()
    )
    return counts, events


def changed_events(before: dict, after: dict) -> dict:
    return {
        action: (before.get(action, 0), count)
        for action, count in after.items()
        if count != before.get(action, 0) and action not in READ_EVENTS
    }


def test_every_state_changing_route_refuses_the_auditor(client_as, db, walk):
    client = client_as("auditor")
    token = csrf_token(client.get("/audit/").get_data(as_text=True))
    counts_before, events_before = snapshot(db)
    answered = []
    for rule, url in walk:
        if rule.endpoint in SESSION_ONLY | OWN_CREDENTIALS | PUBLIC:
            continue
        for method in sorted(rule.methods & MUTATING):
            response = client.open(url, method=method, data={"csrf_token": token})
            answered.append((method, url, response.status_code))
    assert answered, "the app has state-changing routes to walk"
    accepted = [entry for entry in answered if entry[2] != 403]
    assert accepted == [], f"routes that did not refuse the auditor: {accepted}"
    counts_after, events_after = snapshot(db)
    assert counts_after["audit_events"] - counts_before["audit_events"] == sum(
        events_after.get(a, 0) - events_before.get(a, 0) for a in READ_EVENTS
    )
    assert {t: n for t, n in counts_after.items() if t != "audit_events"} == {
        t: n for t, n in counts_before.items() if t != "audit_events"
    }
    assert changed_events(events_before, events_after) == {}


def test_every_page_the_auditor_reads_leaves_the_data_as_it_was(
    client_as, db, walk, sample_council, chart_renderer
):
    client = client_as("auditor")
    # The API reads a token, not the session: the auditor's own, made before the snapshot.
    auditor = store.user_by_email(db, AUDITOR)
    api = {"Authorization": f"Bearer {token_store.create_token(db, auditor['id'], 'walk')[1]}"}
    counts_before, events_before = snapshot(db)
    (last_event,) = db.execute("SELECT max(id) FROM audit_events").fetchone()
    read = []
    for rule, url in walk:
        if "GET" not in rule.methods:
            continue
        response = client.get(url, headers=api if rule.endpoint.startswith("audit.api.") else {})
        response.get_data()  # a streamed export runs to its end
        read.append((url, response.status_code))
    assert all(status < 500 for _, status in read), [r for r in read if r[1] >= 500]
    assert sum(1 for _, status in read if status == 200) > len(read) // 2, read
    counts_after, events_after = snapshot(db)
    assert {t: n for t, n in counts_after.items() if t != "audit_events"} == {
        t: n for t, n in counts_before.items() if t != "audit_events"
    }
    assert changed_events(events_before, events_after) == {}
    exported = [
        json.loads(after)
        for (after,) in db.execute(
            "SELECT after FROM audit_events WHERE action = 'export' AND id > ? ORDER BY id",
            [last_event],
        )
    ]
    formats = [e.get("format") for e in exported]
    assert formats.count("xlsx") == 3, "the audit export and both registers were read and recorded"
    assert {"round_pack": sample_council.ids["pack_id"]} in exported, "so was the pack download"


def test_an_auditors_own_api_token_is_the_only_thing_they_can_make(client_as, db):
    client = client_as("auditor")
    token = csrf_token(client.get("/audit/tokens").get_data(as_text=True))
    counts_before, events_before = snapshot(db)
    client.post("/audit/tokens", data={"name": "Notebook", "csrf_token": token})
    (made,) = db.execute("SELECT id FROM api_tokens WHERE name = 'Notebook'").fetchone()
    client.post(f"/audit/tokens/{made}/revoke", data={"csrf_token": token})
    counts_after, events_after = snapshot(db)
    changed = {t for t in counts_after if counts_after[t] != counts_before[t]}
    assert changed == {"api_tokens", "audit_events"}
    assert changed_events(events_before, events_after) == {
        "create": (events_before.get("create", 0), events_before.get("create", 0) + 1),
        "revoke": (events_before.get("revoke", 0), events_before.get("revoke", 0) + 1),
    }
