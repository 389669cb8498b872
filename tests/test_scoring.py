"""The scoring rules, by example and by property (hypothesis)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.assessment.scoring import (
    OVERALL,
    Answer,
    ScoringError,
    Spread,
    band_counts,
    change_since,
    council_average,
    is_weak,
    level_band,
    median,
    round_score,
    score_assessment,
    spread,
    status_counts,
    too_few_teams,
    weighted_mean,
)


def by_member(rows):
    return {(r.dimension, r.member): r.score for r in rows}


def answer_all(questionnaire, level):
    return [Answer(s.key, level) for s in questionnaire.statements]


def test_a_team_answering_level_3_everywhere_scores_3_everywhere(cex):
    scores = by_member(score_assessment(cex, answer_all(cex, 3)))
    assert {s.mean for s in scores.values()} == {3.0}
    assert scores[(OVERALL, OVERALL)].answered == len(cex.statements)


def test_not_applicable_answers_do_not_lower_the_value_score(cex):
    one_team = cex.statements_in("value", "one-team")
    answers = [Answer(s.key, 4) for s in one_team[1:]] + [Answer(one_team[0].key, None, True)]
    score = by_member(score_assessment(cex, answers))[("value", "one-team")]
    assert score.mean == 4.0
    assert (score.answered, score.not_applicable) == (len(one_team) - 1, 1)


def test_a_value_with_nothing_answered_has_no_score_rather_than_zero(cex):
    scores = by_member(score_assessment(cex, []))
    assert scores[("value", "one-team")].mean is None
    assert scores[(OVERALL, OVERALL)].unanswered == len(cex.statements)


def test_weights_count_a_statement_more(cex):
    heavy = next(s for s in cex.statements if s.weight == 2)
    light = [s for s in cex.statements_in("value", heavy.tags["value"]) if s.weight == 1]
    answers = [Answer(heavy.key, 5)] + [Answer(s.key, 1) for s in light]
    expected = round_score((5 * 2 + 1 * len(light)) / (2 + len(light)))
    assert (
        by_member(score_assessment(cex, answers))[("value", heavy.tags["value"])].mean == expected
    )


def test_scores_round_half_up_to_two_places():
    assert round_score(2.675) == 2.68  # round() gives 2.67: binary float and banker's rounding
    assert round_score(2.125) == 2.13
    assert round_score(3.0) == 3.0


@pytest.mark.parametrize(
    "answer, message",
    [
        (Answer("no-such-statement", 3), "is not a statement of cex-culture-maturity"),
        (Answer("one-team-first-contact", 9), "level 9"),
    ],
)
def test_answers_that_do_not_fit_the_questionnaire_are_refused(cex, answer, message):
    if answer.statement_key != "no-such-statement":
        answer = Answer(cex.statements[0].key, answer.level)
    with pytest.raises(ScoringError, match=message):
        score_assessment(cex, [answer])


@pytest.mark.parametrize(
    "current, previous, verdict",
    [
        (3.0, 2.5, "improved"),
        (3.0, 2.6, "no meaningful change"),
        (2.0, 2.5, "declined"),
        (2.0, 2.49, "no meaningful change"),
        (None, 2.5, "no comparison"),
    ],
)
def test_a_change_counts_only_when_it_reaches_the_threshold(current, previous, verdict):
    assert change_since(current, previous).verdict == verdict


def test_the_threshold_is_a_setting():
    assert change_since(3.0, 2.8, threshold=0.2).verdict == "improved"


def test_the_council_average_counts_each_team_once_and_skips_teams_without_a_score():
    assert council_average([2.0, 3.0, None, 4.0]) == 3.0
    assert council_average([None]) is None


@pytest.mark.parametrize(
    "scores, average",
    [
        ([2.34, 2.35], 2.35),  # 2.345 exactly: half up, although binary floats sum to 2.3449...
        ([2.0, 2.01], 2.01),  # 2.005: round() would say 2.0
        ([1.11, 1.12, 1.12, 1.11], 1.12),  # 1.115
        ([3.33], 3.33),
        ([float("nan"), 2.5], 2.5),  # pandas' missing score is no score
    ],
)
def test_the_council_average_rounds_the_exact_mean_half_up(scores, average):
    assert council_average(scores) == average


def test_a_weighted_mean_is_exact_before_its_one_rounding():
    assert weighted_mean([(2, 1.0), (3, 1.0)]) == 2.5
    assert weighted_mean([(1, 1.5), (2, 0.5)]) == 1.25
    assert weighted_mean([(2, 1), (3, 1), (3, 1)]) == 2.67
    assert weighted_mean([]) is None


def test_a_change_is_the_exact_difference_of_the_two_scores():
    assert change_since(2.34, 1.84).delta == 0.5
    assert change_since(2.34, 1.84).verdict == "improved"  # 2.34 - 1.84 is 0.4999... in floats


def test_the_spread_interpolates_quartiles_between_teams_as_a_spreadsheet_does():
    figures = spread([1.0, 2.0, 3.0, 4.0, None])
    assert figures == Spread(4, 1.0, 1.75, 2.5, 3.25, 4.0, 2.5)
    assert spread([]) == Spread(0, None, None, None, None, None, None)
    assert spread([2.35]) == Spread(1, 2.35, 2.35, 2.35, 2.35, 2.35, 2.35)


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.floats(0, 5, allow_nan=False),
            st.floats(0, 5, allow_nan=False).map(round_score),
        )
    )
)
def test_the_median_alone_is_the_spreads_median(scores):
    assert median(scores) == spread(scores).median


@pytest.mark.parametrize(
    "score, band", [(1.0, 1), (1.49, 1), (1.5, 2), (2.5, 3), (4.99, 5), (5.0, 5), (0.2, 1)]
)
def test_a_score_counts_in_the_band_of_its_level_rounded_half_up(score, band):
    assert level_band(score, (1, 2, 3, 4, 5)) == band


def test_band_counts_give_every_level_even_when_no_team_is_there():
    assert band_counts([1.2, 2.5, 2.6, None], (1, 2, 3, 4, 5)) == {1: 1, 2: 0, 3: 2, 4: 0, 5: 0}


@pytest.mark.parametrize(
    "score, weak", [(2.49, True), (2.5, False), (None, False), (float("nan"), False)]
)
def test_a_team_is_weak_only_below_the_low_score(score, weak):
    assert is_weak(score, 2.5) is weak


def test_status_counts_give_each_status_outstanding_and_teams_in_scope():
    counts = status_counts(["draft", "submitted", "signed_off", "signed_off", "not_started"])
    assert counts == {
        "not_started": 1,
        "draft": 1,
        "returned": 0,
        "submitted": 1,
        "signed_off": 2,
        "outstanding": 2,
        "teams": 5,
    }


@pytest.mark.parametrize(
    "teams, minimum, hidden", [(2, 3, True), (3, 3, False), (0, 3, False), (1, 0, False)]
)
def test_a_group_of_fewer_teams_than_the_minimum_is_not_shown(teams, minimum, hidden):
    assert too_few_teams(teams, minimum) is hidden


# --- properties ---------------------------------------------------------------------------------


@st.composite
def answer_sets(draw, questionnaire):
    chosen = draw(st.lists(st.sampled_from(questionnaire.statements), unique_by=lambda s: s.key))
    answers = []
    for statement in chosen:
        if draw(st.booleans()) and draw(st.booleans()):
            answers.append(Answer(statement.key, None, True))
        else:
            answers.append(Answer(statement.key, draw(st.sampled_from(questionnaire.levels))))
    return answers


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_every_score_stays_within_the_scale(cex, data):
    for row in score_assessment(cex, data.draw(answer_sets(cex))):
        assert row.score.mean is None or 1 <= row.score.mean <= 5


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_the_order_of_answers_does_not_matter(cex, data):
    answers = data.draw(answer_sets(cex))
    shuffled = data.draw(st.permutations(answers))
    assert score_assessment(cex, answers) == score_assessment(cex, shuffled)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_marking_an_answer_not_applicable_never_counts_as_zero(cex, data):
    answers = [a for a in data.draw(answer_sets(cex)) if not a.not_applicable]
    extra = [s for s in cex.statements if s.key not in {a.statement_key for a in answers}]
    if not answers or not extra:
        return
    with_not_applicable = answers + [Answer(extra[0].key, None, True)]
    before = score_assessment(cex, answers)[-1].score.mean
    after = score_assessment(cex, with_not_applicable)[-1].score.mean
    assert after == before


def exact_half_up(value: Fraction) -> float:
    hundredths = math.floor(abs(value) * 100 + Fraction(1, 2))
    return (hundredths if value >= 0 else -hundredths) / 100


hundredths = st.integers(100, 500).map(lambda n: n / 100)


@settings(max_examples=300, deadline=None)
@given(st.lists(hundredths, min_size=1, max_size=40))
def test_every_quartile_is_the_exact_interpolation_rounded_once(scores):
    ordered = sorted(Fraction(repr(s)) for s in scores)

    def quantile(q: Fraction) -> float:
        position = q * (len(ordered) - 1)
        below = math.floor(position)
        above = min(below + 1, len(ordered) - 1)
        return exact_half_up(
            ordered[below] + (ordered[above] - ordered[below]) * (position - below)
        )

    figures = spread(scores)
    assert (figures.minimum, figures.median, figures.maximum) == (
        quantile(Fraction(0)),
        quantile(Fraction(1, 2)),
        quantile(Fraction(1)),
    )
    assert (figures.lower_quartile, figures.upper_quartile) == (
        quantile(Fraction(1, 4)),
        quantile(Fraction(3, 4)),
    )
    assert figures.minimum <= figures.lower_quartile <= figures.median <= figures.upper_quartile


@settings(max_examples=300, deadline=None)
@given(hundredths, hundredths)
def test_a_change_between_two_scores_is_their_exact_difference(current, previous):
    assert change_since(current, previous).delta == exact_half_up(
        Fraction(repr(current)) - Fraction(repr(previous))
    )
