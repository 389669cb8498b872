"""The action plan's and the scrutiny log's pages: the plan by readiness area and strand with what
is overdue and what changed this quarter, a corporate action with its milestones, progress notes
and the teams' improvement actions serving it, importing and downloading the plan, and the log
of scrutiny recommendations with the Cabinet's response printed as the pro forma.

Business improvement (and administrators) keep them; council-wide readers read them; a team lead
reads only the corporate actions their own teams' improvement actions serve."""

from __future__ import annotations

from datetime import date

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
from assess.audit import exports
from assess.programme import plan as rules
from assess.programme import plan_forms as forms
from assess.programme.forms import CsrfForm
from assess.programme.views import areas, table_in
from assess.registers.display import link_questionnaire
from assess.registers.entries import UnreadableFile, size_words, strands_of
from assess.store import plan as plan_store
from assess.store.registers import DuplicateRef
from assess.web import access
from assess.web.auth import requires
from assess.web.helpers import form_errors, found_or_404, page, refuse_expired_form

bp = Blueprint("plan", __name__, url_prefix="/programme")


def strands() -> list[tuple[str, str]]:
    """The strategy strands (key, name) an action may serve: the questionnaire's."""
    return strands_of(link_questionnaire())


def may_edit() -> bool:
    return access.may(g.user["role"], "edit_programme")


def own_teams() -> list[int] | None:
    """The teams whose actions limit what this user reads; None: every action."""
    if access.may(g.user["role"], "read_council"):
        return None
    return [t["id"] for t in store.teams_of_user(store.get_db(), g.user["id"])]


def get_action(action_id: int) -> dict:
    """A corporate action this user may read; a team lead's other actions are not found."""
    db = store.get_db()
    found = found_or_404(plan_store.corporate_action, db, action_id)
    teams = own_teams()
    if teams is not None and action_id not in {
        a["id"] for a in plan_store.corporate_actions(db, teams)
    }:
        abort(404)
    return found


def expired(form) -> bool:
    return request.method == "POST" and "csrf_token" in form.errors


def names() -> dict:
    return {"area_names": dict(areas()), "strand_names": dict(strands())}


@bp.route("/plan")
@requires("read_action_plan")
def actions():
    db, today = store.get_db(), date.today()
    found = plan_store.corporate_actions(db, own_teams())
    ids = {a["id"] for a in found}
    milestones = [m for m in plan_store.milestones(db) if m["corporate_action_id"] in ids]
    notes = [n for n in plan_store.notes(db) if n["corporate_action_id"] in ids]
    return render_template(
        "programme/plan.html",
        plan=rules.by_area_and_strand(found, areas(), strands()),
        summary=rules.rag_summary(found),
        roll_ups={
            key: rules.roll_up(rows) for key, rows in plan_store.serving_by_action(db).items()
        },
        overdue=rules.overdue_milestones(milestones, today),
        notes_this_quarter=rules.changed_this_quarter(notes, "noted_on", today),
        done_this_quarter=rules.changed_this_quarter(milestones, "done_on", today),
        changed_this_quarter=rules.changed_this_quarter(found, "updated_at", today),
        quarter_start=rules.quarter_start(today).isoformat(),
        can_edit=may_edit(),
        can_export=access.may(g.user["role"], "read_council"),
        rules=rules,
    )


def render_action(
    found: dict, status: int = 200, failed_milestone: int | None = None, **form_pages
):
    db = store.get_db()
    action_id = found["id"]
    context = {
        "milestone_form": forms.MilestoneForm(formdata=None),
        "done_form": forms.MilestoneDoneForm(formdata=None),
        "note_form": forms.NoteForm(formdata=None, data={"rag": found["rag"]}),
        "serve_form": forms.ServeForm(formdata=None),
        **form_pages,
    }
    context["serve_form"].choose(plan_store.unlinked_improvement_actions(db))
    # every team's actions count; a team lead sees only their own teams' listed
    serving, teams = plan_store.serving(db, action_id), own_teams()
    errors = [e for f in form_pages.values() for e in form_errors(f)]
    return render_template(
        "programme/plan_action.html",
        a=found,
        milestones=plan_store.milestones(db, action_id),
        notes=plan_store.notes(db, action_id),
        serving=[a for a in serving if teams is None or a["team_id"] in teams],
        roll_up=rules.roll_up(serving),
        recommendations=[
            r for r in plan_store.recommendations(db) if r["corporate_action_id"] == action_id
        ],
        source=source_of(found),
        today=date.today().isoformat(),
        failed_milestone=failed_milestone,
        errors=errors,
        can_edit=may_edit(),
        rules=rules,
        **names(),
        **context,
    ), status


def source_of(found: dict) -> tuple[str, str | None]:
    """Where an action came from in words, and its page in the service (None: no page)."""
    kind, source_id = found["source_kind"], found["source_id"]
    words = rules.SOURCES[kind]
    if kind == "risk" and source_id:
        return words, url_for("registers.risk_detail", risk_id=source_id)
    if kind == "eqia" and source_id:
        return words, url_for("registers.eqia_detail", eqia_id=source_id)
    if kind == "scrutiny" and source_id:
        return words, url_for("plan.recommendation", recommendation_id=source_id)
    if kind == "gap" and source_id and found["source_round_id"]:
        return words, url_for(
            "team.results_page", team_id=source_id, round_id=found["source_round_id"]
        )
    return words, None


@bp.route("/plan/<int:corporate_action_id>")
@requires("read_action_plan")
def action(corporate_action_id: int):
    return render_action(get_action(corporate_action_id))


def action_form_page(form: forms.CorporateActionForm, existing: dict | None):
    return page("programme/plan_action_form.html", form_errors(form), form=form, existing=existing)


def save_action(form: forms.CorporateActionForm, existing: dict | None):
    db = store.get_db()
    try:
        if existing is None:
            action_id = plan_store.add_corporate_action(db, form.fields(), g.user["id"])
        else:
            action_id = existing["id"]
            plan_store.update_corporate_action(db, action_id, form.fields(), g.user["id"])
    except DuplicateRef as duplicate:
        form.ref.errors = [str(duplicate)]
        return action_form_page(form, existing)
    flash(f"Action {form.fields()['ref']} {'updated' if existing else 'added'}.")
    return redirect(url_for("plan.action", corporate_action_id=action_id))


def action_form(data: dict | None = None) -> forms.CorporateActionForm:
    form = forms.CorporateActionForm(data=data if request.method == "GET" else None)
    return form.choose(areas(), strands(), plan_store.sources(store.get_db()))


@bp.route("/plan/new", methods=["GET", "POST"])
@requires("edit_programme")
def new_action():
    form = action_form()
    if form.validate_on_submit():
        return save_action(form, None)
    if expired(form):
        refuse_expired_form()
    return action_form_page(form, None)


@bp.route("/plan/<int:corporate_action_id>/edit", methods=["GET", "POST"])
@requires("edit_programme")
def edit_action(corporate_action_id: int):
    existing = get_action(corporate_action_id)
    form = action_form({**existing, "source": forms.source_value(existing)})
    if form.validate_on_submit():
        return save_action(form, existing)
    if expired(form):
        refuse_expired_form()
    return action_form_page(form, existing)


@bp.route("/plan/<int:corporate_action_id>/milestones", methods=["POST"])
@requires("edit_programme")
def add_milestone(corporate_action_id: int):
    found = get_action(corporate_action_id)
    form = forms.MilestoneForm()
    if not form.validate_on_submit():
        if expired(form):
            refuse_expired_form()
        return render_action(found, 400, milestone_form=form)
    title, due_on = form.fields()
    plan_store.add_milestone(store.get_db(), corporate_action_id, title, due_on, g.user["id"])
    flash(f"Milestone “{title}” added.")
    return redirect(url_for("plan.action", corporate_action_id=corporate_action_id))


@bp.route("/plan/<int:corporate_action_id>/milestones/<int:milestone_id>/done", methods=["POST"])
@requires("edit_programme")
def milestone_done(corporate_action_id: int, milestone_id: int):
    found = get_action(corporate_action_id)
    form = forms.MilestoneDoneForm()
    if not form.validate_on_submit():
        if expired(form):
            refuse_expired_form()
        return render_action(found, 400, milestone_id, done_form=form)
    found_or_404(
        plan_store.mark_milestone_done,
        store.get_db(),
        corporate_action_id,
        milestone_id,
        form.done_on_date(),
        g.user["id"],
    )
    flash("The milestone is marked done.")
    return redirect(url_for("plan.action", corporate_action_id=corporate_action_id))


@bp.route("/plan/<int:corporate_action_id>/notes", methods=["POST"])
@requires("edit_programme")
def add_note(corporate_action_id: int):
    found = get_action(corporate_action_id)
    form = forms.NoteForm()
    if not form.validate_on_submit():
        if expired(form):
            refuse_expired_form()
        return render_action(found, 400, note_form=form)
    plan_store.add_note(store.get_db(), corporate_action_id, *form.fields(), g.user["id"])
    flash("The progress update is recorded.")
    return redirect(url_for("plan.action", corporate_action_id=corporate_action_id))


@bp.route("/plan/<int:corporate_action_id>/serving", methods=["POST"])
@requires("edit_programme")
def add_serving(corporate_action_id: int):
    found = get_action(corporate_action_id)
    form = forms.ServeForm().choose(plan_store.unlinked_improvement_actions(store.get_db()))
    if not form.validate_on_submit():
        if expired(form):
            refuse_expired_form()
        return render_action(found, 400, serve_form=form)
    improvement_action_id = int(form.improvement_action.data)
    plan_store.set_served(store.get_db(), improvement_action_id, corporate_action_id, g.user["id"])
    flash("The team's improvement action now serves this action.")
    return redirect(url_for("plan.action", corporate_action_id=corporate_action_id))


@bp.route(
    "/plan/<int:corporate_action_id>/serving/<int:improvement_action_id>/remove", methods=["POST"]
)
@requires("edit_programme")
def remove_serving(corporate_action_id: int, improvement_action_id: int):
    get_action(corporate_action_id)
    if not CsrfForm().validate_on_submit():
        refuse_expired_form()
    db = store.get_db()
    if improvement_action_id not in {a["id"] for a in plan_store.serving(db, corporate_action_id)}:
        abort(404)
    plan_store.set_served(db, improvement_action_id, None, g.user["id"])
    flash("The team's improvement action no longer serves this action.")
    return redirect(url_for("plan.action", corporate_action_id=corporate_action_id))


@bp.route("/plan/export.<fmt>")
@requires("read_council")
def export_plan(fmt: str):
    """The plan as a file the import reads back, through the one export path."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    db = store.get_db()
    rows = [tuple(a[k] for k in rules.ACTION_COLUMNS) for a in plan_store.corporate_actions(db)]
    with store.write(db):
        store.record_event(
            db, g.user["id"], "export", "corporate_actions", None,
            after={"format": fmt, "rows": len(rows)},
        )  # fmt: skip
    columns = tuple((heading, "text") for heading in rules.ACTION_COLUMNS.values())
    sheet = exports.Sheet("Action plan", columns, exports.plain(rows))
    return exports.download(f"action-plan-{date.today()}", fmt, [sheet])


def actions_in(upload) -> tuple[list[dict], list]:
    table = table_in(upload)
    found, row_errors = rules.check_actions(table, dict(areas()), dict(strands()))
    if not found and not row_errors:
        raise UnreadableFile("The file holds no actions: add a row under the headings")
    return found, row_errors


@bp.route("/plan/import", methods=["GET", "POST"])
@requires("edit_programme")
def import_actions():
    errors: list[tuple[str, str]] = []
    row_errors: list = []
    if request.method == "POST":
        if not CsrfForm().validate_on_submit():
            refuse_expired_form()
        try:
            found, row_errors = actions_in(request.files.get("file"))
        except UnreadableFile as error:
            errors.append(("file", str(error)))
        if not errors and not row_errors:
            added, changed = plan_store.import_actions(store.get_db(), found, g.user["id"])
            flash(f"{added:,} action(s) added and {changed:,} changed.")
            return redirect(url_for("plan.actions"))
    return render_template(
        "programme/plan_import.html",
        errors=errors,
        row_errors=row_errors,
        failed=bool(row_errors),
        columns=rules.ACTION_COLUMNS,
        max_size=size_words(current_app.config["IMPORT_MAX_BYTES"]),
        max_rows=f"{current_app.config['IMPORT_MAX_ROWS']:,}",
        **names(),
    ), (400 if errors or row_errors else 200)


# --- scrutiny recommendations -------------------------------------------------------------------


def get_recommendation(recommendation_id: int) -> dict:
    return found_or_404(plan_store.recommendation, store.get_db(), recommendation_id)


@bp.route("/scrutiny")
@requires("read_council")
def recommendations():
    today = date.today()
    found = [
        (r, rules.scrutiny_status(r, today)) for r in plan_store.recommendations(store.get_db())
    ]
    return render_template("programme/scrutiny.html", found=found, can_edit=may_edit(), rules=rules)


@bp.route("/scrutiny/<int:recommendation_id>")
@requires("read_council")
def recommendation(recommendation_id: int):
    found = get_recommendation(recommendation_id)
    return render_template(
        "programme/recommendation.html",
        r=found,
        status=rules.scrutiny_status(found, date.today()),
        can_edit=may_edit(),
        rules=rules,
    )


@bp.route("/scrutiny/<int:recommendation_id>/response")
@requires("read_council")
def response(recommendation_id: int):
    """The Cabinet's response to the report a recommendation came in, as the pro forma."""
    found = get_recommendation(recommendation_id)
    same_report = [
        r
        for r in plan_store.recommendations(store.get_db())
        if (r["committee"], r["report_title"], r["received_on"])
        == (found["committee"], found["report_title"], found["received_on"])
    ]
    return render_template(
        "programme/response.html",
        r=found,
        rows=sorted(same_report, key=lambda r: r["id"]),
        status=rules.scrutiny_status(found, date.today()),
        rules=rules,
    )


def recommendation_form_page(form: forms.RecommendationForm, existing: dict | None):
    return page(
        "programme/recommendation_form.html",
        form_errors(form),
        form=form,
        existing=existing,
        hint=rules.DATE_HINT,
    )


def recommendation_form(data: dict | None = None) -> forms.RecommendationForm:
    form = forms.RecommendationForm(data=data if request.method == "GET" else None)
    return form.choose(plan_store.corporate_actions(store.get_db()))


@bp.route("/scrutiny/new", methods=["GET", "POST"])
@requires("edit_programme")
def new_recommendation():
    form = recommendation_form()
    if form.validate_on_submit():
        found_id = plan_store.add_recommendation(store.get_db(), form.fields(), g.user["id"])
        flash("The recommendation is added to the log.")
        return redirect(url_for("plan.recommendation", recommendation_id=found_id))
    if expired(form):
        refuse_expired_form()
    return recommendation_form_page(form, None)


@bp.route("/scrutiny/<int:recommendation_id>/edit", methods=["GET", "POST"])
@requires("edit_programme")
def edit_recommendation(recommendation_id: int):
    existing = get_recommendation(recommendation_id)
    form = recommendation_form(forms.as_form_data(existing))
    if form.validate_on_submit():
        plan_store.update_recommendation(
            store.get_db(), recommendation_id, form.fields(), g.user["id"]
        )
        flash("The recommendation is updated.")
        return redirect(url_for("plan.recommendation", recommendation_id=recommendation_id))
    if expired(form):
        refuse_expired_form()
    return recommendation_form_page(form, existing)
