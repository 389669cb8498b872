"""A round whose council averages all sit on rounding edges, the one rule for the figure, and a
reader for the tables a page shows.

The answer sheets give, for each team, one string per corporate value with one character per
statement in the questionnaire's order: a level from 1 to 5, or "n" for not applicable. They were
chosen so that, for every value and readiness area, the exact mean of the signed-off teams' stored
scores ends in a 5 in the third decimal place (so only exact arithmetic rounded half up once gives
the right figure), the Inclusion & Respect average is below the low score, two teams have no
Inclusion & Respect score at all (every statement not applicable), and counting the team that is
submitted but not signed off would change every figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser

# Signed off in this order: the last has no Inclusion & Respect score of its own, so the EqIA
# review prompt raised at its sign-off can only rest on the council average.
SIGNED_OFF = {
    "Registrars": {
        "one-team": "4nn231",
        "inclusion-respect": "131233",
        "service-excellence": "115234",
        "stepping-up": "541134",
        "amazing-outcomes": "5n3153",
    },
    "Bereavement Services": {
        "one-team": "145122",
        "inclusion-respect": "324522",
        "service-excellence": "345432",
        "stepping-up": "n24331",
        "amazing-outcomes": "225235",
    },
    "Trading Standards": {
        "one-team": "n4n32n",
        "inclusion-respect": "132122",
        "service-excellence": "232155",
        "stepping-up": "333121",
        "amazing-outcomes": "2213n3",
    },
    "Emergency Planning": {
        "one-team": "433n32",
        "inclusion-respect": "3n3223",
        "service-excellence": "4125n3",
        "stepping-up": "225355",
        "amazing-outcomes": "132315",
    },
    "Markets": {
        "one-team": "23342n",
        "inclusion-respect": "nnnnnn",
        "service-excellence": "523321",
        "stepping-up": "152245",
        "amazing-outcomes": "431213",
    },
    "Civic Centre Reception": {
        "one-team": "234223",
        "inclusion-respect": "nnnnnn",
        "service-excellence": "532552",
        "stepping-up": "1332n3",
        "amazing-outcomes": "133215",
    },
}
# Submitted, never signed off: published figures must leave it out.
SUBMITTED_ONLY = {
    "Coroner Liaison": {
        "one-team": "5n2112",
        "inclusion-respect": "221423",
        "service-excellence": "5nn114",
        "stepping-up": "23nn54",
        "amazing-outcomes": "551415",
    },
}
NOT_APPLICABLE_REASON = "Not part of this team's work"


def answer_rows(questionnaire, sheet: dict[str, str]) -> list[dict]:
    """The answers (as `store.save_answers` takes them) one team's answer sheet stands for."""
    rows = []
    for value, marks in sheet.items():
        statements = questionnaire.statements_in("value", value)
        assert len(marks) == len(statements), f"{value} has {len(statements)} statements"
        for statement, mark in zip(statements, marks, strict=True):
            if mark == "n":
                rows.append(
                    {
                        "statement_key": statement.key,
                        "level": None,
                        "not_applicable": 1,
                        "not_applicable_reason": NOT_APPLICABLE_REASON,
                    }
                )
            else:
                rows.append({"statement_key": statement.key, "level": int(mark)})
    return rows


# --- the rule -----------------------------------------------------------------------------------


def exact(score: float | str | Decimal) -> Fraction:
    """A stored score as the decimal it stands for (2.35, not the binary float nearest it)."""
    if isinstance(score, Decimal):
        return Fraction(score)
    return Fraction(Decimal(score if isinstance(score, str) else repr(float(score))))


def expected_mean(scores: Iterable[float | str | None]) -> Fraction | None:
    """The exact mean of the teams' scores, each team once, teams without a score left out."""
    present = [exact(s) for s in scores if s is not None]
    return sum(present, Fraction(0)) / len(present) if present else None


def expected_average(scores: Iterable[float | str | None]) -> Decimal | None:
    """The council average: the exact mean rounded half up to 2 places, once, at the end."""
    mean = expected_mean(scores)
    if mean is None:
        return None
    hundredths = math.floor(abs(mean) * 100 + Fraction(1, 2))
    return Decimal(hundredths if mean >= 0 else -hundredths) / 100


def shown(figure: str | None) -> str | None:
    """A figure as read from a page or file, written with 2 places when that is exactly what it
    is (a CSV may write 2.8 for 2.80); anything else is kept as it was, to show in a failure."""
    if figure is None:
        return None
    try:
        number = Decimal(figure.strip())
        return f"{number:.2f}" if number == number.quantize(Decimal("0.01")) else figure
    except ArithmeticError:
        return figure


# --- reading tables -----------------------------------------------------------------------------


class Tables(HTMLParser):
    """Every table on a page: its caption and its rows, each a list of the cells' text (the
    words a screen shows; visually hidden text is left out of cells)."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._spans: list[bool] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption" and self.tables:
            self._caption = []
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td") and self.tables and self.tables[-1]["rows"]:
            self._cell = []
        elif tag == "span":
            self._spans.append("govuk-visually-hidden" in classes)

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("th", "td") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "span" and self._spans:
            self._spans.pop()

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        if self._cell is not None and not any(self._spans):
            self._cell.append(data)


def column(html: str, heading: str) -> dict[str, str]:
    """Row name -> the cell under `heading`, from every table that has such a column."""
    found = {}
    for table in Tables(html).tables:
        rows = [row for row in table["rows"] if row]
        if not rows or heading not in rows[0]:
            continue
        index = rows[0].index(heading)
        for row in rows[1:]:
            if len(row) > index:
                found[row[0]] = row[index]
    return found


def row(html: str, name: str) -> dict[str, str]:
    """Column heading -> cell, for the row called `name` in every table that has one."""
    found = {}
    for table in Tables(html).tables:
        rows = [r for r in table["rows"] if r]
        for candidate in rows[1:]:
            if candidate[0] == name:
                found.update(zip(rows[0], candidate, strict=False))
    return found
