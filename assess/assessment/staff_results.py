"""What a team's staff said, as its results page shows it: the staff figures beside the team
lead's agreed scores, or why they are hidden. Reads the store and applies the rules in
`staff_figures.py` (the figures, the small-group rule, where the two views differ)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import current_app

from assess import store
from assess.assessment.questionnaire import Questionnaire
from assess.assessment.scoring import OVERALL
from assess.assessment.staff_figures import (
    Comparison,
    Difference,
    StaffFigure,
    StaffView,
    compare_views,
    response_rate,
    staff_view,
    suppress,
)
from assess.store import staff as staff_store


@dataclass(frozen=True)
class StaffRow:
    """One value, area or statement: the team lead's agreed score beside the staff figures."""

    key: str
    name: str
    agreed: float | None
    staff: StaffFigure
    difference: Difference | None


@dataclass(frozen=True)
class TeamStaff:
    """A team's staff view in a round. `view` is None when the figures are hidden, and `hidden`
    then says why; `invited` and `responses` are always shown."""

    invited: int
    responses: int
    rate: float | None
    min_responses: int
    hidden: str | None
    view: StaffView | None
    comparison: Comparison | None
    dimensions: list[tuple[str, list[StaffRow]]]  # dimension name, rows
    statements: list[StaffRow]
    overall: StaffRow | None
    comments: dict[str, list[str]]  # section key -> comments, in no telling order


def responses_by_team(round_id: int, team_id: int | None = None) -> dict[int, list[dict]]:
    """The round's submitted staff responses (statement key -> level), by team."""
    levels: dict[str, dict[str, int]] = defaultdict(dict)
    team_of: dict[str, int] = {}
    for row in staff_store.round_staff_levels(store.get_db(), round_id, team_id):
        levels[row["response_id"]][row["statement_key"]] = row["level"]
        team_of[row["response_id"]] = row["team_id"]
    found: dict[int, list[dict]] = defaultdict(list)
    for response_id, answers in levels.items():
        found[team_of[response_id]].append(answers)
    return found


def team_staff(
    team_id: int,
    round_id: int,
    questionnaire: Questionnaire,
    agreed: dict[str, dict[str, float | None]],
    agreed_levels: dict[str, int | None],
) -> TeamStaff:
    """The team's staff figures beside its agreed scores (by dimension, then member), or why
    they are hidden: fewer than `MIN_RESPONSES` answered, or showing them would let another
    team's answers be worked out from its directorate's."""
    db = store.get_db()
    min_responses = current_app.config["MIN_RESPONSES"]
    suppression = suppress(staff_store.round_staff_teams(db, round_id), min_responses)
    counts = staff_store.round_staff_counts(db, round_id).get(team_id, {})
    invited, responses = counts.get("invited", 0), counts.get("submitted", 0)
    hidden = suppression.hidden_teams.get(team_id) if responses else None
    shown = responses > 0 and team_id in suppression.visible_teams
    view = comparison = overall = None
    dimensions: list[tuple[str, list[StaffRow]]] = []
    statements: list[StaffRow] = []
    comments: dict[str, list[str]] = defaultdict(list)
    if shown:
        view = staff_view(questionnaire, responses_by_team(round_id, team_id)[team_id])
        scores = {
            (dimension, member): score
            for dimension, members in agreed.items()
            for member, score in members.items()
        }
        comparison = compare_views(
            scores, view, current_app.config["CHANGE_THRESHOLD"], agreed_levels
        )
        by_section = {(d.dimension, d.key): d for d in comparison.sections}
        by_statement = {d.key: d for d in comparison.statements}
        for dimension in questionnaire.dimensions:
            if not dimension.required:
                continue
            rows = [
                StaffRow(
                    member.key,
                    member.name,
                    scores.get((dimension.key, member.key)),
                    view.sections[(dimension.key, member.key)],
                    by_section.get((dimension.key, member.key)),
                )
                for member in dimension.members
            ]
            dimensions.append((dimension.name, rows))
        statements = [
            StaffRow(
                s.key,
                s.text,
                agreed_levels.get(s.key),
                view.statements[s.key],
                by_statement.get(s.key),
            )
            for s in questionnaire.statements
        ]
        overall = StaffRow(
            OVERALL,
            "Overall",
            scores.get((OVERALL, OVERALL)),
            view.overall,
            by_section.get((OVERALL, OVERALL)),
        )
        for row in staff_store.round_staff_comments(db, round_id, team_id):
            comments[row["section_key"]].append(row["text"])
    return TeamStaff(
        invited=invited,
        responses=responses,
        rate=response_rate(responses, invited) if invited >= responses else None,
        min_responses=min_responses,
        hidden=hidden,
        view=view,
        comparison=comparison,
        dimensions=dimensions,
        statements=statements,
        overall=overall,
        comments=dict(comments),
    )


def shown_responses(team_id: int, round_id: int) -> int | None:
    """How many staff answers the team's pages show (None when they are hidden or none)."""
    db = store.get_db()
    teams = staff_store.round_staff_teams(db, round_id)
    responses = next((by_team[team_id] for by_team in teams.values() if team_id in by_team), 0)
    visible = team_id in suppress(teams, current_app.config["MIN_RESPONSES"]).visible_teams
    return responses if responses and visible else None


def statement_figures(
    team_id: int, round_id: int, questionnaire: Questionnaire
) -> tuple[int, dict[str, StaffFigure]]:
    """What the team's staff said about each statement, for the team lead agreeing the team's
    view: (answers, figures by statement), or (0, {}) when they are hidden or none."""
    responses = shown_responses(team_id, round_id)
    if not responses:
        return 0, {}
    view = staff_view(questionnaire, responses_by_team(round_id, team_id)[team_id])
    return responses, view.statements
