"""Scoring rules: answers -> scores. Pure functions; no Flask, no database.

The rules (version `RULES_VERSION`, stored with every computed score):
- A dimension member's score (a value, a readiness area, ...) is the weighted mean of the levels
  of its answered statements; the overall score is the weighted mean over every answered statement.
- "Not applicable" answers and unanswered statements are left out: they never count as zero.
  With nothing answered the score is None ("no score"), never 0.
- Rounding: a score is rounded half up to 2 decimal places, once, at the end.
- The council average for a round is the mean of the teams' scores, each team counting once; teams
  with no score for a member are left out of that member's average.
- A change since the previous round is "improved" or "declined" only when it is at least the
  threshold (default half a level); anything smaller is "no meaningful change".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assess.questionnaire import Questionnaire

RULES_VERSION = "2026.1"
OVERALL = "overall"
DEFAULT_CHANGE_THRESHOLD = 0.5


class ScoringError(ValueError):
    """Answers that do not fit the questionnaire they claim to answer."""


@dataclass(frozen=True)
class Answer:
    statement_key: str
    level: int | None = None
    not_applicable: bool = False


@dataclass(frozen=True)
class Score:
    mean: float | None  # None: nothing answered, so no score
    answered: int
    not_applicable: int
    unanswered: int


@dataclass(frozen=True)
class ScoreRow:
    """One stored score: a member of a dimension (or the overall score) of one assessment."""

    dimension: str
    member: str
    score: Score


@dataclass(frozen=True)
class Change:
    delta: float | None
    verdict: str  # "improved", "declined", "no meaningful change" or "no comparison"


def round_score(value: float) -> float:
    """Round half up to 2 decimal places (Python's round() would round half to even)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Mean of (level, weight) pairs, rounded; None for no pairs."""
    total = weight_sum = 0.0
    for level, weight in pairs:
        total += level * weight
        weight_sum += weight
    return round_score(total / weight_sum) if weight_sum else None


def _check(questionnaire: Questionnaire, answers: Iterable[Answer]) -> dict[str, Answer]:
    by_key: dict[str, Answer] = {}
    levels = set(questionnaire.levels)
    known = {s.key for s in questionnaire.statements}
    for answer in answers:
        if answer.statement_key not in known:
            raise ScoringError(f"'{answer.statement_key}' is not a statement of {questionnaire.id}")
        if answer.not_applicable and answer.level is not None:
            raise ScoringError(f"'{answer.statement_key}' is both not applicable and answered")
        if not answer.not_applicable and answer.level is not None and answer.level not in levels:
            raise ScoringError(
                f"level {answer.level} for '{answer.statement_key}' is not on the scale "
                f"{min(levels)}-{max(levels)}"
            )
        by_key[answer.statement_key] = answer
    return by_key


def _score(statements, answers: Mapping[str, Answer]) -> Score:
    pairs, not_applicable, unanswered = [], 0, 0
    for statement in statements:
        answer = answers.get(statement.key)
        if answer is None or (answer.level is None and not answer.not_applicable):
            unanswered += 1
        elif answer.not_applicable:
            not_applicable += 1
        else:
            pairs.append((answer.level, statement.weight))
    return Score(weighted_mean(pairs), len(pairs), not_applicable, unanswered)


def score_assessment(questionnaire: Questionnaire, answers: Iterable[Answer]) -> list[ScoreRow]:
    """Score every member of every dimension, then the overall score (last)."""
    by_key = _check(questionnaire, answers)
    rows = [
        ScoreRow(
            dimension.key,
            member.key,
            _score(questionnaire.statements_in(dimension.key, member.key), by_key),
        )
        for dimension in questionnaire.dimensions
        for member in dimension.members
    ]
    rows.append(ScoreRow(OVERALL, OVERALL, _score(questionnaire.statements, by_key)))
    return rows


def council_average(team_scores: Iterable[float | None]) -> float | None:
    """Mean of the teams' scores for one member, each team once; teams without a score left out."""
    present = [score for score in team_scores if score is not None]
    return round_score(sum(present) / len(present)) if present else None


def change_since(
    current: float | None, previous: float | None, threshold: float = DEFAULT_CHANGE_THRESHOLD
) -> Change:
    """Call a change improved or declined only when it reaches the threshold."""
    if current is None or previous is None:
        return Change(None, "no comparison")
    delta = round_score(current - previous)
    if delta >= threshold:
        return Change(delta, "improved")
    if delta <= -threshold:
        return Change(delta, "declined")
    return Change(delta, "no meaningful change")
