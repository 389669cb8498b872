"""Reading a readiness review's page: what can be kept, and what cannot and why. Pure.

Each check posts an answer (`answer-<key>`) and a note (`note-<key>`): the evidence for the
answer, or the reason the check does not apply. An answer is kept only with what it needs (the
evidence an answer requires, the reason "not applicable" requires, a note within the limit);
anything else is named in the errors, and the page shows again what was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from assess.readiness.checks import NOT_APPLICABLE, Check, Review


def answer_field(check_key: str) -> str:
    return f"answer-{check_key}"


def note_field(check_key: str) -> str:
    return f"note-{check_key}"


@dataclass
class Posted:
    kept: dict[str, tuple[str, str]] = field(default_factory=dict)  # check key -> (answer, note)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field name, message)
    values: dict[str, str] = field(default_factory=dict)  # field name -> what was posted


def check_name(check: Check, number: int) -> str:
    """How an error message names a check: its number and question."""
    return f"check {number} ({check.text.rstrip('?')})"


def unanswered(review: Review, answered: Mapping[str, object]) -> list[tuple[str, str]]:
    """What stops a review being completed: (the check's key, "Answer check N (...)") for each
    check without a kept answer."""
    return [
        (check.key, f"Answer {check_name(check, number)}")
        for number, check in enumerate(review.checks, start=1)
        if check.key not in answered
    ]


def read_review(
    review: Review, checks: list[Check], form: Mapping[str, str], max_text: int
) -> Posted:
    """The answers a page of `checks` (one area's, say) posted."""
    posted = Posted()
    offered = {a.key: a for a in review.answers}
    numbers = {c.key: n for n, c in enumerate(review.checks, start=1)}
    for check in checks:
        number = numbers[check.key]
        answer_name, note_name = answer_field(check.key), note_field(check.key)
        answer = (form.get(answer_name) or "").strip()
        note = " ".join((form.get(note_name) or "").split())
        posted.values[answer_name], posted.values[note_name] = answer, form.get(note_name) or ""
        what = check_name(check, number)
        if not answer:
            if note:
                posted.errors.append(
                    (answer_name, f"Choose an answer for {what}, or its note cannot be kept")
                )
            continue
        if answer != NOT_APPLICABLE and answer not in offered:
            posted.errors.append((answer_name, f"Choose one of the answers for {what}"))
        elif len(note) > max_text:
            posted.errors.append(
                (note_name, f"The note for {what} must be {max_text:,} characters or fewer")
            )
        elif answer == NOT_APPLICABLE and not note:
            posted.errors.append((note_name, f"Say why {what} does not apply to this service"))
        elif answer != NOT_APPLICABLE and offered[answer].evidence_required and not note:
            name = offered[answer].name
            posted.errors.append((note_name, f"Give the evidence for answering “{name}” to {what}"))
        else:
            posted.kept[check.key] = (answer, note)
    return posted
