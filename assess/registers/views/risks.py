"""The risk register: the list and its matrix, one risk, adding and changing a risk, and its
owner accepting or declining a proposed one."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import abort, flash, g, redirect, render_template, request, url_for

from assess import charts, store
from assess.registers import entries as registers_io
from assess.registers import rules as risk
from assess.registers.display import decorate, scored_risks, settings, today
from assess.registers.views import (
    RISK_DATES,
    SORTS,
    CsrfForm,
    bp,
    can_edit,
    entry_form,
    entry_page,
    may_read,
    read_dates,
)
from assess.store import registers as register_store
from assess.web import access, pictures
from assess.web.auth import requires, sign_in_required
from assess.web.helpers import found_or_404, page, person_label, refuse_expired_form

# --- risk register ------------------------------------------------------------------------------

STAGES = {
    "current": "Current",
    "inherent": "Inherent (before controls)",
    "target": "Target",
}


def chosen_stage() -> str:
    stage = request.args.get("stage", "current")
    return stage if stage in STAGES else "current"


def stage_cells(rows: list[dict], stage: str) -> list[tuple[int, int]]:
    return [(r[f"{stage}_likelihood"], r[f"{stage}_impact"]) for r in rows]


def chosen_risks() -> tuple[list[dict], list[dict], dict, bool, str]:
    """Every risk, the ones the filters in the address choose (sorted), and those filters."""
    everything = scored_risks()
    chosen = {k: request.args.get(k, "") for k in ("category", "owner", "band")}
    overdue = request.args.get("overdue") == "yes"
    shown, sort = risk.filter_and_sort(
        everything, chosen, overdue, request.args.get("sort", "score")
    )
    return everything, shown, chosen, overdue, sort


def matrix_chart(frame, stage: str) -> charts.Chart:
    title = f"{STAGES[stage].split(' (')[0]} risk scores: likelihood by impact"
    return charts.risk_matrix(json.loads(frame.to_json(orient="records")), title)


@bp.route("/risks")
@requires("read_council")
def risks():
    db = store.get_db()
    s = settings()
    everything, shown, chosen, overdue, sort = chosen_risks()
    stage = chosen_stage()
    frame = risk.matrix_frame(stage_cells(shown, stage), s)
    return render_template(
        "registers/risks.html",
        risks=shown,
        total=len(everything),
        proposals=register_store.proposals(db),
        proposal_states=risk.PROPOSAL_STATES,
        stage=stage,
        stages=STAGES,
        categories=sorted({r["category"] for r in everything if r["category"]}),
        owners=sorted({r["owner"] for r in everything if r["owner"]}),
        bands=risk.BANDS,
        chosen=chosen,
        overdue=overdue,
        sort=sort,
        sorts=SORTS,
        cells=[c for c in frame.to_dict("records") if c["count"]],
        matrix_drawn=pictures.shown({"matrix": matrix_chart(frame, stage)})["matrix"],
        settings=s,
        filtered=urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "stage"]),
        can_edit=can_edit(),
    )


@bp.route("/risks/matrix.svg")
@requires("read_council")
def matrix():
    _, shown, *_ = chosen_risks()
    stage = chosen_stage()
    frame = risk.matrix_frame(stage_cells(shown, stage), settings())
    return pictures.picture_response(matrix_chart(frame, stage), "svg")


def render_risk_form(existing, values, errors, status=200):
    s = settings()
    return render_template(
        "registers/risk_form.html",
        existing=existing,
        values=values,
        settings=s,
        responses=risk.RESPONSES,
        owner_choices=owner_choices() if proposed(existing) else [],
        **entry_form(values, RISK_DATES, errors),
    ), status


def proposed(existing: dict | None) -> bool:
    return bool(existing) and existing["status"] == "proposed"


def owner_choices() -> list[dict]:
    return [{**u, "label": person_label(u)} for u in register_store.owner_choices(store.get_db())]


def read_owner_user(fields: dict, errors: list, values: dict) -> None:
    """A proposed risk's owner is a user of the service, chosen from a list: they accept it."""
    chosen = request.form.get("owner_user_id", "")
    values["owner_user_id"] = chosen
    if not chosen:
        fields.update(owner_user_id=None, owner="")
        return
    user = next((u for u in owner_choices() if str(u["id"]) == chosen), None)
    if user is None:
        errors.append(("owner_user_id", "Choose the owner from the list"))
        return
    fields.update(owner_user_id=user["id"], owner=user["name"])


def read_risk_form() -> tuple[dict, list, dict]:
    form = request.form
    values = {f: form.get(f, "") for f in registers_io.RISK_COLUMNS if f != "links"}
    dates = read_dates(form, RISK_DATES)
    values.update(dates)
    fields, errors = registers_io.check_risk(values, settings())
    return fields, errors, values


@bp.route("/risks/new", methods=["GET", "POST"])
@requires("edit_registers")
def new_risk():
    if request.method == "GET":
        return render_risk_form(None, {"raised_on": today(), "response": "Treat"}, [])
    if not CsrfForm().validate_on_submit():
        refuse_expired_form()
    return save_risk(None)


def save_risk(existing: dict | None):
    """Add the posted risk (or update `existing`) and go to it; the form with errors if not."""
    fields, errors, values = read_risk_form()
    if existing is not None and proposed(existing):
        read_owner_user(fields, errors, values)
    if not errors:
        db = store.get_db()
        try:
            if existing is None:
                risk_id = register_store.add_risk(db, fields, g.user["id"])
            else:
                risk_id = existing["id"]
                register_store.update_risk(db, risk_id, fields, g.user["id"])
        except register_store.DuplicateRef as duplicate:
            errors = [("ref", str(duplicate))]
        else:
            done = "added to the register" if existing is None else "updated"
            flash(f"Risk {fields['ref']} {done}.")
            return redirect(url_for("registers.risk_detail", risk_id=risk_id))
    return render_risk_form(existing, values, errors, 400)


def get_risk(risk_id: int) -> dict:
    return found_or_404(register_store.risk, store.get_db(), risk_id)


@bp.route("/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@requires("edit_registers")
def edit_risk(risk_id: int):
    existing = get_risk(risk_id)
    if request.method == "GET":
        return render_risk_form(existing, {k: existing[k] or "" for k in existing}, [])
    if not CsrfForm().validate_on_submit():
        refuse_expired_form()
    return save_risk(existing)


@bp.route("/risks/<int:risk_id>")
@sign_in_required
def risk_detail(risk_id: int):
    may_read("risk", risk_id)
    db = store.get_db()
    existing = get_risk(risk_id)
    s = settings()
    history = register_store.score_history(db, risk_id)
    scores = [h["score"] for h in history]
    entry = decorate(existing, s, {risk_id: scores})
    proposal = None
    if existing["status"] == "proposed":
        (proposal,) = [p for p in register_store.proposals(db) if p["id"] == risk_id]
    return render_template(
        "registers/risk.html",
        r=entry,
        history=[
            {
                **h,
                "band": risk.band(min(h["score"], s.top), s),
                "direction": risk.direction_of_travel(scores[: index + 1]),
            }
            for index, h in enumerate(history)
        ],
        statuses=risk.RISK_STATUSES,
        proposal=proposal,
        proposal_states=risk.PROPOSAL_STATES,
        decisions=register_store.owner_decisions(db, risk_id),
        may_decide=existing["status"] == "proposed"
        and existing["owner_user_id"] is not None
        and risk.may_decide(g.user["id"], g.user["role"], existing["owner_user_id"]),
        settings=s,
        **entry_page("risk", risk_id),
    )


def proposal_to_decide(risk_id: int) -> dict:
    """The proposed risk this user may accept or decline; 403 for anyone else, and back to the
    risk, saying why, when it waits for no decision."""
    existing = get_risk(risk_id)
    if not risk.may_decide(g.user["id"], g.user["role"], existing["owner_user_id"]):
        abort(403)
    if existing["status"] != "proposed" or existing["owner_user_id"] is None:
        abort(not_waiting(existing))
    return existing


def not_waiting(existing: dict):
    """Where a decision on a risk that waits for nobody goes: back to the risk, with why."""
    if existing["status"] != "proposed":
        flash(f"Risk {existing['ref']} is already {existing['status']}: nothing to decide.")
    else:
        flash(f"Risk {existing['ref']} needs an owner before it can be accepted.", "important")
    return redirect(url_for("registers.risk_detail", risk_id=existing["id"]))


@bp.route("/risks/<int:risk_id>/accept", methods=["POST"])
@sign_in_required
def accept_risk(risk_id: int):
    """Only the proposed risk's owner (or an administrator, for them) accepts it."""
    existing = proposal_to_decide(risk_id)
    register_store.accept_risk(store.get_db(), risk_id, g.user)
    on_behalf = "" if existing["owner_user_id"] == g.user["id"] else f" for {existing['owner']}"
    flash(f"You accepted risk {existing['ref']}{on_behalf}: it is now on the register.")
    return redirect(url_for("registers.risk_detail", risk_id=risk_id))


@bp.route("/risks/<int:risk_id>/decline", methods=["GET", "POST"])
@sign_in_required
def decline_risk(risk_id: int):
    """The owner says no, with a reason business improvement reads."""
    existing = proposal_to_decide(risk_id)
    errors, reason = [], request.form.get("reason", "")
    if request.method == "POST":
        try:
            register_store.decline_risk(store.get_db(), risk_id, reason, g.user)
        except register_store.NeedsNote as needs:
            errors.append(("reason", str(needs)))
        else:
            flash(
                f"You declined risk {existing['ref']}. Business improvement can read your "
                "reason and will choose another owner."
            )
            if access.may(g.user["role"], "read_council"):
                return redirect(url_for("registers.risk_detail", risk_id=risk_id))
            return redirect(url_for("home.index"))
    return page(
        "registers/decline.html",
        errors,
        r=existing,
        reason=reason,
        field_errors=dict(errors),
        form=CsrfForm(),
    )
