"""What auditors take away: the export tables, read row by row from a cursor.

Each table is one SELECT with its columns' kinds (for typed XLSX cells) and the expressions its
filters apply to. Rows come from `db.execute(...)` and are never gathered into a list, so an
export of a million answers holds one batch of rows at a time.

A row comes in two parts, (provenance, values): `values` are the table's own columns and
`provenance` is the pair (columns before, columns after) that scores and answers carry from their
assessment. The pair is one shared object for all of an assessment's rows, so a writer renders
it once per assessment rather than once per row; other tables have NO_PROVENANCE, ((), ()).

The risk register and equality impact assessments (`register_exports`) are council-wide: no
round, directorate or team filter applies to them, and an export says so (`council_wide`). The
register pages download the same tables less their provenance columns (`register_download`).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from assess.store.db import read_snapshot
from assess.store.export_types import (
    BOOLEAN,
    DATE,
    INTEGER,
    NUMBER,
    TEXT,
    TIMESTAMP,
    ExportTable,
    Filters,
)
from assess.store.programme_exports import PROGRAMME_TABLES
from assess.store.readiness_exports import READINESS_ANSWERS, READINESS_SCORES
from assess.store.register_exports import (
    EQIA_GROUP_COLUMNS,
    EQIA_IMPACTS,
    EQIA_STRAND_COLUMNS,
    EQIA_STRAND_IMPACTS,
    EQIAS,
    REGISTER_TABLES,
    RISKS,
    without_provenance,
)
from assess.store.staff_exports import STAFF_FIGURES

_ASSESSMENT_JOINS = """
    JOIN rounds r ON r.id = a.round_id
    JOIN teams t ON t.id = a.team_id
    JOIN directorates d ON d.id = t.directorate_id
    JOIN questionnaire_versions qv ON qv.version = a.questionnaire_version
    LEFT JOIN users sb ON sb.id = a.submitted_by
    LEFT JOIN users so ON so.id = a.signed_off_by"""

_PROVENANCE = f"""SELECT a.id, r.name, d.name, t.name, a.id, a.reference, a.status,
        qv.questionnaire_id, a.questionnaire_version,
        sb.email, a.submitted_at, so.email, a.signed_off_at
    FROM assessments a {_ASSESSMENT_JOINS} {{where}} ORDER BY a.id"""
_PROVENANCE_START_COLUMNS = (
    ("round", TEXT),
    ("directorate", TEXT),
    ("team", TEXT),
    ("assessment_id", INTEGER),
    ("assessment_reference", TEXT),
    ("assessment_status", TEXT),
    ("questionnaire_id", TEXT),
    ("questionnaire_version", TEXT),
)
_PROVENANCE_END_COLUMNS = (
    ("submitted_by", TEXT),
    ("submitted_at", TIMESTAMP),
    ("signed_off_by", TEXT),
    ("signed_off_at", TIMESTAMP),
)
_ASSESSMENT_FILTERS = {"round_id": "a.round_id", "directorate_id": "d.id", "team_id": "t.id"}

SCORES = ExportTable(
    "scores",
    "Scores",
    _PROVENANCE_START_COLUMNS
    + (
        ("dimension", TEXT),
        ("member", TEXT),
        ("score", NUMBER),
        ("statements_answered", INTEGER),
        ("statements_not_applicable", INTEGER),
        ("statements_unanswered", INTEGER),
        ("scoring_rules_version", TEXT),
        ("computed_at", TIMESTAMP),
    )
    + _PROVENANCE_END_COLUMNS,
    """SELECT s.dimension, s.member, s.score, s.answered, s.not_applicable, s.unanswered,
        s.rules_version, s.computed_at
    FROM scores s WHERE s.assessment_id = ? ORDER BY s.dimension, s.member""",
    _ASSESSMENT_FILTERS,
    with_provenance=True,
)

ANSWERS = ExportTable(
    "answers",
    "Answers",
    _PROVENANCE_START_COLUMNS
    + (
        ("statement_key", TEXT),
        ("level", INTEGER),
        ("not_applicable", BOOLEAN),
        ("not_applicable_reason", TEXT),
        ("evidence", TEXT),
        ("what_would_move_us_up", TEXT),
        ("moderated_level", INTEGER),
        ("moderation_reason", TEXT),
        ("answered_by", TEXT),
        ("answered_at", TIMESTAMP),
    )
    + _PROVENANCE_END_COLUMNS,
    """SELECT an.statement_key, an.level, an.not_applicable, an.not_applicable_reason,
        an.evidence, an.move_up, an.moderated_level, an.moderation_reason, ab.email,
        an.answered_at
    FROM answers an LEFT JOIN users ab ON ab.id = an.answered_by
    WHERE an.assessment_id = ? ORDER BY an.statement_key""",
    _ASSESSMENT_FILTERS,
    with_provenance=True,
)

# Teams in a round's scope: those listed for it, those with an assessment in it, and every active
# team for a round with no scope recorded.
COMPLETION = ExportTable(
    "completion",
    "Rounds and completion",
    (
        ("round", TEXT),
        ("round_status", TEXT),
        ("opens_on", DATE),
        ("closes_on", DATE),
        ("directorate", TEXT),
        ("team", TEXT),
        ("assessment_status", TEXT),
        ("assessment_reference", TEXT),
        ("questionnaire_version", TEXT),
        ("submitted_by", TEXT),
        ("submitted_at", TIMESTAMP),
        ("signed_off_by", TEXT),
        ("signed_off_at", TIMESTAMP),
    ),
    """WITH scope AS (
        SELECT round_id, team_id FROM round_teams
        UNION SELECT round_id, team_id FROM assessments
        UNION SELECT r.id, t.id FROM rounds r, teams t WHERE t.active = 1
            AND NOT EXISTS (SELECT 1 FROM round_teams WHERE round_id = r.id))
    SELECT r.name, r.status, r.opens_on, r.closes_on, d.name, t.name,
        coalesce(a.status, 'not_started'), a.reference, a.questionnaire_version,
        sb.email, a.submitted_at, so.email, a.signed_off_at
    FROM scope JOIN rounds r ON r.id = scope.round_id
    JOIN teams t ON t.id = scope.team_id JOIN directorates d ON d.id = t.directorate_id
    LEFT JOIN assessments a ON a.round_id = scope.round_id AND a.team_id = scope.team_id
    LEFT JOIN users sb ON sb.id = a.submitted_by
    LEFT JOIN users so ON so.id = a.signed_off_by
    {where} ORDER BY r.opens_on, r.id, d.name, t.name""",
    {"round_id": "r.id", "directorate_id": "d.id", "team_id": "t.id"},
)

ACTIONS = ExportTable(
    "actions",
    "Improvement actions",
    (
        ("round", TEXT),
        ("directorate", TEXT),
        ("team", TEXT),
        ("action_id", INTEGER),
        ("statement_key", TEXT),
        ("what", TEXT),
        ("owner", TEXT),
        ("due_on", DATE),
        ("status", TEXT),
        ("evidence_of_change", TEXT),
        ("created_by", TEXT),
        ("created_at", TIMESTAMP),
        ("updated_at", TIMESTAMP),
        ("closed_at", TIMESTAMP),
        ("serves_corporate_action", TEXT),
    ),
    """SELECT r.name, d.name, t.name, ia.id, ia.statement_key, ia.what, ia.owner, ia.due_on,
        ia.status, ia.evidence_of_change, cb.email, ia.created_at, ia.updated_at, ia.closed_at,
        ca.ref
    FROM improvement_actions ia JOIN rounds r ON r.id = ia.round_id
    JOIN teams t ON t.id = ia.team_id JOIN directorates d ON d.id = t.directorate_id
    LEFT JOIN users cb ON cb.id = ia.created_by
    LEFT JOIN corporate_actions ca ON ca.id = ia.corporate_action_id
    {where} ORDER BY ia.id""",
    {"round_id": "r.id", "directorate_id": "d.id", "team_id": "t.id"},
)

# An event belongs to a round and team when its entity is an assessment, an improvement action,
# a readiness review, a team or a round; with a filter, events that belong to none (sign-ins,
# exports) are left out.
AUDIT_LOG = ExportTable(
    "audit_log",
    "Audit log",
    (
        ("event_id", INTEGER),
        ("at", TIMESTAMP),
        ("actor", TEXT),
        ("action", TEXT),
        ("entity", TEXT),
        ("entity_id", TEXT),
        ("round", TEXT),
        ("directorate", TEXT),
        ("team", TEXT),
        ("before", TEXT),
        ("after", TEXT),
        ("previous_hash", TEXT),
        ("hash", TEXT),
    ),
    """WITH placed AS (
        SELECT e.id AS event_id,
            coalesce(a.round_id, ia.round_id, rv.round_id,
                CASE WHEN e.entity = 'round' THEN CAST(e.entity_id AS INTEGER) END) AS round_id,
            coalesce(a.team_id, ia.team_id, rv.team_id,
                CASE WHEN e.entity = 'team' THEN CAST(e.entity_id AS INTEGER) END) AS team_id
        FROM audit_events e
        LEFT JOIN assessments a
            ON e.entity = 'assessment' AND a.id = CAST(e.entity_id AS INTEGER)
        LEFT JOIN improvement_actions ia
            ON e.entity = 'improvement_action' AND ia.id = CAST(e.entity_id AS INTEGER)
        LEFT JOIN readiness_reviews rv
            ON e.entity = 'readiness_review' AND rv.id = CAST(e.entity_id AS INTEGER))
    SELECT e.id, e.at, u.email, e.action, e.entity, e.entity_id, r.name, d.name, t.name,
        e.before, e.after, e.previous_hash, e.hash
    FROM audit_events e JOIN placed p ON p.event_id = e.id
    LEFT JOIN users u ON u.id = e.actor_id
    LEFT JOIN rounds r ON r.id = p.round_id
    LEFT JOIN teams t ON t.id = p.team_id
    LEFT JOIN directorates d ON d.id = t.directorate_id
    {where} ORDER BY e.id""",
    {"round_id": "p.round_id", "directorate_id": "d.id", "team_id": "p.team_id"},
)

TABLES: dict[str, ExportTable] = {
    t.key: t
    for t in (
        SCORES,
        ANSWERS,
        COMPLETION,
        ACTIONS,
        READINESS_SCORES,
        READINESS_ANSWERS,
        STAFF_FIGURES,
        AUDIT_LOG,
        *REGISTER_TABLES,
        *PROGRAMME_TABLES,
    )
}
NO_PROVENANCE: tuple[tuple, tuple] = ((), ())
# A bigger page cache than SQLite's 2 MB for the export's own connection: a million answers read
# in (assessment, statement) order jump between pages, and with the small cache each jump was a
# read from the operating system (1.5 s of a CSV export's 10).
EXPORT_CACHE_KIB = 32_000


def _where(table: ExportTable, filters: Filters) -> tuple[str, list]:
    conditions, params = [], []
    for field, expression in table.filter_on.items():
        value = getattr(filters, field)
        if value is not None:
            conditions.append(f"{expression} = ?")
            params.append(value)
    return (f"WHERE {' AND '.join(conditions)}" if conditions else ""), params


def table_rows(
    db: Database, table: ExportTable, filters: Filters
) -> Iterator[tuple[tuple[tuple, tuple], tuple]]:
    """The table's rows as (provenance, values), in a stable order, from the cursor.

    Filters do not apply to a council-wide table (see `council_wide`)."""
    db.execute(f"PRAGMA cache_size = -{EXPORT_CACHE_KIB}")
    if table.computed is not None:
        yield from zip(repeat(NO_PROVENANCE), table.computed(db, filters))
        return
    where, params = _where(table, filters)
    if not table.with_provenance:
        cursor = db.execute(table.sql.format(where=where), params)
        try:
            yield from zip(repeat(NO_PROVENANCE), cursor)
        finally:
            cursor.close()
        return
    # Assessment by assessment (thousands of them), each one's provenance read once and shared by
    # its rows (a million).
    for row in db.execute(_PROVENANCE.format(where=where), params).fetchall():
        provenance = (row[1:9], row[9:])
        cursor = db.execute(table.sql, [row[0]])
        try:
            yield from zip(repeat(provenance), cursor)
        finally:
            cursor.close()


def snapshot_rows(
    path: Path | str, table: ExportTable, filters: Filters
) -> Iterator[tuple[tuple[tuple, tuple], tuple]]:
    """`table_rows` from a snapshot of the database of its own, for a download that streams:
    the snapshot opens when the first row is wanted and closes after the last, or when the
    download is abandoned."""
    with read_snapshot(path) as reader:
        yield from table_rows(reader, table, filters)


def register_download(
    db: Database, kind: str
) -> tuple[str, tuple[tuple[str, str], ...], list[tuple]]:
    """A register page's download, "risks" or "eqias": (title, columns, rows), the audit
    export's columns less provenance (see assess.store.register_exports). EqIAs come one row
    per EqIA and group, then one per EqIA and strand: each EqIA's columns, then its group's,
    then its strand's (the columns of the other kind left empty)."""
    if kind == "risks":
        columns = without_provenance(RISKS)
        rows = [values[: len(columns)] for _, values in table_rows(db, RISKS, Filters())]
        return RISKS.title, columns, rows
    if kind != "eqias":
        raise ValueError(f"no register download called {kind!r}: risks or eqias")
    own = without_provenance(EQIAS)
    no_group, no_strand = (None,) * len(EQIA_GROUP_COLUMNS), (None,) * len(EQIA_STRAND_COLUMNS)
    by_eqia: dict[int, list[tuple]] = {}
    for _, values in table_rows(db, EQIA_IMPACTS, Filters()):
        by_eqia.setdefault(values[0], []).append((*values[2:], *no_strand))
    for _, values in table_rows(db, EQIA_STRAND_IMPACTS, Filters()):
        by_eqia.setdefault(values[0], []).append((*no_group, *values[2:]))
    rows = [
        (*values[: len(own)], *cells)
        for _, values in table_rows(db, EQIAS, Filters())
        for cells in by_eqia.get(values[0], [])
    ]
    return EQIAS.title, own + EQIA_GROUP_COLUMNS + EQIA_STRAND_COLUMNS, rows


def filter_names(db: Database, filters: Filters) -> dict[str, str]:
    """The filters as a reader sees them: round, directorate and team by name ("All" if unset)."""
    names = {}
    for label, table, value in (
        ("Round", "rounds", filters.round_id),
        ("Directorate", "directorates", filters.directorate_id),
        ("Team", "teams", filters.team_id),
    ):
        row = None
        if value is not None:
            row = db.execute(f"SELECT name FROM {table} WHERE id = ?", [value]).fetchone()
        names[label] = "All" if value is None else (row[0] if row else f"unknown ({value})")
    return names


def filter_choices(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Rounds, directorates and teams an export can be narrowed to."""
    return {
        "rounds": list(db.query("SELECT id, name FROM rounds ORDER BY opens_on DESC, id")),
        "directorates": list(db.query("SELECT id, name FROM directorates ORDER BY name")),
        "teams": list(db.query("SELECT id, name FROM teams ORDER BY name")),
        # a report exists only where a team has an assessment: newest round first, then by team
        "reports": list(
            db.query(
                """SELECT a.id, r.name AS round, t.name AS team, a.status FROM assessments a
                   JOIN rounds r ON r.id = a.round_id JOIN teams t ON t.id = a.team_id
                   ORDER BY r.opens_on DESC, r.id DESC, t.name"""
            )
        ),
    }


def audit_chain(db: Database) -> Iterator[dict[str, Any]]:
    """Every audit event in id order, as dicts, one at a time (for checking the chain)."""
    columns = ("id", "at", "actor_id", "action", "entity", "entity_id", "before", "after")
    cursor = db.execute(
        f"SELECT {', '.join(columns)}, previous_hash, hash FROM audit_events ORDER BY id"
    )
    names = (*columns, "previous_hash", "hash")
    try:
        for row in cursor:
            yield dict(zip(names, row, strict=True))
    finally:
        cursor.close()
