"""Questionnaire files: the real content, every kind of validation error, and versions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from assess.assessment.questionnaire import (
    QuestionnaireError,
    from_content,
    load_folder,
    load_questionnaire,
    parse_questionnaire,
)

VALID = textwrap.dedent(
    """\
    id: tiny
    title: Tiny questionnaire
    scale:
      - level: 1
        name: Emerging
        descriptor: Ad hoc.
      - level: 2
        name: Leading
        descriptor: Role model.
    dimensions:
      value:
        name: Corporate value
        sections: true
        members:
          - key: one-team
            name: One Team
      readiness_area:
        name: Readiness area
        members:
          - key: digital-access
            name: Digital access
    statements:
      - key: first
        value: one-team
        readiness_area: digital-access
        text: We resolve queries at first contact.
        levels:
          1: Rarely.
          2: Almost always.
    """
)


def problems_of(text: str) -> list:
    with pytest.raises(QuestionnaireError) as raised:
        parse_questionnaire(text, "questionnaires/tiny.yaml")
    return raised.value.problems


def test_the_cex_culture_maturity_assessment_covers_five_values_and_four_areas(cex):
    values = cex.dimension("value")
    assert [m.name for m in values.members] == [
        "One Team",
        "Inclusion & Respect",
        "Service Excellence",
        "Stepping Up",
        "Amazing Outcomes",
    ]
    assert len(cex.dimension("readiness_area").members) == 4
    assert len(cex.statements) >= 25
    for member in values.members:
        assert len(cex.statements_in("value", member.key)) >= 5
    assert [level.name for level in cex.scale] == [
        "Emerging",
        "Developing",
        "Established",
        "Embedded",
        "Leading",
    ]
    assert all(set(s.levels) == {1, 2, 3, 4, 5} for s in cex.statements)
    assert all("readiness_area" in s.tags for s in cex.statements)


def test_the_customer_service_excellence_self_assessment_has_15_sub_criteria(questionnaires):
    cse = questionnaires["customer-service-excellence"]
    assert len(cse.dimension("criterion").members) == 5
    sub_criteria = cse.dimension("sub_criterion").members
    assert len(sub_criteria) == 15
    assert all(cse.statements_in("sub_criterion", m.key) for m in sub_criteria)
    assert [level.name for level in cse.scale] == [
        "Non-Compliance",
        "Partial Compliance",
        "Compliance",
        "Compliance Plus",
    ]


def test_a_valid_file_loads():
    questionnaire = parse_questionnaire(VALID, "tiny.yaml")
    assert questionnaire.statement("first").levels == {1: "Rarely.", 2: "Almost always."}
    assert questionnaire.statement("first").weight == 1.0


@pytest.mark.parametrize(
    "change, line, expected",
    [
        pytest.param(
            ("  - key: first\n    value", "  - key: first\n    key: again\n    value"),
            24,
            "duplicate key 'key' in the same mapping",
            id="duplicate-yaml-key",
        ),
        pytest.param(
            (
                "    readiness_area: digital-access\n    text",
                "    readiness_area: digital-access\n    team: housing\n    text",
            ),
            26,
            "unknown dimension 'team'",
            id="unknown-dimension",
        ),
        pytest.param(
            ("readiness_area: digital-access\n    text", "readiness_area: paper\n    text"),
            25,
            "unknown readiness area 'paper'",
            id="unknown-dimension-member",
        ),
        pytest.param(
            ("      2: Almost always.\n", ""),
            27,
            "missing level descriptor for level 2 (Leading)",
            id="missing-descriptor",
        ),
        pytest.param(
            ("text: We resolve queries at first contact.", "text: '  '"),
            26,
            "'text' is missing or empty",
            id="empty-text",
        ),
        pytest.param(
            ("  - level: 2\n", "  - level: 3\n"),
            7,
            "bad scale: levels must be numbered 1, 2, 3 ... in order; expected 2, found 3",
            id="bad-scale-numbering",
        ),
    ],
)
def test_each_validation_error_names_the_file_the_line_and_the_fault(change, line, expected):
    old, new = change
    assert old in VALID
    problems = problems_of(VALID.replace(old, new))
    assert [p.message for p in problems] == [expected]
    assert problems[0].path == "questionnaires/tiny.yaml"
    assert problems[0].line == line
    assert f"questionnaires/tiny.yaml, line {line}" in str(problems[0])


def test_a_duplicate_statement_key_is_an_error():
    statement = VALID[VALID.index("  - key: first") :]
    problems = problems_of(VALID + statement)
    assert [p.message for p in problems] == ["duplicate statement key 'first'"]
    assert problems[0].line == 30


def test_a_scale_of_one_level_is_a_bad_scale():
    one_level = VALID.replace("  - level: 2\n    name: Leading\n    descriptor: Role model.\n", "")
    messages = [p.message for p in problems_of(one_level)]
    assert "bad scale: give a list of at least 2 levels" in messages


def test_every_problem_in_a_file_is_reported_at_once():
    broken = VALID.replace("title: Tiny questionnaire", "title: ''").replace(
        "      2: Almost always.\n", ""
    )
    messages = [p.message for p in problems_of(broken)]
    assert messages == [
        "'title' is missing or empty",
        "missing level descriptor for level 2 (Leading)",
    ]


def test_yaml_syntax_errors_name_the_line():
    problems = problems_of(VALID.replace("title: Tiny questionnaire", "title: [unclosed"))
    assert problems[0].line is not None and "not valid YAML" in problems[0].message


def test_a_sub_criterion_must_sit_within_its_statements_section():
    text = VALID.replace(
        "      - key: digital-access\n        name: Digital access\n",
        "      - key: digital-access\n        name: Digital access\n        within: one-team\n"
        "      - key: elsewhere\n        name: Elsewhere\n        within: nowhere\n",
    )
    messages = [p.message for p in problems_of(text)]
    assert messages == ["unknown dimension member 'nowhere' in 'value'"]


def test_the_version_changes_when_content_changes_but_not_for_comments_or_layout():
    original = parse_questionnaire(VALID, "tiny.yaml")
    commented = parse_questionnaire(
        "# reviewed in 2025\n" + VALID.replace("\n", "\n\n"), "tiny.yaml"
    )
    reworded = parse_questionnaire(VALID.replace("Rarely.", "Hardly ever."), "tiny.yaml")
    assert commented.version == original.version
    assert reworded.version != original.version
    assert len(original.version) == 64


def test_a_stored_version_rebuilds_to_the_same_questionnaire(cex):
    rebuilt = from_content(cex.content)
    assert rebuilt.version == cex.version
    assert rebuilt.statements == cex.statements


def test_one_broken_file_fails_the_whole_folder(tmp_path: Path):
    (tmp_path / "good.yaml").write_text(VALID)
    (tmp_path / "bad.yaml").write_text(
        VALID.replace("id: tiny", "id: other").replace("value: one-team", "value: two-teams")
    )
    with pytest.raises(QuestionnaireError) as raised:
        load_folder(tmp_path)
    assert [str(p) for p in raised.value.problems] == [
        f"{tmp_path / 'bad.yaml'}, line 24 (statements[0] 'first'.value): "
        "unknown corporate value 'two-teams'"
    ]


def test_two_files_with_the_same_id_are_refused(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(VALID)
    (tmp_path / "b.yaml").write_text(VALID.replace("Rarely.", "Seldom."))
    with pytest.raises(QuestionnaireError, match="id 'tiny' is also used by"):
        load_folder(tmp_path)


def test_an_unreadable_file_is_reported(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\xe9".encode("latin-1"))
    with pytest.raises(QuestionnaireError, match="cannot be read"):
        load_questionnaire(path)
