"""The action plan's and the scrutiny log's pure rules: the statutory response deadline (two
calendar months after the date received), the progress update a year after a response, overdue
milestones, this quarter's changes, the RAG summary, the roll-up of teams' actions, the plan by
area and strand, dates as typed, and an action plan file's rows."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.programme import plan as rules

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 10, 31))


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2024, 2, 27), date(2024, 4, 27)),
        (date(2024, 12, 31), date(2025, 2, 28)),  # February is short
        (date(2023, 12, 31), date(2024, 2, 29)),  # ... and longer in a leap year
        (date(2024, 12, 30), date(2025, 2, 28)),
        (date(2024, 11, 30), date(2025, 1, 30)),  # across a year's end
        (date(2025, 1, 31), date(2025, 3, 31)),
        (date(2024, 8, 31), date(2024, 10, 31)),
        (date(2024, 7, 31), date(2024, 9, 30)),  # September has 30 days
    ],
)
def test_a_response_is_due_two_calendar_months_after_the_date_received(received, due):
    assert rules.response_due(received) == due


@given(DAYS)
def test_the_deadline_is_two_months_on_in_the_same_day_or_that_months_last(received):
    due = rules.response_due(received)
    months = (due.year - received.year) * 12 + due.month - received.month
    assert months == 2
    last = calendar.monthrange(due.year, due.month)[1]
    assert due.day == min(received.day, last)
    assert 59 <= (due - received).days <= 62


@given(DAYS, DAYS)
def test_a_later_receipt_never_has_an_earlier_deadline(first, second):
    if first <= second:
        assert rules.response_due(first) <= rules.response_due(second)


@given(DAYS)
def test_a_progress_update_is_due_a_year_after_the_response(responded):
    due = rules.progress_due(responded)
    assert due.year == responded.year + 1 and due.month == responded.month
    assert due.day == min(responded.day, calendar.monthrange(due.year, due.month)[1])


def recommendation(**changes) -> dict:
    return {"received_on": "2024-02-27", "response": "", "responded_on": None, **changes}


def test_an_unanswered_recommendation_is_overdue_only_after_its_deadline():
    assert not rules.scrutiny_status(recommendation(), date(2024, 4, 27)).response_overdue
    assert rules.scrutiny_status(recommendation(), date(2024, 4, 28)).response_overdue


def test_an_answer_after_the_deadline_is_late_and_its_progress_update_falls_due_a_year_on():
    late = recommendation(response="accepted", responded_on="2024-05-01")
    status = rules.scrutiny_status(late, date(2025, 4, 30))
    assert status.responded_late and not status.response_overdue
    assert status.progress_due == date(2025, 5, 1) and not status.progress_update_due
    assert rules.scrutiny_status(late, date(2025, 5, 1)).progress_update_due


def test_a_rejected_recommendation_has_no_progress_update_due():
    rejected = recommendation(response="rejected", responded_on="2024-03-01")
    status = rules.scrutiny_status(rejected, date(2030, 1, 1))
    assert status.progress_due is None and not status.progress_update_due


def test_a_milestone_is_overdue_past_its_due_date_until_it_is_done():
    milestones = [
        {"title": "B", "due_on": "2024-09-24", "done_on": None},
        {"title": "A", "due_on": "2024-06-01", "done_on": None},
        {"title": "Done", "due_on": "2024-06-01", "done_on": "2024-09-01"},
        {"title": "Today", "due_on": "2024-09-25", "done_on": None},
    ]
    late = rules.overdue_milestones(milestones, date(2024, 9, 25))
    assert [m["title"] for m in late] == ["A", "B"]


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (date(2024, 9, 25), date(2024, 7, 1)),
        (date(2025, 1, 1), date(2025, 1, 1)),
        (date(2025, 3, 31), date(2025, 1, 1)),
        (date(2025, 4, 1), date(2025, 4, 1)),
    ],
)
def test_a_quarter_starts_in_april_july_october_or_january(today, start):
    assert rules.quarter_start(today) == start


def test_what_changed_this_quarter_is_dated_from_its_start_to_today():
    rows = [
        {"id": 1, "noted_on": "2024-06-30"},
        {"id": 2, "noted_on": "2024-07-01"},
        {"id": 3, "noted_on": "2024-09-25T10:00:00Z"},
        {"id": 4, "noted_on": "2024-09-26"},
        {"id": 5, "noted_on": None},
    ]
    found = rules.changed_this_quarter(rows, "noted_on", date(2024, 9, 25))
    assert [r["id"] for r in found] == [2, 3]


def test_the_rag_summary_counts_every_status_red_first():
    actions = [{"rag": "green"}, {"rag": "red"}, {"rag": "green"}]
    assert list(rules.rag_summary(actions).items()) == [("red", 1), ("amber", 0), ("green", 2)]


def test_teams_actions_roll_up_as_open_and_done():
    found = rules.roll_up(
        [{"status": "done"}, {"status": "in_progress"}, {"status": "not_started"}]
    )
    assert (found.total, found.open, found.done) == (3, 2, 1)


def test_the_plan_is_grouped_by_area_then_strand_in_the_questionnaires_order():
    areas = [("digital", "Digital access"), ("culture", "Culture")]
    strands = [("focused", "Citizen focused"), ("inclusive", "Inclusive access")]
    actions = [
        {"ref": "A3", "readiness_area": "culture", "strand": ""},
        {"ref": "A2", "readiness_area": "digital", "strand": "inclusive"},
        {"ref": "A1", "readiness_area": "digital", "strand": "focused"},
        {"ref": "A4", "readiness_area": "culture", "strand": "focused"},
    ]
    plan = rules.by_area_and_strand(actions, areas, strands)
    shown = [(area, [(s, [a["ref"] for a in found]) for s, found in by]) for area, by in plan]
    assert shown == [
        ("Digital access", [("Citizen focused", ["A1"]), ("Inclusive access", ["A2"])]),
        ("Culture", [("Citizen focused", ["A4"]), ("No strand", ["A3"])]),
    ]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("31/3/2025", date(2025, 3, 31)),
        (" 01/04/2025 ", date(2025, 4, 1)),
        ("2025-03-31", date(2025, 3, 31)),
    ],
)
def test_a_date_is_typed_day_first_or_as_iso(typed, found):
    assert rules.parse_date(typed) == found


@pytest.mark.parametrize(
    "typed", ["", "31/2/2025", "1/1/25", "tomorrow", "1/1/1900", "9" * 40, "1/-1/2025"]
)
def test_text_that_is_not_a_date_says_how_to_write_one(typed):
    with pytest.raises(rules.DateError, match="Enter a date like 31/3/2025"):
        rules.parse_date(typed)


@given(DAYS)
def test_a_stored_date_as_the_form_shows_it_reads_back_as_that_date(day):
    assert rules.parse_date(rules.short_date(day.isoformat())) == day


AREAS = {"digital-access": "Digital access and automation"}
STRANDS = {"inclusive-access": "Inclusive access"}


def test_an_action_plan_files_rows_are_read_by_name_or_key_and_every_mistake_named():
    table = [
        {"Reference": "A1", "Action": "Portal", "Readiness area": "digital access and automation"},
        {},
        {
            "Reference": "A2",
            "Action": "x",
            "Readiness area": "digital-access",
            "Strand": "Inclusive access",
            "RAG": "amber",
        },
        {
            "Reference": "",
            "Action": "",
            "Readiness area": "nowhere",
            "RAG": "purple",
            "Strand": "?",
        },
        {"Reference": "A1", "Action": "Again", "Readiness area": "digital-access"},
    ]
    actions, errors = rules.check_actions(table, AREAS, STRANDS)
    assert actions[0] == {
        "ref": "A1",
        "title": "Portal",
        "lead_officer": "",
        "lead_member": "",
        "rag_reason": "",
        "readiness_area": "digital-access",
        "strand": "",
        "rag": "green",
    }
    assert (actions[1]["strand"], actions[1]["rag"]) == ("inclusive-access", "amber")
    assert [str(e) for e in errors] == [
        "Row 5, column ‘Reference’: Enter a reference",
        "Row 5, column ‘Action’: Enter what the action is",
        "Row 5, column ‘Readiness area’: Enter one of: Digital access and automation",
        "Row 5, column ‘Strand’: Leave it blank or enter one of: Inclusive access",
        "Row 5, column ‘RAG’: Enter Red, Amber or Green",
        "Row 6, column ‘Reference’: this reference is in an earlier row",
    ]


def test_an_action_plan_file_without_its_needed_columns_says_which():
    _, errors = rules.check_actions([{"Reference": "A1"}], AREAS, STRANDS)
    assert [str(e) for e in errors] == [
        "Row 1, column ‘Action’: this column is missing",
        "Row 1, column ‘Readiness area’: this column is missing",
    ]


def test_a_cell_over_its_limit_is_named():
    long = {
        "Reference": "A1",
        "Action": "x" * (rules.MAX_TITLE + 1),
        "Readiness area": "digital-access",
    }
    _, errors = rules.check_actions([long], AREAS, STRANDS)
    assert [str(e) for e in errors] == [
        f"Row 2, column ‘Action’: must be {rules.MAX_TITLE:,} characters or fewer"
    ]


def test_months_are_added_to_the_same_day_or_the_months_last():
    assert rules.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert rules.add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert rules.add_months(date(2024, 3, 1), 0) == date(2024, 3, 1)
    assert rules.add_months(date(2024, 3, 1), -1) + timedelta(days=29) == date(2024, 3, 1)
