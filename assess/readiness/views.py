"""The readiness review's pages: an overview of a service's review (its answers by area, its
scores once completed, and "Complete the review"), and a page of checks per area. Its team lead
or business improvement answers it; anyone who may see the team's results reads it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from assess import store
from assess.assessment.forms import MAX_TEXT
from assess.assessment.journey import Visit, visit
from assess.readiness.checks import NOT_APPLICABLE
from assess.readiness.figures import TeamReview, team_review
from assess.readiness.form import Posted, answer_field, note_field, read_review, unanswered
from assess.store import readiness as review_store
from assess.web import access
from assess.web.auth import sign_in_required

bp = Blueprint(
    "readiness", __name__, url_prefix="/teams/<int:team_id>/rounds/<int:round_id>/readiness-review"
)


def may_change(v: Visit) -> bool:
    """The team's own lead, or business improvement for any team."""
    role = g.user["role"]
    return access.may(role, "review_readiness") and (v.can_edit or access.may(role, "read_council"))


def review_visit(team_id: int, round_id: int) -> tuple[Visit, TeamReview]:
    v = visit(team_id, round_id)
    found = team_review(team_id, round_id, v.questionnaire.id)
    if found is None:
        abort(404)  # no readiness review sits beside this round's questionnaire
    return v, found


def refused(v: Visit, method: str):
    """A change nobody may make now: 403 for someone who may never change it, 409 (nothing
    kept) once the round is closed; None when the change may go ahead."""
    if method != "POST":
        return None
    if not may_change(v):
        abort(403)
    if v.round["status"] != "open":
        reason = f"The {v.round['name']} round is closed, so its readiness reviews cannot change."
        return render_template("readiness/locked.html", visit=v, reason=reason), 409
    return None


@bp.route("/", methods=["GET", "POST"])
@sign_in_required
def overview(team_id: int, round_id: int):
    v, found = review_visit(team_id, round_id)
    refusal = refused(v, request.method)
    if refusal:
        return refusal
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        errors = [
            (f"check-{key}", message) for key, message in unanswered(found.review, found.answers)
        ]
        if not errors:
            try:
                review_store.save_review(
                    store.get_db(), team_id, round_id, found.review, {}, g.user["id"], True
                )
            except store.Locked as locked:
                return render_template("readiness/locked.html", visit=v, reason=str(locked)), 409
            flash("The readiness review is complete. Its scores show beside the team’s results.")
            return redirect(url_for("readiness.overview", team_id=team_id, round_id=round_id))
    return render_template(
        "readiness/overview.html",
        **page_context(v, found),
        errors=errors,
        people=store.users_by_ids(store.get_db(), [found.row["completed_by"]] if found.row else []),
    ), (400 if errors else 200)


@bp.route("/<area>", methods=["GET", "POST"])
@sign_in_required
def area_page(team_id: int, round_id: int, area: str):
    v, found = review_visit(team_id, round_id)
    if area not in {a.key for a in found.review.areas}:
        abort(404)
    refusal = refused(v, request.method)
    if refusal:
        return refusal
    if not (may_change(v) and v.round["status"] == "open"):
        return redirect(url_for("readiness.overview", team_id=team_id, round_id=round_id))
    checks = found.review.checks_in(area)
    if request.method == "GET":
        return render_area(v, found, area, saved_values(found), [])
    posted = read_review(found.review, checks, request.form, MAX_TEXT)
    if not (posted.kept or posted.errors):
        posted.errors.append(
            (answer_field(checks[0].key), "Choose an answer for at least one check, then save")
        )
    return save_area(v, found, area, posted)


def save_area(v: Visit, found: TeamReview, area: str, posted: Posted):
    """Keep what can be kept; the page comes back (400) naming whatever could not be, with what
    was typed. "Save and continue" goes on to the next area, then to the overview."""
    ids = {"team_id": v.team["id"], "round_id": v.round["id"]}
    if posted.kept:
        try:
            review_store.save_review(
                store.get_db(), *ids.values(), found.review, posted.kept, g.user["id"]
            )
        except store.Locked as locked:
            return render_template("readiness/locked.html", visit=v, reason=str(locked)), 409
    if posted.errors:
        again = team_review(v.team["id"], v.round["id"], v.questionnaire.id)
        assert again is not None
        return render_area(v, again, area, posted.values, posted.errors, status=400)
    keys = [a.key for a in found.review.areas]
    following = keys[keys.index(area) + 1 :]
    if request.form.get("action") == "continue" and following:
        return redirect(url_for("readiness.area_page", **ids, area=following[0]))
    flash("Your answers have been saved.")
    return redirect(url_for("readiness.overview", **ids))


def saved_values(found: TeamReview) -> dict[str, str]:
    values = {}
    for key, answer in found.answers.items():
        values[answer_field(key)] = answer["answer"]
        values[note_field(key)] = answer["note"]
    return values


def page_context(v: Visit, found: TeamReview) -> dict:
    review = found.review
    return {
        "visit": v,
        "found": found,
        "review": review,
        "editable": may_change(v) and v.round["status"] == "open",
        "numbers": {c.key: n for n, c in enumerate(review.checks, start=1)},
        "answer_names": {a.key: a.name for a in review.answers}
        | {NOT_APPLICABLE: "Not applicable"},
    }


def render_area(v: Visit, found: TeamReview, area: str, values, errors, status=200):
    review = found.review
    return (
        render_template(
            "readiness/area.html",
            **page_context(v, found),
            area=next(a for a in review.areas if a.key == area),
            checks=review.checks_in(area),
            values=values,
            errors=errors,
            max_text=MAX_TEXT,
            answer_field=answer_field,
            note_field=note_field,
            not_applicable=NOT_APPLICABLE,
        ),
        status,
    )
