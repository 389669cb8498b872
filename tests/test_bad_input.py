"""Input that once gave a 500: a number too big for a date, required text of only spaces, and
an administrator's new user with a blank name, a password of spaces or hidden characters in the
email address. Each is refused with the GOV.UK error pattern (an error summary linking to the
field, what was typed kept, status 400), or for an import the import page's own message."""

from __future__ import annotations

import io

import pytest

from assess import store
from tests.conftest import csrf_token, hidden_fields, read_page
from tests.samples import risk_form

HUGE = "99999999999999999999"  # int() takes it; date() overflows
SPACES = "   "


def post(client, url, data, form_page=None, **kwargs):
    hidden = hidden_fields(client.get(form_page or url).get_data(as_text=True))
    return client.post(url, data={**hidden, **data}, **kwargs)


def refused(response, field: str, message: str):
    """A 400 whose error summary links to the field and says the message."""
    page = read_page(response, status=400)
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    assert f'href="#{field}"' in html, html
    assert message in page.text, page.text
    assert page.title.startswith("Error:"), page.title
    return html


# --- the team lead's improvement action ---------------------------------------------------------


@pytest.fixture
def action_url(client_as, db, cex):
    lead = client_as("team_lead")
    round_ = store.current_round(db)
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
    url = f"/teams/{team_id}/rounds/{round_['id']}/actions/new?statement={cex.statements[0].key}"
    return lead, url


def action(**fields):
    return {
        "what": "Publish our service standards",
        "owner": "Team leader",
        "due_day": "31",
        "due_month": "3",
        "due_year": "2030",
        "status": "not_started",
        **fields,
    }


@pytest.mark.parametrize("part", ["due_day", "due_month", "due_year"])
def test_an_action_due_date_too_big_to_be_a_date_is_refused(action_url, part):
    lead, url = action_url
    html = refused(post(lead, url, action(**{part: HUGE})), "due_day", "must be a real date")
    assert f'value="{HUGE}"' in html


@pytest.mark.parametrize(
    "field, message", [("what", "Enter what you will do"), ("owner", "Enter who owns the action")]
)
def test_an_action_of_only_spaces_is_refused_like_an_empty_one(action_url, db, field, message):
    lead, url = action_url
    before = db.execute("SELECT count(*) FROM improvement_actions").fetchone()[0]
    refused(post(lead, url, action(**{field: SPACES})), field, message)
    assert db.execute("SELECT count(*) FROM improvement_actions").fetchone()[0] == before


# --- rounds -------------------------------------------------------------------------------------


@pytest.fixture
def officer(client_as):
    return client_as("business_improvement")


def round_form(cex, **fields):
    return {
        "name": "2025/26",
        "opens_day": "1",
        "opens_month": "9",
        "opens_year": "2025",
        "closes_day": "12",
        "closes_month": "12",
        "closes_year": "2025",
        "questionnaire": cex.version,
        "teams": [1],
        **fields,
    }


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"opens_year": HUGE}, "opens_day", "Enter the date the round opens"),
        ({"opens_day": HUGE}, "opens_day", "Enter the date the round opens"),
        ({"closes_month": HUGE}, "closes_day", "Enter the date the round closes"),
        ({"name": SPACES}, "name", "Enter a name for the round"),
    ],
)
def test_a_round_with_a_huge_date_or_a_blank_name_is_refused(officer, db, cex, fields, field,
                                                             message):  # fmt: skip
    count = db.execute("SELECT count(*) FROM rounds").fetchone()[0]
    html = refused(post(officer, "/rounds/new", round_form(cex, **fields)), field, message)
    for value in fields.values():
        if value == HUGE:
            assert f'value="{HUGE}"' in html
    assert db.execute("SELECT count(*) FROM rounds").fetchone()[0] == count


def test_a_return_comment_of_only_spaces_is_refused(officer, db):
    round_ = store.current_round(db)
    team_id, assessment_id = db.execute(
        "SELECT team_id, id FROM assessments WHERE round_id = ? AND status = 'submitted' "
        "ORDER BY id LIMIT 1",
        [round_["id"]],
    ).fetchone()
    review = f"/rounds/{round_['id']}/teams/{team_id}"
    response = post(officer, review + "/return", {"comment": SPACES}, review)
    refused(response, "comment", "Say what the team should change")
    assert store.assessment(db, assessment_id)["status"] == "submitted"


# --- the registers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"raised_on_day": HUGE}, "raised_on_day"),
        ({"next_review_on_month": HUGE}, "next_review_on_day"),
    ],
)
def test_a_risk_date_too_big_to_be_a_date_is_refused(officer, db, fields, field):
    html = refused(post(officer, "/registers/risks/new", risk_form(**fields)), field, "real date")
    assert f'value="{HUGE}"' in html
    assert db.execute("SELECT count(*) FROM risks WHERE ref = 'CEX-R50'").fetchone()[0] == 0


def test_an_eqia_date_too_big_to_be_a_date_is_refused(officer, db):
    count = db.execute("SELECT count(*) FROM eqias").fetchone()[0]
    data = {
        "ref": "EQIA-50",
        "title": "Library opening hours",
        "review_on_day": HUGE,
        "review_on_month": "1",
        "review_on_year": "2030",
    }
    html = refused(post(officer, "/registers/eqias/new", data), "review_on_day", "real date")
    assert f'value="{HUGE}"' in html
    assert db.execute("SELECT count(*) FROM eqias").fetchone()[0] == count


def test_a_register_action_due_date_too_big_to_be_a_date_is_refused(officer, db):
    risk_id = db.execute("SELECT id FROM risks WHERE ref = 'CEX-R02'").fetchone()[0]
    url = f"/registers/risks/{risk_id}/actions/new"
    data = {
        "what": "Review controls",
        "owner": "Head of Customer Services",
        "due_on_day": HUGE,
        "due_on_month": "6",
        "due_on_year": "2031",
        "status": "in_progress",
    }
    html = refused(post(officer, url, data), "due_on_day", "Enter the date the action is due")
    assert f'value="{HUGE}"' in html


HEADINGS = (
    "Ref,Title,Cause,Event,Consequence,Category,Owner,Date raised,Inherent likelihood,"
    "Inherent impact,Current likelihood,Current impact,Target likelihood,Target impact,"
    "Response,Existing controls,Last review,Next review,Links"
)


def test_an_import_with_a_date_too_big_to_be_a_date_names_the_cell(officer, db):
    row = (
        "IMP-1,Contact centre cannot recruit,Pay,Vacancies,Longer waits,People,Head of Customer "
        f"Services,1/1/{HUGE},4,3,3,3,2,2,Treat,Agency staff,,2025-06-01,value:one-team"
    )
    upload = io.BytesIO(f"{HEADINGS}\n{row}\n".encode()), "register.csv"
    url = "/registers/import"
    token = csrf_token(officer.get(url).get_data(as_text=True))
    response = officer.post(
        url,
        data={"kind": "risk", "file": upload, "csrf_token": token},
        content_type="multipart/form-data",
    )
    page = read_page(response, 400)
    assert "The file was not imported" in page.text
    assert "Row 2, column ‘Date raised’: The date raised must be a real date" in page.text
    assert db.execute("SELECT count(*) FROM risks WHERE ref = 'IMP-1'").fetchone()[0] == 0


# --- administration -----------------------------------------------------------------------------


@pytest.fixture
def admin(client_as):
    return client_as("administrator")


@pytest.mark.parametrize(
    "url, data, message",
    [
        ("/admin/teams/new", {"name": SPACES, "directorate": "1"}, "Enter the team's name"),
        ("/admin/directorates/new", {"name": SPACES, "lead": "0"}, "Enter the directorate's name"),
    ],
)
def test_a_team_or_directorate_name_of_only_spaces_is_refused(admin, db, url, data, message):
    teams = db.execute("SELECT count(*) FROM teams").fetchone()[0]
    directorates = db.execute("SELECT count(*) FROM directorates").fetchone()[0]
    refused(post(admin, url, data), "name", message)
    assert db.execute("SELECT count(*) FROM teams").fetchone()[0] == teams
    assert db.execute("SELECT count(*) FROM directorates").fetchone()[0] == directorates


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"name": SPACES}, "name", "Enter the person's name"),
        ({"password": " " * 16}, "password", "The password must not be only spaces"),
        *(
            ({"email": f"nia{c}@council.example"}, "email", "control or hidden characters")
            for c in ("\x00", "\x1b", "\x7f", "\u202e", "\u2066", "\u2069", "\u202a")
        ),
    ],
)
def test_a_new_user_with_a_blank_name_spaces_for_a_password_or_a_hidden_character_is_refused(
    admin, db, fields, field, message
):
    count = db["users"].count
    data = {
        "name": "Nia Roberts",
        "email": "nia@council.example",
        "role": "auditor",
        "password": "a temporary password",
        **fields,
    }
    refused(post(admin, "/admin/users/new", data), field, message)
    assert db["users"].count == count
