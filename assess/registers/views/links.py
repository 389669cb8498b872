"""Links to areas, values and statements, and actions: the same for risks and EqIAs."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request

from assess import store
from assess.registers import entries as registers_io
from assess.registers import rules as risk
from assess.registers.display import link_questionnaire
from assess.registers.views import KIND_NAMES, CsrfForm, bp, date_parts, detail_url, read_dates
from assess.store import registers as register_store
from assess.web.auth import requires
from assess.web.helpers import example_date, found_or_404, page

# --- links and actions (both kinds) -------------------------------------------------------------


@requires("edit_registers")
def add_link(kind: str, entry_id: int):
    if not CsrfForm().validate_on_submit():
        abort(400)
    q = link_questionnaire()
    dimension, _, member = request.form.get("target", "").partition(":")
    if not registers_io.link_target_exists(q, dimension, member):
        flash("Choose an area, value or statement to link to.", "important")
        return redirect(detail_url(kind, entry_id) + "#links")
    try:
        register_store.add_link(
            store.get_db(), kind, entry_id, q.id, dimension, member, g.user["id"]
        )
    except store.NotFound:
        abort(404)
    flash(f"Linked to {registers_io.link_name(q, dimension, member)}.")
    return redirect(detail_url(kind, entry_id) + "#links")


@requires("edit_registers")
def remove_link(kind: str, entry_id: int, link_id: int):
    if not CsrfForm().validate_on_submit():
        abort(400)
    links = {link["id"] for link in register_store.links_of(store.get_db(), kind, entry_id)}
    if link_id not in links:
        abort(404)
    register_store.remove_link(store.get_db(), link_id, g.user["id"])
    flash("Link removed.")
    return redirect(detail_url(kind, entry_id) + "#links")


def get_entry(kind: str, entry_id: int) -> dict:
    table = {"risk": register_store.risk, "eqia": register_store.eqia}[kind]
    try:
        return table(store.get_db(), entry_id)
    except store.NotFound:
        abort(404)


def get_action(kind: str, entry_id: int, register_action_id: int) -> dict:
    """The action, if it belongs to this entry (404 otherwise)."""
    found = found_or_404(register_store.register_action, store.get_db(), register_action_id)
    if (found["entry_kind"], found["entry_id"]) != (kind, entry_id):
        abort(404)
    return found


def read_action_form(values: dict, due: dict, statuses: dict) -> tuple[dict, dict, list, dict]:
    """The action's fields from the form, its due date parts, errors, and what to store."""
    values = {k: request.form.get(k, "").strip() for k in values}
    due = {p: request.form.get(f"due_on_{p}", "").strip() for p in due}
    dates = read_dates(request.form, ("due_on",))
    errors = []
    if not values["what"]:
        errors.append(("what", "Enter what will be done"))
    if not values["owner"]:
        errors.append(("owner", "Enter who owns the action"))
    due_on = registers_io.check_date(dates["due_on"]) if dates["due_on"] else None
    if due_on is None:
        example = example_date()
        errors.append(("due_on_day", f"Enter the date the action is due, for example {example}"))
    if values["status"] not in statuses:
        errors.append(("status", "Choose the action’s status"))
    elif values["status"] == "done" and not values.get("completion_note"):
        errors.append(("completion_note", "Say what was done before you mark the action done"))
    return values, due, errors, {**values, "due_on": due_on}


# A new action is not done yet: it is closed later, with a note of what was done.
NEW_ACTION_STATUSES = {k: v for k, v in risk.ACTION_STATUSES.items() if k != "done"}


@requires("edit_registers")
def new_register_action(kind: str, entry_id: int):
    entry = get_entry(kind, entry_id)
    errors, values = [], {"what": "", "owner": "", "status": "not_started"}
    due = {"day": "", "month": "", "year": ""}
    if request.method == "POST":
        values, due, errors, record = read_action_form(values, due, NEW_ACTION_STATUSES)
        if not errors:
            register_store.add_register_action(store.get_db(), kind, entry_id, record, g.user["id"])
            flash("Action added.")
            return redirect(detail_url(kind, entry_id) + "#actions")
    return render_action_form(kind, entry, None, values, due, errors, NEW_ACTION_STATUSES)


@requires("edit_registers")
def edit_register_action(kind: str, entry_id: int, register_action_id: int):
    """Change any of an action's fields, its status too (done needs a note of what was done)."""
    entry = get_entry(kind, entry_id)
    existing = get_action(kind, entry_id, register_action_id)
    values = {k: existing[k] or "" for k in ("what", "owner", "status", "completion_note")}
    due = date_parts(existing["due_on"])
    errors = []
    if request.method == "POST":
        values, due, errors, record = read_action_form(values, due, risk.ACTION_STATUSES)
        if not errors:
            register_store.update_register_action(
                store.get_db(), register_action_id, record, g.user["id"]
            )
            flash("Action closed." if record["status"] == "done" else "Action updated.")
            return redirect(detail_url(kind, entry_id) + "#actions")
    return render_action_form(kind, entry, existing, values, due, errors, risk.ACTION_STATUSES)


@requires("edit_registers")
def close_register_action(kind: str, entry_id: int, register_action_id: int):
    """Mark an action done in one step: say what was done."""
    entry = get_entry(kind, entry_id)
    existing = get_action(kind, entry_id, register_action_id)
    note, errors = existing["completion_note"], []
    if request.method == "POST":
        note = request.form.get("completion_note", "").strip()
        try:
            register_store.update_register_action(
                store.get_db(),
                register_action_id,
                {"status": "done", "completion_note": note},
                g.user["id"],
            )
        except register_store.NeedsNote as needs:
            errors.append(("completion_note", str(needs)))
        else:
            flash("Action closed.")
            return redirect(detail_url(kind, entry_id) + "#actions")
    return page(
        "registers/action_close.html",
        errors,
        kind_name=KIND_NAMES[kind],
        entry=entry,
        action=existing,
        note=note,
        field_errors=dict(errors),
        back=detail_url(kind, entry_id) + "#actions",
        form=CsrfForm(),
    )


def render_action_form(kind, entry, existing, values, due, errors, statuses):
    return page(
        "registers/action_form.html",
        errors,
        kind=kind,
        kind_name=KIND_NAMES[kind],
        entry=entry,
        existing=existing,
        values=values,
        due=due,
        field_errors=dict(errors),
        statuses=statuses,
        back=detail_url(kind, entry_id=entry["id"]) + "#actions",
        form=CsrfForm(),
    )


def _per_kind(rule: str, endpoint: str, view, methods=("GET",)) -> None:
    """The same view for risks and EqIAs, at /registers/risks/... and /registers/eqias/...
    (one endpoint each, so every URL argument is a number)."""
    for kind, plural in (("risk", "risks"), ("eqia", "eqias")):

        def bound(_kind=kind, **kwargs):
            return view(kind=_kind, **kwargs)

        bp.add_url_rule(f"/{plural}{rule}", endpoint.format(kind=kind), bound, methods=methods)


_per_kind("/<int:entry_id>/links", "add_{kind}_link", add_link, ["POST"])
_per_kind("/<int:entry_id>/links/<int:link_id>/remove", "remove_{kind}_link", remove_link, ["POST"])
_per_kind("/<int:entry_id>/actions/new", "new_{kind}_action", new_register_action, ["GET", "POST"])
_per_kind(
    "/<int:entry_id>/actions/<int:register_action_id>",
    "edit_{kind}_action",
    edit_register_action,
    ["GET", "POST"],
)
_per_kind(
    "/<int:entry_id>/actions/<int:register_action_id>/done",
    "close_{kind}_action",
    close_register_action,
    ["GET", "POST"],
)
