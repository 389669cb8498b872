"""The home page: who you are, your role, your teams and what waits for you (your teams'
assessments, proposed risks for you to accept)."""

from flask import Blueprint, current_app, g, render_template

from assess import risk, store
from assess.auth import sign_in_required
from assess.store import registers as register_store

bp = Blueprint("home", __name__)

STATUS_NAMES = {
    "not_started": "not started",
    "draft": "in progress",
    "submitted": "submitted",
    "returned": "returned for changes",
    "signed_off": "signed off",
}


@bp.route("/")
@sign_in_required
def index():
    db = store.get_db()
    summary = store.home_summary(db, g.user["id"])
    current_round = store.current_round(db)
    statuses = {}
    if current_round:
        for team in summary["teams"]:
            assessment = store.find_assessment(db, team["id"], current_round["id"])
            status = assessment["status"] if assessment else "not_started"
            statuses[team["id"]] = STATUS_NAMES[status]
    return render_template(
        "home.html",
        teams=summary["teams"],
        current_round=current_round,
        statuses=statuses,
        proposed_risks=register_store.proposals(db, g.user["id"])
        if g.user["role"] in risk.OWNER_ROLES
        else [],
        questionnaires=current_app.extensions["questionnaires"].values(),
    )
