"""Equality impact assessments: the list with review prompts, an EqIA, adding and changing one.

Review prompts are raised when an assessment is signed off (see `raise_eqia_prompts_for`), not
when a page is read."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from assess import store
from assess.registers import entries as registers_io
from assess.registers import rules as risk
from assess.registers.display import link_questionnaire, today
from assess.registers.views import (
    CsrfForm,
    bp,
    can_edit,
    entry_form,
    entry_page,
    may_read,
    read_dates,
)
from assess.store import programme as programme_store
from assess.store import registers as register_store
from assess.web import access
from assess.web.auth import requires, safe_local_path, sign_in_required
from assess.web.helpers import found_or_404, refuse_expired_form

# --- equality impact assessments ----------------------------------------------------------------


def groups() -> tuple[str, ...]:
    return risk.eqia_groups(current_app.config["EQIA_LOCAL_GROUPS"])


def strands() -> list[tuple[str, str]]:
    """The strategy's strands (key, name): the `strand` members of the questionnaire that
    register links point into; none if it has no such dimension."""
    return registers_io.strands_of(link_questionnaire())


def strand_rows(eqia_id: int) -> list[dict]:
    """An EqIA's implications by strand as its page shows them, each strand by its name."""
    names = dict(strands())
    return [
        {**row, "name": names.get(row["strand"], row["strand"])}
        for row in register_store.strand_impacts_of(store.get_db(), eqia_id)
    ]


@bp.route("/eqias")
@requires("read_council")
def eqias():
    db = store.get_db()
    entries = register_store.eqias(db)
    impacts = register_store.impacts_by_eqia(db)
    return render_template(
        "registers/eqias.html",
        eqias=[
            {
                **e,
                "negative": risk.negative_impacts(impacts.get(e["id"], [])),
                "overdue": bool(e["review_on"]) and e["review_on"] < today(),
            }
            for e in entries
        ],
        prompts=register_store.review_prompts(db),
        indicator_prompts=programme_store.indicator_prompts(db),
        can_edit=can_edit(),
        form=CsrfForm(),
    )


def get_eqia(eqia_id: int) -> dict:
    return found_or_404(register_store.eqia, store.get_db(), eqia_id)


@bp.route("/eqias/<int:eqia_id>")
@sign_in_required
def eqia_detail(eqia_id: int):
    may_read("eqia", eqia_id)
    db = store.get_db()
    council_wide = access.may(g.user["role"], "read_council")
    return render_template(
        "registers/eqia.html",
        e=get_eqia(eqia_id),
        impacts=register_store.impacts_of(db, eqia_id),
        strand_impacts=strand_rows(eqia_id),
        # prompts quote other teams' names and scores, and council figures: council-wide only
        prompts=register_store.review_prompts(db, eqia_id) if council_wide else [],
        indicator_prompts=programme_store.indicator_prompts(db, eqia_id) if council_wide else [],
        **entry_page("eqia", eqia_id),
    )


EQIA_DATES = ("signed_off_on", "review_on")


def read_eqia_form() -> tuple[dict, list[dict], list, dict, dict]:
    form = request.form
    values = {f: form.get(f, "") for f in registers_io.EQIA_COLUMNS}
    dates = read_dates(form, EQIA_DATES)
    values.update(dates)
    fields, errors = registers_io.check_eqia(values)
    impacts, group_values = [], {}
    for index, group in enumerate(groups()):
        raw = {
            "group_name": group,
            "impact": form.get(f"g{index}-impact", ""),
            "severity": form.get(f"g{index}-severity", ""),
            "group_evidence": form.get(f"g{index}-evidence", ""),
            "mitigation": form.get(f"g{index}-mitigation", ""),
        }
        group_values[index] = raw
        record, group_errors = registers_io.check_impact(raw, groups())
        for field, message in group_errors:
            suffix = {"impact": "impact", "severity": "severity"}.get(field, "impact")
            errors.append((f"g{index}-{suffix}", f"{group}: {message}"))
        impacts.append(record)
    return fields, impacts, errors, values, group_values


def read_strand_form() -> tuple[list[dict], list, dict]:
    """The implications by strand as posted: those to store, errors, and what was typed."""
    form = request.form
    records, errors, strand_values = [], [], {}
    for index, (key, name) in enumerate(strands()):
        raw = {"impact": form.get(f"s{index}-impact", ""), "note": form.get(f"s{index}-note", "")}
        strand_values[index] = raw
        record, strand_errors = registers_io.check_strand_impact(raw)
        errors += [(f"s{index}-{field}", f"{name}: {message}") for field, message in strand_errors]
        if record is not None:
            records.append({"strand": key, **record})
    return records, errors, strand_values


def saved_strand_values(eqia_id: int) -> dict[int, dict]:
    """The stored implications by strand as the form's fields show them, by the strand's place."""
    saved = {s["strand"]: s for s in register_store.strand_impacts_of(store.get_db(), eqia_id)}
    return {
        index: saved.get(key, {"impact": "", "note": ""})
        for index, (key, _) in enumerate(strands())
    }


def render_eqia_form(existing, values, group_values, errors, status=200, strand_values=None):
    return render_template(
        "registers/eqia_form.html",
        existing=existing,
        values=values,
        groups=list(enumerate(groups())),
        group_values=group_values,
        strands=list(enumerate(name for _, name in strands())),
        strand_values=strand_values or {},
        impacts=risk.IMPACTS,
        severities=risk.SEVERITIES,
        screening=risk.SCREENING_OUTCOMES,
        **entry_form(values, EQIA_DATES, errors),
    ), status


@bp.route("/eqias/new", methods=["GET", "POST"])
@requires("edit_registers")
def new_eqia():
    if request.method == "GET":
        return render_eqia_form(None, {}, {}, [])
    if not CsrfForm().validate_on_submit():
        refuse_expired_form()
    return save_eqia(None)


def save_eqia(existing: dict | None):
    """Add the posted EqIA (or update `existing`) and go to it; the form with errors if not."""
    fields, impacts, errors, values, group_values = read_eqia_form()
    strand_impacts, strand_errors, strand_values = read_strand_form()
    errors += strand_errors
    if not errors:
        db = store.get_db()
        try:
            if existing is None:
                eqia_id = register_store.add_eqia(db, fields, impacts, g.user["id"], strand_impacts)
            else:
                eqia_id = existing["id"]
                register_store.update_eqia(
                    db, eqia_id, fields, impacts, g.user["id"], strand_impacts
                )
        except register_store.DuplicateRef as duplicate:
            errors = [("ref", str(duplicate))]
        else:
            flash(
                f"Equality impact assessment {fields['ref']} {'updated' if existing else 'added'}."
            )
            return redirect(url_for("registers.eqia_detail", eqia_id=eqia_id))
    return render_eqia_form(existing, values, group_values, errors, 400, strand_values)


@bp.route("/eqias/<int:eqia_id>/edit", methods=["GET", "POST"])
@requires("edit_registers")
def edit_eqia(eqia_id: int):
    existing = get_eqia(eqia_id)
    if request.method == "GET":
        saved = {i["group_name"]: i for i in register_store.impacts_of(store.get_db(), eqia_id)}
        group_values = {
            index: {
                "impact": saved.get(group, {}).get("impact", ""),
                "severity": saved.get(group, {}).get("severity") or "",
                "group_evidence": saved.get(group, {}).get("evidence", ""),
                "mitigation": saved.get(group, {}).get("mitigation", ""),
            }
            for index, group in enumerate(groups())
        }
        return render_eqia_form(
            existing,
            {k: v or "" for k, v in existing.items()},
            group_values,
            [],
            200,
            saved_strand_values(eqia_id),
        )
    if not CsrfForm().validate_on_submit():
        refuse_expired_form()
    return save_eqia(existing)


@bp.route("/eqias/prompts/<int:prompt_id>", methods=["POST"])
@requires("edit_registers")
def resolve_prompt(prompt_id: int):
    if not CsrfForm().validate_on_submit():
        abort(400)
    outcome = request.form.get("outcome", "").strip()
    if not outcome:
        flash("Say what was done about the review prompt before you record it.", "important")
    else:
        try:
            register_store.resolve_review_prompt(store.get_db(), prompt_id, outcome, g.user["id"])
        except store.NotFound:
            abort(404)
        flash("What was done about the review prompt is recorded.")
    return redirect(safe_local_path(request.form.get("back"), url_for("registers.eqias")))
