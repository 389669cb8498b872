"""The readiness review as data: load a checks file, validate it, identify each version by a hash.

A readiness review is the strategy's factual review of how a service is delivered (can people pay
online, is the service in the CRM, ...), apart from the culture self-assessment. Each check is
answered from a short list of answers worth points on the readiness scale, or "not applicable"
with a reason. Files live in `questionnaires/readiness-reviews/`; the format is described in
`questionnaires/README.md`. Like a questionnaire, a review is never half-loaded: `load_reviews`
returns complete, frozen reviews or raises `QuestionnaireError` naming every problem.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assess.assessment.questionnaire import (
    ID_PATTERN,
    KEY_PATTERN,
    Located,
    Problem,
    Questionnaire,
    QuestionnaireError,
    mapping_items,
    parse_located,
    text_field,
    version_of,
)

REVIEWS_FOLDER = "readiness-reviews"  # within the questionnaires folder
NOT_APPLICABLE = "not-applicable"
EVIDENCE_RULES = ("required", "optional")
FIELDS = {"id", "title", "description", "compares_with", "answers", "scoring", "areas", "checks"}


@dataclass(frozen=True)
class ReviewAnswer:
    """An answer every check offers ("yes", "partly", "no"), worth `points` on the scale."""

    key: str
    name: str
    points: int
    evidence_required: bool


@dataclass(frozen=True)
class Area:
    key: str
    name: str


@dataclass(frozen=True)
class Check:
    key: str
    area: str
    text: str
    descriptors: dict[str, str]  # answer key -> what that answer means for this check
    evidence: str  # what evidence for this check looks like
    weight: float = 1.0


@dataclass(frozen=True)
class Review:
    id: str
    title: str
    description: str
    compares_with: tuple[str, str]  # (questionnaire id, dimension key) the areas come from
    answers: tuple[ReviewAnswer, ...]
    scoring: str  # the scoring rule in words, as officers read it
    areas: tuple[Area, ...]
    checks: tuple[Check, ...]
    version: str
    content: dict[str, Any] = field(repr=False, compare=False, hash=False)
    source: str = ""

    @property
    def short_version(self) -> str:
        return self.version[:12]

    def answer(self, key: str) -> ReviewAnswer | None:
        return next((a for a in self.answers if a.key == key), None)

    def checks_in(self, area: str) -> list[Check]:
        return [c for c in self.checks if c.area == area]

    def check(self, key: str) -> Check:
        return next(c for c in self.checks if c.key == key)


def _answers(data: Any, where: Located) -> tuple[ReviewAnswer, ...]:
    if not isinstance(data, list) or len(data) < 2:
        where.problem("answers", "'answers' must list at least 2 answers")
        return ()
    answers: list[ReviewAnswer] = []
    needs = "each answer needs 'key', 'name', 'points' and 'evidence'"
    for _, key, item in mapping_items(data, "answers", needs, where):
        answer_key = item.get("key")
        if not isinstance(answer_key, str) or not KEY_PATTERN.match(answer_key):
            where.problem(f"{key}.key", "an answer key uses lower-case letters, digits, '-', '_'")
            continue
        if answer_key == NOT_APPLICABLE or answer_key in {a.key for a in answers}:
            where.problem(f"{key}.key", f"answer key '{answer_key}' is taken")
            continue
        points = item.get("points")
        if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= 5:
            where.problem(f"{key}.points", "'points' must be a whole number from 1 to 5")
            continue
        evidence = item.get("evidence")
        if evidence not in EVIDENCE_RULES:
            where.problem(f"{key}.evidence", "'evidence' must be 'required' or 'optional'")
            continue
        name = text_field(item, "name", where, key)
        answers.append(ReviewAnswer(answer_key, name, points, evidence == "required"))
    return tuple(answers)


def _areas(data: Any, where: Located) -> tuple[Area, ...]:
    if not isinstance(data, list) or not data:
        where.problem("areas", "'areas' must list the areas the checks are grouped in")
        return ()
    areas: list[Area] = []
    for _, key, item in mapping_items(data, "areas", "each area needs 'key' and 'name'", where):
        area_key = item.get("key")
        if not isinstance(area_key, str) or area_key in {a.key for a in areas}:
            where.problem(f"{key}.key", f"area key {area_key!r} is missing or used twice")
            continue
        areas.append(Area(area_key, text_field(item, "name", where, key)))
    return tuple(areas)


def _checks(
    data: Any, answers: tuple[ReviewAnswer, ...], areas: tuple[Area, ...], where: Located
) -> tuple[Check, ...]:
    if not isinstance(data, list) or not data:
        where.problem("checks", "'checks' must list at least one check")
        return ()
    area_keys = {a.key for a in areas}
    checks: list[Check] = []
    needs = "each check needs 'key', 'area', 'text', 'descriptors' and 'evidence'"
    for _, key, item in mapping_items(data, "checks", needs, where):
        check_key = item.get("key")
        if not isinstance(check_key, str) or not KEY_PATTERN.match(check_key):
            where.problem(f"{key}.key", "a check key uses lower-case letters, digits, '-', '_'")
            continue
        if check_key in {c.key for c in checks}:
            where.problem(f"{key}.key", f"duplicate check key '{check_key}'")
            continue
        for unknown in set(item) - {"key", "area", "text", "descriptors", "evidence", "weight"}:
            where.problem(f"{key}.{unknown}", f"unknown field '{unknown}'")
        area = item.get("area")
        if area not in area_keys:
            where.problem(f"{key}.area", f"unknown area {area!r}")
        descriptors = item.get("descriptors")
        if not isinstance(descriptors, dict):
            descriptors = {}
        for answer in answers:
            if not isinstance(descriptors.get(answer.key), str) or not descriptors[answer.key]:
                where.problem(f"{key}.descriptors", f"missing descriptor for '{answer.key}'")
        for extra in set(descriptors) - {a.key for a in answers}:
            where.problem(f"{key}.descriptors", f"'{extra}' is not one of the answers")
        weight = item.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            where.problem(f"{key}.weight", f"weight must be a positive number, not {weight!r}")
            weight = 1
        checks.append(
            Check(
                key=check_key,
                area=str(area),
                text=text_field(item, "text", where, key),
                descriptors={k: " ".join(str(v).split()) for k, v in descriptors.items()},
                evidence=text_field(item, "evidence", where, key),
                weight=float(weight),
            )
        )
    for area in areas:
        if not any(c.area == area.key for c in checks):
            where.problem("areas", f"area '{area.key}' has no checks")
    return tuple(checks)


def parse_review(text: str, path: str) -> Review:
    """Validate YAML text: the review, or QuestionnaireError naming every fault."""
    data, where = parse_located(text, path)
    if where.problems:
        raise QuestionnaireError(where.problems)
    if not isinstance(data, dict):
        raise QuestionnaireError([Problem(path, 1, "", "the file must be a mapping of fields")])
    for unknown in set(data) - FIELDS:
        where.problem(str(unknown), f"unknown field '{unknown}'")
    review_id = data.get("id")
    if not isinstance(review_id, str) or not ID_PATTERN.match(review_id):
        where.problem("id", "'id' must be lower-case letters, digits and hyphens")
    compares = data.get("compares_with")
    if not isinstance(compares, dict) or not all(
        isinstance(compares.get(k), str) for k in ("questionnaire", "dimension")
    ):
        where.problem("compares_with", "'compares_with' needs 'questionnaire' and 'dimension'")
        compares = {"questionnaire": "", "dimension": ""}
    answers = _answers(data.get("answers"), where)
    areas = _areas(data.get("areas"), where)
    parts = {
        "title": text_field(data, "title", where, ""),
        "description": text_field(data, "description", where, "", required=False),
        "scoring": text_field(data, "scoring", where, ""),
        "checks": _checks(data.get("checks"), answers, areas, where),
    }
    if where.problems:
        raise QuestionnaireError(where.problems)
    return Review(
        id=str(review_id),
        compares_with=(compares["questionnaire"], compares["dimension"]),
        answers=answers,
        areas=areas,
        version=version_of(data),
        content=data,
        source=path,
        **parts,
    )


def check_against(review: Review, questionnaires: dict[str, Questionnaire]) -> list[Problem]:
    """Its areas must be the members of the questionnaire dimension it is compared with, in
    order, so the review's scores can sit beside the self-assessed ones."""
    questionnaire_id, dimension_key = review.compares_with
    questionnaire = questionnaires.get(questionnaire_id)
    if questionnaire is None:
        return [Problem(review.source, None, "compares_with", f"no '{questionnaire_id}' loaded")]
    try:
        dimension = questionnaire.dimension(dimension_key)
    except StopIteration:
        return [
            Problem(review.source, None, "compares_with", f"'{dimension_key}' is not a dimension")
        ]
    expected = [m.key for m in dimension.members]
    if [a.key for a in review.areas] != expected:
        message = f"the areas must be {', '.join(expected)}, in that order"
        return [Problem(review.source, None, "areas", message)]
    return []


def load_reviews(folder: Path, questionnaires: dict[str, Questionnaire]) -> dict[str, Review]:
    """Load every *.yaml in the folder (none is fine: the review is optional); any problem in
    any file fails the whole load."""
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return _load(tuple((path, path.read_bytes()) for path in paths), questionnaires)


@functools.lru_cache(maxsize=8)
def _parse_file(path: Path, content: bytes) -> Review:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = Problem(str(path), None, "", f"cannot be read: {error}")
        raise QuestionnaireError([problem]) from error
    return parse_review(text, str(path))


def _load(
    files: tuple[tuple[Path, bytes], ...], questionnaires: dict[str, Questionnaire]
) -> dict[str, Review]:
    reviews: dict[str, Review] = {}
    problems: list[Problem] = []
    for path, content in files:
        try:
            review = _parse_file(path, content)
        except QuestionnaireError as error:
            problems.extend(error.problems)
            continue
        if review.id in reviews or review.id in questionnaires:
            problems.append(Problem(str(path), None, "id", f"id '{review.id}' is already used"))
            continue
        problems.extend(check_against(review, questionnaires))
        reviews[review.id] = review
    if problems:
        raise QuestionnaireError(problems)
    return reviews


def from_content(content: dict[str, Any], source: str = "database") -> Review:
    """Rebuild a stored version (answers given on an old version still need its checks)."""
    return parse_review(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), source)
