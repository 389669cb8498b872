"""Staff responses, the rules: printed codes, a list of email addresses to invite, whether a round
takes staff answers, and what a posted section of a staff member's answers keeps.

Pure; no Flask, no store. A staff member answers the team lead's questionnaire with a level per
statement (no "not applicable", no evidence) and one optional comment per section.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from assess.assessment.questionnaire import Statement

# No 0/O, 1/I/L: a code is read off paper and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
CODE_GROUP = 5  # shown as two groups of five: "ABCDE-FGHJK"
COMMENT_FIELD = "comment"
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
MOST_EMAIL_LENGTH = 254


def new_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """A single-use code for a printed slip: CODE_LENGTH characters of CODE_ALPHABET (about
    49 bits; guessing is throttled per client address)."""
    return "".join(choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """A code as a slip shows it, in groups: "ABCDE-FGHJK"."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def read_code(typed: str) -> str | None:
    """A typed code as it is stored: spaces and hyphens dropped, upper case; None when it cannot
    be a code (wrong length or a character no code has)."""
    code = re.sub(r"[\s\-‐-―]", "", typed or "").upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


@dataclass(frozen=True)
class EmailList:
    """A textarea of addresses read: the addresses to invite (lower case, each once, in the
    order typed) and, for the error summary, (line number, message) for each line refused."""

    addresses: tuple[str, ...]
    errors: tuple[tuple[int, str], ...]


def read_email_list(text: str, most: int) -> EmailList:
    """One address a line; blank lines are skipped. More than `most` lines is refused whole,
    before any is read (a pasted spreadsheet gets one message, not thousands); otherwise every
    line is checked, so the error summary names each bad one by its line number."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    filled = [(n, line.strip().strip(",;").strip()) for n, line in enumerate(lines, start=1)]
    filled = [(n, address) for n, address in filled if address]
    if not filled:
        return EmailList((), ((0, "Enter at least one email address"),))
    if len(filled) > most:
        message = f"Enter {most:,} email addresses or fewer: you entered {len(filled):,}"
        return EmailList((), ((0, message),))
    addresses: list[str] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, address in filled:
        if len(address) > MOST_EMAIL_LENGTH or not EMAIL.match(address):
            message = f"Line {number} is not an email address, like name@council.gov.uk"
            errors.append((number, message))
            continue
        address = address.lower()
        if address in seen:
            message = f"Line {number} repeats line {seen[address]}: remove one of them"
            errors.append((number, message))
            continue
        seen[address] = number
        addresses.append(address)
    return EmailList(tuple(addresses), tuple(errors))


def takes_staff_answers(round_status: str) -> bool:
    """Staff can start, change and submit answers only while the round is open."""
    return round_status == "open"


@dataclass(frozen=True)
class StaffSection:
    """A posted section read against what was saved: the levels to keep (statement key ->
    level), the comment to keep (None: keep the saved one), and errors as (field id, message)
    in page order. Nothing is ever said to be saved that is in `errors`."""

    levels: dict[str, int]
    comment: str | None
    errors: list[tuple[str, str]]


def level_field(statement_key: str) -> str:
    """The form field of a statement's level (the team lead's pages use the same name)."""
    return f"{statement_key}-level"


def read_staff_section(
    posted: Mapping[str, Sequence[str]],
    statements: Sequence[Statement],
    levels: Sequence[int],
    number: Mapping[str, int],
    saved: Mapping[str, int],
    comment_most: int,
    complete: bool,
) -> StaffSection:
    """Keep every valid level and the comment if it fits; name everything else. A level off the
    scale, or two levels for one statement, keeps the saved level; a comment over `comment_most`
    characters keeps the saved comment. `complete` ("Save and continue") also asks for a level
    for every statement that has none, posted or `saved`."""
    kept: dict[str, int] = {}
    errors: list[tuple[str, str]] = []
    allowed = {str(level) for level in levels}
    for statement in statements:
        field = level_field(statement.key)
        chosen = {value for value in posted.get(field, ()) if value}
        label = f"statement {number[statement.key]}"
        if len(chosen) > 1:
            errors.append((field, f"Choose one answer for {label}"))
        elif chosen and next(iter(chosen)) not in allowed:
            errors.append((field, f"Choose one of the answers shown for {label}"))
        elif chosen:
            kept[statement.key] = int(next(iter(chosen)))
        elif complete and statement.key not in saved:
            errors.append((field, f"Choose an answer for {label}"))
    comments = list(posted.get(COMMENT_FIELD, ()))
    comment: str | None = (comments[0] if comments else "").replace("\r\n", "\n").strip()
    if comment is not None and len(comment) > comment_most:
        errors.append((COMMENT_FIELD, f"Your comment must be {comment_most:,} characters or fewer"))
        comment = None
    return StaffSection(kept, comment, errors)


@dataclass(frozen=True)
class StaffEmail:
    subject: str
    body: str


def invitation_email(
    council: str, team: str, round_name: str, closes_on: str, link: str, reminder: bool = False
) -> StaffEmail:
    """What an invited member of staff receives: one message each, so nobody sees who else was
    invited. A reminder carries a new link (only a hash of the old one was kept)."""
    opening = (
        "This is a reminder: you have not used your link yet, and this new one replaces it.\n\n"
        if reminder
        else ""
    )
    body = (
        f"{opening}{council} would like to know how you see the way {team} works. It takes "
        f"about 15 minutes and you can answer on a phone.\n\n"
        "Your answers are anonymous: they are not stored with your name or email address, so "
        "nobody can tell which answers are yours. Your team sees only totals from several "
        "people.\n\n"
        f"Start here (the link works once, on the device you open it on): {link}\n\n"
        f"You can answer until {closes_on}.\n"
    )
    subject = f"{'Reminder: ' if reminder else ''}How does {team} work? ({round_name})"
    return StaffEmail(subject, body)
