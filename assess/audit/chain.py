"""The audit chain's rules: how an event is hashed, and how the chain is checked.

Pure: it reads events (dicts with the audit_events columns, in id order), the chain key and the
database's triggers on audit_events, and nothing else, so the store, the CLI, the auditor's page
and the tests share one rule. Each event's hash is an HMAC-SHA256, under a key kept outside the
database, of its own fields and the previous event's hash (`event_hash`), so:

- an event whose fields no longer give its stored hash under the key was edited, or rewritten
  by someone without the key (recomputing every hash needs the key);
- an event whose previous_hash is not the hash of the event before it follows a gap: an event
  was deleted (its id is missing), or events were reordered.

A deletion of the newest events leaves a shorter chain that is still whole; the chain cannot
show that (compare the count of events with one noted earlier, or with a backup). Someone who
holds the key can rewrite the chain undetected: see docs/security.md.

Events recorded before assess keyed the chain carry a plain SHA-256 (`unkeyed_event_hash`).
Such a prefix is accepted only when a keyed SEAL_ACTION event (`assess audit seal`) names its
last event: it fixes the prefix as it stood when it was sealed, no earlier.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("at", "actor_id", "action", "entity", "entity_id", "before", "after")
KEYED_FIELDS = ("id", *HASHED_FIELDS)  # a keyed hash also covers the event's place in the log
SEAL_ACTION = "seal_unkeyed_events"

# The triggers that make audit_events append-only, and the statement each must refuse.
APPEND_ONLY_TRIGGERS = {"audit_events_no_update": "UPDATE", "audit_events_no_delete": "DELETE"}

EDITED = "edited"
DELETED = "deleted"
REORDERED = "reordered"
UNSEALED = "unsealed"


class NoAuditKey(ValueError):
    """An audit event cannot be hashed without the chain key."""


def _payload(previous_hash: str, event: Mapping[str, Any], names: tuple[str, ...]) -> bytes:
    fields = {k: event.get(k) for k in names}
    return (previous_hash + json.dumps(fields, sort_keys=True, separators=(",", ":"))).encode(
        "utf-8"
    )


def event_hash(key: str, previous_hash: str, event: Mapping[str, Any]) -> str:
    """The chain: an HMAC-SHA256 under `key` of the event's id and fields and the previous
    hash. Without the key nobody can compute it, so nobody can rewrite the chain."""
    if not key:
        raise NoAuditKey("The audit chain key is empty: an event cannot be hashed without it.")
    payload = _payload(previous_hash, event, KEYED_FIELDS)
    return hmac.new(key.encode("utf-8"), payload, hashlib.sha256).hexdigest()


def unkeyed_event_hash(previous_hash: str, event: Mapping[str, Any]) -> str:
    """The rule before the chain was keyed (a plain SHA-256 anyone can recompute): only for
    recognising events recorded then. Never used to record an event."""
    return hashlib.sha256(_payload(previous_hash, event, HASHED_FIELDS)).hexdigest()


def missing_triggers(triggers: Mapping[str, str]) -> list[str]:
    """The append-only triggers that are absent from `triggers` (name -> CREATE TRIGGER
    statement, as the database holds them), or present but no longer refusing their change."""
    missing = []
    for name, statement in APPEND_ONLY_TRIGGERS.items():
        sql = " ".join(triggers.get(name, "").split()).upper()
        if not (
            re.search(rf"\bBEFORE {statement} ON \"?AUDIT_EVENTS\"?", sql)
            and "RAISE(ABORT" in sql.replace(" ", "")
        ):
            missing.append(name)
    return missing


@dataclass(frozen=True)
class ChainBreak:
    """The first event at which the chain no longer holds, and what is wrong with it."""

    event_id: int
    kind: str  # EDITED, DELETED, REORDERED or UNSEALED
    message: str


@dataclass(frozen=True)
class ChainCheck:
    events_checked: int
    first_break: ChainBreak | None
    last_hash: str
    missing_triggers: tuple[str, ...] = ()
    unkeyed_events: int = 0  # events 1 to this one were recorded before the chain was keyed
    sealed_by: int | None = None  # the event that sealed them

    @property
    def intact(self) -> bool:
        return self.first_break is None and not self.missing_triggers

    def summary(self) -> str:
        parts = []
        if self.first_break is None:
            parts.append(
                ("The audit chain holds" if self.missing_triggers else "The audit trail is intact")
                + f": {self.events_checked:,} events checked, each one chained to the one "
                "before under this instance's audit key."
            )
            if self.unkeyed_events:
                parts.append(
                    f"Events 1 to {self.unkeyed_events} were recorded before the chain was "
                    f"keyed and were sealed by event {self.sealed_by}: they are proved only "
                    "as they stood when they were sealed."
                )
        elif self.first_break.kind == UNSEALED:
            parts.append("The audit trail is not proved: " + self.first_break.message)
        else:
            parts.append(
                f"The audit trail is broken at event {self.first_break.event_id}: "
                + self.first_break.message
            )
        if self.missing_triggers:
            parts.append(
                "The append-only triggers on audit_events are missing "
                f"({', '.join(self.missing_triggers)}): anyone with the database file can now "
                "change or delete events."
            )
        return " ".join(parts)


def _with_next(events: Iterable[dict[str, Any]]) -> Iterator[tuple[dict, dict | None]]:
    iterator = iter(events)
    current = next(iterator, None)
    while current is not None:
        following = next(iterator, None)
        yield current, following
        current = following


def _link_break(event: dict, following: dict | None, previous_id: int | None) -> tuple[str, str]:
    """Why an event's previous_hash does not match: a deletion or a reordering."""
    event_id = event["id"]
    after = f"event {previous_id}" if previous_id is not None else "the start of the log"
    if previous_id is not None and event_id != previous_id + 1:
        missing = (
            f"event {previous_id + 1}"
            if event_id == previous_id + 2
            else f"events {previous_id + 1} to {event_id - 1}"
        )
        kind, why = DELETED, f"{missing} deleted"
    elif previous_id is None and event_id != 1:
        kind, why = DELETED, f"events 1 to {event_id - 1} deleted"
    elif following is not None and following["hash"] == event["previous_hash"]:
        kind, why = REORDERED, f"it was recorded after event {following['id']}: reordered"
    else:
        kind, why = DELETED, "an event before it deleted, or the events reordered"
    return kind, f"its previous hash does not match {after} ({why})."


def verify_chain(
    events: Iterable[dict[str, Any]], key: str, triggers: Mapping[str, str]
) -> ChainCheck:
    """Check every event in id order under `key`; stop at the first break. Holds one event at
    a time. `triggers` are the database's triggers on audit_events (name -> statement)."""
    if not key:
        raise NoAuditKey("The audit chain cannot be checked without the audit key.")
    absent = tuple(missing_triggers(triggers))
    expected_previous = GENESIS_HASH
    previous_id: int | None = None
    checked = unkeyed = 0
    sealed_by: int | None = None

    def broken(event_id: int, kind: str, message: str) -> ChainCheck:
        return ChainCheck(
            checked, ChainBreak(event_id, kind, message), expected_previous, absent, unkeyed
        )

    for event, following in _with_next(events):
        checked += 1
        event_id = event["id"]
        if event["previous_hash"] != expected_previous:
            return broken(event_id, *_link_break(event, following, previous_id))
        if event_hash(key, event["previous_hash"], event) == event["hash"]:
            if (
                unkeyed
                and sealed_by is None
                and event["action"] == SEAL_ACTION
                and event["entity_id"] == str(unkeyed)
            ):
                sealed_by = event_id
        elif unkeyed_event_hash(event["previous_hash"], event) != event["hash"]:
            return broken(
                event_id,
                EDITED,
                "its contents do not match its hash under this instance's audit key (the event "
                "was edited after it was recorded, or the chain was rewritten without the key).",
            )
        elif previous_id is None or unkeyed == previous_id:
            unkeyed = event_id  # still in the prefix recorded before the chain was keyed
        else:
            return broken(
                event_id,
                EDITED,
                "it carries the old unkeyed hash although events before it are keyed (it was "
                "rewritten by someone without the audit key).",
            )
        expected_previous = event["hash"]
        previous_id = event_id
    if unkeyed and sealed_by is None:
        return broken(
            1,
            UNSEALED,
            f"events 1 to {unkeyed} carry the old unkeyed hash, which anyone can recompute, and "
            "no keyed event seals them. Either they were recorded before assess keyed the chain "
            "(run 'assess audit seal' once, when upgrading), or the chain was rewritten without "
            "the key.",
        )
    return ChainCheck(checked, None, expected_previous, absent, unkeyed, sealed_by)
