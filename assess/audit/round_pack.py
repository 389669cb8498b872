"""Round packs: a closed round frozen for audit, and every score recomputed from the pack alone.

Pure (no Flask, no database). A pack is one JSON document: the round, the questionnaire versions
its assessments were answered on (their full content), the scoring rules version, every
submitted or signed-off assessment of the round with its answers, stored scores and sign-off
chain, and its completed readiness reviews with the checks' versions, answers and scores
(packs frozen before readiness reviews have no such part). Each part, and the whole, has a
SHA-256 of its canonical JSON (sorted keys, no spaces, UTF-8), so a copy can be checked against
the hashes recorded in the audit log.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from assess.assessment.questionnaire import Questionnaire, from_content
from assess.assessment.scoring import (
    RULES_VERSION,
    Answer,
    Score,
    ScoreRow,
    ScoringError,
    review_scores,
    score_assessment,
)
from assess.assessment.staff_figures import suppress
from assess.readiness import checks

FORMAT = "assess-round-pack/1"
PARTS = (
    "round",
    "questionnaire_versions",
    "assessments",
    "answers",
    "scores",
    "sign_offs",
    "readiness_reviews",
    "staff_figures",
)


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def part_hashes(pack: dict) -> dict[str, str]:
    return {part: sha256(pack[part]) for part in PARTS if part in pack}


def to_file(pack: dict) -> bytes:
    """The pack as stored and downloaded: gzipped canonical JSON (the same bytes every time)."""
    return gzip.compress(canonical(pack), mtime=0)


def from_file(data: bytes) -> dict:
    """A pack from its file, gzipped or plain JSON."""
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        pack = json.loads(data)
    except (OSError, EOFError, ValueError) as error:
        raise ValueError(f"This is not an assess round pack ({error}).") from error
    if not isinstance(pack, dict) or pack.get("format") != FORMAT:
        raise ValueError(f"This is not an assess round pack (expected format {FORMAT}).")
    return pack


def questionnaire_of(version: dict) -> Questionnaire:
    content = json.loads(json.dumps(version["content"]))  # a copy: levels' keys become ints
    for statement in content.get("statements", []):
        statement["levels"] = {int(k): v for k, v in statement.get("levels", {}).items()}
    return from_content(content, source=f"round pack version {version['version'][:12]}")


@dataclass(frozen=True)
class Difference:
    assessment: str  # reference and team, as a reader knows it
    dimension: str
    member: str
    stored: Any
    recomputed: Any

    def __str__(self) -> str:
        return (
            f"{self.assessment}: {self.dimension}/{self.member} stored {self.stored}, "
            f"recomputed {self.recomputed}"
        )


@dataclass(frozen=True)
class Recomputation:
    assessments: int
    scores: int
    differences: list[Difference]
    notes: list[str]


def _same(stored: dict, row: ScoreRow) -> bool:
    a, b = stored["score"], row.score.mean
    same_mean = (a is None and b is None) or (
        a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9)
    )
    return same_mean and (stored["answered"], stored["not_applicable"], stored["unanswered"]) == (
        row.score.answered,
        row.score.not_applicable,
        row.score.unanswered,
    )


def _describe(score: dict | None) -> str:
    if score is None:
        return "nothing"
    mean = "no score" if score["score"] is None else f"{score['score']:.2f}"
    return (
        f"{mean} ({score['answered']} answered, {score['not_applicable']} not applicable, "
        f"{score['unanswered']} unanswered)"
    )


def recompute(pack: dict) -> Recomputation:
    """Score every assessment in the pack from its answers and questionnaire version, and list
    each score that differs from the one stored (or is missing on either side)."""
    notes = []
    if pack["scoring_rules_version"] != RULES_VERSION:
        notes.append(
            f"The pack was scored with rules {pack['scoring_rules_version']}; this assess "
            f"scores with {RULES_VERSION}, so differences may come from the change of rules."
        )
    versions = {v["version"]: questionnaire_of(v) for v in pack["questionnaire_versions"]}
    answers: dict[int, list[Answer]] = {}
    for a in pack["answers"]:
        answers.setdefault(a["assessment_id"], []).append(
            Answer(a["statement_key"], a["level"], bool(a["not_applicable"]))
        )
    stored: dict[int, dict[tuple[str, str], dict]] = {}
    for s in pack["scores"]:
        stored.setdefault(s["assessment_id"], {})[(s["dimension"], s["member"])] = s
    differences = []
    checked = 0
    for assessment in pack["assessments"]:
        label = f"{assessment['reference'] or assessment['id']} ({assessment['team']})"
        questionnaire = versions.get(assessment["questionnaire_version"])
        if questionnaire is None:
            raise ValueError(f"{label}: its questionnaire version is not in the pack.")
        try:
            rows = score_assessment(questionnaire, answers.get(assessment["id"], []))
        except ScoringError as error:
            raise ValueError(f"{label}: {error}") from error
        mine = dict(stored.get(assessment["id"], {}))
        for row in rows:
            checked += 1
            kept = mine.pop((row.dimension, row.member), None)
            if kept is None or not _same(kept, row):
                differences.append(
                    Difference(
                        label,
                        row.dimension,
                        row.member,
                        _describe(kept),
                        _told(row.score),
                    )
                )
        for (dimension, member), kept in mine.items():
            differences.append(Difference(label, dimension, member, _describe(kept), "nothing"))
    reviewed, review_checked, review_differences = _recompute_reviews(pack.get("readiness_reviews"))
    staff_differences = _recompute_staff(pack.get("staff_figures"))
    return Recomputation(
        len(pack["assessments"]) + reviewed,
        checked + review_checked,
        differences + review_differences + staff_differences,
        notes,
    )


STAFF = "staff figures"  # how a difference names the staff figures


def _recompute_staff(part: dict | None) -> list[Difference]:
    """Apply the small-group rule again to the pack's counts of staff responses: each team,
    directorate and council row must be hidden for the reason the rule gives, or shown, and a
    shown row's counts at each level may not exceed its responses. (The pack holds no
    responses, so a median cannot be recomputed; only what it shows can be checked.)"""
    if not part:
        return []
    counts: dict[int, dict[int, int]] = {}
    team_ids, directorate_of = {}, {}
    for team in part["teams"]:
        counts.setdefault(team["directorate_id"], {})[team["team_id"]] = team["responses"]
        team_ids[team["team"]] = team["team_id"]
        directorate_of[team["team_id"]] = team["directorate_id"]
    shown = suppress(counts, part["min_responses"])
    directorate_ids = {}
    for row in part["figures"]:
        if row["scope"] == "team" and row["team"] in team_ids:
            directorate_ids[row["directorate"]] = directorate_of[team_ids[row["team"]]]
    differences = []
    for row in part["figures"]:
        label = f"{STAFF} {row['round']}"
        where = row["team"] or row["directorate"] or "council"
        if row["scope"] == "team":
            wanted = shown.hidden_teams.get(team_ids.get(row["team"], -1))
        elif row["scope"] == "directorate":
            if row["directorate"] not in directorate_ids:
                continue  # no team of it answered: its total of none is hidden, as shown
            wanted = shown.hidden_directorates.get(directorate_ids[row["directorate"]])
        else:
            wanted = shown.council_reason
        if row["hidden_because"] != wanted:
            differences.append(
                Difference(
                    label,
                    row["scope"],
                    where,
                    row["hidden_because"] or "shown",
                    wanted or "shown",
                )
            )
        if row["hidden_because"] is None and row["responses_at_each_level"]:
            at_levels = sum(int(n) for n in re.findall(r": (\d+)", row["responses_at_each_level"]))
            if at_levels > row["responses"]:
                differences.append(
                    Difference(label, row["scope"], where, at_levels, row["responses"])
                )
    return differences


REVIEW_DIMENSION = "readiness review"  # how a difference names a readiness review's score


def _recompute_reviews(part: dict | None) -> tuple[int, int, list[Difference]]:
    """Score every readiness review in the pack from its answers and checks' version: how many
    reviews and scores were checked, and each score that differs from the one stored."""
    if not part:
        return 0, 0, []
    versions = {
        v["version"]: checks.from_content(v["content"], f"round pack version {v['version'][:12]}")
        for v in part["versions"]
    }
    answers: dict[int, dict[str, str]] = {}
    for a in part["answers"]:
        answers.setdefault(a["review_id"], {})[a["check_key"]] = a["answer"]
    stored: dict[int, dict[str, dict]] = {}
    for s in part["scores"]:
        stored.setdefault(s["review_id"], {})[s["area"]] = s
    differences, checked = [], 0
    for review in part["reviews"]:
        label = f"readiness review {review['id']} ({review['team']})"
        version = versions.get(review["version"])
        if version is None:
            raise ValueError(f"{label}: its version of the checks is not in the pack.")
        try:
            scores = review_scores(version, answers.get(review["id"], {}))
        except ScoringError as error:
            raise ValueError(f"{label}: {error}") from error
        mine = dict(stored.get(review["id"], {}))
        for area, score in scores.items():
            checked += 1
            kept = mine.pop(area, None)
            if kept is None or not _same(kept, ScoreRow(REVIEW_DIMENSION, area, score)):
                differences.append(
                    Difference(label, REVIEW_DIMENSION, area, _describe(kept), _told(score))
                )
        for area, kept in mine.items():
            differences.append(
                Difference(label, REVIEW_DIMENSION, area, _describe(kept), "nothing")
            )
    return len(part["reviews"]), checked, differences


def _told(score: Score) -> str:
    return _describe(
        {
            "score": score.mean,
            "answered": score.answered,
            "not_applicable": score.not_applicable,
            "unanswered": score.unanswered,
        }
    )
