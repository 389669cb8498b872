"""The readiness review's export tables: completed reviews' scores, and every review's answers,
each row with its round, team, review and the version of the checks it answers."""

from __future__ import annotations

from assess.store.export_types import INTEGER, NUMBER, TEXT, TIMESTAMP, ExportTable

_REVIEW_JOINS = """JOIN readiness_reviews rv ON rv.id = {alias}.review_id
    JOIN rounds r ON r.id = rv.round_id
    JOIN teams t ON t.id = rv.team_id
    JOIN directorates d ON d.id = t.directorate_id
    JOIN readiness_review_versions v ON v.version = rv.version
    LEFT JOIN users cb ON cb.id = rv.completed_by"""
_REVIEW_COLUMNS = (
    ("round", TEXT),
    ("directorate", TEXT),
    ("team", TEXT),
    ("review_id", INTEGER),
    ("review_status", TEXT),
    ("checks_id", TEXT),
    ("checks_version", TEXT),
    ("completed_by", TEXT),
    ("completed_at", TIMESTAMP),
)
_REVIEW_SELECT = "r.name, d.name, t.name, rv.id, rv.status, v.review_id, rv.version, cb.email, "
_REVIEW_FILTERS = {"round_id": "r.id", "directorate_id": "d.id", "team_id": "t.id"}

READINESS_SCORES = ExportTable(
    "readiness_scores",
    "Readiness review scores",
    _REVIEW_COLUMNS
    + (
        ("area", TEXT),
        ("score", NUMBER),
        ("checks_answered", INTEGER),
        ("checks_not_applicable", INTEGER),
        ("checks_unanswered", INTEGER),
        ("scoring_rules_version", TEXT),
        ("computed_at", TIMESTAMP),
    ),
    f"""SELECT {_REVIEW_SELECT} rv.completed_at, s.area, s.score, s.answered,
        s.not_applicable, s.unanswered, s.rules_version, s.computed_at
    FROM readiness_scores s {_REVIEW_JOINS.format(alias="s")}
    {{where}} ORDER BY r.opens_on, r.id, d.name, t.name, s.area""",
    _REVIEW_FILTERS,
)

READINESS_ANSWERS = ExportTable(
    "readiness_answers",
    "Readiness review answers",
    _REVIEW_COLUMNS
    + (
        ("check_key", TEXT),
        ("answer", TEXT),
        ("evidence_or_reason", TEXT),
        ("answered_by", TEXT),
        ("answered_at", TIMESTAMP),
    ),
    f"""SELECT {_REVIEW_SELECT} rv.completed_at, a.check_key, a.answer, a.note, ab.email,
        a.answered_at
    FROM readiness_answers a {_REVIEW_JOINS.format(alias="a")}
    LEFT JOIN users ab ON ab.id = a.answered_by
    {{where}} ORDER BY r.opens_on, r.id, d.name, t.name, a.check_key""",
    _REVIEW_FILTERS,
)
