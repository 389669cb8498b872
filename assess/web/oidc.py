"""Signing in with the council's OpenID Connect provider: the authorization code flow with PKCE
(S256), through Authlib.

Authlib keeps each sign-in's state, PKCE verifier and nonce in the session under its state
value and removes them when the provider answers, so a callback is used once; it verifies the ID
token's signature (the provider's published keys), issuer, audience, expiry (with
OIDC_CLOCK_SKEW_SECONDS of leeway) and nonce. Who may then come in is `oidc_rules.decide`.
Nothing here logs or records a token, a code or a secret: the request log has the path only.
"""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, session
from flask import url_for as flask_url_for
from joserfc.errors import JoseError

from assess import store
from assess.web import access, oidc_rules
from assess.web.auth import safe_local_path, start_session

bp = Blueprint("oidc", __name__)

NAME = "council"  # Authlib's name for the provider; its session keys start "_state_council_"
ID_TOKEN = "oidc_id_token"  # kept in the session for the provider's sign-out (id_token_hint)
NEXT = "oidc_next"
# What can go wrong talking to the provider or checking what it sent.
FAILURES = (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError)
PROVIDER_ERROR_CODE = re.compile(r"[a-z_]{1,40}")  # RFC 6749's error codes; anything else: "other"
UNREACHABLE = "provider unreachable"
STATE_NOT_FOUND = "sign-in not started here, or already used"

# What the refusal page says, and its status, by reason.
REFUSALS = {
    oidc_rules.UNKNOWN_USER: (
        403,
        "Your council account is not set up to use assess. Ask an administrator of assess to "
        "add you, with the email address your council account uses.",
    ),
    oidc_rules.DEACTIVATED: (
        403,
        "Your access to assess has been turned off. If you need it for your work, ask an "
        "administrator of assess.",
    ),
    oidc_rules.SEVERAL_ROLES: (
        403,
        "Your council account's groups give you more than one role in assess. Ask an "
        "administrator of assess to add you with the role you need.",
    ),
    oidc_rules.NO_EMAIL: (
        403,
        "Your council account did not tell assess your email address, so assess cannot tell "
        "who you are. Ask the council's IT service desk to check your account.",
    ),
    oidc_rules.EMAIL_NOT_VERIFIED: (
        403,
        "Your council account's email address is not verified, so assess cannot tell who you "
        "are. Ask the council's IT service desk to check your account.",
    ),
    oidc_rules.BAD_TOKEN: (
        400,
        "Signing in with your council account could not be completed: what came back could "
        "not be checked. Nothing was changed. Try again from the sign-in page.",
    ),
    STATE_NOT_FOUND: (
        400,
        "This sign-in was not started from this browser, has already been used, or took too "
        "long. Nothing was changed. Start again from the sign-in page.",
    ),
    oidc_rules.PROVIDER_ERROR: (
        400,
        "Your council account's sign-in service did not sign you in. Nothing was changed. Try "
        "again from the sign-in page.",
    ),
    UNREACHABLE: (
        503,
        "The council's sign-in service could not be reached. Nothing was changed. Try again "
        "in a few minutes.",
    ),
}


class Refused(Exception):
    """A sign-in that stops here: why (a key of REFUSALS) and, for the audit log, the email
    the provider named and the provider's error code."""

    def __init__(self, reason: str, email: str = "", detail: str = "", user_id: int | None = None):
        super().__init__(reason)
        self.reason, self.email, self.detail, self.user_id = reason, email, detail, user_id


def init_app(app: Flask) -> None:
    """Register the provider when OIDC_ISSUER is set (discovery is read at the first sign-in),
    and the routes always: without a provider they are not found."""
    app.register_blueprint(bp)
    if not app.config["OIDC_ISSUER"]:
        return
    # Authlib logs each sign-in's PKCE verifier at debug level: keep that out of any log, even
    # where the platform turns debug logging on.
    logging.getLogger("authlib").setLevel(logging.INFO)
    oauth = OAuth(app)
    oauth.register(
        NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=discovery_url(app.config["OIDC_ISSUER"]),
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    app.extensions["assess_oidc"] = oauth.create_client(NAME)


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def issuer_origin(issuer: str) -> str:
    """The provider's origin, which the sign-in and sign-out buttons' redirects go to (the
    Content-Security-Policy's form-action allows it)."""
    parts = urlsplit(issuer)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def provider():
    """The registered provider, or 404 when none is set."""
    client = current_app.extensions.get("assess_oidc")
    if client is None:
        abort(404)
    return client


def enabled() -> bool:
    return "assess_oidc" in current_app.extensions


@bp.route("/sign-in/oidc", methods=["POST"])
def start():
    """Send the browser to the provider, remembering where to go afterwards."""
    client = provider()
    session[NEXT] = safe_local_path(request.args.get("next"), flask_url_for("home.index"))
    callback_url = flask_url_for("oidc.callback", _external=True)
    try:
        return client.authorize_redirect(callback_url, nonce=secrets.token_urlsafe(24))
    except FAILURES:
        return refused(Refused(UNREACHABLE))


@bp.route("/sign-in/oidc/callback")
def callback():
    """The provider's answer: verify it, decide who comes in, and start their session."""
    client = provider()
    try:
        claims, id_token = verified_claims(client)
        user = admitted_user(claims)
    except Refused as refusal:
        return refused(refusal)
    after = session.get(NEXT) or flask_url_for("home.index")
    start_session(user)
    session[ID_TOKEN] = id_token
    store.record_provider_sign_in(store.get_db(), user["id"], user["email"])
    return redirect(after)


@bp.route("/signed-out")
def signed_out():
    """Where the provider sends the browser back after signing out there too."""
    return render_template("signed_out.html")


def verified_claims(client) -> tuple[dict, str]:
    """The ID token's claims once Authlib has verified it, and the token itself (for the
    provider's sign-out). The pending sign-in is removed whatever the outcome."""
    error = request.args.get("error")
    if error is not None:  # the pending sign-ins of this browser end (not every provider
        for key in [k for k in session if k.startswith(f"_state_{NAME}_")]:  # returns state)
            session.pop(key)
        code = error if PROVIDER_ERROR_CODE.fullmatch(error) else "other"
        raise Refused(oidc_rules.PROVIDER_ERROR, detail=code)
    try:
        token = client.authorize_access_token(
            leeway=current_app.config["OIDC_CLOCK_SKEW_SECONDS"], claims_options=claims_options()
        )
    except MismatchingStateError:
        raise Refused(STATE_NOT_FOUND) from None
    except requests.RequestException:
        raise Refused(UNREACHABLE) from None
    except FAILURES:
        raise Refused(oidc_rules.BAD_TOKEN) from None
    claims, id_token = token.get("userinfo"), token.get("id_token")
    if not claims or not isinstance(id_token, str):  # no ID token: nothing says who this is
        raise Refused(oidc_rules.BAD_TOKEN)
    return dict(claims), id_token


def claims_options() -> dict:
    """The issuer must be the configured one, and the audience must include our client id
    (Authlib on its own only checks `azp` when the audience is not ours)."""
    config = current_app.config
    return {
        "iss": {"essential": True, "value": config["OIDC_ISSUER"]},
        "aud": {"essential": True, "value": config["OIDC_CLIENT_ID"]},
    }


def admitted_user(claims: dict) -> dict:
    """The user the claims let in (created first, when the settings say so), or Refused."""
    config, db = current_app.config, store.get_db()
    email = oidc_rules.email_of(claims)
    settings = oidc_rules.ProviderSettings(
        auto_create=bool(config["OIDC_AUTO_CREATE"]),
        role_groups=oidc_rules.role_groups_setting(config["OIDC_ROLE_GROUPS"], access.ROLES),
        groups_claim=config["OIDC_GROUPS_CLAIM"],
    )
    user = store.user_by_email(db, email) if email else None
    decision = oidc_rules.decide(claims, user, settings)
    if decision.outcome == oidc_rules.REFUSE:
        raise Refused(decision.reason, decision.email, user_id=decision.user_id)
    if decision.outcome == oidc_rules.CREATE:
        user_id = store.create_user_from_provider(
            db, decision.email, decision.name, decision.role, decision.group
        )
    else:
        assert decision.user_id is not None
        user_id = decision.user_id
    user = store.user_by_id(db, user_id)
    assert user is not None
    return user


def refused(refusal: Refused):
    """Record the refusal (never a token or a code) and say why, in the service's layout."""
    store.record_provider_sign_in(
        store.get_db(), refusal.user_id, refusal.email, refusal.reason, refusal.detail
    )
    session.pop(NEXT, None)
    status, message = REFUSALS[refusal.reason]
    return render_template("sign_in_refused.html", message=message), status


def end_session_url(id_token: str | None) -> str | None:
    """Where to send the browser to sign out of the provider too, when it publishes an
    end_session_endpoint and the user signed in with it; None otherwise."""
    client = current_app.extensions.get("assess_oidc")
    if client is None or not id_token:
        return None
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        return client.create_logout_url(
            post_logout_redirect_uri=flask_url_for("oidc.signed_out", _external=True),
            id_token_hint=id_token,
            client_id=client.client_id,
        )["url"]
    except FAILURES:
        return None
