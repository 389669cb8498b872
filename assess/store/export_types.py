"""What an export table is: its columns with their kinds, its SELECT and the filters it takes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Column kinds: how a writer types a cell.
INTEGER, NUMBER, TEXT, BOOLEAN, TIMESTAMP, DATE = (
    "integer",
    "number",
    "text",
    "boolean",
    "timestamp",
    "date",
)


@dataclass(frozen=True)
class Filters:
    """Which part of the data to export; None means all."""

    round_id: int | None = None
    directorate_id: int | None = None
    team_id: int | None = None
    # The setting MIN_RESPONSES, for tables of staff figures: without it they refuse to export.
    min_responses: int | None = None


@dataclass(frozen=True)
class ExportTable:
    key: str
    title: str
    columns: tuple[tuple[str, str], ...]  # (name, kind), in the order the SELECT returns them
    sql: str  # with {where}; with_provenance: one assessment's rows, its id the one parameter
    filter_on: dict[str, str]  # Filters field -> SQL expression
    # Scores and answers: the SELECT reads one assessment's rows (its id is the one parameter)
    # and each row gets that assessment's provenance around them, looked up once per
    # assessment, which is much faster than joining six tables for each of a million rows.
    with_provenance: bool = False
    # Figures worked out by the rules rather than read (staff figures): (db, filters) -> rows,
    # in place of `sql`.
    computed: Callable[[Any, Filters], Iterable[Sequence[Any]]] | None = None

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    @property
    def council_wide(self) -> bool:
        """No round, directorate or team filter applies: the registers are the council's."""
        return not self.filter_on
