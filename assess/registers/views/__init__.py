"""The risk register and equality impact assessments: lists, entries, links to what the
assessments find, the council's risks exposed by low maturity, import and export.

Business improvement edits; auditors and administrators read everything; a team lead reads the
entries that are linked to areas, values or statements (the ones their results page shows).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, g, request, url_for
from flask_wtf import FlaskForm

from assess import store
from assess.assessment.journey import linked_on_own_results
from assess.assessment.questionnaire import Questionnaire
from assess.registers import entries as registers_io
from assess.registers import rules as risk
from assess.registers.display import link_questionnaire, today
from assess.store import registers as register_store
from assess.web import access

bp = Blueprint("registers", __name__, url_prefix="/registers")

KIND_NAMES = {"risk": "risk", "eqia": "equality impact assessment"}
SORTS = {"score": "Current score, highest first", "ref": "Ref", "review": "Next review, soonest"}


class CsrfForm(FlaskForm):
    """Only the CSRF check: the register forms read their fields from request.form."""


@bp.record_once
def _check_settings(state) -> None:
    risk.settings_from(state.app.config)  # contradictory RISK_* settings stop the app at start


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
    return access.may(g.user["role"], "edit_registers")


def may_read(kind: str, entry_id: int) -> None:
    """404 for a team lead looking at an entry that neither their own teams' results pages list
    nor, for a risk, they own."""
    if access.may(g.user["role"], "read_council"):
        return
    if access.may(g.user["role"], "assess_own_team") and (
        (kind == "risk" and register_store.owned_by(store.get_db(), entry_id, g.user["id"]))
        or entry_id in linked_on_own_results(f"{kind}s")
    ):
        return
    abort(404)


def read_dates(form, names) -> dict[str, str]:
    """GOV.UK date inputs (<name>_day, _month, _year) as ISO text ("" when blank, "not a date"
    when it is not one) for the shared checks, which say what is wrong."""
    values = {}
    for name in names:
        parts = [form.get(f"{name}_{p}", "").strip() for p in ("day", "month", "year")]
        if not any(parts):
            values[name] = ""
        elif all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            try:
                values[name] = date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
            except (ValueError, OverflowError):  # a day or month too big for a date
                values[name] = "not a date"
        else:
            values[name] = "not a date"
    return values


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


def entry_page(kind: str, entry_id: int) -> dict:
    """What a risk's page and an EqIA's page both show: its links and actions, and whether the
    reader may change them."""
    return {
        "actions": actions_for_page(kind, entry_id),
        "action_statuses": risk.ACTION_STATUSES,
        "links": links_for_page(kind, entry_id),
        "link_choices": link_choices(link_questionnaire()),
        "can_edit": can_edit(),
        "form": CsrfForm(),
    }


def entry_form(values: dict, date_names: tuple[str, ...], errors: list[tuple[str, str]]) -> dict:
    """What a risk's form and an EqIA's form both show: each date as its day, month and year (as
    typed, when it is not a date) and each error at the field it names."""
    return {
        "dates": {
            d: date_parts(values.get(d))
            if values.get(d) and values.get(d) != "not a date"
            else {p: request.form.get(f"{d}_{p}", "") for p in ("day", "month", "year")}
            for d in date_names
        },
        "errors": [(anchor(f), m) for f, m in errors],
        "field_errors": {anchor(f): m for f, m in reversed(errors)},
        "form": CsrfForm(),
    }


def detail_url(kind: str, entry_id: int) -> str:
    if kind == "risk":
        return url_for("registers.risk_detail", risk_id=entry_id)
    return url_for("registers.eqia_detail", eqia_id=entry_id)


# The pages, one module per part; imported last because they register routes on `bp`.
from assess.registers.views import eqias, files, findings, links, risks  # noqa: E402, F401
