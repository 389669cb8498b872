"""A section's form read against the saved answers (assess/assessment/forms.py): what is kept,
what is refused and named, in page order. Forms are built inside a request context, as a view
builds them; no database, no page."""

from __future__ import annotations

import pytest

from assess.assessment.forms import (
    MAX_TEXT,
    NOT_APPLICABLE,
    ActionForm,
    Names,
    form_data,
    read_section,
    section_form,
    targets_form,
)
from assess.web.app import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app, for its request context only: a form reads no database."""
    instance = tmp_path_factory.mktemp("forms")
    return create_app({"TESTING": True, "SECRET_KEY": "test"}, instance_path=instance)


@pytest.fixture
def statements(cex):
    return cex.statements_in("value", "one-team")


@pytest.fixture
def read(app, cex, statements):
    """Post fields to a section form and read it: (rows to save, errors)."""

    def post(fields: dict, saved: dict | None = None, complete: bool = False):
        number = {s.key: i for i, s in enumerate(statements, start=1)}
        with app.test_request_context(method="POST", data=fields):
            form = section_form(statements, cex.scale, meta={"csrf": False})
            answers = read_section(form, statements, cex.scale, number, saved or {}, complete)
        return {row["statement_key"]: row for row in answers.rows}, answers.errors

    return post


def saved_answer(level=2, **fields) -> dict:
    return {
        "level": level,
        "not_applicable": 0,
        "not_applicable_reason": "",
        "evidence": "Saved evidence",
        "move_up": "",
        **fields,
    }


def test_a_level_and_its_texts_are_kept_with_line_breaks_as_one_character(read, statements):
    names = Names.of(statements[0].key)
    rows, errors = read(
        {names.level: "4", names.evidence: " Monthly report\r\nand case notes ", names.move_up: ""}
    )
    assert errors == []
    assert rows[statements[0].key] == {
        "statement_key": statements[0].key,
        "level": 4,
        "not_applicable": 0,
        "not_applicable_reason": "",
        "evidence": "Monthly report\nand case notes",
        "move_up": "",
    }


def test_statements_left_untouched_and_never_saved_are_not_rows(read, statements):
    rows, errors = read({Names.of(statements[0].key).level: "3"})
    assert list(rows) == [statements[0].key] and errors == []


def test_not_applicable_is_kept_with_its_reason(read, statements):
    names = Names.of(statements[1].key)
    rows, errors = read({names.level: NOT_APPLICABLE, names.reason: "No face-to-face contact"})
    assert errors == []
    row = rows[statements[1].key]
    assert (row["level"], row["not_applicable"], row["not_applicable_reason"]) == (
        None,
        1,
        "No face-to-face contact",
    )


def test_not_applicable_without_a_reason_keeps_the_saved_answer_and_asks_why(read, statements):
    names = Names.of(statements[1].key)
    saved = {statements[1].key: saved_answer(2)}
    rows, errors = read({names.level: NOT_APPLICABLE, names.evidence: "New evidence"}, saved)
    assert errors == [(names.reason, "Say why statement 2 does not apply to your team")]
    row = rows[statements[1].key]
    assert (row["level"], row["not_applicable"]) == (2, 0)  # the saved answer, whole
    assert row["evidence"] == "New evidence"  # the rest of the statement is kept


def test_a_level_and_a_reason_together_are_one_answer_too_many(read, statements):
    names = Names.of(statements[0].key)
    saved = {statements[0].key: saved_answer(2)}
    rows, errors = read({names.level: "3", names.reason: "It does not apply"}, saved)
    assert errors == [
        (names.level, "Statement 1 has a level and a reason it does not apply: choose one")
    ]
    row = rows[statements[0].key]
    assert (row["level"], row["not_applicable_reason"]) == (2, "")  # the saved answer, whole


@pytest.mark.parametrize("level", ["0", "6", "na ", "٣", "<script>"])
def test_a_level_not_on_the_scale_is_refused_and_the_saved_one_kept(read, statements, level):
    names = Names.of(statements[2].key)
    rows, errors = read({names.level: level}, {statements[2].key: saved_answer(4)})
    assert errors == [(names.level, "Select one of the levels shown for statement 3")]
    assert rows[statements[2].key]["level"] == 4


def test_two_answers_for_one_statement_are_refused(app, cex, statements):
    names = Names.of(statements[0].key)
    number = {s.key: i for i, s in enumerate(statements, start=1)}
    with app.test_request_context(method="POST", data={names.level: ["2", NOT_APPLICABLE]}):
        form = section_form(statements, cex.scale, meta={"csrf": False})
        answers = read_section(form, statements, cex.scale, number, {}, complete=False)
    assert answers.errors == [
        (names.level, "Choose one answer for statement 1: a level or not applicable")
    ]


def test_text_over_the_limit_keeps_the_saved_text_and_the_rest_of_the_answer(read, statements):
    names = Names.of(statements[0].key)
    saved = {statements[0].key: saved_answer(2)}
    rows, errors = read({names.level: "5", names.evidence: "x" * (MAX_TEXT + 1)}, saved)
    assert errors == [
        (names.evidence, "Evidence for statement 1 must be 10,000 characters or fewer")
    ]
    row = rows[statements[0].key]
    assert (row["level"], row["evidence"]) == (5, "Saved evidence")
    rows, errors = read({names.level: "5", names.evidence: "x" * MAX_TEXT}, saved)
    assert errors == [] and len(rows[statements[0].key]["evidence"]) == MAX_TEXT


def test_save_and_continue_names_every_unanswered_statement_in_page_order(read, statements):
    first = Names.of(statements[0].key)
    rows, errors = read({first.level: "3"}, complete=True)
    assert [field for field, _ in errors] == [Names.of(s.key).level for s in statements[1:]]
    assert errors[0][1] == "Select a level for statement 2, or select not applicable"
    assert rows[statements[0].key]["level"] == 3  # what was answered is still kept


def test_save_for_later_asks_for_nothing(read, statements):
    assert read({}, complete=False) == ({}, [])


def test_clearing_a_saved_text_saves_it_empty(read, statements):
    names = Names.of(statements[0].key)
    rows, errors = read({names.level: "2", names.evidence: ""}, {statements[0].key: saved_answer()})
    assert errors == [] and rows[statements[0].key]["evidence"] == ""


def test_saved_answers_fill_the_form_as_the_page_shows_them(statements):
    answers = {
        statements[0].key: saved_answer(3),
        statements[1].key: saved_answer(
            None, not_applicable=1, not_applicable_reason="No counter", evidence=""
        ),
    }
    data = form_data(statements, answers)
    first, second = Names.of(statements[0].key), Names.of(statements[1].key)
    assert (data[first.level], data[first.evidence]) == ("3", "Saved evidence")
    assert (data[second.level], data[second.reason]) == (NOT_APPLICABLE, "No counter")
    assert Names.of(statements[2].key).level not in data


def test_a_section_form_offers_each_level_by_name_and_not_applicable(app, cex, statements):
    with app.test_request_context():
        form = section_form(statements, cex.scale, meta={"csrf": False})
        field = form[Names.of(statements[0].key).level]
        assert field.label.text == statements[0].text
        assert [choice.label for choice in field.choices] == [
            "Emerging", "Developing", "Established", "Embedded", "Leading", "Not applicable"
        ]  # fmt: skip


# --- improvement actions and targets ------------------------------------------------------------


def action(app, **fields):
    data = {"what": "Publish our standards", "owner": "Priya", "due_day": "30",
            "due_month": "6", "due_year": "2030", "status": "not_started", **fields}  # fmt: skip
    with app.test_request_context(method="POST", data=data):
        form = ActionForm(meta={"csrf": False})
        form.validate()
        return form


def test_an_action_is_due_on_the_date_its_three_fields_give(app):
    form = action(app)
    assert form.errors == {}
    assert form.due_on.isoformat() == "2030-06-30"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"due_day": "", "due_month": "", "due_year": ""}, "Enter the date the action is due"),
        ({"due_day": "31", "due_month": "2"}, "The date the action is due must be a real date"),
        ({"due_year": "25"}, "The year must have 4 digits, for example 2025"),
    ],
)
def test_an_actions_due_date_must_be_a_real_date_with_a_four_digit_year(app, fields, message):
    assert action(app, **fields).errors["due_day"][0].startswith(message)


def test_an_action_is_marked_done_only_with_what_changed(app):
    assert action(app, status="done").errors == {
        "evidence_of_change": ["Say what changed before you mark the action done"]
    }
    assert action(app, status="done", evidence_of_change="Standards published").errors == {}


def test_targets_offer_no_target_or_a_level_for_each_value(app, cex):
    members = cex.dimension("value").members
    with app.test_request_context():
        form = targets_form(members, cex.scale, meta={"csrf": False})
        field = form["one-team"]
        assert field.label.text == "One Team"
        assert [choice.value for choice in field.choices] == ["", "1", "2", "3", "4", "5"]
        assert field.data == ""
