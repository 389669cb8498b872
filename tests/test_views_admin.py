"""Administration: users and roles, directorates and teams, questionnaire versions in use."""

from __future__ import annotations

import pytest

from assess import store
from tests.conftest import csrf_token, read_page, sign_in

ADMIN = "alex.morgan@council.example"


@pytest.fixture
def admin(client_as):
    return client_as("administrator")


def post(client, url, data):
    return client.post(
        url, data={**data, "csrf_token": csrf_token(client.get(url).get_data(as_text=True))}
    )


def test_the_overview_lists_users_directorates_and_questionnaire_versions(admin, db, cex):
    page = read_page(admin.get("/admin/"))
    assert "Priya Shah" in page.text and "Housing Needs" in page.text
    assert cex.version[:12] in page.text
    assert "Law, Governance and People" in page.text


def test_an_administrator_adds_a_user_who_can_then_sign_in(app, admin, db):
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Garden Waste'").fetchone()[0]
    response = post(
        admin,
        "/admin/users/new",
        {
            "name": "Nia Roberts",
            "email": "Nia.Roberts@council.example",
            "role": "team_lead",
            "teams": [team_id],
            "active": "y",
            "password": "a temporary password",
        },
    )
    assert response.status_code == 302
    user = store.user_by_email(db, "nia.roberts@council.example")
    assert [t["name"] for t in store.teams_of_user(db, user["id"])] == ["Garden Waste"]
    newcomer = app.test_client()
    assert (
        sign_in(newcomer, "nia.roberts@council.example", "a temporary password").status_code == 302
    )


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"email": "priya.shah@council.example"},
            "There is already a user with this email address",
        ),
        ({"email": "not an email"}, "Enter an email address in the correct format"),
        ({"password": "short"}, "The password must be at least 12 characters"),
        ({"name": ""}, "Enter the person's name"),
    ],
)
def test_a_new_user_with_wrong_details_is_refused(admin, db, fields, message):
    count = db["users"].count
    response = post(
        admin,
        "/admin/users/new",
        {
            "name": "Nia Roberts",
            "email": "nia@council.example",
            "role": "auditor",
            "password": "a temporary password",
            **fields,
        },
    )
    assert message in read_page(response, status=400).text
    assert db["users"].count == count


def test_a_deactivated_user_cannot_sign_in_and_their_history_stays(app, admin, db):
    lead = store.user_by_email(db, "tom.reed@council.example")

    def history():
        return (
            db.execute(
                "SELECT count(*) FROM audit_events WHERE actor_id = ?", [lead["id"]]
            ).fetchone()[0],
            db.execute(
                "SELECT count(*) FROM answers WHERE answered_by = ?", [lead["id"]]
            ).fetchone()[0],
        )

    events, answers = history()
    assert answers > 0
    post(admin, f"/admin/users/{lead['id']}", {"role": "team_lead"})  # "active" left unticked
    assert store.user_by_id(db, lead["id"])["active"] == 0
    assert sign_in(app.test_client(), "tom.reed@council.example").status_code == 400
    events_after, answers_after = history()
    assert answers_after == answers
    assert events_after == events + 1  # only the refused sign-in was added


def test_changing_a_role_is_recorded_with_before_and_after(admin, db):
    user = store.user_by_email(db, "jo.maxwell@council.example")
    post(admin, f"/admin/users/{user['id']}", {"role": "business_improvement", "active": "y"})
    assert store.user_by_id(db, user["id"])["role"] == "business_improvement"
    event = store.audit_events(db)[-1]
    assert (event["action"], event["entity"]) == ("update", "user")
    assert (
        '"role": "auditor"' in event["before"]
        and '"role": "business_improvement"' in event["after"]
    )


def test_administrators_cannot_lock_themselves_out(admin, db):
    me = store.user_by_email(db, ADMIN)
    response = post(admin, f"/admin/users/{me['id']}", {"role": "auditor", "active": "y"})
    assert "You cannot remove your own administration access" in read_page(response, 400).text
    assert store.user_by_id(db, me["id"])["role"] == "administrator"


def test_teams_and_directorates_are_added_and_a_lead_is_set(admin, db):
    post(admin, "/admin/directorates/new", {"name": "Regeneration", "lead": "0"})
    directorate = db.execute("SELECT id FROM directorates WHERE name = 'Regeneration'").fetchone()
    assert directorate is not None
    post(
        admin,
        "/admin/teams/new",
        {"name": "Town Centre Management", "directorate": str(directorate[0])},
    )
    assert (
        db.execute(
            "SELECT directorate_id FROM teams WHERE name = 'Town Centre Management'"
        ).fetchone()[0]
        == directorate[0]
    )
    head = store.user_by_email(db, "dana.whitfield@council.example")
    post(
        admin,
        f"/admin/directorates/{directorate[0]}",
        {"name": "Regeneration", "lead": str(head["id"])},
    )
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Town Centre Management'").fetchone()[0]
    assert store.directorate_lead_email(db, team_id) == "dana.whitfield@council.example"
    clash = post(
        admin,
        "/admin/teams/new",
        {"name": "Town Centre Management", "directorate": str(directorate[0])},
    )
    assert "There is already a team with this name" in read_page(clash, 400).text


@pytest.mark.parametrize("role", ["team_lead", "business_improvement", "auditor"])
@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/users/new", "/admin/teams/new", "/admin/directorates/new"]
)
def test_only_administrators_reach_administration(client_as, role, url):
    assert client_as(role).get(url).status_code == 403


def test_an_administrator_renames_a_team_and_moves_it_keeping_its_assessments(client_as, db):
    admin = client_as("administrator")
    team_id = store.team_id_by_name(db, "Housing Needs")
    other = db.execute("SELECT id FROM directorates WHERE name = 'Communities'").fetchone()[0]
    assessments = db.execute(
        "SELECT count(*) FROM assessments WHERE team_id = ?", [team_id]
    ).fetchone()[0]
    index = admin.get("/admin/").get_data(as_text=True)
    assert f'href="/admin/teams/{team_id}">Housing Needs</a>' in index
    url = f"/admin/teams/{team_id}"
    token = csrf_token(admin.get(url).get_data(as_text=True))
    taken = admin.post(url, data={"csrf_token": token, "name": "Allocations", "directorate": other})
    assert "There is already a team with this name" in taken.get_data(as_text=True)
    same = admin.post(
        url, data={"csrf_token": token, "name": "Housing Needs", "directorate": other}
    )
    assert same.status_code == 302, "a team keeps its own name"
    renamed = {"csrf_token": token, "name": "Housing Advice", "directorate": other}
    assert admin.post(url, data=renamed).status_code == 302
    team = store.team(db, team_id)
    assert (team["name"], team["directorate_id"]) == ("Housing Advice", other)
    after = db.execute("SELECT count(*) FROM assessments WHERE team_id = ?", [team_id])
    assert after.fetchone()[0] == assessments


def test_an_administrator_renames_a_directorate(client_as, db):
    admin = client_as("administrator")
    directorate_id = db.execute("SELECT id FROM directorates WHERE name = 'Housing'").fetchone()[0]
    url = f"/admin/directorates/{directorate_id}"
    token = csrf_token(admin.get(url).get_data(as_text=True))
    response = admin.post(url, data={"csrf_token": token, "name": "Housing and Homes", "lead": "0"})
    assert response.status_code == 302
    assert db.execute(
        "SELECT name FROM directorates WHERE id = ?", [directorate_id]
    ).fetchone() == ("Housing and Homes",)
    event = db.execute(
        """SELECT before, after FROM audit_events
           WHERE entity = 'directorate' AND action = 'update' ORDER BY id DESC"""
    ).fetchone()
    assert event == ('{"name": "Housing"}', '{"name": "Housing and Homes"}')
