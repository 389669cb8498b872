"""Sending email: through the SMTP server in the settings, or, when none is set, to the log.

No Flask here: callers pass the settings, so the same code serves the web app and the tests.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

log = logging.getLogger("assess.mail")


def message(sender: str, recipients: list[str], subject: str, body: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = ", ".join(recipients)
    email["Subject"] = subject
    email.set_content(body)
    return email


def send(settings: dict, email: EmailMessage) -> str:
    """Deliver a message; returns "smtp" or "log" to say how it went out."""
    host = settings.get("SMTP_HOST")
    if not host:
        log.info("email not sent (no SMTP_HOST set):\n%s", email)
        return "log"
    with smtplib.SMTP(host, int(settings.get("SMTP_PORT", 25)), timeout=10) as smtp:
        if settings.get("SMTP_STARTTLS"):
            smtp.starttls()
        if settings.get("SMTP_USERNAME"):
            smtp.login(settings["SMTP_USERNAME"], settings.get("SMTP_PASSWORD", ""))
        smtp.send_message(email)
    return "smtp"
