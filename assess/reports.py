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


def team_scores(answers: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """Each team's score per dimension member and overall, from a frame of ANSWER_COLUMNS.

    Works on a teams x statements matrix of levels (NaN where unanswered or not applicable),
    so one round of 10,000 teams is a few array operations rather than a group-by per member.
    """
    keys = [s.key for s in questionnaire.statements]
    answered = answers[answers["level"].notna() & (answers["not_applicable"] == 0)]
    statement_codes = pd.Categorical(answered["statement_key"], categories=keys).codes
    answered = answered[statement_codes >= 0]
    statement_codes = statement_codes[statement_codes >= 0]
    team_codes, team_ids = pd.factorize(answered["team_id"])
    levels = np.full((len(team_ids), len(keys)), np.nan)
    levels[team_codes, statement_codes] = answered["level"].to_numpy(dtype=float)
    present = ~np.isnan(levels)
    weights = np.array([s.weight for s in questionnaire.statements])
    members = [
        (
            d.key,
            m.key,
            [i for i, s in enumerate(questionnaire.statements) if s.tags.get(d.key) == m.key],
        )
        for d in questionnaire.dimensions
        for m in d.members
    ] + [(OVERALL, OVERALL, list(range(len(keys))))]
    frames = []
    for dimension, member, columns in members:
        weight = present[:, columns] * weights[columns]
        total = np.nansum(levels[:, columns] * weights[columns], axis=1)
        weight_sum = weight.sum(axis=1)
        count = present[:, columns].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = total / weight_sum
        has = count > 0
        frames.append(
            pd.DataFrame(
                {
                    "team_id": team_ids[has],
                    "dimension": dimension,
                    "member": member,
                    "score": round_scores(score[has]),
                    "answered": count[has],
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[SCORE_COLUMNS]


def council_average(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean of team scores per dimension member, each team once, with the number of teams."""
    if scores.empty:
        return pd.DataFrame(columns=["dimension", "member", "score", "teams"])
    averaged = scores.groupby(["dimension", "member"], sort=False).agg(
        score=("score", "mean"), teams=("team_id", "nunique")
    )
    averaged["score"] = round_scores(averaged["score"])
    return averaged.reset_index()


HEATMAP_ID_COLUMNS = ["team_id", "team", "directorate", "status"]


def heatmap_frame(rows: list[dict], members: list[str]) -> pd.DataFrame:
    """Teams (rows) by members of one dimension (columns) plus overall, from stored score rows.

    `rows` are one round's scores (team_id, team, directorate, status, dimension, member, score),
    already limited to the dimension wanted and the overall score. Sorted by directorate, team.
    """
    frame = pd.DataFrame(rows, columns=[*HEATMAP_ID_COLUMNS, "dimension", "member", "score"])
    frame = frame[frame["member"].isin([*members, OVERALL])]
    wide = frame.pivot_table(
        index=HEATMAP_ID_COLUMNS, columns="member", values="score", aggfunc="first"
    )
    wide = wide.reindex(columns=[*members, OVERALL]).reset_index()
    wide.columns.name = None
    return wide.sort_values(["directorate", "team"], kind="stable").reset_index(drop=True)


def sort_heatmap(frame: pd.DataFrame, column: str | None, descending: bool = True) -> pd.DataFrame:
    """Keep directorate groups together; within each, order teams by a column (or by name)."""
    if column not in frame.columns:
        return frame
    order = frame.sort_values(
        ["directorate", column, "team"],
        ascending=[True, not descending, True],
        na_position="last",
        kind="stable",
    )
    return order.reset_index(drop=True)


def column_averages(frame: pd.DataFrame, columns: list[str]) -> dict[str, float | None]:
    """The council average row: each column's mean over the teams shown, rounded like scores."""
    result = {}
    for column in columns:
        values = frame[column].dropna()
        result[column] = (
            None if values.empty else float(round_scores(pd.Series([values.mean()]))[0])
        )
    return result


def directorate_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many teams each directorate's figures rest on (small groups are flagged)."""
    return frame.groupby("directorate")["team_id"].nunique().to_dict()


SPREAD_COLUMNS = [
    "member",
    "teams",
    "minimum",
    "lower_quartile",
    "median",
    "upper_quartile",
    "maximum",
    "mean",
]


def spread(frame: pd.DataFrame, members: list[str]) -> pd.DataFrame:
    """How teams' scores spread for each member: count, quartiles and the mean."""
    rows = []
    for member in members:
        values = frame[member].dropna() if member in frame.columns else pd.Series(dtype=float)
        if values.empty:
            rows.append([member, 0, *[None] * 6])
            continue
        quartiles = values.quantile([0, 0.25, 0.5, 0.75, 1]).tolist()
        rows.append(
            [
                member,
                len(values),
                *[float(round_scores(pd.Series([q]))[0]) for q in [*quartiles, values.mean()]],
            ]
        )
    return pd.DataFrame(rows, columns=SPREAD_COLUMNS)


def level_bands(frame: pd.DataFrame, members: list[str], levels: tuple[int, ...]) -> pd.DataFrame:
    """How many teams score in each level band (a score rounds half up to its band)."""
    rows = []
    for member in members:
        values = frame[member].dropna() if member in frame.columns else pd.Series(dtype=float)
        bands = np.floor(values + 0.5).clip(levels[0], levels[-1])
        rows.append([member, *[int((bands == level).sum()) for level in levels]])
    return pd.DataFrame(rows, columns=["member", *[str(level) for level in levels]])


def movers(
    current: pd.DataFrame, previous: pd.DataFrame, column: str, threshold: float, count: int = 5
) -> tuple[list[dict], list[dict]]:
    """Teams whose score moved most since the previous round, up and down, beyond a threshold."""
    if current.empty or previous.empty:
        return [], []
    joined = (
        current[["team_id", "team", "directorate", column]]
        .merge(previous[["team_id", column]], on="team_id", suffixes=("", "_previous"))
        .dropna(subset=[column, f"{column}_previous"])
    )
    joined["change"] = round_scores(joined[column] - joined[f"{column}_previous"])
    up = joined[joined["change"] >= threshold].sort_values("change", ascending=False)
    down = joined[joined["change"] <= -threshold].sort_values("change")
    return up.head(count).to_dict("records"), down.head(count).to_dict("records")


def comparable_members(
    before: Questionnaire, after: Questionnaire, dimension: str
) -> dict[str, bool]:
    """Whether each member's scores can be compared across two questionnaire versions: the same
    statements (by their stable keys) count towards it, on the same scale."""
    if before.version == after.version:
        return {m.key: True for m in after.dimension(dimension).members}
    same_scale = before.levels == after.levels
    result = {}
    for member in after.dimension(dimension).members:
        keys_before = {s.key for s in before.statements_in(dimension, member.key)}
        keys_after = {s.key for s in after.statements_in(dimension, member.key)}
        result[member.key] = same_scale and keys_before == keys_after
    return result


def trend(points: list[dict], comparable: dict[tuple[str, str], bool]) -> pd.DataFrame:
    """Scores across rounds, one row per (round, member), in segments: a new segment starts
    where the questionnaire changed a member's statements, so no line joins rounds that cannot
    be compared.

    `points`: round, opens_on, member, score; `comparable[(round, member)]` says whether that
    round can be compared with the one before it.
    """
    frame = pd.DataFrame(points, columns=["round", "opens_on", "member", "score"])
    frame = frame.sort_values(["member", "opens_on"]).reset_index(drop=True)
    frame["comparable"] = [
        comparable.get((r, m), True) for r, m in zip(frame["round"], frame["member"], strict=True)
    ]
    frame["segment"] = (~frame["comparable"]).groupby(frame["member"]).cumsum().astype(int)
    frame["score"] = round_scores(frame["score"])
    return frame
