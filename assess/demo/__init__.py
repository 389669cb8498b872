"""A believable council to try assess on: directorates, teams, people and three rounds of answers.

Also fills large instances for the benchmarks (`bench/generate.py`). Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlite_utils import Database

from assess import store
from assess.assessment.questionnaire import Questionnaire
from assess.assessment.scoring import score_assessment
from assess.demo.registers import seed_registers

DEMO_PASSWORD = "assess-demo-2025"
DEMO_QUESTIONNAIRE = "cex-culture-maturity"

DIRECTORATES = {
    "Housing": [
        "Housing Needs",
        "Homelessness Prevention",
        "Tenancy Management",
        "Voids and Successions",
        "Rough Sleeping Outreach",
        "Private Sector Housing",
        "Allocations",
    ],
    "Customer and Corporate Resources": [
        "Contact Centre",
        "Face to Face Customer Services",
        "Revenues & Benefits",
        "Digital and Web",
        "Freedom of Information",
        "Complaints and Feedback",
        "Payments and Income",
        "Council Tax Support",
    ],
    "Planning and Regulatory Services": [
        "Building Control",
        "Development Management",
        "Planning Policy",
        "Environmental Health",
        "Taxi Licensing",
        "Alcohol and Entertainment Licensing",
        "Parking Services",
    ],
    "Environmental Services": [
        "Garden Waste",
        "Bulky Waste",
        "Waste & Recycling Collections",
        "Street Cleansing",
        "Parks and Open Spaces",
        "Pest Control",
    ],
    "Communities": [
        "Community Services",
        "Youth Ambition",
        "Community Safety",
        "Leisure Services",
        "Locality Teams",
        "Culture and Museums",
    ],
    "Law, Governance and People": [
        "Electoral Services",
        "Legal Services",
        "HR and Payroll",
        "Procurement",
        "Corporate Property",
        "Democratic Services",
    ],
}

# The people the README lists, so a newcomer can sign in as each role.
DEMO_USERS = [
    ("priya.shah@council.example", "Priya Shah", "team_lead", ["Housing Needs"]),
    ("tom.reed@council.example", "Tom Reed", "team_lead", ["Taxi Licensing", "Parking Services"]),
    ("sam.okafor@council.example", "Sam Okafor", "business_improvement", []),
    ("dana.whitfield@council.example", "Dana Whitfield", "business_improvement", []),
    ("jo.maxwell@council.example", "Jo Maxwell", "auditor", []),
    ("alex.morgan@council.example", "Alex Morgan", "administrator", []),
]

# Where the README's teams stand in the current round (0.22-0.5: mid-draft; below: not started).
DEMO_TEAM_PROGRESS = {"Housing Needs": 0.3, "Taxi Licensing": 0.0, "Parking Services": 0.7}

FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Chloe",
    "Daniel",
    "Efua",
    "Farid",
    "Grace",
    "Harpreet",
    "Imran",
    "Jasmine",
    "Kofi",
    "Laura",
    "Mohammed",
    "Niamh",
    "Oliver",
    "Parveen",
    "Rachel",
    "Stefan",
    "Tariq",
    "Uma",
    "Victoria",
    "Wei",
    "Yusuf",
    "Zofia",
    "Callum",
    "Deborah",
    "Ewan",
    "Fatima",
]
LAST_NAMES = [
    "Adeyemi",
    "Brown",
    "Campbell",
    "Dhillon",
    "Evans",
    "Fraser",
    "Gordon",
    "Hussain",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "Mensah",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Robinson",
    "Singh",
    "Taylor",
    "Usman",
    "Varga",
    "Williams",
    "Yilmaz",
    "Zhang",
    "Murphy",
    "Hughes",
]

LATEST_ROUND_YEAR = 2024


def round_calendar(count: int) -> list[tuple[str, str, str]]:
    """(name, opens, closes) of `count` yearly rounds ending with 2024/25."""
    years = range(LATEST_ROUND_YEAR - count + 1, LATEST_ROUND_YEAR + 1)
    return [(f"{y}/{(y + 1) % 100:02d}", f"{y}-09-02", f"{y}-12-13") for y in years]


EVIDENCE = [
    "Monthly performance report to the directorate management team.",
    "Process review with Business Improvement; new workflow live since spring.",
    "Complaints and compliments themes reviewed at every team meeting.",
    "Residents Panel survey results and our response, published on the website.",
    "Easy-read leaflet and translated web page, checked with community partners.",
    "Case notes audit: 20 cases sampled each quarter.",
    "Weekly huddle with the Contact Centre to fix repeat queries.",
    "Customer Service Officer sessions at two Community Larders.",
    "Staff completed Digital Skills training; confidence survey before and after.",
    "Service standards published and reported against each quarter.",
]
MOVE_UP = [
    "Measure this every month rather than once a year.",
    "Write down how we do it so it does not depend on one person.",
    "Share our approach with the other teams in the directorate.",
    "Ask residents who use non-digital channels what would help.",
    "Agree a joint process with our partners and review it together.",
]
NOT_APPLICABLE = "We have no face-to-face contact with residents in this service."


@dataclass(frozen=True)
class SeedSummary:
    directorates: int
    teams: int
    users: int
    rounds: int
    assessments: int
    answers: int


def _person(rng: random.Random, used: set[str]) -> tuple[str, str]:
    while True:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}".lower().replace("'", "") + "@council.example"
        suffix = 2
        while email in used:
            email = f"{first}.{last}{suffix}".lower().replace("'", "") + "@council.example"
            suffix += 1
        used.add(email)
        return f"{first} {last}", email


def team_names(count: int) -> Iterator[tuple[str, str]]:
    """(directorate, team) pairs: the real services first, then numbered ones for large benches."""
    pairs = [(d, t) for d, teams in DIRECTORATES.items() for t in teams]
    for i in range(count):
        directorate, team = pairs[i % len(pairs)]
        yield directorate, team if i < len(pairs) else f"{team} {i // len(pairs) + 1}"


def _level(rng: random.Random, maturity: float, questionnaire: Questionnaire) -> int:
    low, high = questionnaire.levels[0], questionnaire.levels[-1]
    return max(low, min(high, round(maturity + rng.gauss(0, 0.6))))


def _answers(
    rng: random.Random, questionnaire: Questionnaire, maturity: dict[str, float], share: float = 1.0
) -> list[dict]:
    section = questionnaire.section_dimension.key
    statements = list(questionnaire.statements)
    if share < 1:
        statements = statements[: max(1, int(len(statements) * share))]
    rows = []
    for statement in statements:
        if rng.random() < 0.02:
            rows.append(
                {
                    "statement_key": statement.key,
                    "level": None,
                    "not_applicable": 1,
                    "not_applicable_reason": NOT_APPLICABLE,
                }
            )
            continue
        rows.append(
            {
                "statement_key": statement.key,
                "level": _level(rng, maturity[statement.tags[section]], questionnaire),
                "not_applicable": 0,
                "evidence": rng.choice(EVIDENCE) if rng.random() < 0.45 else "",
                "move_up": rng.choice(MOVE_UP) if rng.random() < 0.3 else "",
            }
        )
    return rows


def seed(
    db: Database,
    questionnaire: Questionnaire,
    password_hash: str,
    teams: int = 40,
    rounds: int = 3,
    random_seed: int = 2024,
    track: Callable[[Iterable, str], Iterable] = lambda items, label: items,
) -> SeedSummary:
    """Fill an empty instance with a council's people and `rounds` rounds of assessments.

    Earlier rounds are complete and signed off; in the latest (open) round some teams have
    submitted, some are mid-draft and some have not started.
    """
    if db["teams"].count:
        raise store.StorageError("This instance already has teams; seed an empty instance.")
    rng = random.Random(random_seed)
    store.store_questionnaire_version(db, questionnaire)
    used_emails = {email for email, *_ in DEMO_USERS}
    team_ids: dict[str, int] = {}
    directorate_ids: dict[str, int] = {}
    user_count = 0
    with store.write(db):
        for directorate, team in track(list(team_names(teams)), "Teams and people"):
            if directorate not in directorate_ids:
                directorate_ids[directorate] = store.add_directorate(db, directorate)
            team_ids[team] = store.add_team(db, team, directorate_ids[directorate])
        demo_teams = {t for *_, names in DEMO_USERS for t in names}
        for email, name, role, names in DEMO_USERS:
            store.create_user(
                db, email, name, role, password_hash, [team_ids[t] for t in names if t in team_ids]
            )
            user_count += 1
        leads: dict[int, int] = {}
        for team, team_id in team_ids.items():
            if team in demo_teams:
                continue
            name, email = _person(rng, used_emails)
            leads[team_id] = store.create_user(
                db, email, name, "team_lead", password_hash, [team_id]
            )
            user_count += 1
    officer = store.user_by_email(db, DEMO_USERS[2][0])["id"]
    for email, _, role, names in DEMO_USERS:
        if role == "team_lead":
            for t in names:
                if t in team_ids:
                    leads[team_ids[t]] = store.user_by_email(db, email)["id"]

    maturity = {
        team_id: {m.key: rng.uniform(1.6, 3.8) for m in questionnaire.section_dimension.members}
        for team_id in team_ids.values()
    }
    trend = {team_id: rng.choice([0.5, 0.4, 0.3, 0.25, 0.1, -0.3]) for team_id in team_ids.values()}
    # The README's team leads find their teams in known states: a draft to resume, one not
    # started, one submitted.
    demo_progress = {
        team_ids[name]: share for name, share in DEMO_TEAM_PROGRESS.items() if name in team_ids
    }
    calendar = round_calendar(rounds)
    assessment_count = answer_count = 0
    for index, (name, opens, closes) in enumerate(calendar):
        latest = index == len(calendar) - 1
        round_id = store.create_round(
            db, name, questionnaire.version, opens, closes, "open" if latest else "closed"
        )
        stamp = f"{closes}T16:00:00.000000Z"
        with store.write(db):
            for team_id in track(list(team_ids.values()), f"Round {name}"):
                progress = rng.random() if latest else 1.0
                if latest and team_id in demo_progress:
                    progress = demo_progress[team_id]
                if progress < 0.22:
                    continue  # not started
                assessment_id = store.start_assessment(db, team_id, round_id, leads[team_id])
                assessment_count += 1
                level_now = {k: v + trend[team_id] * index for k, v in maturity[team_id].items()}
                share = (
                    1.0
                    if progress >= 0.5
                    else 0.4
                    if team_id in demo_progress
                    else rng.uniform(0.2, 0.9)
                )
                rows = _answers(rng, questionnaire, level_now, share)
                answer_count += len(rows)
                store.save_answers(db, assessment_id, rows, leads[team_id], stamp=stamp)
                if share < 1.0:
                    continue  # mid-draft
                store.submit_assessment(
                    db,
                    assessment_id,
                    leads[team_id],
                    lambda answered: score_assessment(
                        questionnaire, store.as_scoring_answers(answered)
                    ),
                    stamp=stamp,
                )
                if not latest or progress > 0.8:
                    store.sign_off_assessment(db, assessment_id, officer, stamp=stamp)
    seed_registers(db, questionnaire.id, officer)
    return SeedSummary(
        len(directorate_ids),
        len(team_ids),
        user_count,
        len(calendar),
        assessment_count,
        answer_count,
    )
