"""Signing in with the council's account, against a real OpenID Connect provider on loopback
(oidc-provider-mock: discovery, keys, codes, tokens, sign-out), driven with the test client and
real HTTP to the provider: the app's token exchange and key fetches go over the wire.

Where a test needs the provider to send something wrong (an altered or re-signed token, one
issued to another client), it changes only the token endpoint's HTTP response as Authlib
receives it; nothing of assess's own is stubbed.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import RSAKey

from assess import store
from assess.web.app import ConfigurationError, create_app
from tests.conftest import PEOPLE, csrf_token, read_page
from tests.conftest import set_provider_user as set_user
from tests.test_hostile_input import (
    HOSTILE_TEXT,
    HYPOTHESIS,
    REDIRECTS,
    answer,
    assert_stays_on_this_site,
    encode,
    received,
)

CLIENT_ID = "assess"
CLIENT_SECRET = "client-secret-never-logged"
PRIYA = PEOPLE["team_lead"]


@pytest.fixture
def provider(oidc_provider):
    return oidc_provider


@pytest.fixture
def oidc_app(instance, provider):
    """`oidc_app(**settings)`: the app on a copy of the demo, signing in with the provider."""

    def make(**more):
        config = {
            "TESTING": True,
            "OIDC_ISSUER": provider,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            **more,
        }
        return create_app(config, instance_path=instance)

    return make


@pytest.fixture
def app(oidc_app):
    return oidc_app()


def start(client, next_page: str | None = None):
    """Press "Sign in with your council account": the redirect to the provider."""
    path = "/sign-in" + (f"?next={next_page}" if next_page else "")
    page = client.get(path).get_data(as_text=True)
    assert "Sign in with your council account" in page
    action = "/sign-in/oidc" + (f"?next={next_page}" if next_page else "")
    response = client.post(action, data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.location


def at_provider(authorize_url: str, **form) -> str:
    """Sign in at the provider (its form takes the `sub` to sign in as, or action=deny): the
    callback URL it sends the browser back to."""
    response = requests.post(authorize_url, data=form, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text[:300]
    return response.headers["Location"]


def back_at_assess(client, callback_url: str):
    parts = urlsplit(callback_url)
    assert parts.path == "/sign-in/oidc/callback"
    return client.get(f"{parts.path}?{parts.query}")


def sign_in_with_provider(client, sub: str, next_page: str | None = None):
    return back_at_assess(client, at_provider(start(client, next_page), sub=sub))


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def last_events(db, count: int = 1) -> list[dict]:
    events = store.audit_events(db)[-count:]
    return [{**e, "after": json.loads(e["after"]) if e["after"] else None} for e in events]


# --- who comes in --------------------------------------------------------------------------------


def test_a_known_user_signs_in_and_lands_on_the_home_page(client, provider, db):
    set_user(provider, "priya", email="Priya.Shah@Council.Example", name="Priya Shah")
    response = sign_in_with_provider(client, "priya")
    assert response.status_code == 302 and response.location == "/"
    page = read_page(client.get("/"))
    assert "Hello, Priya Shah." in page.text
    (event,) = last_events(db)
    assert event["action"] == "sign_in"
    assert event["after"] == {"email": PRIYA, "method": "council account"}
    with client.session_transaction() as session:  # the session every page reads, as before
        user = store.user_by_email(db, PRIYA)
        assert session["user_id"] == user["id"]
        assert session["session_version"] == user["session_version"]
        assert not [key for key in session if key.startswith("_state_")]


def test_signing_in_goes_on_to_the_page_asked_for_and_never_off_the_site(client, provider):
    set_user(provider, "sam", email=PEOPLE["business_improvement"])
    assert sign_in_with_provider(client, "sam", "/rounds/").location == "/rounds/"
    other = client.application.test_client()
    assert sign_in_with_provider(other, "sam", "//evil.example/").location == "/"


def test_an_unknown_user_is_refused_and_not_created(client, provider, db):
    set_user(provider, "stranger", email="stranger@council.example", groups=["assess-bi"])
    response = sign_in_with_provider(client, "stranger")
    page = read_page(response, status=403)
    assert page.h1 == ["You could not sign in"]
    assert "not set up to use assess" in page.text
    assert not signed_in(client)
    assert store.user_by_email(db, "stranger@council.example") is None
    (event,) = last_events(db)
    assert event["action"] == "sign_in_refused"
    assert event["after"]["reason"] == "unknown user"


def test_a_deactivated_user_is_refused_with_a_valid_token(client, provider, db):
    db.execute("UPDATE users SET active = 0 WHERE email = ?", [PEOPLE["auditor"]])
    set_user(provider, "jo", email=PEOPLE["auditor"])
    page = read_page(sign_in_with_provider(client, "jo"), status=403)
    assert "turned off" in page.text
    assert not signed_in(client)
    (event,) = last_events(db)
    assert (event["action"], event["after"]["reason"]) == ("sign_in_refused", "deactivated")


def test_an_unverified_email_is_refused(client, provider, db):
    set_user(provider, "unverified", email=PRIYA, email_verified=False)
    read_page(sign_in_with_provider(client, "unverified"), status=403)
    assert not signed_in(client)
    assert last_events(db)[0]["after"]["reason"] == "email not verified"


def test_an_unknown_user_in_a_mapped_group_is_created_with_its_role(oidc_app, provider, db):
    app = oidc_app(OIDC_AUTO_CREATE=True, OIDC_ROLE_GROUPS={"assess-bi": "business_improvement"})
    client = app.test_client()
    set_user(
        provider, "new", email="New.Person@council.example", name="New Person", groups=["assess-bi"]
    )
    assert sign_in_with_provider(client, "new").location == "/"
    assert "Hello, New Person." in read_page(client.get("/")).text
    user = store.user_by_email(db, "new.person@council.example")
    assert (user["name"], user["role"], user["active"]) == ("New Person", "business_improvement", 1)
    actions = [(e["action"], e["after"]) for e in last_events(db, 3)]
    assert actions[1] == (
        "create_from_provider",
        {
            "email": "new.person@council.example",
            "role": "business_improvement",
            "group": "assess-bi",
        },
    )
    assert actions[2][0] == "sign_in"


def test_auto_creation_needs_a_group_that_maps_to_a_role(oidc_app, provider, db):
    app = oidc_app(OIDC_AUTO_CREATE=True, OIDC_ROLE_GROUPS={"assess-bi": "business_improvement"})
    set_user(provider, "outsider", email="outsider@council.example", groups=["finance"])
    read_page(sign_in_with_provider(app.test_client(), "outsider"), status=403)
    assert store.user_by_email(db, "outsider@council.example") is None


# --- what the provider sends is checked ----------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def altered_claims(id_token: str) -> str:
    """The same signature over claims changed to say another user."""
    header, payload, signature = id_token.split(".")
    claims = json.loads(unb64(payload))
    claims["email"] = PEOPLE["administrator"]
    return ".".join([header, b64(json.dumps(claims).encode()), signature])


def resigned(id_token: str) -> str:
    """Claims changed, and signed again with a key that is not the provider's (same key id)."""
    header = json.loads(unb64(id_token.split(".")[0]))
    claims = json.loads(unb64(id_token.split(".")[1]))
    claims["email"] = PEOPLE["administrator"]
    key = RSAKey.generate_key(2048, parameters={"kid": header.get("kid", "k")})
    return jwt.encode({"alg": "RS256", "kid": header.get("kid", "k")}, claims, key)


def unsigned(id_token: str) -> str:
    """alg "none": no signature at all."""
    claims = json.loads(unb64(id_token.split(".")[1]))
    claims["email"] = PEOPLE["administrator"]
    return ".".join([b64(b'{"alg":"none","typ":"JWT"}'), b64(json.dumps(claims).encode()), ""])


@pytest.fixture
def token_response(monkeypatch):
    """`token_response(change)`: the token endpoint's JSON body, as Authlib receives it over
    HTTP, passed through `change` first."""

    def patch(change):
        send = requests.Session.send

        def sending(session, request, **kwargs):
            response = send(session, request, **kwargs)
            if request.url.endswith("/oauth2/token") and response.status_code == 200:
                response._content = json.dumps(change(response.json())).encode()
            return response

        monkeypatch.setattr(requests.Session, "send", sending)

    return patch


@pytest.mark.parametrize("tamper", [altered_claims, resigned, unsigned])
def test_a_tampered_id_token_is_refused(client, provider, db, token_response, tamper):
    set_user(provider, "priya", email=PRIYA)
    token_response(lambda body: {**body, "id_token": tamper(body["id_token"])})
    page = read_page(sign_in_with_provider(client, "priya"), status=400)
    assert "could not be checked" in page.text
    assert not signed_in(client)
    (event,) = last_events(db)
    assert event["after"] == {"email": "", "method": "council account", "reason": "bad token"}


def test_a_token_issued_to_another_client_is_refused(client, provider, token_response):
    """A second client registered at the provider signs the same user in with the same nonce;
    its whole token response is presented to assess."""
    registered = requests.post(
        f"{provider}/oauth2/clients", json={"redirect_uris": ["http://other.example/cb"]}, timeout=5
    ).json()
    set_user(provider, "priya", email=PRIYA)
    authorize = start(client)
    ours = parse_qs(urlsplit(authorize).query)
    theirs = dict(
        client_id=registered["client_id"],
        redirect_uri="http://other.example/cb",
        response_type="code",
        scope="openid email profile",
        nonce=ours["nonce"][0],
        state="theirs",
    )
    other = requests.Request("GET", f"{provider}/oauth2/authorize", params=theirs).prepare()
    code = parse_qs(urlsplit(at_provider(other.url, sub="priya")).query)["code"][0]
    their_tokens = requests.post(
        f"{provider}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": theirs["redirect_uri"],
        },
        auth=(registered["client_id"], registered["client_secret"]),
        timeout=5,
    ).json()
    assert json.loads(unb64(their_tokens["id_token"].split(".")[1]))["aud"] in (
        registered["client_id"],
        [registered["client_id"]],
    )
    token_response(lambda body: their_tokens)
    read_page(back_at_assess(client, at_provider(authorize, sub="priya")), status=400)
    assert not signed_in(client)


@pytest.fixture
def clock(monkeypatch):
    """`clock(seconds)`: move the clock the ID token's times are checked against."""
    import joserfc._rfc7519.claims as claims

    def move(seconds: int):
        monkeypatch.setattr(claims, "_generate_now", lambda: int(time.time()) + seconds)

    return move


def test_an_expired_id_token_is_refused(client, provider, clock, db):
    set_user(provider, "priya", email=PRIYA)
    clock(2 * 60 * 60)  # the provider's tokens last an hour
    read_page(sign_in_with_provider(client, "priya"), status=400)
    assert not signed_in(client)
    assert last_events(db)[0]["after"]["reason"] == "bad token"


@pytest.mark.parametrize("skew, comes_in", [(60, True), (0, False)])
def test_the_clock_skew_setting_is_the_leeway_on_expiry(oidc_app, provider, clock, skew, comes_in):
    client = oidc_app(OIDC_CLOCK_SKEW_SECONDS=skew).test_client()
    set_user(provider, "priya", email=PRIYA)
    clock(60 * 60 + 20)  # 20 seconds after the token expired
    response = sign_in_with_provider(client, "priya")
    assert (response.status_code == 302) is comes_in
    assert signed_in(client) is comes_in


def test_a_callback_used_twice_is_refused_the_second_time(client, provider, db):
    set_user(provider, "priya", email=PRIYA)
    callback = at_provider(start(client), sub="priya")
    assert back_at_assess(client, callback).status_code == 302
    with client.session_transaction() as session:
        session.clear()  # signed out, but the same browser
    page = read_page(back_at_assess(client, callback), status=400)
    assert "already been used" in page.text
    assert not signed_in(client)
    assert last_events(db)[0]["after"]["reason"] == "sign-in not started here, or already used"


def test_a_callback_replayed_with_a_copy_of_the_cookie_is_refused_by_the_provider(
    app, client, provider, db
):
    """Someone holding the browser's cookie from before the callback, and the callback URL,
    still cannot use it again: the provider takes a code once."""
    set_user(provider, "priya", email=PRIYA)
    callback = at_provider(start(client), sub="priya")
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert back_at_assess(client, callback).status_code == 302
    read_page(back_at_assess(copy, callback), status=400)
    assert not signed_in(copy)
    assert last_events(db)[0]["after"]["reason"] == "bad token"


def test_a_provider_that_cannot_be_reached_gives_a_page_not_an_error(oidc_app, db):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    client = oidc_app(OIDC_ISSUER=closed).test_client()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    page = read_page(client.post("/sign-in/oidc", data={"csrf_token": token}), status=503)
    assert "could not be reached" in page.text
    assert last_events(db)[0]["after"]["reason"] == "provider unreachable"


def test_a_callback_in_another_browser_is_refused(app, client, provider):
    set_user(provider, "priya", email=PRIYA)
    callback = at_provider(start(client), sub="priya")
    thief = app.test_client()
    read_page(back_at_assess(thief, callback), status=400)
    assert not signed_in(thief)
    assert back_at_assess(client, callback).status_code == 302  # the real one still works


def test_the_provider_refusing_gives_a_page_and_leaves_nothing_half_done(client, provider, db):
    callback = at_provider(start(client), action="deny")
    assert "error=access_denied" in callback
    page = read_page(back_at_assess(client, callback), status=400)
    assert page.h1 == ["You could not sign in"]
    assert "did not sign you in" in page.text
    assert not signed_in(client)
    with client.session_transaction() as session:
        assert not [key for key in session if key.startswith("_state_")]
    (event,) = last_events(db)
    assert event["after"]["reason"] == "provider error"
    assert event["after"]["detail"] == "access_denied"


def test_no_token_code_or_secret_reaches_the_audit_log_or_the_logs(client, provider, db, caplog):
    logger = logging.getLogger("assess")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG):
            set_user(provider, "priya", email=PRIYA)
            callback = at_provider(start(client), sub="priya")
            query = parse_qs(urlsplit(callback).query)
            with client.session_transaction() as session:
                pending = session[f"_state_council_{query['state'][0]}"]["data"]
            back_at_assess(client, callback)
    finally:
        logger.removeHandler(caplog.handler)
    with client.session_transaction() as session:
        id_token = session["oidc_id_token"]
    verifier = pending["code_verifier"]
    secrets = [query["code"][0], query["state"][0], id_token, CLIENT_SECRET, verifier]
    # assess's lines and Authlib's (the provider's own server logs are not ours)
    ours = [r for r in caplog.records if r.name.startswith(("assess", "authlib"))]
    logged = "\n".join(f"{r.getMessage()} {vars(r)}" for r in ours)
    assert "/sign-in/oidc/callback" in logged
    audit = json.dumps(store.audit_events(db))
    for secret in secrets:
        assert secret not in logged
        assert secret not in audit


@settings(max_examples=25, **HYPOTHESIS)
@given(
    code=st.one_of(st.none(), HOSTILE_TEXT),
    state=st.one_of(st.none(), HOSTILE_TEXT),
    error=st.one_of(st.none(), st.just("access_denied"), HOSTILE_TEXT),
)
def test_a_hostile_callback_is_refused_clearly(app, code, state, error):
    client = app.test_client()
    query = {
        k: v for k, v in {"code": code, "state": state, "error": error}.items() if v is not None
    }
    response = client.get("/sign-in/oidc/callback", query_string=query)
    answer(client, response, f"callback {query!r}")
    assert response.status_code in (400, 403)
    assert "You could not sign in" in response.get_data(as_text=True)
    assert not signed_in(client)


@settings(max_examples=20, **HYPOTHESIS)
@given(after=st.one_of(st.sampled_from(REDIRECTS), HOSTILE_TEXT))
def test_starting_a_sign_in_keeps_only_a_page_of_this_site_to_go_to(app, provider, after):
    client = app.test_client()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in/oidc?" + urlencode([("next", after)]),
        data=encode({"csrf_token": token, "next": after}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    assert response.location.startswith(f"{provider}/oauth2/authorize?")
    with client.session_transaction() as session:
        kept = session["oidc_next"]
    assert kept == "/" or kept == received(after)
    assert_stays_on_this_site(kept, f"next={after!r}")


# --- signing out, and passwords off --------------------------------------------------------------


def test_signing_out_ends_the_session_and_offers_the_providers_sign_out(client, provider):
    set_user(provider, "priya", email=PRIYA)
    sign_in_with_provider(client, "priya")
    with client.session_transaction() as session:
        id_token = session["oidc_id_token"]
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    parts = urlsplit(response.location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{provider}/oauth2/end_session"
    query = parse_qs(parts.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://localhost/signed-out"]
    assert not signed_in(client)
    # the provider sends the browser back to the signed-out page
    confirm = requests.post(
        f"{provider}/oauth2/end_session/confirm",
        data={"redirect_uri": query["post_logout_redirect_uri"][0]},
        allow_redirects=False,
        timeout=5,
    )
    back = urlsplit(confirm.headers["Location"])
    assert read_page(client.get(back.path)).h1 == ["You have signed out"]


def test_a_password_sign_in_signs_out_as_before(client):
    page = client.get("/sign-in").get_data(as_text=True)
    client.post(
        "/sign-in",
        data={"email": PRIYA, "password": "assess-demo-2025", "csrf_token": csrf_token(page)},
    )
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post("/sign-out", data={"csrf_token": token}).location == "/sign-in"


def test_with_password_sign_in_off_only_the_council_account_is_offered(oidc_app):
    client = oidc_app(PASSWORD_SIGN_IN=False).test_client()
    page = read_page(client.get("/sign-in"))
    assert "Sign in with your council account" in page.text
    assert "Password" not in page.text
    html = client.get("/sign-in").get_data(as_text=True)
    response = client.post(
        "/sign-in",
        data={"email": PRIYA, "password": "assess-demo-2025", "csrf_token": csrf_token(html)},
    )
    refused = read_page(response, status=403)
    assert "Signing in with a password is turned off" in refused.text
    assert not signed_in(client)


def test_both_ways_are_offered_when_password_sign_in_stays_on(client):
    page = read_page(client.get("/sign-in"))
    assert "Sign in with your council account" in page.text
    assert "Or sign in with a password" in page.text


def test_assess_refuses_to_start_with_passwords_off_and_no_provider(instance):
    with pytest.raises(ConfigurationError, match="nobody could sign in"):
        create_app({"TESTING": True, "PASSWORD_SIGN_IN": False}, instance_path=instance)


def test_the_settings_are_read_from_the_environment(instance, provider, monkeypatch, db):
    monkeypatch.setenv("ASSESS_OIDC_ISSUER", provider)
    monkeypatch.setenv("ASSESS_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("ASSESS_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("ASSESS_OIDC_AUTO_CREATE", "true")
    monkeypatch.setenv("ASSESS_OIDC_ROLE_GROUPS", '{"assess-audit": "auditor"}')
    monkeypatch.setenv("ASSESS_OIDC_GROUPS_CLAIM", "roles")
    monkeypatch.setenv("ASSESS_PASSWORD_SIGN_IN", "false")
    client = create_app({"TESTING": True}, instance_path=instance).test_client()
    assert "Password" not in read_page(client.get("/sign-in")).text
    set_user(provider, "env", email="env.person@council.example", roles=["assess-audit"])
    assert sign_in_with_provider(client, "env").location == "/"
    assert store.user_by_email(db, "env.person@council.example")["role"] == "auditor"


def test_assess_refuses_to_start_with_a_group_mapped_to_no_role(instance, monkeypatch):
    monkeypatch.setenv("ASSESS_OIDC_ISSUER", "https://id.council.example")
    monkeypatch.setenv("ASSESS_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("ASSESS_OIDC_ROLE_GROUPS", '{"assess-admins": "admin"}')
    with pytest.raises(ConfigurationError, match="roles assess does not have"):
        create_app({"TESTING": True}, instance_path=instance)


def test_without_a_provider_its_routes_are_not_found_and_the_page_has_no_button(instance):
    plain = create_app({"TESTING": True}, instance_path=instance).test_client()
    page = plain.get("/sign-in").get_data(as_text=True)
    assert "council account</button>" not in page
    assert plain.get("/sign-in/oidc/callback?code=x&state=y").status_code == 404


def test_the_content_security_policy_lets_the_buttons_go_to_the_provider_only(client, provider):
    policy = client.get("/sign-in").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider}" in policy
