"""The home page: who you are, your role, your teams and what waits for you (your teams'
assessments, proposed risks for you to accept)."""

from flask import Blueprint, current_app, g, render_template

from assess import store
from assess.assessment.scoring import OUTSTANDING
from assess.store import registers as register_store
from assess.web import access
from assess.web.auth import sign_in_required

bp = Blueprint("home", __name__)

# Each status as a GOV.UK tag: its words and colour.
STATUS_TAGS = {
    "returned": ("Returned for changes", "govuk-tag--orange"),
    "draft": ("In progress", "govuk-tag--light-blue"),
    "not_started": ("Not started", "govuk-tag--blue"),
    "submitted": ("Submitted", "govuk-tag--grey"),
    "signed_off": ("Signed off", "govuk-tag--green"),
}


@bp.route("/")
@sign_in_required
def index():
    db = store.get_db()
    assessments = store.assessments_of_teams(db, g.user["id"])
    return render_template(
        "home.html",
        teams=store.home_summary(db, g.user["id"])["teams"],
        waiting=[a for a in assessments if a["status"] in OUTSTANDING],
        finished=[a for a in assessments if a["status"] not in OUTSTANDING],
        tags=STATUS_TAGS,
        proposed_risks=register_store.proposals(db, g.user["id"])
        if access.may(g.user["role"], "own_risks")
        else [],
        questionnaires=current_app.extensions["questionnaires"].values(),
    )
