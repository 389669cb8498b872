"""Import (preview, row-level errors, all or nothing) and export (CSV, XLSX) of both registers.

An import is bounded (assess.config: IMPORT_*): the upload is read no further than its byte
limit and its rows no further than the row limit; the checked rows wait on the server, never in
the page, and are written in short transactions (assess.store.registers.confirm_import)."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

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
from assess.store import imports
from assess.store import registers as register_store
from assess.store.export_types import TEXT
from assess.web.auth import requires
from assess.web.helpers import refuse_expired_form

# --- import and export --------------------------------------------------------------------------

IMPORT_KINDS = {"risk": "A risk register", "eqia": "An equality impact assessment"}
SHOWN_IN_PREVIEW = 20  # the first entries, as a check it is the right file; none are sent back


def read_upload(upload) -> bytes:
    """The uploaded file, read no further than one byte past the import limit."""
    limit = current_app.config["IMPORT_MAX_BYTES"]
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise registers_io.UnreadableFile(
            f"The file is larger than {registers_io.size_words(limit)}. Split it into smaller "
            "files and import each"
        )
    return content


def preview(kind: str, upload) -> tuple[registers_io.Preview, str]:
    """Check every row (nothing is written); a file with no mistakes is kept for its user
    until confirmed, under the token returned (else "")."""
    config, db = current_app.config, store.get_db()
    table = registers_io.read_table(
        upload.filename,
        read_upload(upload),
        max_rows=config["IMPORT_MAX_ROWS"],
        max_unzipped_bytes=config["IMPORT_MAX_UNZIPPED_BYTES"],
    )
    taken = register_store.existing_refs(db, kind)
    if kind == "risk":
        result = registers_io.preview_risks(table, settings(), link_questionnaire(), taken)
    else:
        result = registers_io.preview_eqias(table, groups(), link_questionnaire(), taken)
    if result.errors:
        return result, ""
    minutes = config["IMPORT_PREVIEW_MINUTES"]
    return result, imports.save_preview(db, g.user["id"], kind, result.entries, minutes)


@bp.route("/import", methods=["GET", "POST"])
@requires("edit_registers")
def import_file():
    """Upload, preview (every row checked, nothing written, the checked rows kept on the server
    under a token), then import all rows or none."""
    form = CsrfForm()
    errors, result, token, kind = [], None, "", request.form.get("kind", "risk")
    if request.method == "POST":
        if not form.validate_on_submit():
            refuse_expired_form()
        if kind not in IMPORT_KINDS:
            errors.append(("kind", "Choose what the file holds"))
        upload = request.files.get("file")
        if request.form.get("confirm") and not errors:
            return confirm_import(form, kind)
        if not upload or not upload.filename:
            errors.append(("file", "Choose a CSV or XLSX file to import"))
        if not errors:
            try:
                result, token = preview(kind, upload)
            except registers_io.UnreadableFile as error:
                errors.append(("file", str(error)))
    return import_page(form, kind, errors, result, token)


def import_page(form, kind, errors, result=None, token=""):
    config = current_app.config
    return render_template(
        "registers/import.html",
        form=form,
        kind=kind,
        kinds=IMPORT_KINDS,
        errors=errors,
        field_errors=dict(errors),
        result=result,
        shown=result.entries[:SHOWN_IN_PREVIEW] if result else [],
        token=token,
        failed=bool(result and result.errors),
        max_size=registers_io.size_words(config["IMPORT_MAX_BYTES"]),
        max_rows=f"{config['IMPORT_MAX_ROWS']:,}",
    ), (400 if errors or (result and result.errors) else 200)


def confirm_import(form, kind: str):
    """Write the import checked under the posted token: this user's, of this kind, unexpired and
    not yet confirmed, or a clear error and nothing written."""
    try:
        count = register_store.confirm_import(
            store.get_db(),
            request.form.get("token", ""),
            kind,
            g.user["id"],
            current_app.config["IMPORT_PREVIEW_MINUTES"],
        )
    except (imports.ImportRefused, register_store.DuplicateRef) as error:
        return import_page(form, kind, [("file", str(error))])
    noun = ("risk" if kind == "risk" else "equality impact assessment") + (
        "" if count == 1 else "s"
    )
    flash(f"Imported {count:,} {noun}.")
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
