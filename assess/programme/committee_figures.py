"""The one glue function behind the committee report: it reads every figure from the function
that already works it out (the council view's, the directorate averages', the registers', the
indicators') and hands them, as plain data, to the pure report model."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app, g

from assess import store
from assess.assessment.scoring import OVERALL, PUBLISHED, RULES_VERSION, status_counts
from assess.programme import committee_report as model
from assess.programme import plan as plan_rules
from assess.programme.figures import AREA_DIMENSION, all_indicators, evidence_against
from assess.registers.display import exposure_figures
from assess.rounds import tables
from assess.rounds.figures import council_figures, spread_radar
from assess.store import plan as plan_store
from assess.store import programme as programme_store
from assess.store import registers as register_store
from assess.web import pictures


def _directorate_rows(frame, members: list[str], small_group: int) -> tuple[dict, ...]:
    """The council average, then each directorate's, as the heatmap's average rows give them."""
    columns = [*members, OVERALL]
    if frame.empty:
        return ()
    rows = [tables.average_rows(frame, frame, columns)[0]]
    for name in sorted(frame["directorate"].unique()):
        shown = frame[frame["directorate"] == name]
        rows.append(tables.average_rows(frame, shown, columns, name, small_group)[1])
    return tuple(rows)


def gather(round_: dict, picture_format: str) -> model.ReportData:
    """Everything the committee report shows for a round, signed-off assessments only.
    `picture_format` "svg": which charts the page can show; "png": the pictures themselves, for
    the document (charts not drawn yet are asked for either way)."""
    db = store.get_db()
    config = current_app.config
    figures = council_figures(round_, PUBLISHED)
    questionnaire = figures["questionnaire"]
    charts = {
        d["dimension"].key: spread_radar(
            questionnaire, d["dimension"].key, d["spread"], round_["name"]
        )
        for d in figures["dimensions"]
        if d["teams"]
    }
    if picture_format == "png":
        pngs = pictures.drawn_pictures(charts, "png")
        shown = {key: model.Picture(body is not None, body) for key, body in pngs.items()}
    else:
        shown = {key: model.Picture(drawn) for key, drawn in pictures.shown(charts).items()}
        pictures.shown(charts, "png")  # asks for the document's pictures, for a download next
    dimensions = tuple(
        model.DimensionFigures(
            key=d["dimension"].key,
            name=d["dimension"].name,
            members=tuple((m.key, m.name) for m in d["dimension"].members),
            levels=tuple((level.level, level.name) for level in questionnaire.scale),
            teams=d["teams"],
            spread=tuple(d["spread"]),
            bands=tuple(d["bands"]),
            directorates=_directorate_rows(
                d["frame"], [m.key for m in d["dimension"].members], config["SMALL_GROUP_TEAMS"]
            ),
            picture=shown.get(d["dimension"].key, model.Picture(False)),
        )
        for d in figures["dimensions"]
    )
    areas = next((d for d in figures["dimensions"] if d["dimension"].key == AREA_DIMENSION), None)
    averages = {row["member"]: row["mean"] for row in areas["spread"]} if areas else {}
    indicators = all_indicators()
    actions = plan_store.corporate_actions(db)
    today = date.today()
    exposed = exposure_figures(questionnaire, round_)
    return model.ReportData(
        round_name=round_["name"],
        generated_at=datetime.now(UTC),
        generated_by=f"{g.user['name']} ({store.ROLE_NAMES[g.user['role']]})",
        rules_version=RULES_VERSION,
        questionnaire=f"{questionnaire.title}, version {round_['questionnaire_version'][:12]}",
        counts=status_counts(r["status"] for r in store.completion(db, round_["id"])),
        overall=figures["overall"],
        top_level=questionnaire.levels[-1],
        dimensions=dimensions,
        small_group=config["SMALL_GROUP_TEAMS"],
        previous_round=figures["previous"]["name"] if figures["previous"] else None,
        threshold=config["CHANGE_THRESHOLD"],
        up=tuple(figures["up"]),
        down=tuple(figures["down"]),
        low_score=config["RISK_LOW_SCORE"],
        exposure=tuple(exposed["ranked"]),
        weak_areas=tuple(exposed["weak_areas"]),
        review_prompts=tuple(
            p for p in register_store.review_prompts(db) if p["round_id"] == round_["id"]
        ),
        indicator_prompts=tuple(programme_store.indicator_prompts(db)),
        indicators=tuple(indicators),
        mismatches=tuple(evidence_against(averages, indicators)),
        area_names=areas["names"] if areas else {},
        actions=tuple(actions),
        overdue=tuple(plan_rules.overdue_milestones(plan_store.milestones(db), today)),
        recommendations=tuple(
            (r, plan_rules.scrutiny_status(r, today)) for r in plan_store.recommendations(db)
        ),
    )
