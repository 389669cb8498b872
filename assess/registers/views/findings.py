"""From what the assessments find to the registers: proposed risks, the risks exposed by low
maturity, and what a team's results page lists. (EqIA review prompts are raised at sign-off.)"""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from assess import store
from assess.registers import entries as registers_io
from assess.registers import rules
from assess.registers.display import (
    exposure_figures,
    link_questionnaire,
    proposal,
    raise_proposed_risk,
    settings,
    today,
)
from assess.registers.views import CsrfForm, bp, can_edit
from assess.store import registers as register_store
from assess.web.auth import requires
from assess.web.helpers import refuse_expired_form

# --- proposed risks from low scores -------------------------------------------------------------


def finding_or_404(values) -> tuple[str, str, dict, int | None]:
    """The area (dimension, member), round and team (None: the council) a proposal is for."""
    dimension, _, member = values.get("target", "").partition(":")
    if not registers_io.link_target_exists(link_questionnaire(), dimension, member):
        abort(404)
    try:
        round_ = store.round_(store.get_db(), int(values.get("round_id", "0")))
    except (store.NotFound, ValueError, OverflowError):  # OverflowError: beyond SQLite's integers
        abort(404)
    return dimension, member, round_, values.get("team_id", type=int)


@bp.route("/risks/propose", methods=["GET", "POST"])
@requires("edit_registers")
def propose_risk():
    """A low score's proposed risk: a page saying what it will be, then one press raises it.
    The same finding raised twice gives the risk raised the first time."""
    posted = request.method == "POST"
    if posted and not CsrfForm().validate_on_submit():
        refuse_expired_form()
    dimension, member, round_, team_id = finding_or_404(request.form if posted else request.args)
    q = link_questionnaire()
    try:
        if not posted:
            return confirm_page(q, dimension, member, round_, team_id)
        found, new = raise_proposed_risk(q, round_, dimension, member, team_id, g.user["id"])
    except store.NotFound:  # no such team, or it has no signed-off score in this round
        abort(404)
    flash(
        f"Proposed risk {found['ref']} raised. Choose its owner from the service's users; it "
        "joins the register when they accept it."
        if new
        else f"This finding was raised before, as proposed risk {found['ref']}: nothing new "
        "was added."
    )
    return redirect(url_for("registers.risk_detail", risk_id=found["id"]))


def confirm_page(q, dimension: str, member: str, round_: dict, team_id: int | None):
    """What the proposed risk will say, or the risk this finding already raised."""
    finding = {"target": f"{dimension}:{member}", "round_id": round_["id"]}
    if team_id is None:
        back = url_for("registers.exposure") + "#low-areas"
    else:
        finding["team_id"] = team_id
        back = url_for("team.results_page", team_id=team_id, round_id=round_["id"]) + "#risks"
    return render_template(
        "registers/propose.html",
        risk=rules.scored_risk(
            proposal(q, round_, dimension, member, team_id) | {"next_review_on": None},
            settings(),
            [],
            today(),
        ),
        earlier=register_store.raised_from(
            store.get_db(), round_["id"], team_id, q.id, (dimension, member)
        ),
        area=registers_io.link_name(q, dimension, member),
        round=round_,
        finding=finding,
        back=back,
        form=CsrfForm(),
    )


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
