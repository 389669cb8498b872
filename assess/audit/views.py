"""Audit and exports: check the audit trail, and take the data away as CSV, XLSX or JSON.

Auditors, business improvement and administrators may use it; team leads may not. Every export
is recorded in the audit log with its filters before the file is sent.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
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
from assess.assessment import journey
from assess.audit import api, exports
from assess.store import audit as audit_store
from assess.store import exports as export_queries
from assess.store import round_packs as pack_store
from assess.store import tokens as token_store
from assess.web import access, pictures
from assess.web.auth import requires, sign_in_required
from assess.web.helpers import parse_id

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.register_blueprint(api.bp)  # the read-only JSON API, at /audit/api/v1

FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "json": "JSON"}
ALL_TABLES = "all"


@bp.route("/")
@requires("read_council")
def index():
    return render_export_form({}, [])


def render_export_form(chosen: dict, errors: list[tuple[str, str]]):
    return render_template(
        "audit/index.html",
        tables=export_queries.TABLES.values(),
        formats=FORMATS,
        choices=export_queries.filter_choices(store.get_db()),
        chosen=chosen,
        errors=errors,
        council_wide_note=council_wide_note(export_queries.TABLES.values()),
    ), (400 if errors else 200)


def council_wide_note(tables) -> str | None:
    """What an export says about the tables no round, directorate or team filter narrows."""
    titles = [t.title for t in tables if t.council_wide]
    if not titles:
        return None
    listed = ", ".join(titles[:-1]) + " and " + titles[-1] if len(titles) > 1 else titles[0]
    verb = "are" if len(titles) > 1 else "is"
    return (
        f"{listed} {verb} council-wide: the round, directorate and team filters do not apply, "
        "so they are always exported in full."
    )


@bp.route("/verify")
@requires("read_council")
def verify():
    result = audit_store.check_audit_trail(store.get_db())
    return render_template("audit/verify.html", result=result)


def _id(value: str | None) -> int | None:
    try:
        return parse_id(value)
    except ValueError:
        return None


def export_choice(args) -> tuple[dict, dict, list[tuple[str, str]]]:
    """What an export request asks for: the choices as given, the ids they name, and what is
    wrong with them (a GOV.UK error for each)."""
    chosen = {key: args.get(key, "") for key in ("table", "format", "round", "directorate", "team")}
    errors = []
    if chosen["table"] not in (*export_queries.TABLES, ALL_TABLES):
        errors.append(("table", "Choose what to export"))
    if chosen["format"] not in FORMATS:
        errors.append(("format", "Choose a format"))
    elif chosen["table"] == ALL_TABLES and chosen["format"] != "xlsx":
        errors.append(("table", "Choose one table for CSV or JSON, or choose Excel for all"))
    ids = {}
    for key in ("round", "directorate", "team"):
        try:
            ids[key] = parse_id(chosen[key])
        except ValueError:
            errors.append((key, f"Choose a {key} from the list"))
    one = export_queries.TABLES.get(chosen["table"])  # None for all of them
    if one and one.council_wide and any(ids.get(key) for key in ("round", "directorate", "team")):
        errors.append(
            (
                "table",
                f"{one.title} cannot be narrowed by round, directorate or team: the register is "
                "the council's. Choose All for each of them",
            )
        )
    return chosen, ids, errors


def record_export(db, tables, fmt: str, filters, filter_names: dict) -> None:
    """The audit trail's record of an export: what, in which format, narrowed how."""
    with store.write(db):
        store.record_event(
            db,
            g.user["id"],
            "export",
            "export",
            None,
            after={
                "tables": [t.key for t in tables],
                "format": fmt,
                "filters": {
                    "round_id": filters.round_id,
                    "directorate_id": filters.directorate_id,
                    "team_id": filters.team_id,
                    **filter_names,
                },
                "not_filtered": [t.key for t in tables if t.council_wide],
            },
        )


@bp.route("/export")
@requires("read_council")
def export():
    chosen, ids, errors = export_choice(request.args)
    if errors:
        return render_export_form(chosen, errors)
    filters = export_queries.Filters(
        ids["round"], ids["directorate"], ids["team"], current_app.config["MIN_RESPONSES"]
    )
    db = store.get_db()
    one = export_queries.TABLES.get(chosen["table"])
    tables = list(export_queries.TABLES.values()) if one is None else [one]
    filter_names = export_queries.filter_names(db, filters)
    record_export(db, tables, chosen["format"], filters, filter_names)
    stamp = datetime.now(UTC)
    name = f"assess-{chosen['table'].replace('_', '-')}-{stamp:%Y-%m-%d-%H%M%S}"
    path = current_app.config["DATABASE_PATH"]
    if chosen["format"] != "xlsx":  # one table, streamed from a snapshot as it is sent
        rows = export_queries.snapshot_rows(path, tables[0], filters)
        sheet = exports.Sheet(tables[0].title, tables[0].columns, rows)
        return exports.download(name, chosen["format"], [sheet])
    about = exports.About(
        exported_by=f"{g.user['name']} ({g.user['email']}), {store.ROLE_NAMES[g.user['role']]}",
        exported_at=stamp.strftime("%Y-%m-%d %H:%M:%S"),
        filters=filter_names,
        notes=[note] if (note := council_wide_note(tables)) else [],
    )
    with store.read_snapshot(path) as reader:  # every sheet from one state of the data
        sheets = [
            exports.Sheet(t.title, t.columns, export_queries.table_rows(reader, t, filters))
            for t in tables
        ]
        try:
            return exports.download(name, "xlsx", sheets, about)
        except exports.ExportTooLarge as error:
            return render_export_form(chosen, [("format", str(error))])


# --- API tokens ---------------------------------------------------------------------------------
# A user's own API credentials, like signing in: making or revoking one changes no council data,
# so the auditor may do it (and the read-only route test names these two routes as exceptions).

TOKEN_NAME_MAX = 100


@bp.route("/tokens", methods=["GET", "POST"])
@requires("read_council")
def tokens():
    db = store.get_db()
    errors, new_token, name = [], None, ""
    if request.method == "POST":
        name = " ".join(request.form.get("name", "").split())
        if not name:
            errors.append(("name", "Enter a name for the token, such as the tool that will use it"))
        elif len(name) > TOKEN_NAME_MAX:
            errors.append(("name", f"Name must be {TOKEN_NAME_MAX} characters or fewer"))
        else:
            _, new_token = token_store.create_token(db, g.user["id"], name)
            name = ""
    return render_template(
        "audit/tokens.html",
        tokens=token_store.tokens_of(db, g.user["id"]),
        new_token=new_token,
        name=name,
        errors=errors,
        openapi_url=url_for("audit.api.openapi"),
    ), (400 if errors else 200)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@requires("read_council")
def revoke_token(token_id: int):
    try:
        token_store.revoke_token(store.get_db(), token_id, g.user["id"])
    except store.NotFound:
        abort(404)
    flash("The token was revoked. Anything still using it is now refused.")
    return redirect(url_for("audit.tokens"))


# --- round packs --------------------------------------------------------------------------------


@bp.route("/packs")
@requires("read_council")
def packs():
    db = store.get_db()
    packs_by_round: dict[int, list[dict]] = {}
    for pack in pack_store.round_packs(db):
        packs_by_round.setdefault(pack["round_id"], []).append(pack)
    return render_template(
        "audit/packs.html",
        rounds=list(reversed(store.rounds(db))),
        packs_by_round=packs_by_round,
        can_freeze=access.may(g.user["role"], "freeze_round_packs"),
    )


@bp.route("/rounds/<int:round_id>/pack", methods=["POST"])
@requires("freeze_round_packs")
def freeze(round_id: int):
    db = store.get_db()
    try:
        pack_store.freeze_round(db, round_id, g.user["id"], current_app.config["MIN_RESPONSES"])
    except store.NotFound:
        abort(404)
    except store.StorageError as error:
        flash(str(error), "important")
        return redirect(url_for("audit.packs"))
    flash("The round pack was frozen and its SHA-256 recorded in the audit log.")
    return redirect(url_for("audit.packs"))


@bp.route("/packs/<int:pack_id>.json.gz")
@requires("read_council")
def download_pack(pack_id: int):
    db = store.get_db()
    try:
        round_name, content = pack_store.pack_file(db, pack_id)
    except store.NotFound:
        abort(404)
    with store.write(db):
        store.record_event(
            db, g.user["id"], "export", "export", None, after={"round_pack": pack_id}
        )
    slug = "".join(ch if ch.isalnum() else "-" for ch in round_name)
    # The frozen file as it was hashed, not rows to write: only its name comes from exports.
    response = Response(content, mimetype="application/gzip")
    response.headers["Content-Disposition"] = exports.attachment(
        f"assess-round-pack-{slug}-{pack_id}.json.gz"
    )
    return response


# --- the printable team report ------------------------------------------------------------------


@bp.route("/report")
@requires("read_council")
def find_report():
    """From the export page's choice of assessment (or a round and a team) to its report."""
    chosen = _id(request.args.get("assessment"))
    if chosen:
        return redirect(url_for("audit.report", assessment_id=chosen))
    db = store.get_db()
    team_id, round_id = _id(request.args.get("team")), _id(request.args.get("round"))
    found = team_id and round_id and store.find_assessment(db, team_id, round_id)
    if not found:
        abort(404)
    return redirect(url_for("audit.report", assessment_id=found["id"]))


@bp.route("/assessments/<int:assessment_id>/report")
@sign_in_required
def report(assessment_id: int):
    """One assessment on A4: results, charts, answers with evidence, actions and provenance.
    Whoever may read the team's results may print them (team.visit decides)."""

    db = store.get_db()
    try:
        found = store.assessment(db, assessment_id)
    except store.NotFound:
        abort(404)
    v = journey.visit(found["team_id"], found["round_id"])
    roles = ("created", "submitted", "signed_off")
    users = store.users_by_ids(db, [found[f"{role}_by"] for role in roles])
    people = {role: users.get(found[f"{role}_by"]) for role in roles}
    scores = store.scores_of(db, assessment_id)
    section = v.questionnaire.section_dimension
    figures = journey.team_results(v)
    return render_template(
        "audit/report.html",
        visit=v,
        figures=figures,
        drawn=pictures.shown(journey.team_radars(v, figures)),
        people=people,
        rules_versions=sorted({s["rules_version"] for s in scores}),
        answers=journey.answers_by_key(v),
        sections=[(m, v.questionnaire.statements_in(section.key, m.key)) for m in section.members],
        levels={level.level: level.name for level in v.questionnaire.scale},
        statuses=store.ACTION_STATUSES,
        statements={s.key: s for s in v.questionnaire.statements},
        printed_at=store.now(),
    )
