"""The strategy programme's pages: performance indicators by readiness area, an indicator with its
figures by period and group, adding and changing one, recording a figure, and resolving the EqIA
review prompts a group's figure short of its target raised.

Business improvement (and administrators) keep the indicators; council-wide readers read them.
Prompts are resolved by whoever resolves the other EqIA review prompts."""

from __future__ import annotations

from flask import (
    Blueprint,
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
from assess.programme import indicators as rules
from assess.programme.forms import MAX_TEXT, CsrfForm, IndicatorForm, ValueForm
from assess.registers.display import link_questionnaire
from assess.registers.entries import UnreadableFile, members_of, read_table, size_words
from assess.registers.rules import eqia_groups
from assess.store import programme as programme_store
from assess.store.registers import DuplicateRef
from assess.web import access
from assess.web.auth import requires, safe_local_path
from assess.web.helpers import form_errors, found_or_404, page, refuse_expired_form

bp = Blueprint("programme", __name__, url_prefix="/programme")


def areas() -> list[tuple[str, str]]:
    """The readiness areas (key, name) an indicator may measure: the questionnaire's."""
    return members_of(link_questionnaire(), "readiness_area")


def groups() -> tuple[str, ...]:
    return eqia_groups(current_app.config["EQIA_LOCAL_GROUPS"])


def get_indicator(indicator_id: int) -> dict:
    return found_or_404(programme_store.indicator, store.get_db(), indicator_id)


def may_edit() -> bool:
    return access.may(g.user["role"], "edit_programme")


def expired(form) -> bool:
    return request.method == "POST" and "csrf_token" in form.errors


@bp.route("/indicators")
@requires("read_council")
def indicators():
    db = store.get_db()
    sections = rules.by_area(
        programme_store.indicators(db), programme_store.values_by_indicator(db), areas()
    )
    return render_template(
        "programme/indicators.html", sections=sections, can_edit=may_edit(), rules=rules
    )


def render_detail(found: dict, value_form: ValueForm, status: int = 200):
    db = store.get_db()
    values = programme_store.values_of(db, found["id"])
    return render_template(
        "programme/indicator.html",
        i=found,
        area=dict(areas()).get(found["readiness_area"], found["readiness_area"]),
        figures=[(row, rules.reading(found, values, row)) for row in values],
        prompts=programme_store.indicator_prompts(db, indicator_id=found["id"]),
        form=value_form,
        errors=form_errors(value_form),
        can_edit=may_edit(),
        rules=rules,
    ), status


@bp.route("/indicators/<int:indicator_id>")
@requires("read_council")
def indicator(indicator_id: int):
    return render_detail(get_indicator(indicator_id), ValueForm().choose(groups()))


@bp.route("/indicators/<int:indicator_id>/values", methods=["POST"])
@requires("edit_programme")
def record_value(indicator_id: int):
    found = get_indicator(indicator_id)
    form = ValueForm().choose(groups())
    if not form.validate_on_submit():
        if expired(form):
            refuse_expired_form()
        return render_detail(found, form, 400)
    period, group, figures = form.figure()
    raised = programme_store.record_value(
        store.get_db(), indicator_id, period, group, figures, g.user["id"]
    )
    flash(f"The figure for {group or 'everyone'} in {period} is recorded.")
    if raised:
        flash(
            f"It is short of its target: a review of {', '.join(raised)} is prompted.", "important"
        )
    return redirect(url_for("programme.indicator", indicator_id=indicator_id))


def render_form(form: IndicatorForm, existing: dict | None):
    return page(
        "programme/indicator_form.html",
        form_errors(form),
        form=form,
        existing=existing,
        directions=rules.DIRECTIONS,
    )


def save(form: IndicatorForm, existing: dict | None):
    """Store a valid form (a new indicator, or a change to `existing`) and go to it."""
    db = store.get_db()
    try:
        if existing is None:
            indicator_id = programme_store.add_indicator(db, form.fields(), g.user["id"])
        else:
            indicator_id = existing["id"]
            raised = programme_store.update_indicator(db, indicator_id, form.fields(), g.user["id"])
            if raised:
                flash(f"A review of {', '.join(raised)} is prompted.", "important")
    except DuplicateRef as duplicate:
        form.ref.errors = [str(duplicate)]
        return render_form(form, existing)
    flash(f"Indicator {form.fields()['ref']} {'updated' if existing else 'added'}.")
    return redirect(url_for("programme.indicator", indicator_id=indicator_id))


@bp.route("/indicators/new", methods=["GET", "POST"])
@requires("edit_programme")
def new_indicator():
    form = IndicatorForm().choose(areas(), store.active_teams(store.get_db()))
    if form.validate_on_submit():
        return save(form, None)
    if expired(form):
        refuse_expired_form()
    return render_form(form, None)


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@requires("edit_programme")
def edit_indicator(indicator_id: int):
    existing = get_indicator(indicator_id)
    saved = {**existing, "team": str(existing["team_id"] or "")}
    saved["baseline"] = rules.as_typed(existing["baseline"])
    form = IndicatorForm(data=saved if request.method == "GET" else None)
    form.choose(areas(), store.active_teams(store.get_db()))
    if form.validate_on_submit():
        return save(form, existing)
    if expired(form):
        refuse_expired_form()
    return render_form(form, existing)


def table_in(upload) -> list[dict]:
    """An uploaded CSV or XLSX file's rows keyed by their headings (UnreadableFile if it is not
    one), read no further than the import limits: the one way the programme reads a file."""
    config = current_app.config
    limit = config["IMPORT_MAX_BYTES"]
    if not upload or not upload.filename:
        raise UnreadableFile("Choose a CSV or XLSX file")
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise UnreadableFile(
            f"The file is larger than {size_words(limit)}. Split it into smaller files and "
            "import each"
        )
    return read_table(
        upload.filename,
        content,
        max_rows=config["IMPORT_MAX_ROWS"],
        max_unzipped_bytes=config["IMPORT_MAX_UNZIPPED_BYTES"],
    )


def figures_in(upload) -> tuple[list[dict], list[rules.FigureRowError]]:
    """An uploaded file's figures, checked (UnreadableFile if it is not a file of them)."""
    if not upload or not upload.filename:
        raise UnreadableFile("Choose a CSV or XLSX file of figures")
    table = table_in(upload)
    figures, row_errors = rules.check_figures(table, set(programme_store.refs(store.get_db())))
    if not figures and not row_errors:
        raise UnreadableFile("The file holds no figures: add a row under the headings")
    return figures, row_errors


@bp.route("/import", methods=["GET", "POST"])
@requires("edit_programme")
def import_figures():
    errors: list[tuple[str, str]] = []
    row_errors: list[rules.FigureRowError] = []
    if request.method == "POST":
        if not CsrfForm().validate_on_submit():
            refuse_expired_form()
        upload = request.files.get("file")
        try:
            figures, row_errors = figures_in(upload)
        except UnreadableFile as error:
            errors.append(("file", str(error)))
        if not errors and not row_errors:
            raised = programme_store.import_values(store.get_db(), figures, g.user["id"])
            flash(f"{len(figures):,} figure{'' if len(figures) == 1 else 's'} imported.")
            if raised:
                flash(f"Groups short of their target prompt a review of {', '.join(raised)}.")
            return redirect(url_for("programme.indicators"))
    return render_template(
        "programme/import.html",
        errors=errors,
        row_errors=row_errors,
        failed=bool(row_errors),
        columns=rules.FIGURE_COLUMNS,
        max_size=size_words(current_app.config["IMPORT_MAX_BYTES"]),
        max_rows=f"{current_app.config['IMPORT_MAX_ROWS']:,}",
    ), (400 if errors or row_errors else 200)


@bp.route("/prompts/<int:indicator_prompt_id>", methods=["POST"])
@requires("edit_registers")
def resolve_prompt(indicator_prompt_id: int):
    if not CsrfForm().validate_on_submit():
        refuse_expired_form()
    outcome = request.form.get("outcome", "").strip()
    if len(outcome) > MAX_TEXT:
        abort(400, f"What was done must be {MAX_TEXT:,} characters or fewer.")
    if not outcome:
        flash("Say what was done about the review prompt before you record it.", "important")
    else:
        found_or_404(
            programme_store.resolve_indicator_prompt,
            store.get_db(),
            indicator_prompt_id,
            outcome,
            g.user["id"],
        )
        flash("What was done about the review prompt is recorded.")
    return redirect(safe_local_path(request.form.get("back"), url_for("registers.eqias")))
