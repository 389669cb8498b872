"""Security headers for every response, and the health check a load balancer asks."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import govuk_frontend_jinja
from flask import Blueprint, Flask, g, jsonify

from assess import store
from assess.audit.chain import missing_triggers
from assess.store.audit import audit_triggers
from assess.web.oidc import issuer_origin

bp = Blueprint("health", __name__)


def govuk_inline_script_hash() -> str:
    """The page template adds one line of inline script (body classes); allow that line by its
    hash rather than allowing inline script at all."""
    template = Path(govuk_frontend_jinja.__file__).parent / "templates" / "template.html"
    match = re.search(r"<script[^>]*>(.*?)</script>", template.read_text(), re.S)
    if match is None:
        return ""
    digest = hashlib.sha256(match.group(1).encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy(provider_origin: str = "") -> str:
    """Only this service's own files: no inline script but the template's one hashed line, no
    third-party host, no framing. Forms post only here, but the sign-in and sign-out buttons may
    redirect to the council's sign-in service (browsers check form-action on redirects too)."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {govuk_inline_script_hash()}".strip(),
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            f"form-action 'self' {provider_origin}".strip(),
            "frame-ancestors 'none'",
        ]
    )


def init_app(app: Flask) -> None:
    policy = content_security_policy(issuer_origin(app.config["OIDC_ISSUER"]))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if g.get("user") is not None or "Content-Disposition" in response.headers:
            # what a signed-in person sees, and every download, stays out of shared caches
            # and the browser's history cache
            response.headers["Cache-Control"] = "no-store"
        if app.config["HSTS_SECONDS"]:  # set where a TLS proxy serves it over HTTPS only
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}"
            )
        return response

    app.register_blueprint(bp)


@bp.route("/healthz")
def health():
    """200 when the database answers, its schema is current and the audit log is still
    append-only; 503 with the reason if not."""
    try:
        db = store.get_db()
        schema = store.check_readable(db)
        missing = missing_triggers(audit_triggers(db))
    except Exception as error:  # any failure here means the service cannot do its work
        return jsonify(status="unavailable", reason=str(error)), 503
    if missing:
        reason = (
            f"The audit log's append-only triggers are missing ({', '.join(missing)}): audit "
            "events can be changed or deleted. Restore the latest backup, then run "
            "'assess audit verify'."
        )
        return jsonify(status="unavailable", reason=reason), 503
    return jsonify(status="ok", schema=schema)
