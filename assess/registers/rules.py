"""The risk register and EqIA rules: scores, RAG bands, the matrix, direction of travel, groups,
which areas are weak and which risks low maturity exposes.

Pure functions over plain values and a `RiskSettings`; no Flask, no database. Councils score
risks differently, so the matrix size, its labels and the band thresholds are settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from assess.assessment.scoring import change_since, council_average, is_weak

RESPONSES = ("Treat", "Tolerate", "Transfer", "Terminate")
RISK_STATUSES = {"proposed": "Proposed", "open": "Open", "closed": "Closed"}
ACTION_STATUSES = {"not_started": "Not started", "in_progress": "In progress", "done": "Done"}
# Where a proposed risk stands before it joins the register.
PROPOSAL_STATES = {
    "needs_owner": "Needs an owner",
    "awaiting": "Waiting for its owner to accept it",
    "declined": "Declined by its owner: choose another owner",
}
# Roles that may own a risk (an auditor only reads) and the role that may decide for any owner.
OWNER_ROLES = ("team_lead", "business_improvement", "administrator")
DECIDES_FOR_ANY_OWNER = "administrator"
# The corporate value whose low or falling score calls for a review of the linked EqIAs.
INCLUSION_VALUE = ("value", "inclusion-respect")
BANDS = ("Green", "Amber", "Red")

# The Equality Act 2010's nine protected characteristics; local groups are a setting.
PROTECTED_CHARACTERISTICS = (
    "Age",
    "Disability",
    "Gender reassignment",
    "Marriage and civil partnership",
    "Pregnancy and maternity",
    "Race",
    "Religion or belief",
    "Sex",
    "Sexual orientation",
)
IMPACTS = ("Positive", "Neutral", "Negative", "Unknown")
SEVERITIES = ("High", "Medium", "Low")
SCREENING_OUTCOMES = ("Full assessment needed", "No full assessment needed")

# What a link may point at: a member of one of these questionnaire dimensions, or one statement.
LINK_DIMENSIONS = {
    "readiness_area": "Readiness area",
    "value": "Corporate value",
    "statement": "Statement",
}


class RiskSettingsError(ValueError):
    """The risk settings contradict each other; the message says which setting to change."""


class RiskScoreError(ValueError):
    """A likelihood or impact off the matrix."""


@dataclass(frozen=True)
class RiskSettings:
    """The matrix: `size` by `size`, labels for each step, and the top score of green and amber
    (anything above amber is red)."""

    size: int = 5
    likelihood_labels: tuple[str, ...] = (
        "Rare",
        "Unlikely",
        "Possible",
        "Likely",
        "Almost certain",
    )
    impact_labels: tuple[str, ...] = ("Negligible", "Minor", "Moderate", "Major", "Severe")
    green_max: int = 4
    amber_max: int = 12

    def __post_init__(self) -> None:
        if self.size < 2:
            raise RiskSettingsError(f"RISK_MATRIX_SIZE must be at least 2, not {self.size}")
        for name, labels in (
            ("RISK_LIKELIHOOD_LABELS", self.likelihood_labels),
            ("RISK_IMPACT_LABELS", self.impact_labels),
        ):
            if len(labels) != self.size:
                raise RiskSettingsError(
                    f"{name} needs {self.size} labels, one per step of the matrix, "
                    f"not {len(labels)}"
                )
        if not 1 <= self.green_max < self.amber_max < self.size * self.size:
            raise RiskSettingsError(
                f"RISK_GREEN_MAX ({self.green_max}) must be below RISK_AMBER_MAX "
                f"({self.amber_max}), which must be below the top score {self.size * self.size}"
            )

    @property
    def top(self) -> int:
        return self.size * self.size

    def band_ranges(self) -> list[tuple[str, int, int]]:
        """Each band with the lowest and highest scores the matrix can actually give it."""
        possible = sorted({li * im for li in self.steps for im in self.steps})
        ranges = []
        for name, low, high in (
            ("Green", 1, self.green_max),
            ("Amber", self.green_max + 1, self.amber_max),
            ("Red", self.amber_max + 1, self.top),
        ):
            inside = [s for s in possible if low <= s <= high]
            if inside:
                ranges.append((name, inside[0], inside[-1]))
        return ranges

    @property
    def steps(self) -> range:
        return range(1, self.size + 1)


def settings_from(config: Mapping) -> RiskSettings:
    """The settings from the app's config (the RISK_* keys)."""
    return RiskSettings(
        size=int(config["RISK_MATRIX_SIZE"]),
        likelihood_labels=tuple(config["RISK_LIKELIHOOD_LABELS"]),
        impact_labels=tuple(config["RISK_IMPACT_LABELS"]),
        green_max=int(config["RISK_GREEN_MAX"]),
        amber_max=int(config["RISK_AMBER_MAX"]),
    )


def score(likelihood: int, impact: int, settings: RiskSettings) -> int:
    """Likelihood times impact; both must be steps of the matrix."""
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if value not in settings.steps:
            raise RiskScoreError(f"The {name} must be a whole number from 1 to {settings.size}")
    return likelihood * impact


def band(risk_score: int, settings: RiskSettings) -> str:
    """Green, Amber or Red for a score."""
    if not 1 <= risk_score <= settings.top:
        raise RiskScoreError(f"A risk score must be from 1 to {settings.top}, not {risk_score}")
    if risk_score <= settings.green_max:
        return "Green"
    if risk_score <= settings.amber_max:
        return "Amber"
    return "Red"


def direction_of_travel(scores: list[int]) -> str:
    """From the score history, oldest first: is the risk getting better or worse?"""
    if len(scores) < 2:
        return "New"
    if scores[-1] < scores[-2]:
        return "Improving"
    if scores[-1] > scores[-2]:
        return "Worsening"
    return "No change"


def matrix_frame(cells: Iterable[tuple[int, int]], settings: RiskSettings) -> pd.DataFrame:
    """One row per cell of the matrix (every cell, even empty ones) with how many risks sit in
    it: likelihood, impact, their labels, score, band, count."""
    counts: dict[tuple[int, int], int] = {}
    for likelihood, impact in cells:
        score(likelihood, impact, settings)
        counts[(likelihood, impact)] = counts.get((likelihood, impact), 0) + 1
    rows = [
        (
            li,
            im,
            settings.likelihood_labels[li - 1],
            settings.impact_labels[im - 1],
            li * im,
            band(li * im, settings),
            counts.get((li, im), 0),
        )
        for li in settings.steps
        for im in settings.steps
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "likelihood",
            "impact",
            "likelihood_label",
            "impact_label",
            "score",
            "band",
            "count",
        ],
    )


def eqia_groups(local_groups: Iterable[str]) -> tuple[str, ...]:
    """The groups every EqIA covers: the protected characteristics, then the council's own."""
    extra = [g for g in local_groups if g not in PROTECTED_CHARACTERISTICS]
    return PROTECTED_CHARACTERISTICS + tuple(dict.fromkeys(extra))


def weakest(
    scores: Mapping[str, Mapping[str, float | None]], low_score: float
) -> set[tuple[str, str]]:
    """(dimension, member) pairs a team is weakest in: every member below `low_score`, and the
    lowest-scoring member of each dimension even when nothing is that low."""
    weak = set()
    for dimension, members in scores.items():
        scored = {k: v for k, v in members.items() if v is not None}
        if not scored:
            continue
        lowest = min(scored.values())
        weak |= {(dimension, k) for k, v in scored.items() if is_weak(v, low_score) or v == lowest}
    return weak


def suggest_likelihood_impact(
    team_score: float, low_score: float, teams_below: int, teams: int, settings: RiskSettings
) -> tuple[int, int]:
    """A starting point for a proposed risk: the further below `low_score`, the likelier; the
    more teams share the weakness, the bigger the impact. The owner decides the real figures."""
    shortfall = max(0.0, low_score - team_score) / max(low_score, 1e-9)
    likelihood = min(settings.size, max(1, round(settings.size * (0.5 + shortfall))))
    share = teams_below / teams if teams else 0.0
    impact = min(settings.size, max(1, round(settings.size * (0.4 + 0.6 * share))))
    return likelihood, impact


def scored_risk(r: Mapping, settings: RiskSettings, history: list[int], today: str) -> dict:
    """A risk with what every page shows of it: each stage's score (likelihood x impact) and
    RAG band, its direction of travel from its score history, and whether its review is
    overdue (`today` as an ISO date)."""
    out = dict(r)
    for stage in ("inherent", "current", "target"):
        value = r[f"{stage}_likelihood"] * r[f"{stage}_impact"]
        out[f"{stage}_score"] = value
        out[f"{stage}_band"] = band(min(value, settings.top), settings)
    out["direction"] = direction_of_travel(history)
    out["overdue"] = bool(r["next_review_on"]) and r["next_review_on"] < today
    return out


RISK_SORTS = ("score", "ref", "review")  # the first is the default


def filter_and_sort(
    risks: list[dict], chosen: Mapping[str, str], overdue: bool, sort: str
) -> tuple[list[dict], str]:
    """The register as filtered (category, owner, current band; overdue reviews) and sorted
    (current score highest first, reference, or next review soonest); and the sort applied."""
    shown = [
        r
        for r in risks
        if (not chosen.get("category") or r["category"] == chosen["category"])
        and (not chosen.get("owner") or r["owner"] == chosen["owner"])
        and (not chosen.get("band") or r["current_band"] == chosen["band"])
        and (not overdue or r["overdue"])
    ]
    sort = sort if sort in RISK_SORTS else RISK_SORTS[0]
    keys = {
        "score": lambda r: (-r["current_score"], r["ref"]),
        "ref": lambda r: r["ref"],
        "review": lambda r: (r["next_review_on"] or "9999", r["ref"]),
    }
    return sorted(shown, key=keys[sort]), sort


@dataclass(frozen=True)
class Finding:
    """What a proposed risk rests on: the signed-off teams' scores in one area of one round, and
    the team it was raised from (None: raised from the council average)."""

    area: str  # as links name it, "Readiness area: Digital access and automation"
    round_name: str
    scores: Mapping[int, float]  # team id -> score
    low_score: float
    team_id: int | None = None
    team_name: str = ""


PROPOSED_PREFIX = "PROP"


def next_reference(taken: Iterable[str], prefix: str = PROPOSED_PREFIX) -> str:
    """The first free reference of the form PROP-01, PROP-02, ..."""
    used = set(taken)
    number = 1
    while f"{prefix}-{number:02d}" in used:
        number += 1
    return f"{prefix}-{number:02d}"


def proposed_risk(finding: Finding, settings: RiskSettings, reference: str, raised_on: str) -> dict:
    """A proposed risk's fields, pre-filled from what led to it: the evidence in words and a
    starting likelihood and impact (the owner decides the real figures)."""
    low = finding.low_score
    below = [t for t, score in finding.scores.items() if is_weak(score, low)]
    counted = len(finding.scores)
    if finding.team_id is not None:
        basis = finding.scores[finding.team_id]
        evidence = (
            f"{finding.team_name} scored {basis:.2f} in {finding.area} in {finding.round_name}, "
            f"below {low:g}. {len(below)} of {counted} signed-off teams score below {low:g} there."
        )
    else:
        average = council_average(finding.scores.values())
        basis = low if average is None else average
        evidence = (
            f"The council average in {finding.area} was {basis:.2f} in {finding.round_name}; "
            f"{len(below)} of {counted} signed-off teams score below {low:g}."
        )
    likelihood, impact = suggest_likelihood_impact(basis, low, len(below), counted, settings)
    area = finding.area.split(": ", 1)[-1]
    return {
        "ref": reference,
        "title": f"Low maturity in {area}",
        "cause": f"Low culture maturity in {area}",
        "event": "Services do not improve where the assessment shows they are weakest",
        "consequence": "Residents get a poorer experience and the strategy's outcomes slip",
        "category": "Culture maturity",
        "owner": "",
        "raised_on": raised_on,
        "inherent_likelihood": likelihood,
        "inherent_impact": impact,
        "current_likelihood": likelihood,
        "current_impact": impact,
        "target_likelihood": max(1, likelihood - 2),
        "target_impact": impact,
        "response": "Treat",
        "source_team_id": finding.team_id,
        "source_evidence": evidence,
    }


@dataclass(frozen=True)
class Exposure:
    """How exposed one linked risk is: the teams below the threshold in the areas it links to."""

    risk: Mapping
    teams_below: int
    teams_scored: int
    links: tuple[dict, ...]  # per link: name, teams_below, average, previous_average, trend


TREND_WORDS = {
    "no comparison": "No earlier round",
    "improved": "Improving",
    "declined": "Falling",
    "no meaningful change": "No meaningful change",
}


def trend(average: float | None, previous: float | None, threshold: float) -> str:
    """The direction of a council average since the round before, in the register's words."""
    return TREND_WORDS[change_since(average, previous, threshold).verdict]


def exposure(
    risks: Iterable[Mapping],
    links: Mapping[int, list[tuple[str, str, str]]],
    team_scores: Mapping[tuple[str, str], Mapping[int, float]],
    previous_scores: Mapping[tuple[str, str], Mapping[int, float]],
    low_score: float,
    change_threshold: float,
) -> list[Exposure]:
    """Risks ranked by how many teams score below `low_score` in any area they link to.

    `links`: risk id -> (dimension, member, name); `team_scores`: (dimension, member) -> team
    id -> score this round; `previous_scores` the same for the round before. A team weak in two
    of a risk's areas counts once."""
    ranked = []
    for risk in risks:
        below: set[int] = set()
        scored: set[int] = set()
        rows = []
        for dimension, member, name in links.get(risk["id"], []):
            now = team_scores.get((dimension, member), {})
            before = previous_scores.get((dimension, member), {})
            weak = {t for t, s in now.items() if is_weak(s, low_score)}
            below |= weak
            scored |= set(now)
            average = council_average(now.values())
            previous = council_average(before.values())
            rows.append(
                {
                    "dimension": dimension,
                    "member": member,
                    "name": name,
                    "teams_below": len(weak),
                    "teams_scored": len(now),
                    "average": average,
                    "previous_average": previous,
                    "trend": trend(average, previous, change_threshold),
                }
            )
        if rows:
            ranked.append(Exposure(risk, len(below), len(scored), tuple(rows)))
    return sorted(ranked, key=lambda e: (-e.teams_below, -(e.risk.get("score") or 0)))


def weak_areas(
    areas: Iterable[tuple[str, str, str]],
    scores: Mapping[tuple[str, str], Mapping[int, float]],
    low_score: float,
) -> list[dict]:
    """The areas (dimension, member, name) where any team is weak, most weak teams first."""
    found = []
    for dimension, member, name in areas:
        teams = scores.get((dimension, member), {})
        below = sum(1 for score in teams.values() if is_weak(score, low_score))
        if below:
            found.append(
                {
                    "target": f"{dimension}:{member}",
                    "name": name,
                    "below": below,
                    "teams": len(teams),
                }
            )
    return sorted(found, key=lambda area: -area["below"])


def needs_eqia_review(
    average: float | None, previous: float | None, low_score: float, change_threshold: float
) -> str | None:
    """Why the Inclusion & Respect score calls for a review of the linked EqIAs, or None."""
    if average is None:
        return None
    if is_weak(average, low_score):
        return f"The council average for Inclusion & Respect is {average:.2f}, below {low_score:g}"
    if change_since(average, previous, change_threshold).verdict == "declined":
        return (
            f"The council average for Inclusion & Respect fell from {previous:.2f} to {average:.2f}"
        )
    return None


def negative_impacts(impacts: Iterable[Mapping]) -> int:
    """How many groups an EqIA finds a negative impact on."""
    return sum(1 for impact in impacts if impact["impact"] == "Negative")


def action_overdue(action: Mapping, today: str) -> bool:
    """An action not yet done whose due date (ISO) has passed."""
    return action["status"] != "done" and bool(action["due_on"]) and action["due_on"] < today


def proposal_state(owner_user_id: int | None, last_decision: str | None) -> str:
    """A key of PROPOSAL_STATES for a proposed risk: who it is waiting for, if anyone.
    `last_decision` is the latest "accepted" or "declined" recorded against it."""
    if owner_user_id is not None:
        return "awaiting"
    return "declined" if last_decision == "declined" else "needs_owner"


def may_decide(user_id: int, role: str, owner_user_id: int | None) -> bool:
    """Only a proposed risk's owner accepts or declines it (an administrator may, for them)."""
    if role not in OWNER_ROLES:  # an auditor changes nothing, even a risk once theirs
        return False
    return role == DECIDES_FOR_ANY_OWNER or (owner_user_id is not None and user_id == owner_user_id)


@dataclass(frozen=True)
class InclusionEvidence:
    """What one signed-off (or submitted) assessment says about Inclusion & Respect: the team's
    score and its score in the round before, and the council average now and in the round before
    (the published figure: signed-off assessments only). Any of them may be missing."""

    team: str
    round_name: str
    score: float | None
    previous: float | None = None
    council_average: float | None = None
    council_previous: float | None = None


def eqia_review_reason(
    evidence: InclusionEvidence, low_score: float, change_threshold: float
) -> str | None:
    """Why this assessment calls for a review of the EqIAs linked to Inclusion & Respect: the
    team's own score is low or fell, or the council average is low or fell. None if no reason."""
    name, score, previous = evidence.team, evidence.score, evidence.previous
    if is_weak(score, low_score):
        return (
            f"{name} scored {score:.2f} for Inclusion & Respect in {evidence.round_name}, "
            f"below {low_score:g}"
        )
    if change_since(score, previous, change_threshold).verdict == "declined":
        return (
            f"{name}'s Inclusion & Respect score fell from {previous:.2f} to {score:.2f} "
            f"in {evidence.round_name}"
        )
    return needs_eqia_review(
        evidence.council_average, evidence.council_previous, low_score, change_threshold
    )


def bears_on_inclusion(
    links: Iterable[tuple[str, str]], inclusion_statements: Iterable[str]
) -> bool:
    """Whether an entry's links (dimension, member) reach Inclusion & Respect: the value itself
    or one of its statements."""
    statements = set(inclusion_statements)
    return any(
        link == INCLUSION_VALUE or (link[0] == "statement" and link[1] in statements)
        for link in links
    )
