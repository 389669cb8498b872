"""The risk register: the list and its matrix, one risk, adding and changing a risk, and
accepting a proposed one."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from assess import charts, registers_io, risk, store
from assess.auth import requires, sign_in_required
from assess.store import registers as register_store
from assess.views.registers import (
    EDIT,
    READ_ALL,
    RISK_DATES,
    SORTS,
    CsrfForm,
    anchor,
    bp,
    can_edit,
    date_parts,
    decorate,
    link_choices,
    link_questionnaire,
    links_for_page,
    may_read,
    read_dates,
    settings,
    today,
)

# --- risk register ------------------------------------------------------------------------------


@bp.route("/risks")
@requires(*READ_ALL)
def risks():
    db = store.get_db()
    s = settings()
    histories = register_store.score_histories(db)
    everything = [decorate(r, s, histories) for r in register_store.risks(db)]
    proposed = [decorate(r, s, histories) for r in register_store.risks(db, ("proposed",))]
    chosen = {k: request.args.get(k, "") for k in ("category", "owner", "band")}
    overdue = request.args.get("overdue") == "yes"
    sort = request.args.get("sort", "score")
    shown = [
        r
        for r in everything
        if (not chosen["category"] or r["category"] == chosen["category"])
        and (not chosen["owner"] or r["owner"] == chosen["owner"])
        and (not chosen["band"] or r["current_band"] == chosen["band"])
        and (not overdue or r["overdue"])
    ]
    if sort == "ref":
        shown.sort(key=lambda r: r["ref"])
    elif sort == "review":
        shown.sort(key=lambda r: (r["next_review_on"] or "9999", r["ref"]))
    else:
        sort = "score"
        shown.sort(key=lambda r: (-r["current_score"], r["ref"]))
    frame = risk.matrix_frame([(r["current_likelihood"], r["current_impact"]) for r in shown], s)
    return render_template(
        "registers/risks.html",
        risks=shown,
        total=len(everything),
        proposed=proposed,
        categories=sorted({r["category"] for r in everything if r["category"]}),
        owners=sorted({r["owner"] for r in everything if r["owner"]}),
        bands=risk.BANDS,
        chosen=chosen,
        overdue=overdue,
        sort=sort,
        sorts=SORTS,
        cells=[c for c in frame.to_dict("records") if c["count"]],
        settings=s,
        filtered=request.query_string.decode(),
        can_edit=can_edit(),
    )


@bp.route("/risks/matrix.svg")
@requires(*READ_ALL)
def matrix():
    db = store.get_db()
    s = settings()
    histories = register_store.score_histories(db)
    rows = [decorate(r, s, histories) for r in register_store.risks(db)]
    band = request.args.get("band", "")
    rows = [
        r
        for r in rows
        if all(
            not request.args.get(k) or r[k] == request.args.get(k) for k in ("category", "owner")
        )
        and (not band or r["current_band"] == band)
        and (request.args.get("overdue") != "yes" or r["overdue"])
    ]
    frame = risk.matrix_frame([(r["current_likelihood"], r["current_impact"]) for r in rows], s)
    chart = charts.risk_matrix_chart(frame, "Current risk scores: likelihood by impact")
    return Response(charts.render_svg(chart), mimetype="image/svg+xml")


def render_risk_form(existing, values, errors, status=200):
    s = settings()
    return render_template(
        "registers/risk_form.html",
        existing=existing,
        values=values,
        dates={
            d: date_parts(values.get(d))
            if values.get(d) and values.get(d) != "not a date"
            else {p: request.form.get(f"{d}_{p}", "") for p in ("day", "month", "year")}
            for d in RISK_DATES
        },
        errors=[(anchor(f), m) for f, m in errors],
        field_errors={anchor(f): m for f, m in reversed(errors)},
        settings=s,
        responses=risk.RESPONSES,
        form=CsrfForm(),
    ), status


def read_risk_form() -> tuple[dict, list, dict]:
    form = request.form
    values = {f: form.get(f, "") for f in registers_io.RISK_COLUMNS if f != "links"}
    dates, _ = read_dates(form, RISK_DATES)
    values.update(dates)
    fields, errors = registers_io.check_risk(values, settings())
    return fields, errors, values


@bp.route("/risks/new", methods=["GET", "POST"])
@requires(*EDIT)
def new_risk():
    if request.method == "GET":
        return render_risk_form(None, {"raised_on": today(), "response": "Treat"}, [])
    if not CsrfForm().validate_on_submit():
        abort(400, "The form expired. Go back and try again.")
    fields, errors, values = read_risk_form()
    if not errors:
        try:
            risk_id = register_store.add_risk(store.get_db(), fields, g.user["id"])
        except register_store.DuplicateRef as duplicate:
            errors = [("ref", str(duplicate))]
        else:
            flash(f"Risk {fields['ref']} added to the register.")
            return redirect(url_for("registers.risk_detail", risk_id=risk_id))
    return render_risk_form(None, values, errors, 400)


def get_risk(risk_id: int) -> dict:
    try:
        return register_store.risk(store.get_db(), risk_id)
    except store.NotFound:
        abort(404)


@bp.route("/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@requires(*EDIT)
def edit_risk(risk_id: int):
    existing = get_risk(risk_id)
    if request.method == "GET":
        return render_risk_form(existing, {k: existing[k] or "" for k in existing}, [])
    if not CsrfForm().validate_on_submit():
        abort(400, "The form expired. Go back and try again.")
    fields, errors, values = read_risk_form()
    if not errors:
        try:
            register_store.update_risk(store.get_db(), risk_id, fields, g.user["id"])
        except register_store.DuplicateRef as duplicate:
            errors = [("ref", str(duplicate))]
        else:
            flash(f"Risk {fields['ref']} updated.")
            return redirect(url_for("registers.risk_detail", risk_id=risk_id))
    return render_risk_form(existing, values, errors, 400)


@bp.route("/risks/<int:risk_id>")
@sign_in_required
def risk_detail(risk_id: int):
    may_read("risk", risk_id)
    db = store.get_db()
    existing = get_risk(risk_id)
    s = settings()
    history = register_store.score_history(db, risk_id)
    entry = decorate(existing, s, {risk_id: [h["score"] for h in history]})
    return render_template(
        "registers/risk.html",
        r=entry,
        history=[{**h, "band": risk.band(min(h["score"], s.top), s)} for h in history],
        actions=register_store.actions_of(db, "risk", risk_id),
        action_statuses=risk.ACTION_STATUSES,
        links=links_for_page("risk", risk_id),
        link_choices=link_choices(link_questionnaire()),
        statuses=risk.RISK_STATUSES,
        settings=s,
        can_edit=can_edit(),
        form=CsrfForm(),
    )


@bp.route("/risks/<int:risk_id>/accept", methods=["POST"])
@requires(*EDIT)
def accept_risk(risk_id: int):
    existing = get_risk(risk_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if not existing["owner"].strip():
        flash("Give the risk an owner before it can be accepted.", "important")
        return redirect(url_for("registers.edit_risk", risk_id=risk_id))
    register_store.accept_risk(store.get_db(), risk_id, g.user["id"])
    flash(f"{existing['owner']} accepted risk {existing['ref']}: it is now on the register.")
    return redirect(url_for("registers.risk_detail", risk_id=risk_id))
