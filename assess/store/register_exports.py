"""The risk register and equality impact assessments as export tables: one set of columns for
each table, whichever download writes it. They are council-wide: no round, directorate or team
filter applies to them (their `filter_on` is empty).

The audit export (and the API) writes every table whole. The register pages' downloads write the
same columns less the provenance columns, which say who recorded an entry and when
(`PROVENANCE`, always last in their table), and no "About this export" sheet:

- the risk register's download is `RISKS` without accepted_by, accepted_at, created_by,
  created_at and updated_at;
- the EqIAs' download is one row per EqIA and group, then one per EqIA and strand, the shape
  an EqIA import takes: `EQIAS` without created_by, created_at and updated_at, then that group's
  columns of `EQIA_IMPACTS` (`EQIA_GROUP_COLUMNS`: the group's evidence is group_evidence there,
  beside the EqIA's own), then that strand's of `EQIA_STRAND_IMPACTS` (`EQIA_STRAND_COLUMNS`:
  strand, strand_impact, strand_note). A group's row leaves the strand's columns empty, and a
  strand's row the group's.

Both downloads import back as they are (assess.registers.entries reads these column names).
"""

from __future__ import annotations

from assess.store.export_types import DATE, INTEGER, TEXT, TIMESTAMP, ExportTable

_ENTRY_REF = """CASE x.entry_kind WHEN 'risk' THEN (SELECT ref FROM risks WHERE id = x.entry_id)
        ELSE (SELECT ref FROM eqias WHERE id = x.entry_id) END"""


def _links(kind: str, alias: str) -> str:
    """An entry's links as one text, "readiness_area:people; value:open", in the order they were
    made: the links column, which an import reads back."""
    return f"""(SELECT group_concat(link, '; ') FROM (SELECT l.dimension || ':' || l.member AS link
        FROM register_links l WHERE l.entry_kind = '{kind}' AND l.entry_id = {alias}.id
        ORDER BY l.id))"""


RISKS = ExportTable(
    "risks",
    "Risks",
    (
        ("risk_id", INTEGER),
        ("ref", TEXT),
        ("title", TEXT),
        ("status", TEXT),
        ("category", TEXT),
        ("owner", TEXT),
        ("cause", TEXT),
        ("event", TEXT),
        ("consequence", TEXT),
        ("raised_on", DATE),
        ("inherent_likelihood", INTEGER),
        ("inherent_impact", INTEGER),
        ("inherent_score", INTEGER),
        ("current_likelihood", INTEGER),
        ("current_impact", INTEGER),
        ("current_score", INTEGER),
        ("target_likelihood", INTEGER),
        ("target_impact", INTEGER),
        ("target_score", INTEGER),
        ("response", TEXT),
        ("controls", TEXT),
        ("last_review_on", DATE),
        ("next_review_on", DATE),
        ("links", TEXT),
        ("source_round", TEXT),
        ("source_team", TEXT),
        ("source_evidence", TEXT),
        ("owner_user", TEXT),
        ("accepted_by", TEXT),
        ("accepted_at", TIMESTAMP),
        ("created_by", TEXT),
        ("created_at", TIMESTAMP),
        ("updated_at", TIMESTAMP),
    ),
    f"""SELECT k.id, k.ref, k.title, k.status, k.category, k.owner, k.cause, k.event,
        k.consequence, k.raised_on,
        k.inherent_likelihood, k.inherent_impact, k.inherent_likelihood * k.inherent_impact,
        k.current_likelihood, k.current_impact, k.current_likelihood * k.current_impact,
        k.target_likelihood, k.target_impact, k.target_likelihood * k.target_impact,
        k.response, k.controls, k.last_review_on, k.next_review_on, {_links("risk", "k")},
        r.name, t.name, k.source_evidence, ou.email, ab.email, k.accepted_at, cb.email,
        k.created_at, k.updated_at
    FROM risks k LEFT JOIN rounds r ON r.id = k.source_round_id
    LEFT JOIN teams t ON t.id = k.source_team_id
    LEFT JOIN users ou ON ou.id = k.owner_user_id
    LEFT JOIN users ab ON ab.id = k.accepted_by
    LEFT JOIN users cb ON cb.id = k.created_by
    ORDER BY k.ref, k.id""",
    {},
)

RISK_SCORES = ExportTable(
    "risk_scores",
    "Risk score history",
    (
        ("risk_id", INTEGER),
        ("risk_ref", TEXT),
        ("likelihood", INTEGER),
        ("impact", INTEGER),
        ("score", INTEGER),
        ("recorded_on", DATE),
        ("recorded_by", TEXT),
    ),
    """SELECT k.id, k.ref, s.likelihood, s.impact, s.score, s.recorded_on, rb.email
    FROM risk_scores s JOIN risks k ON k.id = s.risk_id
    LEFT JOIN users rb ON rb.id = s.recorded_by
    ORDER BY k.ref, k.id, s.id""",
    {},
)

# Each accept or decline of a proposed risk by its owner (or an administrator for them).
RISK_OWNER_DECISIONS = ExportTable(
    "risk_owner_decisions",
    "Proposed risk decisions",
    (
        ("decision_id", INTEGER),
        ("risk_id", INTEGER),
        ("risk_ref", TEXT),
        ("owner", TEXT),
        ("decided_by", TEXT),
        ("decision", TEXT),
        ("reason", TEXT),
        ("decided_at", TIMESTAMP),
    ),
    """SELECT d.id, k.id, k.ref, ou.email, db.email, d.decision, d.reason, d.decided_at
    FROM risk_owner_decisions d JOIN risks k ON k.id = d.risk_id
    LEFT JOIN users ou ON ou.id = d.owner_user_id
    LEFT JOIN users db ON db.id = d.decided_by
    ORDER BY d.id""",
    {},
)

EQIAS = ExportTable(
    "eqias",
    "Equality impact assessments",
    (
        ("eqia_id", INTEGER),
        ("ref", TEXT),
        ("title", TEXT),
        ("workstream", TEXT),
        ("lead_officer", TEXT),
        ("screening_outcome", TEXT),
        ("evidence", TEXT),
        ("consultation", TEXT),
        ("overall_outcome", TEXT),
        ("signed_off_by", TEXT),
        ("signed_off_on", DATE),
        ("review_on", DATE),
        ("links", TEXT),
        ("created_by", TEXT),
        ("created_at", TIMESTAMP),
        ("updated_at", TIMESTAMP),
    ),
    f"""SELECT e.id, e.ref, e.title, e.workstream, e.lead_officer, e.screening_outcome,
        e.evidence, e.consultation, e.overall_outcome, e.signed_off_by, e.signed_off_on,
        e.review_on, {_links("eqia", "e")}, cb.email, e.created_at, e.updated_at
    FROM eqias e LEFT JOIN users cb ON cb.id = e.created_by
    ORDER BY e.ref, e.id""",
    {},
)

EQIA_IMPACTS = ExportTable(
    "eqia_impacts",
    "EqIA impacts by group",
    (
        ("eqia_id", INTEGER),
        ("eqia_ref", TEXT),
        ("group", TEXT),
        ("impact", TEXT),
        ("severity", TEXT),
        ("evidence", TEXT),
        ("mitigation", TEXT),
    ),
    """SELECT e.id, e.ref, i.group_name, i.impact, i.severity, i.evidence, i.mitigation
    FROM eqia_impacts i JOIN eqias e ON e.id = i.eqia_id
    ORDER BY e.ref, e.id, i.rowid""",
    {},
)

# What an EqIA implies for equality under each strand of the strategy, the strand by its key.
EQIA_STRAND_IMPACTS = ExportTable(
    "eqia_strand_impacts",
    "EqIA implications by strand",
    (
        ("eqia_id", INTEGER),
        ("eqia_ref", TEXT),
        ("strand", TEXT),
        ("impact", TEXT),
        ("note", TEXT),
    ),
    """SELECT e.id, e.ref, s.strand, s.impact, s.note
    FROM eqia_strand_impacts s JOIN eqias e ON e.id = s.eqia_id
    ORDER BY e.ref, e.id, s.rowid""",
    {},
)

# A low or falling Inclusion & Respect score prompting a review of an EqIA, and what was done.
EQIA_REVIEW_PROMPTS = ExportTable(
    "eqia_review_prompts",
    "EqIA review prompts",
    (
        ("prompt_id", INTEGER),
        ("eqia_id", INTEGER),
        ("eqia_ref", TEXT),
        ("round", TEXT),
        ("reason", TEXT),
        ("raised_at", TIMESTAMP),
        ("outcome", TEXT),
        ("resolved_by", TEXT),
        ("resolved_at", TIMESTAMP),
    ),
    """SELECT p.id, e.id, e.ref, r.name, p.reason, p.raised_at, p.outcome, rb.email,
        p.resolved_at
    FROM eqia_review_prompts p JOIN eqias e ON e.id = p.eqia_id
    JOIN rounds r ON r.id = p.round_id
    LEFT JOIN users rb ON rb.id = p.resolved_by
    ORDER BY p.id""",
    {},
)

REGISTER_ACTIONS = ExportTable(
    "register_actions",
    "Risk and EqIA actions",
    (
        ("action_id", INTEGER),
        ("entry_kind", TEXT),
        ("entry_id", INTEGER),
        ("entry_ref", TEXT),
        ("what", TEXT),
        ("owner", TEXT),
        ("due_on", DATE),
        ("status", TEXT),
        ("completion_note", TEXT),
        ("closed_at", TIMESTAMP),
        ("closed_by", TEXT),
    ),
    f"""SELECT x.id, x.entry_kind, x.entry_id, {_ENTRY_REF}, x.what, x.owner, x.due_on,
        x.status, x.completion_note, x.closed_at, cb.email
    FROM register_actions x LEFT JOIN users cb ON cb.id = x.closed_by ORDER BY x.id""",
    {},
)

# What a risk or EqIA is linked to: a readiness area, a value or a statement of a questionnaire.
REGISTER_LINKS = ExportTable(
    "register_links",
    "Risk and EqIA links",
    (
        ("link_id", INTEGER),
        ("entry_kind", TEXT),
        ("entry_id", INTEGER),
        ("entry_ref", TEXT),
        ("questionnaire_id", TEXT),
        ("dimension", TEXT),
        ("member", TEXT),
    ),
    f"""SELECT x.id, x.entry_kind, x.entry_id, {_ENTRY_REF}, x.questionnaire_id, x.dimension,
        x.member
    FROM register_links x ORDER BY x.id""",
    {},
)

# Who recorded an entry and when: the provenance columns the audit export adds, last in their
# table. The register pages' downloads leave them out.
PROVENANCE = {
    RISKS.key: ("accepted_by", "accepted_at", "created_by", "created_at", "updated_at"),
    EQIAS.key: ("created_by", "created_at", "updated_at"),
}
# A group's columns in the register page's EqIA file, after its EqIA's: those of EQIA_IMPACTS
# but eqia_id and eqia_ref (the EqIA's own columns hold them), the group's evidence named apart
# from the EqIA's evidence.
EQIA_GROUP_COLUMNS = tuple(
    ("group_evidence" if name == "evidence" else name, kind)
    for name, kind in EQIA_IMPACTS.columns[2:]
)
# A strand's columns in the same file, after the group's: those of EQIA_STRAND_IMPACTS but
# eqia_id and eqia_ref, named apart from the group's impact.
EQIA_STRAND_COLUMNS = tuple(
    (name if name == "strand" else f"strand_{name}", kind)
    for name, kind in EQIA_STRAND_IMPACTS.columns[2:]
)


def without_provenance(table: ExportTable) -> tuple[tuple[str, str], ...]:
    """The table's columns as a register page downloads them: all but the provenance ones."""
    provenance = PROVENANCE.get(table.key, ())
    own = table.columns[: len(table.columns) - len(provenance)]
    assert tuple(name for name, _ in table.columns[len(own) :]) == provenance, table.key
    return own


REGISTER_TABLES = (
    RISKS,
    RISK_SCORES,
    RISK_OWNER_DECISIONS,
    EQIAS,
    EQIA_IMPACTS,
    EQIA_STRAND_IMPACTS,
    EQIA_REVIEW_PROMPTS,
    REGISTER_ACTIONS,
    REGISTER_LINKS,
)
