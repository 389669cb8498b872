"""Scoring rules: answers -> scores -> every figure a page shows. Pure; no Flask, no database.

Every aggregate a user reads (a team's score per member, the council and a directorate's average,
median and quartiles, level bands, change since the last round, "weak" below the low score, and
how many teams are at each status) is computed here and only here; pages, charts, heatmaps,
exports, the API, round packs and the CLI all call these functions.

The rules (version `RULES_VERSION`, stored with every computed score):
- A dimension member's score (a value, a readiness area, ...) is the weighted mean of the levels
  of its answered statements; the overall score is the weighted mean over every answered statement.
- "Not applicable" answers and unanswered statements are left out: they never count as zero.
  With nothing answered the score is None ("no score"), never 0.
- Rounding: a score is rounded half up to 2 decimal places, once, at the end. Arithmetic before
  it is exact (decimals, not binary floats), so 2.345 rounds to 2.35 wherever it is computed.
- The council average for a round is the mean of the teams' scores, each team counting once; teams
  with no score for a member are left out of that member's average. A directorate's average is
  the same rule over its teams. Published figures count signed-off assessments only.
- Median and quartiles interpolate linearly between teams' scores (as a spreadsheet's QUARTILE.INC
  does), then round. A score's level band is its level rounded half up (2.5 is in band 3).
- A team is weak in an area when its score there is below the low score (`RISK_LOW_SCORE`).
- A change since the previous round is "improved" or "declined" only when it is at least the
  threshold (default half a level); anything smaller is "no meaningful change".
- A readiness review area's score is the weighted mean of the points of its answered checks
  (points per answer are set in the review's file: Yes 5, Partly 3, No 1); "not applicable" and
  unanswered checks are left out, as for statements. It sits beside, never inside, the
  self-assessed readiness score.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from assess.assessment.questionnaire import Questionnaire, Statement
from assess.readiness.checks import NOT_APPLICABLE, Review

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


def _exact(value: float) -> Decimal:
    """The decimal a float was written as (2.35, not 2.35000000000000008882)."""
    return Decimal(repr(value))


def _round_exact(value: Fraction | Decimal) -> float:
    """Round an exact number half up (away from zero) to 2 places: the one rounding step."""
    hundredths = math.floor(abs(Fraction(value)) * 100 + Fraction(1, 2))
    return (hundredths if value >= 0 else -hundredths) / 100


def round_score(value: float) -> float:
    """Round half up to 2 decimal places (Python's round() would round half to even)."""
    return _round_exact(_exact(value))


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Mean of (level, weight) pairs, rounded; None for no pairs."""
    total = weight_sum = Decimal(0)
    for level, weight in pairs:
        total += _exact(level) * _exact(weight)
        weight_sum += _exact(weight)
    return _round_exact(Fraction(total) / Fraction(weight_sum)) if weight_sum else None


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


def _score(statements: Iterable[Statement], answers: Mapping[str, Answer]) -> Score:
    pairs: list[tuple[float, float]] = []
    not_applicable = unanswered = 0
    for statement in statements:
        answer = answers.get(statement.key)
        if answer is not None and answer.not_applicable:
            not_applicable += 1
        elif answer is None or answer.level is None:
            unanswered += 1
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


def review_scores(review: Review, answers: Mapping[str, str]) -> dict[str, Score]:
    """Each area's readiness review score, then the overall one (last), from the answers by
    check key ("yes", "partly", "no", "not-applicable"; a check left out is unanswered)."""
    points = {a.key: a.points for a in review.answers}
    for check_key, answer in answers.items():
        if check_key not in {c.key for c in review.checks}:
            raise ScoringError(f"'{check_key}' is not a check of {review.id}")
        if answer != NOT_APPLICABLE and answer not in points:
            raise ScoringError(f"'{answer}' is not an answer of {review.id}")

    def score(checks: Iterable) -> Score:
        pairs: list[tuple[float, float]] = []
        not_applicable = unanswered = 0
        for check in checks:
            answer = answers.get(check.key)
            if answer == NOT_APPLICABLE:
                not_applicable += 1
            elif answer is None:
                unanswered += 1
            else:
                pairs.append((points[answer], check.weight))
        return Score(weighted_mean(pairs), len(pairs), not_applicable, unanswered)

    scores = {area.key: score(review.checks_in(area.key)) for area in review.areas}
    scores[OVERALL] = score(review.checks)
    return scores


def council_average(team_scores: Iterable[float | None]) -> float | None:
    """Mean of the teams' scores for one member, each team once; teams without a score left out.
    A directorate's average, or the average row of any table of teams, is this same rule."""
    total, count = Decimal(0), 0
    for score in team_scores:
        if score is not None and score == score:  # NaN (pandas' missing) is no score too
            total += _exact(score)
            count += 1
    return _round_exact(Fraction(total) / count) if count else None


@dataclass(frozen=True)
class Spread:
    """How teams' scores for one member spread: the council view's table and chart."""

    teams: int
    minimum: float | None
    lower_quartile: float | None
    median: float | None
    upper_quartile: float | None
    maximum: float | None
    mean: float | None


def _quantile(ordered: Sequence[Decimal], fraction: Fraction) -> Fraction:
    position = fraction * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    low, high = Fraction(ordered[below]), Fraction(ordered[above])
    return low + (high - low) * (position - below)


def spread(team_scores: Iterable[float | None]) -> Spread:
    """Count, minimum, quartiles, median, maximum and mean of the teams' scores for one member."""
    present = [score for score in team_scores if score is not None and score == score]
    if not present:
        return Spread(0, None, None, None, None, None, None)
    ordered = sorted(_exact(score) for score in present)
    q = {i: _round_exact(_quantile(ordered, Fraction(i, 4))) for i in (0, 1, 3, 4)}
    return Spread(len(present), q[0], q[1], median(present), q[3], q[4], council_average(present))


def median(scores: Iterable[float | None]) -> float | None:
    """The median of the scores (exact, then rounded once): `spread`'s, and every figure that
    needs nothing else of the spread. Floats sort as the decimals they were written as, so only
    the middle one or two are made exact."""
    ordered = sorted(score for score in scores if score is not None and score == score)
    if not ordered:
        return None
    low, high = _exact(ordered[(len(ordered) - 1) // 2]), _exact(ordered[len(ordered) // 2])
    return _round_exact(Fraction(low + high) / 2)  # a decimal sum of two scores is exact


def level_band(score: float, levels: Sequence[int]) -> int:
    """The level a score counts as: rounded half up, kept on the scale."""
    band = math.floor(_exact(score) + Decimal("0.5"))
    return max(levels[0], min(levels[-1], band))


def band_counts(team_scores: Iterable[float | None], levels: Sequence[int]) -> dict[int, int]:
    """How many teams score in each level band (teams without a score left out)."""
    counts = Counter(
        level_band(score, levels) for score in team_scores if score is not None and score == score
    )
    return {level: counts[level] for level in levels}


def is_weak(score: float | None, low_score: float) -> bool:
    """A team is weak in an area when it scores below the low score there."""
    return score is not None and score == score and _exact(score) < _exact(low_score)


def too_few_teams(teams: int, minimum: int) -> bool:
    """A group's average resting on fewer than `minimum` teams is not shown (it would all but name
    them); 0 means no minimum (the council as a whole, or one team's own figures)."""
    return 0 < teams < minimum


STATUSES = ("not_started", "draft", "returned", "submitted", "signed_off")
OUTSTANDING = ("not_started", "draft", "returned")
PUBLISHED = ("signed_off",)  # the statuses published figures count


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many teams in a round's scope are at each status (one status per team), with the
    outstanding ones (not yet submitted) and the total. Every page that counts teams uses this."""
    counts = Counter(statuses)
    result = {status: counts[status] for status in STATUSES}
    result["outstanding"] = sum(result[status] for status in OUTSTANDING)
    result["teams"] = sum(counts.values())
    return result


def change_since(
    current: float | None, previous: float | None, threshold: float = DEFAULT_CHANGE_THRESHOLD
) -> Change:
    """Call a change improved or declined only when it reaches the threshold."""
    if current is None or previous is None:
        return Change(None, "no comparison")
    delta = _round_exact(_exact(current) - _exact(previous))
    if delta >= threshold:
        return Change(delta, "improved")
    if delta <= -threshold:
        return Change(delta, "declined")
    return Change(delta, "no meaningful change")
