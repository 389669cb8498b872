"""The performance indicators as export tables: the indicators, their figures, and the EqIA
reviews their figures by group prompted. Council-wide, like the registers: no round,
directorate or team filter applies to them (their `filter_on` is empty)."""

from __future__ import annotations

from assess.store.export_types import INTEGER, NUMBER, TEXT, TIMESTAMP, ExportTable

INDICATORS = ExportTable(
    "indicators",
    "Performance indicators",
    (
        ("indicator_id", INTEGER),
        ("ref", TEXT),
        ("name", TEXT),
        ("definition", TEXT),
        ("unit", TEXT),
        ("direction", TEXT),
        ("owner", TEXT),
        ("readiness_area", TEXT),
        ("team", TEXT),
        ("baseline", NUMBER),
        ("baseline_period", TEXT),
        ("created_by", TEXT),
        ("created_at", TIMESTAMP),
        ("updated_by", TEXT),
        ("updated_at", TIMESTAMP),
    ),
    """SELECT i.id, i.ref, i.name, i.definition, i.unit, i.direction, i.owner, i.readiness_area,
        t.name, i.baseline, i.baseline_period, cb.email, i.created_at, ub.email, i.updated_at
    FROM indicators i LEFT JOIN teams t ON t.id = i.team_id
    LEFT JOIN users cb ON cb.id = i.created_by LEFT JOIN users ub ON ub.id = i.updated_by
    {where} ORDER BY i.ref""",
    {},
)

INDICATOR_VALUES = ExportTable(
    "indicator_values",
    "Indicator figures",
    (
        ("indicator_id", INTEGER),
        ("indicator_ref", TEXT),
        ("period", TEXT),
        ("group", TEXT),
        ("value", NUMBER),
        ("target", NUMBER),
        ("note", TEXT),
        ("recorded_by", TEXT),
        ("recorded_at", TIMESTAMP),
    ),
    """SELECT v.indicator_id, i.ref, v.period, v.group_name, v.value, v.target, v.note,
        rb.email, v.recorded_at
    FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
    LEFT JOIN users rb ON rb.id = v.recorded_by
    {where} ORDER BY i.ref, v.period, v.group_name""",
    {},
)

EQIA_INDICATOR_PROMPTS = ExportTable(
    "eqia_indicator_prompts",
    "EqIA prompts from indicators",
    (
        ("prompt_id", INTEGER),
        ("eqia_ref", TEXT),
        ("indicator_ref", TEXT),
        ("period", TEXT),
        ("group", TEXT),
        ("reason", TEXT),
        ("raised_at", TIMESTAMP),
        ("outcome", TEXT),
        ("resolved_by", TEXT),
        ("resolved_at", TIMESTAMP),
    ),
    """SELECT p.id, e.ref, i.ref, p.period, p.group_name, p.reason, p.raised_at, p.outcome,
        rb.email, p.resolved_at
    FROM eqia_indicator_prompts p JOIN eqias e ON e.id = p.eqia_id
    JOIN indicators i ON i.id = p.indicator_id LEFT JOIN users rb ON rb.id = p.resolved_by
    {where} ORDER BY p.id""",
    {},
)

PROGRAMME_TABLES = (INDICATORS, INDICATOR_VALUES, EQIA_INDICATOR_PROMPTS)
