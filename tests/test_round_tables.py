"""Rounds' rules without the web: the drill-down frame, calibration and reminders."""

from __future__ import annotations

from assess.rounds import reminders, tables


def team(team_id, name, directorate="Housing", status="signed_off"):
    return {"team_id": team_id, "team": name, "directorate": directorate, "status": status}


def test_the_drill_down_has_a_row_per_team_and_a_column_per_statement_in_order():
    rows = [
        {**team(2, "Lettings"), "statement_key": "b", "score": 4},
        {**team(1, "Allocations"), "statement_key": "a", "score": 2},
        {**team(2, "Lettings"), "statement_key": "a", "score": 3},
    ]
    frame = tables.statement_frame(rows, ["a", "b", "c"])
    assert frame["team"].tolist() == ["Allocations", "Lettings"]
    assert list(frame.columns[-3:]) == ["a", "b", "c"]
    assert frame.loc[1, "b"] == 4 and frame.isna().loc[0, "b"]


def test_calibration_groups_moderated_answers_by_value_with_each_directorates_average(cex):
    statements = cex.statements_in("value", "one-team")
    rows = [
        {"team": "A", "directorate": "Housing", "statement_key": statements[0].key,
         "level": 4, "moderated_level": 2, "moderation_reason": "No evidence"},
        {"team": "B", "directorate": "Housing", "statement_key": statements[1].key,
         "level": 3, "moderated_level": 2, "moderation_reason": "Partly"},
    ]  # fmt: skip
    by_value = {v["member"].key: v for v in tables.calibration(rows, cex)}
    assert [r["difference"] for r in by_value["one-team"]["rows"]] == [2, 1]
    assert by_value["one-team"]["directorates"] == {"Housing": 1.5}
    assert all(not v["rows"] for key, v in by_value.items() if key != "one-team")


def remind(sent_before, lead="lead@council.example", directorate_lead="director@council.example"):
    return reminders.reminder(
        "Parks", "2024/25", "13 December 2024", "In progress", 12, 30, "https://x/t",
        [lead] if lead else [], directorate_lead, sent_before,
    )  # fmt: skip


def test_a_reminder_goes_to_the_team_lead_and_says_how_far_the_team_got():
    message = remind(0)
    assert message.recipients == ("lead@council.example",) and not message.escalated
    assert message.subject == "Reminder: Parks's assessment for 2024/25"
    assert "is in progress (12 of 30 statements answered)" in message.body
    assert "copied in" not in message.body


def test_from_the_third_reminder_the_directorates_lead_is_copied_in():
    assert not remind(1).escalated
    third = remind(2)
    assert third.escalated and third.recipients[-1] == "director@council.example"
    assert "the directorate's lead is copied in" in third.body


def test_a_team_with_nobody_to_remind_gets_no_reminder():
    assert remind(0, lead=None) is None
    assert remind(2, lead=None, directorate_lead=None) is None
