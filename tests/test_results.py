"""What a team's results say (assess/assessment/results.py): the task list's progress, how far each
figure can be trusted, the rows of the results table, the summary in words, and strengths and
gaps. Pure functions, tested without the app."""

from __future__ import annotations

import textwrap

import pytest

from assess.assessment import results
from assess.assessment.questionnaire import parse_questionnaire
from assess.assessment.scoring import change_since

ONE_SECTION = textwrap.dedent(
    """\
    id: one-section
    title: One section
    scale:
      - {level: 1, name: Emerging, descriptor: Ad hoc.}
      - {level: 2, name: Leading, descriptor: Role model.}
    dimensions:
      value:
        name: Corporate value
        sections: true
        members:
          - {key: one-team, name: One Team}
    statements:
      - key: first
        value: one-team
        text: We resolve queries at first contact.
        levels: {1: Rarely., 2: Almost always.}
      - key: second
        value: one-team
        text: We share what we learn.
        levels: {1: Rarely., 2: Always.}
    """
)


def answer(level=None, not_applicable=False, evidence="", moderated_level=None) -> dict:
    return {
        "level": level,
        "not_applicable": int(not_applicable),
        "not_applicable_reason": "We have no such service" if not_applicable else "",
        "evidence": evidence,
        "move_up": "",
        "moderated_level": moderated_level,
    }


def answered(statements, level=3, **fields) -> dict[str, dict]:
    return {s.key: answer(level, **fields) for s in statements}


def section(cex, key):
    return cex.statements_in(cex.section_dimension.key, key)


def by_key(sections) -> dict[str, results.SectionProgress]:
    return {s.member.key: s for s in sections}


# --- progress on the task list ------------------------------------------------------------------


def test_each_section_is_listed_in_questionnaire_order_with_how_many_statements_it_has(cex):
    sections = results.progress(cex, {})
    assert [s.member.key for s in sections] == [m.key for m in cex.section_dimension.members]
    assert [s.total for s in sections] == [len(section(cex, s.member.key)) for s in sections]
    assert {s.status for s in sections} == {results.NOT_STARTED}
    assert {s.answered for s in sections} == {0}


def test_a_section_with_every_statement_answered_is_completed(cex):
    sections = by_key(results.progress(cex, answered(section(cex, "one-team"))))
    assert sections["one-team"].status == results.COMPLETED
    assert sections["one-team"].answered == sections["one-team"].total
    assert sections["stepping-up"].status == results.NOT_STARTED


def test_not_applicable_with_its_reason_counts_as_an_answer(cex):
    statements = section(cex, "one-team")
    answers = answered(statements[1:]) | {statements[0].key: answer(not_applicable=True)}
    assert by_key(results.progress(cex, answers))["one-team"].status == results.COMPLETED


def test_a_section_with_one_answer_missing_is_in_progress_with_its_count(cex):
    statements = section(cex, "service-excellence")
    sections = by_key(results.progress(cex, answered(statements[1:])))
    assert sections["service-excellence"].status == results.IN_PROGRESS
    assert sections["service-excellence"].answered == len(statements) - 1


def test_a_section_saved_with_only_evidence_is_in_progress_though_nothing_is_answered(cex):
    first = section(cex, "stepping-up")[0]
    answers = {first.key: answer(evidence="Monthly first-contact report")}
    sections = by_key(results.progress(cex, answers))
    assert (sections["stepping-up"].status, sections["stepping-up"].answered) == (
        results.IN_PROGRESS,
        0,
    )


def test_strengths_and_gaps_are_named_only_once_two_sections_are_complete(cex):
    one = answered(section(cex, "one-team"))
    two = one | answered(section(cex, "inclusion-respect"))
    half = one | answered(section(cex, "stepping-up")[:2])
    assert results.sections_completed(results.progress(cex, {})) == 0
    assert results.sections_completed(results.progress(cex, half)) == 1
    assert not results.names_strengths_and_gaps(results.progress(cex, half))
    assert results.sections_completed(results.progress(cex, two)) == 2
    assert results.names_strengths_and_gaps(results.progress(cex, two))


def test_a_one_section_questionnaire_names_strengths_and_gaps_once_its_section_is_complete():
    tiny = parse_questionnaire(ONE_SECTION, "questionnaires/one-section.yaml")
    half = {"first": answer(2)}
    assert not results.names_strengths_and_gaps(results.progress(tiny, half))
    whole = half | {"second": answer(1)}
    assert results.names_strengths_and_gaps(results.progress(tiny, whole))


# --- how far a figure can be trusted ------------------------------------------------------------


def test_a_value_with_nothing_answered_says_so(cex):
    statements = section(cex, "one-team")
    assert results.trust_of(statements, {}) == results.NOT_ANSWERED
    not_applicable = answered(statements, None, not_applicable=True)
    assert results.trust_of(statements, not_applicable) == results.NOT_ANSWERED


def test_a_value_is_backed_by_evidence_when_at_least_half_its_answers_give_some(cex):
    statements = section(cex, "one-team")
    half = len(statements) // 2
    answers = answered(statements)
    for statement in statements[:half]:
        answers[statement.key]["evidence"] = "Case records"
    assert results.trust_of(statements, answers) == results.TRUST_EVIDENCE
    answers[statements[half - 1].key]["evidence"] = "  \n "  # white space is no evidence
    assert results.trust_of(statements, answers) == results.TRUST_SELF


def test_answers_that_do_not_apply_are_left_out_of_the_evidence_count(cex):
    statements = section(cex, "one-team")
    answers = answered(statements, None, not_applicable=True)
    answers[statements[0].key] = answer(4, evidence="Case records")
    answers[statements[1].key] = answer(2)
    assert results.trust_of(statements, answers) == results.TRUST_EVIDENCE


def test_a_moderated_answer_makes_the_value_moderated_whatever_its_evidence(cex):
    statements = section(cex, "one-team")
    answers = answered(statements, evidence="Case records")
    answers[statements[4].key]["moderated_level"] = 2
    assert results.trust_of(statements, answers) == results.TRUST_MODERATED


# --- the results table --------------------------------------------------------------------------


def test_each_value_has_a_row_with_its_figures_change_target_and_trust(cex):
    keys = [m.key for m in cex.dimension("value").members]
    rows = results.axis_rows(
        cex,
        "value",
        team={"one-team": 3.5, "inclusion-respect": 2.0},
        council={"one-team": 3.0},
        previous={"one-team": 3.2, "inclusion-respect": 2.5},
        targets={"one-team": 4},
        answers=answered(section(cex, "one-team"), evidence="Case records"),
        threshold=0.5,
    )
    assert [r.key for r in rows] == keys
    one_team, inclusion, service = rows[:3]
    assert (one_team.name, one_team.team, one_team.council, one_team.previous) == (
        "One Team",
        3.5,
        3.0,
        3.2,
    )
    assert one_team.change == change_since(3.5, 3.2, 0.5)
    assert one_team.change.verdict == "no meaningful change"  # 0.3 is under the threshold
    assert inclusion.change.verdict == "declined"
    assert service.change.verdict == "no comparison"
    assert (one_team.target, one_team.gap_to_target) == (4, 0.5)
    assert one_team.trust == results.TRUST_EVIDENCE
    assert inclusion.trust == results.NOT_ANSWERED


def test_the_gap_to_a_target_is_rounded_and_only_there_with_a_target_and_a_score():
    change = change_since(None, None)
    row = results.AxisRow("one-team", "One Team", 2.67, None, None, change, 4, "")
    assert row.gap_to_target == 1.33
    assert results.AxisRow("a", "A", None, None, None, change, 4, "").gap_to_target is None
    assert results.AxisRow("a", "A", 2.5, None, None, change, None, "").gap_to_target is None


# --- the summary in words -----------------------------------------------------------------------


def row(name, team, council=None, previous=None, threshold=0.5):
    return results.AxisRow(
        name.lower(),
        name,
        team,
        council,
        previous,
        change_since(team, previous, threshold),
        None,
        "",
    )


def test_a_summary_of_no_scores_says_there_are_none():
    assert results.summary([row("One Team", None)], "value", None, 0.5) == (
        "There are no scores for any value yet."
    )


def test_the_summary_names_the_highest_and_lowest_with_two_decimals():
    rows = [row("One Team", 3.5), row("Stepping Up", 2.25), row("Service Excellence", 3.0)]
    assert results.summary(rows, "value", None, 0.5) == (
        "Your team scores highest on One Team (3.50) and lowest on Stepping Up (2.25)."
    )


def test_the_summary_names_the_team_for_readers_who_are_not_its_lead():
    rows = [row("One Team", 3.5), row("Stepping Up", 2.25)]
    assert results.summary(rows, "value", None, 0.5, team="Housing Needs") == (
        "Housing Needs scores highest on One Team (3.50) and lowest on Stepping Up (2.25)."
    )


def test_a_preview_resting_on_too_few_sections_calls_nothing_highest_or_lowest():
    rows = [row("One Team", 3.5), row("Stepping Up", 2.25)]
    text = results.summary(rows, "value", None, 0.5, compare=False)
    assert text == "These scores rest on too few sections to call any value highest or lowest yet."


def test_one_score_alone_is_not_called_highest_or_lowest():
    rows = [row("One Team", 3.5), row("Stepping Up", None)]
    assert results.summary(rows, "value", None, 0.5) == (
        "Only One Team has a score so far (3.50), so no value can be called highest or lowest yet."
    )


def test_equal_scores_are_said_once():
    rows = [row("One Team", 3.0), row("Stepping Up", 3.0)]
    assert results.summary(rows, "value", None, 0.5) == (
        "Your team scores 3.00 on every value with a score."
    )


@pytest.mark.parametrize(
    ("councils", "sentence"),
    [
        ((2.0, 2.0), "It is above the council average on 2 of the 2 values with a score."),
        ((4.0, 4.0), "It is above the council average on none of the 2 values with a score."),
        ((2.0, None), "It is above the council average on 1 of the 1 value with a score."),
    ],
)
def test_the_summary_counts_the_values_above_the_council_average(councils, sentence):
    rows = [row("One Team", 3.5, councils[0]), row("Stepping Up", 2.25, councils[1])]
    assert results.summary(rows, "value", None, 0.5).endswith(sentence)


def test_the_summary_says_what_improved_declined_and_held_since_the_last_round():
    rows = [
        row("One Team", 3.5, previous=2.5),
        row("Stepping Up", 2.0, previous=3.0),
        row("Service Excellence", 3.0, previous=2.9),
        row("Amazing Outcomes", 3.0, previous=2.8),
        row("Inclusion & Respect", 3.0),  # nothing to compare with: not counted
    ]
    assert results.summary(rows, "value", "2023/24", 0.5).endswith(
        "Since 2023/24, One Team improved, Stepping Up declined and the other 2 values showed "
        "no meaningful change (a change smaller than 0.5 of a level is not counted)."
    )


def test_the_summary_lists_several_improvements_together_and_a_single_steady_value():
    rows = [
        row("One Team", 3.5, previous=2.5),
        row("Stepping Up", 4.0, previous=3.0),
        row("Service Excellence", 3.0, previous=2.9),
    ]
    assert results.summary(rows, "value", "2023/24", 0.5).endswith(
        "Since 2023/24, One Team and Stepping Up improved and the other 1 value showed no "
        "meaningful change (a change smaller than 0.5 of a level is not counted)."
    )


def test_without_a_round_to_compare_with_the_summary_says_nothing_about_change():
    rows = [row("One Team", 3.5, previous=2.5), row("Stepping Up", 2.0)]
    assert "Since" not in results.summary(rows, "value", None, 0.5)
    assert "Since" not in results.summary([row("One Team", 3.5)], "value", "2023/24", 0.5)


# --- strengths and gaps -------------------------------------------------------------------------


def test_a_statements_result_says_its_level_and_what_the_next_level_looks_like(cex):
    first = cex.statements[0]
    (result,) = results.statement_results(cex, {first.key: answer(2)})
    assert (result.level, result.level_name, result.next_level_name) == (
        2,
        "Developing",
        "Established",
    )
    assert result.next_descriptor == first.levels[3]
    (top,) = results.statement_results(cex, {first.key: answer(5)})
    assert (top.next_level_name, top.next_descriptor) == (None, None)


def test_unanswered_and_not_applicable_statements_have_no_result(cex):
    first, second = cex.statements[:2]
    answers = {first.key: answer(None), second.key: answer(not_applicable=True)}
    assert results.statement_results(cex, answers) == []


def test_gaps_are_the_lowest_statements_and_strengths_the_highest_never_both(cex):
    statements = cex.statements[:8]
    levels = [1, 5, 2, 4, 3, 5, 1, 2]
    answers = {s.key: answer(level) for s, level in zip(statements, levels, strict=True)}
    strengths, gaps = results.strengths_and_gaps(results.statement_results(cex, answers), count=3)
    keys = [s.key for s in statements]
    assert [g.statement.key for g in gaps] == [
        keys[0],
        keys[6],
        keys[2],
    ]  # ties: questionnaire order
    assert [s.statement.key for s in strengths] == [keys[1], keys[5], keys[3]]
    assert not {g.statement.key for g in gaps} & {s.statement.key for s in strengths}


def test_a_statement_at_the_top_level_is_never_a_gap(cex):
    statements = cex.statements[:3]
    answers = {s.key: answer(5) for s in statements}
    strengths, gaps = results.strengths_and_gaps(results.statement_results(cex, answers))
    assert gaps == []
    assert [s.statement.key for s in strengths] == [s.key for s in statements]


def test_there_are_five_strengths_and_five_gaps_at_most(cex):
    answers = {s.key: answer(1 + i % 5) for i, s in enumerate(cex.statements)}
    strengths, gaps = results.strengths_and_gaps(results.statement_results(cex, answers))
    assert (len(strengths), len(gaps)) == (5, 5)
    assert {g.level for g in gaps} == {1}
    assert {s.level for s in strengths} == {5}
