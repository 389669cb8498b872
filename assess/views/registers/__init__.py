"""The risk register and equality impact assessments: lists, entries, links to what the
assessments find, the council's risks exposed by low maturity, import and export.

Business improvement edits; auditors and administrators read everything; a team lead reads the
entries that are linked to areas, values or statements (the ones their results page shows).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, g, url_for
from flask_wtf import FlaskForm

from assess import registers_io, risk, store
from assess.questionnaire import Questionnaire
from assess.store import registers as register_store

bp = Blueprint("registers", __name__, url_prefix="/registers")

EDIT = ("business_improvement",)
READ_ALL = ("business_improvement", "auditor", "administrator")
KIND_NAMES = {"risk": "risk", "eqia": "equality impact assessment"}
SORTS = {"score": "Current score, highest first", "ref": "Ref", "review": "Next review, soonest"}
DEFAULT_QUESTIONNAIRE = "cex-culture-maturity"


class CsrfForm(FlaskForm):
    """Only the CSRF check: the register forms read their fields from request.form."""


@bp.record_once
def _check_settings(state) -> None:
    risk.settings_from(state.app.config)  # contradictory RISK_* settings stop the app at start


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


def link_choices(q: Questionnaire) -> list[tuple[str, str]]:
    choices = []
    for dimension in ("readiness_area", "value"):
        for member in q.dimension(dimension).members:
            choices.append(
                (f"{dimension}:{member.key}", registers_io.link_name(q, dimension, member.key))
            )
    for s in q.statements:
        choices.append((f"statement:{s.key}", f"Statement: {s.text}"))
    return choices


def can_edit() -> bool:
    return g.user["role"] in EDIT


def may_read(kind: str, entry_id: int) -> None:
    """404 for a team lead looking at an entry no results page links to."""
    if g.user["role"] in READ_ALL:
        return
    db = store.get_db()
    if g.user["role"] == "team_lead" and (
        register_store.shown_on_results(db, kind, entry_id)
        or (kind == "risk" and register_store.owned_by(db, entry_id, g.user["id"]))
    ):
        return
    abort(404)


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


def read_dates(form, names) -> tuple[dict, list[tuple[str, str]]]:
    """GOV.UK date inputs (<name>_day, _month, _year) as ISO text for the shared checks."""
    values, errors = {}, []
    for name in names:
        parts = [form.get(f"{name}_{p}", "").strip() for p in ("day", "month", "year")]
        if not any(parts):
            values[name] = ""
        elif all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            try:
                values[name] = date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
            except ValueError:
                values[name] = "not a date"
        else:
            values[name] = "not a date"
    return values, errors


def date_parts(value: str | None) -> dict:
    if not value:
        return {"day": "", "month": "", "year": ""}
    year, month, day = value.split("-")
    return {"day": str(int(day)), "month": str(int(month)), "year": year}


RISK_DATES = ("raised_on", "last_review_on", "next_review_on")


def anchor(field: str) -> str:
    return f"{field}_day" if field in registers_io.DATES else field


def links_for_page(kind: str, entry_id: int) -> list[dict]:
    db = store.get_db()
    q = link_questionnaire()
    return [
        {**link, "name": registers_io.link_name(q, link["dimension"], link["member"])}
        for link in register_store.links_of(db, kind, entry_id)
    ]


def actions_for_page(kind: str, entry_id: int) -> list[dict]:
    """An entry's actions, each marked overdue if it is not done and its due date has passed."""
    on = today()
    return [
        {**a, "overdue": risk.action_overdue(a, on)}
        for a in register_store.actions_of(store.get_db(), kind, entry_id)
    ]


def detail_url(kind: str, entry_id: int) -> str:
    if kind == "risk":
        return url_for("registers.risk_detail", risk_id=entry_id)
    return url_for("registers.eqia_detail", eqia_id=entry_id)


# The pages, one module per part; imported last because they register routes on `bp`.
from assess.views.registers import eqias, files, findings, links, risks  # noqa: E402, F401
from assess.views.registers.findings import linked_to_weakest  # noqa: E402, F401
