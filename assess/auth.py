"""Sign-in, sign-out and who may see what."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    abort,
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

from assess import navigation, store

bp = Blueprint("auth", __name__)

MIN_PASSWORD_LENGTH = 12
# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("no user has this password")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password)


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


def load_signed_in_user() -> None:
    user_id = session.get("user_id")
    g.user = None
    if user_id is not None:
        user = store.user_by_id(store.get_db(), user_id)
        if user and user["active"]:
            g.user = user
        else:
            session.clear()


def template_context() -> dict:
    user = g.get("user")
    return {
        "current_user": user,
        "role_names": store.ROLE_NAMES,
        "navigation": navigation.items_for(user and user["role"], url_for, request.endpoint),
    }


def sign_in_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.sign_in", next=request.path))
        return view(**kwargs)

    return wrapped


def requires(*roles: str):
    """Only signed-in users with one of these roles may use the view."""

    def decorator(view):
        @functools.wraps(view)
        @sign_in_required
        def wrapped(**kwargs):
            if g.user["role"] not in roles:
                abort(403)
            return view(**kwargs)

        return wrapped

    return decorator


def safe_local_path(target: str | None, fallback: str) -> str:
    """Only ever redirect to a path on this site, never another one. Browsers drop tabs and
    newlines from a URL and read a backslash as a slash (so "/<tab>/evil.example" takes them to
    evil.example): a path holding either, or any control character, goes to the fallback."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not re.search(r"[\x00-\x1f\x7f\\]", target)
    ):
        return target
    return fallback


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
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.sign_in"))
