"""The service navigation (assess/web/navigation.py): the entries each role sees, where they go,
which one is the current page, and that each one opens for the role that sees it."""

from __future__ import annotations

import pytest
from flask import url_for

from assess.web import navigation
from assess.web.app import create_app

COUNCIL = ["Home", "Rounds", "Trends", "Risks and equality", "Programme", "Audit and exports"]
SEES = {
    "team_lead": ["Home", "Action plan"],
    "business_improvement": COUNCIL,
    "auditor": COUNCIL,
    "administrator": [*COUNCIL, "Administration"],
}


@pytest.fixture(scope="module")
def url_map_app(tmp_path_factory):
    """The app, for its URL map only."""
    folder = tmp_path_factory.mktemp("navigation")
    return create_app({"TESTING": True, "SECRET_KEY": "test"}, instance_path=folder)


@pytest.fixture
def routes(url_map_app):
    """A request of the app's, so that url_for builds its URLs."""
    with url_map_app.test_request_context():
        yield


@pytest.mark.parametrize("role", list(SEES))
def test_each_role_sees_the_entries_its_permissions_allow_in_order(routes, role):
    items = navigation.items_for(role, url_for, "home.index")
    assert [item["text"] for item in items] == SEES[role]


def test_someone_not_signed_in_sees_no_navigation(routes):
    assert navigation.items_for(None, url_for, "auth.sign_in") == []


def test_each_entry_links_to_its_page_and_only_the_current_one_is_marked(routes):
    items = navigation.items_for("administrator", url_for, "rounds.index")
    assert {item["text"]: item["href"] for item in items} == {
        "Home": "/",
        "Rounds": "/rounds/",
        "Trends": "/trends/",
        "Risks and equality": "/registers/risks",
        "Programme": "/programme/indicators",
        "Audit and exports": "/audit/",
        "Administration": "/admin/",
    }
    assert [item["text"] for item in items if item["active"]] == ["Rounds"]


def test_no_entry_is_marked_on_a_page_the_navigation_does_not_list(routes):
    items = navigation.items_for("business_improvement", url_for, "registers.exposure")
    assert not any(item["active"] for item in items)


@pytest.mark.parametrize("role", list(SEES))
def test_every_entry_a_role_sees_opens_for_that_role(client_as, role):
    client = client_as(role)
    with client.application.test_request_context():
        items = navigation.items_for(role, url_for, None)
    opened = {item["href"]: client.get(item["href"]).status_code for item in items}
    assert opened == {item["href"]: 200 for item in items}
