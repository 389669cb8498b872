"""Structured logs: what a log collector receives on stdout for each request."""

from __future__ import annotations

import json

import pytest

from assess.web.app import create_app
from tests.conftest import sign_in


@pytest.fixture
def logged(capsys, instance):
    """Builds, inside the test (once stdout is captured), an app whose logs it reads."""

    def build():
        app = create_app({"TESTING": True, "SECRET_KEY": "test"}, instance_path=instance)
        return app, lambda: [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    return build


def test_each_request_is_one_json_line_with_its_outcome_and_id(logged):
    app, lines = logged()
    response = app.test_client().get("/sign-in")
    [line] = [entry for entry in lines() if entry["logger"] == "assess.requests"]
    assert line["method"] == "GET" and line["path"] == "/sign-in" and line["status"] == 200
    assert line["level"] == "info" and line["message"] == "GET /sign-in 200"
    assert line["duration_ms"] >= 0 and line["user_id"] is None
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["time"].endswith("+00:00")


def test_a_signed_in_users_requests_carry_their_id_and_never_their_password(logged):
    app, lines = logged()
    client = app.test_client()
    sign_in(client, "priya.shah@council.example")
    client.get("/")
    entries = lines()
    assert "assess-demo-2025" not in json.dumps(entries)
    home = [e for e in entries if e.get("path") == "/" and e["logger"] == "assess.requests"]
    assert home and home[-1]["user_id"] is not None


@pytest.mark.parametrize(
    ("sent", "kept"), [("abc-123.x", True), ("id; injected=1 <x>", False), ("x" * 65, False)]
)
def test_a_callers_request_id_is_kept_only_if_it_is_sane(logged, sent, kept):
    app, lines = logged()
    response = app.test_client().get("/sign-in", headers={"X-Request-ID": sent})
    assert (response.headers["X-Request-ID"] == sent) is kept
    assert len(response.headers["X-Request-ID"]) <= 64


def test_a_failure_is_logged_as_an_error_with_its_traceback_and_the_same_request_id(logged):
    app, lines = logged()

    def broken():
        raise RuntimeError("the disk is on fire")

    app.add_url_rule("/broken", view_func=broken)
    app.testing = False  # answer 500 as production does, rather than raise into the test
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    entries = lines()
    [error] = [e for e in entries if e["level"] == "error"]
    assert "RuntimeError: the disk is on fire" in error["exception"]
    [request] = [e for e in entries if e["logger"] == "assess.requests"]
    assert request["status"] == 500
    assert error["request_id"] == request["request_id"] == response.headers["X-Request-ID"]


def test_text_logs_for_a_developers_terminal(capsys, instance):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "LOG_FORMAT": "text"}, instance_path=instance
    )
    app.test_client().get("/sign-in")
    out = capsys.readouterr().out
    assert "INFO assess.requests: GET /sign-in 200" in out
    assert not out.lstrip().startswith("{")
