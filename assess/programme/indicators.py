"""Performance indicator rules: periods, whether a figure meets its target, the change since the
previous period and since the baseline, and the groups a figure leaves behind its target.

Pure functions over plain values; no Flask, no database. A period is a financial year ("2025/26")
or one of its quarters ("2025/26 Q2"); a figure's group is "" for everyone, or a group's name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

DIRECTIONS = {"higher": "Higher is better", "lower": "Lower is better"}
EVERYONE = ""
RATE_UNIT = "%"  # a rate: comparable across periods of any length, changes in points
LARGEST_FIGURE = 1e12  # more than any count a council keeps; refuses typing slips and overflow

PERIOD_FORMAT = re.compile(r"^(\d{4})/(\d{2})(?: +[Qq]([1-4]))?$", re.ASCII)
FIGURE_FORMAT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$", re.ASCII)


Row = TypeVar("Row", bound=Mapping)


class PeriodError(ValueError):
    """Text that is not a financial year or a quarter of one."""


class FigureError(ValueError):
    """Text that is not a figure."""


@dataclass(frozen=True, order=True)
class Period:
    """A financial year (April to March) starting in `start_year`, or one of its quarters. A
    year sorts after its own quarters: it ends when its fourth quarter does."""

    start_year: int
    quarter: int | None = None

    @property
    def is_year(self) -> bool:
        return self.quarter is None

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.start_year, self.quarter or 5)

    @property
    def ends_on(self) -> date:
        """Its last day: 30 June, 30 September, 31 December or 31 March (a year, or Q4)."""
        if self.quarter in (None, 4):
            return date(self.start_year + 1, 3, 31)
        return date(self.start_year, (6, 9, 12)[self.quarter - 1], (30, 30, 31)[self.quarter - 1])

    def __str__(self) -> str:
        year = f"{self.start_year}/{(self.start_year + 1) % 100:02d}"
        return year if self.quarter is None else f"{year} Q{self.quarter}"


def parse_period(text: str) -> Period:
    """A period typed as "2025/26" or "2025/26 Q2"; PeriodError says how to write one."""
    match = PERIOD_FORMAT.match((text or "").strip())
    example = (
        'Enter the period as a financial year, like "2025/26", or a quarter, like "2025/26 Q2"'
    )
    if not match:
        raise PeriodError(example)
    start, end, quarter = int(match[1]), int(match[2]), match[3]
    if not 2000 <= start <= 2099 or end != (start + 1) % 100:
        raise PeriodError(f"{example}: the second year follows the first")
    return Period(start, int(quarter) if quarter else None)


def period_key(text: str) -> tuple[int, int]:
    """How stored periods sort, oldest first; text that is not a period sorts first."""
    try:
        return parse_period(text).sort_key
    except PeriodError:
        return (0, 0)


def parse_figure(text: str) -> float:
    """A figure as typed: "26,303", "54.8", "54.8%", "-5". FigureError says what is wrong."""
    cleaned = (text or "").strip().removesuffix("%").strip()
    if not cleaned or not FIGURE_FORMAT.match(cleaned) or not any(c.isdigit() for c in cleaned):
        raise FigureError("Enter a number, like 26303 or 54.8")
    value = float(cleaned.replace(",", ""))
    if not math.isfinite(value) or abs(value) >= LARGEST_FIGURE:
        raise FigureError(f"Enter a number smaller than {LARGEST_FIGURE:,.0f}")
    return value


def as_typed(value: float | None) -> str:
    """A stored figure as a form field shows it: `parse_figure` reads it back as that figure."""
    if value is None:
        return ""
    shown = f"{value:.15g}"
    return f"{value:.15f}".rstrip("0").rstrip(".") if "e" in shown else shown


def meets_target(value: float, target: float | None, direction: str) -> bool | None:
    """Whether a figure meets its target: at or above it when higher is better, at or below it
    when lower is better. None when there is no target."""
    if target is None:
        return None
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {sorted(DIRECTIONS)}, not {direction!r}")
    return value >= target if direction == "higher" else value <= target


MET_WORDS = {True: "Met", False: "Not met", None: "No target"}


def is_rate(unit: str) -> bool:
    return unit.strip() == RATE_UNIT


def figure(value: float | None, unit: str) -> str:
    """A figure as pages show it: "54.8%", "26,303 forms", "2.5 days"."""
    if value is None:
        return ""
    if is_rate(unit):
        return f"{value:.1f}%"
    number = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{number} {unit.strip()}".strip()


@dataclass(frozen=True)
class Change:
    """A figure against an earlier one: by how much, by what share of it, and whether that is
    better (None: no change)."""

    amount: float
    percent: float | None
    better: bool | None
    since: str  # the earlier period


def change(value: float, earlier: float, direction: str, since: str) -> Change:
    amount = value - earlier
    percent = None if earlier == 0 else amount / abs(earlier) * 100
    better = None if amount == 0 else (amount > 0) == (direction == "higher")
    return Change(amount, percent, better, since)


def describe_change(found: Change | None, unit: str) -> str:
    """A change in words: "Up 1,578 (6.0%) since 2022/23, better"; "" when there is none."""
    if found is None:
        return ""
    if found.amount == 0:
        return f"No change since {found.since}"
    way = "Up" if found.amount > 0 else "Down"
    size = abs(found.amount)
    if is_rate(unit):
        amount = f"{size:.1f} points"
    else:
        amount = figure(size, "")
        if found.percent is not None:
            amount += f" ({abs(found.percent):.1f}%)"
    return f"{way} {amount} since {found.since}, {'better' if found.better else 'worse'}"


def comparable(unit: str, period: Period, earlier: Period) -> bool:
    """Whether two periods' figures compare: periods as long as each other, or a rate (a share
    does not grow with the length of the period; a count does)."""
    return period.is_year == earlier.is_year or is_rate(unit)


@dataclass(frozen=True)
class Reading:
    """One figure as the pages show it: met or not, and the change since the previous period
    (of the same length, for the same group) and, for everyone's, since the baseline."""

    period: str
    group_name: str
    value: float
    target: float | None
    met: bool | None
    since_previous: Change | None
    since_baseline: Change | None


def _period(row: Mapping) -> Period | None:
    try:
        return parse_period(row["period"])
    except PeriodError:
        return None


def reading(indicator: Mapping, values: Iterable[Mapping], row: Mapping) -> Reading:
    """`row` (one of the indicator's `values`) read against its target, its previous period and
    the indicator's baseline."""
    direction, unit = indicator["direction"], indicator["unit"]
    period = _period(row)
    previous = None
    if period is not None:
        earlier = [
            (p, v)
            for v in values
            if v["group_name"] == row["group_name"]
            and (p := _period(v)) is not None
            and p.is_year == period.is_year
            and p.sort_key < period.sort_key
        ]
        if earlier:
            p, v = max(earlier, key=lambda pair: pair[0].sort_key)
            previous = change(row["value"], v["value"], direction, str(p))
    since_baseline = None
    baseline_period = _period({"period": indicator.get("baseline_period") or ""})
    if (
        indicator.get("baseline") is not None
        and row["group_name"] == EVERYONE  # the baseline is everyone's
        and period is not None
        and baseline_period is not None
        and baseline_period.sort_key < period.sort_key
        and comparable(unit, period, baseline_period)
    ):
        since_baseline = change(
            row["value"], indicator["baseline"], direction, str(baseline_period)
        )
    return Reading(
        row["period"],
        row["group_name"],
        row["value"],
        row["target"],
        meets_target(row["value"], row["target"], direction),
        previous,
        since_baseline,
    )


def latest_by_group(values: Iterable[Row]) -> dict[str, Row]:
    """Each group's figure for its latest period ("" for everyone)."""
    latest: dict[str, Row] = {}
    for row in values:
        held = latest.get(row["group_name"])
        if held is None or period_key(row["period"]) > period_key(held["period"]):
            latest[row["group_name"]] = row
    return latest


def unequal_impact(indicator: Mapping, row: Mapping) -> bool:
    """A named group's figure that does not meet its target: evidence of unequal impact."""
    met = meets_target(row["value"], row["target"], indicator["direction"])
    return row["group_name"] != EVERYONE and met is False


def groups_below_target(indicator: Mapping, values: Iterable[Mapping]) -> list[Mapping]:
    """The named groups whose latest figure does not meet its target, by group name."""
    latest = latest_by_group(values)
    return [latest[g] for g in sorted(latest) if unequal_impact(indicator, latest[g])]


def prompt_reason(indicator: Mapping, row: Mapping) -> str:
    """Why a group's figure calls for a review of the EqIAs linked to the indicator's area."""
    unit = indicator["unit"]
    side = "below" if indicator["direction"] == "higher" else "above"
    better = DIRECTIONS[indicator["direction"]].lower()
    return (
        f"{indicator['ref']} {indicator['name']}, {row['group_name']}: "
        f"{figure(row['value'], unit)} in {row['period']}, {side} its target of "
        f"{figure(row['target'], unit)} ({better})"
    )


def sorted_values(values: Iterable[Row]) -> list[Row]:
    """Figures newest period first, everyone before the groups, groups by name."""
    by_group = sorted(values, key=lambda v: (v["group_name"] != EVERYONE, v["group_name"]))
    return sorted(by_group, key=lambda v: period_key(v["period"]), reverse=True)


@dataclass(frozen=True)
class Summary:
    """An indicator as the list shows it: everyone's latest figure read against its target and
    earlier figures, and the named groups whose latest figure falls short of its target."""

    indicator: Mapping
    latest: Reading | None
    below_target: list[Mapping]


def summary(indicator: Mapping, values: list[Mapping]) -> Summary:
    everyone = latest_by_group(values).get(EVERYONE)
    latest = None if everyone is None else reading(indicator, values, everyone)
    return Summary(indicator, latest, groups_below_target(indicator, values))


def by_area(
    indicators: Iterable[Mapping],
    values: Mapping[int, list[Mapping]],
    areas: Iterable[tuple[str, str]],
) -> list[tuple[str, list[Summary]]]:
    """The indicators' summaries under each readiness area (name) that has any, in the
    questionnaire's order; an area it no longer has comes last, by its key."""
    names = dict(areas)
    grouped: dict[str, list[Summary]] = {}
    for found in indicators:
        area = found["readiness_area"]
        grouped.setdefault(area, []).append(summary(found, values.get(found["id"], [])))
    order = [a for a in names if a in grouped] + sorted(a for a in grouped if a not in names)
    return [(names.get(a, a), grouped[a]) for a in order]


@dataclass(frozen=True)
class Mismatch:
    """A self-assessed area score the indicators do not bear out: a high score where an
    indicator misses its target, or a weak one where every indicator meets its target."""

    area: str
    score: float
    high: bool  # True: rated high, yet off target; False: rated weak, yet on target
    evidence: list[Summary]  # the indicators that say otherwise


def mismatches(
    scores: Mapping[str, float | None],
    summaries: Iterable[Summary],
    high_score: float,
    low_score: float,
) -> list[Mismatch]:
    """Where the self-assessment meets evidence and disagrees, area by area (in the order of
    `scores`): a score at or above `high_score` with any of the area's indicators missing its
    latest target, or one below `low_score` with all of them (at least one) meeting it."""
    by_area: dict[str, list[Summary]] = {}
    for found in summaries:
        if found.latest is not None and found.latest.met is not None:
            by_area.setdefault(found.indicator["readiness_area"], []).append(found)
    found_mismatches = []
    for area, score in scores.items():
        judged = by_area.get(area, [])
        if score is None or not judged:
            continue
        missed = [s for s in judged if s.latest is not None and s.latest.met is False]
        if score >= high_score and missed:
            found_mismatches.append(Mismatch(area, score, True, missed))
        elif score < low_score and not missed:
            found_mismatches.append(Mismatch(area, score, False, judged))
    return found_mismatches


# --- figures from a file ------------------------------------------------------------------------

FIGURE_COLUMNS = {
    "ref": "Indicator",
    "period": "Period",
    "group_name": "Group",
    "value": "Figure",
    "target": "Target",
    "note": "Note",
}
REQUIRED_FIGURE_COLUMNS = ("ref", "period", "value")
MAX_GROUP = 100  # a group's name, in characters
MAX_TEXT = 2_000  # a note on a figure, an indicator's definition


@dataclass(frozen=True)
class FigureRowError:
    row: int  # as a spreadsheet numbers it: the heading is row 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, column ‘{self.column}’: {self.message}"


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_figure_row(cells: Mapping[str, object], refs: set[str]) -> tuple[dict, list]:
    """One row of a figures file: what to store, and (field, message) for each mistake."""
    text = {field: cell_text(cells.get(field)) for field in FIGURE_COLUMNS}
    found: dict = {"ref": text["ref"], "group_name": text["group_name"], "note": text["note"]}
    errors = []
    if text["ref"] not in refs:
        errors.append(("ref", f"{text['ref'] or 'A blank reference'} is not an indicator"))
    try:
        found["period"] = str(parse_period(text["period"]))
    except PeriodError as error:
        errors.append(("period", str(error)))
    for field, required in (("value", True), ("target", False)):
        if not text[field] and not required:
            found[field] = None
            continue
        try:
            found[field] = parse_figure(text[field])
        except FigureError as error:
            errors.append((field, str(error)))
    for field, most in (("group_name", MAX_GROUP), ("note", MAX_TEXT)):
        if len(text[field]) > most:
            errors.append((field, f"must be {most:,} characters or fewer"))
    return found, errors


def check_table(
    table: list[dict],
    columns: Mapping[str, str],
    required: Iterable[str],
    check_row: Callable[[dict], tuple[dict, list]],
    key_of: Callable[[dict], object],
    duplicate: tuple[str, str],
) -> tuple[list[dict], list[FigureRowError]]:
    """Every row of a file (rows keyed by their headings, a blank row as {}), each read by
    `check_row` (cells by field -> what to store, (field, message) for each mistake): what to
    store, and every mistake by row and column. A row whose `key_of` an earlier row has is a
    `duplicate` (field, message). Headings match a column's heading or its field, in any case.
    Nothing is stored here: a caller stores all the rows or, with any mistake, none."""
    if not any(table):
        return [], []
    present = {heading.lower(): heading for row in table for heading in row}
    headings = {}
    for field, heading in columns.items():
        name = heading.lower() if heading.lower() in present else field
        headings[field] = present.get(name, heading)
    missing = [columns[f] for f in required if headings[f].lower() not in present]
    if missing:
        return [], [FigureRowError(1, m, "this column is missing") for m in missing]
    found_rows, errors, seen = [], [], set()
    for number, row in enumerate(table, start=2):
        if not row:
            continue
        lowered = {k.lower(): v for k, v in row.items()}
        cells = {f: lowered.get(h.lower()) for f, h in headings.items()}
        found, row_errors = check_row(cells)
        key = key_of(found)
        if not row_errors and key in seen:
            row_errors.append(duplicate)
        seen.add(key)
        errors += [FigureRowError(number, headings[f], m) for f, m in row_errors]
        found_rows.append(found)
    return found_rows, errors


def check_figures(table: list[dict], refs: set[str]) -> tuple[list[dict], list[FigureRowError]]:
    """Every row of a figures file: the figures to store, and every mistake by row and column."""
    return check_table(
        table,
        FIGURE_COLUMNS,
        REQUIRED_FIGURE_COLUMNS,
        lambda cells: check_figure_row(cells, refs),
        lambda found: (found["ref"], found.get("period"), found["group_name"]),
        ("period", "this indicator, period and group is in an earlier row"),
    )
