"""Import (preview, row-level errors, all or nothing) and export (CSV, XLSX) of both registers."""

from __future__ import annotations

import json

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from assess import store
from assess.audit import exports
from assess.registers import entries as registers_io
from assess.registers.display import link_questionnaire, scored_risks, settings, today
from assess.registers.views import (
    CsrfForm,
    bp,
)
from assess.registers.views.eqias import groups
from assess.store import exports as export_queries
from assess.store import registers as register_store
from assess.store.export_types import TEXT
from assess.web.auth import requires

# --- import and export --------------------------------------------------------------------------

IMPORT_KINDS = {"risk": "A risk register", "eqia": "An equality impact assessment"}


def preview(kind: str, filename: str, content: bytes) -> registers_io.Preview:
    db = store.get_db()
    table = registers_io.read_table(filename, content)
    taken = register_store.existing_refs(db, kind)
    if kind == "risk":
        return registers_io.preview_risks(table, settings(), link_questionnaire(), taken)
    return registers_io.preview_eqias(table, groups(), link_questionnaire(), taken)


@bp.route("/import", methods=["GET", "POST"])
@requires("edit_registers")
def import_file():
    """Upload, preview (every row checked, nothing written), then import all rows or none."""
    form = CsrfForm()
    errors, result, kind = [], None, request.form.get("kind", "risk")
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired. Go back and try again.")
        if kind not in IMPORT_KINDS:
            errors.append(("kind", "Choose what the file holds"))
        upload = request.files.get("file")
        if request.form.get("confirm") and not errors:
            return confirm_import(kind)
        if not upload or not upload.filename:
            errors.append(("file", "Choose a CSV or XLSX file to import"))
        if not errors:
            try:
                result = preview(kind, upload.filename, upload.read())
            except registers_io.UnreadableFile as error:
                errors.append(("file", str(error)))
    status = 400 if errors or (result and result.errors) else 200
    return render_template(
        "registers/import.html",
        form=form,
        kind=kind,
        kinds=IMPORT_KINDS,
        errors=errors,
        field_errors=dict(errors),
        result=result,
        payload=json.dumps(result.entries) if result and not result.errors else "",
        failed=bool(result and result.errors),
    ), status


def confirm_import(kind: str):
    """The previewed entries come back in the form; they are checked again before anything is
    written, so a changed payload cannot bypass the rules."""
    try:
        entries = json.loads(request.form.get("payload", ""))
        rows = [
            {**e, "links": ";".join(f"{d}:{m}" for _, d, m in e.get("links", []))} for e in entries
        ]
    except (ValueError, TypeError, AttributeError):
        abort(400, "The import expired. Choose the file again.")
    db = store.get_db()
    q = link_questionnaire()
    taken = register_store.existing_refs(db, kind)
    if kind == "risk":
        checked = registers_io.preview_risks(
            [
                {
                    registers_io.RISK_COLUMNS[k]: v
                    for k, v in r.items()
                    if k in registers_io.RISK_COLUMNS
                }
                for r in rows
            ],
            settings(),
            q,
            taken,
        )
    else:
        flat = [
            {
                **{
                    registers_io.EQIA_COLUMNS[k]: v
                    for k, v in r.items()
                    if k in registers_io.EQIA_COLUMNS
                },
                "Group": i["group_name"],
                "Impact": i["impact"],
                "Severity": i["severity"] or "",
                "Group evidence": i["evidence"],
                "Mitigation": i["mitigation"],
            }
            for r in rows
            for i in r.get("impacts", [])
        ]
        checked = registers_io.preview_eqias(flat, groups(), q, taken)
    if checked.errors:
        flash("The register changed since the preview: choose the file again.", "important")
        return redirect(url_for("registers.import_file"))
    count = register_store.import_entries(db, kind, checked.entries, g.user["id"])
    noun = ("risk" if kind == "risk" else "equality impact assessment") + (
        "" if count == 1 else "s"
    )
    flash(f"Imported {count} {noun}.")
    return redirect(url_for("registers.risks" if kind == "risk" else "registers.eqias"))


def with_bands(columns, rows):
    """The register's download with what its page shows beside the scores: each risk's current
    RAG band and direction of travel (they depend on this council's matrix settings)."""
    shown = {r["ref"]: r for r in scored_risks()}
    ref = [name for name, _ in columns].index("ref")
    extra = (("current_band", TEXT), ("direction_of_travel", TEXT))
    return (
        (*columns, *extra),
        [
            (*row, shown[row[ref]]["current_band"], shown[row[ref]]["direction"])
            if row[ref] in shown
            else (*row, "", "")
            for row in rows
        ],
    )


@requires("read_council")
def export(kind: str, fmt: str):
    """The register or the EqIAs as CSV or XLSX: the audit export's columns less provenance
    (assess.store.register_exports says which), through the one export path."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    db = store.get_db()
    title, columns, rows = export_queries.register_download(db, kind)
    with store.write(db):
        store.record_event(
            db, g.user["id"], "export", kind, None, after={"format": fmt, "rows": len(rows)}
        )
    if kind == "risks":
        columns, rows = with_bands(columns, rows)
    name = "risk-register" if kind == "risks" else "equality-impact-assessments"
    sheet = exports.Sheet(title, columns, exports.plain(rows))
    return exports.download(f"{name}-{today()}", fmt, [sheet])


bp.add_url_rule("/risks/export.<fmt>", "export_risks", lambda fmt: export(kind="risks", fmt=fmt))
bp.add_url_rule("/eqias/export.<fmt>", "export_eqias", lambda fmt: export(kind="eqias", fmt=fmt))
