"""The performance indicators as a team's results and the council view read them: the
indicators, and where self-assessed area scores and those indicators disagree."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from assess import store
from assess.programme import indicators as rules
from assess.store import programme as programme_store

AREA_DIMENSION = "readiness_area"  # the questionnaire dimension an indicator's area belongs to


def all_indicators() -> list[rules.Summary]:
    """Every indicator, summarised as the indicators' list does."""
    db = store.get_db()
    values = programme_store.values_by_indicator(db)
    return [
        rules.summary(found, values.get(found["id"], []))
        for found in programme_store.indicators(db)
    ]


def team_indicators(team_id: int) -> list[rules.Summary]:
    """The indicators whose team is this team."""
    return [s for s in all_indicators() if s.indicator["team_id"] == team_id]


def evidence_against(
    scores: Mapping[str, float | None], summaries: list[rules.Summary]
) -> list[rules.Mismatch]:
    """Where a team's self-assessed area scores and its indicators disagree."""
    return rules.mismatches(
        scores,
        summaries,
        current_app.config["RATED_HIGH_SCORE"],
        current_app.config["RISK_LOW_SCORE"],
    )
