"""Round packs: a closed round frozen for audit, and every score recomputed from the pack alone.

Pure (no Flask, no database). A pack is one JSON document: the round, the questionnaire versions
its assessments were answered on (their full content), the scoring rules version, and every
submitted or signed-off assessment of the round with its answers, stored scores and sign-off
chain. Each part, and the whole, has a SHA-256 of its canonical JSON (sorted keys, no spaces,
UTF-8), so a copy can be checked against the hashes recorded in the audit log.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from assess.assessment.questionnaire import Questionnaire, from_content
from assess.assessment.scoring import (
    RULES_VERSION,
    Answer,
    ScoreRow,
    ScoringError,
    score_assessment,
)

FORMAT = "assess-round-pack/1"
PARTS = ("round", "questionnaire_versions", "assessments", "answers", "scores", "sign_offs")


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def part_hashes(pack: dict) -> dict[str, str]:
    return {part: sha256(pack[part]) for part in PARTS}


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
                        _describe(
                            {
                                "score": row.score.mean,
                                "answered": row.score.answered,
                                "not_applicable": row.score.not_applicable,
                                "unanswered": row.score.unanswered,
                            }
                        ),
                    )
                )
        for (dimension, member), kept in mine.items():
            differences.append(Difference(label, dimension, member, _describe(kept), "nothing"))
    return Recomputation(len(pack["assessments"]), checked, differences, notes)
