"""Business improvement: run rounds, track completion, review submissions, read heatmaps."""

from __future__ import annotations

from datetime import date

import pandas as pd
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
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from assess import charts, store
from assess.assessment import staff_results
from assess.assessment.scoring import OUTSTANDING, OVERALL, score_assessment, status_counts
from assess.assessment.staff_journey import remind_staff
from assess.audit import exports
from assess.readiness.figures import COLUMN_SUFFIX, round_review_scores
from assess.rounds import reminders
from assess.rounds import tables as reports
from assess.store import registers as register_store
from assess.store import staff as staff_store
from assess.web import access, mail, pictures
from assess.web.auth import requires
from assess.web.helpers import (
    Required,
    form_errors,
    found_or_404,
    long_date,
    page,
    questionnaire_for,
    refuse_expired_form,
    round_or_404,
)

# The heatmap's overall column: the score of every statement, not an average of the columns before.
OVERALL_HEADING = "Overall score (all statements)"
# The heatmap's switch (?view=staff): staff medians instead of the team leads' agreed scores.
STAFF_VIEW = "staff"
# Beside the readiness areas, a column per area of the completed readiness reviews' scores.
REVIEW_COLUMN = "review-"

bp = Blueprint("rounds", __name__, url_prefix="/rounds")

STATUS_NAMES = {
    "not_started": "Not started",
    "draft": "In progress",
    "submitted": "Submitted",
    "returned": "Returned",
    "signed_off": "Signed off",
}
# More rows than this make a chart nobody can read (and a slow page): the table still shows all.
MAX_HEATMAP_ROWS = 300


def parse_date(day: str, month: str, year: str) -> date:
    """A date from its parts; ValueError if they are not one (a number too big included)."""
    try:
        return date(int(year), int(month), int(day))
    except OverflowError:
        raise ValueError("not a date") from None


class RoundForm(FlaskForm):
    name = StringField(
        "Round name", validators=[Required("Enter a name for the round"), Length(max=40)]
    )
    opens_day, opens_month, opens_year = StringField(), StringField(), StringField()
    closes_day, closes_month, closes_year = StringField(), StringField(), StringField()
    questionnaire = RadioField("Questionnaire", validate_choice=True)
    teams = SelectMultipleField("Teams in scope", coerce=int)

    def validate_name(self, field) -> None:
        if store.round_by_name(store.get_db(), field.data.strip()):
            raise ValidationError(f"There is already a round called {field.data.strip()}")

    def dates(self) -> tuple[date | None, date | None]:
        found = []
        for prefix in ("opens", "closes"):
            try:
                found.append(
                    parse_date(
                        *(self[f"{prefix}_{p}"].data or "" for p in ("day", "month", "year"))
                    )
                )
            except ValueError:
                found.append(None)
        return found[0], found[1]

    def check(self) -> list[tuple[str, str]]:
        """Every error of a posted round, the dates and scope included, in page order."""
        self.validate_on_submit()
        opens, closes = self.dates()
        errors = form_errors(self)
        if opens is None:
            errors.append(("opens_day", "Enter the date the round opens, for example 2 9 2025"))
        if closes is None:
            errors.append(("closes_day", "Enter the date the round closes, for example 12 12 2025"))
        elif opens and closes < opens:
            errors.append(("closes_day", "The closing date must be on or after the opening date"))
        if not self.teams.data:
            errors.append(("teams", "Select at least one team"))
        return errors


@bp.route("/")
@requires("read_council")
def index():
    rounds = [
        {**r, "counts": status_counts(r["statuses"])} for r in store.rounds_overview(store.get_db())
    ]
    return render_template("rounds/index.html", rounds=rounds, statuses=STATUS_NAMES)


@bp.route("/new", methods=["GET", "POST"])
@requires("run_rounds")
def new():
    db = store.get_db()
    questionnaires = list(current_app.extensions["questionnaires"].values())
    teams = store.active_teams(db)
    form = RoundForm()
    form.questionnaire.choices = [SelectChoice(q.version, q.title) for q in questionnaires]
    form.teams.choices = [SelectChoice(t["id"], t["name"]) for t in teams]
    if request.method == "GET":
        form.teams.data = [t["id"] for t in teams]
        form.questionnaire.data = questionnaires[0].version
    errors = form.check() if request.method == "POST" else []
    if request.method == "POST" and not errors:
        opens, closes = form.dates()
        store.store_questionnaire_versions(db, questionnaires)
        round_id = store.create_round(
            db,
            form.name.data.strip(),
            form.questionnaire.data,
            opens.isoformat(),
            closes.isoformat(),
            "planned",
            g.user["id"],
            team_ids=form.teams.data,
        )
        flash(f"Round {form.name.data.strip()} created. Open it when teams should start.")
        return redirect(url_for("rounds.tracker", round_id=round_id))
    return page("rounds/new.html", errors, form=form, teams=teams)


# What each change of a round's status does, said on the page that asks to confirm it.
ROUND_CHANGES = {
    ("planned", "open"): (
        "Open",
        "Team leads of the {teams} teams in the round can start their assessments. The round "
        "closes on {closes}.",
        "Round {name} is open: team leads can now assess their teams.",
    ),
    ("open", "closed"): (
        "Close",
        "Team leads can no longer change or submit their assessments. {outstanding} of the "
        "{teams} teams have not submitted: their drafts stay as drafts, unsubmitted. Submitted "
        "assessments can still be reviewed and signed off. You can reopen the round if it was "
        "closed by mistake; closing and reopening are recorded in the audit trail.",
        "Round {name} closed. Unsubmitted drafts stay as drafts.",
    ),
    ("closed", "open"): (
        "Reopen",
        "Team leads can change and submit their assessments again until you close it. Reopening "
        "is recorded in the audit trail. A round pack frozen while the round was closed keeps "
        "what it held: freeze a new one after you close the round again.",
        "Round {name} is open again: team leads can change and submit their assessments.",
    ),
}


@bp.route("/<int:round_id>/status", methods=["GET", "POST"])
@requires("run_rounds")
def set_status(round_id: int):
    """Open, close or reopen a round: a page says what that does, then one press does it."""
    round_ = round_or_404(round_id)
    status = (request.form if request.method == "POST" else request.args).get("status", "")
    if status == round_["status"]:
        flash(f"Round {round_['name']} is already {status}.")
        return redirect(url_for("rounds.tracker", round_id=round_id))
    if (round_["status"], status) not in ROUND_CHANGES:
        abort(400, "A round can be opened, closed, or reopened once closed.")
    verb, explained, done = ROUND_CHANGES[(round_["status"], status)]
    if request.method == "GET":
        counts = status_counts(r["status"] for r in store.completion(store.get_db(), round_id))
        return render_template(
            "rounds/confirm.html",
            heading=f"{verb} round {round_['name']}?",
            explained=explained.format(
                teams=counts["teams"],
                outstanding=counts["outstanding"],
                closes=long_date(round_["closes_on"]),
            ),
            button=f"{verb} this round",
            warning=status == "closed",
            fields={"status": status},
            back=url_for("rounds.tracker", round_id=round_id),
        )
    if not FlaskForm().validate_on_submit():
        refuse_expired_form()
    store.set_round_status(store.get_db(), round_id, status, g.user["id"])
    if status == "closed":
        staff_store.record_round_staff_counts(store.get_db(), round_id, g.user["id"])
    flash(done.format(name=round_["name"]))
    return redirect(url_for("rounds.tracker", round_id=round_id))


def completion_rows(round_: dict) -> list[dict]:
    db = store.get_db()
    questionnaire = questionnaire_for(db, round_["questionnaire_version"])
    total = len(questionnaire.statements)
    rows = store.completion(db, round_["id"])
    for row in rows:
        row["total"] = total
        row["status_name"] = STATUS_NAMES[row["status"]]
    return rows


@bp.route("/<int:round_id>")
@requires("read_council")
def tracker(round_id: int):
    round_ = round_or_404(round_id)
    rows = completion_rows(round_)
    counts = status_counts(r["status"] for r in rows)
    directorates = sorted({r["directorate"] for r in rows})
    directorate = request.args.get("directorate", "")
    status = request.args.get("status", "")
    shown = [
        r
        for r in rows
        if (not directorate or r["directorate"] == directorate)
        and (not status or r["status"] == status)
    ]
    staff_answered, council_answered = staff_results.round_staff_answered(round_id)
    return render_template(
        "rounds/tracker.html",
        staff_answered=staff_answered,
        council_answered=council_answered,
        reminders=store.reminders_sent(store.get_db(), round_id),
        outstanding=counts["outstanding"],
        round=round_,
        rows=shown,
        all_rows=rows,
        counts=counts,
        statuses=STATUS_NAMES,
        directorates=directorates,
        directorate=directorate,
        status=status,
        form=FlaskForm(),
    )


def csv_response(header: list[str], rows: list[list], filename: str) -> Response:
    """A page's table as a CSV download, through the one export path (assess.audit.exports):
    UTF-8 with a byte order mark for Excel, cells that could run as formulas neutralised."""
    name = filename.removesuffix(".csv")
    return exports.download(name, "csv", [exports.text_sheet(name, header, rows)])


@bp.route("/<int:round_id>/outstanding.csv")
@requires("read_council")
def outstanding_csv(round_id: int):
    round_ = round_or_404(round_id)
    rows = [r for r in completion_rows(round_) if r["status"] in OUTSTANDING]
    return csv_response(
        [
            "Team",
            "Directorate",
            "Status",
            "Answered",
            "Statements",
            "Last activity",
            "Team leads",
            "Team lead emails",
        ],
        [
            [
                r["team"],
                r["directorate"],
                r["status_name"],
                r["answered"],
                r["total"],
                r["last_activity"] or "",
                r["leads"] or "",
                r["lead_emails"] or "",
            ]
            for r in rows
        ],
        f"outstanding-{round_['name'].replace('/', '-')}.csv",
    )


# --- reminders ----------------------------------------------------------------------------------


def send_reminder(round_: dict, row: dict, sent_before: int) -> bool:
    """Remind a team's leads (and, after two reminders, the directorate's lead); record it."""
    db = store.get_db()
    message = reminders.reminder(
        team=row["team"],
        round_name=round_["name"],
        closes_on=round_["closes_on"],
        status_name=STATUS_NAMES[row["status"]],
        answered=row["answered"],
        total=row["total"],
        link=url_for("team.tasks", team_id=row["team_id"], round_id=round_["id"], _external=True),
        lead_emails=(row["lead_emails"] or "").split(", "),
        directorate_lead=store.directorate_lead_email(db, row["team_id"]),
        sent_before=sent_before,
    )
    if message is None:
        return False
    config = current_app.config
    delivery = mail.send(
        config,
        mail.message(config["MAIL_FROM"], list(message.recipients), message.subject, message.body),
    )
    store.record_reminder(
        db,
        round_["id"],
        row["team_id"],
        list(message.recipients),
        message.escalated,
        delivery,
        g.user["id"],
    )
    return True


@bp.route("/<int:round_id>/reminders", methods=["POST"])
@requires("run_rounds")
def remind_all(round_id: int):
    round_ = round_or_404(round_id)
    if not FlaskForm().validate_on_submit():
        refuse_expired_form()
    sent = store.reminders_sent(store.get_db(), round_id)
    rows = [r for r in completion_rows(round_) if r["status"] in OUTSTANDING]
    reminded = sum(send_reminder(round_, r, sent.get(r["team_id"], 0)) for r in rows)
    flash(f"Reminders sent to {reminded} outstanding team{'' if reminded == 1 else 's'}.")
    staff = remind_staff(round_, None, g.user["id"]) if round_["status"] == "open" else 0
    if staff:
        flash(f"New links sent to {staff} staff invited by email who have not used theirs.")
    return redirect(url_for("rounds.tracker", round_id=round_id))


@bp.route("/<int:round_id>/teams/<int:team_id>/remind", methods=["POST"])
@requires("run_rounds")
def remind_team(round_id: int, team_id: int):
    round_ = round_or_404(round_id)
    if not FlaskForm().validate_on_submit():
        refuse_expired_form()
    row = next((r for r in completion_rows(round_) if r["team_id"] == team_id), None)
    if row is None or row["status"] not in OUTSTANDING:
        abort(404)
    sent = store.reminders_sent(store.get_db(), round_id).get(team_id, 0)
    if send_reminder(round_, row, sent):
        flash(f"Reminder sent to {row['team']}.")
    else:
        flash(f"{row['team']} has no team lead to remind.")
    return redirect(url_for("rounds.tracker", round_id=round_id))


# --- review -------------------------------------------------------------------------------------


def review_context(round_id: int, team_id: int):
    db = store.get_db()
    round_ = round_or_404(round_id)
    team = found_or_404(store.team, db, team_id)
    assessment = store.find_assessment(db, team_id, round_id)
    if assessment is None:
        abort(404)
    return db, round_, team, assessment, questionnaire_for(db, assessment["questionnaire_version"])


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        "What should the team change?",
        validators=[Required("Say what the team should change"), Length(max=5000)],
    )


class ModerateForm(FlaskForm):
    level = SelectField("Moderated level", validate_choice=True)
    reason = TextAreaField("Reason", validators=[Length(max=5000)])

    def validate_reason(self, field) -> None:
        if self.level.data and not (field.data or "").strip():
            raise ValidationError("Give a reason for the moderated level")

    @classmethod
    def for_answer(cls, answer: dict, questionnaire) -> ModerateForm:
        """The form for one answer: its current moderation, and the scale's levels to choose."""
        form = cls(
            data={
                "level": str(answer["moderated_level"] or ""),
                "reason": answer["moderation_reason"],
            }
        )
        form.level.choices = [SelectChoice("", "No moderation: keep the team's level")] + [
            SelectChoice(str(level.level), f"{level.level} {level.name}")
            for level in questionnaire.scale
        ]
        return form


@bp.route("/<int:round_id>/teams/<int:team_id>", methods=["GET"])
@requires("read_council")
def review(round_id: int, team_id: int):
    db, round_, team, assessment, questionnaire = review_context(round_id, team_id)
    return render_review(db, round_, team, assessment, questionnaire, ReturnForm(), [])


def render_review(db, round_, team, assessment, questionnaire, return_form, errors, status=200):
    answers = {a["statement_key"]: a for a in store.answers_of(db, assessment["id"])}
    return render_template(
        "rounds/review.html",
        round=round_,
        team=team,
        assessment=assessment,
        questionnaire=questionnaire,
        answers=answers,
        levels={level.level: level.name for level in questionnaire.scale},
        history=store.review_history(db, assessment["id"]),
        return_form=return_form,
        errors=errors,
        can_review=access.may(g.user["role"], "run_rounds"),
        statuses=STATUS_NAMES,
        moderated=request.args.get("moderated"),
    ), status


@bp.route("/<int:round_id>/teams/<int:team_id>/return", methods=["POST"])
@requires("run_rounds")
def return_for_changes(round_id: int, team_id: int):
    db, round_, team, assessment, questionnaire = review_context(round_id, team_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        errors = [("comment", m) for m in form.comment.errors] or [
            ("comment", "The form expired. Try again.")
        ]
        return render_review(db, round_, team, assessment, questionnaire, form, errors, 400)
    try:
        store.return_assessment(db, assessment["id"], form.comment.data, g.user["id"])
    except store.Locked as locked:
        abort(409, str(locked))
    flash(f"{team['name']}'s assessment was returned with your comment.")
    return redirect(url_for("rounds.tracker", round_id=round_id))


def sign_off_page(db, round_: dict, team: dict, assessment: dict):
    """What signing off does, asked before it is done; 409 if it is not waiting for review."""
    try:
        store.submitted_assessment(db, assessment["id"], "signed off")
    except store.Locked as locked:
        abort(409, str(locked).capitalize() + ".")
    return render_template(
        "rounds/confirm.html",
        heading=f"Sign off {team['name']}’s assessment?",
        explained="Its scores will count in the council’s published figures for round "
        f"{round_['name']}, and the team can no longer change it. A low or falling "
        "Inclusion & Respect score prompts reviews of the equality impact assessments "
        "linked to it.",
        button="Sign off this assessment",
        fields={},
        back=url_for("rounds.review", round_id=round_["id"], team_id=team["id"]),
    )


@bp.route("/<int:round_id>/teams/<int:team_id>/sign-off", methods=["GET", "POST"])
@requires("run_rounds")
def sign_off(round_id: int, team_id: int):
    """Sign off a submitted assessment: a page says what that does, then one press does it."""
    db, round_, team, assessment, _ = review_context(round_id, team_id)
    if request.method == "GET":
        return sign_off_page(db, round_, team, assessment)
    if not FlaskForm().validate_on_submit():
        refuse_expired_form()
    try:
        store.sign_off_assessment(db, assessment["id"], g.user["id"])
    except store.Locked as locked:
        abort(409, str(locked))
    flash(f"{team['name']}'s assessment is signed off.")
    # The evidence has arrived: a low or falling Inclusion & Respect score prompts EqIA reviews.
    prompted = register_store.raise_eqia_prompts_for(
        db,
        assessment["id"],
        current_app.config["RISK_LOW_SCORE"],
        current_app.config["CHANGE_THRESHOLD"],
        g.user["id"],
    )
    if prompted:
        flash(
            "What this sign-off shows about Inclusion & Respect calls for a review of "
            f"{', '.join(prompted)}: see Risks and equality, equality impact assessments.",
            "important",
        )
    return redirect(url_for("rounds.tracker", round_id=round_id))


@bp.route("/<int:round_id>/teams/<int:team_id>/moderate/<statement_key>", methods=["GET", "POST"])
@requires("run_rounds")
def moderate(round_id: int, team_id: int, statement_key: str):
    db, round_, team, assessment, questionnaire = review_context(round_id, team_id)
    answers = {a["statement_key"]: a for a in store.answers_of(db, assessment["id"])}
    if statement_key not in answers or answers[statement_key]["level"] is None:
        abort(404)
    statement = questionnaire.statement(statement_key)
    answer = answers[statement_key]
    closed = round_["status"] == "closed"
    form = ModerateForm.for_answer(answer, questionnaire)
    locked = ""
    if request.method == "POST" and closed:
        locked = store.closed_round_reason(round_["name"])
    elif form.validate_on_submit():
        locked = save_moderation(db, assessment["id"], statement_key, form, questionnaire)
        if not locked:
            # Said in the statement's own row, where the page lands, not above it.
            review_url = url_for(
                "rounds.review", round_id=round_id, team_id=team_id, moderated=statement_key
            )
            return redirect(f"{review_url}#{statement_key}")
    errors = form_errors(form)
    if locked and not closed:  # closed while the page was open: the form is still shown
        errors = [("level", locked)]
    return render_template(
        "rounds/moderate.html",
        round=round_,
        team=team,
        statement=statement,
        answer=answer,
        levels={level.level: level.name for level in questionnaire.scale},
        form=form,
        errors=errors,
        closed=closed,
    ), (409 if locked else 400 if errors else 200)


def save_moderation(db, assessment_id: int, statement_key: str, form, questionnaire) -> str:
    """Moderate one answer and rescore the assessment: "" when saved, else why it was refused."""
    try:
        store.moderate(
            db,
            assessment_id,
            statement_key,
            int(form.level.data) if form.level.data else None,
            form.reason.data or "",
            g.user["id"],
            lambda rows: score_assessment(questionnaire, store.as_scoring_answers(rows)),
        )
    except store.Locked as refused:
        return str(refused)
    return ""


# --- heatmaps -----------------------------------------------------------------------------------


def heatmap_view(round_: dict, dimension_key: str):
    """The heatmap's frame and what the page needs to say about it, from the query string."""
    db = store.get_db()
    questionnaire = questionnaire_for(db, round_["questionnaire_version"])
    try:
        dimension = questionnaire.dimension(dimension_key)
    except StopIteration:
        abort(404)
    include_submitted = request.args.get("include") == "submitted"
    statuses = ("submitted", "signed_off") if include_submitted else ("signed_off",)
    rows = store.round_scores(db, round_["id"], statuses, (dimension_key, OVERALL))
    members = [m.key for m in dimension.members]
    council = reports.heatmap_frame(rows, members)
    review_columns = []
    beside = round_review_scores(round_["id"], questionnaire.id, dimension_key)
    if beside:
        review, scores_by_team = beside
        review_columns = [(REVIEW_COLUMN + a.key, a.name + COLUMN_SUFFIX) for a in review.areas]
        council = reports.with_team_scores(
            council, scores_by_team, {REVIEW_COLUMN + a.key: a.key for a in review.areas}
        )
    directorate = request.args.get("directorate", "")
    all_directorates = sorted(council["directorate"].unique()) if not council.empty else []
    frame = council[council["directorate"] == directorate] if directorate else council
    columns = [(m.key, m.name) for m in dimension.members] + [(OVERALL, OVERALL_HEADING)]
    columns += review_columns
    sort = request.args.get("sort", "")
    frame = reports.sort_heatmap(frame, sort if sort in [key for key, _ in columns] else None)
    return {
        "questionnaire": questionnaire,
        "dimension": dimension,
        "frame": frame,
        "columns": columns,
        "average_rows": reports.average_rows(
            council,
            frame,
            [key for key, _ in columns],
            directorate if directorate in all_directorates else "",
            current_app.config["SMALL_GROUP_TEAMS"],
        ),
        "directorates": all_directorates,
        "directorate": directorate,
        "sort": sort,
        "include_submitted": include_submitted,
        "with_review": bool(review_columns),
        "counts": reports.directorate_counts(reports.published(council))
        if not council.empty
        else {},
    }


def score_text(score: float | None) -> str:
    """A score as every table shows it: two places, blank for no score."""
    return "" if score is None or pd.isna(score) else f"{score:.2f}"


def heatmap_cells(view: dict) -> pd.DataFrame:
    """The downloaded heatmap's cells, the average rows last. No links: see `heatmap_chart`."""
    cells = []
    for record in view["frame"].to_dict("records"):
        label = record["team"] + (" (submitted)" if record["status"] == "submitted" else "")
        cells += [{"row": label, "column": key, "score": record[key]} for key, _ in view["columns"]]
    cells += [
        {"row": row["label"], "column": key, "score": row["averages"][key]}
        for row in view["average_rows"]
        for key, _ in view["columns"]
    ]
    return pd.DataFrame(cells, columns=["row", "column", "score"])


def heatmap_table(round_id: int, view: dict, scale: tuple, text=score_text) -> dict:
    """The on-page heatmap, a table: teams grouped under their directorate (in the frame's
    order), each cell its figure (a team's as `text` gives it, an average to two places) and the
    tint of its level band; the team's name is the row's one link, to its results here. `key`
    names each level's tint."""
    keys = [key for key, _ in view["columns"]]
    levels = tuple(level.level for level in scale)

    def cells(scores: dict, text=text) -> list[dict]:
        return [
            {"text": text(scores[k]), "tint": charts.heatmap_tint(scores[k], levels)} for k in keys
        ]

    groups: list[dict] = []
    for record in view["frame"].to_dict("records"):
        if not groups or groups[-1]["directorate"] != record["directorate"]:
            groups.append({"directorate": record["directorate"], "teams": []})
        groups[-1]["teams"].append(
            {
                "name": record["team"],
                "status": record["status"],
                "href": url_for("team.results_page", team_id=record["team_id"], round_id=round_id),
                "cells": cells(record),
            }
        )
    averages = [
        {**row, "cells": cells(row["averages"], score_text)} for row in view["average_rows"]
    ]
    key = [
        {"level": level.level, "name": level.name, "tint": charts.heatmap_tint(level.level, levels)}
        for level in scale
    ]
    return {"columns": view["columns"], "groups": groups, "average_rows": averages, "key": key}


def staff_heatmap_view(round_: dict, dimension_key: str) -> dict:
    """The staff view of the heatmap (`staff_results.staff_heatmap`), for the chosen directorate
    or all: its teams, then the directorate totals and the council's."""
    questionnaire = questionnaire_for(store.get_db(), round_["questionnaire_version"])
    try:
        dimension = questionnaire.dimension(dimension_key)
    except StopIteration:
        abort(404)
    heat = staff_results.staff_heatmap(round_["id"], questionnaire, dimension_key)
    directorates = [row.name for row in heat.directorates]
    directorate = request.args.get("directorate", "")
    directorate = directorate if directorate in directorates else ""
    return {
        "questionnaire": questionnaire,
        "dimension": dimension,
        "columns": [(m.key, m.name) for m in dimension.members] + [(OVERALL, OVERALL_HEADING)],
        "teams": [r for r in heat.teams if not directorate or r.directorate == directorate],
        "totals": [r for r in heat.directorates if not directorate or r.name == directorate]
        + [heat.council],
        "directorates": directorates,
        "directorate": directorate,
        "min_responses": heat.min_responses,
    }


def staff_row_note(row: staff_results.StaffHeatmapRow) -> str:
    """How many answered, and why a row's figures are hidden if they are."""
    if not row.responses:
        return "No staff answered"
    answered = f"{row.responses} answered"
    return f"{answered}: hidden ({row.hidden})" if row.hidden else answered


def staff_heatmap_table(round_id: int, view: dict, scale: tuple) -> dict:
    """The staff view as `heatmap_table` lays a heatmap out; a hidden row has no cells, only its
    note."""
    keys = [key for key, _ in view["columns"]]
    levels = tuple(level.level for level in scale)

    def cells(row: staff_results.StaffHeatmapRow) -> list[dict]:
        if not row.medians:
            return []
        return [
            {
                "text": score_text(row.medians[k]),
                "tint": charts.heatmap_tint(row.medians[k], levels),
            }
            for k in keys
        ]

    groups: list[dict] = []
    for row in view["teams"]:
        if not groups or groups[-1]["directorate"] != row.directorate:
            groups.append({"directorate": row.directorate, "teams": []})
        groups[-1]["teams"].append(
            {
                "name": row.name,
                "status": None,
                "href": url_for("team.results_page", team_id=row.team_id, round_id=round_id),
                "cells": cells(row),
                "note": staff_row_note(row),
            }
        )
    averages = [
        {"label": row.name, "cells": cells(row), "note": staff_row_note(row)}
        for row in view["totals"]
    ]
    key = [
        {"level": level.level, "name": level.name, "tint": charts.heatmap_tint(level.level, levels)}
        for level in scale
    ]
    return {"columns": view["columns"], "groups": groups, "average_rows": averages, "key": key}


@bp.route("/<int:round_id>/heatmap/<dimension_key>")
@requires("read_council")
def heatmap(round_id: int, dimension_key: str):
    round_ = round_or_404(round_id)
    if request.args.get("view") == STAFF_VIEW:
        view = staff_heatmap_view(round_, dimension_key)
        table = staff_heatmap_table(round_id, view, view["questionnaire"].scale)
        rows = len(view["teams"])
    else:
        view = heatmap_view(round_, dimension_key)
        table = heatmap_table(round_id, view, view["questionnaire"].scale)
        rows = len(view["frame"])
    return render_template(
        "rounds/heatmap.html",
        round=round_,
        view=view,
        staff="teams" in view,
        table=table,
        drawable=0 < rows <= MAX_HEATMAP_ROWS,
        small_group=current_app.config["SMALL_GROUP_TEAMS"],
        query=request.args.to_dict(),
    )


def staff_heatmap_download(round_: dict, dimension_key: str, fmt: str, name: str) -> Response:
    """The staff view as CSV, SVG or PNG: the same figures as the page, hidden rows blank with
    their note."""
    view = staff_heatmap_view(round_, dimension_key)
    keys = [key for key, _ in view["columns"]]
    rows = [*view["teams"], *view["totals"]]
    if fmt == "csv":
        return csv_response(
            ["Directorate", "Team", "Staff answers", *[n for _, n in view["columns"]]],
            [
                [
                    r.directorate,
                    r.name if r.team_id else f"{r.name} (all teams)",
                    staff_row_note(r),
                    *[score_text(r.medians.get(k)) for k in keys],
                ]
                for r in rows
            ],
            f"{name}.csv",
        )
    if fmt not in ("svg", "png") or not 0 < len(view["teams"]) <= MAX_HEATMAP_ROWS:
        abort(404)
    cells = [
        (f"{r.name} ({staff_row_note(r)})", key, r.medians.get(key)) for r in rows for key in keys
    ]
    chart = charts.heatmap(
        cells,
        view["columns"],
        view["questionnaire"].levels,
        f"{view['dimension'].name}s by team, staff view, {round_['name']}",
    )
    return pictures.picture_response(chart, fmt, name)


@bp.route("/<int:round_id>/heatmap/<dimension_key>.<fmt>")
@requires("read_council")
def heatmap_download(round_id: int, dimension_key: str, fmt: str):
    round_ = round_or_404(round_id)
    name = f"heatmap-{dimension_key}-{round_['name'].replace('/', '-')}"
    if request.args.get("view") == STAFF_VIEW:
        return staff_heatmap_download(round_, dimension_key, fmt, f"staff-{name}")
    view = heatmap_view(round_, dimension_key)
    if fmt == "csv":
        keys = [key for key, _ in view["columns"]]
        rows = [
            [
                r["directorate"],
                r["team"],
                STATUS_NAMES[r["status"]],
                *[score_text(r[k]) for k in keys],
            ]
            for r in view["frame"].to_dict("records")
        ]
        rows += [
            ["", row["label"], row["note"], *[score_text(row["averages"][k]) for k in keys]]
            for row in view["average_rows"]
        ]
        return csv_response(
            ["Directorate", "Team", "Status", *[n for _, n in view["columns"]]], rows, f"{name}.csv"
        )
    if fmt not in ("svg", "png") or not 0 < len(view["frame"]) <= MAX_HEATMAP_ROWS:
        abort(404)
    chart = charts.heatmap(
        list(heatmap_cells(view).itertuples(index=False, name=None)),
        view["columns"],
        view["questionnaire"].levels,
        f"{view['dimension'].name}s by team, {round_['name']}",
    )
    return pictures.picture_response(chart, fmt, name)


@bp.route("/<int:round_id>/heatmap/value/<member_key>/statements")
@requires("read_council")
def drill_down(round_id: int, member_key: str):
    """Teams by the statements of one value: where within a value teams are strong or weak."""
    round_ = round_or_404(round_id)
    db = store.get_db()
    questionnaire = questionnaire_for(db, round_["questionnaire_version"])
    section = questionnaire.section_dimension
    if member_key not in {m.key for m in section.members}:
        abort(404)
    statements = questionnaire.statements_in(section.key, member_key)
    include_submitted = request.args.get("include") == "submitted"
    statuses = ("submitted", "signed_off") if include_submitted else ("signed_off",)
    rows = store.round_statement_levels(db, round_id, [s.key for s in statements], statuses)
    columns = [(s.key, f"S{i}") for i, s in enumerate(statements, start=1)]
    wide = reports.statement_frame(rows, [s.key for s in statements])
    view = {
        "frame": wide,
        "columns": columns,
        "average_rows": reports.average_rows(wide, wide, [s.key for s in statements]),
    }
    return render_template(
        "rounds/drill_down.html",
        round=round_,
        member=section.member(member_key),
        statements=statements,
        table=heatmap_table(round_id, view, questionnaire.scale, level_text),
        include_submitted=include_submitted,
    )


def level_text(level: float | None) -> str:
    """A level as the drill-down shows it: a whole number, blank for none."""
    return "" if level is None or pd.isna(level) else str(int(level))


@bp.route("/<int:round_id>/calibration")
@requires("read_council")
def calibration(round_id: int):
    """Where business improvement's levels differ from teams' own, per value, by team and
    directorate: review effort goes where teams over- or under-rate themselves."""
    round_ = round_or_404(round_id)
    db = store.get_db()
    questionnaire = questionnaire_for(db, round_["questionnaire_version"])
    rows = store.calibration(db, round_id)
    by_value = reports.calibration(rows, questionnaire)
    staff = staff_results.calibration_staff(
        round_id, questionnaire, [row["team_id"] for row in rows]
    )
    return render_template(
        "rounds/calibration.html",
        round=round_,
        by_value=by_value,
        moderated=len(rows),
        staff=staff,
        min_responses=current_app.config["MIN_RESPONSES"],
    )
