"""Council-wide figures with pandas: many teams' answers -> score frames. No Flask, no database.

These follow the rules in `assess.scoring` exactly (the tests check the two agree); they exist
because scoring thousands of teams one by one in Python is too slow for the council views.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assess.questionnaire import Questionnaire
from assess.scoring import OVERALL

ANSWER_COLUMNS = ["team_id", "statement_key", "level", "not_applicable"]
SCORE_COLUMNS = ["team_id", "dimension", "member", "score", "answered"]


def round_scores(values: pd.Series) -> pd.Series:
    """Round half up to 2 places like `scoring.round_score`; 6 places first absorbs float noise."""
    return np.floor(np.round(values * 100, 6) + 0.5) / 100


def statement_tags(questionnaire: Questionnaire) -> pd.DataFrame:
    """One row per (statement, dimension): the member it counts towards, and its weight."""
    rows = [
        (s.key, dimension, member, s.weight)
        for s in questionnaire.statements
        for dimension, member in [*s.tags.items(), (OVERALL, OVERALL)]
    ]
    return pd.DataFrame(rows, columns=["statement_key", "dimension", "member", "weight"])


def team_scores(answers: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """Each team's score per dimension member and overall, from a frame of ANSWER_COLUMNS."""
    answered = answers[answers["level"].notna() & (answers["not_applicable"] == 0)]
    tagged = answered[["team_id", "statement_key", "level"]].merge(
        statement_tags(questionnaire), on="statement_key", how="inner"
    )
    tagged["weighted"] = tagged["level"] * tagged["weight"]
    grouped = tagged.groupby(["team_id", "dimension", "member"], sort=False).agg(
        weighted=("weighted", "sum"), weight=("weight", "sum"), answered=("level", "size")
    )
    grouped["score"] = round_scores(grouped["weighted"] / grouped["weight"])
    return grouped.reset_index()[SCORE_COLUMNS]


def council_average(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean of team scores per dimension member, each team once, with the number of teams."""
    if scores.empty:
        return pd.DataFrame(columns=["dimension", "member", "score", "teams"])
    averaged = scores.groupby(["dimension", "member"], sort=False).agg(
        score=("score", "mean"), teams=("team_id", "nunique")
    )
    averaged["score"] = round_scores(averaged["score"])
    return averaged.reset_index()
