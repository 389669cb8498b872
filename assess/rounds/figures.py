"""A round's figures as the council pages and their charts read them, from the store through the
pure tables (`tables.py`): shared by the council view and the renderer that draws it ahead."""

from __future__ import annotations

import pandas as pd
from flask import current_app

from assess import charts, store
from assess.assessment.questionnaire import Questionnaire
from assess.assessment.scoring import OVERALL, PUBLISHED
from assess.rounds import tables
from assess.web.helpers import questionnaire_for

SPREAD_SERIES = ("Council median", "Lower quartile", "Upper quartile")


def round_frame(round_: dict, dimension_key: str, statuses) -> tuple[pd.DataFrame, list[str]]:
    """One row per team with its scores on the dimension's members, and the members' keys."""
    db = store.get_db()
    questionnaire = questionnaire_for(db, round_["questionnaire_version"])
    members = [m.key for m in questionnaire.dimension(dimension_key).members]
    rows = store.round_scores(db, round_["id"], statuses, (dimension_key, OVERALL))
    return tables.heatmap_frame(rows, members), members


def council_figures(round_: dict, statuses) -> dict:
    """The council view's figures for a round: each required dimension's teams (`frame`), spread
    and level bands, the council average overall, and the teams that moved most since the round
    before (the change rule and threshold). The council view and the committee report read them
    from here."""
    db = store.get_db()
    questionnaire = questionnaire_for(db, round_["questionnaire_version"])
    dimensions, frames = [], {}
    for dimension in questionnaire.dimensions:
        if not dimension.required:
            continue
        frame, members = round_frame(round_, dimension.key, statuses)
        frames[dimension.key] = frame
        dimensions.append(
            {
                "dimension": dimension,
                "spread": tables.spread(frame, members).to_dict("records"),
                "bands": tables.level_bands(frame, members, questionnaire.levels).to_dict(
                    "records"
                ),
                "names": {m.key: m.name for m in dimension.members},
                "teams": len(frame),
                "frame": frame,
            }
        )
    section_key = questionnaire.section_dimension.key
    current = frames.get(section_key)
    if current is None:  # a section dimension that is not required
        current = round_frame(round_, section_key, statuses)[0]
    before = store.round_before(store.get_db(), round_)
    previous = (
        round_frame(before, questionnaire.section_dimension.key, statuses)[0]
        if before
        else pd.DataFrame()
    )
    up, down = tables.movers(current, previous, OVERALL, current_app.config["CHANGE_THRESHOLD"])
    return {
        "questionnaire": questionnaire,
        "dimensions": dimensions,
        "overall": tables.column_averages(current, [OVERALL])[OVERALL],
        "up": up,
        "down": down,
        "previous": before,
    }


def council_radar(round_: dict, dimension_key: str, statuses) -> charts.Chart:
    """The council's spread on a dimension: median and quartiles across teams."""
    questionnaire = questionnaire_for(store.get_db(), round_["questionnaire_version"])
    frame, members = round_frame(round_, dimension_key, statuses)
    spread = tables.spread(frame, members).to_dict("records")
    return spread_radar(questionnaire, dimension_key, spread, round_["name"])


def spread_radar(
    questionnaire: Questionnaire, dimension_key: str, spread_rows: list[dict], round_name: str
) -> charts.Chart:
    """The radar of a dimension's spread (`tables.spread` as records) in a round."""
    dimension = questionnaire.dimension(dimension_key)
    spread = {row["member"]: row for row in spread_rows}
    series = [
        charts.Series(name, {key: spread[key][column] for key in spread})
        for name, column in zip(
            SPREAD_SERIES, ("median", "lower_quartile", "upper_quartile"), strict=True
        )
    ]
    return charts.radar(
        [(m.key, m.name) for m in dimension.members],
        series,
        questionnaire.levels,
        title=f"The council: {dimension.name.lower()}s, {round_name}",
        level_names={level.level: level.name for level in questionnaire.scale},
    )


def council_radars(round_id: int) -> list[charts.Chart]:
    """The council view's radars of a round, as published (signed-off assessments only)."""
    db = store.get_db()
    round_ = store.round_(db, round_id)
    questionnaire = questionnaire_for(db, round_["questionnaire_version"])
    return [council_radar(round_, d.key, PUBLISHED) for d in questionnaire.dimensions if d.required]
