"""The risk register and equality impact assessments: entries, their actions, score history,
links to questionnaire areas, values and statements, and EqIA review prompts.

Every change is audited with what it was before and after. Import directly:
`from assess.store import registers as register_store`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from assess.store.audit import record_event
from assess.store.db import NotFound, now, write

RISK_FIELDS = (
    "ref",
    "title",
    "cause",
    "event",
    "consequence",
    "category",
    "owner",
    "raised_on",
    "inherent_likelihood",
    "inherent_impact",
    "current_likelihood",
    "current_impact",
    "target_likelihood",
    "target_impact",
    "response",
    "controls",
    "last_review_on",
    "next_review_on",
)
EQIA_FIELDS = (
    "ref",
    "title",
    "workstream",
    "lead_officer",
    "screening_outcome",
    "evidence",
    "consultation",
    "overall_outcome",
    "signed_off_by",
    "signed_off_on",
    "review_on",
)
KINDS = {"risk": "risks", "eqia": "eqias"}


class DuplicateRef(ValueError):
    """Another entry already has this reference."""


def _one(db: Database, table: str, entry_id: int) -> dict:
    rows = list(db.query(f"SELECT * FROM {table} WHERE id = ?", [entry_id]))
    if not rows:
        raise NotFound(f"{table[:-1]} {entry_id} does not exist")
    return rows[0]


def _check_ref(db: Database, table: str, ref: str, entry_id: int | None = None) -> None:
    row = db.execute(f"SELECT id FROM {table} WHERE ref = ?", [ref]).fetchone()
    if row and row[0] != entry_id:
        raise DuplicateRef(f"{ref} is already used by another entry")


# --- risks --------------------------------------------------------------------------------------


def _record_score(db: Database, risk_id: int, record: dict, actor_id: int | None) -> None:
    likelihood, impact = record["current_likelihood"], record["current_impact"]
    db["risk_scores"].insert(
        {
            "risk_id": risk_id,
            "likelihood": likelihood,
            "impact": impact,
            "score": likelihood * impact,
            "recorded_on": (record.get("last_review_on") or now())[:10],
            "recorded_by": actor_id,
        }
    )


def add_risk(db: Database, fields: dict, actor_id: int | None, status: str = "open") -> int:
    """Add a risk (status "proposed" until its owner accepts it) with its first score."""
    stamp = now()
    record = {k: fields.get(k) for k in RISK_FIELDS if k in fields}
    for source in ("source_round_id", "source_team_id", "source_evidence"):
        if source in fields:
            record[source] = fields[source]
    record.update(status=status, created_by=actor_id, created_at=stamp, updated_at=stamp)
    with write(db):
        _check_ref(db, "risks", record["ref"])
        risk_id = db["risks"].insert(record).last_pk
        _record_score(db, risk_id, record, actor_id)
        record_event(db, actor_id, "create", "risk", risk_id, after=record)
    return risk_id


def risk(db: Database, risk_id: int) -> dict:
    return _one(db, "risks", risk_id)


def update_risk(db: Database, risk_id: int, changes: dict, actor_id: int | None) -> None:
    """Change a risk; a new current likelihood or impact adds a point to its score history."""
    with write(db):
        before = risk(db, risk_id)
        if "ref" in changes:
            _check_ref(db, "risks", changes["ref"], risk_id)
        changed = {k: v for k, v in changes.items() if before.get(k) != v}
        if not changed:
            return
        changed["updated_at"] = now()
        db["risks"].update(risk_id, changed)
        if "current_likelihood" in changed or "current_impact" in changed:
            _record_score(db, risk_id, {**before, **changed}, actor_id)
        record_event(
            db,
            actor_id,
            "update",
            "risk",
            risk_id,
            before={k: before[k] for k in changed if k in before},
            after=changed,
        )


def accept_risk(db: Database, risk_id: int, actor_id: int | None) -> None:
    """A proposed risk joins the register when its owner accepts it."""
    with write(db):
        before = risk(db, risk_id)
        if before["status"] != "proposed":
            return
        changes = {"status": "open", "accepted_by": actor_id, "accepted_at": now()}
        db["risks"].update(risk_id, {**changes, "updated_at": changes["accepted_at"]})
        record_event(
            db, actor_id, "accept", "risk", risk_id, before={"status": "proposed"}, after=changes
        )


def risks(db: Database, statuses: Iterable[str] = ("open",)) -> list[dict]:
    statuses = list(statuses)
    marks = ",".join("?" * len(statuses))
    return list(db.query(f"SELECT * FROM risks WHERE status IN ({marks}) ORDER BY ref", statuses))


def score_history(db: Database, risk_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM risk_scores WHERE risk_id = ? ORDER BY id", [risk_id]))


def score_histories(db: Database) -> dict[int, list[int]]:
    """Every risk's scores, oldest first, for the direction of travel in the list."""
    histories: dict[int, list[int]] = {}
    for row in db.query("SELECT risk_id, score FROM risk_scores ORDER BY id"):
        histories.setdefault(row["risk_id"], []).append(row["score"])
    return histories


# --- equality impact assessments ----------------------------------------------------------------


def add_eqia(db: Database, fields: dict, impacts: list[dict], actor_id: int | None) -> int:
    stamp = now()
    record = {k: fields.get(k) for k in EQIA_FIELDS if k in fields}
    record.update(created_by=actor_id, created_at=stamp, updated_at=stamp)
    with write(db):
        _check_ref(db, "eqias", record["ref"])
        eqia_id = db["eqias"].insert(record).last_pk
        db["eqia_impacts"].insert_all({**i, "eqia_id": eqia_id} for i in impacts)
        record_event(db, actor_id, "create", "eqia", eqia_id, after={**record, "impacts": impacts})
    return eqia_id


def eqia(db: Database, eqia_id: int) -> dict:
    return _one(db, "eqias", eqia_id)


def eqias(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM eqias ORDER BY ref"))


def update_eqia(
    db: Database, eqia_id: int, changes: dict, impacts: list[dict] | None, actor_id: int | None
) -> None:
    """Change an EqIA and, if given, replace its impacts group by group."""
    with write(db):
        before = eqia(db, eqia_id)
        if "ref" in changes:
            _check_ref(db, "eqias", changes["ref"], eqia_id)
        changed = {k: v for k, v in changes.items() if before.get(k) != v}
        old_impacts = impacts_of(db, eqia_id)
        before_log = {k: before[k] for k in changed if k in before}
        after_log = dict(changed)
        if impacts is not None and impacts != old_impacts:
            db.execute("DELETE FROM eqia_impacts WHERE eqia_id = ?", [eqia_id])
            db["eqia_impacts"].insert_all({**i, "eqia_id": eqia_id} for i in impacts)
            before_log["impacts"], after_log["impacts"] = old_impacts, impacts
        if not after_log:
            return
        db["eqias"].update(eqia_id, {**changed, "updated_at": now()})
        record_event(db, actor_id, "update", "eqia", eqia_id, before=before_log, after=after_log)


def impacts_of(db: Database, eqia_id: int) -> list[dict]:
    return list(
        db.query(
            """SELECT group_name, impact, severity, evidence, mitigation FROM eqia_impacts
               WHERE eqia_id = ? ORDER BY rowid""",
            [eqia_id],
        )
    )


# --- actions ------------------------------------------------------------------------------------


def add_register_action(
    db: Database, kind: str, entry_id: int, action: dict, actor_id: int | None
) -> int:
    record = {"entry_kind": kind, "entry_id": entry_id, **action}
    with write(db):
        _one(db, KINDS[kind], entry_id)
        action_id = db["register_actions"].insert(record).last_pk
        record_event(db, actor_id, "create", "register_action", action_id, after=record)
    return action_id


def actions_of(db: Database, kind: str, entry_id: int) -> list[dict]:
    return list(
        db.query(
            """SELECT * FROM register_actions WHERE entry_kind = ? AND entry_id = ?
               ORDER BY due_on, id""",
            [kind, entry_id],
        )
    )


# --- links --------------------------------------------------------------------------------------


def add_link(
    db: Database,
    kind: str,
    entry_id: int,
    questionnaire_id: str,
    dimension: str,
    member: str,
    actor_id: int | None,
) -> None:
    """Link an entry to a readiness area, value or statement; linking twice changes nothing."""
    record = {
        "entry_kind": kind,
        "entry_id": entry_id,
        "questionnaire_id": questionnaire_id,
        "dimension": dimension,
        "member": member,
    }
    with write(db):
        _one(db, KINDS[kind], entry_id)
        exists = db.execute(
            """SELECT 1 FROM register_links WHERE entry_kind = ? AND entry_id = ?
               AND questionnaire_id = ? AND dimension = ? AND member = ?""",
            list(record.values()),
        ).fetchone()
        if exists:
            return
        link_id = db["register_links"].insert(record).last_pk
        record_event(db, actor_id, "create", "register_link", link_id, after=record)


def remove_link(db: Database, link_id: int, actor_id: int | None) -> None:
    with write(db):
        before = _one(db, "register_links", link_id)
        db.execute("DELETE FROM register_links WHERE id = ?", [link_id])
        record_event(db, actor_id, "delete", "register_link", link_id, before=before)


def links_of(db: Database, kind: str, entry_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT * FROM register_links WHERE entry_kind = ? AND entry_id = ? ORDER BY id",
            [kind, entry_id],
        )
    )


def all_links(db: Database, kind: str, questionnaire_id: str) -> dict[int, list[dict]]:
    links: dict[int, list[dict]] = {}
    for row in db.query(
        """SELECT * FROM register_links WHERE entry_kind = ? AND questionnaire_id = ?
           ORDER BY id""",
        [kind, questionnaire_id],
    ):
        links.setdefault(row["entry_id"], []).append(row)
    return links


def linked_to(
    db: Database, kind: str, questionnaire_id: str, targets: Iterable[tuple[str, str]]
) -> list[dict]:
    """Entries (open risks, or EqIAs) linked to any of these (dimension, member) targets, each
    with `linked_to`: the targets it matched."""
    wanted = set(targets)
    table = KINDS[kind]
    status = " AND e.status = 'open'" if kind == "risk" else ""
    found: dict[int, dict] = {}
    for row in db.query(
        f"""SELECT e.*, l.dimension AS link_dimension, l.member AS link_member
            FROM register_links l JOIN {table} e ON e.id = l.entry_id
            WHERE l.entry_kind = ? AND l.questionnaire_id = ?{status} ORDER BY e.ref""",
        [kind, questionnaire_id],
    ):
        target = (row.pop("link_dimension"), row.pop("link_member"))
        if target in wanted:
            found.setdefault(row["id"], {**row, "linked_to": []})["linked_to"].append(target)
    return list(found.values())


def shown_on_results(db: Database, kind: str, entry_id: int) -> bool:
    """Whether a results page can list this entry: it is linked, and a risk is open (a proposed
    risk carries the evidence of the team it was raised from, for business improvement only)."""
    open_only = (
        " AND (SELECT status FROM risks WHERE id = l.entry_id) = 'open'" if kind == "risk" else ""
    )
    return bool(
        db.execute(
            f"""SELECT 1 FROM register_links l WHERE l.entry_kind = ? AND l.entry_id = ?
                {open_only} LIMIT 1""",
            [kind, entry_id],
        ).fetchone()
    )


# --- import -------------------------------------------------------------------------------------


def import_entries(db: Database, kind: str, entries: list[dict], actor_id: int | None) -> int:
    """Add every entry of an import in one transaction: all of them, or (on any fault) none.

    Risk entries are RISK_FIELDS; EqIA entries are EQIA_FIELDS plus `impacts`; either may carry
    `links`: (questionnaire_id, dimension, member) tuples."""
    with write(db):
        for entry in entries:
            fields = {k: v for k, v in entry.items() if k not in ("impacts", "links")}
            if kind == "risk":
                entry_id = add_risk(db, fields, actor_id)
            else:
                entry_id = add_eqia(db, fields, entry.get("impacts", []), actor_id)
            for questionnaire_id, dimension, member in entry.get("links", []):
                add_link(db, kind, entry_id, questionnaire_id, dimension, member, actor_id)
    return len(entries)


def existing_refs(db: Database, kind: str) -> set[str]:
    return {r[0] for r in db.execute(f"SELECT ref FROM {KINDS[kind]}").fetchall()}


# --- EqIA review prompts ------------------------------------------------------------------------


def raise_review_prompt(db: Database, eqia_id: int, round_id: int, reason: str) -> bool:
    """Prompt a review of an EqIA once per round; True if this call raised it."""
    with write(db):
        exists = db.execute(
            "SELECT 1 FROM eqia_review_prompts WHERE eqia_id = ? AND round_id = ?",
            [eqia_id, round_id],
        ).fetchone()
        if exists:
            return False
        record = {"eqia_id": eqia_id, "round_id": round_id, "reason": reason, "raised_at": now()}
        prompt_id = db["eqia_review_prompts"].insert(record).last_pk
        record_event(db, None, "create", "eqia_review_prompt", prompt_id, after=record)
    return True


def review_prompts(db: Database, eqia_id: int | None = None) -> list[dict]:
    where, params = ("WHERE p.eqia_id = ?", [eqia_id]) if eqia_id is not None else ("", [])
    return list(
        db.query(
            f"""SELECT p.*, e.ref, e.title, r.name AS round_name, u.name AS resolved_by_name
                FROM eqia_review_prompts p JOIN eqias e ON e.id = p.eqia_id
                JOIN rounds r ON r.id = p.round_id LEFT JOIN users u ON u.id = p.resolved_by
                {where} ORDER BY p.resolved_at IS NOT NULL, p.raised_at DESC""",
            params,
        )
    )


def resolve_review_prompt(db: Database, prompt_id: int, outcome: str, actor_id: int | None) -> None:
    """Record what was done about a review prompt."""
    with write(db):
        before = _one(db, "eqia_review_prompts", prompt_id)
        changes = {"outcome": outcome, "resolved_by": actor_id, "resolved_at": now()}
        db["eqia_review_prompts"].update(prompt_id, changes)
        record_event(
            db,
            actor_id,
            "update",
            "eqia_review_prompt",
            prompt_id,
            before={k: before[k] for k in changes},
            after=changes,
        )
