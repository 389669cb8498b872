"""The performance indicator rules (assess/programme/indicators.py): periods, figures, targets met
whichever way is better, changes since the previous period and the baseline, and the groups a
figure leaves short of its target."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.demo import programme as demo_programme
from assess.programme import indicators as rules
from tests.test_architecture import PACKAGE, WEB_FRAMEWORKS, imports_of

WEBSITE = {
    "id": 5,
    "ref": "PI-05",
    "name": "Satisfaction with the council website",
    "unit": "%",
    "direction": "higher",
    "baseline": 42.1,
    "baseline_period": "2022/23",
    "readiness_area": "digital-access",
}
CALLS = {
    "id": 2,
    "ref": "PI-02",
    "name": "Calls to the Contact Centre",
    "unit": "calls",
    "direction": "lower",
    "baseline": 138_419.0,
    "baseline_period": "2022/23",
    "readiness_area": "digital-access",
}


def figure(period, value, target=None, group=""):
    return {"period": period, "group_name": group, "value": value, "target": target}


def test_the_rules_import_neither_flask_nor_the_store():
    imported = imports_of(PACKAGE / "programme" / "indicators.py")
    assert not [
        name
        for name in imported
        if name.split(".")[0] in WEB_FRAMEWORKS or name.startswith(("assess.store", "assess.web"))
    ]


# --- periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2025/26", "2025/26"),
        (" 2025/26 Q2 ", "2025/26 Q2"),
        ("2025/26 q4", "2025/26 Q4"),
        ("1999/00", None),
        ("2099/00", "2099/00"),
    ],
)
def test_a_period_is_a_financial_year_or_one_of_its_quarters(typed, stored):
    if stored is None:
        with pytest.raises(rules.PeriodError):
            rules.parse_period(typed)
    else:
        assert str(rules.parse_period(typed)) == stored


@pytest.mark.parametrize(
    "typed", ["", "2025", "2025/27", "2025-26", "2025/26 Q5", "2025/26Q1", "٢٠٢٥/٢٦", "Q1 2025/26"]
)
def test_anything_else_is_not_a_period_and_says_how_to_write_one(typed):
    with pytest.raises(rules.PeriodError, match="2025/26 Q2"):
        rules.parse_period(typed)


def test_a_year_sorts_after_its_own_quarters_and_before_the_next_years():
    periods = ["2025/26", "2026/27 Q1", "2025/26 Q4", "2025/26 Q1", "2024/25"]
    assert sorted(periods, key=rules.period_key) == [
        "2024/25",
        "2025/26 Q1",
        "2025/26 Q4",
        "2025/26",
        "2026/27 Q1",
    ]


@pytest.mark.parametrize(
    ("period", "last_day"),
    [("2024/25 Q1", date(2024, 6, 30)), ("2024/25 Q2", date(2024, 9, 30)),
     ("2024/25 Q3", date(2024, 12, 31)), ("2024/25 Q4", date(2025, 3, 31)),
     ("2024/25", date(2025, 3, 31))],
)  # fmt: skip
def test_a_period_ends_with_its_last_quarter(period, last_day):
    assert rules.parse_period(period).ends_on == last_day


# --- figures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [("26,303", 26303), ("54.8", 54.8), ("54.8%", 54.8), ("-5", -5), (" 7 ", 7), (".5", 0.5)],
)
def test_a_figure_is_read_as_a_council_officer_types_it(typed, value):
    assert rules.parse_figure(typed) == value


@pytest.mark.parametrize(
    "typed", ["", "%", "NaN", "inf", "1e9", "26,30", "٣", "３", "1" * 14, "12abc", "--1", "1.2.3"]
)
def test_what_is_not_a_figure_is_refused_with_what_to_type(typed):
    with pytest.raises(rules.FigureError, match="number"):
        rules.parse_figure(typed)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [(54.8, "%", "54.8%"), (26303, "forms", "26,303 forms"), (2.5, "days", "2.5 days"),
     (2.001, "days", "2 days"), (None, "%", "")],
)  # fmt: skip
def test_a_figure_is_shown_with_its_unit(value, unit, shown):
    assert rules.figure(value, unit) == shown


@given(st.integers(-(10**15) + 1, 10**15 - 1).map(lambda thousandths: thousandths / 1000))
def test_a_stored_figure_shown_in_a_form_is_read_back_as_itself(value):
    assert rules.parse_figure(rules.as_typed(value)) == value


def test_a_tiny_figure_is_shown_without_an_exponent():
    assert rules.as_typed(0.00001) == "0.00001" and rules.as_typed(None) == ""


# --- targets ------------------------------------------------------------------------------------


def test_a_target_is_met_at_or_beyond_it_in_the_direction_that_is_better():
    assert rules.meets_target(60.0, 60.0, "higher") is True
    assert rules.meets_target(59.9, 60.0, "higher") is False
    assert rules.meets_target(131_498, 131_498, "lower") is True
    assert rules.meets_target(135_789, 131_498, "lower") is False
    assert rules.meets_target(1, None, "lower") is None


def test_a_direction_that_is_neither_higher_nor_lower_is_a_mistake():
    with pytest.raises(ValueError, match="direction"):
        rules.meets_target(1, 2, "sideways")


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(value=finite, target=finite)
def test_lower_is_better_meets_a_target_exactly_when_higher_is_better_meets_its_mirror(
    value, target
):
    assert rules.meets_target(value, target, "lower") == rules.meets_target(
        -value, -target, "higher"
    )


@given(value=finite, target=finite)
def test_a_figure_other_than_its_target_meets_it_one_way_and_misses_it_the_other(value, target):
    higher = rules.meets_target(value, target, "higher")
    lower = rules.meets_target(value, target, "lower")
    assert (higher and lower) == (value == target)
    assert higher or lower


@given(target=finite, step=st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_a_better_figure_never_misses_a_target_a_worse_one_meets(target, step):
    for direction, sign in (("higher", 1), ("lower", -1)):
        worse = target - sign * step
        better = target + sign * step
        if rules.meets_target(worse, target, direction):
            assert rules.meets_target(better, target, direction)


# --- changes ------------------------------------------------------------------------------------


def test_the_online_forms_result_is_six_per_cent_up_on_the_baseline():
    forms = {**CALLS, "unit": "forms", "direction": "higher", "baseline": 26_303.0}
    values = [figure("2023/24", 27_881, 27_618)]
    read = rules.reading(forms, values, values[0])
    assert read.met is True
    assert rules.describe_change(read.since_baseline, "forms") == (
        "Up 1,578 (6.0%) since 2022/23, better"
    )
    assert read.since_previous is None


def test_fewer_calls_are_better_when_lower_is_better():
    values = [figure("2023/24", 135_789, 131_498)]
    read = rules.reading(CALLS, values, values[0])
    assert read.met is False
    assert rules.describe_change(read.since_baseline, "calls") == (
        "Down 2,630 (1.9%) since 2022/23, better"
    )


def test_a_rate_changes_in_points_since_a_year_even_from_a_quarter():
    values = [figure("2024/25 Q1", 59.5, 60), figure("2023/24 Q4", 58.7, 50)]
    read = rules.reading(WEBSITE, values, values[0])
    assert rules.describe_change(read.since_previous, "%") == (
        "Up 0.8 points since 2023/24 Q4, better"
    )
    assert rules.describe_change(read.since_baseline, "%") == (
        "Up 17.4 points since 2022/23, better"
    )


def test_a_quarters_count_is_compared_with_quarters_never_with_a_year():
    values = [
        figure("2024/25 Q1", 33_000),
        figure("2023/24", 135_789),
        figure("2023/24 Q3", 34_000),
    ]
    read = rules.reading(CALLS, values, values[0])
    assert read.since_previous.since == "2023/24 Q3"
    assert read.since_baseline is None  # the baseline is a whole year's calls


def test_the_previous_period_is_the_same_groups():
    values = [
        figure("2024/25 Q1", 41.3, 60, "Disability"),
        figure("2023/24 Q4", 58.7, 50),
        figure("2023/24 Q3", 45.0, 50, "Disability"),
    ]
    read = rules.reading(WEBSITE, values, values[0])
    assert read.since_previous.since == "2023/24 Q3"
    assert read.since_previous.better is False
    assert read.since_baseline is None  # the baseline is everyone's, not the group's


def test_no_change_says_so():
    found = rules.change(5.0, 5.0, "higher", "2023/24")
    assert rules.describe_change(found, "%") == "No change since 2023/24"
    assert rules.describe_change(None, "%") == ""


# --- unequal impact -----------------------------------------------------------------------------


def test_only_a_named_groups_figure_short_of_its_target_is_unequal_impact():
    assert rules.unequal_impact(WEBSITE, figure("2024/25 Q1", 41.3, 60, "Disability"))
    assert not rules.unequal_impact(WEBSITE, figure("2024/25 Q1", 41.3, 60))  # everyone
    assert not rules.unequal_impact(WEBSITE, figure("2024/25 Q1", 63.0, 60, "Carers"))
    assert not rules.unequal_impact(WEBSITE, figure("2024/25 Q1", 41.3, None, "Disability"))
    assert rules.unequal_impact(CALLS, figure("2024/25", 140_000, 131_498, "Age"))


def test_the_groups_short_of_target_are_judged_on_their_latest_figure():
    values = [
        figure("2023/24 Q4", 40.0, 50, "Carers"),
        figure("2024/25 Q1", 63.0, 60, "Carers"),
        figure("2024/25 Q1", 41.3, 60, "Disability"),
        figure("2024/25 Q1", 59.5, 60),
    ]
    short = rules.groups_below_target(WEBSITE, values)
    assert [(r["group_name"], r["value"]) for r in short] == [("Disability", 41.3)]
    assert rules.latest_by_group(values)["Carers"]["period"] == "2024/25 Q1"


def test_the_prompt_says_which_figure_which_group_and_which_way_is_better():
    reason = rules.prompt_reason(WEBSITE, figure("2024/25 Q1", 41.3, 60, "Disability"))
    assert reason == (
        "PI-05 Satisfaction with the council website, Disability: 41.3% in 2024/25 Q1, "
        "below its target of 60.0% (higher is better)"
    )
    reason = rules.prompt_reason(CALLS, figure("2024/25", 140_000, 131_498, "Age"))
    assert "above its target of 131,498 calls (lower is better)" in reason


def test_indicators_are_grouped_under_their_areas_in_the_questionnaires_order():
    areas = [("digital-access", "Digital access"), ("customer-insight", "Customer insight")]
    insight = {**CALLS, "id": 9, "readiness_area": "customer-insight"}
    gone = {**CALLS, "id": 10, "readiness_area": "retired-area"}
    sections = rules.by_area([gone, insight, WEBSITE], {5: [figure("2024/25 Q1", 59.5, 60)]}, areas)
    assert [name for name, _ in sections] == ["Digital access", "Customer insight", "retired-area"]
    (website,) = sections[0][1]
    assert website.latest.met is False and website.below_target == []
    assert sections[1][1][0].latest is None


# --- the demo's calendar ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "year", "ended"),
    [
        (date(2024, 9, 25), 2024, 1),
        (date(2024, 10, 1), 2024, 2),
        (date(2025, 1, 1), 2024, 3),
        (date(2025, 3, 31), 2024, 3),
        (date(2025, 4, 1), 2025, 0),
        (date(2025, 6, 30), 2025, 0),
    ],
)
def test_the_demo_dates_its_figures_by_the_financial_year_and_the_quarters_ended(
    today, year, ended
):
    assert demo_programme.financial_year(today) == year
    assert demo_programme.quarters_ended(today) == ended
