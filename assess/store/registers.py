"""The risk register and equality impact assessments: entries, their actions, score history,
links to questionnaire areas, values and statements, and EqIA review prompts.

Every change is audited with what it was before and after. Import directly:
`from assess.store import registers as register_store`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from assess.assessment.scoring import PUBLISHED, council_average
from assess.registers import rules as risk_rules
from assess.store.assessments import round_scores
from assess.store.audit import record_event, record_update
from assess.store.db import NotFound, insert_row, now, write
from assess.store.imports import ImportRefused, claim, finish, record_written, stale_imports
from assess.store.rounds import questionnaire_version, round_before

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


class NotTheOwner(PermissionError):
    """Only a proposed risk's owner (or an administrator) accepts or declines it."""


class NeedsNote(ValueError):
    """Closing an action needs a note of what was done; declining a risk needs a reason."""


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
    db.table("risk_scores").insert(
        {
            "risk_id": risk_id,
            "likelihood": likelihood,
            "impact": impact,
            "score": likelihood * impact,
            "recorded_on": (record.get("last_review_on") or now())[:10],
            "recorded_by": actor_id,
        }
    )


def raised_from(
    db: Database, round_id: int, team_id: int | None, questionnaire_id: str, target: tuple
) -> dict | None:
    """The proposed or open risk already raised from this finding (a round's low score in one
    area, a team's or the council's), if any: raising it again returns this one."""
    dimension, member = target
    row = db.execute(
        """SELECT r.id, r.ref FROM risks r
           JOIN register_links l ON l.entry_kind = 'risk' AND l.entry_id = r.id
           WHERE r.source_round_id = ? AND r.source_team_id IS ?
             AND r.status IN ('proposed', 'open')
             AND l.questionnaire_id = ? AND l.dimension = ? AND l.member = ?
           ORDER BY r.id LIMIT 1""",
        [round_id, team_id, questionnaire_id, dimension, member],
    ).fetchone()
    return None if row is None else {"id": row[0], "ref": row[1]}


def add_risk(db: Database, fields: dict, actor_id: int | None, status: str = "open") -> int:
    """Add a risk (status "proposed" until its owner accepts it) with its first score."""
    stamp = now()
    record: dict[str, Any] = {k: fields.get(k) for k in RISK_FIELDS if k in fields}
    for source in ("source_round_id", "source_team_id", "source_evidence", "owner_user_id"):
        if source in fields:
            record[source] = fields[source]
    record.update(status=status, created_by=actor_id, created_at=stamp, updated_at=stamp)
    with write(db):
        _check_ref(db, "risks", record["ref"])
        risk_id = insert_row(db, "risks", record)
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
        if "owner" in changed and "owner_user_id" not in changes and before["owner_user_id"]:
            changed["owner_user_id"] = None  # a typed-in owner is no longer that user
        if not changed:
            return
        changed["updated_at"] = now()
        db.table("risks").update(risk_id, changed)
        if "current_likelihood" in changed or "current_impact" in changed:
            _record_score(db, risk_id, {**before, **changed}, actor_id)
        record_update(db, actor_id, "risk", risk_id, before, changed)


def accept_risk(db: Database, risk_id: int, actor: dict) -> bool:
    """A proposed risk joins the register when its owner accepts it (or an administrator does
    for them); True if this call moved it. `actor` is the signed-in user (id and role)."""
    with write(db):
        before = risk(db, risk_id)
        if before["status"] != "proposed":
            return False
        if not risk_rules.may_decide(actor["id"], actor["role"], before["owner_user_id"]):
            raise NotTheOwner(f"Only the owner of {before['ref']} can accept it")
        if before["owner_user_id"] is None:
            raise NotTheOwner(f"{before['ref']} needs an owner, who then accepts it")
        stamp = now()
        changes = {"status": "open", "accepted_by": actor["id"], "accepted_at": stamp}
        db.table("risks").update(risk_id, {**changes, "updated_at": stamp})
        _record_decision(db, before, actor["id"], "accepted", "", stamp)
        record_event(
            db, actor["id"], "accept", "risk", risk_id, before={"status": "proposed"}, after=changes
        )
    return True


def decline_risk(db: Database, risk_id: int, reason: str, actor: dict) -> None:
    """The owner says no, with a reason (kept): the risk stays proposed, without an owner, until
    business improvement chooses another owner or the same one again."""
    reason = reason.strip()
    if not reason:
        raise NeedsNote("Say why you are declining this risk")
    with write(db):
        before = risk(db, risk_id)
        if before["status"] != "proposed" or before["owner_user_id"] is None:
            raise NotTheOwner(f"{before['ref']} is not waiting for anyone to accept it")
        if not risk_rules.may_decide(actor["id"], actor["role"], before["owner_user_id"]):
            raise NotTheOwner(f"Only the owner of {before['ref']} can decline it")
        stamp = now()
        changes = {"owner_user_id": None, "owner": ""}
        db.table("risks").update(risk_id, {**changes, "updated_at": stamp})
        _record_decision(db, before, actor["id"], "declined", reason, stamp)
        record_event(
            db,
            actor["id"],
            "decline",
            "risk",
            risk_id,
            before={k: before[k] for k in changes},
            after={**changes, "reason": reason},
        )


def _record_decision(
    db: Database, before: dict, actor_id: int, decision: str, reason: str, stamp: str
) -> None:
    db.table("risk_owner_decisions").insert(
        {
            "risk_id": before["id"],
            "owner_user_id": before["owner_user_id"],
            "decided_by": actor_id,
            "decision": decision,
            "reason": reason,
            "decided_at": stamp,
        }
    )


def owned_by(db: Database, risk_id: int, user_id: int) -> bool:
    """Whether this user is the risk's owner (as a user of the service, not a typed-in name)."""
    return bool(
        db.execute(
            "SELECT 1 FROM risks WHERE id = ? AND owner_user_id = ?", [risk_id, user_id]
        ).fetchone()
    )


def owner_decisions(db: Database, risk_id: int) -> list[dict]:
    """Every accept and decline of a proposed risk, oldest first, with the names involved."""
    return list(
        db.query(
            """SELECT d.*, o.name AS owner_name, b.name AS decided_by_name
               FROM risk_owner_decisions d LEFT JOIN users o ON o.id = d.owner_user_id
               LEFT JOIN users b ON b.id = d.decided_by WHERE d.risk_id = ? ORDER BY d.id""",
            [risk_id],
        )
    )


def proposals(db: Database, owner_user_id: int | None = None) -> list[dict]:
    """Proposed risks (only those waiting for this user, if given), each with its owner's name,
    its latest decision and its state (a key of risk.PROPOSAL_STATES)."""
    where, params = "r.status = 'proposed'", []
    if owner_user_id is not None:
        where += " AND r.owner_user_id = ?"
        params.append(owner_user_id)
    rows = list(
        db.query(
            f"""SELECT r.*, u.name AS owner_name,
                   (SELECT decision FROM risk_owner_decisions d WHERE d.risk_id = r.id
                    ORDER BY d.id DESC LIMIT 1) AS last_decision
                FROM risks r LEFT JOIN users u ON u.id = r.owner_user_id
                WHERE {where} ORDER BY r.ref""",
            params,
        )
    )
    for row in rows:
        row["proposal_state"] = risk_rules.proposal_state(
            row["owner_user_id"], row["last_decision"]
        )
    return rows


def owner_choices(db: Database) -> list[dict]:
    """The users who may own a risk: active, in a role that can act on it."""
    marks = ",".join("?" * len(risk_rules.OWNER_ROLES))
    return list(
        db.query(
            f"""SELECT id, name, email, role FROM users WHERE active = 1 AND role IN ({marks})
                ORDER BY name, email""",
            list(risk_rules.OWNER_ROLES),
        )
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


def add_eqia(
    db: Database,
    fields: dict,
    impacts: list[dict],
    actor_id: int | None,
    strand_impacts: list[dict] | None = None,
) -> int:
    """Add an EqIA with its impacts by group and (if given) its implications by strand."""
    stamp = now()
    record: dict[str, Any] = {k: fields.get(k) for k in EQIA_FIELDS if k in fields}
    record.update(created_by=actor_id, created_at=stamp, updated_at=stamp)
    strand_impacts = strand_impacts or []
    with write(db):
        _check_ref(db, "eqias", record["ref"])
        eqia_id = insert_row(db, "eqias", record)
        db.table("eqia_impacts").insert_all({**i, "eqia_id": eqia_id} for i in impacts)
        db.table("eqia_strand_impacts").insert_all(
            {**i, "eqia_id": eqia_id} for i in strand_impacts
        )
        after = {**record, "impacts": impacts}
        if strand_impacts:
            after["strand_impacts"] = strand_impacts
        record_event(db, actor_id, "create", "eqia", eqia_id, after=after)
    return eqia_id


def eqia(db: Database, eqia_id: int) -> dict:
    return _one(db, "eqias", eqia_id)


def eqias(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM eqias ORDER BY ref"))


def update_eqia(
    db: Database,
    eqia_id: int,
    changes: dict,
    impacts: list[dict] | None,
    actor_id: int | None,
    strand_impacts: list[dict] | None = None,
) -> None:
    """Change an EqIA and, if given, replace its impacts group by group and its implications
    strand by strand."""
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
            db.table("eqia_impacts").insert_all({**i, "eqia_id": eqia_id} for i in impacts)
            before_log["impacts"], after_log["impacts"] = old_impacts, impacts
        old_strands = strand_impacts_of(db, eqia_id)
        if strand_impacts is not None and strand_impacts != old_strands:
            db.execute("DELETE FROM eqia_strand_impacts WHERE eqia_id = ?", [eqia_id])
            db.table("eqia_strand_impacts").insert_all(
                {**i, "eqia_id": eqia_id} for i in strand_impacts
            )
            before_log["strand_impacts"], after_log["strand_impacts"] = old_strands, strand_impacts
        if not after_log:
            return
        db.table("eqias").update(eqia_id, {**changed, "updated_at": now()})
        record_event(db, actor_id, "update", "eqia", eqia_id, before=before_log, after=after_log)


def impacts_of(db: Database, eqia_id: int) -> list[dict]:
    return list(
        db.query(
            """SELECT group_name, impact, severity, evidence, mitigation FROM eqia_impacts
               WHERE eqia_id = ? ORDER BY rowid""",
            [eqia_id],
        )
    )


def strand_impacts_of(db: Database, eqia_id: int) -> list[dict]:
    """An EqIA's implications for equality by strand, in the order they were given."""
    return list(
        db.query(
            """SELECT strand, impact, note FROM eqia_strand_impacts
               WHERE eqia_id = ? ORDER BY rowid""",
            [eqia_id],
        )
    )


def impacts_by_eqia(db: Database) -> dict[int, list[dict]]:
    """Every EqIA's impacts by group, in one read, for the list of EqIAs."""
    found: dict[int, list[dict]] = {}
    for row in db.query(
        """SELECT eqia_id, group_name, impact, severity, evidence, mitigation FROM eqia_impacts
           ORDER BY rowid"""
    ):
        found.setdefault(row.pop("eqia_id"), []).append(row)
    return found


# --- actions ------------------------------------------------------------------------------------


def add_register_action(
    db: Database, kind: str, entry_id: int, action: dict, actor_id: int | None
) -> int:
    record = {"entry_kind": kind, "entry_id": entry_id, **action}
    if record.get("status") == "done":
        record.update(closed_at=now(), closed_by=actor_id)
    with write(db):
        _one(db, KINDS[kind], entry_id)
        action_id = insert_row(db, "register_actions", record)
        record_event(db, actor_id, "create", "register_action", action_id, after=record)
    return action_id


def register_action(db: Database, action_id: int) -> dict:
    return _one(db, "register_actions", action_id)


def update_register_action(
    db: Database, action_id: int, changes: dict, actor_id: int | None
) -> None:
    """Change an action (what, owner, due_on, status, completion_note). Marking it done closes
    it and needs a note of what was done; moving it back from done reopens it (the note stays)."""
    with write(db):
        before = register_action(db, action_id)
        after = {**before, **changes}
        if after["status"] == "done" and not (after.get("completion_note") or "").strip():
            raise NeedsNote("Say what was done before you mark the action done")
        changed = {k: v for k, v in changes.items() if before.get(k) != v}
        if changed.get("status") == "done":
            changed.update(closed_at=now(), closed_by=actor_id)
        elif "status" in changed and before["status"] == "done":
            changed.update(closed_at=None, closed_by=None)
        if not changed:
            return
        db.table("register_actions").update(action_id, changed)
        action = "close" if changed.get("status") == "done" else "update"
        record_update(db, actor_id, "register_action", action_id, before, changed, action)


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
        link_id = insert_row(db, "register_links", record)
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


# --- import -------------------------------------------------------------------------------------


# A confirmed import is written in batches, each its own transaction holding the write lock for
# about BATCH_SECONDS (at most BATCH_ENTRIES entries), then the importer waits as long before the
# next, so a team lead's save waits for one batch at most, never for the whole import.
BATCH_SECONDS = 0.1
BATCH_ENTRIES = 500


def confirm_import(
    db: Database, token: str, kind: str, actor_id: int, max_age_minutes: float
) -> int:
    """Write the import checked under `token` (by this user, of this kind, not expired, not yet
    confirmed): all of its entries, or none. Raises ImportRefused, having written nothing, if
    the token will not do or a ref has been taken since the preview."""
    for stale in stale_imports(db, max_age_minutes):
        undo_import(db, stale["kind"], stale["written"], stale["user_id"])
        finish(db, stale["token"], "undone")
    entries = claim(db, token, actor_id, kind, max_age_minutes)
    taken = existing_refs(db, kind)
    clash = [e["ref"] for e in entries if e["ref"] in taken]
    if clash:
        finish(db, token, "undone")
        raise ImportRefused(
            f"{', '.join(clash[:5])}{' and others' if len(clash) > 5 else ''} "
            f"{'is' if len(clash) == 1 else 'are'} now used by another entry: the register "
            "changed since the preview. Nothing was imported. Choose the file again."
        )
    try:
        count = import_entries(db, kind, entries, actor_id, token)
    except BaseException:
        finish(db, token, "undone")
        raise
    finish(db, token, "imported")
    return count


def import_entries(
    db: Database,
    kind: str,
    entries: list[dict],
    actor_id: int | None,
    token: str | None = None,
    batch_seconds: float = BATCH_SECONDS,
) -> int:
    """Add every entry of an import, each audited as it is added: all of them, or (on any fault)
    none. Written in short batches (see BATCH_SECONDS); if a batch fails, it leaves nothing and
    the entries of the batches before it are removed again (each removal audited), so the
    import ends with all its rows or none. While it runs, the rows written so far can be seen.
    With a `token`, each batch also records what it added (import_previews.written), so an
    import whose worker was stopped part-way is undone by the next confirmation.

    Risk entries are RISK_FIELDS; EqIA entries are EQIA_FIELDS plus `impacts` and (if any)
    `strand_impacts`; either may carry `links`: (questionnaire_id, dimension, member) tuples."""
    written: list[int] = []
    position = 0
    try:
        while position < len(entries):
            started = time.monotonic()
            with write(db):
                batch: list[int] = []
                while position < len(entries) and len(batch) < BATCH_ENTRIES:
                    batch.append(_import_entry(db, kind, entries[position], actor_id))
                    position += 1
                    if time.monotonic() - started >= batch_seconds:
                        break
                if token is not None:
                    record_written(db, token, written + batch)
            written += batch
            if position < len(entries):  # let writers waiting for the lock take it
                time.sleep(max(time.monotonic() - started, 0.02))
    except BaseException:
        undo_import(db, kind, written, actor_id)
        raise
    return len(entries)


def _import_entry(db: Database, kind: str, entry: dict, actor_id: int | None) -> int:
    fields = {k: v for k, v in entry.items() if k not in ("impacts", "strand_impacts", "links")}
    if kind == "risk":
        entry_id = add_risk(db, fields, actor_id)
    else:
        entry_id = add_eqia(
            db, fields, entry.get("impacts", []), actor_id, entry.get("strand_impacts")
        )
    for questionnaire_id, dimension, member in entry.get("links", []):
        add_link(db, kind, entry_id, questionnaire_id, dimension, member, actor_id)
    return entry_id


def undo_import(db: Database, kind: str, entry_ids: list[int], actor_id: int | None) -> None:
    """Remove the entries an import added (and what hangs from them: scores, impacts, links,
    actions, decisions, prompts), in short batches, each removal audited with what was there."""
    table = KINDS[kind]
    children = (
        (("risk_scores", "risk_id"), ("risk_owner_decisions", "risk_id"))
        if kind == "risk"
        else (
            ("eqia_impacts", "eqia_id"),
            ("eqia_strand_impacts", "eqia_id"),
            ("eqia_review_prompts", "eqia_id"),
            ("eqia_indicator_prompts", "eqia_id"),
        )
    )
    for start in range(0, len(entry_ids), BATCH_ENTRIES):
        with write(db):
            for entry_id in entry_ids[start : start + BATCH_ENTRIES]:
                found = list(db.query(f"SELECT * FROM {table} WHERE id = ?", [entry_id]))
                if not found:
                    continue
                for child, column in children:
                    db.execute(f"DELETE FROM {child} WHERE {column} = ?", [entry_id])
                for shared in ("register_links", "register_actions"):
                    db.execute(
                        f"DELETE FROM {shared} WHERE entry_kind = ? AND entry_id = ?",
                        [kind, entry_id],
                    )
                db.execute(f"DELETE FROM {table} WHERE id = ?", [entry_id])
                record_event(
                    db,
                    actor_id,
                    "delete",
                    kind,
                    entry_id,
                    before=found[0],
                    after={"reason": "the import that added it did not complete"},
                )


def existing_refs(db: Database, kind: str) -> set[str]:
    return {r[0] for r in db.execute(f"SELECT ref FROM {KINDS[kind]}").fetchall()}


# --- EqIA review prompts ------------------------------------------------------------------------


def raise_review_prompt(
    db: Database, eqia_id: int, round_id: int, reason: str, actor_id: int | None = None
) -> bool:
    """Prompt a review of an EqIA once per round; True if this call raised it."""
    with write(db):
        exists = db.execute(
            "SELECT 1 FROM eqia_review_prompts WHERE eqia_id = ? AND round_id = ?",
            [eqia_id, round_id],
        ).fetchone()
        if exists:
            return False
        record = {"eqia_id": eqia_id, "round_id": round_id, "reason": reason, "raised_at": now()}
        prompt_id = insert_row(db, "eqia_review_prompts", record)
        record_event(db, actor_id, "create", "eqia_review_prompt", prompt_id, after=record)
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
        db.table("eqia_review_prompts").update(prompt_id, changes)
        record_event(
            db,
            actor_id,
            "update",
            "eqia_review_prompt",
            prompt_id,
            before={k: before[k] for k in changes},
            after=changes,
        )


def _inclusion_average(db: Database, round_id: int) -> float | None:
    """The published council average for Inclusion & Respect in a round."""
    dimension, member = risk_rules.INCLUSION_VALUE
    rows = round_scores(db, round_id, PUBLISHED, (dimension,))
    return council_average(r["score"] for r in rows if r["member"] == member)


def _inclusion_score(db: Database, assessment_id: int) -> float | None:
    dimension, member = risk_rules.INCLUSION_VALUE
    row = db.execute(
        "SELECT score FROM scores WHERE assessment_id = ? AND dimension = ? AND member = ?",
        [assessment_id, dimension, member],
    ).fetchone()
    return row[0] if row else None


def inclusion_evidence(db: Database, assessment_id: int) -> risk_rules.InclusionEvidence | None:
    """What a submitted or signed-off assessment says about Inclusion & Respect; None for a
    draft (it says nothing yet)."""
    rows = list(
        db.query(
            """SELECT a.*, t.name AS team_name, r.name AS round_name, r.opens_on
               FROM assessments a JOIN teams t ON t.id = a.team_id
               JOIN rounds r ON r.id = a.round_id WHERE a.id = ?""",
            [assessment_id],
        )
    )
    if not rows:
        raise NotFound(f"assessment {assessment_id} does not exist")
    a = rows[0]
    if a["status"] not in ("submitted", "signed_off"):
        return None
    earlier = db.execute(
        """SELECT a.id FROM assessments a JOIN rounds r ON r.id = a.round_id
           WHERE a.team_id = ? AND a.status IN ('submitted', 'signed_off') AND r.opens_on < ?
           ORDER BY r.opens_on DESC LIMIT 1""",
        [a["team_id"], a["opens_on"]],
    ).fetchone()
    before = round_before(db, a)
    return risk_rules.InclusionEvidence(
        team=a["team_name"],
        round_name=a["round_name"],
        score=_inclusion_score(db, assessment_id),
        previous=_inclusion_score(db, earlier[0]) if earlier else None,
        council_average=_inclusion_average(db, a["round_id"]),
        council_previous=_inclusion_average(db, before["id"]) if before else None,
    )


def raise_eqia_prompts_for(
    db: Database,
    assessment_id: int,
    low_score: float,
    change_threshold: float,
    actor_id: int | None = None,
) -> list[str]:
    """When an assessment's evidence arrives (sign-off): if its Inclusion & Respect score, or
    the council's, is low or falling, prompt a review of every EqIA linked to that value or
    one of its statements, once per round. The refs of the EqIAs newly prompted."""
    evidence = inclusion_evidence(db, assessment_id)
    if evidence is None:
        return []
    reason = risk_rules.eqia_review_reason(evidence, low_score, change_threshold)
    if reason is None:
        return []
    a = _one(db, "assessments", assessment_id)
    q = questionnaire_version(db, a["questionnaire_version"])
    statements = [s.key for s in q.statements_in(*risk_rules.INCLUSION_VALUE)]
    raised = []
    with write(db):
        for eqia_id, links in all_links(db, "eqia", q.id).items():
            targets = [(link["dimension"], link["member"]) for link in links]
            if risk_rules.bears_on_inclusion(targets, statements) and raise_review_prompt(
                db, eqia_id, a["round_id"], reason, actor_id
            ):
                raised.append(eqia(db, eqia_id)["ref"])
    return raised


def raise_eqia_prompts_for_round(
    db: Database, round_id: int, low_score: float, change_threshold: float
) -> list[str]:
    """The same for every signed-off assessment of a round: a backfill for rounds signed off
    before prompts were raised at sign-off. Safe to run again (one prompt per EqIA and round)."""
    raised = []
    for (assessment_id,) in db.execute(
        "SELECT id FROM assessments WHERE round_id = ? AND status = 'signed_off' ORDER BY id",
        [round_id],
    ).fetchall():
        raised += raise_eqia_prompts_for(db, assessment_id, low_score, change_threshold)
    return raised
