"""From what the assessments find to the registers: proposed risks, the risks exposed by low
maturity, and what a team's results page lists. (EqIA review prompts are raised at sign-off.)"""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from assess import store
from assess.registers import entries as registers_io
from assess.registers.display import exposure_figures, link_questionnaire, raise_proposed_risk
from assess.registers.views import CsrfForm, bp, can_edit
from assess.web.auth import requires

# --- proposed risks from low scores -------------------------------------------------------------


@bp.route("/risks/propose", methods=["POST"])
@requires("edit_registers")
def propose_risk():
    """One step from a low score to a proposed risk, pre-filled with what led to it."""
    if not CsrfForm().validate_on_submit():
        abort(400)
    db = store.get_db()
    q = link_questionnaire()
    dimension, _, member = request.form.get("target", "").partition(":")
    if not registers_io.link_target_exists(q, dimension, member):
        abort(404)
    try:
        round_ = store.round_(db, int(request.form.get("round_id", "0")))
    except (store.NotFound, ValueError, OverflowError):  # OverflowError: beyond SQLite's integers
        abort(404)
    team_id = request.form.get("team_id", type=int)
    try:
        risk_id, reference = raise_proposed_risk(
            q, round_, dimension, member, team_id, g.user["id"]
        )
    except store.NotFound:  # no such team, or it has no signed-off score in this round
        abort(404)
    flash(
        f"Proposed risk {reference} raised. Choose its owner from the service's users; it "
        "joins the register when they accept it."
    )
    return redirect(url_for("registers.risk_detail", risk_id=risk_id))


# --- risks exposed by low maturity --------------------------------------------------------------


@bp.route("/exposure")
@requires("read_council")
def exposure():
    round_ = store.current_round(store.get_db())
    figures = exposure_figures(link_questionnaire(), round_) if round_ else {}
    return render_template(
        "registers/exposure.html",
        round=round_,
        ranked=figures.get("ranked", []),
        weak_areas=figures.get("weak_areas", []),
        low=current_app.config["RISK_LOW_SCORE"],
        can_edit=can_edit(),
        form=CsrfForm(),
    )


# --- on a team's results page -------------------------------------------------------------------
