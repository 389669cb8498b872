"""The auditors' table of staff figures: what staff answered, only as the aggregates `suppress`
shows (a team's, a directorate's, the council's), never a row per response. Worked out by the
rules in `assessment/staff_figures.py` from the stored answers when it is exported, so it says
what the pages say."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from assess.assessment.questionnaire import Questionnaire
from assess.assessment.scoring import OVERALL, RULES_VERSION
from assess.assessment.staff_figures import (
    StaffFigure,
    StaffView,
    response_scores,
    staff_view,
    suppress,
)
from assess.store.export_types import INTEGER, NUMBER, TEXT, ExportTable, Filters


def _levels(figure: StaffFigure) -> str:
    return ", ".join(f"{level}: {count}" for level, count in sorted(figure.at_level.items()))


def _figure_rows(view: StaffView, questionnaire: Questionnaire) -> Iterator[tuple]:
    """(dimension, member or statement, figure) for every section, overall and statement."""
    for (dimension, member), figure in view.sections.items():
        yield dimension, member, figure
    yield OVERALL, OVERALL, view.overall
    for statement in questionnaire.statements:
        yield "statement", statement.key, view.statements[statement.key]


def staff_figure_rows(db: Database, filters: Filters) -> Iterator[Sequence[Any]]:
    """Each round's staff figures for each team, directorate total and the council (narrowed by
    the filters): one row per section, overall and statement where shown, one row with the count
    and the reason where hidden."""
    if filters.min_responses is None:
        raise ValueError("staff figures need the minimum number of responses (MIN_RESPONSES)")
    rounds = db.execute(
        """SELECT DISTINCT r.id, r.name, r.questionnaire_version FROM rounds r
           JOIN staff_responses s ON s.round_id = r.id AND s.status = 'submitted'
           WHERE ? IS NULL OR r.id = ? ORDER BY r.opens_on, r.id""",
        [filters.round_id, filters.round_id],
    ).fetchall()
    teams = dict(db.execute("SELECT id, name FROM teams").fetchall())
    directorates = dict(db.execute("SELECT id, name FROM directorates").fetchall())
    for round_id, round_name, version in rounds:
        yield from _round_rows(db, filters, round_id, round_name, version, teams, directorates)


def _round_rows(
    db: Database,
    filters: Filters,
    round_id: int,
    round_name: str,
    version: str,
    teams: dict[int, str],
    directorates: dict[int, str],
) -> Iterator[Sequence[Any]]:
    # Here, not at the top: the audit trail's module imports the export tables.
    from assess.store.rounds import questionnaire_version
    from assess.store.staff import kept_scores_by_response, round_staff_levels, round_staff_teams

    assert filters.min_responses is not None
    questionnaire = questionnaire_version(db, version)
    counts = round_staff_teams(db, round_id)
    shown = suppress(counts, filters.min_responses)
    responses: dict[int, dict[str, dict[str, int]]] = {}
    for row in round_staff_levels(db, round_id):
        by_team = responses.setdefault(row["team_id"], {})
        by_team.setdefault(row["response_id"], {})[row["statement_key"]] = row["level"]
    kept = kept_scores_by_response(db, round_id)
    end = (filters.min_responses, RULES_VERSION)

    def rows(
        scope: str,
        directorate: str | None,
        team: str | None,
        count: int,
        reason: str | None,
        team_ids: Iterable[int],
    ) -> Iterator[tuple]:
        start = (round_name, scope, directorate, team)
        if reason is not None:
            yield (*start, None, None, count, None, None, reason, *end)
            return
        pooled = [(rid, r) for t in team_ids for rid, r in responses.get(t, {}).items()]
        scored = [kept.get(rid) or response_scores(questionnaire, r) for rid, r in pooled]
        view = staff_view(questionnaire, [r for _, r in pooled], scored)
        for dimension, key, figure in _figure_rows(view, questionnaire):
            yield (*start, dimension, key, figure.responses, figure.median, _levels(figure),
                   None, *end)  # fmt: skip

    for directorate_id in sorted(counts, key=lambda d: directorates[d]):
        if filters.directorate_id not in (None, directorate_id):
            continue
        name = directorates[directorate_id]
        for team_id in sorted(counts[directorate_id], key=lambda t: teams[t]):
            count = counts[directorate_id][team_id]
            if not count or filters.team_id not in (None, team_id):
                continue
            reason = shown.hidden_teams.get(team_id)
            yield from rows("team", name, teams[team_id], count, reason, [team_id])
        if filters.team_id is None:
            total = sum(counts[directorate_id].values())
            reason = shown.hidden_directorates.get(directorate_id)
            yield from rows("directorate", name, None, total, reason, counts[directorate_id])
    if filters.team_id is None and filters.directorate_id is None:
        total = sum(n for group in counts.values() for n in group.values())
        every = [t for group in counts.values() for t in group]
        yield from rows("council", None, None, total, shown.council_reason, every)


STAFF_FIGURES = ExportTable(
    "staff_figures",
    "Staff figures",
    (
        ("round", TEXT),
        ("scope", TEXT),
        ("directorate", TEXT),
        ("team", TEXT),
        ("dimension", TEXT),
        ("member_or_statement", TEXT),
        ("responses", INTEGER),
        ("median", NUMBER),
        ("responses_at_each_level", TEXT),
        ("hidden_because", TEXT),
        ("min_responses", INTEGER),
        ("rules_version", TEXT),
    ),
    "",
    {"round_id": "", "directorate_id": "", "team_id": ""},
    computed=staff_figure_rows,
)
