"""Settings: these defaults, then `instance/config.py`, then `ASSESS_*` environment variables."""

from pathlib import Path

DEFAULTS = {
    # Development only: create_app refuses this key unless ASSESS_ENV is "development" or testing.
    "SECRET_KEY": "dev-only-not-secret",
    "ENV_NAME": "production",
    "DATABASE": "assess.db",  # relative to the instance folder
    "QUESTIONNAIRES": str(Path(__file__).resolve().parent.parent / "questionnaires"),
    "CHANGE_THRESHOLD": 0.5,  # a change smaller than this many levels is "no meaningful change"
    "SMALL_GROUP_TEAMS": 3,  # directorate figures resting on fewer teams are flagged
    "SIGN_IN_MAX_FAILURES": 5,  # failed sign-ins for one email address within the window
    "SIGN_IN_WINDOW_MINUTES": 15,
    # Reminder emails: with no SMTP_HOST they are written to the log instead of sent.
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "SMTP_STARTTLS": False,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "MAIL_FROM": "assess@council.example",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 60 * 60,
}

# Environment variables that override a setting, and how to read them.
ENVIRONMENT = {
    "ASSESS_SECRET_KEY": ("SECRET_KEY", str),
    "ASSESS_ENV": ("ENV_NAME", str),
    "ASSESS_DATABASE": ("DATABASE", str),
    "ASSESS_QUESTIONNAIRES": ("QUESTIONNAIRES", str),
    "ASSESS_CHANGE_THRESHOLD": ("CHANGE_THRESHOLD", float),
    "ASSESS_SMALL_GROUP_TEAMS": ("SMALL_GROUP_TEAMS", int),
    "ASSESS_SIGN_IN_MAX_FAILURES": ("SIGN_IN_MAX_FAILURES", int),
    "ASSESS_SIGN_IN_WINDOW_MINUTES": ("SIGN_IN_WINDOW_MINUTES", int),
    "ASSESS_SMTP_HOST": ("SMTP_HOST", str),
    "ASSESS_SMTP_PORT": ("SMTP_PORT", int),
    "ASSESS_MAIL_FROM": ("MAIL_FROM", str),
}
