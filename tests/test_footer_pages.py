"""The footer's pages (accessibility statement, privacy notice, cookies) open to anyone, linked
from every page's footer; the council's name in the header and titles is the COUNCIL_NAME
setting, never a placeholder."""

from __future__ import annotations

import pytest

from assess.config import DEFAULTS
from assess.web.app import create_app
from tests.conftest import Page, read_page

FOOTER_PAGES = {
    "/accessibility": "Accessibility statement",
    "/privacy": "Privacy notice",
    "/cookies": "Cookies",
}


@pytest.mark.parametrize("path", list(FOOTER_PAGES))
def test_a_footer_page_opens_without_signing_in(client, path):
    page = read_page(client.get(path))
    assert page.h1 == [FOOTER_PAGES[path]]
    assert page.title == f"{FOOTER_PAGES[path]} – assess – {DEFAULTS['COUNCIL_NAME']}"


@pytest.mark.parametrize("path", list(FOOTER_PAGES))
def test_a_footer_page_opens_when_signed_in(client_as, path):
    response = client_as("team_lead").get(path)
    page = read_page(response)
    assert "Priya Shah" in page.text  # the signed-in header, not a signed-out copy
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/sign-in", "/"])
def test_every_footer_page_is_linked_from_the_footer(client_as, client, path):
    response = (client_as("team_lead") if path == "/" else client).get(path)
    footer = response.get_data(as_text=True).split('class="govuk-footer"', 1)[1]
    links = Page(footer).links
    for href in FOOTER_PAGES:
        assert href in links, f"{path} has no footer link to {href}"


def test_the_placeholder_council_name_appears_nowhere(client):
    html = client.get("/sign-in").get_data(as_text=True)
    assert "City Council" not in html.replace(DEFAULTS["COUNCIL_NAME"], "")
    assert DEFAULTS["COUNCIL_NAME"] in Page(html).title


def test_the_council_name_is_a_setting_shown_in_the_header_titles_and_pages(instance):
    app = create_app({"TESTING": True, "COUNCIL_NAME": "Testborough Council"}, instance)
    client = app.test_client()
    sign_in = client.get("/sign-in").get_data(as_text=True)
    header = sign_in.split("</header>", 1)[0].split("<header", 1)[1]
    assert "Testborough Council" in header
    assert Page(sign_in).title.endswith(" – assess – Testborough Council")
    for path in FOOTER_PAGES:
        page = read_page(client.get(path))
        assert page.title.endswith("Testborough Council")
        assert "Testborough Council" in page.text
        assert DEFAULTS["COUNCIL_NAME"] not in page.text


def test_the_cookies_page_names_the_session_cookie_and_how_long_it_lasts(client):
    page = read_page(client.get("/cookies"))
    assert "session" in page.text
    assert "8 hours after you last used assess" in page.text
    assert "We do not use analytics cookies" in page.text


def test_the_cookies_page_follows_the_session_settings(instance):
    settings = {"SESSION_COOKIE_NAME": "assess_session", "PERMANENT_SESSION_LIFETIME": 1800}
    app = create_app({"TESTING": True, **settings}, instance)
    page = read_page(app.test_client().get("/cookies"))
    assert "assess_session" in page.text
    assert "30 minutes after you last used assess" in page.text


def test_the_privacy_notice_says_how_long_assess_keeps_what_it_keeps(client):
    text = read_page(client.get("/privacy")).text
    assert "not confirmed after 30 minutes" in text
    assert "sign-in attempts from the last 15 minutes" in text
    assert "audit trail for the life of the service" in text
    assert "data protection officer" in text


def test_the_privacy_notice_names_the_configured_contact(instance):
    app = create_app({"TESTING": True, "PRIVACY_CONTACT": "dpo@council.example"}, instance)
    text = read_page(app.test_client().get("/privacy")).text
    assert "contact dpo@council.example." in text


def test_the_accessibility_statement_follows_the_model_statement(client):
    page = read_page(client.get("/accessibility"))
    for words in (
        "How accessible this service is",
        "What to do if you cannot use parts of this service",
        "Reporting accessibility problems",
        "Enforcement procedure",
        "Equality and Human Rights Commission",
        "Equality Commission for Northern Ireland",
        "Technical information",
        "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA",
        "How we tested this service",
        "This statement was prepared on 29 November 2026",
        "within 1 hour of opening",
        "signed out after 8 hours",
    ):
        assert words in page.text, words
