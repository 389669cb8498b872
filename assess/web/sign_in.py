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
from assess.web.auth import safe_local_path

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


def too_many_failures(db, email: str) -> bool:
    """Throttle guessing: after too many failures for an address, refuse for a while."""
    window = timedelta(minutes=current_app.config["SIGN_IN_WINDOW_MINUTES"])
    since = (datetime.now(UTC) - window).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return (
        store.failed_sign_ins_since(db, email, since) >= current_app.config["SIGN_IN_MAX_FAILURES"]
    )


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    failed = throttled = False
    if form.validate_on_submit():
        db = store.get_db()
        throttled = too_many_failures(db, form.email.data)
        user = None if throttled else store.user_by_email(db, form.email.data)
        password_ok = not throttled and check_password_hash(
            user["password_hash"] if user else _UNKNOWN_USER_HASH, form.password.data
        )
        if user and user["active"] and password_ok:
            store.record_sign_in(db, user["id"], user["email"], succeeded=True)
            session.clear()  # a fresh session on sign-in: no fixation
            session["user_id"] = user["id"]
            session["session_version"] = user["session_version"]
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        if not throttled:
            store.record_sign_in(db, user["id"] if user else None, form.email.data, succeeded=False)
        failed = True
    status = 429 if throttled else 400 if form.errors or failed else 200
    minutes = current_app.config["SIGN_IN_WINDOW_MINUTES"]
    return render_template(
        "sign_in.html", form=form, failed=failed, throttled=throttled, minutes=minutes
    ), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    if g.user is not None:  # every session of theirs ends, not only this browser's cookie
        store.end_sessions(store.get_db(), g.user["id"])
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.sign_in"))
