"""What the staff pages share: the device cookie that holds a response's id and secret, the
response a request is about, and sending invitations and reminders through the one mail path.

The cookie is signed with the app's secret key (itsdangerous), HttpOnly, SameSite=Lax, Secure
when served over HTTPS, and sent only to /staff/. It is the only way back to a response: there is
no account, so answers can be resumed only on the device that started them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from assess import store
from assess.assessment.questionnaire import Questionnaire
from assess.assessment.staff import invitation_email, takes_staff_answers
from assess.store import staff as staff_store
from assess.web import mail
from assess.web.helpers import long_date, questionnaire_for

COOKIE = "assess_staff"
COOKIE_PATH = "/staff/"
SALT = "assess staff response"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def remember(response, started: staff_store.Started):
    """Set the device cookie for a response just started."""
    response.set_cookie(
        COOKIE,
        _serializer().dumps([started.response_id, started.device_secret]),
        max_age=current_app.config["STAFF_COOKIE_DAYS"] * 24 * 60 * 60,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@dataclass
class StaffVisit:
    """A staff member's response, with the questionnaire it answers and what is saved."""

    response: dict
    questionnaire: Questionnaire
    levels: dict[str, int]
    comments: dict[str, str]

    @property
    def open(self) -> bool:
        """Answers can still change: not submitted, and the round is open."""
        return self.response["status"] == "draft" and takes_staff_answers(
            self.response["round_status"]
        )


def current_visit() -> StaffVisit | None:
    """The response this device's cookie names, or None (no cookie, a forged or stale one)."""
    try:
        response_id, secret = _serializer().loads(request.cookies.get(COOKIE, ""))
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(response_id, str) or not isinstance(secret, str):
        return None
    db = store.get_db()
    response = staff_store.staff_response(db, response_id, secret)
    if response is None:
        return None
    return StaffVisit(
        response=response,
        questionnaire=questionnaire_for(db, response["questionnaire_version"]),
        levels=staff_store.staff_levels(db, response_id),
        comments=staff_store.staff_comments(db, response_id),
    )


def send_links(round_: dict, team_names: dict[int, str], links, reminder: bool = False) -> int:
    """Email each (team id, email, secret) its own message with its link; returns how many."""
    config = current_app.config
    for team_id, email, secret in links:
        text = invitation_email(
            config["COUNCIL_NAME"],
            team_names[team_id],
            round_["name"],
            long_date(round_["closes_on"]),
            url_for("staff.start", token=secret, _external=True),
            reminder=reminder,
        )
        mail.send(config, mail.message(config["MAIL_FROM"], [email], text.subject, text.body))
    return len(links)


def remind_staff(round_: dict, team_id: int | None, user_id: int) -> int:
    """Send a new link to everyone invited by email (in one team, or the whole round) who has
    not used theirs; returns how many. Nothing about who has answered is shown to anyone."""
    db = store.get_db()
    links = staff_store.renew_unused_links(db, round_["id"], team_id, user_id)
    names = {t: store.team(db, t)["name"] for t in {t for t, _, _ in links}}
    return send_links(round_, names, links, reminder=True)
