"""The strategy programme as export tables: the indicators, their figures, the EqIA reviews their
figures by group prompted, the action plan (actions, milestones, progress notes) and the scrutiny
recommendations. Council-wide, like the registers: no round,
directorate or team filter applies to them (their `filter_on` is empty)."""

from __future__ import annotations

from assess.store.export_types import DATE, INTEGER, NUMBER, TEXT, TIMESTAMP, ExportTable

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

CORPORATE_ACTIONS = ExportTable(
    "corporate_actions",
    "Action plan",
    (
        ("corporate_action_id", INTEGER),
        ("ref", TEXT),
        ("title", TEXT),
        ("readiness_area", TEXT),
        ("strand", TEXT),
        ("lead_officer", TEXT),
        ("lead_member", TEXT),
        ("rag", TEXT),
        ("rag_reason", TEXT),
        ("source_kind", TEXT),
        ("source_id", INTEGER),
        ("source_round_id", INTEGER),
        ("created_by", TEXT),
        ("created_at", TIMESTAMP),
        ("updated_by", TEXT),
        ("updated_at", TIMESTAMP),
    ),
    """SELECT a.id, a.ref, a.title, a.readiness_area, a.strand, a.lead_officer, a.lead_member,
        a.rag, a.rag_reason, a.source_kind, a.source_id, a.source_round_id,
        cb.email, a.created_at, ub.email, a.updated_at
    FROM corporate_actions a
    LEFT JOIN users cb ON cb.id = a.created_by LEFT JOIN users ub ON ub.id = a.updated_by
    {where} ORDER BY a.ref""",
    {},
)

ACTION_MILESTONES = ExportTable(
    "action_milestones",
    "Action plan milestones",
    (
        ("milestone_id", INTEGER),
        ("corporate_action_ref", TEXT),
        ("title", TEXT),
        ("due_on", DATE),
        ("done_on", DATE),
    ),
    """SELECT m.id, a.ref, m.title, m.due_on, m.done_on
    FROM action_milestones m JOIN corporate_actions a ON a.id = m.corporate_action_id
    {where} ORDER BY a.ref, m.due_on, m.id""",
    {},
)

ACTION_PROGRESS_NOTES = ExportTable(
    "action_progress_notes",
    "Action plan progress notes",
    (
        ("note_id", INTEGER),
        ("corporate_action_ref", TEXT),
        ("noted_on", DATE),
        ("note", TEXT),
        ("rag", TEXT),
        ("recorded_by", TEXT),
        ("recorded_at", TIMESTAMP),
    ),
    """SELECT n.id, a.ref, n.noted_on, n.note, n.rag, rb.email, n.recorded_at
    FROM action_progress_notes n JOIN corporate_actions a ON a.id = n.corporate_action_id
    LEFT JOIN users rb ON rb.id = n.recorded_by
    {where} ORDER BY a.ref, n.noted_on, n.id""",
    {},
)

SCRUTINY_RECOMMENDATIONS = ExportTable(
    "scrutiny_recommendations",
    "Scrutiny recommendations",
    (
        ("recommendation_id", INTEGER),
        ("committee", TEXT),
        ("report_title", TEXT),
        ("meeting_on", DATE),
        ("received_on", DATE),
        ("recommendation", TEXT),
        ("lead_member", TEXT),
        ("response", TEXT),
        ("response_reason", TEXT),
        ("responded_on", DATE),
        ("corporate_action_ref", TEXT),
        ("timescale", TEXT),
        ("created_by", TEXT),
        ("created_at", TIMESTAMP),
        ("updated_by", TEXT),
        ("updated_at", TIMESTAMP),
    ),
    """SELECT s.id, s.committee, s.report_title, s.meeting_on, s.received_on, s.recommendation,
        s.lead_member, s.response, s.response_reason, s.responded_on, a.ref, s.timescale,
        cb.email, s.created_at, ub.email, s.updated_at
    FROM scrutiny_recommendations s LEFT JOIN corporate_actions a ON a.id = s.corporate_action_id
    LEFT JOIN users cb ON cb.id = s.created_by LEFT JOIN users ub ON ub.id = s.updated_by
    {where} ORDER BY s.meeting_on, s.id""",
    {},
)

PROGRAMME_TABLES = (
    INDICATORS,
    INDICATOR_VALUES,
    EQIA_INDICATOR_PROMPTS,
    CORPORATE_ACTIONS,
    ACTION_MILESTONES,
    ACTION_PROGRESS_NOTES,
    SCRUTINY_RECOMMENDATIONS,
)
