"""Sessions end when they should: a cookie copied before sign-out, deactivation or a role change
is refused after it, on every browser the user had signed in on, and nobody else's is touched."""

from __future__ import annotations

from assess import store
from tests.conftest import PEOPLE, csrf_token, read_page, sign_in


def copy_of(client, app):
    """A second browser holding the same session cookie (as someone who copied it would)."""
    cookie = client.get_cookie("session")
    assert cookie is not None, "the client has no session cookie"
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def refused(client) -> bool:
    response = client.get("/")
    return response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def post(client, url, data):
    return client.post(
        url, data={**data, "csrf_token": csrf_token(client.get(url).get_data(as_text=True))}
    )


def sign_out(client):
    token = csrf_token(client.get("/").get_data(as_text=True))
    return client.post("/sign-out", data={"csrf_token": token})


def test_a_session_cookie_copied_before_sign_out_is_refused_after_it(app, client):
    sign_in(client, PEOPLE["team_lead"])
    copied = copy_of(client, app)
    assert copied.get("/").status_code == 200

    sign_out(client)

    assert refused(copied)
    assert refused(client)


def test_signing_out_ends_the_users_sessions_on_every_browser(app, client_as):
    laptop = client_as("team_lead")
    phone = client_as("team_lead")

    sign_out(laptop)

    assert refused(phone)


def test_signing_out_leaves_other_users_signed_in(app, client_as):
    lead = client_as("team_lead")
    auditor = client_as("auditor")

    sign_out(lead)

    assert auditor.get("/").status_code == 200


def test_deactivating_a_user_ends_their_sessions_at_once(app, db, client_as):
    lead = client_as("other_team_lead")
    auditor = client_as("auditor")
    admin = client_as("administrator")
    assert lead.get("/").status_code == 200
    tom = store.user_by_email(db, PEOPLE["other_team_lead"])

    post(admin, f"/admin/users/{tom['id']}", {"role": "team_lead"})  # "active" left unticked

    assert refused(lead)
    assert auditor.get("/").status_code == 200
    assert admin.get("/admin/").status_code == 200


def test_a_role_change_by_an_administrator_ends_the_users_sessions(app, db, client_as):
    auditor = client_as("auditor")
    lead = client_as("team_lead")
    admin = client_as("administrator")
    assert auditor.get("/").status_code == 200
    jo = store.user_by_email(db, PEOPLE["auditor"])

    post(admin, f"/admin/users/{jo['id']}", {"role": "business_improvement", "active": "y"})

    assert store.user_by_id(db, jo["id"])["role"] == "business_improvement"
    assert refused(auditor)  # signed out, not left signed in with the new role's access
    assert lead.get("/").status_code == 200
    assert admin.get("/admin/").status_code == 200


def test_after_a_role_change_the_user_signs_in_again_with_the_new_role(app, db, client_as):
    admin = client_as("administrator")
    jo = store.user_by_email(db, PEOPLE["auditor"])
    post(admin, f"/admin/users/{jo['id']}", {"role": "business_improvement", "active": "y"})

    client = app.test_client()
    assert sign_in(client, PEOPLE["auditor"]).status_code == 302
    assert client.get("/").status_code == 200


def test_changing_only_a_users_teams_leaves_them_signed_in(app, db, client_as):
    lead = client_as("team_lead")
    admin = client_as("administrator")
    priya = store.user_by_email(db, PEOPLE["team_lead"])
    team_ids = [t["id"] for t in store.teams_of_user(db, priya["id"])]
    other = db.execute(
        f"SELECT id FROM teams WHERE id NOT IN ({','.join('?' * len(team_ids))}) LIMIT 1",
        team_ids,
    ).fetchone()[0]

    post(
        admin,
        f"/admin/users/{priya['id']}",
        {"role": "team_lead", "active": "y", "teams": [*team_ids, other]},
    )

    assert {t["id"] for t in store.teams_of_user(db, priya["id"])} == {*team_ids, other}
    assert lead.get("/").status_code == 200


def test_a_session_from_before_session_versions_is_signed_out(app, db, client_as):
    client = client_as("team_lead")
    with client.session_transaction() as session:
        del session["session_version"]

    assert refused(client)


def test_ending_sessions_raises_only_that_users_session_version(db):
    priya = store.user_by_email(db, PEOPLE["team_lead"])
    jo = store.user_by_email(db, PEOPLE["auditor"])

    store.end_sessions(db, priya["id"])

    assert store.user_by_id(db, priya["id"])["session_version"] == priya["session_version"] + 1
    assert store.user_by_id(db, jo["id"])["session_version"] == jo["session_version"]


def test_a_new_temporary_password_ends_every_session_and_only_it_signs_in(app, client_as, db):
    lead = client_as("team_lead")
    assert lead.get("/").status_code == 200
    admin = client_as("administrator")
    user = store.user_by_email(db, PEOPLE["team_lead"])
    url = f"/admin/users/{user['id']}/password"
    page = read_page(admin.get(url))
    assert page.h1 == [f"Set a new temporary password for {user['name']}"]
    token = csrf_token(admin.get(url).get_data(as_text=True))
    short = admin.post(url, data={"csrf_token": token, "password": "short"})
    assert short.status_code == 400
    assert "The password must be at least 12 characters" in short.get_data(as_text=True)
    assert lead.get("/").status_code == 200, "a refused change ends nothing"
    response = admin.post(url, data={"csrf_token": token, "password": "a new one for priya"})
    assert response.status_code == 302
    assert lead.get("/").status_code == 302, "the old session is signed out"
    event = db.execute(
        "SELECT after FROM audit_events WHERE action = 'set_password' ORDER BY id DESC"
    ).fetchone()
    assert event == ('{"password": "changed"}',)
    fresh = app.test_client()
    assert sign_in(fresh, PEOPLE["team_lead"], "a new one for priya").status_code == 302
    assert sign_in(app.test_client(), PEOPLE["team_lead"]).status_code != 302
