"""From what the assessments find to the registers: proposed risks, the risks exposed by low
maturity, and what a team's results page lists. (EqIA review prompts are raised at sign-off.)"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from assess import store
from assess.assessment.questionnaire import Questionnaire
from assess.assessment.scoring import PUBLISHED, council_average, is_weak
from assess.registers import entries as registers_io
from assess.registers import rules as risk
from assess.registers.display import decorate, link_questionnaire, settings, today
from assess.registers.views import (
    CsrfForm,
    bp,
    can_edit,
)
from assess.store import registers as register_store
from assess.web.auth import requires

# --- proposed risks from low scores -------------------------------------------------------------


def area_scores(round_id: int, q: Questionnaire) -> dict[tuple[str, str], dict[int, float]]:
    """(dimension, member) -> team id -> score in a round, statements included (their level).
    Signed-off assessments only, as every published figure."""
    db = store.get_db()
    scores: dict[tuple[str, str], dict[int, float]] = {}
    for row in store.round_scores(db, round_id, PUBLISHED):
        if row["dimension"] in ("readiness_area", "value") and row["score"] is not None:
            scores.setdefault((row["dimension"], row["member"]), {})[row["team_id"]] = row["score"]
    for team_id, statement_key, level, _ in store.round_answers(db, round_id, PUBLISHED):
        if level is not None:
            scores.setdefault(("statement", statement_key), {})[team_id] = level
    return scores


def previous_round(round_: dict) -> dict | None:
    earlier = [r for r in store.rounds(store.get_db()) if r["opens_on"] < round_["opens_on"]]
    return earlier[-1] if earlier else None


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
    low = current_app.config["RISK_LOW_SCORE"]
    scores = area_scores(round_["id"], q).get((dimension, member), {})
    below = sorted(t for t, v in scores.items() if is_weak(v, low))
    name = registers_io.link_name(q, dimension, member)
    if team_id is not None:
        if team_id not in scores:  # no such team, or it did not submit in this round
            abort(404)
        team = store.team(db, team_id)
        basis = scores[team_id]
        evidence = (
            f"{team['name']} scored {basis:.2f} in {name} in {round_['name']}, below {low:g}. "
            f"{len(below)} of {len(scores)} signed-off teams score below {low:g} there."
        )
    else:
        average = council_average(scores.values())
        basis = low if average is None else average
        evidence = (
            f"The council average in {name} was {basis:.2f} in {round_['name']}; "
            f"{len(below)} of {len(scores)} signed-off teams score below {low:g}."
        )
    s = settings()
    likelihood, impact = risk.suggest_likelihood_impact(basis, low, len(below), len(scores), s)
    taken = register_store.existing_refs(db, "risk")
    number = 1
    while f"PROP-{number:02d}" in taken:
        number += 1
    area = name.split(": ", 1)[-1]
    fields = {
        "ref": f"PROP-{number:02d}",
        "title": f"Low maturity in {area}",
        "cause": f"Low culture maturity in {area}",
        "event": "Services do not improve where the assessment shows they are weakest",
        "consequence": "Residents get a poorer experience and the strategy's outcomes slip",
        "category": "Culture maturity",
        "owner": "",
        "raised_on": today(),
        "inherent_likelihood": likelihood,
        "inherent_impact": impact,
        "current_likelihood": likelihood,
        "current_impact": impact,
        "target_likelihood": max(1, likelihood - 2),
        "target_impact": impact,
        "response": "Treat",
        "source_round_id": round_["id"],
        "source_team_id": team_id,
        "source_evidence": evidence,
    }
    risk_id = register_store.add_risk(db, fields, g.user["id"], status="proposed")
    register_store.add_link(db, "risk", risk_id, q.id, dimension, member, g.user["id"])
    flash(
        f"Proposed risk {fields['ref']} raised. Choose its owner from the service's users; it "
        "joins the register when they accept it."
    )
    return redirect(url_for("registers.risk_detail", risk_id=risk_id))


# --- risks exposed by low maturity --------------------------------------------------------------


@bp.route("/exposure")
@requires("read_council")
def exposure():
    db = store.get_db()
    q = link_questionnaire()
    round_ = store.current_round(db)
    s = settings()
    low = current_app.config["RISK_LOW_SCORE"]
    ranked, weak_areas = [], []
    if round_:
        now_scores = area_scores(round_["id"], q)
        before = previous_round(round_)
        before_scores = area_scores(before["id"], q) if before else {}
        histories = register_store.score_histories(db)
        open_risks = [decorate(r, s, histories) for r in register_store.risks(db)]
        links = {
            risk_id: [
                (
                    link["dimension"],
                    link["member"],
                    registers_io.link_name(q, link["dimension"], link["member"]),
                )
                for link in rows
            ]
            for risk_id, rows in register_store.all_links(db, "risk", q.id).items()
        }
        ranked = risk.exposure(
            open_risks,
            links,
            now_scores,
            before_scores,
            low,
            current_app.config["CHANGE_THRESHOLD"],
        )
        for dimension in ("readiness_area", "value"):
            for member in q.dimension(dimension).members:
                teams = now_scores.get((dimension, member.key), {})
                below = [t for t, v in teams.items() if is_weak(v, low)]
                if below:
                    weak_areas.append(
                        {
                            "target": f"{dimension}:{member.key}",
                            "name": registers_io.link_name(q, dimension, member.key),
                            "below": len(below),
                            "teams": len(teams),
                        }
                    )
    return render_template(
        "registers/exposure.html",
        round=round_,
        ranked=ranked,
        weak_areas=sorted(weak_areas, key=lambda a: -a["below"]),
        low=low,
        can_edit=can_edit(),
        form=CsrfForm(),
    )


# --- on a team's results page -------------------------------------------------------------------
