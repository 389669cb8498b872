"""The readiness review file is well formed and matches the culture questionnaire's readiness areas,
and the demo council answers every one of its checks as its kind of service would, with evidence."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path
from statistics import mean

import pytest
import yaml

from assess.demo import DIRECTORATES, TEAM_KINDS
from assess.demo import readiness as demo_readiness

QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "questionnaires"
REVIEW = yaml.safe_load(demo_readiness.REVIEW_FILE.read_text(encoding="utf-8"))
CULTURE = yaml.safe_load((QUESTIONNAIRES / "cex-culture-maturity.yaml").read_text(encoding="utf-8"))
CHECK_KEYS = [check["key"] for check in REVIEW["checks"]]
TEAMS = [team for teams in DIRECTORATES.values() for team in teams]
POINTS = {answer["key"]: answer["points"] for answer in REVIEW["answers"]}
SEEDS = range(40)


def area_score(team: str, area: str, seed: int) -> float | None:
    """The plain mean of a team's points in one area (weights left out: enough to compare kinds)."""
    answers = demo_readiness.review_answers(team, random.Random(seed))
    points = [
        POINTS[answer]
        for check, (answer, _) in answers.items()
        if demo_readiness.review_checks()[check] == area and answer in POINTS
    ]
    return mean(points) if points else None


def mean_area_score(team: str, area: str) -> float:
    return mean(s for seed in SEEDS if (s := area_score(team, area, seed)) is not None)


# The review file


def test_the_review_is_compared_with_the_culture_questionnaires_readiness_areas():
    assert REVIEW["compares_with"] == {
        "questionnaire": "cex-culture-maturity",
        "dimension": "readiness_area",
    }


def test_the_review_has_the_four_readiness_areas_of_the_culture_questionnaire_in_order():
    culture_areas = [m["key"] for m in CULTURE["dimensions"]["readiness_area"]["members"]]
    assert len(REVIEW["areas"]) == 4
    assert [area["key"] for area in REVIEW["areas"]] == culture_areas


def test_answers_are_yes_partly_no_worth_5_3_1_with_evidence_required_for_yes_and_partly():
    assert [(a["key"], a["points"], a["evidence"]) for a in REVIEW["answers"]] == [
        ("yes", 5, "required"),
        ("partly", 3, "required"),
        ("no", 1, "optional"),
    ]


def test_check_keys_are_unique_and_well_formed():
    assert len(CHECK_KEYS) == len(set(CHECK_KEYS))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", key) for key in CHECK_KEYS)


def test_every_area_has_five_to_seven_checks_and_every_check_a_known_area():
    counts = Counter(check["area"] for check in REVIEW["checks"])
    assert set(counts) == {area["key"] for area in REVIEW["areas"]}
    assert all(5 <= count <= 7 for count in counts.values()), counts
    assert 20 <= len(CHECK_KEYS) <= 26


@pytest.mark.parametrize("check", REVIEW["checks"], ids=CHECK_KEYS)
def test_every_check_has_a_short_question_an_evidence_hint_and_a_descriptor_per_answer(check):
    assert set(check) <= {"key", "area", "text", "descriptors", "evidence", "weight"}
    assert 0 < len(check["text"]) <= 160 and check["text"].endswith("?")
    assert check["evidence"].strip()
    assert set(check["descriptors"]) == {"yes", "partly", "no"}
    assert all(descriptor.strip() for descriptor in check["descriptors"].values())
    assert check.get("weight", 1) > 0


# The demo tables stay in step with the review file


def test_the_demo_reads_every_check_of_the_review_file_in_order():
    assert list(demo_readiness.review_checks()) == CHECK_KEYS


def test_the_demo_has_yes_and_partly_evidence_for_exactly_the_checks_in_the_review_file():
    assert set(demo_readiness.EVIDENCE) == set(CHECK_KEYS)
    for sentences in demo_readiness.EVIDENCE.values():
        assert sentences["yes"] and sentences["partly"]


def test_the_demo_tables_name_only_checks_kinds_and_teams_that_exist():
    kinds = set(TEAM_KINDS.values())
    named_checks = (
        set(demo_readiness.NOT_APPLICABLE_REASONS)
        | set(demo_readiness.NO_NOTES)
        | {check for check, _ in demo_readiness.EVIDENCE_FOR_KIND}
        | {check for leaning in demo_readiness.CHECK_LEANING.values() for check in leaning}
        | {check for leaning in demo_readiness.TEAM_LEANING.values() for check in leaning}
    )
    assert named_checks <= set(CHECK_KEYS)
    assert {kind for _, kind in demo_readiness.EVIDENCE_FOR_KIND} <= kinds
    assert set(demo_readiness.CHECK_LEANING) <= kinds
    assert set(demo_readiness.TEAM_LEANING) <= set(TEAMS)
    for reasons in demo_readiness.NOT_APPLICABLE_REASONS.values():
        assert set(reasons) <= kinds | set(TEAMS)


def test_every_kind_of_team_has_a_strength_in_every_area():
    areas = {area["key"] for area in REVIEW["areas"]}
    assert set(demo_readiness.AREA_STRENGTH) == set(TEAM_KINDS.values())
    assert all(set(strength) == areas for strength in demo_readiness.AREA_STRENGTH.values())


# The demo answers


@pytest.mark.parametrize("team", TEAMS)
def test_every_demo_team_answers_every_check_with_evidence_or_a_reason(team):
    for seed in range(5):
        answers = demo_readiness.review_answers(team, random.Random(seed))
        assert list(answers) == CHECK_KEYS
        for check, (answer, text) in answers.items():
            assert answer in demo_readiness.ANSWERS, (check, answer)
            if answer != "no":
                assert text.strip(), (team, check, answer)
            assert "{" not in text, (team, check, text)


def test_answers_are_the_same_for_the_same_seed():
    first = demo_readiness.review_answers("Housing Needs", random.Random(7))
    assert demo_readiness.review_answers("Housing Needs", random.Random(7)) == first


def test_a_numbered_bench_team_answers_like_the_team_it_copies():
    answers = demo_readiness.review_answers("Freedom of Information 3", random.Random(1))
    assert answers["pay-online"][0] == "not-applicable"


def test_a_team_that_takes_no_payments_says_paying_online_does_not_apply():
    answer, reason = demo_readiness.review_answers("Freedom of Information", random.Random(1))[
        "pay-online"
    ]
    assert answer == "not-applicable" and "charge" in reason


def test_a_team_that_takes_payments_answers_the_payment_check():
    for team in ("Payments and Income", "Garden Waste", "Taxi Licensing"):
        assert demo_readiness.review_answers(team, random.Random(1))["pay-online"][0] in POINTS


def test_answers_vary_between_seeds_and_between_teams():
    by_seed = {
        tuple(
            a for a, _ in demo_readiness.review_answers("Contact Centre", random.Random(s)).values()
        )
        for s in SEEDS
    }
    by_team = {
        tuple(a for a, _ in demo_readiness.review_answers(team, random.Random(1)).values())
        for team in TEAMS
    }
    assert len(by_seed) > 10
    assert len(by_team) > len(TEAMS) // 2


def test_the_contact_centre_scores_higher_on_customer_insight_than_a_back_office_team():
    assert (
        mean_area_score("Contact Centre", "customer-insight")
        > mean_area_score("Procurement", "customer-insight") + 1
    )


def test_the_digital_team_scores_higher_on_digital_access_than_a_community_team():
    assert (
        mean_area_score("Digital and Web", "digital-access")
        > mean_area_score("Community Services", "digital-access") + 1
    )


def test_a_community_team_scores_higher_on_localities_than_a_back_office_team():
    assert (
        mean_area_score("Locality Teams", "joined-up-localities")
        > mean_area_score("Planning Policy", "joined-up-localities") + 1
    )


def test_every_answer_is_given_somewhere_in_the_demo_council():
    given = Counter(
        answer
        for team in TEAMS
        for answer, _ in demo_readiness.review_answers(team, random.Random(3)).values()
    )
    assert set(given) == set(demo_readiness.ANSWERS)
