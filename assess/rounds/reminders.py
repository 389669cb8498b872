"""Reminders to outstanding teams: who receives one and what it says. Pure; no Flask, no mail.

From the third reminder to a team in a round (after `ESCALATE_AFTER` sent), the directorate's
lead is copied in.
"""

from __future__ import annotations

from dataclasses import dataclass

ESCALATE_AFTER = 2


@dataclass(frozen=True)
class Reminder:
    recipients: tuple[str, ...]
    subject: str
    body: str
    escalated: bool


def reminder(
    team: str,
    round_name: str,
    closes_on: str,
    status_name: str,
    answered: int,
    total: int,
    link: str,
    lead_emails: list[str],
    directorate_lead: str | None,
    sent_before: int,
) -> Reminder | None:
    """The reminder for one team, or None when there is nobody to send it to."""
    escalated = sent_before >= ESCALATE_AFTER
    recipients = [email for email in lead_emails if email]
    if escalated and directorate_lead:
        recipients.append(directorate_lead)
    if not recipients:
        return None
    progress = f" ({answered} of {total} statements answered)" if answered else ""
    body = (
        f"{team}'s culture maturity assessment for {round_name} is {status_name.lower()}"
        f"{progress}. The round closes on {closes_on}.\n\nContinue it here: {link}\n"
    )
    if escalated:
        body += "\nThis is a further reminder, so the directorate's lead is copied in.\n"
    subject = f"Reminder: {team}'s assessment for {round_name}"
    return Reminder(tuple(recipients), subject, body, escalated)
