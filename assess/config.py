"""Settings: these defaults, then `instance/config.py`, then `ASSESS_*` environment variables."""

from collections.abc import Callable
from pathlib import Path
from typing import Any


def flag(value: str) -> bool:
    """An on/off setting from the environment: "1", "true", "yes" or "on" (any case) is on."""
    return value.strip().lower() in ("1", "true", "yes", "on")


DEFAULTS: dict[str, Any] = {
    # Never a constant: set ASSESS_SECRET_KEY or instance/config.py. Without one, development
    # (and testing) gets a random key kept in the instance folder as `secret_key`.
    "SECRET_KEY": None,
    # The key of the audit chain (an HMAC): never in the database or its backups. Set
    # ASSESS_AUDIT_KEY from the secret store; development (and testing) gets a random key kept
    # in the instance folder as `audit_key`. See docs/security.md.
    "AUDIT_KEY": None,
    "ENV_NAME": "production",
    # The council's name, in the header and every page title. The default is the demo council's
    # (fictional) name: set the council's own before going live.
    "COUNCIL_NAME": "Northbridge City Council",
    # Who to contact about personal data (the privacy notice); empty says the council's data
    # protection officer. For example "dpo@council.example" or "the information governance team".
    "PRIVACY_CONTACT": "",
    "DATABASE": "assess.db",  # relative to the instance folder
    # Drawn charts, a cache beside the database (deleting it loses nothing: charts are redrawn).
    "CHARTS_DATABASE": "charts.db",
    "CHART_WAIT_SECONDS": 20.0,  # how long a chart download waits for the renderer to draw it
    "CHARTS_KEPT": 20000,  # the renderer keeps this many newest pictures and drops older ones
    "QUESTIONNAIRES": str(Path(__file__).resolve().parent.parent / "questionnaires"),
    "CHANGE_THRESHOLD": 0.5,  # a change smaller than this many levels is "no meaningful change"
    # A team's staff answers are shown only when at least this many staff have answered (and
    # never where they would let a smaller group's answers be worked out).
    "MIN_RESPONSES": 5,
    "SMALL_GROUP_TEAMS": 3,  # directorate figures resting on fewer teams are flagged
    "SIGN_IN_MAX_FAILURES": 5,  # failed sign-ins for one email address within the window
    "SIGN_IN_WINDOW_MINUTES": 15,
    # Each failure beyond SIGN_IN_MAX_FAILURES adds this much wait after the last one.
    "SIGN_IN_DELAY_SECONDS": 2.0,
    # Failures from one client address (any emails) before it is refused for the window.
    "SIGN_IN_MAX_FAILURES_PER_ADDRESS": 30,
    # Risk register: a RISK_MATRIX_SIZE by RISK_MATRIX_SIZE matrix, a label per step,
    # scores up to RISK_GREEN_MAX are green, up to RISK_AMBER_MAX amber, above that red.
    "RISK_MATRIX_SIZE": 5,
    "RISK_LIKELIHOOD_LABELS": ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
    "RISK_IMPACT_LABELS": ["Negligible", "Minor", "Moderate", "Major", "Severe"],
    "RISK_GREEN_MAX": 4,
    "RISK_AMBER_MAX": 12,
    "RISK_LOW_SCORE": 2.5,  # a team scoring below this in an area is weak there
    # A team scoring this or more in an area rates itself high there: its results flag an
    # indicator of that area that misses its target (and a weak score where all meet theirs).
    "RATED_HIGH_SCORE": 3.5,
    # Groups every EqIA covers besides the nine protected characteristics.
    "EQIA_LOCAL_GROUPS": [
        "Socio-economic disadvantage",
        "Carers",
        "Care leavers",
        "Armed forces community",
        "Rurality",
        "People for whom English is not a first language",
        "Digitally excluded people",
    ],
    # Uploads. Any request body over MAX_CONTENT_LENGTH bytes is refused (413) before it is read.
    # An import file may be up to IMPORT_MAX_BYTES and IMPORT_MAX_ROWS rows (the heading not
    # counted); an XLSX may unpack to at most IMPORT_MAX_UNZIPPED_BYTES. 20,000 rows is twenty
    # times the largest register a council keeps, and is written in about ten seconds in short
    # transactions (bench/imports.py). A checked file waits IMPORT_PREVIEW_MINUTES to be confirmed.
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    "IMPORT_MAX_BYTES": 5 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 20_000,
    "IMPORT_MAX_UNZIPPED_BYTES": 50 * 1024 * 1024,
    "IMPORT_PREVIEW_MINUTES": 30,
    # Staff responses: at most STAFF_INVITES_MOST email addresses (or printed codes) in one go;
    # a staff member's comment on a section is at most STAFF_COMMENT_MOST characters; the cookie
    # that lets them come back to their answers on the same device lasts STAFF_COOKIE_DAYS.
    "STAFF_INVITES_MOST": 200,
    "STAFF_COMMENT_MOST": 2000,
    "STAFF_COOKIE_DAYS": 180,
    # Reminder emails: with no SMTP_HOST they are written to the log instead of sent.
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "SMTP_STARTTLS": False,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "MAIL_FROM": "assess@council.example",
    # Logs go to stdout: "json" (one object per line, for a log collector) or "text".
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 60 * 60,
    # Strict-Transport-Security max-age in seconds; 0 sends none. Set it where a TLS proxy
    # serves assess over HTTPS only (a year is 31536000).
    "HSTS_SECONDS": 0,
    # Signing in with the council's OpenID Connect provider: off until OIDC_ISSUER and
    # OIDC_CLIENT_ID are set (and OIDC_CLIENT_SECRET, from the secret store). Discovery is read
    # from OIDC_ISSUER; the provider must allow <assess>/sign-in/oidc/callback as a redirect URI
    # and <assess>/signed-out after sign-out.
    "OIDC_ISSUER": "",
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    "OIDC_CLOCK_SKEW_SECONDS": 60,  # leeway on the ID token's times, for clocks that differ
    # An unknown user whose groups (OIDC_GROUPS_CLAIM) map to a role in OIDC_ROLE_GROUPS is
    # created with that role at their first sign-in; otherwise only existing users come in.
    "OIDC_AUTO_CREATE": False,
    "OIDC_ROLE_GROUPS": {},  # group name -> role, e.g. {"assess-bi": "business_improvement"}
    "OIDC_GROUPS_CLAIM": "groups",
    # The email and password form; may be off only when the provider is set.
    "PASSWORD_SIGN_IN": True,
}

# Environment variables that override a setting, and how to read them.
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "ASSESS_SECRET_KEY": ("SECRET_KEY", str),
    "ASSESS_AUDIT_KEY": ("AUDIT_KEY", str),
    "ASSESS_ENV": ("ENV_NAME", str),
    "ASSESS_COUNCIL_NAME": ("COUNCIL_NAME", str),
    "ASSESS_PRIVACY_CONTACT": ("PRIVACY_CONTACT", str),
    "ASSESS_DATABASE": ("DATABASE", str),
    "ASSESS_CHARTS_DATABASE": ("CHARTS_DATABASE", str),
    "ASSESS_CHART_WAIT_SECONDS": ("CHART_WAIT_SECONDS", float),
    "ASSESS_CHARTS_KEPT": ("CHARTS_KEPT", int),
    "ASSESS_QUESTIONNAIRES": ("QUESTIONNAIRES", str),
    "ASSESS_CHANGE_THRESHOLD": ("CHANGE_THRESHOLD", float),
    "ASSESS_MIN_RESPONSES": ("MIN_RESPONSES", int),
    "ASSESS_SMALL_GROUP_TEAMS": ("SMALL_GROUP_TEAMS", int),
    "ASSESS_SIGN_IN_MAX_FAILURES": ("SIGN_IN_MAX_FAILURES", int),
    "ASSESS_SIGN_IN_WINDOW_MINUTES": ("SIGN_IN_WINDOW_MINUTES", int),
    "ASSESS_SIGN_IN_DELAY_SECONDS": ("SIGN_IN_DELAY_SECONDS", float),
    "ASSESS_SIGN_IN_MAX_FAILURES_PER_ADDRESS": ("SIGN_IN_MAX_FAILURES_PER_ADDRESS", int),
    "ASSESS_STAFF_INVITES_MOST": ("STAFF_INVITES_MOST", int),
    "ASSESS_STAFF_COMMENT_MOST": ("STAFF_COMMENT_MOST", int),
    "ASSESS_STAFF_COOKIE_DAYS": ("STAFF_COOKIE_DAYS", int),
    "ASSESS_SMTP_HOST": ("SMTP_HOST", str),
    "ASSESS_SMTP_PORT": ("SMTP_PORT", int),
    "ASSESS_MAIL_FROM": ("MAIL_FROM", str),
    "ASSESS_RISK_MATRIX_SIZE": ("RISK_MATRIX_SIZE", int),
    "ASSESS_RISK_GREEN_MAX": ("RISK_GREEN_MAX", int),
    "ASSESS_RISK_AMBER_MAX": ("RISK_AMBER_MAX", int),
    "ASSESS_RISK_LOW_SCORE": ("RISK_LOW_SCORE", float),
    "ASSESS_RATED_HIGH_SCORE": ("RATED_HIGH_SCORE", float),
    "ASSESS_MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", int),
    "ASSESS_IMPORT_MAX_BYTES": ("IMPORT_MAX_BYTES", int),
    "ASSESS_IMPORT_MAX_ROWS": ("IMPORT_MAX_ROWS", int),
    "ASSESS_IMPORT_MAX_UNZIPPED_BYTES": ("IMPORT_MAX_UNZIPPED_BYTES", int),
    "ASSESS_IMPORT_PREVIEW_MINUTES": ("IMPORT_PREVIEW_MINUTES", int),
    "ASSESS_LOG_FORMAT": ("LOG_FORMAT", str),
    "ASSESS_LOG_LEVEL": ("LOG_LEVEL", str),
    "ASSESS_HSTS_SECONDS": ("HSTS_SECONDS", int),
    "ASSESS_OIDC_ISSUER": ("OIDC_ISSUER", str),
    "ASSESS_OIDC_CLIENT_ID": ("OIDC_CLIENT_ID", str),
    "ASSESS_OIDC_CLIENT_SECRET": ("OIDC_CLIENT_SECRET", str),
    "ASSESS_OIDC_CLOCK_SKEW_SECONDS": ("OIDC_CLOCK_SKEW_SECONDS", int),
    "ASSESS_OIDC_AUTO_CREATE": ("OIDC_AUTO_CREATE", flag),
    "ASSESS_OIDC_ROLE_GROUPS": ("OIDC_ROLE_GROUPS", str),  # JSON, read by oidc_rules
    "ASSESS_OIDC_GROUPS_CLAIM": ("OIDC_GROUPS_CLAIM", str),
    "ASSESS_PASSWORD_SIGN_IN": ("PASSWORD_SIGN_IN", flag),
}
