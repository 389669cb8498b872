"""What every page of a team's assessment needs, for the team lead's pages and the printable
report: the visit (team, round, assessment, questionnaire, whether the user may change it) and
the figures a team's results show."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, g

from assess import charts, store
from assess.assessment import results
from assess.assessment.questionnaire import Questionnaire
from assess.assessment.scoring import OVERALL, PUBLISHED, council_average, score_assessment
from assess.assessment.staff_results import team_staff
from assess.programme.figures import AREA_DIMENSION, evidence_against, team_indicators
from assess.readiness.figures import SERIES_NAME as REVIEW_SERIES
from assess.readiness.figures import team_review
from assess.registers.display import linked_to_weakest, today
from assess.registers.rules import action_overdue
from assess.web import access
from assess.web.helpers import questionnaire_for

EDITABLE = ("draft", "returned")


@dataclass
class Visit:
    """What every page of the journey needs to know about the team, round and assessment."""

    team: dict
    round: dict
    assessment: dict | None
    questionnaire: Questionnaire
    can_edit: bool

    @property
    def editable(self) -> bool:
        """The team lead may still change answers: the round is open and nothing is submitted."""
        status = self.assessment["status"] if self.assessment else "draft"
        return self.can_edit and self.round["status"] == "open" and status in EDITABLE

    @property
    def team_words(self) -> str:
        """How a page names the team: "Your team" to its own lead, its name to anyone else."""
        return "Your team" if self.can_edit else self.team["name"]

    @property
    def status(self) -> str:
        return self.assessment["status"] if self.assessment else "not_started"


def visit(team_id: int, round_id: int) -> Visit:
    db = store.get_db()
    try:
        team = store.team(db, team_id)
        round_ = store.round_(db, round_id)
    except store.NotFound:
        abort(404)
    if not store.in_round_scope(db, round_id, team_id):
        abort(404)  # the round is not for this team: it has no assessment there, for anyone
    member = team_id in {t["id"] for t in store.teams_of_user(db, g.user["id"])}
    if not (member or access.may(g.user["role"], "read_council")):
        abort(404)  # another team's pages do not exist for this user
    assessment = store.find_assessment(db, team_id, round_id)
    version = assessment["questionnaire_version"] if assessment else round_["questionnaire_version"]
    return Visit(
        team=team,
        round=round_,
        assessment=assessment,
        questionnaire=questionnaire_for(db, version),
        can_edit=member and access.may(g.user["role"], "assess_own_team"),
    )


def answers_by_key(v: Visit) -> dict[str, dict]:
    if v.assessment is None:
        return {}
    return {a["statement_key"]: a for a in store.answers_of(store.get_db(), v.assessment["id"])}


def scores_by_dimension(rows) -> dict[str, dict[str, float | None]]:
    by_dimension: dict[str, dict[str, float | None]] = {}
    for row in rows:
        by_dimension.setdefault(row["dimension"], {})[row["member"]] = row["score"]
    return by_dimension


def team_results(v: Visit) -> dict:
    """Everything the results page and its charts show, for a submitted or draft assessment."""
    db = store.get_db()
    answers = answers_by_key(v)
    if v.status in ("submitted", "signed_off"):
        team = scores_by_dimension(store.scores_of(db, v.assessment["id"]))
    else:  # a live preview of a draft
        preview = score_assessment(v.questionnaire, store.as_scoring_answers(answers.values()))
        team = scores_by_dimension(
            {"dimension": r.dimension, "member": r.member, "score": r.score.mean} for r in preview
        )
    sections = results.progress(v.questionnaire, answers)
    comparable = results.names_strengths_and_gaps(sections)
    council_rows: dict[tuple[str, str], list] = {}
    # Published council figures count signed-off assessments only.
    round_rows = store.round_scores(db, v.round["id"], PUBLISHED)
    for row in round_rows:
        council_rows.setdefault((row["dimension"], row["member"]), []).append(row["score"])
    council: dict[str, dict[str, float | None]] = {}
    for (dimension, member), scores in council_rows.items():
        council.setdefault(dimension, {})[member] = council_average(scores)
    previous = store.previous_assessment(db, v.team["id"], v.round["id"])
    previous_scores = scores_by_dimension(store.scores_of(db, previous["id"])) if previous else {}
    threshold = current_app.config["CHANGE_THRESHOLD"]
    section_key = v.questionnaire.section_dimension.key
    targets = store.targets_of(db, v.team["id"], section_key)
    dimensions = []
    for dimension in v.questionnaire.dimensions:
        if not dimension.required:
            continue
        rows = results.axis_rows(
            v.questionnaire,
            dimension.key,
            team.get(dimension.key, {}),
            council.get(dimension.key, {}),
            previous_scores.get(dimension.key, {}),
            targets if dimension.key == section_key else {},
            answers,
            threshold,
        )
        noun = dimension.name.lower()
        dimensions.append(
            {
                "dimension": dimension,
                "rows": rows,
                "summary": results.summary(
                    rows,
                    noun,
                    previous and previous["round_name"],
                    threshold,
                    comparable,
                    v.team_words,
                ),
            }
        )
    complete = results.sections_completed(sections)
    review = team_review(v.team["id"], v.round["id"], v.questionnaire.id)
    indicators = team_indicators(v.team["id"])
    strengths, gaps = [], []
    if comparable:
        statement_results = results.statement_results(v.questionnaire, answers)
        strengths, gaps = results.strengths_and_gaps(statement_results)
    return {
        "sections_completed": complete,
        "sections_total": len(sections),
        "statements_answered": sum(section.answered for section in sections),
        "statements_total": sum(section.total for section in sections),
        "dimensions": dimensions,
        "overall": team.get(OVERALL, {}).get(OVERALL),
        "council_overall": council.get(OVERALL, {}).get(OVERALL),
        "council_teams": len({r["team_id"] for r in round_rows}),
        "previous": previous,
        "strengths": strengths,
        "gaps": gaps,
        "threshold": threshold,
        "actions": [
            {**a, "overdue": action_overdue(a, today())}
            for a in store.actions_for(db, v.team["id"], v.round["id"])
        ],
        "targets": targets,
        # the risks and equality impacts linked to the team's weakest areas
        "linked": linked_to_weakest(v.questionnaire, team, [r.statement.key for r in gaps]),
        # the team's performance indicators, and where its area scores and they disagree
        "indicators": indicators,
        "evidence": evidence_against(team.get(AREA_DIMENSION, {}), indicators),
        # the readiness review beside the dimension it is compared with (None: no review here)
        "review": review,
        "review_scores": {area: row["score"] for area, row in review.scores.items()}
        if review
        else {},
        # what the team's staff said, beside the agreed scores (or why it is hidden)
        "staff": team_staff(
            v.team["id"],
            v.round["id"],
            v.questionnaire,
            team,
            {key: answer["level"] for key, answer in answers.items()},
        ),
    }


def team_radars(v: Visit, figures: dict) -> dict[str, charts.Chart]:
    """The results page's radar charts by dimension key: the team, the council average, the
    last round and the targets, named as this visitor reads them ("Your team" or the name)."""
    radars = {}
    for entry in figures["dimensions"]:
        rows = entry["rows"]
        series = [
            charts.Series(v.team_words, {r.key: r.team for r in rows}),
            charts.Series("Council average", {r.key: r.council for r in rows}),
        ]
        if figures["previous"]:
            series.append(
                charts.Series(figures["previous"]["round_name"], {r.key: r.previous for r in rows})
            )
        if any(r.target is not None for r in rows):
            series.append(charts.Series("Target", {r.key: r.target for r in rows}))
        review = figures["review"]
        if review and review.completed and review.beside(entry["dimension"].key):
            scores = figures["review_scores"]
            series.append(charts.Series(REVIEW_SERIES, {r.key: scores.get(r.key) for r in rows}))
        radars[entry["dimension"].key] = charts.radar(
            [(r.key, r.name) for r in rows],
            series,
            v.questionnaire.levels,
            title=f"{v.team['name']}: {entry['dimension'].name.lower()}s, {v.round['name']}",
            level_names={level.level: level.name for level in v.questionnaire.scale},
        )
    return radars


def radars_of_round(round_id: int, team_id: int | None = None) -> list[tuple[int, charts.Chart]]:
    """The results radars of every team in a round (or of one team), as its lead and as anyone
    else reads them, by team id: what the renderer draws ahead when the figures change."""
    db = store.get_db()
    round_ = store.round_(db, round_id)
    found = []
    for assessment in store.assessments_in_round(db, round_id):
        if team_id is not None and assessment["team_id"] != team_id:
            continue
        team = store.team(db, assessment["team_id"])
        questionnaire = questionnaire_for(db, assessment["questionnaire_version"])
        for can_edit in (True, False):
            v = Visit(team, round_, assessment, questionnaire, can_edit)
            found += [(team["id"], c) for c in team_radars(v, team_results(v)).values()]
    return found


def linked_on_own_results(kind: str) -> set[int]:
    """The ids of the risks (kind "risks") or EqIAs ("eqias") that the results pages of the
    signed-in user's own teams list, in every round their home page offers."""
    ids: set[int] = set()
    for row in store.assessments_of_teams(store.get_db(), g.user["id"]):
        linked = team_results(visit(row["team_id"], row["round_id"]))["linked"]
        ids |= {entry["id"] for entry in linked[kind]}
    return ids
