"""The demo's staff answers: in each closed round most teams invited their staff with printed
codes, and between a third and all of them answered, so some teams are below `MIN_RESPONSES`
and show how small groups are hidden. Staff tend to rate their team a little lower than its
lead does, and less alike."""

from __future__ import annotations

import random

from sqlite_utils import Database

from assess.assessment.questionnaire import Questionnaire
from assess.assessment.staff_figures import response_scores
from assess.store import staff as staff_store

COMMENTS = (
    "We help each other out when it gets busy, but other teams don't always know what we do.",
    "Training on the new system came after we started using it.",
    "Residents' feedback reaches us late, if at all.",
    "Managers listen, and things change when we raise them.",
    "We could share what works with the teams we hand cases to.",
    "Targets are clear; how our work feeds them is less clear.",
)


def _level(rng: random.Random, lead_level: int | None, levels: tuple[int, ...]) -> int:
    centre = (lead_level or rng.choice(levels)) - 0.4
    return min(levels[-1], max(levels[0], round(rng.gauss(centre, 0.9))))


def seed_staff_responses(
    db: Database,
    questionnaire: Questionnaire,
    round_id: int,
    lead_levels: dict[int, dict[str, int | None]],
    rng: random.Random,
) -> int:
    """Staff answers for a closed round's teams (team id -> its lead's level per statement);
    returns how many responses were kept."""
    sections = {
        s.key: s.tags[questionnaire.section_dimension.key] for s in questionnaire.statements
    }
    kept = 0
    for team_id, lead in lead_levels.items():
        if rng.random() < 0.15:
            continue  # this team did not invite its staff
        invited = rng.randint(4, 14)
        answered = max(1, round(invited * rng.uniform(0.3, 1.0)))
        responses = []
        for _ in range(answered):
            levels = {key: _level(rng, lead.get(key), questionnaire.levels) for key in sections}
            comments = {}
            if rng.random() < 0.3:
                comments[rng.choice(sorted(set(sections.values())))] = rng.choice(COMMENTS)
            responses.append((levels, comments))
        staff_store.record_submitted_responses(
            db,
            round_id,
            team_id,
            invited,
            responses,
            questionnaire.version,
            lambda levels: response_scores(questionnaire, levels),
        )
        kept += answered
    return kept
