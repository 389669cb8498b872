"""What a team's staff said, as its results page shows it: the staff figures beside the team
lead's agreed scores, or why they are hidden. Reads the store and applies the rules in
`staff_figures.py` (the figures, the small-group rule, where the two views differ)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app

from assess import store
from assess.assessment.questionnaire import Questionnaire
from assess.assessment.scoring import OVERALL
from assess.assessment.staff_figures import (
    Comparison,
    Difference,
    Gap,
    StaffFigure,
    StaffView,
    Suppression,
    compare_views,
    response_rate,
    section_medians,
    staff_view,
    suppress,
    widest_gaps,
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


def round_suppression(round_id: int) -> tuple[dict[int, dict[int, int]], Suppression]:
    """The round's submitted responses per team by directorate, and what the small-group rule
    (`MIN_RESPONSES`) shows of them: what every staff page reads first."""
    counts = staff_store.round_staff_teams(store.get_db(), round_id)
    return counts, suppress(counts, current_app.config["MIN_RESPONSES"])


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
    _, suppression = round_suppression(round_id)
    min_responses = suppression.min_responses
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
    teams, suppression = round_suppression(round_id)
    responses = next((by_team[team_id] for by_team in teams.values() if team_id in by_team), 0)
    return responses if responses and team_id in suppression.visible_teams else None


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


# --- the round's staff heatmap ------------------------------------------------------------------


@dataclass(frozen=True)
class StaffHeatmapRow:
    """A team's, a directorate's or the council's staff figures in one dimension: the median
    per member and overall (OVERALL), or none and why they are hidden. `responses` is always
    shown."""

    name: str
    directorate: str
    team_id: int | None  # None: a directorate's or the council's total
    responses: int
    hidden: str | None
    medians: dict[str, float | None]  # member key (and OVERALL) -> median; empty when hidden


@dataclass(frozen=True)
class StaffHeatmap:
    teams: list[StaffHeatmapRow]  # by directorate, then team name
    directorates: list[StaffHeatmapRow]  # by name
    council: StaffHeatmapRow
    min_responses: int


def staff_heatmap(round_id: int, questionnaire: Questionnaire, dimension_key: str) -> StaffHeatmap:
    """Each team's staff medians in one dimension (each member and overall), pooled medians per
    directorate and for the council, from the scores kept when each response was submitted;
    whatever `suppress` hides has no figures, only its count and its reason."""
    db = store.get_db()
    counts, suppression = round_suppression(round_id)
    min_responses = suppression.min_responses
    members = [m.key for m in questionnaire.dimension(dimension_key).members]
    keys = [(dimension_key, member) for member in members] + [(OVERALL, OVERALL)]
    by_team: dict[int, dict[tuple[str, str], list[float]]] = defaultdict(
        lambda: {key: [] for key in keys}
    )
    for team_id, dimension, member, score in staff_store.round_staff_scores(
        db, round_id, dimension_key
    ):
        by_team[team_id][(dimension, member)].append(score)

    def medians(team_ids: Sequence[int]) -> dict[str, float | None]:
        pooled = {key: [s for t in team_ids for s in by_team[t][key]] for key in keys}
        return {member: m for (_, member), m in section_medians(pooled).items()}

    teams, directorate_names = [], {}
    for row in store.completion(db, round_id):
        directorate_names[row["directorate_id"]] = row["directorate"]
        team_id = row["team_id"]
        shown = team_id in suppression.visible_teams and counts[row["directorate_id"]][team_id]
        teams.append(
            StaffHeatmapRow(
                row["team"],
                row["directorate"],
                team_id,
                counts[row["directorate_id"]][team_id],
                None if shown else suppression.hidden_teams.get(team_id),
                medians([team_id]) if shown else {},
            )
        )

    directorates = [
        StaffHeatmapRow(
            directorate_names[d],
            directorate_names[d],
            None,
            sum(counts[d].values()),
            None if d in suppression.visible_directorates else suppression.hidden_directorates[d],
            medians(list(counts[d])) if d in suppression.visible_directorates else {},
        )
        for d in sorted(counts, key=lambda d: directorate_names.get(d, ""))
        if d in directorate_names
    ]
    council = StaffHeatmapRow(
        "Council",
        "",
        None,
        sum(sum(teams.values()) for teams in counts.values()),
        suppression.council_reason,
        medians([t for d in counts for t in counts[d]]) if suppression.council_visible else {},
    )
    return StaffHeatmap(teams, directorates, council, min_responses)


@dataclass(frozen=True)
class StaffAnswered:
    """Staff invited and answered, and the response rate (`response_rate`): a team's or the
    council's."""

    invited: int
    answered: int
    rate: float | None


def round_staff_answered(round_id: int) -> tuple[dict[int, StaffAnswered], StaffAnswered]:
    """Per team of the round (those with invitations or answers), and for the council."""
    counts = staff_store.round_staff_counts(store.get_db(), round_id)

    def answered(invited: int, submitted: int) -> StaffAnswered:
        return StaffAnswered(invited, submitted, response_rate(submitted, invited))

    teams = {
        team_id: answered(c.get("invited", 0), c.get("submitted", 0))
        for team_id, c in counts.items()
    }
    council = answered(
        sum(t.invited for t in teams.values()), sum(t.answered for t in teams.values())
    )
    return teams, council


@dataclass(frozen=True)
class CalibrationStaff:
    """Staff beside calibration: the staff median per moderated statement of teams whose staff
    figures are shown (else why not), and where staff and team leads differ most."""

    statement_medians: dict[tuple[int, str], float | None]  # (team id, statement key)
    hidden: dict[int, str]  # team id -> why its staff figures are not shown
    gaps: list[tuple[str, str, Gap]]  # team name, section name, the gap


def calibration_staff(
    round_id: int, questionnaire: Questionnaire, moderated_teams: Iterable[int], most: int = 10
) -> CalibrationStaff:
    db = store.get_db()
    section = questionnaire.section_dimension
    heat = staff_heatmap(round_id, questionnaire, section.key)
    visible = {row.team_id: row for row in heat.teams if row.medians and row.team_id}
    statement_medians: dict[tuple[int, str], float | None] = {}
    hidden: dict[int, str] = {}
    for team_id in set(moderated_teams):
        if team_id not in visible:
            row = next((r for r in heat.teams if r.team_id == team_id), None)
            if row is not None and row.responses and row.hidden:
                hidden[team_id] = row.hidden
            continue
        view = staff_view(questionnaire, responses_by_team(round_id, team_id)[team_id])
        for key, figure in view.statements.items():
            statement_medians[(team_id, key)] = figure.median
    agreed: dict[int, dict[str, float | None]] = defaultdict(dict)
    for row in store.round_scores(db, round_id, ("signed_off",), (section.key, OVERALL)):
        agreed[row["team_id"]][row["member"]] = row["score"]
    gaps = widest_gaps(agreed, {t: row.medians for t, row in visible.items()}, most)
    names = {m.key: m.name for m in section.members} | {OVERALL: "Overall"}
    return CalibrationStaff(
        statement_medians,
        hidden,
        [(visible[gap.team_id].name, names[gap.key], gap) for gap in gaps],
    )
