"""A believable council to try assess on: directorates, teams, people and three rounds of answers.

Also fills large instances for the benchmarks (`bench/generate.py`). Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlite_utils import Database

from assess import store
from assess.assessment.questionnaire import Questionnaire
from assess.assessment.results import EVIDENCE_FROM_LEVEL
from assess.assessment.scoring import score_assessment
from assess.demo import readiness
from assess.demo.programme import seed_programme
from assess.demo.registers import seed_registers
from assess.demo.staff import seed_staff_responses
from assess.readiness.checks import Review
from assess.store import readiness as review_store

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

# What kind of service each team is, and how that kind tends to answer: a base level, then
# offsets for the values and readiness areas it is stronger or weaker in. A contact centre lives
# service excellence; a back-office team has little locality access; community teams are strong
# in localities and weak in digital. Each team also gets its own offset and trend, and each answer
# some noise.
TEAM_KINDS = {
    "Housing Needs": "housing",
    "Homelessness Prevention": "housing",
    "Tenancy Management": "housing",
    "Voids and Successions": "housing",
    "Rough Sleeping Outreach": "housing",
    "Private Sector Housing": "housing",
    "Allocations": "housing",
    "Contact Centre": "contact",
    "Face to Face Customer Services": "contact",
    "Revenues & Benefits": "contact",
    "Digital and Web": "digital",
    "Freedom of Information": "back_office",
    "Complaints and Feedback": "contact",
    "Payments and Income": "back_office",
    "Council Tax Support": "contact",
    "Building Control": "regulatory",
    "Development Management": "regulatory",
    "Planning Policy": "back_office",
    "Environmental Health": "regulatory",
    "Taxi Licensing": "regulatory",
    "Alcohol and Entertainment Licensing": "regulatory",
    "Parking Services": "regulatory",
    "Garden Waste": "operational",
    "Bulky Waste": "operational",
    "Waste & Recycling Collections": "operational",
    "Street Cleansing": "operational",
    "Parks and Open Spaces": "operational",
    "Pest Control": "operational",
    "Community Services": "community",
    "Youth Ambition": "community",
    "Community Safety": "community",
    "Leisure Services": "community",
    "Locality Teams": "community",
    "Culture and Museums": "community",
    "Electoral Services": "regulatory",
    "Legal Services": "back_office",
    "HR and Payroll": "back_office",
    "Procurement": "back_office",
    "Corporate Property": "back_office",
    "Democratic Services": "back_office",
}

# kind: (base level, offsets by value or readiness area key)
PROFILES: dict[str, tuple[float, dict[str, float]]] = {
    "contact": (
        3.0,
        {
            "service-excellence": 0.5,
            "inclusion-respect": 0.3,
            "amazing-outcomes": -0.1,
            "customer-insight": 0.2,
            "joined-up-localities": -0.3,
            "citizen-centred-culture": 0.3,
        },
    ),
    "housing": (
        2.7,
        {
            "inclusion-respect": 0.4,
            "one-team": 0.3,
            "service-excellence": -0.2,
            "digital-access": -0.5,
            "joined-up-localities": 0.5,
            "citizen-centred-culture": 0.2,
        },
    ),
    "regulatory": (
        2.5,
        {
            "service-excellence": 0.2,
            "inclusion-respect": -0.2,
            "one-team": -0.1,
            "digital-access": 0.4,
            "customer-insight": 0.1,
            "joined-up-localities": -0.6,
        },
    ),
    "operational": (
        2.5,
        {
            "service-excellence": 0.2,
            "one-team": -0.1,
            "stepping-up": 0.1,
            "digital-access": 0.5,
            "customer-insight": -0.3,
            "citizen-centred-culture": -0.1,
        },
    ),
    "community": (
        2.8,
        {
            "one-team": 0.4,
            "inclusion-respect": 0.4,
            "service-excellence": -0.2,
            "digital-access": -0.6,
            "joined-up-localities": 0.7,
            "citizen-centred-culture": 0.3,
        },
    ),
    "digital": (
        2.8,
        {
            "stepping-up": 0.3,
            "inclusion-respect": -0.2,
            "digital-access": 0.9,
            "customer-insight": 0.3,
            "joined-up-localities": -0.8,
        },
    ),
    "back_office": (
        2.2,
        {
            "inclusion-respect": -0.3,
            "amazing-outcomes": -0.1,
            "digital-access": 0.1,
            "joined-up-localities": -0.8,
            "citizen-centred-culture": -0.2,
        },
    ),
}
# A few teams known for one thing.
TEAM_STRENGTHS = {
    "Complaints and Feedback": {"customer-insight": 0.6},
    "Payments and Income": {"digital-access": 0.5},
    "Garden Waste": {"digital-access": 0.3},
    "Locality Teams": {"joined-up-localities": 0.3},
    "Revenues & Benefits": {"digital-access": 0.3},
}

# What a team might write as evidence, by statement: only given for a level of 3 or more.
# Evidence a lead gives for a high level where the demo has none written for the statement.
TEAM_EVIDENCE = (
    "Discussed and agreed at the team meeting; examples kept in the team's shared folder."
)
EVIDENCE = {
    "one-team-clear-query-ownership": [
        "Query routing agreed with the Contact Centre and the two teams we share cases with.",
        "Transfers between teams logged; fewer than one in ten queries passed on last quarter.",
    ],
    "one-team-case-notes-handovers": [
        "Case notes audit: 20 cases sampled each quarter against our recording standard.",
        "Handover checklist used before every period of leave.",
    ],
    "one-team-partners-community-groups": [
        "Named contacts and referral routes agreed with the city's advice agencies.",
        "Joint case reviews with the advice agencies every two months.",
    ],
    "one-team-signposting": [
        "Everyone uses the external agencies database; signposting recorded on each case.",
        "Updates sent to the agencies database when we find information out of date.",
    ],
    "one-team-shared-engagement": [
        "Our survey plans are on the Citizen Engagement section of the Horizon Scan.",
        "Joint consultation with Community Services instead of two separate surveys.",
    ],
    "one-team-joined-up-digital-launches": [
        "Launch template completed for the new online form; Contact Centre briefed a week before.",
        "Post-launch check with front-line colleagues after each change.",
    ],
    "one-team-other-councils": [
        "Named contacts at the county council and the parish clerks we deal with most.",
        "Shared queries with the county council reviewed at a quarterly liaison meeting.",
    ],
    "one-team-single-view-of-the-customer": [
        "Data sharing agreement with Revenues & Benefits; contacts recorded in the shared CRM.",
        "Shared records checked for duplicates each month.",
    ],
    "inclusion-respect-non-digital-alternatives": [
        "Phone and paper routes documented for every online form; staff offer them as standard.",
        "Take-up of phone and paper applications reported each quarter.",
    ],
    "inclusion-respect-translation-accessible-formats": [
        "Interpreting contract in use; requests and response times recorded.",
        "Key letters available in the five main community languages, large print and Braille.",
    ],
    "inclusion-respect-vulnerable-residents": [
        "Vulnerability prompts on our case form; referrals to the Vulnerable Resident line logged.",
        "Customer Service Officer sessions at two Community Larders.",
    ],
    "inclusion-respect-plain-english": [
        "Key letters rewritten with the toolkit and tested with the Residents Panel.",
        "Calls asking what a letter means tracked and down since the rewrite.",
    ],
    "inclusion-respect-know-our-communities": [
        "Equality impact assessment updated this year using service-use data by ward.",
        "Use of the service by age and ethnicity compared with the Census each year.",
    ],
    "inclusion-respect-listen-and-respect": [
        "Call listening each month against our customer care standards.",
        "Staff attitude is the most praised theme in our compliments.",
    ],
    "inclusion-respect-individual-communication-needs": [
        "Deaf awareness training for all staff; hearing loops tested every month.",
        "Communication needs recorded on the case so nobody has to ask twice.",
    ],
    "inclusion-respect-customer-profiles": [
        "Six customer profiles, among them a low-income tenant and a newcomer with little English.",
        "Profiles used to test the redesigned application process.",
    ],
    "service-excellence-first-contact-resolution": [
        "First-contact resolution measured monthly from the telephony and case systems.",
        "Knowledge base for front-line staff, reviewed every quarter.",
    ],
    "service-excellence-clear-expectations": [
        "Every acknowledgement gives a named contact and the date of the next update.",
        "Missed call-backs tracked weekly by the team leader.",
    ],
    "service-excellence-complaints-compliments": [
        "All feedback logged in the Comments, Complaints and Compliments system.",
        "Complaints themes reviewed at every team meeting, with actions tracked.",
    ],
    "service-excellence-online-self-service": [
        "Our three most common requests can be made and paid for online.",
        "Form drop-out and website satisfaction reviewed each month.",
    ],
    "service-excellence-service-standards": [
        "Service standards published on the website, in letters and at reception.",
        "Performance against our standards reported to the directorate each month.",
    ],
    "service-excellence-reduce-avoidable-contact": [
        "Reasons for chasing contact coded; automatic status emails introduced for the top reason.",
        "Avoidable contact reported as a measure each quarter.",
    ],
    "service-excellence-reach-a-real-person": [
        "Direct line and team email published; no numbered menu on our line.",
        "Waiting times and abandoned calls reviewed each month.",
    ],
    "service-excellence-contractors-and-companies": [
        "Our service standards are in the contract; the contractor reports against them monthly.",
        "Complaints about the contractor reviewed at each contract meeting.",
    ],
    "stepping-up-speak-up": [
        "Issues log for problems that affect customers; outcomes fed back at team meetings.",
        "Two policy changes last year came from issues staff raised.",
    ],
    "stepping-up-process-reviews": [
        "Process review with Business Improvement; new workflow live since spring.",
        "Officer hours saved by the review recorded in the benefits tracker.",
    ],
    "stepping-up-learning-culture": [
        "Monthly 'what went well, what didn't' session; lessons log kept.",
        "Lessons from a serious complaint shared with the other teams in the directorate.",
    ],
    "stepping-up-digital-skills": [
        "Staff completed Digital Skills training; confidence survey before and after.",
        "Two of the team volunteer at the Digital Cafe at Westgate Library.",
    ],
    "stepping-up-community-outreach": [
        "Monthly sessions at two Community Larders, agreed with the Locality Manager.",
        "Outreach visits and the help given are recorded.",
    ],
    "stepping-up-early-intervention": [
        "Missed-payment trigger for an early call, agreed with the advice agencies.",
        "Early referrals and their outcomes tracked each quarter.",
    ],
    "stepping-up-recognise-good-service": [
        "Every compliment passed to the officer named; good service celebrated at team meetings.",
        "Two of the team nominated for the council's staff awards this year.",
    ],
    "amazing-outcomes-measure-outcomes": [
        "Outcome measures defined for our service and reported alongside activity figures.",
        "Follow-up calls to a sample of closed cases to ask if the need was met.",
    ],
    "amazing-outcomes-kpis-satisfaction": [
        "Monthly performance report to the directorate management team.",
        "Satisfaction by channel compared with the Gov-Metric benchmark each month.",
    ],
    "amazing-outcomes-benefits-realised": [
        "Expected benefits of each change recorded in the Organisational Change Benefits tracker.",
        "Officer hours saved reported to the directorate and redirected to complex cases.",
    ],
    "amazing-outcomes-residents-shape-services": [
        "Residents Panel survey results and our response, published on the website.",
        "Service users helped redesign the application form.",
    ],
    "amazing-outcomes-channel-shift": [
        "Online forms, calls and visits tracked monthly against our channel shift target.",
        "Online option promoted in every letter, with phone help for those who need it.",
    ],
    "amazing-outcomes-locality-outcomes": [
        "Shared outcomes agreed with the locality partnership; progress reviewed each quarter.",
        "Referrals made and residents helped recorded with our locality partners.",
    ],
    "amazing-outcomes-every-kind-of-customer": [
        "Satisfaction reported separately for residents, businesses and agents.",
        "Business customers surveyed for the first time this year.",
    ],
}
# What would move a team up, by the level it chose: the next step on the scale, for any statement.
MOVE_UP = {
    1: ["Agree as a team what good looks like and start doing it consistently."],
    2: [
        "Write down how we do it so it does not depend on one person.",
        "Agree a standard with the team and check we follow it.",
    ],
    3: [
        "Measure this every month rather than once a year.",
        "Review the figures at team meetings and act on what they show.",
    ],
    4: ["Share our approach with the other teams in the directorate."],
}
# "Not applicable", only where it is true of the kind of team, with the reason it would give.
NOT_APPLICABLE = {
    "stepping-up-community-outreach": (
        {"back_office", "digital"},
        "We are an internal service: people reach us through other council teams, not at "
        "community venues.",
    ),
    "amazing-outcomes-locality-outcomes": (
        {"back_office", "digital"},
        "Our work serves the whole council rather than particular neighbourhoods, so there are no "
        "locality outcomes of our own.",
    ),
    "inclusion-respect-vulnerable-residents": (
        {"back_office"},
        "We have no direct contact with members of the public; the teams that bring us work "
        "support vulnerable people.",
    ),
    "one-team-other-councils": (
        {"back_office"},
        "Our work is internal to the council; no other council shares it.",
    ),
    "service-excellence-contractors-and-companies": (
        {"contact"},
        "We deliver all of this service ourselves; no contractor or council company is involved.",
    ),
}
NOT_APPLICABLE_FOR_TEAM = {
    ("Rough Sleeping Outreach", "amazing-outcomes-channel-shift"): (
        "Our work is street outreach to people sleeping rough; moving them to online services "
        "is not the aim."
    ),
    ("Legal Services", "service-excellence-online-self-service"): (
        "We advise other council teams; there is nothing for the public to apply for or pay online."
    ),
    ("Democratic Services", "service-excellence-online-self-service"): (
        "Nothing we provide is applied for or paid for; agendas and minutes are already online."
    ),
}


def round_calendar(count: int, today: date | None = None) -> list[tuple[str, str, str]]:
    """(name, opens, closes) of `count` yearly rounds. The latest opened on a Monday three to four
    weeks before `today` (default today) and closes about eleven weeks after it; each earlier one
    ran at the same time of year, a year before. A round is named by the financial year (April to
    March) it opened in."""
    today = today or date.today()
    opens = today - timedelta(days=21)
    opens -= timedelta(days=opens.weekday())
    closes = opens + timedelta(weeks=14, days=4)  # a Friday
    year = opens.year if opens.month >= 4 else opens.year - 1
    calendar = []
    for back in range(count - 1, -1, -1):
        shift = timedelta(weeks=52 * back)
        name = f"{year - back}/{(year - back + 1) % 100:02d}"
        calendar.append((name, (opens - shift).isoformat(), (closes - shift).isoformat()))
    return calendar


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


def team_kind(team: str) -> str:
    """The kind of service a team is (a numbered bench team is the kind of the team it copies)."""
    return TEAM_KINDS.get(team, TEAM_KINDS.get(team.rsplit(" ", 1)[0], "regulatory"))


def _leaning(rng: random.Random, team: str) -> dict[str, float]:
    """A team's base level (under "") and its offsets by value and readiness area."""
    base, offsets = PROFILES[team_kind(team)]
    leaning = dict(offsets)
    for key, extra in TEAM_STRENGTHS.get(team, {}).items():
        leaning[key] = leaning.get(key, 0.0) + extra
    leaning[""] = base + rng.uniform(-0.3, 0.3)
    return leaning


def _not_applicable(rng: random.Random, team: str, questionnaire: Questionnaire) -> dict[str, str]:
    """The statements a team says do not apply to it, each with its reason; the same every round."""
    kind = team_kind(team)
    chosen = {}
    for statement in questionnaire.statements:
        reason = NOT_APPLICABLE_FOR_TEAM.get((team, statement.key))
        kinds, general = NOT_APPLICABLE.get(statement.key, (set(), ""))
        if reason:
            chosen[statement.key] = reason
        elif kind in kinds and rng.random() < 0.6:
            chosen[statement.key] = general
    return chosen


def _level(rng: random.Random, maturity: float, questionnaire: Questionnaire) -> int:
    low, high = questionnaire.levels[0], questionnaire.levels[-1]
    return max(low, min(high, round(maturity + rng.gauss(0, 0.55))))


def _answer(
    rng: random.Random,
    questionnaire: Questionnaire,
    statement,
    leaning: dict[str, float],
    lift: float,
    not_applicable: dict[str, str],
) -> dict:
    if statement.key in not_applicable:
        return {
            "statement_key": statement.key,
            "level": None,
            "not_applicable": 1,
            "not_applicable_reason": not_applicable[statement.key],
        }
    maturity = leaning[""] + lift + sum(leaning.get(m, 0.0) for m in statement.tags.values())
    level = _level(rng, maturity, questionnaire)
    evidence = ""
    if level >= 3 and statement.key in EVIDENCE and rng.random() < (0.5 if level == 3 else 0.75):
        evidence = rng.choice(EVIDENCE[statement.key])
    if level >= EVIDENCE_FROM_LEVEL and not evidence:  # a claim this high needs evidence
        evidence = EVIDENCE.get(statement.key, [TEAM_EVIDENCE])[0]
    move_up = ""
    if level in MOVE_UP and rng.random() < 0.3:
        move_up = rng.choice(MOVE_UP[level])
    return {
        "statement_key": statement.key,
        "level": level,
        "not_applicable": 0,
        "evidence": evidence,
        "move_up": move_up,
    }


def _moment(day: date, rng: random.Random) -> datetime:
    """A time in office hours on `day`, or on the Monday after if it falls at a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(9), tzinfo=UTC) + timedelta(minutes=rng.randrange(8 * 60))


def _later(rng: random.Random, after: datetime, days: tuple[int, int], limit: datetime) -> datetime:
    """A working-day moment `days` after `after`, or, if that passes `limit`, somewhere between
    the two; always at least a few minutes after `after`."""
    moment = _moment(after.date() + timedelta(days=rng.randint(*days)), rng)
    if moment > limit:
        spare = max(0, (limit.date() - after.date()).days)
        moment = min(_moment(after.date() + timedelta(days=rng.randint(0, spare)), rng), limit)
    return max(moment, after + timedelta(minutes=rng.randint(5, 30)))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Where the README's teams' readiness reviews stand in the open round.
DEMO_REVIEW_PROGRESS = {"Housing Needs": 0.0, "Taxi Licensing": 0.25, "Parking Services": 1.0}


def _seed_reviews(
    db: Database,
    review: Review,
    round_id: int,
    team_ids: dict[str, int],
    leads: dict[int, int],
    opened: datetime,
    last: datetime,
    random_seed: int = 2025,
) -> None:
    """Readiness reviews in the open round, by each team's lead: about two in three completed,
    one in six in draft (some checks answered), the rest not started."""
    rng = random.Random(random_seed)
    for team, team_id in team_ids.items():
        progress = DEMO_REVIEW_PROGRESS.get(team, rng.random())
        if progress < 0.17:
            continue
        answers = readiness.review_answers(team, rng)
        if progress < 0.34:
            keys = list(answers)[: rng.randint(4, len(answers) - 4)]
            answers = {key: answers[key] for key in keys}
        stamp = _stamp(_later(rng, opened, (3, 20), last))
        review_store.save_review(
            db, team_id, round_id, review, answers, leads[team_id], progress >= 0.34, stamp
        )


def seed(
    db: Database,
    questionnaire: Questionnaire,
    password_hash: str,
    teams: int = 40,
    rounds: int = 3,
    random_seed: int = 2024,
    track: Callable[[Iterable, str], Iterable] = lambda items, label: items,
    today: date | None = None,
    review: Review | None = None,
) -> SeedSummary:
    """Fill an empty instance with a council's people and `rounds` rounds of assessments, dated
    around `today` (default today): earlier rounds are long closed, complete and signed off; the
    latest opened a few weeks ago and is open, with some teams submitted, some mid-draft and some
    not started. Every assessment was started before it was saved, saved before it was
    submitted and submitted before it was signed off, and nothing is dated after yesterday.
    With a readiness `review`, the open round also holds teams' readiness reviews: most
    completed, some in draft (the review is new this round, so earlier rounds have none)."""
    if db["teams"].count:
        raise store.StorageError("This instance already has teams; seed an empty instance.")
    today = today or date.today()
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

    leaning = {team_id: _leaning(rng, team) for team, team_id in team_ids.items()}
    not_applicable = {
        team_id: _not_applicable(rng, team, questionnaire) for team, team_id in team_ids.items()
    }
    trend = {
        team_id: rng.choice([0.35, 0.3, 0.2, 0.15, 0.1, 0.0, -0.2]) for team_id in team_ids.values()
    }
    # The README's team leads find their teams in known states: a draft to resume, one not
    # started, one submitted.
    demo_progress = {
        team_ids[name]: share for name, share in DEMO_TEAM_PROGRESS.items() if name in team_ids
    }
    sections = [
        questionnaire.statements_in(questionnaire.section_dimension.key, m.key)
        for m in questionnaire.section_dimension.members
    ]
    section_keys = [m.key for m in questionnaire.section_dimension.members]
    yesterday = datetime.combine(today - timedelta(days=1), time(17), tzinfo=UTC)
    calendar = round_calendar(rounds, today)
    staff_rng = random.Random(
        random_seed + 1
    )  # staff answers leave the leads' answers as they were
    assessment_count = answer_count = 0
    for index, (name, opens, closes) in enumerate(calendar):
        latest = index == len(calendar) - 1
        round_id = store.create_round(
            db, name, questionnaire.version, opens, closes, "open" if latest else "closed"
        )
        opened = datetime.combine(date.fromisoformat(opens), time(9), tzinfo=UTC)
        closed = datetime.combine(date.fromisoformat(closes), time(17), tzinfo=UTC)
        last_submission = min(closed, yesterday)
        start_days = max(1, (last_submission - opened).days // 2)
        with store.write(db):
            for team_id in track(list(team_ids.values()), f"Round {name}"):
                progress = rng.random() if latest else 1.0
                if latest and team_id in demo_progress:
                    progress = demo_progress[team_id]
                if progress < 0.22:
                    continue  # not started
                lead = leads[team_id]
                moment = _later(rng, opened, (0, start_days), last_submission)
                assessment_id = store.start_assessment(
                    db, team_id, round_id, lead, stamp=_stamp(moment)
                )
                assessment_count += 1
                done = len(sections)
                if progress < 0.5:  # mid-draft: some sections done, perhaps one begun
                    done = 2 if team_id in demo_progress else rng.randint(1, len(sections) - 1)
                lift = trend[team_id] * index
                for number, statements in enumerate(sections[: done + 1]):
                    if number == done:
                        if team_id in demo_progress or rng.random() < 0.5:
                            break
                        statements = statements[: len(statements) // 2]
                    rows = [
                        _answer(
                            rng, questionnaire, s, leaning[team_id], lift, not_applicable[team_id]
                        )
                        for s in statements
                    ]
                    moment = _later(rng, moment, (0, 5), last_submission)
                    store.save_answers(
                        db,
                        assessment_id,
                        rows,
                        lead,
                        stamp=_stamp(moment),
                        section=section_keys[number],
                    )
                    answer_count += len(rows)
                if done < len(sections):
                    continue  # mid-draft
                moment = _later(rng, moment, (0, 6), last_submission)
                store.submit_assessment(
                    db,
                    assessment_id,
                    lead,
                    lambda answered: score_assessment(
                        questionnaire, store.as_scoring_answers(answered)
                    ),
                    stamp=_stamp(moment),
                )
                if not latest or progress > 0.8:
                    limit = min(closed + timedelta(days=28), yesterday)
                    moment = _later(rng, moment, (1, 14), limit)
                    store.sign_off_assessment(db, assessment_id, officer, stamp=_stamp(moment))
        if latest and review is not None:
            _seed_reviews(db, review, round_id, team_ids, leads, opened, last_submission)
        if not latest:
            lead_levels: dict[int, dict[str, int | None]] = {}
            for team_id, key, level, _ in store.round_answers(db, round_id, ["signed_off"]):
                lead_levels.setdefault(team_id, {})[key] = level
            seed_staff_responses(db, questionnaire, round_id, lead_levels, staff_rng)
    seed_registers(db, questionnaire.id, officer, today)
    seed_programme(db, officer, today)
    return SeedSummary(
        len(directorate_ids),
        len(team_ids),
        user_count,
        len(calendar),
        assessment_count,
        answer_count,
    )
