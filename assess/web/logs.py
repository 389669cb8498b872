"""Structured logs: one JSON object per line on stdout, one line per request, for the platform
that collects them. Each request gets an id (the caller's X-Request-ID if it sends a sane one),
returned in the X-Request-ID header and carried by every line logged while it is handled."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Attributes every LogRecord has; anything else was passed in `extra=` and belongs in the line.
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, process, message, then its extra
    fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            line["request_id"] = g.request_id
        line.update({k: v for k, v in vars(record).items() if k not in STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def handler(log_format: str) -> logging.Handler:
    """A stdout handler writing JSON lines, or plain text for a developer's terminal."""
    out = logging.StreamHandler(sys.stdout)
    out.setFormatter(
        JsonFormatter()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    return out


def init_app(app: Flask) -> None:
    """Send the "assess" logger and its children to stdout, and log one line per request."""
    logger = logging.getLogger("assess")
    logger.handlers = [handler(app.config["LOG_FORMAT"])]
    logger.setLevel(app.config["LOG_LEVEL"])
    logger.propagate = False
    requests = logging.getLogger("assess.requests")

    @app.before_request
    def start_request() -> None:
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        user = g.get("user")
        # A staff member's pages are logged by their rule, without the client's address: the
        # path of a link holds its secret, and an address and a time beside a staff page could
        # point to who answered.
        staff = request.blueprint == "staff"
        path = request.url_rule.rule if staff and request.url_rule else request.path
        requests.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round(
                    (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1
                ),
                "user_id": user["id"] if user else None,
                "remote_addr": None if staff else request.remote_addr,
            },
        )
        return response
