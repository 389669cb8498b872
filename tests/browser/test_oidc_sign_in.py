"""Signing in with the council's account in a real browser: chromium goes from assess's sign-in
page through a real OpenID Connect provider's pages (oidc-provider-mock on loopback) and back,
under assess's Content-Security-Policy, and signs out of both."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from assess.web.app import create_app
from tests.browser.conftest import LiveServer
from tests.browser.helpers import assert_accessible
from tests.conftest import PEOPLE, running_renderer, set_provider_user

pytestmark = pytest.mark.browser


@pytest.fixture
def oidc_live_server(instance, oidc_provider):
    """The app, signing in with the provider, on a free port for one test."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "browser-tests",
        "OIDC_ISSUER": oidc_provider,
        "OIDC_CLIENT_ID": "assess",
        "OIDC_CLIENT_SECRET": "browser-secret",
    }
    app = create_app(config, instance_path=instance)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    with running_renderer(app):
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", instance=instance)
    server.shutdown()
    thread.join()
    server.server_close()


def test_signing_in_with_the_council_account_lands_on_the_home_page(
    oidc_live_server, oidc_provider, page
):
    set_provider_user(oidc_provider, "priya-in-chromium", email=PEOPLE["team_lead"])
    page.goto(f"{oidc_live_server.url}/sign-in")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in with your council account").click()

    # the provider's own page: who to sign in as
    page.get_by_placeholder("sub").fill("priya-in-chromium")
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(f"{oidc_live_server.url}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Hello, Priya Shah.")
    expect(main).to_contain_text("Housing Needs")

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.get_by_role("button", name="End session").click()  # the provider asks
    expect(page).to_have_url(re.compile(re.escape(f"{oidc_live_server.url}/signed-out") + r"\b"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    page.goto(f"{oidc_live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
