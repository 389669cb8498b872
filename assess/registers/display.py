"""Risks and EqIAs as every page shows them, for the register's own pages and a team's results:
a risk's scores, bands and direction of travel, the questionnaire links point into, and the
entries linked to a team's weakest areas."""

from __future__ import annotations

from datetime import date

from flask import current_app

from assess import store
from assess.assessment.questionnaire import Questionnaire
from assess.assessment.scoring import PUBLISHED
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
    return risk.scored_risk(r, s, histories.get(r["id"], []), today())


def scored_risks() -> list[dict]:
    """Every risk in the register as pages show it (scores, bands, direction, overdue)."""
    db = store.get_db()
    s = settings()
    histories = register_store.score_histories(db)
    return [decorate(r, s, histories) for r in register_store.risks(db)]


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


def area_scores(round_id: int, q: Questionnaire) -> dict[tuple[str, str], dict[int, float]]:
    """(dimension, member) -> team id -> score in a round, statements included (their level).
    Signed-off assessments only, as every published figure."""
    db = store.get_db()
    scores: dict[tuple[str, str], dict[int, float]] = {}
    for row in store.round_scores(db, round_id, PUBLISHED):
        if row["dimension"] in ("readiness_area", "value") and row["score"] is not None:
            scores.setdefault((row["dimension"], row["member"]), {})[row["team_id"]] = row["score"]
    for team_id, statement_key, level, _ in store.round_answers(db, round_id, PUBLISHED):
        if level is not None:
            scores.setdefault(("statement", statement_key), {})[team_id] = level
    return scores


def proposal(q: Questionnaire, round_: dict, dimension: str, member: str, team_id: int | None):
    """What raising a proposed risk from a low score in one area (a team's, or the council's)
    would write, its reference left blank; NotFound if the team has no signed-off score there."""
    db = store.get_db()
    scores = area_scores(round_["id"], q).get((dimension, member), {})
    if team_id is not None and team_id not in scores:
        raise store.NotFound(f"team {team_id} has no signed-off score there")
    finding = risk.Finding(
        area=registers_io.link_name(q, dimension, member),
        round_name=round_["name"],
        scores=scores,
        low_score=current_app.config["RISK_LOW_SCORE"],
        team_id=team_id,
        team_name=store.team(db, team_id)["name"] if team_id is not None else "",
    )
    fields = risk.proposed_risk(finding, settings(), "", today())
    fields["source_round_id"] = round_["id"]
    return fields


def raise_proposed_risk(
    q: Questionnaire, round_: dict, dimension: str, member: str, team_id: int | None, user_id: int
) -> tuple[dict, bool]:
    """Raise a proposed risk from a low score in one area, linked to that area: the risk (id
    and ref), and whether it is new. The same finding raised again returns the risk it raised
    before, while that is still proposed or open."""
    db = store.get_db()
    fields = proposal(q, round_, dimension, member, team_id)
    with store.write(db):
        earlier = register_store.raised_from(db, round_["id"], team_id, q.id, (dimension, member))
        if earlier:
            return earlier, False
        fields["ref"] = risk.next_reference(register_store.existing_refs(db, "risk"))
        risk_id = register_store.add_risk(db, fields, user_id, status="proposed")
        register_store.add_link(db, "risk", risk_id, q.id, dimension, member, user_id)
    return {"id": risk_id, "ref": fields["ref"]}, True


def exposure_figures(q: Questionnaire, round_: dict) -> dict:
    """The "risks exposed by low maturity" page: open risks ranked by how many signed-off teams
    score low where they link (with the council average and its trend), and the weak areas."""
    db = store.get_db()
    low = current_app.config["RISK_LOW_SCORE"]
    now_scores = area_scores(round_["id"], q)
    before = store.round_before(store.get_db(), round_)
    links = {
        risk_id: [
            (
                link["dimension"],
                link["member"],
                registers_io.link_name(q, link["dimension"], link["member"]),
            )
            for link in rows
        ]
        for risk_id, rows in register_store.all_links(db, "risk", q.id).items()
    }
    ranked = risk.exposure(
        scored_risks(),
        links,
        now_scores,
        area_scores(before["id"], q) if before else {},
        low,
        current_app.config["CHANGE_THRESHOLD"],
    )
    areas = [
        (dimension, member.key, registers_io.link_name(q, dimension, member.key))
        for dimension in ("readiness_area", "value")
        for member in q.dimension(dimension).members
    ]
    return {"ranked": ranked, "weak_areas": risk.weak_areas(areas, now_scores, low)}
