"""Staff figures, by hand-worked example and by property (hypothesis): what a team's staff said,
which figures a viewer may see, staff beside the team lead, and the response rate."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.assessment.questionnaire import parse_questionnaire
from assess.assessment.scoring import OVERALL, Answer, ScoringError, score_assessment
from assess.assessment.staff_figures import (
    STAFF_HIGHER,
    STAFF_LOWER,
    WORKED_OUT,
    StaffFiguresError,
    compare_views,
    fewer_than,
    response_rate,
    staff_view,
    suppress,
    widest_gaps,
)

LEVELS = "\n".join(f"      {n}: Level {n} for this statement." for n in range(1, 6))
SCALE = "".join(
    f"  - level: {n}\n    name: L{n}\n    descriptor: Level {n}.\n" for n in range(1, 6)
)
SMALL = f"""
id: staff-sample
title: A small questionnaire
scale:
{SCALE}
dimensions:
  value:
    name: Corporate value
    sections: true
    members:
      - key: one-team
        name: One Team
      - key: stepping-up
        name: Stepping Up
  readiness_area:
    name: Readiness area
    members:
      - key: digital-access
        name: Digital access
statements:
  - key: ot-a
    value: one-team
    readiness_area: digital-access
    text: First.
    levels:
{LEVELS}
  - key: ot-b
    value: one-team
    readiness_area: digital-access
    text: Second.
    levels:
{LEVELS}
  - key: ot-c
    value: one-team
    readiness_area: digital-access
    text: Third.
    levels:
{LEVELS}
  - key: su-a
    value: stepping-up
    readiness_area: digital-access
    text: Fourth.
    levels:
{LEVELS}
"""
SAMPLE = parse_questionnaire(SMALL, "staff-sample.yaml")
ONE_TEAM = ("value", "one-team")
STEPPING_UP = ("value", "stepping-up")
NO_ONE = {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}


def at(**counts: int) -> dict[int, int]:
    """Counts at each level, written at(l2=1, l3=2)."""
    return NO_ONE | {int(name[1:]): count for name, count in counts.items()}


# --- the staff view -----------------------------------------------------------------------------


def test_the_median_of_an_even_number_of_levels_is_halfway_between_the_middle_two():
    view = staff_view(SAMPLE, [{"su-a": level} for level in (2, 5, 3, 4)])
    assert view.statements["su-a"].median == 3.5
    assert staff_view(SAMPLE, [{"su-a": 1}, {"su-a": 2}]).statements["su-a"].median == 1.5


def test_every_level_of_the_scale_is_counted_and_the_median_is_the_middle_level():
    figure = staff_view(SAMPLE, [{"su-a": level} for level in (5, 1, 4, 2, 3)]).statements["su-a"]
    assert figure.at_level == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    assert (figure.responses, figure.median) == (5, 3.0)


def test_unanswered_statements_are_left_out_of_the_counts_and_of_the_section_score():
    view = staff_view(SAMPLE, [{"ot-a": 4}, {"ot-a": 2, "ot-b": None}])
    assert view.statements["ot-b"].responses == 0
    assert view.statements["ot-b"].median is None
    assert view.statements["ot-b"].at_level == NO_ONE
    assert view.sections[ONE_TEAM].median == 3.0  # 4 and 2, never lowered by the blanks
    assert view.sections[ONE_TEAM].at_level == at(l2=1, l4=1)


def test_a_response_that_answers_nothing_counts_as_a_response_but_in_no_figure():
    view = staff_view(SAMPLE, [{}, {"su-a": 3}])
    assert view.responses == 2
    assert view.sections[ONE_TEAM].responses == 0
    assert view.sections[ONE_TEAM].median is None
    assert view.sections[STEPPING_UP].responses == 1
    assert view.overall.responses == 1


def test_a_section_counts_each_response_at_the_level_band_of_its_section_score():
    view = staff_view(SAMPLE, [{"ot-a": 2, "ot-b": 3}, {"ot-a": 1, "ot-b": 2}])
    assert view.sections[ONE_TEAM].at_level == at(l2=1, l3=1)  # 2.5 is in band 3, 1.5 in band 2
    assert view.sections[ONE_TEAM].median == 2.0


def test_a_section_median_is_exact_then_rounded_half_up_once():
    # Section scores 1.67 (1, 2, 2) and 2.0: the median 1.835 rounds to 1.84; in binary floats
    # (1.67 + 2.0) / 2 is 1.83499..., which round() would take to 1.83.
    view = staff_view(
        SAMPLE, [{"ot-a": 1, "ot-b": 2, "ot-c": 2}, {"ot-a": 2, "ot-b": 2, "ot-c": 2}]
    )
    assert view.sections[ONE_TEAM].median == 1.84


def test_one_response_scores_each_section_as_the_team_lead_would_for_the_same_answers():
    answers = {"ot-a": 1, "ot-b": 2, "ot-c": 2, "su-a": 5}
    lead = score_assessment(SAMPLE, [Answer(key, level) for key, level in answers.items()])
    view = staff_view(SAMPLE, [answers])
    assert {(r.dimension, r.member): r.score.mean for r in lead} == {
        **{key: figure.median for key, figure in view.sections.items()},
        (OVERALL, OVERALL): view.overall.median,
    }


def test_an_answer_off_the_scale_or_to_an_unknown_statement_is_refused():
    with pytest.raises(ScoringError, match="level 6"):
        staff_view(SAMPLE, [{"su-a": 6}])
    with pytest.raises(ScoringError, match="is not a statement of staff-sample"):
        staff_view(SAMPLE, [{"no-such-statement": 3}])


# --- small groups -------------------------------------------------------------------------------


def test_a_team_below_the_minimum_is_hidden_and_says_why():
    found = suppress({1: {10: 4, 11: 6, 12: 7, 13: 6}}, min_responses=5)
    assert found.hidden_teams[10] == "fewer than 5 responses"
    assert 10 not in found.visible_teams


def test_one_hidden_team_in_a_directorate_takes_the_smallest_visible_team_with_it():
    found = suppress({1: {10: 4, 11: 7, 12: 6, 13: 9}}, min_responses=5)
    assert found.hidden_teams == {10: fewer_than(5), 12: WORKED_OUT}
    assert found.visible_teams == {11, 13}
    assert found.visible_directorates == {1}
    assert found.council_visible


def test_hidden_teams_holding_the_minimum_together_need_no_cover():
    found = suppress({1: {10: 3, 11: 2, 12: 6}}, min_responses=5)
    assert found.hidden_teams == {10: fewer_than(5), 11: fewer_than(5)}
    assert found.visible_teams == {12}


def test_a_team_with_no_responses_has_no_answers_to_protect():
    found = suppress({1: {10: 0, 11: 6, 12: 7}}, min_responses=5)
    assert found.hidden_teams == {10: fewer_than(5)}
    assert found.visible_teams == {11, 12}


def test_a_directorate_below_the_minimum_is_hidden_and_covered_by_another_directorates_total():
    # Directorate 2's hidden teams (3 and 8) hold 11 responses; hiding its total joins them to
    # directorate 1's 2, so the council total minus team 22 gives 13 responses, never 2.
    found = suppress({1: {10: 2}, 2: {20: 3, 21: 8, 22: 9}}, min_responses=5)
    assert found.hidden_directorates == {1: fewer_than(5), 2: WORKED_OUT}
    assert found.hidden_teams == {10: fewer_than(5), 20: fewer_than(5), 21: WORKED_OUT}
    assert found.visible_teams == {22}
    assert found.council_visible


def test_with_no_hidden_team_elsewhere_a_directorate_total_and_its_smallest_team_are_hidden():
    found = suppress({1: {10: 2}, 2: {20: 6, 21: 7}}, min_responses=5)
    assert found.hidden_directorates == {1: fewer_than(5), 2: WORKED_OUT}
    assert found.hidden_teams == {10: fewer_than(5), 20: WORKED_OUT}
    assert found.visible_teams == {21}


def test_a_council_below_the_minimum_shows_no_answers_at_all():
    found = suppress({1: {10: 2}, 2: {20: 1}}, min_responses=5)
    assert (found.visible_teams, found.visible_directorates) == (frozenset(), frozenset())
    assert (found.council_visible, found.council_reason) == (False, fewer_than(5))


@pytest.mark.parametrize(
    "directorates, min_responses, message",
    [
        ({1: {10: -1}}, 5, "team 10 has -1 responses"),
        ({1: {10: 5}, 2: {10: 6}}, 5, "team 10 is in directorates 1 and 2"),
        ({1: {10: 5}}, 0, "must be 1 or more"),
    ],
)
def test_counts_that_cannot_be_a_council_are_refused(directorates, min_responses, message):
    with pytest.raises(StaffFiguresError, match=message):
        suppress(directorates, min_responses)


# --- staff beside the team lead -----------------------------------------------------------------


def test_sections_where_staff_rate_it_half_a_level_or_more_apart_are_flagged_with_the_direction():
    view = staff_view(SAMPLE, [{"ot-a": 2, "su-a": 4}, {"ot-a": 2, "su-a": 4}])
    agreed = {ONE_TEAM: 3.0, STEPPING_UP: 3.5, ("readiness_area", "digital-access"): 3.0}
    found = compare_views(agreed, view, threshold=0.5)
    assert [(d.key, d.delta, d.direction) for d in found.sections] == [
        ("one-team", -1.0, STAFF_LOWER),
        ("stepping-up", 0.5, STAFF_HIGHER),
    ]


def test_a_gap_below_the_threshold_or_a_missing_score_is_not_flagged():
    view = staff_view(SAMPLE, [{"ot-a": 3, "su-a": 4}])
    agreed = {ONE_TEAM: 3.49, (OVERALL, OVERALL): None}
    assert compare_views(agreed, view, threshold=0.5).sections == ()


def test_statements_are_compared_with_the_team_leads_level():
    view = staff_view(SAMPLE, [{"ot-a": 1, "ot-b": 3}, {"ot-a": 2, "ot-b": 3}])
    found = compare_views({}, view, threshold=0.5, agreed_levels={"ot-a": 3, "ot-b": 3})
    assert [
        (d.dimension, d.key, d.agreed, d.staff_median, d.direction) for d in found.statements
    ] == [(None, "ot-a", 3, 1.5, STAFF_LOWER)]


def test_the_overall_score_is_compared_last():
    view = staff_view(SAMPLE, [{"ot-a": 5, "su-a": 5}])
    found = compare_views({ONE_TEAM: 3.0, (OVERALL, OVERALL): 3.0}, view)
    assert [(d.dimension, d.key) for d in found.sections] == [
        ("value", "one-team"),
        (OVERALL, OVERALL),
    ]


# --- response rate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "responses, invited, rate",
    [(7, 12, 58.33), (1, 8, 12.5), (0, 5, 0.0), (5, 5, 100.0), (1, 3, 33.33), (2, 3, 66.67)],
)
def test_the_response_rate_is_a_percentage_rounded_as_scores_are(responses, invited, rate):
    assert response_rate(responses, invited) == rate


def test_with_nobody_invited_there_is_no_response_rate():
    assert response_rate(0, 0) is None


def test_more_responses_than_staff_invited_is_refused():
    with pytest.raises(StaffFiguresError, match="6 responses from 5 staff invited"):
        response_rate(6, 5)


def exact_half_up(value: Fraction) -> float:
    return math.floor(value * 100 + Fraction(1, 2)) / 100


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_response_rate_is_the_exact_percentage_rounded_once(counts):
    responses, invited = counts
    assert response_rate(responses, invited) == exact_half_up(Fraction(100 * responses, invited))


# --- properties ---------------------------------------------------------------------------------

responses_to_sample = st.fixed_dictionaries(
    {}, optional={s.key: st.integers(1, 5) for s in SAMPLE.statements}
)


@settings(max_examples=200, deadline=None)
@given(st.lists(responses_to_sample, max_size=12))
def test_counts_at_each_level_add_up_to_the_responses_answering_and_medians_stay_on_the_scale(
    responses,
):
    view = staff_view(SAMPLE, responses)
    for key, figure in view.statements.items():
        assert figure.responses == sum(1 for r in responses if key in r)
    for figure in [*view.statements.values(), *view.sections.values(), view.overall]:
        assert sum(figure.at_level.values()) == figure.responses <= view.responses
        assert (figure.median is None) == (figure.responses == 0)
        assert figure.median is None or 1 <= figure.median <= 5


@st.composite
def councils(draw):
    """A council of 1-4 directorates of 1-4 teams, each team with 0-12 staff responses to the
    sample questionnaire (any statement may be unanswered), and a minimum number of responses."""
    directorates: dict[int, dict[int, int]] = {}
    responses: dict[int, list[dict[str, int]]] = {}
    team = 0
    for directorate in range(1, draw(st.integers(1, 4)) + 1):
        directorates[directorate] = {}
        for _ in range(draw(st.integers(1, 4))):
            team += 1
            responses[team] = draw(st.lists(responses_to_sample, max_size=12))
            directorates[directorate][team] = len(responses[team])
    return directorates, responses, draw(st.integers(1, 6))


def viewers_figures(directorates, responses, found):
    """Every staff figure a viewer sees: for each visible team, directorate total and the council
    total, the set of teams whose responses it pools and its staff view."""

    def pooled(teams):
        return set(teams), staff_view(SAMPLE, [r for team in teams for r in responses[team]])

    figures = {("team", team): pooled({team}) for team in found.visible_teams}
    for directorate in found.visible_directorates:
        figures[("directorate", directorate)] = pooled(directorates[directorate])
    if found.council_visible:
        figures[("council",)] = pooled(responses)
    return figures


def every_count_at_level(view):
    return [
        figure.at_level
        for figure in [*view.statements.values(), *view.sections.values(), view.overall]
    ]


def rank(rows: list[list[int]]) -> int:
    """The rank of a matrix, by exact elimination."""
    matrix = [[Fraction(x) for x in row] for row in rows]
    found = 0
    for column in range(len(matrix[0]) if matrix else 0):
        pivot = next((i for i in range(found, len(matrix)) if matrix[i][column]), None)
        if pivot is None:
            continue
        matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
        for i in range(len(matrix)):
            if i != found and matrix[i][column]:
                factor = matrix[i][column] / matrix[found][column]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[found], strict=True)]
        found += 1
    return found


@settings(max_examples=200, deadline=None)
@given(councils())
def test_no_hidden_group_smaller_than_the_minimum_can_be_worked_out_from_what_a_viewer_sees(
    council,
):
    """What a viewer sees: every team's number of responses, and the counts at each level (per
    statement, section and overall) of each visible team, visible directorate total and the
    council total. A total's counts are the sums of its teams' (checked first), so for one level
    of one statement each visible figure is a linear equation in the teams' unknown counts, the
    same equations for every level and statement.

    The combined counts of a set U of hidden teams can be worked out exactly when U's indicator
    vector lies in the row space of those equations. The invariant: every such non-empty U holds
    either no responses at all or at least `min_responses` (so a hidden team's answers are only
    ever known as part of a group of at least the minimum, the same protection a visible team
    of the minimum size gives). Row-space vectors are equal on teams whose columns are equal, so
    the sets to try are the unions of the classes of hidden teams with the same column.
    """
    directorates, responses, min_responses = council
    found = suppress(directorates, min_responses)
    counts = {team: n for teams in directorates.values() for team, n in teams.items()}
    assert all(counts[team] >= min_responses for team in found.visible_teams)
    assert found.council_visible == (sum(counts.values()) >= min_responses)
    assert found.visible_teams | found.hidden_teams.keys() == counts.keys()

    figures = viewers_figures(directorates, responses, found)
    views = {team: staff_view(SAMPLE, responses[team]) for team in counts}
    for teams, view in figures.values():
        assert sum(counts[team] for team in teams) >= min_responses
        sums = [
            {level: sum(at[level] for at in parts) for level in SAMPLE.levels}
            for parts in zip(*(every_count_at_level(views[team]) for team in teams), strict=True)
        ]
        assert every_count_at_level(view) == sums

    order = sorted(counts)
    equations = [[int(team in teams) for team in order] for teams, _ in figures.values()]
    classes: dict[tuple[int, ...], list[int]] = {}
    for team in sorted(found.hidden_teams):
        classes.setdefault(tuple(row[order.index(team)] for row in equations), []).append(team)
    known = rank(equations)
    for size in range(1, len(classes) + 1):
        for chosen in itertools.combinations(classes.values(), size):
            group = {team for teams in chosen for team in teams}
            if rank([*equations, [int(team in group) for team in order]]) == known:
                held = sum(counts[team] for team in group)
                assert held == 0 or held >= min_responses, (
                    f"teams {sorted(group)} hold {held} responses and can be worked out"
                )


@settings(max_examples=200, deadline=None)
@given(councils())
def test_a_hidden_teams_answers_could_be_others_without_changing_anything_a_viewer_sees(council):
    """For each team hidden for having too few responses, swap one of its responses with a
    different one from another hidden team that every visible figure either pools with it or
    leaves out: the viewer sees exactly the same figures (medians included), yet the team's own
    figures differ. Only a group whose responses are all alike has no such swap."""
    directorates, responses, min_responses = council
    found = suppress(directorates, min_responses)
    figures = viewers_figures(directorates, responses, found)
    seen = {key: view for key, (_, view) in figures.items()}
    covered = {
        team: {key for key, (teams, _) in figures.items() if team in teams}
        for team in found.hidden_teams
    }
    for team, reason in found.hidden_teams.items():
        if reason == WORKED_OUT or not responses[team]:
            continue
        alike = [
            other
            for other in found.hidden_teams
            if other != team and covered[other] == covered[team]
        ]
        assert not covered[team] or sum(len(responses[other]) for other in alike) > 0, (
            f"team {team}'s figures are the only unknown in what a viewer sees"
        )
        swap = next(
            (
                (other, i, j)
                for other in alike
                for i, mine in enumerate(responses[team])
                for j, theirs in enumerate(responses[other])
                if mine != theirs
            ),
            None,
        )
        if swap is None:
            continue  # every response pooled with the team's is the same as each of its own
        other, i, j = swap
        twin = {key: list(answers) for key, answers in responses.items()}
        twin[team][i], twin[other][j] = responses[other][j], responses[team][i]
        assert {
            key: view for key, (_, view) in viewers_figures(directorates, twin, found).items()
        } == seen
        assert staff_view(SAMPLE, twin[team]) != staff_view(SAMPLE, responses[team])


def test_the_widest_gaps_come_first_and_a_team_without_an_agreed_score_has_none():
    agreed = {1: {"a": 3.0, "overall": 3.0}, 2: {"a": 4.0}}
    staff = {1: {"a": 2.0, "overall": 3.5}, 2: {"a": 4.25, "overall": 2.0}, 3: {"a": 1.0}}
    gaps = widest_gaps(agreed, staff)
    assert [(g.team_id, g.key, g.delta, g.direction) for g in gaps] == [
        (1, "a", -1.0, STAFF_LOWER),
        (1, "overall", 0.5, STAFF_HIGHER),
        (2, "a", 0.25, STAFF_HIGHER),
    ]
    assert widest_gaps(agreed, staff, most=1) == gaps[:1]
