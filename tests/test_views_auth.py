"""Signing in and out, and the home page that shows who you are."""

from __future__ import annotations

import shutil

import pytest

from assess import store
from assess.assessment.questionnaire import QuestionnaireError
from assess.web.app import ConfigurationError, create_app
from assess.web.auth import safe_local_path
from tests.conftest import QUESTIONNAIRES, csrf_token, read_page, sign_in


def test_signing_in_shows_your_name_role_and_teams(client):
    response = sign_in(client, "priya.shah@council.example")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = read_page(client.get("/"))
    assert page.h1 == ["Home"]
    assert "Hello, Priya Shah." in page.text
    assert "Team lead" in page.text
    assert "Housing Needs (Housing)" in page.text


def test_a_business_improvement_officer_is_told_their_role_sees_every_team(client):
    sign_in(client, "sam.okafor@council.example")
    page = read_page(client.get("/"))
    assert "Business improvement" in page.text
    assert "your role sees every team" in page.text


@pytest.mark.parametrize(
    "email, password",
    [
        ("priya.shah@council.example", "wrong password here"),
        ("nobody@council.example", "assess-demo-2025"),
    ],
)
def test_a_wrong_password_or_unknown_email_gets_the_same_error(client, email, password):
    response = sign_in(client, email, password)
    page = read_page(response, status=400)
    assert page.title.startswith("Error: Sign in")
    assert "There is a problem" in page.text
    assert "Enter a correct email address and password" in page.text
    assert f'value="{email}"' in response.get_data(as_text=True)  # what they typed is kept
    assert read_page(client.get("/sign-in")).h1 == ["Sign in"]
    assert client.get("/").status_code == 302


def test_empty_fields_follow_the_error_summary_pattern(client):
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": "", "password": "", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#email">Enter your email address</a>' in html
    assert '<a href="#password">Enter your password</a>' in html
    assert 'aria-describedby="email-error"' in html


def test_signing_in_is_recorded_in_the_audit_log_success_and_failure(client, db):
    sign_in(client, "priya.shah@council.example", "not the password")
    sign_in(client, "priya.shah@council.example")
    actions = [e["action"] for e in store.audit_events(db)[-2:]]
    assert actions == ["sign_in_failed", "sign_in"]


def test_a_deactivated_user_cannot_sign_in(client, db):
    db.execute("UPDATE users SET active = 0 WHERE email = 'jo.maxwell@council.example'")
    response = sign_in(client, "jo.maxwell@council.example")
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_signing_out_ends_the_session(client):
    sign_in(client, "priya.shah@council.example")
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=True)
    assert "You have signed out." in read_page(response).text
    assert client.get("/").headers["Location"].startswith("/sign-in")


def test_a_form_posted_without_its_csrf_token_is_refused(client):
    response = client.post(
        "/sign-in", data={"email": "priya.shah@council.example", "password": "assess-demo-2025"}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_signing_in_only_follows_a_local_next_page(client):
    page = client.get("/sign-in").get_data(as_text=True)
    response = client.post(
        "/sign-in?next=//evil.example/",
        data={
            "email": "priya.shah@council.example",
            "password": "assess-demo-2025",
            "csrf_token": csrf_token(page),
        },
    )
    assert response.headers["Location"] == "/"


def test_a_broken_questionnaire_stops_the_app_from_starting(tmp_path, instance):
    folder = tmp_path / "questionnaires"
    shutil.copytree(QUESTIONNAIRES, folder)
    path = folder / "cex-culture-maturity.yaml"
    path.write_text(path.read_text().replace("  - level: 2\n", "  - level: 7\n", 1))
    with pytest.raises(QuestionnaireError, match="bad scale"):
        create_app({"TESTING": True, "QUESTIONNAIRES": str(folder)}, instance_path=instance)


def test_outside_development_a_secret_key_must_be_set(instance):
    with pytest.raises(ConfigurationError, match="Set a SECRET_KEY"):
        create_app({"ENV_NAME": "production"}, instance_path=instance)


def test_sign_in_is_throttled_after_repeated_failures_for_an_address(app, client, db):
    app.config["SIGN_IN_MAX_FAILURES"] = 3
    for _ in range(3):
        assert sign_in(client, "priya.shah@council.example", "wrong password!").status_code == 400
    refused = sign_in(client, "priya.shah@council.example")  # even the right password, for now
    assert refused.status_code == 429
    assert (
        "too many attempts to sign in with this email address, or from this device. Wait 2 seconds"
        in (read_page(refused, 429).text)
    )
    assert client.get("/").status_code == 302
    other = sign_in(client, "sam.okafor@council.example")  # other addresses are not affected
    assert other.status_code == 302


def test_an_unknown_address_is_throttled_the_same_way_so_nothing_is_revealed(app, client):
    app.config["SIGN_IN_MAX_FAILURES"] = 2
    known = [
        sign_in(client, "priya.shah@council.example", "wrong password!").status_code
        for _ in range(3)
    ]
    unknown = [
        sign_in(client, "nobody@council.example", "wrong password!").status_code for _ in range(3)
    ]
    assert known == unknown == [400, 400, 429]


def test_the_throttle_window_passes(app, client, db):
    app.config["SIGN_IN_MAX_FAILURES"] = 1
    sign_in(client, "priya.shah@council.example", "wrong password!")
    app.config["SIGN_IN_WINDOW_MINUTES"] = 0
    assert sign_in(client, "priya.shah@council.example").status_code == 302


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/registers/eqias/1", "/registers/eqias/1"),
        ("//evil.example/", "/fallback"),
        ("/\\evil.example", "/fallback"),
        ("https://evil.example/", "/fallback"),
        ("", "/fallback"),
        (None, "/fallback"),
    ],
)
def test_redirects_after_a_form_only_ever_go_to_this_site(target, expected):
    assert safe_local_path(target, "/fallback") == expected
