"""The risk register and EqIA pages through the test client: what they say and what is stored."""

from __future__ import annotations

import csv
import html
import io

import pytest
from openpyxl import Workbook, load_workbook

from assess import store
from assess.store import registers as register_store
from assess.store.register_exports import RISKS, without_provenance
from assess.web.app import create_app
from tests.conftest import csrf_token, draw_charts, hidden_fields, read_page
from tests.samples import risk_form, stored_risk

OFFICER = "sam.okafor@council.example"  # business improvement
AUDITOR = "jo.maxwell@council.example"
LEAD = "priya.shah@council.example"  # Housing Needs

HEADINGS = (
    "Ref,Title,Cause,Event,Consequence,Category,Owner,Date raised,Inherent likelihood,"
    "Inherent impact,Current likelihood,Current impact,Target likelihood,Target impact,"
    "Response,Existing controls,Last review,Next review,Links"
)


def post(client, url, data, page_url=None, **kwargs):
    token = csrf_token(client.get(page_url or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def risk_id_of(db, ref):
    return db.execute("SELECT id FROM risks WHERE ref = ?", [ref]).fetchone()[0]


@pytest.fixture
def officer(client, client_as):
    return client_as("business_improvement", client=client)


def test_the_register_lists_the_demo_risks_highest_score_first_with_their_bands(officer):
    page = read_page(officer.get("/registers/risks"))
    assert page.h1 == ["Risk register"]
    assert "11 of 11 open risks" in page.text
    assert "bands: Green 1 to 4, Amber 5 to 12, Red 15 to 25." in page.text
    first = page.text.index("Digitally excluded residents cannot reach services")
    assert first < page.text.index("Culture change does not stick")
    assert "The risk matrix as a table" in page.text


def test_the_register_filters_by_band_and_overdue_review_and_sorts_by_ref(officer):
    page = read_page(officer.get("/registers/risks?band=Red&sort=ref"))
    assert "1 of 11 open risks" in page.text and "CEX-R01" in page.text
    overdue = read_page(officer.get("/registers/risks?overdue=yes&sort=ref"))
    assert "11 of 11 open risks" in overdue.text  # every demo review date has passed
    page = read_page(officer.get("/registers/risks?category=Financial"))
    assert "1 of 11 open risks" in page.text and "Savings from channel shift" in page.text


def test_the_matrix_chart_says_how_many_risks_sit_in_each_cell(officer, chart_renderer):
    response = officer.get("/registers/risks/matrix.svg")
    assert response.mimetype == "image/svg+xml"
    assert "risks at likelihood Possible, impact Major (Amber)" in response.get_data(as_text=True)


def test_business_improvement_adds_a_risk_and_the_change_is_audited(officer, db):
    response = post(officer, "/registers/risks/new", risk_form())
    assert response.status_code == 302
    page = read_page(officer.get(response.headers["Location"]))
    assert page.h1 == ["CEX-R50: Assisted digital sessions end"]
    assert "Risk CEX-R50 added to the register." in page.text
    assert "12 (likelihood: possible, impact: major) Amber" in page.text
    stored = register_store.risk(db, risk_id_of(db, "CEX-R50"))
    assert (stored["current_likelihood"], stored["next_review_on"]) == (3, "2030-01-31")
    event = db.execute(
        "SELECT action, after FROM audit_events WHERE entity = 'risk' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert event[0] == "create" and "Assisted digital sessions end" in event[1]


def test_a_risk_with_mistakes_is_refused_with_the_govuk_error_pattern(officer, db):
    response = post(
        officer,
        "/registers/risks/new",
        risk_form(title="", current_likelihood="", raised_on_day="31", raised_on_month="2"),
    )
    page = read_page(response, 400)
    assert page.title.startswith("Error: Add a risk")
    assert "There is a problem" in page.text
    assert "Enter the title" in page.text
    assert "The current likelihood must be a whole number from 1 to 5" in page.text
    assert "The date raised must be a real date" in page.text
    assert 'href="#raised_on_day"' in response.get_data(as_text=True)
    assert "Funding for the Community Larder sessions stops" in page.text  # kept what was typed
    assert db.execute("SELECT count(*) FROM risks WHERE ref = 'CEX-R50'").fetchone()[0] == 0


def test_a_duplicate_ref_is_refused(officer):
    page = read_page(post(officer, "/registers/risks/new", risk_form(ref="CEX-R01")), 400)
    assert "CEX-R01 is already used by another entry" in page.text


def test_changing_the_current_score_adds_to_the_history_and_the_direction(officer, db):
    risk_id = risk_id_of(db, "CEX-R04")
    url = f"/registers/risks/{risk_id}/edit"
    current = register_store.risk(db, risk_id)
    data = risk_form(
        ref="CEX-R04",
        title=current["title"],
        current_likelihood="2",
        current_impact="3",
        raised_on_day="1",
        raised_on_month="4",
        raised_on_year="2023",
    )
    assert post(officer, url, data).status_code == 302
    page = read_page(officer.get(f"/registers/risks/{risk_id}"))
    assert "Direction of travel Improving" in page.text
    assert [h["score"] for h in register_store.score_history(db, risk_id)] == [12, 6]


def test_linking_a_risk_to_an_area_shows_on_the_risk_and_is_audited(officer, db):
    risk_id = risk_id_of(db, "CEX-R04")
    url = f"/registers/risks/{risk_id}/links"
    response = post(
        officer, url, {"target": "readiness_area:customer-insight"}, f"/registers/risks/{risk_id}"
    )
    page = read_page(officer.get(response.headers["Location"].split("#")[0]))
    assert "Linked to Readiness area: Customer insight and business intelligence." in page.text
    assert (
        db.execute(
            "SELECT count(*) FROM audit_events WHERE entity = 'register_link' AND action = 'create'"
        ).fetchone()[0]
        > 0
    )


def test_a_team_leads_results_list_the_risks_and_eqias_linked_to_its_weakest_areas(
    client, db, client_as
):
    client_as("team_lead", client=client)
    round_ = store.current_round(db)
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
    page = read_page(client.get(f"/teams/{team_id}/rounds/{round_['id']}/results"))
    assert "Risks and equality impacts linked to your weakest areas" in page.text
    # Housing Needs, a front-line housing team in the demo, is weakest in digital access.
    assert "Readiness area: Digital access and automation" in page.text
    assert "CEX-R01: Digitally excluded residents cannot reach services" in page.text
    assert "CEX-EQIA-01: Citizen Experience strategy" in page.text
    assert "Raise a proposed risk" not in page.text  # business improvement only


def test_a_team_lead_reads_linked_entries_but_not_the_register(client, db, client_as):
    client_as("team_lead", client=client)
    linked = risk_id_of(db, "CEX-R01")
    assert client.get(f"/registers/risks/{linked}").status_code == 200
    assert "Change this risk" not in read_page(client.get(f"/registers/risks/{linked}")).text
    unlinked = register_store.add_risk(
        db,
        stored_risk("U-1", "Unlinked"),
        None,
    )
    assert client.get(f"/registers/risks/{unlinked}").status_code == 404
    assert client.get("/registers/risks").status_code == 403
    assert client.get("/registers/risks/new").status_code == 403


def test_an_auditor_reads_everything_and_changes_nothing(client, db, client_as):
    client_as("auditor", client=client)
    page = read_page(client.get("/registers/risks"))
    assert "Add a risk" not in page.text
    assert client.get("/registers/risks/new").status_code == 403
    assert client.get("/registers/eqias/1").status_code == 200
    response = client.post(
        f"/registers/risks/{risk_id_of(db, 'CEX-R01')}/links",
        data={"target": "value:one-team", "csrf_token": csrf_token(page_html(client))},
    )
    assert response.status_code == 403


def page_html(client):
    return client.get("/registers/risks").get_data(as_text=True)


def test_the_exposure_page_ranks_linked_risks_by_teams_below_the_threshold(officer):
    page = read_page(officer.get("/registers/exposure"))
    assert page.h1 == ["Risks exposed by low maturity"]
    assert "ranked by how many teams signed off in 2024/25 score below 2.5" in page.text
    assert "CEX-R01: Digitally excluded residents cannot reach services" in page.text
    assert "Where teams score low" in page.text


def user_id_of(db, email):
    return db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()[0]


def propose(officer, db) -> int:
    round_ = store.current_round(db)
    response = post(
        officer,
        "/registers/risks/propose",
        {"target": "readiness_area:customer-insight", "round_id": str(round_["id"])},
        "/registers/exposure",
    )
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_a_proposed_risk_is_raised_in_one_step_and_waits_for_an_owner(officer, db):
    risk_id = propose(officer, db)
    page = read_page(officer.get(f"/registers/risks/{risk_id}"))
    assert "PROP-01: Low maturity in Customer insight and business intelligence" in page.h1[0]
    assert "Choose its owner from the service's users" in page.text
    assert "it joins the register when its owner accepts it" in page.text
    assert "The council average in Readiness area: Customer insight" in page.text
    assert "Needs an owner" in page.text
    assert register_store.risk(db, risk_id)["status"] == "proposed"
    register = read_page(officer.get("/registers/risks?sort=ref")).text
    assert "PROP-01" not in register.split("Proposed risks")[0]
    assert "PROP-01: Low maturity" in register.split("Proposed risks")[-1]


def choose_owner(officer, db, risk_id, user_id):
    url = f"/registers/risks/{risk_id}/edit"
    data = risk_form(
        ref="PROP-01",
        title="Low maturity in customer insight",
        owner="",
        owner_user_id=str(user_id) if user_id else "",
    )
    return post(officer, url, data)


def test_business_improvement_chooses_the_owner_from_the_services_users(officer, db):
    risk_id = propose(officer, db)
    html = officer.get(f"/registers/risks/{risk_id}/edit").get_data(as_text=True)
    assert "Priya Shah (priya.shah@council.example), Team lead" in html
    assert "Jo Maxwell" not in html  # an auditor only reads: never an owner
    assert 'name="owner"' not in html  # no free text for a proposed risk
    priya = user_id_of(db, LEAD)
    assert choose_owner(officer, db, risk_id, priya).status_code == 302
    stored = register_store.risk(db, risk_id)
    assert (stored["owner_user_id"], stored["owner"]) == (priya, "Priya Shah")
    page = read_page(officer.get("/registers/risks"))
    assert "Waiting for its owner to accept it" in page.text
    refused = post(officer, "/registers/risks/999/edit", {}, f"/registers/risks/{risk_id}")
    assert refused.status_code == 404
    auditor = user_id_of(db, AUDITOR)
    page = read_page(choose_owner(officer, db, risk_id, auditor), 400)
    assert "Choose the owner from the list" in page.text


def test_only_the_owner_accepts_a_proposed_risk_and_it_joins_the_register(client, db, client_as):
    client_as("business_improvement", client=client)
    risk_id = propose(client, db)
    choose_owner(client, db, risk_id, user_id_of(db, LEAD))
    accept = f"/registers/risks/{risk_id}/accept"
    assert post(client, accept, {}, f"/registers/risks/{risk_id}").status_code == 403
    assert "Accept this risk" not in read_page(client.get(f"/registers/risks/{risk_id}")).text

    client_as("team_lead", client=client)
    home = read_page(client.get("/"))
    assert "Proposed risks for you" in home.text
    assert "PROP-01: Low maturity in customer insight" in home.text
    page = read_page(client.get(f"/registers/risks/{risk_id}"))
    assert "Accept this risk" in page.text and "Decline this risk" in page.text
    response = post(client, accept, {}, f"/registers/risks/{risk_id}")
    page = read_page(client.get(response.headers["Location"]))
    assert "You accepted risk PROP-01: it is now on the register." in page.text
    stored = register_store.risk(db, risk_id)
    assert (stored["status"], stored["accepted_by"]) == ("open", user_id_of(db, LEAD))
    assert "Proposed risks for you" not in read_page(client.get("/")).text
    (decision,) = register_store.owner_decisions(db, risk_id)
    assert (decision["decision"], decision["owner_name"]) == ("accepted", "Priya Shah")
    assert db.execute(
        "SELECT count(*) FROM audit_events WHERE action = 'accept' AND entity_id = ?",
        [str(risk_id)],
    ).fetchone()[0]


def test_another_team_lead_cannot_read_accept_or_decline_someone_elses_proposal(
    client, db, client_as
):
    client_as("business_improvement", client=client)
    risk_id = propose(client, db)
    choose_owner(client, db, risk_id, user_id_of(db, LEAD))
    client_as("team_lead", "tom.reed@council.example", client=client)
    assert client.get(f"/registers/risks/{risk_id}").status_code == 404
    assert client.get(f"/registers/risks/{risk_id}/decline").status_code == 403
    accept = f"/registers/risks/{risk_id}/accept"
    assert post(client, accept, {}, "/").status_code == 403
    assert register_store.risk(db, risk_id)["status"] == "proposed"


def test_the_owner_declines_with_a_reason_that_is_kept_and_business_improvement_sees_it(
    client, db, client_as
):
    client_as("business_improvement", client=client)
    risk_id = propose(client, db)
    choose_owner(client, db, risk_id, user_id_of(db, LEAD))
    client_as("team_lead", client=client)
    url = f"/registers/risks/{risk_id}/decline"
    page = read_page(client.get(url))
    assert page.h1 == ["Decline risk PROP-01"]
    page = read_page(post(client, url, {"reason": "  "}), 400)
    assert page.title.startswith("Error:")
    assert "Say why you are declining this risk" in page.text
    response = post(client, url, {"reason": "Customer insight belongs to the BI team"})
    assert response.headers["Location"].endswith("/")
    assert "You declined risk PROP-01" in read_page(client.get("/")).text
    stored = register_store.risk(db, risk_id)
    assert (stored["status"], stored["owner_user_id"], stored["owner"]) == ("proposed", None, "")

    client_as("business_improvement", client=client)
    page = read_page(client.get(f"/registers/risks/{risk_id}"))
    assert "Declined by its owner: choose another owner" in page.text
    assert "Priya Shah declined the risk. Reason: Customer insight belongs to the BI team" in (
        page.text
    )
    assert "Declined by its owner" in read_page(client.get("/registers/risks")).text
    event = db.execute(
        "SELECT before, after FROM audit_events WHERE action = 'decline' ORDER BY id DESC"
    ).fetchone()
    assert "Priya Shah" in event[0] and "Customer insight belongs to the BI team" in event[1]


def test_an_administrator_may_accept_for_the_owner_and_it_says_so(client, db, client_as):
    client_as("business_improvement", client=client)
    risk_id = propose(client, db)
    choose_owner(client, db, risk_id, user_id_of(db, LEAD))
    client_as("administrator", client=client)
    page = read_page(client.get(f"/registers/risks/{risk_id}"))
    assert "Accept this risk for Priya Shah" in page.text
    response = post(client, f"/registers/risks/{risk_id}/accept", {}, f"/registers/risks/{risk_id}")
    page = read_page(client.get(response.headers["Location"]))
    assert "You accepted risk PROP-01 for Priya Shah" in page.text
    assert "(recorded by Alex Morgan)" in page.text


def test_a_typed_in_owner_on_an_open_risk_is_kept_as_text(officer, db):
    risk_id = risk_id_of(db, "CEX-R04")
    current = register_store.risk(db, risk_id)
    data = risk_form(
        ref="CEX-R04",
        title=current["title"],
        owner="Head of Customer Services",
        current_likelihood=str(current["current_likelihood"]),
        current_impact=str(current["current_impact"]),
    )
    assert post(officer, f"/registers/risks/{risk_id}/edit", data).status_code == 302
    stored = register_store.risk(db, risk_id)
    assert (stored["owner"], stored["owner_user_id"]) == ("Head of Customer Services", None)


# --- actions ------------------------------------------------------------------------------------


def demo_action(db, ref="CEX-R01"):
    risk_id = risk_id_of(db, ref)
    (action,) = register_store.actions_of(db, "risk", risk_id)
    return risk_id, action


def test_an_overdue_action_is_tagged_on_the_risk_and_a_done_one_is_not(officer, db):
    risk_id, action = demo_action(db)
    page = read_page(officer.get(f"/registers/risks/{risk_id}"))
    assert action["due_on"] < "2026-01-01"
    actions = page.text.split("Actions", 1)[1].split("Add an action")[0]
    assert "In progress Overdue" in actions
    register_store.update_register_action(
        db, action["id"], {"status": "done", "completion_note": "Controls reviewed"}, None
    )
    actions = read_page(officer.get(f"/registers/risks/{risk_id}")).text.split("Actions", 1)[1]
    assert "Overdue" not in actions.split("Add an action")[0]
    assert "What was done: Controls reviewed" in actions


def action_data(**changes):
    return {
        "what": "Review controls with the Contact Centre",
        "owner": "Head of Customer Services",
        "due_on_day": "30",
        "due_on_month": "6",
        "due_on_year": "2031",
        "status": "in_progress",
        "completion_note": "",
        **changes,
    }


def test_an_action_is_changed_field_by_field_and_audited_before_and_after(officer, db):
    risk_id, action = demo_action(db)
    url = f"/registers/risks/{risk_id}/actions/{action['id']}"
    page = read_page(officer.get(url))
    assert page.h1 == ["Change an action"]
    assert action["what"] in page.text
    response = post(officer, url, action_data())
    assert response.headers["Location"].endswith(f"/registers/risks/{risk_id}#actions")
    stored = register_store.register_action(db, action["id"])
    assert (stored["what"], stored["due_on"]) == (
        "Review controls with the Contact Centre",
        "2031-06-30",
    )
    event = db.execute(
        "SELECT before, after FROM audit_events WHERE entity = 'register_action' "
        "AND action = 'update' ORDER BY id DESC"
    ).fetchone()
    assert action["what"] in event[0] and "Review controls with the Contact Centre" in event[1]
    assert "2031-06-30" in event[1] and action["due_on"] in event[0]


def test_marking_an_action_done_needs_a_note_of_what_was_done(officer, db):
    risk_id, action = demo_action(db)
    edit = f"/registers/risks/{risk_id}/actions/{action['id']}"
    page = read_page(post(officer, edit, action_data(status="done")), 400)
    assert "Say what was done before you mark the action done" in page.text
    url = f"/registers/risks/{risk_id}/actions/{action['id']}/done"
    page = read_page(officer.get(url))
    assert page.h1 == ["Mark an action as done"]
    page = read_page(post(officer, url, {"completion_note": ""}), 400)
    assert page.title.startswith("Error: Mark an action as done")
    assert register_store.register_action(db, action["id"])["status"] == "in_progress"
    response = post(officer, url, {"completion_note": "Controls reviewed at the risk board"})
    page = read_page(officer.get(response.headers["Location"].split("#")[0]))
    assert "Action closed." in page.text
    stored = register_store.register_action(db, action["id"])
    assert (stored["status"], stored["completion_note"]) == (
        "done",
        "Controls reviewed at the risk board",
    )
    assert stored["closed_at"] and stored["closed_by"] == user_id_of(db, OFFICER)
    event = db.execute(
        "SELECT before, after FROM audit_events WHERE entity = 'register_action' "
        "AND action = 'close' ORDER BY id DESC"
    ).fetchone()
    assert '"status": "in_progress"' in event[0] and '"status": "done"' in event[1]


def test_an_eqia_action_is_changed_and_closed_on_the_eqia_page(officer, db):
    eqia_id = db.execute("SELECT id FROM eqias WHERE ref = 'CEX-EQIA-01'").fetchone()[0]
    (action,) = register_store.actions_of(db, "eqia", eqia_id)
    page = read_page(officer.get(f"/registers/eqias/{eqia_id}"))
    assert "Mark as done" in page.text and "Overdue" in page.text
    url = f"/registers/eqias/{eqia_id}/actions/{action['id']}/done"
    post(officer, url, {"completion_note": "Ten pages translated into Polish and Urdu"})
    page = read_page(officer.get(f"/registers/eqias/{eqia_id}"))
    assert "What was done: Ten pages translated into Polish and Urdu" in page.text


def test_an_action_of_another_entry_is_not_found_there(officer, db):
    _, action = demo_action(db, "CEX-R01")
    other = risk_id_of(db, "CEX-R02")
    assert officer.get(f"/registers/risks/{other}/actions/{action['id']}").status_code == 404
    eqia_id = db.execute("SELECT id FROM eqias").fetchone()[0]
    assert officer.get(f"/registers/eqias/{eqia_id}/actions/{action['id']}").status_code == 404


def test_a_new_action_cannot_start_as_done(officer, db):
    risk_id = risk_id_of(db, "CEX-R02")
    url = f"/registers/risks/{risk_id}/actions/new"
    assert 'value="done"' not in officer.get(url).get_data(as_text=True)
    page = read_page(post(officer, url, action_data(status="done")), 400)
    assert "Choose the action’s status" in page.text


# --- the risk matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "caption"),
    [("inherent", "inherent (before controls) scores"), ("target", "target scores"),
     ("current", "current scores"), ("nonsense", "current scores")],
)  # fmt: skip
def test_the_matrix_shows_inherent_current_or_target_scores(
    app, officer, stage, caption, chart_renderer
):
    page = read_page(officer.get(f"/registers/risks?stage={stage}&band=Red"))
    assert f"The risk matrix as a table ({caption})" in page.text
    assert "risk matrix chart is being prepared" in page.text
    draw_charts(app)
    html = officer.get(f"/registers/risks?stage={stage}&band=Red").get_data(as_text=True)
    assert f"band=Red&amp;stage={stage if stage != 'nonsense' else 'current'}" in html
    svg = officer.get(f"/registers/risks/matrix.svg?stage={stage}").get_data(as_text=True)
    title = {"inherent": "Inherent", "target": "Target"}.get(stage, "Current")
    assert f"{title} risk scores: likelihood by impact" in svg


def test_the_target_matrix_counts_each_risk_at_its_target_cell(officer, db):
    page = read_page(officer.get("/registers/risks?stage=target"))
    table = page.text.split("The risk matrix as a table")[1].split("Proposed risks")[0]
    targets = db.execute(
        "SELECT count(*) FROM risks WHERE status = 'open' AND target_likelihood = 2 "
        "AND target_impact = 3"
    ).fetchone()[0]
    assert f"2 Unlikely 3 Moderate 6 Amber {targets}" in table


def test_the_score_history_shows_the_direction_of_travel_at_each_review(officer, db):
    risk_id = risk_id_of(db, "CEX-R01")
    page = read_page(officer.get(f"/registers/risks/{risk_id}"))
    history = page.text.split("Score history")[1]
    assert "Direction of travel: Improving" in history
    assert "20 Red New" in history and "16 Red Improving" in history


def csv_file(*rows: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(("\n".join([HEADINGS, *rows]) + "\n").encode()), "register.csv"


GOOD = (
    "IMP-1,Contact centre cannot recruit,Pay,Vacancies,Longer waits,People,Head of Customer "
    "Services,2024-06-01,4,3,3,3,2,2,Treat,Agency staff,,2025-06-01,value:one-team"
)
BAD = (
    "IMP-2,Payments platform fails,Old system,Outage,No payments,Delivery,Head of Digital,"
    "2024-06-01,4,3,7,3,2,2,Treat,,,,readiness_area:digital-access"
)


def test_an_import_with_a_bad_row_names_the_row_and_column_and_writes_nothing(officer, db):
    before = db["risks"].count
    response = post(
        officer,
        "/registers/import",
        {"kind": "risk", "file": csv_file(GOOD, BAD)},
        content_type="multipart/form-data",
    )
    page = read_page(response, 400)
    assert "The file was not imported" in page.text
    assert "Row 3, column ‘Current likelihood’: The current likelihood must be a whole number " \
        "from 1 to 5" in page.text  # fmt: skip
    assert page.title.startswith("Error:")
    assert db["risks"].count == before


def test_a_valid_import_is_previewed_then_written_with_its_links(officer, db):
    response = post(
        officer,
        "/registers/import",
        {"kind": "risk", "file": csv_file(GOOD)},
        content_type="multipart/form-data",
    )
    page = read_page(response)
    assert "Every row is valid. Nothing has been saved yet." in page.text
    assert db.execute("SELECT count(*) FROM risks WHERE ref = 'IMP-1'").fetchone()[0] == 0
    token = import_token(response)
    response = post(
        officer, "/registers/import", {"kind": "risk", "confirm": "yes", "token": token}
    )
    assert response.status_code == 302
    assert "Imported 1 risk." in read_page(officer.get(response.headers["Location"])).text
    risk_id = risk_id_of(db, "IMP-1")
    links = register_store.links_of(db, "risk", risk_id)
    assert [(link["dimension"], link["member"]) for link in links] == [("value", "one-team")]


def test_an_xlsx_register_is_read_like_a_csv(officer):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADINGS.split(","))
    sheet.append(BAD.split(","))
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    response = post(
        officer,
        "/registers/import",
        {"kind": "risk", "file": (data, "register.xlsx")},
        content_type="multipart/form-data",
    )
    assert "Row 2, column ‘Current likelihood’" in read_page(response, 400).text


def test_the_register_and_eqias_export_as_csv_and_xlsx(officer, db):
    # The audit export's columns less provenance (assess/store/register_exports.py), with the
    # RAG band and direction of travel the register page shows.
    text = officer.get("/registers/risks/export.csv").get_data().decode("utf-8-sig")
    risks = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(risks[0]) == [
        *(name for name, _ in without_provenance(RISKS)),
        "current_band",
        "direction_of_travel",
    ]
    assert "created_at" not in risks[0], "provenance is the audit export's"
    [risk] = [r for r in risks if r["ref"] == "CEX-R01"]
    assert risk["title"] == "Digitally excluded residents cannot reach services"
    assert risk["current_band"] in ("Green", "Amber", "Red") and risk["direction_of_travel"]
    assert len(risks) == db["risks"].count
    book = load_workbook(io.BytesIO(officer.get("/registers/eqias/export.xlsx").get_data()))
    assert book.sheetnames == ["Equality impact assessments"], "no About sheet on a page download"
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("eqia_id", "ref", "title")
    assert rows[0][-8:] == (
        "group", "impact", "severity", "group_evidence", "mitigation",
        "strand", "strand_impact", "strand_note",
    )  # fmt: skip
    group, strand = rows[0].index("group"), rows[0].index("strand")
    assert {r[group] for r in rows[1:]} >= {"Age", "Disability", "Digitally excluded people"}
    assert {r[strand] for r in rows[1:]} >= {"citizen-focused", "inclusive-access"}
    assert len(rows) - 1 == db["eqia_impacts"].count + db["eqia_strand_impacts"].count, (
        "one row per EqIA and group, and per EqIA and strand"
    )
    assert db.execute("SELECT count(*) FROM audit_events WHERE action = 'export'").fetchone()[0]


def test_an_exported_register_imports_back_cleanly_as_a_preview(officer, db):
    text = officer.get("/registers/risks/export.csv").get_data()
    db.execute("DELETE FROM register_links")
    db.execute("DELETE FROM register_actions")
    db.execute("DELETE FROM risk_scores")
    db.execute("DELETE FROM risks")
    db.conn.commit()
    response = post(
        officer,
        "/registers/import",
        {"kind": "risk", "file": (io.BytesIO(text), "risk-register.csv")},
        content_type="multipart/form-data",
    )
    assert "Every row is valid" in read_page(response).text


def test_an_eqia_with_a_negative_impact_needs_its_severity(officer, db):
    eqia_id = db.execute("SELECT id FROM eqias").fetchone()[0]
    url = f"/registers/eqias/{eqia_id}/edit"
    html = officer.get(url).get_data(as_text=True)
    assert "Armed forces community" in html and "Sexual orientation" in html
    data = {"ref": "CEX-EQIA-01", "title": "Citizen Experience strategy"}
    for index in range(16):
        data[f"g{index}-impact"] = "Neutral"
    data["g0-impact"] = "Negative"
    page = read_page(post(officer, url, data), 400)
    assert "Age: Give the severity of a negative impact: High, Medium or Low" in page.text
    data["g0-severity"] = "High"
    assert post(officer, url, data).status_code == 302
    impacts = {i["group_name"]: i for i in register_store.impacts_of(db, eqia_id)}
    assert impacts["Age"]["severity"] == "High" and impacts["Sex"]["impact"] == "Neutral"


def submitted_in_current_round(db):
    row = db.execute(
        """SELECT a.id, a.team_id, a.round_id, t.name FROM assessments a
           JOIN rounds r ON r.id = a.round_id JOIN teams t ON t.id = a.team_id
           WHERE r.status = 'open' AND a.status = 'submitted' ORDER BY a.id LIMIT 1"""
    ).fetchone()
    assert row, "the demo has a submitted assessment in the open round"
    return row


def test_signing_off_a_low_inclusion_score_prompts_a_review_of_the_linked_eqia(
    instance, db, client_as
):
    db.execute("DELETE FROM eqia_review_prompts")
    db.conn.commit()
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "t", "RISK_LOW_SCORE": 5.0}, instance_path=instance
    )
    client = client_as("business_improvement", client=app.test_client())
    read_page(client.get("/registers/eqias"))
    client.get("/registers/exposure")
    assert db.execute("SELECT count(*) FROM eqia_review_prompts").fetchone()[0] == 0, (
        "reading a page raises nothing"
    )
    _, team_id, round_id, team = submitted_in_current_round(db)
    review = f"/rounds/{round_id}/teams/{team_id}"
    response = post(client, review + "/sign-off", {}, review)
    page = read_page(client.get(response.headers["Location"]))
    assert "calls for a review of CEX-EQIA-01" in page.text
    page = read_page(client.get("/registers/eqias"))
    assert "Reviews prompted by Inclusion & Respect scores" in page.text
    assert f"{team} scored" in page.text and "for Inclusion & Respect in 2024/25, below 5" in (
        page.text
    )
    (prompt_id,) = db.execute("SELECT id FROM eqia_review_prompts").fetchone()
    post(
        client,
        f"/registers/eqias/prompts/{prompt_id}",
        {"outcome": "Reviewed with the equalities officer; mitigation for Age added"},
        "/registers/eqias",
    )
    page = read_page(client.get("/registers/eqias"))
    assert "Done: Reviewed with the equalities officer" in page.text
    _, team_id, round_id, _ = submitted_in_current_round(db)
    post(client, f"/rounds/{round_id}/teams/{team_id}/sign-off", {}, review)
    assert db.execute("SELECT count(*) FROM eqia_review_prompts").fetchone()[0] == 1


def test_signing_off_a_good_inclusion_score_prompts_nothing(instance, db, client_as):
    db.execute("DELETE FROM eqia_review_prompts")
    db.conn.commit()
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "t", "RISK_LOW_SCORE": 0.5, "CHANGE_THRESHOLD": 9.0},
        instance_path=instance,
    )
    client = client_as("business_improvement", client=app.test_client())
    _, team_id, round_id, _ = submitted_in_current_round(db)
    review = f"/rounds/{round_id}/teams/{team_id}"
    response = post(client, review + "/sign-off", {}, review)
    assert "calls for a review" not in read_page(client.get(response.headers["Location"])).text
    assert db.execute("SELECT count(*) FROM eqia_review_prompts").fetchone()[0] == 0


def test_a_council_with_a_four_by_four_matrix_sees_its_own_scale_and_bands(instance, client_as):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "RISK_MATRIX_SIZE": 4,
            "RISK_LIKELIHOOD_LABELS": ["Low", "Medium", "High", "Very high"],
            "RISK_IMPACT_LABELS": ["Minor", "Moderate", "Serious", "Critical"],
            "RISK_GREEN_MAX": 3,
            "RISK_AMBER_MAX": 8,
        },
        instance_path=instance,
    )
    client = client_as("business_improvement", client=app.test_client())
    page = read_page(client.get("/registers/risks"))
    assert "on a 4 by 4 matrix; bands: Green 1 to 3, Amber 4 to 8, Red 9 to 16." in page.text
    html = client.get("/registers/risks/new").get_data(as_text=True)
    assert "4 Very high" in html and "5 " + "Almost certain" not in html
    page = read_page(post(client, "/registers/risks/new", risk_form(current_likelihood="5")), 400)
    assert "The current likelihood must be a whole number from 1 to 4" in page.text


def test_contradictory_risk_settings_stop_the_app_with_a_message(instance):
    with pytest.raises(ValueError, match="RISK_GREEN_MAX"):
        create_app(
            {"TESTING": True, "SECRET_KEY": "t", "RISK_GREEN_MAX": 20}, instance_path=instance
        )


def import_token(response) -> str:
    """The checked import's token: the rows themselves stay on the server."""
    return hidden_fields(response.get_data(as_text=True))["token"]


def test_an_eqia_file_is_checked_group_by_group_then_imported(officer, db):
    exported = officer.get("/registers/eqias/export.csv").get_data().decode("utf-8-sig")
    heading, *lines = exported.splitlines()
    strategy = "\r\n".join([heading, *(line for line in lines if "CEX-EQIA-01" in line)])
    copy = strategy.replace("CEX-EQIA-01", "HSG-EQIA-02")
    bad = copy.replace(',"Carers",', ',"Left-handed people",', 1)
    response = post(
        officer,
        "/registers/import",
        {"kind": "eqia", "file": (io.BytesIO(bad.encode()), "eqia.csv")},
        content_type="multipart/form-data",
    )
    row = bad.splitlines().index(next(r for r in bad.splitlines() if "Left-handed" in r)) + 1
    assert (  # the column as the exported file heads it
        f"Row {row}, column ‘group’: ‘Left-handed people’ is not one of the groups an EqIA covers"
        in read_page(response, 400).text
    )
    response = post(
        officer,
        "/registers/import",
        {"kind": "eqia", "file": (io.BytesIO(copy.encode()), "eqia.csv")},
        content_type="multipart/form-data",
    )
    assert "Every row is valid" in read_page(response).text
    confirm = {"kind": "eqia", "confirm": "yes", "token": import_token(response)}
    response = post(officer, "/registers/import", confirm)
    assert response.headers["Location"].endswith("/registers/eqias")
    eqia_id = db.execute("SELECT id FROM eqias WHERE ref = 'HSG-EQIA-02'").fetchone()[0]
    assert len(register_store.impacts_of(db, eqia_id)) == 16
    assert len(register_store.links_of(db, "eqia", eqia_id)) == 4


def test_a_team_lead_reading_an_eqia_sees_no_review_prompt_naming_other_teams(client_as, db):
    prompted = db.execute("SELECT eqia_id, reason FROM eqia_review_prompts ORDER BY id").fetchall()
    assert prompted, "the demo raises EqIA review prompts"
    lead, officer = client_as("team_lead"), client_as("business_improvement")
    shown_to_lead = 0
    for eqia_id, reason in prompted:
        reason = html.escape(reason, quote=False)
        assert reason in officer.get(f"/registers/eqias/{eqia_id}").get_data(as_text=True)
        page = lead.get(f"/registers/eqias/{eqia_id}")
        if page.status_code == 200:
            shown_to_lead += 1
            assert reason not in page.get_data(as_text=True)
        else:
            assert page.status_code == 404
    assert shown_to_lead, "the lead can read at least one prompted EqIA (linked to results)"
