"""Checking the audit trail: walk the hash chain and name the first event where it breaks.

Pure: it reads events (dicts with the audit_events columns, in id order) and nothing else, so
the CLI, the auditor's page and the tests share one rule. Each event's hash covers its own fields
and the previous event's hash (`assess.store.audit.event_hash`), so:

- an event whose fields no longer give its stored hash was edited;
- an event whose previous_hash is not the hash of the event before it follows a gap: an event
  was deleted (its id is missing), or events were reordered.

A deletion of the newest events leaves a shorter chain that is still whole; the chain cannot
show that (compare the count of events with one noted earlier, or with a backup).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from assess.store.audit import GENESIS_HASH, event_hash

EDITED = "edited"
DELETED = "deleted"
REORDERED = "reordered"


@dataclass(frozen=True)
class ChainBreak:
    """The first event at which the chain no longer holds, and what is wrong with it."""

    event_id: int
    kind: str  # EDITED, DELETED or REORDERED
    message: str


@dataclass(frozen=True)
class ChainCheck:
    events_checked: int
    first_break: ChainBreak | None
    last_hash: str

    @property
    def intact(self) -> bool:
        return self.first_break is None

    def summary(self) -> str:
        if self.first_break is None:
            return (
                f"The audit trail is intact: {self.events_checked:,} events checked, "
                "each one chained to the one before."
            )
        return f"The audit trail is broken at event {self.first_break.event_id}: " + (
            self.first_break.message
        )


def _with_next(events: Iterable[dict[str, Any]]) -> Iterator[tuple[dict, dict | None]]:
    iterator = iter(events)
    current = next(iterator, None)
    while current is not None:
        following = next(iterator, None)
        yield current, following
        current = following


def verify_chain(events: Iterable[dict[str, Any]]) -> ChainCheck:
    """Check every event in id order; stop at the first break. Holds one event at a time."""
    expected_previous = GENESIS_HASH
    previous_id: int | None = None
    checked = 0
    for event, following in _with_next(events):
        checked += 1
        event_id = event["id"]
        if event["previous_hash"] != expected_previous:
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
            return ChainCheck(
                checked,
                ChainBreak(
                    event_id,
                    kind,
                    f"its previous hash does not match {after} ({why}).",
                ),
                expected_previous,
            )
        if event_hash(event["previous_hash"], event) != event["hash"]:
            return ChainCheck(
                checked,
                ChainBreak(
                    event_id,
                    EDITED,
                    "its contents do not match its hash (the event was edited after it was "
                    "recorded).",
                ),
                expected_previous,
            )
        expected_previous = event["hash"]
        previous_id = event_id
    return ChainCheck(checked, None, expected_previous)
