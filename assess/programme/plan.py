"""Action plan and scrutiny rules: the statutory response deadline, what is overdue, what changed
this quarter, the RAG summary and how teams' improvement actions roll up under a corporate action.

Pure functions over plain values; no Flask, no database. Dates are `datetime.date`; rows are
mappings as the store returns them (dates as ISO text).
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from assess.programme.indicators import FigureRowError, cell_text, check_table

RAG = {"red": "Red", "amber": "Amber", "green": "Green"}
RAG_TAGS = {"red": "red", "amber": "yellow", "green": "green"}
SOURCES = {
    "strategy": "The strategy itself",
    "gap": "A team's gap",
    "risk": "A risk",
    "eqia": "An equality impact assessment",
    "scrutiny": "A scrutiny recommendation",
}
RESPONSES = {
    "accepted": "Accepted",
    "partially_accepted": "Partially accepted",
    "rejected": "Rejected",
}
RESPONSE_MONTHS = 2  # Local Government Act 2000, s. 9FE: two months from the date received
PROGRESS_MONTHS = 12  # "a further update on progress at the end of year 1"


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later; the month's last day when it is shorter
    (31 December + 2 months is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def response_due(received_on: date) -> date:
    """When the Cabinet's response to a scrutiny recommendation is due: two calendar months
    after the date the report or recommendations were received."""
    return add_months(received_on, RESPONSE_MONTHS)


def progress_due(responded_on: date) -> date:
    """When the progress update a response promises is due: a year after the response."""
    return add_months(responded_on, PROGRESS_MONTHS)


def as_date(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


class DateError(ValueError):
    """Text that is not a date."""


DATE_HINT = "Enter a date like 31/3/2025"


def parse_date(text: str | None) -> date:
    """A date typed as 31/3/2025 (day first, as the council writes it) or 2025-03-31; DateError
    says how to write one."""
    cleaned = (text or "").strip()
    try:
        if "/" in cleaned:
            day, month, year = (p.strip() for p in cleaned.split("/"))
            if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
                raise ValueError(cleaned)
            found = date(int(year), int(month), int(day))
        else:
            found = date.fromisoformat(cleaned)
    except (ValueError, OverflowError):
        raise DateError(DATE_HINT) from None
    if not 2000 <= found.year <= 2099:
        raise DateError(f"{DATE_HINT}, in a year from 2000 to 2099")
    return found


def short_date(text: str | None) -> str:
    """A stored date as a form field shows it, and parse_date reads back: 31/3/2025."""
    found = as_date(text)
    return "" if found is None else f"{found.day}/{found.month}/{found.year}"


@dataclass(frozen=True)
class ScrutinyStatus:
    """A recommendation's deadlines as its pages show them."""

    response_due: date
    response_overdue: bool  # no response, and its deadline has passed
    responded_late: bool  # answered after its deadline
    progress_due: date | None  # a year after an accepted (or partly accepted) response
    progress_update_due: bool  # that date has come


def scrutiny_status(recommendation: Mapping, today: date) -> ScrutinyStatus:
    received = as_date(recommendation["received_on"])
    assert received is not None
    due = response_due(received)
    responded = as_date(recommendation.get("responded_on"))
    answered = bool(recommendation.get("response")) and responded is not None
    progress = None
    if answered and recommendation["response"] != "rejected":
        assert responded is not None
        progress = progress_due(responded)
    return ScrutinyStatus(
        due,
        not answered and today > due,
        answered and responded is not None and responded > due,
        progress,
        progress is not None and today >= progress,
    )


def overdue_milestones(milestones: Iterable[Mapping], today: date) -> list[Mapping]:
    """Milestones past their due date and not done, the longest overdue first."""
    late = [m for m in milestones if not m.get("done_on") and m["due_on"] < today.isoformat()]
    return sorted(late, key=lambda m: (m["due_on"], m.get("title", "")))


def quarter_start(today: date) -> date:
    """The first day of the financial quarter `today` is in (April, July, October, January)."""
    month = ((today.month - 1) // 3) * 3 + 1
    return date(today.year, month, 1)


def changed_this_quarter(rows: Iterable[Mapping], field: str, today: date) -> list[Mapping]:
    """The rows whose `field` (a date or timestamp) falls in `today`'s quarter, up to today."""
    start, end = quarter_start(today).isoformat(), today.isoformat()
    return [r for r in rows if r.get(field) and start <= r[field][:10] <= end]


def rag_summary(actions: Iterable[Mapping]) -> dict[str, int]:
    """How many actions are red, amber and green, in that order."""
    counts = Counter(a["rag"] for a in actions)
    return {key: counts.get(key, 0) for key in RAG}


@dataclass(frozen=True)
class RollUp:
    """Teams' improvement actions serving a corporate action."""

    total: int
    done: int

    @property
    def open(self) -> int:
        return self.total - self.done


def roll_up(improvement_actions: Iterable[Mapping]) -> RollUp:
    statuses = [a["status"] for a in improvement_actions]
    return RollUp(len(statuses), statuses.count("done"))


def by_area_and_strand(
    actions: Iterable[Mapping],
    areas: Iterable[tuple[str, str]],
    strands: Iterable[tuple[str, str]],
) -> list[tuple[str, list[tuple[str, list[Mapping]]]]]:
    """The plan as Cabinet reads it: each readiness area (in the questionnaire's order) with its
    actions under each strand (no strand last), each by reference."""
    area_names, strand_names = dict(areas), dict(strands)
    grouped: dict[str, dict[str, list[Mapping]]] = {}
    for found in sorted(actions, key=lambda a: a["ref"]):
        grouped.setdefault(found["readiness_area"], {}).setdefault(
            found["strand"] or "", []
        ).append(found)
    order = [a for a in area_names if a in grouped] + sorted(
        a for a in grouped if a not in area_names
    )
    plan = []
    for area in order:
        by_strand = grouped[area]
        keys = [s for s in strand_names if s in by_strand]
        keys += sorted(s for s in by_strand if s not in strand_names and s)
        keys += [""] if "" in by_strand else []
        plan.append(
            (
                area_names.get(area, area),
                [(strand_names.get(s, s) or "No strand", by_strand[s]) for s in keys],
            )
        )
    return plan


# --- actions from a file ------------------------------------------------------------------------

ACTION_COLUMNS = {
    "ref": "Reference",
    "title": "Action",
    "readiness_area": "Readiness area",
    "strand": "Strand",
    "lead_officer": "Lead officer",
    "lead_member": "Lead member",
    "rag": "RAG",
    "rag_reason": "RAG reason",
}
REQUIRED_ACTION_COLUMNS = ("ref", "title", "readiness_area")
MAX_REF = 40
MAX_TITLE = 300
MAX_NAME = 200
MAX_TEXT = 2_000


def _choice(text: str, choices: Mapping[str, str]) -> str | None:
    """A key of `choices` typed as the key or its name, in any case."""
    wanted = text.strip().lower()
    for key, name in choices.items():
        if wanted in (key.lower(), name.lower()):
            return key
    return None


def check_action_row(
    cells: Mapping[str, object], areas: Mapping[str, str], strands: Mapping[str, str]
) -> tuple[dict, list]:
    """One row of an action plan file: what to store, and (field, message) for each mistake.
    An area or strand may be given by its key or its name."""
    text = {field: cell_text(cells.get(field)) for field in ACTION_COLUMNS}
    found: dict = {k: text[k] for k in ("ref", "title", "lead_officer", "lead_member")}
    found["rag_reason"] = text["rag_reason"]
    errors = []
    for field, what in (("ref", "a reference"), ("title", "what the action is")):
        if not text[field]:
            errors.append((field, f"Enter {what}"))
    area = _choice(text["readiness_area"], areas)
    if area is None:
        errors.append(("readiness_area", f"Enter one of: {', '.join(areas.values())}"))
    found["readiness_area"] = area or ""
    strand = _choice(text["strand"], strands) if text["strand"] else ""
    if strand is None:
        errors.append(("strand", f"Leave it blank or enter one of: {', '.join(strands.values())}"))
    found["strand"] = strand or ""
    rag = _choice(text["rag"], RAG) if text["rag"] else "green"
    if rag is None:
        errors.append(("rag", "Enter Red, Amber or Green"))
    found["rag"] = rag or "green"
    limits = (
        ("ref", MAX_REF),
        ("title", MAX_TITLE),
        ("lead_officer", MAX_NAME),
        ("lead_member", MAX_NAME),
        ("rag_reason", MAX_TEXT),
    )
    for field, most in limits:
        if len(text[field]) > most:
            errors.append((field, f"must be {most:,} characters or fewer"))
    return found, errors


def check_actions(
    table: list[dict], areas: Mapping[str, str], strands: Mapping[str, str]
) -> tuple[list[dict], list[FigureRowError]]:
    """Every row of an action plan file, read as a figures file is (one import path): the
    actions to add or change (by reference), and every mistake by row and column."""
    return check_table(
        table,
        ACTION_COLUMNS,
        REQUIRED_ACTION_COLUMNS,
        lambda cells: check_action_row(cells, areas, strands),
        lambda found: found["ref"],
        ("ref", "this reference is in an earlier row"),
    )
