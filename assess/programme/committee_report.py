"""The committee report for a round: an appendix for Cabinet or scrutiny, built as a plain model
(a title, provenance and sections of paragraphs, tables and charts) from figures other rules
already worked out. The HTML page and the Word document are two renderings of one `Report`, so
they cannot disagree; this module formats numbers once and computes none.

Pure: no Flask, no store. `committee_figures.gather` reads the figures; each section is a small
function of `ReportData` returning a `Section` (or None to leave it out), and `SECTIONS` lists
them in the order the report prints them. A new section is one more function and one more entry in
`SECTIONS`, with the data it reads added to `ReportData`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from assess.programme import indicators as indicator_rules
from assess.programme import plan as plan_rules
from assess.registers.rules import Exposure

# --- the model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table with one header row; `numeric` marks the columns of numbers (right-aligned)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()

    def is_numeric(self, column: int) -> bool:
        return column < len(self.numeric) and self.numeric[column]


@dataclass(frozen=True)
class Figure:
    """A chart: `chart` names it (the dimension it draws), `png` is its picture when the
    renderer has drawn it (for the document), `drawn` whether the page can show it."""

    chart: str
    alt: str
    caption: str
    drawn: bool = False
    png: bytes | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Report:
    title: str
    round_name: str
    provenance: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    author: str = ""
    created: datetime | None = None


# --- the figures it is built from ---------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """Whether a chart is drawn, and its PNG if the caller read it."""

    drawn: bool
    png: bytes | None = None


@dataclass(frozen=True)
class DimensionFigures:
    """One dimension (corporate values, readiness areas) as the council view has it."""

    key: str
    name: str  # singular: "Corporate value"
    members: tuple[tuple[str, str], ...]  # (key, name)
    levels: tuple[tuple[int, str], ...]  # (level, name)
    teams: int
    spread: tuple[Mapping, ...]  # tables.spread as records
    bands: tuple[Mapping, ...]  # tables.level_bands as records
    directorates: tuple[Mapping, ...]  # tables.average_rows' rows: label, teams, averages, note
    picture: Picture = Picture(False)


@dataclass(frozen=True)
class ReportData:
    round_name: str
    generated_at: datetime  # in UTC
    generated_by: str
    rules_version: str
    questionnaire: str
    counts: Mapping[str, int]  # scoring.status_counts
    overall: float | None
    top_level: int
    dimensions: tuple[DimensionFigures, ...]
    small_group: int
    previous_round: str | None
    threshold: float
    up: tuple[Mapping, ...]
    down: tuple[Mapping, ...]
    low_score: float
    exposure: tuple[Exposure, ...]
    weak_areas: tuple[Mapping, ...]
    review_prompts: tuple[Mapping, ...]
    indicator_prompts: tuple[Mapping, ...]
    indicators: tuple[indicator_rules.Summary, ...]
    mismatches: tuple[indicator_rules.Mismatch, ...]
    area_names: Mapping[str, str] = field(default_factory=dict)
    actions: tuple[Mapping, ...] = ()  # the action plan's corporate actions
    overdue: tuple[Mapping, ...] = ()  # plan.overdue_milestones
    recommendations: tuple[tuple[Mapping, plan_rules.ScrutinyStatus], ...] = ()


# --- formatting, once ---------------------------------------------------------------------------


def score(value: float | None) -> str:
    """A score as the council view shows it: two places, blank for none."""
    return "" if value is None or value != value else f"{value:.2f}"


def signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}"


def when(moment: datetime) -> str:
    """A UTC time as the report states it: "30 November 2026 02:10 UTC"."""
    return f"{moment.day} {moment:%B %Y %H:%M} UTC"


def day(value: date | None) -> str:
    """A date as GOV.UK writes it: 28 February 2026."""
    return "" if value is None else f"{value.day} {value:%B %Y}"


def plural(name: str) -> str:
    return name + "s"


def _outcome(prompt: Mapping) -> str:
    if prompt.get("resolved_at"):
        return f"Done: {prompt['outcome']} ({prompt.get('resolved_by_name') or 'unknown'})"
    return "Not yet reviewed"


# --- the sections -------------------------------------------------------------------------------


def summary(data: ReportData) -> Section:
    counts = data.counts
    taking_part = (
        f"{counts['teams']} teams took part in {data.round_name}: {counts['signed_off']} signed "
        f"off, {counts['submitted']} submitted and waiting for sign-off, and "
        f"{counts['outstanding']} not yet submitted."
    )
    overall = (
        f"The council average overall score is {score(data.overall)} out of {data.top_level}, "
        f"from {counts['signed_off']} signed-off teams."
        if data.overall is not None
        else "No team is signed off yet, so there is no council average."
    )
    rows = (
        ("Signed off", str(counts["signed_off"])),
        ("Submitted, waiting for sign-off", str(counts["submitted"])),
        ("Not yet submitted", str(counts["outstanding"])),
        ("Teams taking part", str(counts["teams"])),
    )
    return Section(
        "Summary",
        paragraphs=(
            taking_part,
            overall,
            "Every score and average in this report counts signed-off assessments only, as "
            "published.",
        ),
        tables=(Table("Teams taking part, by status", ("Status", "Teams"), rows, (False, True)),),
    )


SPREAD_HEADER = ("Teams", "Lowest", "Lower quartile", "Median", "Upper quartile", "Highest")
SPREAD_KEYS = ("minimum", "lower_quartile", "median", "upper_quartile", "maximum", "mean")


def _dimension_picture(d: DimensionFigures, round_name: str) -> Section:
    names = dict(d.members)
    things = plural(d.name)
    spread = Table(
        f"{things}: spread across teams",
        (d.name, *SPREAD_HEADER, "Average"),
        tuple(
            (names[r["member"]], str(r["teams"]), *(score(r[k]) for k in SPREAD_KEYS))
            for r in d.spread
        ),
        (False, *[True] * 7),
    )
    bands = Table(
        f"{things}: how many teams score at each level",
        (d.name, *(f"{level} {name}" for level, name in d.levels)),
        tuple(
            (names[r["member"]], *(str(r[str(level)]) for level, _ in d.levels)) for r in d.bands
        ),
        (False, *[True] * len(d.levels)),
    )
    figure = Figure(
        d.key,
        f"Radar chart of the council’s median {things.lower()} with the lower and upper "
        f"quartiles across {d.teams} teams in {round_name}. The table below gives the same "
        "numbers.",
        f"The middle team’s score (median) for each {d.name.lower()}, and the quartiles: half "
        f"of the {d.teams} teams score between the two outer lines.",
        d.picture.drawn,
        d.picture.png,
    )
    if not d.teams:
        return Section(things, paragraphs=("No signed-off assessments to show yet.",))
    return Section(things, figures=(figure,), tables=(spread, bands))


def council_picture(data: ReportData) -> Section:
    return Section(
        "The council picture",
        paragraphs=(
            "How signed-off teams’ scores spread for each corporate value and readiness area: "
            "the council average, the spread across teams, and how many teams score at each "
            "level (a score rounds half up to its level).",
        ),
        subsections=tuple(_dimension_picture(d, data.round_name) for d in data.dimensions),
    )


def directorates(data: ReportData) -> Section:
    subsections = []
    for d in data.dimensions:
        keys = [key for key, _ in d.members] + ["overall"]
        rows = tuple(
            (
                row["label"],
                str(row["teams"]),
                *(score(row["averages"].get(k)) for k in keys),
                row["note"],
            )
            for row in d.directorates
        )
        subsections.append(
            Section(
                plural(d.name),
                tables=(
                    Table(
                        f"{plural(d.name)}: average by directorate",
                        ("Directorate", "Teams", *(n for _, n in d.members), "Overall", "Note"),
                        rows,
                        (False, *[True] * (len(keys) + 1), False),
                    ),
                ),
            )
        )
    return Section(
        "Directorates",
        paragraphs=(
            "Each directorate’s average over its signed-off teams. An average resting on fewer "
            f"than {data.small_group} teams is not shown, so no small team can be picked out.",
        ),
        subsections=tuple(subsections),
    )


def movement(data: ReportData) -> Section:
    if data.previous_round is None:
        return Section(
            "Movement since the last round",
            paragraphs=("There is no earlier round to compare with.",),
        )
    header = ("Team", "Directorate", data.previous_round, data.round_name, "Change")
    tables = tuple(
        Table(
            f"Teams whose overall score {verb} by at least {data.threshold:g}",
            header,
            tuple(
                (
                    r["team"],
                    r["directorate"],
                    score(r["overall_previous"]),
                    score(r["overall"]),
                    signed(r["change"]),
                )
                for r in rows
            ),
            (False, False, True, True, True),
        )
        for verb, rows in (("rose", data.up), ("fell", data.down))
        if rows
    )
    return Section(
        f"Movement since {data.previous_round}",
        paragraphs=(
            f"Teams whose overall score changed by at least {data.threshold:g} of a level since "
            f"{data.previous_round}, those that moved most first."
            + ("" if tables else " No team’s score changed by that much."),
        ),
        tables=tables,
    )


def risks(data: ReportData) -> Section:
    low = f"{data.low_score:g}"
    ranked = tuple(
        (
            f"{e.risk['ref']}: {e.risk['title']}",
            f"{e.risk.get('current_score') or ''} {e.risk.get('current_band') or ''}".strip(),
            f"{e.teams_below} of {e.teams_scored}",
            "; ".join(
                f"{link['name'].rstrip('.')}: {link['teams_below']} below, average "
                f"{score(link['average']) or 'none'}, {link['trend'].lower()}"
                for link in e.links
            ),
        )
        for e in data.exposure
    )
    tables = []
    if ranked:
        tables.append(
            Table(
                f"Linked risks ranked by the number of teams below {low}",
                ("Risk", "Current score", f"Teams below {low}", "Linked areas"),
                ranked,
                (False, False, True, False),
            )
        )
    if data.weak_areas:
        tables.append(
            Table(
                f"Areas and values where teams score below {low}",
                ("Area or value", f"Teams below {low}"),
                tuple((a["name"], f"{a['below']} of {a['teams']}") for a in data.weak_areas),
                (False, True),
            )
        )
    paragraphs = [
        "Risks in the register linked to readiness areas, values or statements, ranked by how "
        f"many signed-off teams score below {low} in any area the risk links to. The trend "
        "compares the council average with the round before."
    ]
    if not ranked:
        paragraphs.append("No risk is linked to an area, value or statement yet.")
    if not data.weak_areas:
        paragraphs.append(f"No team scores below {low} in any area or value.")
    return Section("Risks exposed by low maturity", tuple(paragraphs), tables=tuple(tables))


def equality(data: ReportData) -> Section:
    tables = []
    if data.review_prompts:
        tables.append(
            Table(
                "Reviews prompted by Inclusion & Respect scores",
                ("EqIA", "Why a review is prompted", "Outcome"),
                tuple(
                    (f"{p['ref']}: {p['title']}", p["reason"], _outcome(p))
                    for p in data.review_prompts
                ),
            )
        )
    if data.indicator_prompts:
        tables.append(
            Table(
                "Reviews prompted by performance indicators’ figures by group",
                ("EqIA", "Group", "Why a review is prompted", "Outcome"),
                tuple(
                    (f"{p['ref']}: {p['title']}", p["group_name"], p["reason"], _outcome(p))
                    for p in data.indicator_prompts
                ),
            )
        )
    paragraphs = [
        "Equality impact assessments whose review was prompted: by a low or falling Inclusion & "
        f"Respect score in {data.round_name}, or by a group’s indicator figure missing its target."
    ]
    if not tables:
        paragraphs.append("No review of an equality impact assessment was prompted.")
    return Section("Equality impact assessments to review", tuple(paragraphs), tables=tuple(tables))


def indicators(data: ReportData) -> Section:
    rules = indicator_rules
    rows = []
    for s in data.indicators:
        i = s.indicator
        area = data.area_names.get(i["readiness_area"], i["readiness_area"])
        name = f"{i['ref']} {i['name']}"
        if s.latest is None:
            rows.append((name, area, "", "", "", "No figure for everyone yet", ""))
            continue
        rows.append(
            (
                name,
                area,
                s.latest.period,
                rules.figure(s.latest.value, i["unit"]),
                rules.figure(s.latest.target, i["unit"]),
                rules.MET_WORDS[s.latest.met],
                rules.describe_change(s.latest.since_previous, i["unit"]),
            )
        )
    paragraphs = [
        "The strategy’s indicators, with the latest figure for everyone, against target: "
        "evidence to read beside the council’s self-assessed readiness scores."
    ]
    for m in data.mismatches:
        area = data.area_names.get(m.area, m.area)
        refs = ", ".join(e.indicator["ref"] for e in m.evidence)
        if m.high:
            paragraphs.append(
                f"The council’s average is {score(m.score)} on {area}, but {refs} "
                f"{'misses its' if len(m.evidence) == 1 else 'miss their'} latest target."
            )
        else:
            paragraphs.append(
                f"The council’s average is {score(m.score)} on {area}, yet {refs} "
                f"{'meets its' if len(m.evidence) == 1 else 'meet their'} latest target: the "
                "self-assessment may be too modest."
            )
    if not rows:
        return Section(
            "Performance indicators against target",
            ("No performance indicator is kept yet.",),
        )
    table = Table(
        "The strategy’s performance indicators",
        (
            "Indicator",
            "Readiness area",
            "Latest period",
            "Figure",
            "Target",
            "Target met",
            "Since the previous period",
        ),
        tuple(rows),
        (False, False, False, True, True, False, False),
    )
    return Section("Performance indicators against target", tuple(paragraphs), tables=(table,))


def action_plan(data: ReportData) -> Section | None:
    if not data.actions:
        return None
    counts = plan_rules.rag_summary(data.actions)
    late: dict[str, int] = {}
    for milestone in data.overdue:
        late[milestone["ref"]] = late.get(milestone["ref"], 0) + 1
    summary_line = ", ".join(f"{n} {plan_rules.RAG[key].lower()}" for key, n in counts.items())
    paragraphs = [f"{len(data.actions)} corporate actions: {summary_line}."]
    if data.overdue:
        paragraphs.append(
            f"{len(data.overdue)} milestone{'' if len(data.overdue) == 1 else 's'} past "
            "due and not done."
        )
    rows = tuple(
        (
            f"{a['ref']} {a['title']}",
            data.area_names.get(a["readiness_area"], a["readiness_area"]),
            a["lead_officer"],
            plan_rules.RAG[a["rag"]],
            a["rag_reason"],
            str(late.get(a["ref"], 0)),
        )
        for a in data.actions
    )
    table = Table(
        "The action plan: each corporate action’s status",
        ("Action", "Readiness area", "Lead officer", "RAG", "Reason", "Milestones overdue"),
        rows,
        (False, False, False, False, False, True),
    )
    return Section("The action plan", tuple(paragraphs), tables=(table,))


def scrutiny(data: ReportData) -> Section | None:
    if not data.recommendations:
        return None
    rows = []
    for r, status in data.recommendations:
        if r["response"]:
            response = plan_rules.RESPONSES[r["response"]]
            if status.responded_late:
                response += " (after the deadline)"
        else:
            response = "Overdue" if status.response_overdue else "Awaiting response"
        progress = ""
        if status.progress_due is not None:
            progress = day(status.progress_due)
            if status.progress_update_due:
                progress += " (due now)"
        rows.append(
            (
                r["recommendation"],
                f"{r['committee']}: {r['report_title']}",
                day(plan_rules.as_date(r["received_on"])),
                day(status.response_due),
                response,
                progress,
            )
        )
    overdue = sum(1 for _, status in data.recommendations if status.response_overdue)
    paragraphs = [
        f"{len(rows)} scrutiny recommendation{'' if len(rows) == 1 else 's'}; a response is "
        "due two calendar months after the recommendation is received."
        + (f" {overdue} {'is' if overdue == 1 else 'are'} overdue." if overdue else "")
    ]
    table = Table(
        "Scrutiny recommendations and the responses to them",
        (
            "Recommendation",
            "Committee and report",
            "Received",
            "Response due",
            "Response",
            "Progress update due",
        ),  # fmt: skip
        tuple(rows),
        (False, False, False, False, False, False),
    )
    return Section("Scrutiny recommendations", tuple(paragraphs), tables=(table,))


# The report's sections, in order.
SECTIONS: tuple[Callable[[ReportData], Section | None], ...] = (
    summary,
    council_picture,
    directorates,
    movement,
    risks,
    equality,
    indicators,
    action_plan,
    scrutiny,
)


def build(
    data: ReportData,
    sections: Sequence[Callable[[ReportData], Section | None]] = SECTIONS,
) -> Report:
    """The report: each section function's section, in order, leaving out those with none."""
    built = tuple(s for make in sections if (s := make(data)) is not None)
    return Report(
        title=f"Culture maturity and readiness: committee report, {data.round_name}",
        round_name=data.round_name,
        provenance=(
            ("Round", data.round_name),
            ("Questionnaire", data.questionnaire),
            ("Scoring rules version", data.rules_version),
            ("Figures", "Signed-off assessments only, as published"),
            ("Generated", f"{when(data.generated_at)} by {data.generated_by}"),
        ),
        sections=built,
        author=data.generated_by,
        created=data.generated_at,
    )
