"""Inviting a team's staff to answer: by email (a single-use link each) or printed codes, and
reminding those who have not used their link. A team's own lead, or business improvement for any
team (or every team of a round at once). The pages show counts, never who has answered."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm

from assess import store
from assess.assessment.journey import Visit, visit
from assess.assessment.staff import format_code, read_email_list
from assess.assessment.staff_journey import remind_staff, send_links
from assess.store import staff as staff_store
from assess.web import access
from assess.web.auth import requires, sign_in_required
from assess.web.helpers import refuse_expired_form, round_or_404

bp = Blueprint("invite", __name__)
TEAM = "/teams/<int:team_id>/rounds/<int:round_id>/staff"


def invite_visit(team_id: int, round_id: int) -> Visit:
    """The team's visit, for someone who may invite its staff: its own lead or business
    improvement (403 for anyone else who may see the team)."""
    v = visit(team_id, round_id)
    role = g.user["role"]
    if not (access.may(role, "invite_staff") and (v.can_edit or access.may(role, "run_rounds"))):
        abort(403)
    return v


def refused(v: Visit):
    """A post that would change invitations: a valid form, and an open round (409 if not)."""
    if not FlaskForm().validate_on_submit():
        refuse_expired_form()
    if v.round["status"] != "open":
        reason = f"The {v.round['name']} round is not open, so staff cannot be invited to it."
        return render_template("staff/invite_closed.html", visit=v, reason=reason), 409
    return None


def most() -> int:
    return current_app.config["STAFF_INVITES_MOST"]


@bp.route(TEAM + "/")
@sign_in_required
def overview(team_id: int, round_id: int):
    v = invite_visit(team_id, round_id)
    counts = staff_store.invitation_counts(store.get_db(), round_id, team_id)
    return render_template("staff/invitations.html", visit=v, counts=counts, form=FlaskForm())


@bp.route(TEAM + "/email", methods=["GET", "POST"])
@sign_in_required
def by_email(team_id: int, round_id: int):
    v = invite_visit(team_id, round_id)
    typed, errors = request.form.get("addresses", ""), []
    if request.method == "POST":
        refusal = refused(v)
        if refusal:
            return refusal
        found = read_email_list(typed, most())
        errors = [("addresses", message) for _, message in found.errors]
        if not errors:
            links = staff_store.create_invitations(
                store.get_db(), round_id, team_id, "email", g.user["id"], emails=found.addresses
            )
            addressed = [(team_id, email, secret) for email, secret in links]
            sent = send_links(v.round, {team_id: v.team["name"]}, addressed)
            flash(f"Invitations sent to {sent} {'person' if sent == 1 else 'people'}.")
            return redirect(url_for("invite.overview", team_id=team_id, round_id=round_id))
    return render_template(
        "staff/invite_email.html", visit=v, typed=typed, errors=errors, most=most()
    ), (400 if errors else 200)


def read_count(typed: str) -> tuple[int | None, list[tuple[str, str]]]:
    """How many codes to print, or the error that says why not."""
    typed = typed.strip()
    if not typed:
        return None, [("count", "Enter how many codes to print")]
    if not (typed.isascii() and typed.isdigit()) or not 1 <= int(typed) <= most():
        return None, [("count", f"Enter a whole number from 1 to {most():,}")]
    return int(typed), []


@bp.route(TEAM + "/codes", methods=["GET", "POST"])
@sign_in_required
def codes(team_id: int, round_id: int):
    v = invite_visit(team_id, round_id)
    typed, errors = request.form.get("count", ""), []
    if request.method == "POST":
        refusal = refused(v)
        if refusal:
            return refusal
        count, errors = read_count(typed)
        if count:
            made = staff_store.create_invitations(
                store.get_db(), round_id, team_id, "printed", g.user["id"], count=count
            )
            slips = [(v.team["name"], format_code(code)) for _, code in made]
            return render_slips(v.round, slips)
    return render_template(
        "staff/invite_codes.html", visit=v, typed=typed, errors=errors, most=most()
    ), (400 if errors else 200)


def render_slips(round_: dict, slips: list[tuple[str, str]]):
    """The printable slips: shown once, since only a hash of each code is kept."""
    return render_template(
        "staff/slips.html",
        round=round_,
        slips=slips,
        address=url_for("staff.enter_code", _external=True),
    )


@bp.route(TEAM + "/remind", methods=["POST"])
@sign_in_required
def remind(team_id: int, round_id: int):
    v = invite_visit(team_id, round_id)
    refusal = refused(v)
    if refusal:
        return refusal
    sent = remind_staff(v.round, team_id, g.user["id"])
    flash(f"New links sent to {sent} {'person' if sent == 1 else 'people'} invited by email.")
    return redirect(url_for("invite.overview", team_id=team_id, round_id=round_id))


@bp.route("/rounds/<int:round_id>/staff-codes", methods=["GET", "POST"])
@requires("run_rounds")
def round_codes(round_id: int):
    """Business improvement prints codes for every team of a round at once."""
    round_ = round_or_404(round_id)
    db = store.get_db()
    teams = [store.team(db, t) for t in store.round_scope(db, round_id)]
    typed, errors = request.form.get("count", ""), []
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            refuse_expired_form()
        count, errors = read_count(typed)
        if round_["status"] != "open":
            errors = [("count", f"The {round_['name']} round is not open, so nobody can answer")]
        elif count:
            slips = []
            for team in teams:
                made = staff_store.create_invitations(
                    db, round_id, team["id"], "printed", g.user["id"], count=count
                )
                slips += [(team["name"], format_code(code)) for _, code in made]
            return render_slips(round_, slips)
    return render_template(
        "staff/round_codes.html", round=round_, teams=teams, typed=typed, errors=errors, most=most()
    ), (400 if errors else 200)
