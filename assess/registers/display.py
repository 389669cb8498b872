"""Risks and EqIAs as every page shows them, for the register's own pages and a team's results:
a risk's scores, bands and direction of travel, the questionnaire links point into, and the
entries linked to a team's weakest areas."""

from __future__ import annotations

from datetime import date

from flask import current_app

from assess import store
from assess.assessment.questionnaire import Questionnaire
from assess.registers import entries as registers_io
from assess.registers import rules as risk
from assess.store import registers as register_store

DEFAULT_QUESTIONNAIRE = "cex-culture-maturity"


def settings() -> risk.RiskSettings:
    return risk.settings_from(current_app.config)


def link_questionnaire() -> Questionnaire:
    """The questionnaire links point into: the current round's, or the CEX one."""
    db = store.get_db()
    loaded = current_app.extensions["questionnaires"]
    current = store.current_round(db)
    if current:
        for q in loaded.values():
            if q.version == current["questionnaire_version"]:
                return q
        return store.questionnaire_version(db, current["questionnaire_version"])
    return loaded.get(DEFAULT_QUESTIONNAIRE) or next(iter(loaded.values()))


def today() -> str:
    return date.today().isoformat()


def decorate(r: dict, s: risk.RiskSettings, histories: dict[int, list[int]]) -> dict:
    """A risk with its scores, bands and direction of travel, as every page shows it."""
    out = dict(r)
    for stage in ("inherent", "current", "target"):
        value = r[f"{stage}_likelihood"] * r[f"{stage}_impact"]
        out[f"{stage}_score"] = value
        out[f"{stage}_band"] = risk.band(min(value, s.top), s)
    out["direction"] = risk.direction_of_travel(histories.get(r["id"], []))
    out["overdue"] = bool(r["next_review_on"]) and r["next_review_on"] < today()
    return out


def linked_to_weakest(q: Questionnaire, scores: dict, gap_keys) -> dict:
    """What a team's results page lists: its weakest areas and values, and the open risks and
    EqIAs linked to them (or to a statement among its gaps). `scores`: dimension -> member ->
    score."""
    weak = risk.weakest(
        {d: m for d, m in scores.items() if d in ("readiness_area", "value")},
        current_app.config["RISK_LOW_SCORE"],
    )
    targets = weak | {("statement", k) for k in gap_keys}
    db = store.get_db()
    s = settings()
    histories = register_store.score_histories(db)
    found = register_store.linked_to(db, "risk", q.id, targets)
    return {
        "weakest": sorted(
            (
                {
                    "target": f"{d}:{m}",
                    "name": registers_io.link_name(q, d, m),
                    "score": scores[d][m],
                }
                for d, m in weak
            ),
            key=lambda w: (w["score"], w["name"]),
        ),
        "risks": sorted(
            (decorate(r, s, histories) for r in found), key=lambda r: -r["current_score"]
        ),
        "eqias": register_store.linked_to(db, "eqia", q.id, targets),
        "low": current_app.config["RISK_LOW_SCORE"],
    }
