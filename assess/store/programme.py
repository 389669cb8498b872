"""The strategy programme: performance indicators, their figures by period and group, and the EqIA
reviews a group's figure short of its target prompts.

Every change is audited in the transaction that makes it. Import directly:
`from assess.store import programme as programme_store`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from assess.programme import indicators as rules
from assess.store.audit import record_event, record_update
from assess.store.db import NotFound, insert_row, now, write
from assess.store.registers import DuplicateRef

INDICATOR_FIELDS = (
    "ref",
    "name",
    "definition",
    "unit",
    "direction",
    "owner",
    "readiness_area",
    "team_id",
    "baseline",
    "baseline_period",
)
VALUE_FIELDS = ("value", "target", "note")


def _check_ref(db: Database, ref: str, indicator_id: int | None = None) -> None:
    row = db.execute("SELECT id FROM indicators WHERE ref = ?", [ref]).fetchone()
    if row and row[0] != indicator_id:
        raise DuplicateRef(f"{ref} is already used by another indicator")


def indicator(db: Database, indicator_id: int) -> dict:
    rows = list(
        db.query(
            """SELECT i.*, t.name AS team_name FROM indicators i
               LEFT JOIN teams t ON t.id = i.team_id WHERE i.id = ?""",
            [indicator_id],
        )
    )
    if not rows:
        raise NotFound(f"indicator {indicator_id} does not exist")
    return rows[0]


def indicators(db: Database) -> list[dict]:
    """Every indicator with its team's name, by reference."""
    return list(
        db.query(
            """SELECT i.*, t.name AS team_name FROM indicators i
               LEFT JOIN teams t ON t.id = i.team_id ORDER BY i.ref"""
        )
    )


def add_indicator(db: Database, fields: dict, actor_id: int | None) -> int:
    stamp = now()
    record: dict[str, Any] = {k: fields[k] for k in INDICATOR_FIELDS if k in fields}
    record.update(created_by=actor_id, created_at=stamp, updated_by=actor_id, updated_at=stamp)
    with write(db):
        _check_ref(db, record["ref"])
        indicator_id = insert_row(db, "indicators", record)
        record_event(db, actor_id, "create", "indicator", indicator_id, after=record)
    return indicator_id


def update_indicator(
    db: Database, indicator_id: int, changes: dict, actor_id: int | None
) -> list[str]:
    """Change an indicator; a new direction or readiness area may leave a group's latest figure
    short of its target for EqIAs not yet prompted: the refs of the EqIAs newly prompted."""
    with write(db):
        before = indicator(db, indicator_id)
        if "ref" in changes:
            _check_ref(db, changes["ref"], indicator_id)
        changed = {k: v for k, v in changes.items() if k in INDICATOR_FIELDS and before[k] != v}
        if not changed:
            return []
        db.table("indicators").update(
            indicator_id, {**changed, "updated_by": actor_id, "updated_at": now()}
        )
        record_update(db, actor_id, "indicator", indicator_id, before, changed)
        after = indicator(db, indicator_id)
        raised = []
        for row in rules.latest_by_group(values_of(db, indicator_id)).values():
            raised += _raise_prompts(db, after, row, actor_id)
    return raised


def values_of(db: Database, indicator_id: int) -> list[dict]:
    """An indicator's figures, newest period first, everyone before the groups."""
    return rules.sorted_values(
        db.query(
            """SELECT v.*, u.name AS recorded_by_name FROM indicator_values v
               LEFT JOIN users u ON u.id = v.recorded_by WHERE v.indicator_id = ?""",
            [indicator_id],
        )
    )


def values_by_indicator(db: Database) -> dict[int, list[dict]]:
    """Every indicator's figures in one read, for the list of indicators."""
    found: dict[int, list[dict]] = {}
    for row in db.query("SELECT * FROM indicator_values"):
        found.setdefault(row["indicator_id"], []).append(row)
    return {key: rules.sorted_values(rows) for key, rows in found.items()}


def record_value(
    db: Database,
    indicator_id: int,
    period: str,
    group_name: str,
    figures: dict,
    actor_id: int | None,
    stamp: str | None = None,
) -> list[str]:
    """Record (or correct) an indicator's figure for a period and group: `figures` holds its
    value, target and note; `stamp` when it was recorded (default now). A named group's figure
    short of its target prompts a review of every EqIA linked to the indicator's readiness area:
    the refs of the EqIAs newly prompted."""
    key = {"indicator_id": indicator_id, "period": period, "group_name": group_name}
    record = {k: figures.get(k) for k in VALUE_FIELDS}
    record["note"] = record["note"] or ""
    recorded = {"recorded_by": actor_id, "recorded_at": stamp or now()}
    with write(db):
        found = indicator(db, indicator_id)
        rows = list(
            db.query(
                """SELECT value, target, note FROM indicator_values
                   WHERE indicator_id = ? AND period = ? AND group_name = ?""",
                list(key.values()),
            )
        )
        entity_id = f"{indicator_id}/{period}/{group_name}"
        if rows:
            if rows[0] == record:
                return []
            db.execute(
                """UPDATE indicator_values SET value = ?, target = ?, note = ?, recorded_by = ?,
                   recorded_at = ? WHERE indicator_id = ? AND period = ? AND group_name = ?""",
                [*record.values(), *recorded.values(), *key.values()],
            )
            record_event(
                db, actor_id, "update", "indicator_value", entity_id, before=rows[0], after=record
            )
        else:
            db.table("indicator_values").insert({**key, **record, **recorded})
            record_event(
                db, actor_id, "create", "indicator_value", entity_id, after={**key, **record}
            )
        return _raise_prompts(db, found, {**key, **record}, actor_id)


def _raise_prompts(db: Database, found: dict, row: Mapping, actor_id: int | None) -> list[str]:
    """Prompt a review of each EqIA linked to the indicator's readiness area, if this figure is
    a named group's short of its target; once per EqIA, indicator, period and group."""
    if not rules.unequal_impact(found, row):
        return []
    reason = rules.prompt_reason(found, row)
    raised = []
    for eqia_id, ref in db.execute(
        """SELECT e.id, e.ref FROM register_links l JOIN eqias e ON e.id = l.entry_id
           WHERE l.entry_kind = 'eqia' AND l.dimension = 'readiness_area' AND l.member = ?
           GROUP BY e.id ORDER BY e.ref""",
        [found["readiness_area"]],
    ).fetchall():
        record = {
            "eqia_id": eqia_id,
            "indicator_id": found["id"],
            "period": row["period"],
            "group_name": row["group_name"],
        }
        exists = db.execute(
            """SELECT 1 FROM eqia_indicator_prompts WHERE eqia_id = ? AND indicator_id = ?
               AND period = ? AND group_name = ?""",
            list(record.values()),
        ).fetchone()
        if exists:
            continue
        record.update(reason=reason, raised_at=now())
        prompt_id = insert_row(db, "eqia_indicator_prompts", record)
        record_event(db, actor_id, "create", "eqia_indicator_prompt", prompt_id, after=record)
        raised.append(ref)
    return raised


def indicator_prompts(
    db: Database, eqia_id: int | None = None, indicator_id: int | None = None
) -> list[dict]:
    """EqIA review prompts raised by indicators' figures (those of one EqIA or one indicator, if
    given), waiting ones first, newest first."""
    where, params = [], []
    for column, value in (("p.eqia_id", eqia_id), ("p.indicator_id", indicator_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    return list(
        db.query(
            f"""SELECT p.*, e.ref, e.title, i.ref AS indicator_ref, i.name AS indicator_name,
                   u.name AS resolved_by_name
                FROM eqia_indicator_prompts p JOIN eqias e ON e.id = p.eqia_id
                JOIN indicators i ON i.id = p.indicator_id
                LEFT JOIN users u ON u.id = p.resolved_by
                {"WHERE " + " AND ".join(where) if where else ""}
                ORDER BY p.resolved_at IS NOT NULL, p.raised_at DESC, p.id DESC""",
            params,
        )
    )


def resolve_indicator_prompt(
    db: Database, prompt_id: int, outcome: str, actor_id: int | None
) -> dict:
    """Record what was done about a prompt; the prompt as it was before."""
    with write(db):
        rows = list(db.query("SELECT * FROM eqia_indicator_prompts WHERE id = ?", [prompt_id]))
        if not rows:
            raise NotFound(f"indicator prompt {prompt_id} does not exist")
        changes = {"outcome": outcome, "resolved_by": actor_id, "resolved_at": now()}
        db.table("eqia_indicator_prompts").update(prompt_id, changes)
        record_event(
            db,
            actor_id,
            "update",
            "eqia_indicator_prompt",
            prompt_id,
            before={k: rows[0][k] for k in changes},
            after=changes,
        )
    return rows[0]


def refs(db: Database) -> dict[str, int]:
    """Every indicator's id by its reference."""
    return {ref: indicator_id for indicator_id, ref in db.execute("SELECT id, ref FROM indicators")}


def import_values(db: Database, figures: list[dict], actor_id: int | None) -> list[str]:
    """Record every figure of a checked file (each with its indicator's `ref`), all or none,
    each audited as it is recorded: the refs of the EqIAs newly prompted."""
    raised: list[str] = []
    with write(db):
        ids = refs(db)
        for found in figures:
            figures_of = {k: found[k] for k in VALUE_FIELDS}
            raised += record_value(
                db, ids[found["ref"]], found["period"], found["group_name"], figures_of, actor_id
            )
    return sorted(set(raised))
