"""What a team's results say: per-axis figures, changes, strengths, gaps and a summary in words.

Pure functions over questionnaire, answers and scores; no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from assess.assessment.questionnaire import Member, Questionnaire, Statement
from assess.assessment.scoring import Change, change_since, round_score

TRUST_SELF = "Self-assessed"
TRUST_EVIDENCE = "Backed by evidence"
TRUST_MODERATED = "Moderated by business improvement"
NOT_ANSWERED = "Nothing answered yet"


NOT_STARTED, IN_PROGRESS, COMPLETED = "Not started", "In progress", "Completed"


@dataclass(frozen=True)
class SectionProgress:
    member: Member
    status: str
    answered: int
    total: int


def is_answered(answer: dict | None) -> bool:
    if not answer:
        return False
    return answer["level"] is not None or bool(answer["not_applicable"])


def progress(questionnaire: Questionnaire, answers: dict[str, dict]) -> list[SectionProgress]:
    """Each section's status for the task list: completed when every statement is answered."""
    sections = []
    dimension = questionnaire.section_dimension
    for member in dimension.members:
        statements = questionnaire.statements_in(dimension.key, member.key)
        answered = sum(1 for s in statements if is_answered(answers.get(s.key)))
        touched = any(s.key in answers for s in statements)
        status = (
            COMPLETED
            if answered == len(statements)
            else IN_PROGRESS
            if answered or touched
            else NOT_STARTED
        )
        sections.append(SectionProgress(member, status, answered, len(statements)))
    return sections


EVIDENCE_FROM_LEVEL = 4  # the agreed view's levels 4 and 5 are claims that need evidence


def needs_evidence(questionnaire: Questionnaire, answers: dict[str, dict]) -> list[str]:
    """The statements answered at `EVIDENCE_FROM_LEVEL` or above with no evidence, in the
    questionnaire's order: an assessment cannot be submitted until each has some."""
    return [
        s.key
        for s in questionnaire.statements
        if (answer := answers.get(s.key))
        and not answer.get("not_applicable")
        and (answer.get("level") or 0) >= EVIDENCE_FROM_LEVEL
        and not (answer.get("evidence") or "").strip()
    ]


def sections_completed(sections: list[SectionProgress]) -> int:
    """How many sections have every statement answered: what a draft's preview rests on."""
    return sum(1 for s in sections if s.status == COMPLETED)


def names_strengths_and_gaps(sections: list[SectionProgress]) -> bool:
    """Strengths and gaps compare sections, so a preview names them only once it rests on at
    least two (or every section of a one-section questionnaire)."""
    return sections_completed(sections) >= min(2, len(sections))


@dataclass(frozen=True)
class AxisRow:
    """One value or readiness area of a team's results, with everything it is compared with."""

    key: str
    name: str
    team: float | None
    council: float | None
    previous: float | None
    change: Change
    target: int | None
    trust: str

    @property
    def gap_to_target(self) -> float | None:
        if self.target is None or self.team is None:
            return None
        return round_score(self.target - self.team)


@dataclass(frozen=True)
class StatementResult:
    statement: Statement
    level: int
    level_name: str
    next_level_name: str | None
    next_descriptor: str | None  # "what good looks like": the next level's descriptor


def trust_of(statements: list[Statement], answers: dict[str, dict]) -> str:
    """Backed by evidence when at least half the answered statements record evidence."""
    answered = [
        answers[s.key]
        for s in statements
        if s.key in answers and answers[s.key]["level"] is not None
    ]
    if not answered:
        return NOT_ANSWERED
    if any(a.get("moderated_level") is not None for a in answered):
        return TRUST_MODERATED
    with_evidence = [a for a in answered if (a.get("evidence") or "").strip()]
    if answered and 2 * len(with_evidence) >= len(answered):
        return TRUST_EVIDENCE
    return TRUST_SELF


def axis_rows(
    questionnaire: Questionnaire,
    dimension: str,
    team: dict[str, float | None],
    council: dict[str, float | None],
    previous: dict[str, float | None],
    targets: dict[str, int],
    answers: dict[str, dict],
    threshold: float,
) -> list[AxisRow]:
    return [
        AxisRow(
            key=member.key,
            name=member.name,
            team=team.get(member.key),
            council=council.get(member.key),
            previous=previous.get(member.key),
            change=change_since(team.get(member.key), previous.get(member.key), threshold),
            target=targets.get(member.key),
            trust=trust_of(questionnaire.statements_in(dimension, member.key), answers),
        )
        for member in questionnaire.dimension(dimension).members
    ]


def _plural(noun: str, count: int) -> str:
    return noun if count == 1 else f"{noun}s"


def _names(rows: list[AxisRow]) -> str:
    names = [r.name for r in rows]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def summary(
    rows: list[AxisRow],
    noun: str,
    previous_round: str | None,
    threshold: float,
    compare: bool = True,
    team: str = "Your team",
) -> str:
    """One paragraph in words, saying what the chart and table show, naming the team as `team`
    ("Your team" to its lead). With `compare` off (a preview resting on too few sections) no
    member is called highest or lowest."""
    scored = [r for r in rows if r.team is not None]
    if not scored:
        return f"There are no scores for any {noun} yet."
    best = max(scored, key=lambda r: cast(float, r.team))  # scored rows have a team score
    worst = min(scored, key=lambda r: cast(float, r.team))
    if not compare:
        sentences = [
            f"These scores rest on too few sections to call any {noun} highest or lowest yet."
        ]
    elif len(scored) == 1:
        sentences = [
            f"Only {best.name} has a score so far ({best.team:.2f}), so no {noun} can be called "
            "highest or lowest yet."
        ]
    elif best.team == worst.team:
        sentences = [f"{team} scores {best.team:.2f} on every {noun} with a score."]
    else:
        sentences = [
            f"{team} scores highest on {best.name} ({best.team:.2f}) and lowest on "
            f"{worst.name} ({worst.team:.2f})."
        ]
    compared = [r for r in scored if r.council is not None]
    if compared:
        above = sum(1 for r in compared if cast(float, r.team) > cast(float, r.council))
        sentences.append(
            f"It is above the council average on {above or 'none'} of the {len(compared)} "
            f"{_plural(noun, len(compared))} with a score."
        )
    changed = [r for r in scored if r.change.verdict != "no comparison"]
    if previous_round and changed:
        improved = [r for r in changed if r.change.verdict == "improved"]
        declined = [r for r in changed if r.change.verdict == "declined"]
        steady = len(changed) - len(improved) - len(declined)
        parts = []
        if improved:
            parts.append(f"{_names(improved)} improved")
        if declined:
            parts.append(f"{_names(declined)} declined")
        if steady:
            others = "the other " if parts else ""
            parts.append(
                f"{others}{steady} {_plural(noun, steady)} showed no meaningful change (a change "
                f"smaller than {threshold:g} of a level is not counted)"
            )
        sentences.append(
            f"Since {previous_round}, {', '.join(parts[:-1])}"
            f"{' and ' if len(parts) > 1 else ''}{parts[-1]}."
        )
    return " ".join(sentences)


def statement_results(
    questionnaire: Questionnaire, answers: dict[str, dict]
) -> list[StatementResult]:
    names = {level.level: level.name for level in questionnaire.scale}
    top = questionnaire.levels[-1]
    results = []
    for statement in questionnaire.statements:
        answer = answers.get(statement.key)
        if not answer or answer["level"] is None:
            continue
        level = answer["level"]
        results.append(
            StatementResult(
                statement=statement,
                level=level,
                level_name=names[level],
                next_level_name=names.get(level + 1),
                next_descriptor=statement.levels.get(level + 1) if level < top else None,
            )
        )
    return results


def strengths_and_gaps(
    results: list[StatementResult], count: int = 5
) -> tuple[list[StatementResult], list[StatementResult]]:
    """The lowest statements that can still improve (gaps) and the highest of the rest (strengths).

    Ties keep questionnaire order; a statement is never both.
    """
    gaps = [r for r in sorted(results, key=lambda r: r.level) if r.next_descriptor][:count]
    strengths = [r for r in sorted(results, key=lambda r: -r.level) if r not in gaps][:count]
    return strengths, gaps
