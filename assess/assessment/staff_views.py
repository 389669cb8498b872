"""A member of staff's pages: start from a link or a printed code, answer a page per section,
check and submit. No account: a signed device cookie (staff_journey) leads back to the response.
Public pages: each without a usable invitation or cookie says kindly what to do instead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm

from assess import store
from assess.assessment import results
from assess.assessment.staff import COMMENT_FIELD, level_field, read_code, read_staff_section
from assess.assessment.staff_figures import response_scores
from assess.assessment.staff_journey import StaffVisit, current_visit, remember
from assess.assessment.views import statement_radios
from assess.store import staff as staff_store
from assess.web import throttle
from assess.web.helpers import first_errors, refuse_expired_form

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.after_request
def private(response):
    """A staff member's pages stay out of shared caches and never pass the link on."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def start_page(started, status: int):
    """Where a usable invitation leads; a refused one gets a page that says why, kindly."""
    if isinstance(started, staff_store.Started):
        return remember(redirect(url_for("staff.tasks")), started)
    return render_template(f"staff/{started.reason}.html"), status


# --- starting -----------------------------------------------------------------------------------


def code_wait(db) -> float:
    config, now = current_app.config, datetime.now(UTC)
    policy = throttle.ThrottlePolicy(
        free=config["SIGN_IN_MAX_FAILURES"],
        delay_seconds=config["SIGN_IN_DELAY_SECONDS"],
        per_address=config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"],
        window=timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"]),
    )
    return staff_store.claim_code_attempt(
        db,
        request.remote_addr or "unknown",
        now,
        now - policy.window,
        lambda failures: throttle.wait_before_sign_in(failures, failures, now, policy),
    )


@bp.route("/", methods=["GET", "POST"])
def enter_code():
    """A public page with one input: the code from a printed slip."""
    typed = request.form.get("code", "")
    if request.method == "GET":
        return render_template("staff/code.html", errors=[], typed=typed)
    if not FlaskForm().validate_on_submit():
        refuse_expired_form()
    started, message, status = try_code(typed)
    if started is not None:
        return start_page(started, 410)
    return render_template("staff/code.html", errors=[("code", message)], typed=typed), status


def try_code(typed: str) -> tuple[object, str, int]:
    """A typed code: what starting from it gave (a response, or a used or closed invitation),
    or why not (a wrong code counts against the client's address) and the status to say it."""
    db = store.get_db()
    wait = code_wait(db)
    if wait:
        wait_words = throttle.in_words(wait)
        return None, f"Too many codes were tried from here. Wait {wait_words}, then try again", 429
    code = read_code(typed)
    if code is None:
        return None, "Enter the 10 letters and numbers on your slip", 400
    started = staff_store.start_response(db, code)
    if not isinstance(started, staff_store.Refused) or started.reason != "unknown":
        return started, "", 200
    staff_store.record_wrong_code(db, request.remote_addr or "unknown", datetime.now(UTC))
    return None, "We do not recognise that code: check it and try again", 400


@bp.route("/<token>", methods=["GET", "POST"])
def start(token: str):
    """The link from an invitation email. Opening it changes nothing (mail scanners open links);
    the button on the page starts the answers."""
    db = store.get_db()
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            refuse_expired_form()
        started = staff_store.start_response(db, token)
        return start_page(started, 404 if getattr(started, "reason", "") == "unknown" else 410)
    state = staff_store.invitation_state(db, token) if len(token) < 100 else None
    if state is None:
        return render_template("staff/unknown.html"), 404
    if state["used"]:
        return render_template("staff/used.html"), 410
    if state["round_status"] != "open":
        return render_template("staff/closed.html"), 410
    return render_template("staff/start.html", invitation=state)


# --- answering ----------------------------------------------------------------------------------


def visit_or_start_page() -> StaffVisit:
    v = current_visit()
    if v is None:
        abort(make_response(render_template("staff/no_cookie.html"), 403))
    return v


def refused_change(v: StaffVisit):
    return render_template("staff/closed.html", visit=v), 409


@bp.route("/answers/")
def tasks():
    v = visit_or_start_page()
    sections = results.progress(v.questionnaire, {k: _answer(lv) for k, lv in v.levels.items()})
    return render_template(
        "staff/tasks.html",
        visit=v,
        sections=sections,
        all_done=all(s.status == results.COMPLETED for s in sections),
    )


def _answer(level: int) -> dict:
    """A staff level as the progress rules read an answer."""
    return {"level": level, "not_applicable": 0}


@bp.route("/answers/<section>", methods=["GET", "POST"])
def section(section: str):
    v = visit_or_start_page()
    dimension = v.questionnaire.section_dimension
    if section not in {m.key for m in dimension.members}:
        abort(404)
    if not v.open:
        return refused_change(v) if request.method == "POST" else redirect(url_for("staff.tasks"))
    statements = v.questionnaire.statements_in(dimension.key, section)
    if request.method == "GET":
        checked = {level_field(k): str(level) for k, level in v.levels.items()}
        comment = v.comments.get(section, "")
        return render_section(v, section, statements, checked, comment, [])
    return save_section(v, section, statements)


def save_section(v: StaffVisit, section: str, statements):
    """Keep what is valid; the page comes back (400) naming anything it could not keep."""
    if not FlaskForm().validate_on_submit():
        refuse_expired_form()
    later = request.form.get("action") == "later"
    number = {s.key: i for i, s in enumerate(v.questionnaire.statements, start=1)}
    posted = read_staff_section(
        request.form.to_dict(flat=False),
        statements,
        v.questionnaire.levels,
        number,
        v.levels,
        current_app.config["STAFF_COMMENT_MOST"],
        complete=not later,
    )
    try:
        staff_store.save_staff_section(
            store.get_db(), v.response["id"], posted.levels, section, posted.comment
        )
    except staff_store.StaffClosed:
        return refused_change(v)
    if posted.errors:
        checked = {level_field(k): str(lv) for k, lv in {**v.levels, **posted.levels}.items()}
        typed = request.form.get(COMMENT_FIELD, "")
        return render_section(v, section, statements, checked, typed, posted.errors, 400)
    if later:
        flash("Your answers have been saved. Come back on this device before the round closes.")
        return redirect(url_for("staff.tasks"))
    keys = [m.key for m in v.questionnaire.section_dimension.members]
    following = keys[keys.index(section) + 1 :]
    if request.args.get("return") == "check" or not following:
        return redirect(url_for("staff.check"))
    return redirect(url_for("staff.section", section=following[0]))


def render_section(v, section, statements, checked, comment, errors, status=200):
    number = {s.key: i for i, s in enumerate(v.questionnaire.statements, start=1)}
    field_errors = first_errors(errors)
    return render_template(
        "staff/section.html",
        visit=v,
        member=v.questionnaire.section_dimension.member(section),
        statements=statements,
        radios={
            s.key: statement_radios(
                v.questionnaire,
                s,
                number[s.key],
                checked.get(level_field(s.key)),
                field_errors.get(level_field(s.key)),
                not_applicable=False,
            )
            for s in statements
        },
        checked=checked,
        comment=comment,
        errors=errors,
        comment_most=current_app.config["STAFF_COMMENT_MOST"],
    ), status


@bp.route("/answers/check", methods=["GET", "POST"])
def check():
    v = visit_or_start_page()
    keys = [s.key for s in v.questionnaire.statements]
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            refuse_expired_form()
        try:
            staff_store.submit_staff_response(
                store.get_db(),
                v.response["id"],
                keys,
                lambda levels: response_scores(v.questionnaire, levels),
            )
            return redirect(url_for("staff.submitted"))
        except staff_store.StaffClosed:
            return refused_change(v)
        except ValueError:
            errors = [("submit", "Answer every statement before you submit your answers")]
    return render_template(
        "staff/check.html",
        visit=v,
        errors=errors,
        levels={level.level: level.name for level in v.questionnaire.scale},
        unanswered=len(set(keys) - set(v.levels)),
    ), (400 if errors else 200)


@bp.route("/answers/submitted")
def submitted():
    v = visit_or_start_page()
    if v.response["status"] != "submitted":
        return redirect(url_for("staff.tasks"))
    return render_template("staff/submitted.html", visit=v)
