"""The scoring rules, by example and by property (hypothesis)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess import reports
from assess.scoring import (
    OVERALL,
    Answer,
    ScoringError,
    change_since,
    council_average,
    round_score,
    score_assessment,
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


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_council_frames_agree_with_scoring_one_team_at_a_time(cex, data):
    teams = {
        team_id: data.draw(answer_sets(cex)) for team_id in range(data.draw(st.integers(1, 4)))
    }
    frame = pd.DataFrame(
        [
            (t, a.statement_key, a.level, int(a.not_applicable))
            for t, ans in teams.items()
            for a in ans
        ],
        columns=reports.ANSWER_COLUMNS,
    )
    council = reports.team_scores(frame, cex)
    from_frame = {(r.team_id, r.dimension, r.member): r.score for r in council.itertuples()}
    for team_id, answers in teams.items():
        for row in score_assessment(cex, answers):
            assert from_frame.get((team_id, row.dimension, row.member)) == row.score.mean
