"""Inviting a team's staff: by email (one message each, a single-use link) or printed codes shown
once; the team's page counts invitations and links used, never who; reminders send new links to
those who have not used theirs; an email is forgotten once its link is used or the round closes.

Priya (team lead of Housing Needs) invites her own team; Tom, another team's lead, finds nothing
there; business improvement may invite any team, or print codes for every team of a round."""

from __future__ import annotations

import re
from email import message_from_string

import pytest

from assess import store
from assess.assessment import staff as rules
from assess.store import staff as staff_store
from tests.conftest import Page, csrf_token, read_page

LINK = re.compile(r"http://localhost/staff/([A-Za-z0-9_-]{20,})")
SLIP_CODE = re.compile(r'class="app-token">([A-Z0-9-]+)<')


pytestmark = pytest.mark.usefixtures("without_the_demos_staff_answers")


@pytest.fixture
def ids(db) -> dict:
    return {
        "team_id": store.team_id_by_name(db, "Housing Needs"),
        "round_id": store.current_round(db)["id"],
    }


@pytest.fixture
def base(ids) -> str:
    return f"/teams/{ids['team_id']}/rounds/{ids['round_id']}/staff"


@pytest.fixture
def inbox(app, smtp_server):
    """Mail goes through the one mail path to a real SMTP server on loopback."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    return smtp_server.messages


def post(client, path: str, data: dict):
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def links_in(messages) -> list[str]:
    found = []
    for message in messages:
        body = message_from_string(message.as_string()).get_payload(decode=True).decode()
        found += LINK.findall(body)
    return found


# --- the rules ----------------------------------------------------------------------------------


def test_a_code_uses_only_characters_that_cannot_be_misread():
    code = rules.new_code()
    assert len(code) == rules.CODE_LENGTH
    assert not set(code) & set("01OIL")
    assert rules.format_code(code) == f"{code[:5]}-{code[5:]}"


@pytest.mark.parametrize("typed", ["abcde-fghjk", " ABCDE FGHJK ", "ABCDEFGHJK", "abcde–fghjk"])
def test_a_typed_code_is_read_however_it_is_spaced_or_cased(typed):
    assert rules.read_code(typed) == "ABCDEFGHJK"


@pytest.mark.parametrize("typed", ["", "ABCDE", "ABCDE-FGHJ0", "ABCDE-FGHJKL", "<script>"])
def test_a_typed_code_that_cannot_be_one_is_refused(typed):
    assert rules.read_code(typed) is None


def test_an_email_list_names_each_bad_line_and_each_repeat_by_its_number():
    found = rules.read_email_list("ana@council.example\n\nnot an email\nANA@council.example\n", 5)
    assert found.addresses == ("ana@council.example",)
    assert [message for _, message in found.errors] == [
        "Line 3 is not an email address, like name@council.gov.uk",
        "Line 4 repeats line 1: remove one of them",
    ]


def test_an_email_list_over_the_limit_is_refused_with_one_message_before_lines_are_read():
    found = rules.read_email_list("\n".join(f"not an email {i}" for i in range(5000)), 3)
    assert found.errors == ((0, "Enter 3 email addresses or fewer: you entered 5,000"),)


# --- inviting by email --------------------------------------------------------------------------


def test_each_invited_person_gets_their_own_email_with_a_single_use_link(
    client_as, base, inbox, db, ids
):
    lead = client_as("team_lead")
    response = post(
        lead, base + "/email", {"addresses": "ana.silva@council.example\nben.cole@council.example"}
    )
    assert response.status_code == 302
    assert [m["To"] for m in inbox] == ["ana.silva@council.example", "ben.cole@council.example"]
    assert all("How does Housing Needs work?" in m["Subject"] for m in inbox)
    links = links_in(inbox)
    assert len(set(links)) == 2
    stored = [r["token_hash"] for r in db.query("SELECT token_hash FROM staff_invitations")]
    assert not set(links) & set(stored), "only a hash of each link's secret is kept"
    page = read_page(lead.get(base + "/"))
    assert "Invitations sent to 2 people." in page.text
    assert "Links and codes used 0 of 2" in page.text


def test_bad_lines_are_named_by_number_and_what_was_typed_is_kept(client_as, base, db):
    typed = "ana.silva@council.example\nana at council\n<b>x</b>"
    response = post(client_as("team_lead"), base + "/email", {"addresses": typed})
    page = read_page(response, 400)
    assert "Line 2 is not an email address" in page.text
    assert "Line 3 is not an email address" in page.text
    assert "ana at council" in page.text and "&lt;b&gt;x&lt;/b&gt;" in response.get_data(True)
    assert db["staff_invitations"].count == 0, "nothing is sent while any line is wrong"


def test_more_addresses_than_the_setting_allows_are_refused_and_the_hint_says_so(
    app, client_as, base
):
    app.config["STAFF_INVITES_MOST"] = 2
    lead = client_as("team_lead")
    assert "up to 2 at a time" in read_page(lead.get(base + "/email")).text
    typed = "\n".join(f"p{i}@council.example" for i in range(3))
    page = read_page(post(lead, base + "/email", {"addresses": typed}), 400)
    assert "Enter 2 email addresses or fewer: you entered 3" in page.text


# --- printed codes ------------------------------------------------------------------------------


def test_printed_codes_are_shown_once_and_only_their_hashes_are_kept(client_as, base, db):
    lead = client_as("team_lead")
    response = post(lead, base + "/codes", {"count": "3"})
    page = read_page(response)
    codes = SLIP_CODE.findall(response.get_data(as_text=True))
    assert len(set(codes)) == 3
    assert "http://localhost/staff/" in page.text
    dump = "\n".join(db.conn.iterdump())
    for code in codes:
        assert code not in dump and code.replace("-", "") not in dump
    assert read_page(lead.get(base + "/")).text.count("Printed codes 3") == 1


@pytest.mark.parametrize("count", ["0", "-1", "1.5", "201", "x", ""])
def test_a_number_of_codes_that_is_not_from_1_to_the_limit_is_refused(client_as, base, db, count):
    page = read_page(post(client_as("team_lead"), base + "/codes", {"count": count}), 400)
    assert "Enter" in page.text
    assert db["staff_invitations"].count == 0


def test_business_improvement_prints_codes_for_every_team_of_a_round(client_as, db, ids):
    path = f"/rounds/{ids['round_id']}/staff-codes"
    response = post(client_as("business_improvement"), path, {"count": "2"})
    read_page(response)
    teams = store.round_scope(db, ids["round_id"])
    assert len(SLIP_CODE.findall(response.get_data(as_text=True))) == 2 * len(teams)
    assert db["staff_invitations"].count == 2 * len(teams)


# --- who may invite -----------------------------------------------------------------------------


def test_another_teams_lead_finds_no_invitations_page_and_an_auditor_may_not_invite(
    client_as, base
):
    assert client_as("other_team_lead").get(base + "/").status_code == 404
    assert client_as("auditor").get(base + "/").status_code == 403
    assert client_as("business_improvement").get(base + "/").status_code == 200


def test_a_closed_round_takes_no_invitations(client_as, base, db, ids):
    store.set_round_status(db, ids["round_id"], "closed", None)
    response = post(client_as("team_lead"), base + "/codes", {"count": "2"})
    assert response.status_code == 409
    assert "not open" in Page(response.get_data(as_text=True)).text
    assert db["staff_invitations"].count == 0


# --- reminders and forgetting emails ------------------------------------------------------------


def test_a_reminder_sends_a_new_link_only_to_those_who_have_not_used_theirs(
    app, client_as, base, inbox, db
):
    lead = client_as("team_lead")
    post(
        lead, base + "/email", {"addresses": "ana.silva@council.example\nben.cole@council.example"}
    )
    first_ana, first_ben = links_in(inbox)
    staff = app.test_client()
    assert post(staff, f"/staff/{first_ana}", {}).status_code == 302
    inbox.clear()
    token = csrf_token(lead.get(base + "/").get_data(as_text=True))
    response = lead.post(base + "/remind", data={"csrf_token": token})
    assert response.status_code == 302
    assert [m["To"] for m in inbox] == ["ben.cole@council.example"]
    [new_ben] = links_in(inbox)
    assert "Reminder" in inbox[0]["Subject"]
    assert app.test_client().get(f"/staff/{first_ben}").status_code == 404, "the old link is gone"
    assert app.test_client().get(f"/staff/{new_ben}").status_code == 200


def test_the_rounds_reminder_also_reminds_staff_without_saying_who_answered(
    client_as, base, inbox, ids
):
    post(client_as("team_lead"), base + "/email", {"addresses": "ana.silva@council.example"})
    inbox.clear()
    bi = client_as("business_improvement")
    path = f"/rounds/{ids['round_id']}"
    token = csrf_token(bi.get(path).get_data(as_text=True))
    response = bi.post(path + "/reminders", data={"csrf_token": token}, follow_redirects=True)
    assert "New links sent to 1 staff invited by email" in Page(response.get_data(True)).text
    assert "ana.silva@council.example" in [m["To"] for m in inbox]


def test_an_email_is_forgotten_when_its_link_is_used_or_the_round_closes(app, db, ids):
    made = staff_store.create_invitations(
        db, ids["round_id"], ids["team_id"], "email", None, emails=["a@x.example", "b@x.example"]
    )
    assert isinstance(staff_store.start_response(db, made[0][1]), staff_store.Started)
    emails = [r["email"] for r in db.query("SELECT email FROM staff_invitations ORDER BY id")]
    assert emails == [None, "b@x.example"]
    store.set_round_status(db, ids["round_id"], "closed", None)
    assert [r["email"] for r in db.query("SELECT email FROM staff_invitations")] == [None, None]


def test_the_audit_trail_records_invitations_by_count_never_an_address(client_as, base, db):
    before = db.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    post(client_as("team_lead"), base + "/email", {"addresses": "ana.silva@council.example"})
    events = list(
        db.query(
            "SELECT * FROM audit_events WHERE entity = 'staff_invitations' AND id > ?", [before]
        )
    )
    assert [e["action"] for e in events] == ["invite_staff"]
    assert '"count": 1' in events[0]["after"] and "ana.silva" not in events[0]["after"]
