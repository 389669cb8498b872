"""The council as a whole: a round's spread across teams, who moved most, and trends over rounds."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from assess import charts, store
from assess.assessment.scoring import council_average, too_few_teams
from assess.programme import indicators as indicator_rules
from assess.programme.figures import AREA_DIMENSION, all_indicators, evidence_against
from assess.rounds import tables as reports
from assess.rounds.figures import council_figures, council_radar, spread_radar
from assess.web import pictures
from assess.web.auth import requires
from assess.web.helpers import questionnaire_for, round_or_404

bp = Blueprint("council", __name__)


def statuses_from_request() -> tuple[str, ...]:
    """Published figures count signed-off assessments; submitted ones only when asked."""
    if request.args.get("include") == "submitted":
        return ("submitted", "signed_off")
    return ("signed_off",)


@bp.route("/rounds/<int:round_id>/council")
@requires("read_council")
def council(round_id: int):
    round_ = round_or_404(round_id)
    statuses = statuses_from_request()
    figures = council_figures(round_, statuses)
    radars = {
        d["dimension"].key: spread_radar(
            figures["questionnaire"], d["dimension"].key, d["spread"], round_["name"]
        )
        for d in figures["dimensions"]
        if d["teams"]
    }
    indicators = all_indicators()
    areas = next((d for d in figures["dimensions"] if d["dimension"].key == AREA_DIMENSION), None)
    averages = {row["member"]: row["mean"] for row in areas["spread"]} if areas else {}
    return render_template(
        "council/council.html",
        round=round_,
        figures=figures,
        indicators=indicators,
        evidence=evidence_against(averages, indicators),
        area_names=areas["names"] if areas else {},
        indicator_rules=indicator_rules,
        drawn=pictures.shown(radars),
        include_submitted=request.args.get("include") == "submitted",
        threshold=current_app.config["CHANGE_THRESHOLD"],
    )


@bp.route("/rounds/<int:round_id>/council/<dimension_key>.<fmt>")
@requires("read_council")
def council_chart(round_id: int, dimension_key: str, fmt: str):
    round_ = round_or_404(round_id)
    questionnaire = questionnaire_for(store.get_db(), round_["questionnaire_version"])
    if dimension_key not in {d.key for d in questionnaire.dimensions}:
        abort(404)
    chart = council_radar(round_, dimension_key, statuses_from_request())
    name = f"council-{dimension_key}-{round_['name'].replace('/', '-')}"
    return pictures.picture_response(chart, fmt, name if request.args.get("download") else None)


# --- trends -------------------------------------------------------------------------------------


def trend_frame(
    dimension_key: str, directorate: str, team_id: int | None, statuses, minimum: int = 0
):
    """Each round's average per member for the council, a directorate or a team, with breaks
    where a questionnaire version changed the member's statements, and how many teams each
    round's figures rest on. A round resting on fewer than `minimum` teams has no points."""
    db = store.get_db()
    points, comparable, previous_questionnaire, names, teams = [], {}, None, {}, {}
    by_round = store.scores_by_round(db, statuses, (dimension_key,))
    for round_ in store.rounds(db):
        questionnaire = questionnaire_for(db, round_["questionnaire_version"])
        try:
            dimension = questionnaire.dimension(dimension_key)
        except StopIteration:
            continue
        names.update({m.key: m.name for m in dimension.members})
        rows = [
            r
            for r in by_round.get(round_["id"], [])
            if (not directorate or r["directorate"] == directorate)
            and (team_id is None or r["team_id"] == team_id)
        ]
        if previous_questionnaire is not None:
            for member, ok in reports.comparable_members(
                previous_questionnaire, questionnaire, dimension_key
            ).items():
                comparable[(round_["name"], member)] = ok
        previous_questionnaire = questionnaire
        teams[round_["name"]] = len({row["team_id"] for row in rows})
        if too_few_teams(teams[round_["name"]], minimum):
            continue
        by_member: dict[str, list] = {}
        for row in rows:
            by_member.setdefault(row["member"], []).append(row["score"])
        for member, scores in by_member.items():
            average = council_average(scores)
            if average is not None:
                points.append(
                    {
                        "round": round_["name"],
                        "opens_on": round_["opens_on"],
                        "member": member,
                        "score": average,
                    }
                )
    return reports.trend(points, comparable), names, teams


@bp.route("/trends/")
@requires("read_council")
def trends_values():
    return render_trends("value")


@bp.route("/trends/<dimension_key>")
@requires("read_council")
def trends(dimension_key: str):
    return render_trends(dimension_key)


def render_trends(dimension_key: str):
    db = store.get_db()
    directorate = request.args.get("directorate", "")
    team_id = request.args.get("team", type=int)
    small_group = current_app.config["SMALL_GROUP_TEAMS"] if directorate and not team_id else 0
    frame, names, teams_per_round = trend_frame(
        dimension_key, directorate, team_id, statuses_from_request(), small_group
    )
    if not names:
        abort(404)
    teams = store.active_teams(db)
    rounds_ = list(teams_per_round) if any(teams_per_round.values()) else []
    table = {(r["member"], r["round"]): r for r in frame.to_dict("records")}
    svg = None
    if not frame.empty:
        title = trend_title(dimension_key, names, directorate, team_id, teams)
        svg = pictures.inline_svg(charts.trend(frame, names, title))
    return render_template(
        "council/trends.html",
        frame=frame,
        names=names,
        rounds=rounds_,
        table=table,
        svg=svg,
        chart_pending=not frame.empty and svg is None,
        dimension_key=dimension_key,
        directorates=sorted({t["directorate"] for t in teams}),
        teams=teams,
        directorate=directorate,
        team_id=team_id,
        title=trend_title(dimension_key, names, directorate, team_id, teams),
        include_submitted=request.args.get("include") == "submitted",
        teams_per_round=teams_per_round,
        small_group=small_group,
        suppressed=[r for r, n in teams_per_round.items() if too_few_teams(n, small_group)],
    )


def trend_title(dimension_key, names, directorate, team_id, teams) -> str:
    noun = (
        "Corporate values"
        if dimension_key == "value"
        else "Readiness areas"
        if dimension_key == "readiness_area"
        else dimension_key.replace("_", " ").capitalize()
    )
    who = next((t["name"] for t in teams if t["id"] == team_id), None) or directorate or "Council"
    return f"{noun} over time: {who}"
