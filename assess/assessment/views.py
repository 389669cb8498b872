"""A team lead's journey: task list, sections, check answers, submit, results, actions, targets."""

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
from assess.assessment import results
from assess.assessment.forms import (
    MAX_TEXT,
    NOT_APPLICABLE,
    ActionForm,
    Names,
    SubmitForm,
    form_data,
    read_section,
    section_form,
    targets_form,
)
from assess.assessment.journey import Visit, answers_by_key, team_radars, team_results, visit
from assess.assessment.questionnaire import Questionnaire
from assess.assessment.scoring import score_assessment
from assess.assessment.staff_results import shown_responses, statement_figures
from assess.programme import indicators as indicator_rules
from assess.programme.figures import AREA_DIMENSION
from assess.readiness.figures import team_review
from assess.web import pictures
from assess.web.auth import sign_in_required
from assess.web.helpers import first_errors, form_errors, found_or_404, long_time, page

bp = Blueprint("team", __name__, url_prefix="/teams/<int:team_id>/rounds/<int:round_id>")


def refuse_change(v: Visit, reason: str):
    """A change to a locked assessment: say why, keep nothing, and record the attempt."""
    if v.assessment is not None:
        store.record_refused_change(store.get_db(), g.user["id"], v.assessment["id"], reason)
    return render_template("team/locked.html", visit=v, reason=reason), 409


def locked_reason(v: Visit) -> str:
    if v.round["status"] != "open":
        return f"The {v.round['name']} round is closed, so answers can no longer be changed."
    return (
        f"This assessment was {v.status.replace('_', ' ')} and can no longer be changed. "
        "Business improvement can return it to you if something needs correcting."
    )


@bp.route("/")
@sign_in_required
def tasks(team_id: int, round_id: int):
    v = visit(team_id, round_id)
    answers = answers_by_key(v)
    sections = results.progress(v.questionnaire, answers)
    last = v.assessment and v.assessment.get("last_section")
    history = store.review_history(store.get_db(), v.assessment["id"]) if v.assessment else []
    returned = next((h for h in reversed(history) if h["action"] == "returned"), None)
    return render_template(
        "team/tasks.html",
        returned=returned if v.status == "returned" else None,
        visit=v,
        sections=sections,
        completed=sum(1 for s in sections if s.status == results.COMPLETED),
        resume=next((s for s in sections if s.member.key == last), None),
        review=team_review(team_id, round_id, v.questionnaire.id),
    )


@bp.route("/sections/<section>", methods=["GET", "POST"])
@sign_in_required
def section(team_id: int, round_id: int, section: str):
    v = visit(team_id, round_id)
    dimension = v.questionnaire.section_dimension
    if section not in {m.key for m in dimension.members}:
        abort(404)
    statements = v.questionnaire.statements_in(dimension.key, section)
    number = {s.key: i for i, s in enumerate(v.questionnaire.statements, start=1)}
    if request.method == "POST" and not v.can_edit:
        abort(403)
    if request.method == "POST" and not v.editable:
        return refuse_change(v, locked_reason(v))
    if request.method == "GET" and not v.editable:
        return redirect(url_for("team.check", team_id=team_id, round_id=round_id))
    keys = [s.key for s in statements]
    if request.method == "GET":
        answers = answers_by_key(v)
        data = form_data(statements, answers) | {"seen": store.answers_fingerprint(answers, keys)}
        form = section_form(statements, v.questionnaire.scale, data=data)
        return render_section(v, section, statements, number, form, [])
    return save_section(v, section, statements, number)


def save_section(v: Visit, section: str, statements, number: dict[str, int]):
    """Save what a section's page posted: everything that can be kept is. The page comes back
    (400) naming whatever could not be, or a statement still unanswered on "Save and continue";
    409 if someone else changed these answers since the page was opened."""
    team_id, round_id = v.team["id"], v.round["id"]
    form = section_form(statements, v.questionnaire.scale)
    if not form.validate_on_submit() or not form.seen.data:
        abort(400, "The form expired or was not sent by this service. Go back and try again.")
    later = request.form.get("action") == "later"
    posted = read_section(
        form, statements, v.questionnaire.scale, number, answers_by_key(v), complete=not later
    )
    db = store.get_db()
    assessment_id = (
        v.assessment["id"]
        if v.assessment
        else store.start_assessment(db, team_id, round_id, g.user["id"])
    )
    shown = ([s.key for s in statements], form.seen.data)
    try:
        store.save_answers(
            db, assessment_id, posted.rows, g.user["id"], section=section, shown=shown
        )
    except store.Locked as locked:
        return refuse_change(v, str(locked))
    except store.Stale:
        saved = saved_answers(db, assessment_id)
        conflicts = changed_by_others(statements, posted.rows, saved)
        if conflicts:
            errors = conflict_errors(conflicts, number) + posted.errors
            return page_again(v, section, statements, number, form, saved, errors, 409, conflicts)
        # Someone saved exactly what this page sends: nothing of theirs or ours would be lost.
    if posted.errors:
        saved = saved_answers(db, assessment_id)
        return page_again(v, section, statements, number, form, saved, posted.errors, 400)
    if later:
        flash("Your answers have been saved. You can come back to them at any time.")
        return redirect(url_for("team.tasks", team_id=team_id, round_id=round_id))
    return redirect(after_section(v, section))


def saved_answers(db, assessment_id: int) -> dict[str, dict]:
    return {a["statement_key"]: a for a in store.answers_of(db, assessment_id)}


def page_again(v, section, statements, number, form, saved, errors, status, conflicts=None):
    """The section's page with its errors, its fingerprint moved on to what is saved now, so
    the next save starts from what the page shows."""
    form.seen.data = store.answers_fingerprint(saved, [s.key for s in statements])
    return render_section(
        v, section, statements, number, form, errors, status=status, conflicts=conflicts
    )


def after_section(v: Visit, section: str) -> str:
    """Where "Save and continue" goes: back to check answers if it came from there, else the
    next section, or check answers after the last."""
    ids = {"team_id": v.team["id"], "round_id": v.round["id"]}
    keys = [m.key for m in v.questionnaire.section_dimension.members]
    following = keys[keys.index(section) + 1 :]
    if request.args.get("return") == "check" or not following:
        return url_for("team.check", **ids)
    return url_for("team.section", **ids, section=following[0])


def changed_by_others(statements, posted: list[dict], saved: dict[str, dict]) -> dict[str, dict]:
    """The saved answers that differ from what a stale page posted, each with who saved it."""
    posted_by_key = {row["statement_key"]: row for row in posted}
    changed = {}
    for statement in statements:
        theirs = saved.get(statement.key)
        ours = {**store.ANSWER_DEFAULTS, **posted_by_key.get(statement.key, {})}
        if theirs and any(theirs[field] != ours[field] for field in store.ANSWER_DEFAULTS):
            changed[statement.key] = theirs
    users = store.users_by_ids(store.get_db(), [a["answered_by"] for a in changed.values()])
    return {
        key: {**theirs, "by_name": users.get(theirs["answered_by"], {}).get("name", "someone")}
        for key, theirs in changed.items()
    }


def conflict_errors(conflicts: dict[str, dict], number: dict[str, int]) -> list[tuple[str, str]]:
    return [
        (
            Names.of(key).level,
            f"{answer['by_name']} changed statement {number[key]} after you opened this page. "
            "Your answer is kept below theirs: check both, then save again to keep yours",
        )
        for key, answer in conflicts.items()
    ]


def statement_radios(
    questionnaire: Questionnaire, statement, number: int, checked, error, not_applicable=True
):
    """A statement's level radios as HTML (with "Not applicable" unless `not_applicable` is
    false, as staff answer). GOV.UK's radios macro is most of a section page's rendering time,
    and the radios depend only on these arguments, so each way of drawing them is drawn once per
    process and kept (a choice not on the page is drawn unchecked)."""
    choices = {str(level.level) for level in questionnaire.scale}
    choices |= {NOT_APPLICABLE} if not_applicable else set()
    checked = checked if checked in choices else None
    key = (questionnaire.version, statement.key, number, checked, error, not_applicable)
    drawn = current_app.extensions.setdefault("statement_radios", {})
    if key not in drawn:
        macro = current_app.jinja_env.get_template("team/_statement_radios.html").module
        drawn[key] = macro.statement_radios(
            statement,
            number,
            questionnaire.scale,
            Names.of(statement.key).level,
            checked,
            error,
            not_applicable,
        )
    return drawn[key]


def render_section(v, section, statements, number, form, errors, status=200, conflicts=None):
    member = v.questionnaire.section_dimension.member(section)
    field_errors = first_errors(errors)
    staff_answers, staff = statement_figures(v.team["id"], v.round["id"], v.questionnaire)
    return (
        render_template(
            "team/section.html",
            visit=v,
            member=member,
            statements=statements,
            number=number,
            form=form,
            radios={
                s.key: statement_radios(
                    v.questionnaire,
                    s,
                    number[s.key],
                    form[Names.of(s.key).level].data,
                    field_errors.get(Names.of(s.key).level),
                )
                for s in statements
            },
            names={s.key: Names.of(s.key) for s in statements},
            errors=errors,
            error_fields={field for field, _ in errors},
            conflicts=conflicts or {},
            levels={level.level: level.name for level in v.questionnaire.scale},
            max_text=MAX_TEXT,
            evidence_from=results.EVIDENCE_FROM_LEVEL,
            staff_answers=staff_answers,
            staff=staff,
        ),
        status,
    )


@bp.route("/check", methods=["GET", "POST"])
@sign_in_required
def check(team_id: int, round_id: int):
    v = visit(team_id, round_id)
    answers = answers_by_key(v)
    sections = results.progress(v.questionnaire, answers)
    keys = [s.key for s in v.questionnaire.statements]
    form = SubmitForm()
    errors = []
    status = 200
    missing = results.needs_evidence(v.questionnaire, answers)
    if request.method == "POST":
        if not v.can_edit:
            abort(403)
        if not v.editable:
            return refuse_change(v, locked_reason(v))
        if reason := not_ready(sections, missing):
            errors = [("confirm", reason)]
        elif form.validate_on_submit() and form.seen.data:
            try:
                submit(v, shown=(keys, form.seen.data))
                return redirect(url_for("team.submitted", team_id=team_id, round_id=round_id))
            except store.Stale:
                errors, status = [("confirm", changed_since_opened(answers))], 409
        else:
            errors = [("confirm", message) for message in form.confirm.errors] or [
                ("confirm", "The form expired. Tick the box and submit again.")
            ]
    form.seen.data = store.answers_fingerprint(answers, keys)
    return render_template(
        "team/check.html",
        visit=v,
        sections=sections,
        answers=answers,
        levels={level.level: level.name for level in v.questionnaire.scale},
        form=form,
        errors=errors,
        complete=all(s.status == results.COMPLETED for s in sections),
        missing_evidence=set(missing),
        evidence_from=results.EVIDENCE_FROM_LEVEL,
    ), (400 if status == 200 and errors else status)


def not_ready(sections, missing: list[str]) -> str | None:
    """Why an assessment cannot be submitted yet: unanswered statements, or high levels
    without evidence (None: it can be)."""
    if not all(s.status == results.COMPLETED for s in sections):
        return "Answer every statement before you submit"
    if missing:
        answers = "answer" if len(missing) == 1 else "answers"
        return (
            f"Give evidence for the {len(missing)} {answers} at level "
            f"{results.EVIDENCE_FROM_LEVEL} or above marked “Evidence needed”"
        )
    return None


def changed_since_opened(answers: dict[str, dict]) -> str:
    """Why a submission from a stale check page was refused, naming the latest change."""
    latest = max(answers.values(), key=lambda a: a["answered_at"])
    user = (
        store.user_by_id(store.get_db(), latest["answered_by"]) if latest["answered_by"] else None
    )
    return (
        f"{user['name'] if user else 'Someone'} changed answers at "
        f"{long_time(latest['answered_at'])}, after you opened this page. "
        "Check the answers below again, then submit"
    )


def submit(v: Visit, shown: tuple[list[str], str]) -> None:
    try:
        store.submit_assessment(
            store.get_db(),
            v.assessment["id"],
            g.user["id"],
            lambda rows: score_assessment(v.questionnaire, store.as_scoring_answers(rows)),
            shown=shown,
            staff_seen=shown_responses(v.team["id"], v.round["id"]),
        )
    except store.Locked as locked:
        abort(409, str(locked))


@bp.route("/submitted")
@sign_in_required
def submitted(team_id: int, round_id: int):
    v = visit(team_id, round_id)
    if v.status not in ("submitted", "signed_off"):
        return redirect(url_for("team.tasks", team_id=team_id, round_id=round_id))
    return render_template("team/submitted.html", visit=v)


# --- results ------------------------------------------------------------------------------------


@bp.route("/results")
@sign_in_required
def results_page(team_id: int, round_id: int):
    v = visit(team_id, round_id)
    if v.assessment is None:
        flash("There are no answers yet, so there are no results to show.")
        return redirect(url_for("team.tasks", team_id=team_id, round_id=round_id))
    figures = team_results(v)
    return render_template(
        "team/results.html",
        visit=v,
        figures=figures,
        drawn=pictures.shown(team_radars(v, figures)),
        indicator_rules=indicator_rules,
        area_names={
            m.key: m.name
            for d in v.questionnaire.dimensions
            if d.key == AREA_DIMENSION
            for m in d.members
        },
        statuses=store.ACTION_STATUSES,
        statements={s.key: s for s in v.questionnaire.statements},
    )


@bp.route("/charts/<dimension>.<fmt>")
@sign_in_required
def chart(team_id: int, round_id: int, dimension: str, fmt: str):
    v = visit(team_id, round_id)
    radars = team_radars(v, team_results(v)) if v.assessment else {}
    if dimension not in radars:
        abort(404)
    name = f"{v.team['name']}-{v.round['name']}-{dimension}".lower().replace(" ", "-")
    download = name.replace("/", "-") if request.args.get("download") else None
    return pictures.picture_response(radars[dimension], fmt, download)


# --- improvement actions and targets ------------------------------------------------------------


def require_edit(v: Visit) -> None:
    if not v.can_edit:
        abort(403)


@bp.route("/actions/new", methods=["GET", "POST"])
@sign_in_required
def new_action(team_id: int, round_id: int):
    v = visit(team_id, round_id)
    require_edit(v)
    statement_key = request.args.get("statement", "")
    if statement_key not in {s.key for s in v.questionnaire.statements}:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        store.add_action(
            store.get_db(),
            team_id,
            round_id,
            statement_key,
            form.what.data.strip(),
            form.owner.data.strip(),
            form.due_on.isoformat(),
            g.user["id"],
        )
        flash("Improvement action added.")
        return redirect(url_for("team.results_page", team_id=team_id, round_id=round_id))
    return render_action(v, form, v.questionnaire.statement(statement_key), None)


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@sign_in_required
def edit_action(team_id: int, round_id: int, action_id: int):
    v = visit(team_id, round_id)
    require_edit(v)
    db = store.get_db()
    existing = found_or_404(store.action, db, action_id)
    if existing["team_id"] != team_id:
        abort(404)
    if request.method == "GET":
        year, month, day = existing["due_on"].split("-")
        form = ActionForm(
            data={
                **existing,
                "due_day": str(int(day)),
                "due_month": str(int(month)),
                "due_year": year,
            }
        )
    else:
        form = ActionForm()
    form.saved_due_on = date.fromisoformat(existing["due_on"])
    if form.validate_on_submit():
        store.update_action(
            db,
            action_id,
            {
                "what": form.what.data.strip(),
                "owner": form.owner.data.strip(),
                "due_on": form.due_on.isoformat(),
                "status": form.status.data,
                "evidence_of_change": (form.evidence_of_change.data or "").strip(),
            },
            g.user["id"],
        )
        flash("Improvement action updated.")
        return redirect(url_for("team.results_page", team_id=team_id, round_id=round_id))
    statement = next(
        (s for s in v.questionnaire.statements if s.key == existing["statement_key"]), None
    )
    return render_action(v, form, statement, existing)


def render_action(v, form, statement, existing):
    return page(
        "team/action.html",
        form_errors(form),
        visit=v,
        form=form,
        statement=statement,
        existing=existing,
    )


@bp.route("/targets", methods=["GET", "POST"])
@sign_in_required
def targets(team_id: int, round_id: int):
    v = visit(team_id, round_id)
    require_edit(v)
    dimension = v.questionnaire.section_dimension
    db = store.get_db()
    current = store.targets_of(db, team_id, dimension.key)
    form = targets_form(
        dimension.members,
        v.questionnaire.scale,
        data={k: str(level) for k, level in current.items()},
    )
    if form.validate_on_submit():
        levels = {
            m.key: int(form[m.key].data) if form[m.key].data else None for m in dimension.members
        }
        store.set_targets(db, team_id, dimension.key, levels, g.user["id"])
        flash("Targets saved.")
        return redirect(url_for("team.results_page", team_id=team_id, round_id=round_id))
    errors = [(name, message) for name, messages in form.errors.items() for message in messages]
    return page("team/targets.html", errors, visit=v, form=form, dimension=dimension)
