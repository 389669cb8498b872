"""Error pages wear the service's layout, say what went wrong in plain words, offer a way on,
and never show a traceback or an exception's text; the API answers in JSON."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import BadRequest, NotFound

from assess.web import errors
from assess.web.app import create_app
from tests.conftest import csrf_token, read_page


def test_an_unknown_address_is_page_not_found_in_the_services_layout(client_as):
    officer = client_as("business_improvement")
    page = read_page(officer.get("/no-such-page"), 404)
    assert page.h1 == ["Page not found"]
    assert "Page not found – assess" in page.title
    text = page.text
    assert "Rounds" in text and "Sign out" in text, "the header and navigation are there"
    assert 'href="/"' in officer.get("/no-such-page").get_data(as_text=True)


def test_a_page_outside_the_role_says_you_cannot_view_it(client_as):
    lead = client_as("team_lead")
    page = read_page(lead.get("/rounds/"), 403)
    assert page.h1 == ["You cannot view this page"]
    assert "ask an administrator" in page.text


def test_the_wrong_method_is_a_page_with_the_allowed_methods_in_its_header(client):
    response = client.get("/sign-out")
    page = read_page(response, 405)
    assert page.h1 == ["Sorry, there is a problem with what was sent"]
    assert "POST" in response.headers["Allow"]


def test_a_form_without_its_token_says_the_form_expired(client):
    page = read_page(client.post("/sign-in", data={"email": "a@b.c", "password": "x"}), 400)
    assert "The form expired. Go back and try again." in page.text
    assert "CSRF" not in page.text


def test_a_views_own_message_is_kept_and_werkzeugs_default_text_is_not():
    assert errors.own_message(BadRequest("Choose what the file holds")) == (
        "Choose what the file holds"
    )
    assert errors.own_message(BadRequest()) is None
    assert errors.own_message(NotFound()) is None


def test_a_views_own_message_is_shown_on_its_error_page(client_as, db):
    """A team lead's section page posted without its fingerprint of the answers shown."""
    lead = client_as("team_lead")
    team = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
    round_ = db.execute("SELECT id FROM rounds WHERE status = 'open'").fetchone()[0]
    url = f"/teams/{team}/rounds/{round_}/sections/one-team"
    token = csrf_token(lead.get(url).get_data(as_text=True))
    page = read_page(lead.post(url, data={"csrf_token": token}), 400)
    assert "The form expired or was not sent by this service" in page.text


@pytest.fixture
def failing_app(instance):
    """An app with a page that fails as a bug would, and exceptions not passed to the test."""
    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False}, instance_path=instance)

    def broken():
        raise RuntimeError("secret detail: /srv/assess/instance/assess.db")

    app.add_url_rule("/broken", "broken", broken)
    return app


def test_a_failure_is_sorry_there_is_a_problem_and_shows_nothing_of_the_error(failing_app):
    response = failing_app.test_client().get("/broken")
    page = read_page(response, 500)
    assert page.h1 == ["Sorry, there is a problem with the service"]
    body = response.get_data(as_text=True)
    assert "secret detail" not in body and "RuntimeError" not in body and "Traceback" not in body


def test_the_api_answers_errors_in_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json and "error" in response.json


@pytest.mark.parametrize("code", [400, 401, 403, 404, 405, 409, 410, 413, 429, 500, 503])
def test_every_status_has_a_page_with_a_title_and_advice(code):
    page = errors.page_for(code)
    assert page.title and page.advice
    assert (page is errors.PAGES[500]) == (code >= 500)


def test_a_chart_not_drawn_in_time_says_to_try_again_in_the_services_layout(app, client_as):
    """No renderer is running: a download waits `CHART_WAIT_SECONDS`, then says so, politely."""
    app.config["CHART_WAIT_SECONDS"] = 0.2
    response = client_as("business_improvement").get("/registers/risks/matrix.svg")
    page = read_page(response, 503)
    assert page.h1 == ["This chart is being prepared"]
    assert response.headers["Retry-After"] == "60"
    assert "Sign out" in page.text  # the service's header, not a bare page
