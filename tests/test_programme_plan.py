"""The action plan and the scrutiny log through the test client, on the demo council: what the
pages say, what is stored and audited, what a team lead may read, the plan's import and download,
and the response printed as the pro forma."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from assess import store
from assess.programme import plan as rules
from assess.store import plan as plan_store
from tests.conftest import PEOPLE, Page, csrf_token, read_page


def post(client, url, data, page_url):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def action_id_of(db, ref: str) -> int:
    return db.execute("SELECT id FROM corporate_actions WHERE ref = ?", [ref]).fetchone()[0]


def events(db, entity: str) -> list[dict]:
    return list(db.query("SELECT * FROM audit_events WHERE entity = ? ORDER BY id", [entity]))


@pytest.fixture
def officer(client, client_as):
    return client_as("business_improvement", client=client)


NEW = {
    "ref": "CEX-A10",
    "title": "Translate the top ten webforms",
    "readiness_area": "digital-access",
    "strand": "inclusive-access",
    "lead_officer": "Digital Services Manager",
    "lead_member": "Cllr Nigel Chapman",
    "rag": "green",
    "rag_reason": "",
    "source": "strategy",
}


def test_the_plan_is_shown_by_area_and_strand_with_status_overdue_and_this_quarter(officer, db):
    # the demo is dated around the day the tests build it; this update is today's
    action_id = action_id_of(db, "CEX-A03")
    plan_store.add_note(db, action_id, date.today().isoformat(), "Fifth larder", "green", "", None)
    page = read_page(officer.get("/programme/plan"))
    assert page.h1 == ["Action plan"]
    text = page.text
    assert text.index("Digital access and automation") < text.index("CEX-A01 Improve digital")
    assert "Digital access and automation: Positive citizen experience" in text
    assert "Red: 1. Amber: 1. Green: 2." in text
    overdue = text[text.index("Overdue milestones") : text.index("Changed this quarter")]
    assert "Launch the QL Tenant Portal" in overdue
    assert "Every team completes the culture maturity assessment" in overdue
    assert "Publish the online General Register" not in overdue  # done
    changed = text[text.index("Changed this quarter") : text.index("Digital access and")]
    assert "Fifth larder" in changed
    # the demo was built today: its actions were added, and its updates set their status
    assert "CEX-A02 added on" in changed and "CEX-A04 changed on" in changed
    assert "Webforms for Garden Waste" not in changed  # long before
    assert "Performance indicators" in text and "Scrutiny" in text  # the programme's pages


def test_an_action_shows_its_source_milestones_history_and_the_recommendation_it_answers(
    officer, db
):
    page = read_page(officer.get(f"/programme/plan/{action_id_of(db, 'CEX-A02')}"))
    text = page.text
    assert "Optimise customer insight" in text and "The strategy itself" in text
    assert "Create user profiles for training" in text
    assert text.index("Residents Panel relaunched") < text.index("monthly reports go to")
    assert "0 in all: 0 open, 0 done." in text
    assert "Scrutiny recommendations it answers" in text


def test_an_officer_adds_an_action_and_it_is_audited(officer, db):
    response = post(officer, "/programme/plan/new", NEW, "/programme/plan/new")
    assert response.status_code == 302
    page = read_page(officer.get(response.location))
    assert "Action CEX-A10 added." in page.text and "Inclusive access" in page.text
    assert events(db, "corporate_action")[-1]["action"] == "create"


def test_a_refused_action_form_keeps_what_was_typed_and_says_what_is_wrong(officer):
    typed = {**NEW, "ref": "CEX-A01", "rag": "red", "lead_officer": "   "}
    page = read_page(post(officer, "/programme/plan/new", typed, "/programme/plan/new"), 400)
    assert page.title.startswith("Error:")
    assert "Enter the lead officer" in page.text
    assert "Say why the action is red or amber" in page.text
    assert "Translate the top ten webforms" in page.text
    duplicate = {**NEW, "ref": "CEX-A01"}
    page = read_page(post(officer, "/programme/plan/new", duplicate, "/programme/plan/new"), 400)
    assert "CEX-A01 is already used by another corporate action" in page.text
    assert "Translate the top ten webforms" in page.text


def test_an_action_records_where_it_came_from_with_a_link_inside_the_service(officer, db):
    risk_id = db.execute("SELECT id FROM risks ORDER BY ref").fetchone()[0]
    response = post(
        officer, "/programme/plan/new", {**NEW, "source": f"risk:{risk_id}"}, "/programme/plan/new"
    )
    page = read_page(officer.get(response.location))
    assert "A risk" in page.text and f"/registers/risks/{risk_id}" in page.links


def test_milestones_are_added_and_marked_done_and_progress_notes_kept_as_history(officer, db):
    action_id = action_id_of(db, "CEX-A03")
    url = f"/programme/plan/{action_id}"
    response = post(
        officer, f"{url}/milestones", {"title": "Larder leaflets", "due_on": "1/1/2020"}, url
    )
    assert response.status_code == 302
    assert "Larder leaflets" in read_page(officer.get("/programme/plan")).text  # overdue
    milestone = [
        m for m in plan_store.milestones(db, action_id) if m["title"] == "Larder leaflets"
    ][0]
    done = post(officer, f"{url}/milestones/{milestone['id']}/done", {"done_on": "2/1/2020"}, url)
    assert done.status_code == 302
    assert plan_store.milestones(db, action_id)[0]["done_on"] == "2020-01-02"
    note = {
        "noted_on": "25/9/2024",
        "note": "Leaflets in every larder",
        "rag": "amber",
        "rag_reason": "Printing late",
    }
    assert post(officer, f"{url}/notes", note, url).status_code == 302
    page = read_page(officer.get(url))
    assert "Leaflets in every larder" in page.text and "Printing late" in page.text
    assert plan_store.corporate_action(db, action_id)["rag"] == "amber"
    assert len(plan_store.notes(db, action_id)) == 2  # the earlier one kept
    assert events(db, "action_progress_note")[-1]["action"] == "create"
    assert events(db, "action_milestone")[-1]["action"] == "update"


def test_a_bad_milestone_or_note_is_refused_on_the_actions_page_with_what_was_typed(officer, db):
    url = f"/programme/plan/{action_id_of(db, 'CEX-A03')}"
    page = read_page(
        post(officer, f"{url}/milestones", {"title": "Leaflets", "due_on": "31/2/2025"}, url), 400
    )
    assert "Due date: Enter a date like 31/3/2025" in page.text
    html = post(officer, f"{url}/milestones", {"title": "Leaflets", "due_on": "x"}, url)
    assert 'value="Leaflets"' in html.get_data(as_text=True)
    page = read_page(
        post(officer, f"{url}/notes", {"noted_on": "", "note": "", "rag": "pink"}, url), 400
    )
    assert "Enter the update's date" in page.text and "Say what progress was made" in page.text
    milestone_id = plan_store.milestones(db, action_id_of(db, "CEX-A03"))[-1]["id"]
    done = post(officer, f"{url}/milestones/{milestone_id}/done", {"done_on": "soon"}, url)
    html = read_page(done, 400) and done.get_data(as_text=True)
    assert html.count("Date done: Enter a date like 31/3/2025") == 2  # summary and its field
    assert 'id="done_on"' in html and 'value="soon"' in html


def test_a_teams_improvement_action_serves_a_corporate_action_and_rolls_up(officer, db):
    team_id = db.execute("SELECT id FROM teams ORDER BY id").fetchone()[0]
    round_id = db.execute("SELECT id FROM rounds ORDER BY id").fetchone()[0]
    improvement_id = store.add_action(
        db, team_id, round_id, "s1", "Publish service standards", "Priya", "2025-06-30", None
    )
    action_id = action_id_of(db, "CEX-A04")
    url = f"/programme/plan/{action_id}"
    response = post(officer, f"{url}/serving", {"improvement_action": str(improvement_id)}, url)
    assert response.status_code == 302
    page = read_page(officer.get(url))
    assert "1 in all: 1 open, 0 done." in page.text and "Publish service standards" in page.text
    assert "1 (1 open, 0 done)" in read_page(officer.get("/programme/plan")).text
    assert events(db, "improvement_action")[-1]["action"] == "update"
    removed = post(officer, f"{url}/serving/{improvement_id}/remove", {}, url)
    assert removed.status_code == 302
    assert plan_store.serving(db, action_id) == []


def test_a_team_lead_reads_only_the_actions_their_teams_actions_serve(client_as, db):
    lead = store.user_by_email(db, PEOPLE["team_lead"])
    team_id = store.teams_of_user(db, lead["id"])[0]["id"]
    round_id = db.execute("SELECT id FROM rounds ORDER BY id").fetchone()[0]
    improvement_id = store.add_action(
        db, team_id, round_id, "s1", "Standards", "Priya", "2025-06-30", None
    )
    served, other = action_id_of(db, "CEX-A01"), action_id_of(db, "CEX-A02")
    plan_store.set_served(db, improvement_id, served, None)
    client = client_as("team_lead")
    text = read_page(client.get("/programme/plan")).text
    assert "CEX-A01" in text and "CEX-A02" not in text
    assert "Download the plan" not in text and "Add a corporate action" not in text
    other_team = db.execute("SELECT id FROM teams WHERE id <> ? ORDER BY id", [team_id]).fetchone()[
        0
    ]
    theirs = store.add_action(
        db, other_team, round_id, "s1", "Their plan", "Tom", "2025-06-30", None
    )
    plan_store.set_served(db, theirs, served, None)
    page = read_page(client.get(f"/programme/plan/{served}"))
    assert "Change this action" not in page.text and "Make it serve" not in page.text
    assert "2 in all: 2 open, 0 done." in page.text
    assert "Standards" in page.text and "Their plan" not in page.text  # only their own teams'
    assert client.get(f"/programme/plan/{other}").status_code == 404
    assert client.get("/programme/scrutiny").status_code == 403


def test_the_plan_downloads_as_a_file_the_import_reads_back(officer, db):
    response = officer.get("/programme/plan/export.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["Reference"] for r in rows] == ["CEX-A01", "CEX-A02", "CEX-A03", "CEX-A04"]
    assert events(db, "corporate_actions")[-1]["action"] == "export"
    rows[0]["RAG"], rows[0]["RAG reason"] = "Red", "Portal late"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows([rows[0], {**rows[1], "Reference": "CEX-A20"}])
    response = upload(officer, buffer.getvalue().encode(), "plan.csv")
    assert response.status_code == 302
    assert "1 action(s) added and 1 changed." in read_page(officer.get(response.location)).text
    assert plan_store.corporate_action(db, action_id_of(db, "CEX-A01"))["rag"] == "red"


def upload(client, content: bytes, filename: str):
    token = csrf_token(client.get("/programme/plan/import").get_data(as_text=True))
    return client.post(
        "/programme/plan/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_an_action_plan_file_with_any_bad_row_is_refused_whole(officer, db):
    content = (
        b"Reference,Action,Readiness area,RAG\n"
        b"CEX-A30,New,digital-access,Green\n"
        b"CEX-A31,Newer,nowhere,Purple\n"
    )
    before = db["corporate_actions"].count
    page = read_page(upload(officer, content, "plan.csv"), 400)
    assert page.title.startswith("Error:")
    assert "Row 3, column ‘Readiness area’: Enter one of:" in page.text
    assert "Row 3, column ‘RAG’: Enter Red, Amber or Green" in page.text
    assert db["corporate_actions"].count == before
    assert "Choose a CSV or XLSX file" in read_page(upload(officer, b"", ""), 400).text


RECOMMENDATION = {
    "committee": "Scrutiny Committee",
    "report_title": "Citizen Experience Strategy",
    "meeting_on": "31/12/2024",
    "received_on": "31/12/2024",
    "recommendation": "That the Council publishes its complaints figures each quarter.",
    "lead_member": "Cllr Nigel Chapman",
    "response": "",
    "response_reason": "",
    "responded_on": "",
    "corporate_action": "",
    "timescale": "",
}


def test_the_scrutiny_log_flags_overdue_responses_and_progress_updates_due(officer):
    page = read_page(officer.get("/programme/scrutiny"))
    assert page.h1 == ["Scrutiny recommendations"]
    assert "Overdue" in page.text and "Progress update due" in page.text
    assert "Partially accepted" in page.text


def test_a_recommendation_is_logged_with_its_deadline_and_then_its_response(officer, db):
    response = post(officer, "/programme/scrutiny/new", RECOMMENDATION, "/programme/scrutiny/new")
    assert response.status_code == 302
    page = read_page(officer.get(response.location))
    assert "28 February 2025" in page.text  # two calendar months after 31 December
    found_id = int(response.location.rsplit("/", 1)[1])
    action_id = action_id_of(db, "CEX-A02")
    answered = {
        **RECOMMENDATION,
        "response": "partially_accepted",
        "response_reason": "We publish them twice a year.",
        "responded_on": "1/3/2025",
        "corporate_action": str(action_id),
        "timescale": "From April",
    }
    url = f"/programme/scrutiny/{found_id}/edit"
    assert post(officer, url, answered, url).status_code == 302
    page = read_page(officer.get(f"/programme/scrutiny/{found_id}"))
    assert "Partially accepted, 1 March 2025 (after its deadline)" in page.text
    assert "1 March 2026" in page.text  # the progress update, a year on
    assert [e["action"] for e in events(db, "scrutiny_recommendation")][-2:] == ["create", "update"]


def test_a_response_needs_its_words_and_date_and_cannot_come_before_receipt(officer):
    typed = {**RECOMMENDATION, "response": "accepted", "responded_on": "1/12/2024"}
    page = read_page(
        post(officer, "/programme/scrutiny/new", typed, "/programme/scrutiny/new"), 400
    )
    assert "Enter the response and the reason for it" in page.text
    assert "The response cannot come before the recommendation was received" in page.text
    assert "publishes its complaints figures" in page.text  # what was typed is kept
    typed = {**RECOMMENDATION, "received_on": "yesterday", "response": "maybe"}
    page = read_page(
        post(officer, "/programme/scrutiny/new", typed, "/programme/scrutiny/new"), 400
    )
    assert "Date received: Enter a date like 31/3/2025" in page.text
    assert "Select accepted, partially accepted, rejected, or not yet responded" in page.text


def test_the_response_prints_in_the_shape_of_the_pro_forma(officer, db):
    found = [r for r in plan_store.recommendations(db) if r["response"] == "accepted"][0]
    page = read_page(officer.get(f"/programme/scrutiny/{found['id']}/response"))
    assert page.h1 == ["Overview & Scrutiny Recommendation Response"]
    text = page.text
    for words in (
        "Issue: Customer Experience Strategy and Action Plan",
        "Lead Cabinet Member(s): Cllr Nigel Chapman",
        "Date response requested:",
        "Accepted, rejected or partially accepted",
        "Proposed action (if different to that recommended) and indicative timescale",
        "socio-economically disadvantaged",
        "Partially accepted",  # the report's other recommendation
    ):
        assert words in text, words
    html = officer.get(f"/programme/scrutiny/{found['id']}/response").get_data(as_text=True)
    assert "audit/print.css" in html


def test_the_demo_deadlines_follow_the_rule(db):
    today = date.today()
    for found in plan_store.recommendations(db):
        status = rules.scrutiny_status(found, today)
        assert status.response_due == rules.response_due(date.fromisoformat(found["received_on"]))


CELL = st.one_of(
    st.sampled_from(["CEX-A01", "digital-access", "Red", "", "<script>alert(1)</script>"]),
    st.text(max_size=20),
)
GARBAGE = st.one_of(
    st.binary(max_size=200),
    st.just(b"PK\x03\x04" + b"\x00" * 64),
    st.lists(st.lists(CELL, max_size=4), max_size=4).map(
        lambda rows: "\n".join(
            ",".join('"' + c.replace('"', '""') + '"' for c in r)
            for r in [["Reference", "Action", "Readiness area", "RAG"], *rows]
        ).encode()
    ),
)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    content=GARBAGE,
    filename=st.one_of(st.sampled_from(["f.csv", "f.xlsx", "<script>.csv"]), st.text(max_size=9)),
)
def test_an_import_of_garbage_action_plan_files_is_refused_and_imports_nothing(
    client_as, db, content, filename
):
    officer = client_as("business_improvement")
    before = db["corporate_actions"].count
    response = upload(officer, content, filename)
    assert response.status_code in (302, 400)
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    if response.status_code == 400:
        assert "govuk-error-summary" in html and Page(html).text
        assert db["corporate_actions"].count == before


def test_the_plan_downloads_as_xlsx_and_an_xlsx_of_actions_imports(officer, db):
    response = officer.get("/programme/plan/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    sheet = [s for s in book.worksheets if s.title == "Action plan"][0]
    rows = list(sheet.iter_rows(values_only=True))
    headings = list(rules.ACTION_COLUMNS.values())
    start = next(i for i, row in enumerate(rows) if list(row[: len(headings)]) == headings)
    assert rows[start + 1][0] == "CEX-A01"
    content = io.BytesIO()
    made = Workbook()
    made.active.append(headings)
    made.active.append(["CEX-A40", "Kiosks", "Joined-up access in localities", "", "", "", "", ""])
    made.save(content)
    assert upload(officer, content.getvalue(), "plan.xlsx").status_code == 302
    added = plan_store.corporate_action(db, action_id_of(db, "CEX-A40"))
    assert (added["readiness_area"], added["rag"]) == ("joined-up-localities", "green")
