"""Tables of many teams' scores with pandas: heatmaps, the council view's tables, trends.
No Flask, no database.

These arrange stored scores into frames; every figure in them (an average, a quartile, a band,
a change) comes from `assess.assessment.scoring`, the one place each rule is written.
"""

from __future__ import annotations

from typing import cast

import pandas as pd

from assess.assessment.questionnaire import Questionnaire
from assess.assessment.scoring import (
    OVERALL,
    PUBLISHED,
    band_counts,
    change_since,
    council_average,
    too_few_teams,
)
from assess.assessment.scoring import spread as score_spread

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


def with_team_scores(
    frame: pd.DataFrame, scores_by_team: dict[int, dict[str, float | None]], columns: dict[str, str]
) -> pd.DataFrame:
    """The frame with more score columns, read from each team's scores: `columns` maps each new
    column to the key of the score it holds (a team without that score has none)."""
    added = frame.copy()
    for column, key in columns.items():
        added[column] = [scores_by_team.get(team_id, {}).get(key) for team_id in added["team_id"]]
        added[column] = added[column].astype(float)
    return added


def statement_frame(rows: list[dict], statement_keys: list[str]) -> pd.DataFrame:
    """Teams (rows) by statements (columns) of levels, from (team..., statement_key, score)
    rows: the drill-down beneath one value. Sorted by directorate, team."""
    frame = pd.DataFrame(rows, columns=[*HEATMAP_ID_COLUMNS, "statement_key", "score"])
    wide = frame.pivot_table(
        index=HEATMAP_ID_COLUMNS, columns="statement_key", values="score", aggfunc="first"
    )
    wide = wide.reindex(columns=statement_keys).reset_index()
    wide.columns.name = None
    return wide.sort_values(["directorate", "team"], kind="stable").reset_index(drop=True)


def calibration(rows: list[dict], questionnaire: Questionnaire) -> list[dict]:
    """Where business improvement moderated teams' levels, per section (value): each moderated
    answer with the difference (team's level minus the moderated one) and each directorate's
    average difference. `rows`: team, directorate, statement_key, level, moderated_level."""
    section = questionnaire.section_dimension
    by_value = []
    for member in section.members:
        moderated = [
            {
                **row,
                "statement": questionnaire.statement(row["statement_key"]).text,
                "difference": row["level"] - row["moderated_level"],
            }
            for row in rows
            if questionnaire.statement(row["statement_key"]).tags.get(section.key) == member.key
        ]
        directorates: dict[str, list[int]] = {}
        for row in moderated:
            directorates.setdefault(row["directorate"], []).append(row["difference"])
        by_value.append(
            {
                "member": member,
                "rows": moderated,
                "directorates": {d: council_average(v) for d, v in sorted(directorates.items())},
            }
        )
    return by_value


def sort_heatmap(frame: pd.DataFrame, column: str | None, descending: bool = True) -> pd.DataFrame:
    """Keep directorate groups together; within each, order teams by a column (or by name)."""
    if column is None or column not in frame.columns:
        return frame
    order = frame.sort_values(
        ["directorate", column, "team"],
        ascending=[True, not descending, True],
        na_position="last",
        kind="stable",
    )
    return order.reset_index(drop=True)


def column_averages(frame: pd.DataFrame, columns: list[str]) -> dict[str, float | None]:
    """The average row of a table of teams: each column's council average over the teams shown."""
    return {
        column: council_average(frame[column].tolist()) if column in frame.columns else None
        for column in columns
    }


def average_rows(
    council: pd.DataFrame,
    shown: pd.DataFrame,
    columns: list[str],
    directorate: str = "",
    small_group: int = 0,
) -> list[dict]:
    """The average rows under a table of teams, each saying what it holds.

    `council` is every team the page could show (all directorates), `shown` the teams on the
    page; both carry a `status`. The council average counts signed-off teams only, as published;
    so does a directorate's; when submitted teams are shown, a last row averages every team
    shown and says so. Within one directorate, an average resting on fewer than `small_group`
    teams is not shown, whatever it counts.
    """
    rows = [_average_row("Council average", published(council), columns)]
    if directorate:
        rows.append(_average_row(f"{directorate} average", published(shown), columns))
    if not shown.empty and set(shown["status"]) - set(PUBLISHED):
        rows.append(_average_row("All teams shown, submitted included", shown, columns))
    for row in rows[1:]:
        if row["teams"] == 0:
            row["note"] = "No signed-off teams yet"
        elif directorate and too_few_teams(row["teams"], small_group):
            row["averages"] = dict.fromkeys(columns)
            row["note"] = f"Not shown: fewer than {small_group} teams"
    return rows


def published(frame: pd.DataFrame) -> pd.DataFrame:
    """The teams whose figures are published: signed off."""
    return frame[frame["status"].isin(PUBLISHED)] if not frame.empty else frame


def _average_row(label: str, frame: pd.DataFrame, columns: list[str]) -> dict:
    teams = frame["team_id"].nunique() if not frame.empty else 0
    signed_off = published(frame)["team_id"].nunique() if not frame.empty else 0
    return {
        "label": label,
        "teams": teams,
        "signed_off": signed_off,
        "submitted": teams - signed_off,
        "averages": column_averages(frame, columns),
        "note": "",
    }


def directorate_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many teams each directorate's figures rest on (small groups are flagged)."""
    return cast(dict[str, int], frame.groupby("directorate")["team_id"].nunique().to_dict())


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
        figures = score_spread(frame[member].tolist() if member in frame.columns else [])
        rows.append(
            [
                member,
                figures.teams,
                figures.minimum,
                figures.lower_quartile,
                figures.median,
                figures.upper_quartile,
                figures.maximum,
                figures.mean,
            ]
        )
    return pd.DataFrame(rows, columns=SPREAD_COLUMNS)


def level_bands(frame: pd.DataFrame, members: list[str], levels: tuple[int, ...]) -> pd.DataFrame:
    """How many teams score in each level band (a score rounds half up to its band)."""
    rows = []
    for member in members:
        counts = band_counts(frame[member].tolist() if member in frame.columns else [], levels)
        rows.append([member, *[counts[level] for level in levels]])
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
    changes = [
        change_since(now, before, threshold)
        for now, before in zip(joined[column], joined[f"{column}_previous"], strict=True)
    ]
    joined["change"] = [change.delta for change in changes]
    joined["verdict"] = [change.verdict for change in changes]
    up = joined[joined["verdict"] == "improved"].sort_values("change", ascending=False)
    down = joined[joined["verdict"] == "declined"].sort_values("change")
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

    `points`: round, opens_on, member, score (an average from `scoring`, already rounded);
    `comparable[(round, member)]` says whether that round can be compared with the one before it.
    """
    frame = pd.DataFrame(points, columns=["round", "opens_on", "member", "score"])
    frame = frame.sort_values(["member", "opens_on"]).reset_index(drop=True)
    frame["comparable"] = [
        comparable.get((r, m), True) for r, m in zip(frame["round"], frame["member"], strict=True)
    ]
    frame["segment"] = (~frame["comparable"]).groupby(frame["member"]).cumsum().astype(int)
    return frame
