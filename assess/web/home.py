"""The home page: who you are, your role, your teams and what waits for you (your teams'
assessments, proposed risks for you to accept)."""

from flask import Blueprint, current_app, g, render_template

from assess import store
from assess.assessment.scoring import OUTSTANDING, status_counts
from assess.registers.display import today
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
        first_loaded={v["version"]: v["first_loaded_at"] for v in store.questionnaire_versions(db)},
        work=work_waiting(db) if access.may(g.user["role"], "run_rounds") else None,
    )


def work_waiting(db) -> dict:
    """What waits for business improvement: in each open round, submissions to review and (once
    it has closed) teams still to submit; proposed risks that need an owner; EqIAs to review."""
    rounds = [
        {**r, "counts": status_counts(r["statuses"]), "past_closing": r["closes_on"] < today()}
        for r in store.rounds_overview(db)
        if r["status"] == "open"
    ]
    return {
        "rounds": rounds,
        "risks_needing_owner": sum(
            p["proposal_state"] != "awaiting" for p in register_store.proposals(db)
        ),
        "eqia_prompts": sum(p["resolved_at"] is None for p in register_store.review_prompts(db)),
    }
