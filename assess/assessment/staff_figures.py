"""Staff answers: a team's staff answer the team's questionnaire anonymously. What their answers
add up to, which of those figures may be shown, and where staff and the team lead disagree. Pure;
no Flask, no database.

The rules:
- A response's section score (a value, a readiness area, ...) and overall score are the team lead's
  rule (`scoring.score_assessment`): the weighted mean of its answered statements, rounded once;
  unanswered statements are left out, and a section with nothing answered has no score.
- A statement's or section's staff figures: how many responses answered it, the median (of the
  levels, or of the responses' section scores; exact, then rounded once, as `scoring.spread`), and
  how many responses are at each level (a section score counts at its `scoring.level_band`).
- A directorate's or the council's staff figures are the same rules over the pooled responses of
  their teams, suppressed teams included.
- Small groups: see `suppress`. Counts of responses are always shown; answers are what is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assess.assessment.questionnaire import Questionnaire
from assess.assessment.scoring import (
    DEFAULT_CHANGE_THRESHOLD,
    OVERALL,
    Answer,
    band_counts,
    change_since,
    median,
    round_score,
    score_assessment,
)

# One staff response: statement key -> level; a statement left out (or None) is unanswered.
StaffResponse = Mapping[str, int | None]

WORKED_OUT = "hidden so another team's answers cannot be worked out"
STAFF_LOWER = "staff rate it lower"
STAFF_HIGHER = "staff rate it higher"


class StaffFiguresError(ValueError):
    """Counts that cannot describe a council's staff responses."""


def fewer_than(min_responses: int) -> str:
    """The reason given for a group with too few responses to show its answers."""
    return f"fewer than {min_responses} responses"


# --- the staff view of a team (or of a directorate, or the council) -----------------------------


@dataclass(frozen=True)
class StaffFigure:
    """What staff said about one statement, one section or the whole questionnaire."""

    responses: int  # responses that answered it (a section: at least one of its statements)
    median: float | None  # None: no response answered it
    at_level: dict[int, int]  # level -> responses at it (sections: their score's level band)


@dataclass(frozen=True)
class StaffView:
    """A group's staff figures: statements by key, sections by (dimension, member) as
    `scoring.ScoreRow` keys them, and the overall figure."""

    responses: int  # every response received, answered or not
    statements: dict[str, StaffFigure]
    sections: dict[tuple[str, str], StaffFigure]
    overall: StaffFigure


def _figure(values: Sequence[float], levels: Sequence[int]) -> StaffFigure:
    return StaffFigure(len(values), median(values), band_counts(values, levels))


SectionKey = tuple[str, str]  # (dimension, member) as `scoring.ScoreRow` keys it; OVERALL too


def response_scores(
    questionnaire: Questionnaire, response: StaffResponse
) -> dict[SectionKey, float | None]:
    """One response's section scores and overall score (OVERALL, OVERALL), by the team lead's
    rule; None where it answered nothing in a section. What is kept when a response is submitted,
    so the council's figures need not score every response again."""
    return {
        (row.dimension, row.member): row.score.mean
        for row in score_assessment(
            questionnaire, [Answer(key, level) for key, level in response.items()]
        )
    }


def section_figures(
    levels: Sequence[int],
    scored: Iterable[Mapping[SectionKey, float | None]],
    keys: Iterable[SectionKey],
) -> dict[SectionKey, StaffFigure]:
    """The staff figures of some sections (OVERALL too) from the responses' section scores, as
    `response_scores` gives them (or as they were kept): a team's, or pooled for a directorate
    or the council."""
    scored = list(scored)
    return {
        key: _figure([s for scores in scored if (s := scores.get(key)) is not None], levels)
        for key in keys
    }


def section_medians(
    scores: Mapping[SectionKey, Sequence[float]],
) -> dict[SectionKey, float | None]:
    """Each section's median of the responses' scores in it (a heatmap's cells): the median
    `section_figures` gives, without counting levels. Join teams' lists for a directorate's or
    the council's."""
    return {key: median(values) for key, values in scores.items()}


def staff_view(
    questionnaire: Questionnaire,
    responses: Sequence[StaffResponse],
    scored: Sequence[Mapping[SectionKey, float | None]] | None = None,
) -> StaffView:
    """The staff figures of a team's responses; pool the responses of a directorate's or the
    council's teams for theirs. `scored`: each response's `response_scores`, in the same order,
    where they were kept (worked out here otherwise). A level off the scale or an unknown
    statement raises `scoring.ScoringError`, as a team lead's answer would."""
    if scored is None:
        scored = [response_scores(questionnaire, response) for response in responses]
    levels = questionnaire.levels
    keys = [
        (dimension.key, member.key)
        for dimension in questionnaire.dimensions
        for member in dimension.members
    ]
    sections = section_figures(levels, scored, [*keys, (OVERALL, OVERALL)])
    return StaffView(
        responses=len(responses),
        statements={
            statement.key: _figure(
                [level for r in responses if (level := r.get(statement.key)) is not None], levels
            )
            for statement in questionnaire.statements
        },
        sections={key: sections[key] for key in keys},
        overall=sections[(OVERALL, OVERALL)],
    )


# --- small groups -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suppression:
    """Whose staff figures a viewer may see. Response counts are always shown; a hidden item's
    answers (medians, counts at each level) are not, and its reason says why."""

    min_responses: int
    visible_teams: frozenset[int]
    visible_directorates: frozenset[int]  # directorate totals
    council_visible: bool
    hidden_teams: dict[int, str]  # team -> reason
    hidden_directorates: dict[int, str]  # directorate -> reason
    council_reason: str | None  # None when the council total is shown


def suppress(directorates: Mapping[int, Mapping[int, int]], min_responses: int) -> Suppression:
    """Which teams' and directorates' staff figures may be shown, from the number of responses of
    each team (directorate id -> team id -> responses).

    Counts of responses are shown everywhere ("3 people responded; results are hidden"), so this
    protects answers: no visible figure, nor any difference of visible figures, may give the
    answers of a group of fewer than `min_responses` responses.

    - Primary: a team, a directorate or the council with fewer than `min_responses` responses has
      its figures hidden ("fewer than N responses"). Its responses still count in its
      directorate's and the council's figures.
    - Secondary, within a directorate whose total is shown: the teams hidden there are worked out
      together as the total minus its visible teams. If they hold some responses but fewer than
      `min_responses` together, hide the smallest visible team (then the next smallest) until they
      hold at least `min_responses`. (With no visible team left the directorate's own total is
      below the threshold, so it is hidden already.)
    - Secondary, within the council: the council total minus the visible directorate totals and
      the visible teams of hidden directorates gives the hidden teams of hidden directorates
      together. If they hold some responses but fewer than `min_responses`, hide the smallest
      visible directorate total that has hidden teams (they hold `min_responses` or more, so that
      is enough); failing that, a visible team of a hidden directorate; failing that, the
      smallest visible directorate total (whose teams then count as teams of a hidden directorate,
      and the step repeats).
    - Teams with no responses have no answers to protect: a hidden group of none needs no cover.
    Ties between equally small teams or directorates go to the lower id. Secondary reasons are
    "hidden so another team's answers cannot be worked out".
    """
    if min_responses < 1:
        raise StaffFiguresError(
            f"the minimum number of responses must be 1 or more, not {min_responses}"
        )
    directorate_of: dict[int, int] = {}
    for directorate, teams in directorates.items():
        for team, count in teams.items():
            if count < 0:
                raise StaffFiguresError(f"team {team} has {count} responses: counts start at 0")
            if team in directorate_of:
                raise StaffFiguresError(
                    f"team {team} is in directorates {directorate_of[team]} and {directorate}: "
                    "a team belongs to one directorate"
                )
            directorate_of[team] = directorate
    fewer = fewer_than(min_responses)
    hidden_teams = {
        team: fewer
        for teams in directorates.values()
        for team, count in teams.items()
        if count < min_responses
    }
    hidden_directorates: dict[int, str] = {}

    def needs_cover(hidden_responses: int) -> bool:
        return 0 < hidden_responses < min_responses

    def total(directorate: int) -> tuple[int, int]:
        return sum(directorates[directorate].values()), directorate

    for directorate, teams in directorates.items():
        if total(directorate)[0] < min_responses:
            hidden_directorates[directorate] = fewer
            continue
        while needs_cover(sum(n for team, n in teams.items() if team in hidden_teams)):
            smallest = min(
                (team for team in teams if team not in hidden_teams),
                key=lambda team: (teams[team], team),
            )
            hidden_teams[smallest] = WORKED_OUT

    council_visible = sum(total(d)[0] for d in directorates) >= min_responses

    def unknown_in_council() -> int:
        return sum(
            n
            for directorate in hidden_directorates
            for team, n in directorates[directorate].items()
            if team in hidden_teams
        )

    while council_visible and needs_cover(unknown_in_council()):
        visible = [d for d in directorates if d not in hidden_directorates]
        with_hidden = [
            d
            for d in visible
            if any(directorates[d][t] for t in directorates[d] if t in hidden_teams)
        ]
        exposed = [
            (n, team)
            for d in hidden_directorates
            for team, n in directorates[d].items()
            if team not in hidden_teams
        ]
        if with_hidden:
            hidden_directorates[min(with_hidden, key=total)] = WORKED_OUT
        elif exposed:
            hidden_teams[min(exposed)[1]] = WORKED_OUT
        else:
            hidden_directorates[min(visible, key=total)] = WORKED_OUT

    return Suppression(
        min_responses=min_responses,
        visible_teams=frozenset(directorate_of) - hidden_teams.keys(),
        visible_directorates=frozenset(directorates) - hidden_directorates.keys(),
        council_visible=council_visible,
        hidden_teams=hidden_teams,
        hidden_directorates=hidden_directorates,
        council_reason=None if council_visible else fewer,
    )


# --- staff beside the team lead -----------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """A section or statement where the staff median and the team lead's agreed score are the
    threshold or more apart."""

    dimension: str | None  # the section's dimension (OVERALL: overall); None: a statement
    key: str  # the section's member key, or the statement's key
    agreed: float
    staff_median: float
    delta: float  # staff median minus agreed, rounded once
    direction: str  # STAFF_LOWER or STAFF_HIGHER


@dataclass(frozen=True)
class Comparison:
    sections: tuple[Difference, ...]  # in the questionnaire's order, the overall score last
    statements: tuple[Difference, ...]


def compare_views(
    agreed_scores: Mapping[tuple[str, str], float | None],
    view: StaffView,
    threshold: float = DEFAULT_CHANGE_THRESHOLD,
    agreed_levels: Mapping[str, int | None] | None = None,
) -> Comparison:
    """Where staff rate a section (or a statement) at least `threshold` above or below the team
    lead. `agreed_scores` are the team lead's scores by (dimension, member), OVERALL included;
    `agreed_levels` their level per statement. The gap is `scoring.change_since`'s, so it is
    measured and rounded as a change between rounds is. Show it only where `suppress` shows the
    team's staff figures: the direction tells of the staff answers."""

    def differences(
        pairs: Iterable[tuple[str | None, str, float | None, float | None]],
    ) -> tuple[Difference, ...]:
        found = []
        for dimension, key, agreed, staff in pairs:
            change = change_since(staff, agreed, threshold)
            if change.verdict in ("improved", "declined"):
                assert change.delta is not None and agreed is not None and staff is not None
                direction = STAFF_HIGHER if change.verdict == "improved" else STAFF_LOWER
                found.append(Difference(dimension, key, agreed, staff, change.delta, direction))
        return tuple(found)

    sections = [*view.sections.items(), ((OVERALL, OVERALL), view.overall)]
    levels = agreed_levels or {}
    return Comparison(
        sections=differences(
            (dimension, member, agreed_scores.get((dimension, member)), figure.median)
            for (dimension, member), figure in sections
        ),
        statements=differences(
            (None, key, levels.get(key), figure.median) for key, figure in view.statements.items()
        ),
    )


@dataclass(frozen=True)
class Gap:
    """A team's section where its staff median and its agreed score differ."""

    team_id: int
    key: str  # the section's member key (OVERALL: the overall score)
    agreed: float
    staff_median: float
    delta: float  # staff median minus agreed, rounded once
    direction: str  # STAFF_LOWER or STAFF_HIGHER


def widest_gaps(
    agreed: Mapping[int, Mapping[str, float | None]],
    staff: Mapping[int, Mapping[str, float | None]],
    most: int = 10,
) -> list[Gap]:
    """Where staff and team leads differ most across the council: each team's staff median
    beside its agreed score, per section (team id -> member key -> figure), the `most` widest
    gaps first (ties by team id, then key). The gap is `scoring.change_since`'s, as in
    `compare_views`. Pass only teams whose staff figures `suppress` shows."""
    gaps = []
    for team_id, medians in staff.items():
        for key, staff_median in medians.items():
            agreed_score = agreed.get(team_id, {}).get(key)
            delta = change_since(staff_median, agreed_score, 1).delta
            if delta:
                assert staff_median is not None and agreed_score is not None
                direction = STAFF_HIGHER if delta > 0 else STAFF_LOWER
                gaps.append(Gap(team_id, key, agreed_score, staff_median, delta, direction))
    gaps.sort(key=lambda gap: (-abs(gap.delta), gap.team_id, gap.key))
    return gaps[:most]


# --- response rate ------------------------------------------------------------------------------


def response_rate(responses: int, invited: int) -> float | None:
    """Responses as a percentage of the staff invited, rounded as every score is (half up, to 2
    places); None when nobody was invited."""
    if responses < 0 or invited < 0:
        raise StaffFiguresError("responses and invitations are counted from 0")
    if responses > invited:
        raise StaffFiguresError(
            f"{responses} responses from {invited} staff invited: record everyone invited"
        )
    return round_score(responses * 100 / invited) if invited else None
