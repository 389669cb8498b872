"""The demo council's performance indicators: the corporate KPIs and the satisfaction by channel
its progress report to Cabinet quotes, with figures by period dated around `today`.

The baseline year is two financial years before today's, the report's first year of results the
year before today's; satisfaction is also kept by quarter, for last year and for each quarter of
this year that has ended. Disabled residents' satisfaction with the website falls short of its
target, which prompts a review of the EqIAs linked to digital access.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlite_utils import Database

from assess import store
from assess.demo.plan import seed_plan
from assess.programme.indicators import Period, parse_period
from assess.store import programme as programme_store

REPORT = "Citizen Experience Strategy Progress report to Cabinet"

# ref, name, definition, unit, direction, owner, readiness area, team (or None), baseline,
# (target, result) in the year after the baseline, note on that result.
YEARLY = [
    (
        "PI-01",
        "Online forms submitted for Housing, Revenues and Benefits",
        "Online forms completed and submitted for Housing, Revenues and Benefits services in the "
        "year, counted by the forms platform. Target: 5% more than the baseline year.",
        "forms",
        "higher",
        "Digital Services Manager",
        "digital-access",
        None,
        26_303,
        (27_618, 27_881),
        f"{REPORT}: up 6% on the baseline against a target of 5%.",
    ),
    (
        "PI-02",
        "Calls to the Contact Centre for Housing, Revenues and Benefits",
        "Calls received by the Customer Contact Centre for Housing, Revenues and Benefits in the "
        "year, from the telephony system. Target: 5% fewer than the baseline year.",
        "calls",
        "lower",
        "Contact Centre Manager",
        "digital-access",
        "Contact Centre",
        138_419,
        (131_498, 135_789),
        f"{REPORT}: down 1.9% against a target of 5%, despite the Single Person Discount letters.",
    ),
    (
        "PI-03",
        "Face-to-face enquiries for Housing, Revenues and Benefits",
        "Face-to-face Customer Services enquiries for Housing, Revenues and Benefits in the year. "
        "Target: 5% fewer than the baseline year.",
        "visits",
        "lower",
        "Customer Services Manager",
        "joined-up-localities",
        "Face to Face Customer Services",
        4_190,
        (3_981, 4_123),
        f"{REPORT}: down 1.6% against a target of 5%; the customer portals are still to come.",
    ),
    (
        "PI-06",
        "Satisfaction with face-to-face contact",
        "Share of Gov-Metric ratings after a face-to-face visit: Good and Average added together "
        "with Poor deducted.",
        "%",
        "higher",
        "Customer Services Manager",
        "joined-up-localities",
        "Face to Face Customer Services",
        97.2,
        (97.0, 97.4),
        f"{REPORT}.",
    ),
    (
        "PI-07",
        "Satisfaction with webchat",
        "Share of Gov-Metric ratings after a webchat: Good and Average added together with Poor "
        "deducted.",
        "%",
        "higher",
        "Digital Services Manager",
        "digital-access",
        None,
        100.0,
        (95.0, 98.9),
        f"{REPORT}: volumes of webchat responses are very low.",
    ),
]

# Satisfaction kept by quarter: ref, name, definition, owner, readiness area, team, baseline,
# last year (target, result), last year's quarters, this year's target and quarters (as many as
# have ended), and groups' figures for the latest quarter: group -> (value, target).
QUARTERLY = [
    (
        "PI-04",
        "Satisfaction with telephone contact",
        "Share of Gov-Metric ratings after a call to the Contact Centre: Good and Average added "
        "together with Poor deducted.",
        "Contact Centre Manager",
        "citizen-centred-culture",
        "Contact Centre",
        81.6,
        (83.0, 83.4),
        (82.7, 83.1, 83.6, 84.2),
        85.0,
        (84.0, 84.6, 85.1, 85.3),
        {"Age": (86.0, 85.0)},
    ),
    (
        "PI-05",
        "Satisfaction with the council website",
        "Share of Gov-Metric ratings of the website: Good and Average added together with Poor "
        "deducted. Comparable with the other websites in the benchmark group.",
        "Digital Services Manager",
        "digital-access",
        "Digital and Web",
        42.1,
        (50.0, 54.8),
        (50.2, 53.9, 56.4, 58.7),
        60.0,
        (59.5, 60.8, 61.4, 62.0),
        {"Disability": (41.3, 60.0), "Carers": (63.0, 60.0)},
    ),
]


def financial_year(day: date) -> int:
    """The year the financial year (April to March) holding `day` starts in."""
    return day.year if day.month >= 4 else day.year - 1


def quarters_ended(today: date) -> int:
    """How many quarters of this financial year have ended by `today`."""
    return sum(Period(financial_year(today), q).ends_on < today for q in range(1, 5))


def recorded_at(period: str, today: date) -> str:
    """When a period's figure was recorded: three weeks after it ended, or yesterday if sooner."""
    day = min(parse_period(period).ends_on + timedelta(days=21), today - timedelta(days=1))
    return datetime.combine(day, time(10), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def seed_programme(db: Database, actor_id: int | None, today: date) -> None:
    """The indicators and their figures, dated around `today`; then the action plan and the
    scrutiny log."""
    this_year = financial_year(today)
    baseline, last_year = str(Period(this_year - 2)), str(Period(this_year - 1))
    ended = quarters_ended(today)

    def add(
        ref: str,
        name: str,
        definition: str,
        unit: str,
        direction: str,
        owner: str,
        area: str,
        team: str | None,
        first: float,
    ) -> int:
        return programme_store.add_indicator(
            db,
            {
                "ref": ref,
                "name": name,
                "definition": definition,
                "unit": unit,
                "direction": direction,
                "owner": owner,
                "readiness_area": area,
                "team_id": store.team_id_by_name(db, team) if team else None,
                "baseline": first,
                "baseline_period": baseline,
            },
            actor_id,
        )

    def record(
        indicator_id: int,
        period: str,
        value: float,
        target: float | None,
        note: str = "",
        group: str = "",
    ) -> None:
        figures = {"value": value, "target": target, "note": note}
        stamp = recorded_at(period, today)
        programme_store.record_value(db, indicator_id, period, group, figures, actor_id, stamp)

    for ref, name, definition, unit, direction, owner, area, team, first, result, note in YEARLY:
        indicator_id = add(ref, name, definition, unit, direction, owner, area, team, first)
        record(indicator_id, baseline, first, None, "The baseline year.")
        record(indicator_id, last_year, result[1], result[0], note)
    for (
        ref,
        name,
        definition,
        owner,
        area,
        team,
        first,
        result,
        last_quarters,
        target,
        quarters,
        groups,
    ) in QUARTERLY:
        indicator_id = add(ref, name, definition, "%", "higher", owner, area, team, first)
        record(indicator_id, baseline, first, None, "The baseline year.")
        record(indicator_id, last_year, result[1], result[0], f"{REPORT}.")
        for number, value in enumerate(last_quarters, start=1):
            record(indicator_id, str(Period(this_year - 1, number)), value, result[0])
        for number, value in enumerate(quarters[:ended], start=1):
            record(indicator_id, str(Period(this_year, number)), value, target)
        latest = Period(this_year, ended) if ended else Period(this_year - 1, 4)
        for group, (value, group_target) in groups.items():
            record(indicator_id, str(latest), value, group_target, "Gov-Metric, by group", group)
    seed_plan(db, actor_id, today)
