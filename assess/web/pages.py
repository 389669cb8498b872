"""The pages the footer links to, open to anyone signed in or not: the accessibility statement,
the privacy notice and the cookies page. What they say that a setting decides (the council's
name, how long a session or an import preview lasts) comes from the settings, so it stays true."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)

# The GOV.UK model statement asks for the date it was prepared and last reviewed.
STATEMENT_PREPARED = "29 November 2026"


def _duration(seconds: float) -> str:
    """8 * 3600 -> '8 hours', 1800 -> '30 minutes'."""
    if seconds % 3600:
        minutes = round(seconds / 60)
        return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
    hours = round(seconds / 3600)
    return f"{hours} hour" if hours == 1 else f"{hours} hours"


def session_lasts() -> str:
    return _duration(current_app.permanent_session_lifetime.total_seconds())


@bp.route("/accessibility")
def accessibility():
    config = current_app.config
    form_limit = config.get("WTF_CSRF_TIME_LIMIT", 3600)  # Flask-WTF's; None is no limit
    return render_template(
        "pages/accessibility.html",
        prepared=STATEMENT_PREPARED,
        form_lasts=_duration(form_limit) if form_limit else None,
        session_lasts=session_lasts(),
        preview_minutes=config["IMPORT_PREVIEW_MINUTES"],
    )


@bp.route("/privacy")
def privacy():
    config = current_app.config
    return render_template(
        "pages/privacy.html",
        contact=config["PRIVACY_CONTACT"],
        preview_minutes=config["IMPORT_PREVIEW_MINUTES"],
        window_minutes=config["SIGN_IN_WINDOW_MINUTES"],
        session_lasts=session_lasts(),
    )


@bp.route("/cookies")
def cookies():
    return render_template(
        "pages/cookies.html",
        cookie_name=current_app.config["SESSION_COOKIE_NAME"],
        session_lasts=session_lasts(),
        staff_cookie_days=current_app.config["STAFF_COOKIE_DAYS"],
    )
