"""The sign-in and sign-out pages, with sign-in throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from assess import store
from assess.web import oidc, throttle
from assess.web.auth import safe_local_path, start_session

bp = Blueprint("auth", __name__)

# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("no user has this password")


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address"), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password"), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


def _safe_next(target: str | None) -> str:
    return safe_local_path(target, url_for("home.index"))


def policy() -> throttle.ThrottlePolicy:
    config = current_app.config
    return throttle.ThrottlePolicy(
        free=config["SIGN_IN_MAX_FAILURES"],
        delay_seconds=config["SIGN_IN_DELAY_SECONDS"],
        per_address=config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"],
        window=timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"]),
    )


def claim_attempt(db, email: str) -> tuple[int | None, float]:
    """Claim this attempt, or say how long to wait (growing with recent failures)."""
    rules, now = policy(), datetime.now(UTC)
    return store.claim_sign_in(
        db,
        email,
        request.remote_addr or "unknown",
        now,
        now - rules.window,
        lambda by_email, by_address: throttle.wait_before_sign_in(by_email, by_address, now, rules),
    )


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    failed, wait = False, 0.0
    if request.method == "POST" and not current_app.config["PASSWORD_SIGN_IN"]:
        return render_sign_in(form, refused=True), 403  # read nothing they sent
    if form.validate_on_submit():
        db = store.get_db()
        attempt, wait = claim_attempt(db, form.email.data)
        if attempt is not None:
            user = store.user_by_email(db, form.email.data)
            password_ok = check_password_hash(
                user["password_hash"] if user else _UNKNOWN_USER_HASH, form.password.data
            )
            signed_in = bool(user and user["active"] and password_ok)
            store.settle_sign_in(db, attempt, signed_in)
            store.record_sign_in(db, user["id"] if user else None, form.email.data, signed_in)
            if signed_in:
                start_session(user)
                return redirect(_safe_next(request.args.get("next")))
            failed = True
    status = 429 if wait else 400 if form.errors or failed else 200
    return render_sign_in(form, failed=failed, wait=throttle.in_words(wait) if wait else ""), status


def render_sign_in(form: SignInForm, **problems) -> str:
    """The sign-in page: the council account's button when a provider is set, the password
    form when password sign-in is on."""
    return render_template(
        "sign_in.html",
        form=form,
        oidc=oidc.enabled(),
        password_sign_in=current_app.config["PASSWORD_SIGN_IN"],
        next_page=request.args.get("next"),
        **problems,
    )


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    """End every session of theirs, not only this browser's cookie; then, if they signed in
    with the council's account, sign out there too when the provider offers it."""
    provider_sign_out = oidc.end_session_url(session.get(oidc.ID_TOKEN))
    if g.user is not None:
        store.end_sessions(store.get_db(), g.user["id"])
    session.clear()
    if provider_sign_out:
        return redirect(provider_sign_out)
    flash("You have signed out.")
    return redirect(url_for("auth.sign_in"))
