"""Sending email (assess/web/mail.py): through the SMTP server in the settings, or to the log
when none is set. A real SMTP server on loopback receives what is sent; a stand-in for smtplib
records the STARTTLS and sign-in steps a real server would need certificates for."""

from __future__ import annotations

import logging

import pytest

from assess.web import mail

SENDER = "assess@council.example"
LEAD = "priya.shah@council.example"
HEAD = "dana.whitfield@council.example"


def reminder():
    return mail.message(
        SENDER,
        [LEAD, HEAD],
        "Housing Needs's assessment for 2024/25",
        "Your team's assessment is due by 31 March.\nSign in to finish it.",
    )


def test_a_message_is_addressed_to_everyone_it_names_with_its_subject_and_words():
    email = reminder()
    assert email["From"] == SENDER
    assert email["To"] == f"{LEAD}, {HEAD}"
    assert email["Subject"] == "Housing Needs's assessment for 2024/25"
    assert email.get_content() == (
        "Your team's assessment is due by 31 March.\nSign in to finish it.\n"
    )


def test_without_an_smtp_host_the_message_goes_to_the_log_instead(caplog):
    with caplog.at_level(logging.INFO, logger="assess.mail"):
        assert mail.send({"SMTP_HOST": ""}, reminder()) == "log"
    [record] = caplog.records
    assert "email not sent (no SMTP_HOST set)" in record.getMessage()
    assert "Sign in to finish it." in record.getMessage()  # what would have been sent


def test_with_an_smtp_host_the_message_is_delivered_there(smtp_server):
    settings = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port)}
    assert mail.send(settings, reminder()) == "smtp"
    [received] = smtp_server.messages
    assert received["To"] == f"{LEAD}, {HEAD}"
    assert received["Subject"] == "Housing Needs's assessment for 2024/25"
    assert "Sign in to finish it." in received.get_payload()


class RecordingSMTP:
    """Stands in for smtplib.SMTP: keeps each step the sender takes."""

    steps: list = []

    def __init__(self, host, port, timeout):
        self.steps.append(("connect", host, port, timeout))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.steps.append(("quit",))

    def starttls(self):
        self.steps.append(("starttls",))

    def login(self, username, password):
        self.steps.append(("login", username, password))

    def send_message(self, email):
        self.steps.append(("send", email["To"]))


@pytest.fixture
def smtp_steps(monkeypatch):
    RecordingSMTP.steps = []
    monkeypatch.setattr(mail.smtplib, "SMTP", RecordingSMTP)
    return RecordingSMTP.steps


def test_starttls_and_sign_in_happen_before_sending_when_they_are_set(smtp_steps):
    settings = {
        "SMTP_HOST": "smtp.council.example",
        "SMTP_PORT": "587",
        "SMTP_STARTTLS": True,
        "SMTP_USERNAME": "assess",
        "SMTP_PASSWORD": "app password",
    }
    mail.send(settings, reminder())
    assert smtp_steps == [
        ("connect", "smtp.council.example", 587, 10),
        ("starttls",),
        ("login", "assess", "app password"),
        ("send", f"{LEAD}, {HEAD}"),
        ("quit",),
    ]


def test_a_plain_server_on_port_25_gets_neither_starttls_nor_a_sign_in(smtp_steps):
    mail.send({"SMTP_HOST": "mail.internal"}, reminder())
    assert smtp_steps == [
        ("connect", "mail.internal", 25, 10),
        ("send", f"{LEAD}, {HEAD}"),
        ("quit",),
    ]
