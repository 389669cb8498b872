"""Who is signed in, and the guards every view wears: `sign_in_required` and
`requires(permission)` (from the access table), passwords and safe redirects."""

from __future__ import annotations

import functools
import re

from flask import abort, g, redirect, request, session, url_for
from werkzeug.security import generate_password_hash

from assess import store
from assess.web import access, navigation

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password)


def load_signed_in_user() -> None:
    """The session's user, if they are still active and the session is still theirs: a session
    signed in before the user's last sign-out, role change or deactivation holds an older
    session version and is cleared."""
    user_id = session.get("user_id")
    g.user = None
    if user_id is not None:
        user = store.user_by_id(store.get_db(), user_id)
        if user and user["active"] and session.get("session_version") == user["session_version"]:
            g.user = user
        else:
            session.clear()


def start_session(user: dict) -> None:
    """Sign a user in, however they proved who they are: a fresh session (no fixation) holding
    their id and the session version that sign-out, a role change or deactivation moves on."""
    session.clear()
    session["user_id"] = user["id"]
    session["session_version"] = user["session_version"]
    session.permanent = True


def template_context() -> dict:
    user = g.get("user")
    return {
        "current_user": user,
        "role_names": store.ROLE_NAMES,
        "navigation": navigation.items_for(user and user["role"], url_for, request.endpoint),
        "may": lambda permission: access.may(user and user["role"], permission),
    }


def sign_in_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.sign_in", next=request.path))
        return view(**kwargs)

    return wrapped


def requires(permission: str):
    """Only signed-in users whose role has this permission (in the access table) may use the
    view; anyone else signed in gets 403."""
    access.PERMISSIONS[permission]  # an unknown permission fails when the module loads

    def decorator(view):
        @functools.wraps(view)
        @sign_in_required
        def wrapped(**kwargs):
            if not access.may(g.user["role"], permission):
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
