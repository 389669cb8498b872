"""Believable readiness review answers for the demo council: facts about how each team's service is
delivered, with evidence, leaning the way its kind of service would (a contact centre records calls
by reason; a back-office team has little to show in the localities).

Pure: no database and no Flask. The checks and their areas are read from the review file, so the
demo answers every check the file has; the tables below must name only checks in that file, and
`tests/test_demo_readiness.py` fails when the two drift apart.
"""

from __future__ import annotations

import functools
import random
from pathlib import Path

import yaml

REVIEW_FILE = (
    Path(__file__).resolve().parents[2]
    / "questionnaires"
    / "readiness-reviews"
    / "cex-readiness-review.yaml"
)
ANSWERS = ("yes", "partly", "no", "not-applicable")
NOT_APPLICABLE = "not-applicable"

# How ready each kind of service usually is in each area: 0 nothing in place, 1 all of it.
AREA_STRENGTH: dict[str, dict[str, float]] = {
    "contact": {
        "digital-access": 0.55,
        "customer-insight": 0.65,
        "joined-up-localities": 0.4,
        "citizen-centred-culture": 0.65,
    },
    "housing": {
        "digital-access": 0.35,
        "customer-insight": 0.45,
        "joined-up-localities": 0.65,
        "citizen-centred-culture": 0.6,
    },
    "digital": {
        "digital-access": 0.72,
        "customer-insight": 0.6,
        "joined-up-localities": 0.25,
        "citizen-centred-culture": 0.45,
    },
    "back_office": {
        "digital-access": 0.4,
        "customer-insight": 0.3,
        "joined-up-localities": 0.2,
        "citizen-centred-culture": 0.4,
    },
    "regulatory": {
        "digital-access": 0.65,
        "customer-insight": 0.45,
        "joined-up-localities": 0.2,
        "citizen-centred-culture": 0.5,
    },
    "operational": {
        "digital-access": 0.65,
        "customer-insight": 0.35,
        "joined-up-localities": 0.3,
        "citizen-centred-culture": 0.45,
    },
    "community": {
        "digital-access": 0.3,
        "customer-insight": 0.4,
        "joined-up-localities": 0.72,
        "citizen-centred-culture": 0.65,
    },
}

# Where a kind of service stands apart from its area strength on a single check.
CHECK_LEANING: dict[str, dict[str, float]] = {
    "contact": {
        "calls-recorded-by-reason": 0.35,
        "contact-figures-monthly": 0.3,
        "service-in-crm": 0.25,
        "satisfaction-by-channel": 0.15,
        "larder-officers-briefed": 0.3,
        "staff-trained-standards": 0.2,
    },
    "housing": {
        "user-profiles": 0.15,
        "partner-referral-routes": 0.2,
        "accessible-communication": 0.15,
        "acknowledge-and-track": -0.15,
    },
    "digital": {
        "online-forms-without-rekeying": 0.1,
        "web-information-current": 0.1,
        "acknowledge-and-track": 0.1,
        "real-person-reachable": -0.2,
        "non-digital-alternative": -0.15,
        "satisfaction-by-channel": 0.15,
    },
    "back_office": {
        "calls-recorded-by-reason": -0.15,
        "service-standards-published": 0.15,
    },
    "regulatory": {
        "pay-online": 0.2,
        "service-standards-published": 0.15,
        "process-reviewed": 0.1,
        "other-councils-agreed": 0.25,
    },
    "operational": {
        "pay-online": 0.15,
        "other-councils-agreed": 0.3,
        "contractors-meet-standards": -0.1,
        "user-profiles": -0.15,
    },
    "community": {
        "people-shape-changes": 0.15,
        "user-profiles": 0.15,
        "pay-online": -0.15,
    },
}

# Named teams the strategy's progress report singles out, and teams whose work is the check itself.
TEAM_LEANING: dict[str, dict[str, float]] = {
    "Face to Face Customer Services": {
        "locality-face-to-face": 0.45,
        "larder-officers-briefed": 0.2,
    },
    "Payments and Income": {"pay-online": 0.5},
    "Revenues & Benefits": {"online-forms-without-rekeying": 0.2, "pay-online": 0.3},
    "Complaints and Feedback": {"complaints-learning": 0.5},
    "Freedom of Information": {"service-standards-published": 0.4, "acknowledge-and-track": 0.3},
    "Taxi Licensing": {"process-reviewed": 0.3},
    "Housing Needs": {"process-reviewed": 0.3},
    "Voids and Successions": {"process-reviewed": 0.3},
    "Building Control": {"process-reviewed": 0.3},
    "Garden Waste": {"process-reviewed": 0.3, "pay-online": 0.2},
    "Bulky Waste": {"process-reviewed": 0.3},
    "Locality Teams": {"locality-information": 0.2, "signposting-database": 0.2},
    "Youth Ambition": {"people-shape-changes": 0.3},
    "Tenancy Management": {"pay-online": 0.35},
}

GENERAL_REASONS = {
    "no-payments": "This service charges no fees, so people have nothing to pay.",
    "in-house": "We deliver all of this service ourselves; no contractor or council company is "
    "involved.",
    "internal-locality": "We serve other council teams rather than the public, so there is "
    "nothing for people to find or ask about in the localities.",
    "no-overlap": "No other council delivers any part of this service, so there is nothing to "
    "agree about who does what.",
}

# Checks that do not apply, by team (looked up first) or kind of team: the reason a service manager
# would give, or None where a team's check applies although its kind's does not.
NOT_APPLICABLE_REASONS: dict[str, dict[str, str | None]] = {
    "pay-online": {
        "digital": "We run the website and online forms for other services; we take no payments "
        "of our own.",
        "Freedom of Information": "We do not charge for information requests, so there is "
        "nothing to pay.",
        "Planning Policy": "We take no payments; planning application fees are paid to "
        "Development Management.",
        "Legal Services": "We take no payments from the public; legal costs are recovered through "
        "the services we act for.",
        "HR and Payroll": GENERAL_REASONS["no-payments"],
        "Procurement": GENERAL_REASONS["no-payments"],
        "Democratic Services": GENERAL_REASONS["no-payments"],
        "Complaints and Feedback": GENERAL_REASONS["no-payments"],
        "Council Tax Support": "Council Tax Support reduces what people owe; payments are taken "
        "by Revenues & Benefits.",
        "Homelessness Prevention": GENERAL_REASONS["no-payments"],
        "Rough Sleeping Outreach": GENERAL_REASONS["no-payments"],
        "Allocations": "Joining the housing register is free; rent is paid to Tenancy Management.",
        "Electoral Services": "Registering to vote and voting are free.",
        "Street Cleansing": GENERAL_REASONS["no-payments"],
        "Community Safety": GENERAL_REASONS["no-payments"],
        "Locality Teams": GENERAL_REASONS["no-payments"],
    },
    "contractors-meet-standards": {
        "contact": GENERAL_REASONS["in-house"],
        "Revenues & Benefits": None,
        "Freedom of Information": GENERAL_REASONS["in-house"],
        "Planning Policy": GENERAL_REASONS["in-house"],
        "Democratic Services": GENERAL_REASONS["in-house"],
        "Legal Services": GENERAL_REASONS["in-house"],
        "Allocations": GENERAL_REASONS["in-house"],
        "Locality Teams": GENERAL_REASONS["in-house"],
        "Youth Ambition": GENERAL_REASONS["in-house"],
    },
    "locality-information": {
        "HR and Payroll": GENERAL_REASONS["internal-locality"],
        "Procurement": GENERAL_REASONS["internal-locality"],
        "Legal Services": GENERAL_REASONS["internal-locality"],
    },
    "larder-officers-briefed": {
        "HR and Payroll": GENERAL_REASONS["internal-locality"],
        "Procurement": GENERAL_REASONS["internal-locality"],
        "Legal Services": GENERAL_REASONS["internal-locality"],
    },
    "locality-face-to-face": {
        "digital": "Our service is the council website itself; face-to-face help with online "
        "services is given by Customer Services and the library digital café.",
        "HR and Payroll": GENERAL_REASONS["internal-locality"],
        "Procurement": GENERAL_REASONS["internal-locality"],
        "Legal Services": GENERAL_REASONS["internal-locality"],
        "Rough Sleeping Outreach": "All of our work is face to face on the streets and in day "
        "centres; there are no offices for people to come to.",
    },
    "other-councils-agreed": {
        "back_office": GENERAL_REASONS["no-overlap"],
        "digital": GENERAL_REASONS["no-overlap"],
        "Corporate Property": None,
    },
    "calls-recorded-by-reason": {
        "Rough Sleeping Outreach": "People sleeping rough reach us through outreach shifts and "
        "partner referrals, not by phone.",
    },
}

# What a service manager would write as evidence, by check: {share} becomes a percentage.
EVIDENCE: dict[str, dict[str, tuple[str, ...]]] = {
    "pay-online": {
        "yes": (
            "All our charges are on the council's online payment system, open 24 hours; {share}% "
            "of last quarter's payments were made online.",
            "Payment page checked today; the payments report shows {share}% paid online last "
            "quarter, the rest by phone through the same system.",
        ),
        "partly": (
            "Our main charge can be paid online, but two smaller charges are still by invoice "
            "only; {share}% of payments were made online last quarter.",
            "Online payments go through a supplier's portal of our own, not the council's "
            "system, and it is closed overnight for updates.",
        ),
    },
    "online-forms-without-rekeying": {
        "yes": (
            "Our three most common requests have online forms that create a case in the "
            "back-office system directly; {share}% of requests arrived online last quarter.",
            "Forms integrated with the back-office system since the last process review; no "
            "rekeying, checked with the team's daily work queue.",
        ),
        "partly": (
            "Online forms exist for the most common request, but they arrive as emails and staff "
            "rekey them; {share}% of requests came in online last quarter.",
            "Two of our four most common requests have integrated forms; the others are still "
            "downloadable PDFs sent in by email.",
        ),
    },
    "acknowledge-and-track": {
        "yes": (
            "Every online request gets an automatic email with a reference and next steps; "
            "progress shows in the customer account.",
            "Sample acknowledgement attached; people can see the status of each request in their "
            "online account.",
        ),
        "partly": (
            "Automatic acknowledgements with a reference are sent, but people must call to check "
            "progress.",
            "Acknowledgements go out for online forms but not for emails to the team mailbox.",
        ),
    },
    "web-information-current": {
        "yes": (
            "All our pages have a named owner and were reviewed in the last year; fees and "
            "contact details checked at the same time.",
            "Web page review log attached: every page checked for accuracy and plain English "
            "since the new website launched.",
        ),
        "partly": (
            "The main pages were reviewed this year, but the guidance pages have not been checked "
            "since the new website launched.",
            "Pages reviewed in the spring; the fee changes found then are still waiting to go "
            "live.",
        ),
    },
    "assisted-digital-help": {
        "yes": (
            "Our pages say how to get help with the forms; staff completed {count} forms with "
            "people by phone or face to face last quarter.",
            "Assisted completion offered on every form page, by phone and at the customer "
            "service centre; help recorded on each case.",
        ),
        "partly": (
            "Staff help people who ask, but the web pages do not say that help is available.",
            "Help is available at the customer service centre on weekdays only; nothing by phone.",
        ),
    },
    "process-reviewed": {
        "yes": (
            "End-to-end process review with business improvement completed last year; changes in "
            "place and {count} officer hours saved recorded in the benefits tracker.",
            "Process review report attached; the benefits tracker shows the hours saved and the "
            "changes went live in the spring.",
        ),
        "partly": (
            "Process review completed, but two of its changes wait on a system upgrade.",
            "We reviewed the process last year but did not record the hours saved in the "
            "benefits tracker.",
        ),
    },
    "service-in-crm": {
        "yes": (
            "All our request types are case types in the CRM; {share}% of last month's contacts "
            "were logged against the person.",
            "Every contact, by any channel, is logged in the CRM; any officer can see a person's "
            "history with us.",
        ),
        "partly": (
            "Phone contacts are logged in the CRM, but emails to the team mailbox stay in Outlook; "
            "{share}% of contacts logged last month.",
            "The CRM holds our online requests; casework stays in our own system with no link "
            "back to the person's CRM record.",
        ),
    },
    "calls-recorded-by-reason": {
        "yes": (
            "Every call is wrapped with a reason from the agreed list; last month's calls by "
            "reason attached.",
            "Call reasons recorded on the telephony system for all lines, direct lines included.",
        ),
        "partly": (
            "Calls through the Contact Centre are recorded by reason; calls to our direct line "
            "are counted only.",
            "Reasons recorded for the main line, but the list was last updated two years ago and "
            "a third of calls fall under 'other'.",
        ),
    },
    "contact-figures-monthly": {
        "yes": (
            "Monthly contact report by channel, against last year and target, discussed at the "
            "management meeting; last three reports attached.",
            "Contacts by phone, online, face to face and email reported monthly on the "
            "performance dashboard.",
        ),
        "partly": (
            "Figures are reported quarterly, not monthly.",
            "Phone and online figures reported monthly; face-to-face and email contacts are not "
            "counted.",
        ),
    },
    "satisfaction-by-channel": {
        "yes": (
            "GovMetric ratings for phone, face to face and web, reviewed at the quarterly "
            "performance meeting; latest scores attached.",
            "Satisfaction measured for each channel we offer; {share}% positive by phone last "
            "quarter, reviewed with the team.",
        ),
        "partly": (
            "Website ratings are collected, but not phone or face-to-face satisfaction for our "
            "service.",
            "Satisfaction measured for each channel, but the results have not been reviewed this "
            "year.",
        ),
    },
    "complaints-learning": {
        "yes": (
            "Quarterly review of complaints, comments and compliments from the new system; last "
            "quarter's review changed our letter templates.",
            "Feedback trends reviewed every quarter at the team meeting; changes made are logged "
            "and reported to the directorate.",
        ),
        "partly": (
            "Complaints reviewed twice a year; changes are made but not recorded.",
            "We review complaints for trends but not compliments or comments.",
        ),
    },
    "user-profiles": {
        "yes": (
            "Equality monitoring summary for this year, including income and first language; it "
            "informed last year's change to our opening hours.",
            "User profiles updated this year, including people on low incomes and people whose "
            "first language is not English; used in our process review.",
        ),
        "partly": (
            "Equality monitoring data is collected but has not been analysed for over two years.",
            "We have a profile of who uses the service, but it leaves out first language and "
            "income.",
        ),
    },
    "locality-information": {
        "yes": (
            "Leaflets at all locality hubs and Community Larders, checked in the last six months; "
            "stock list attached.",
            "Display and leaflets at every hub and larder, refreshed each quarter with the "
            "Locality Managers.",
        ),
        "partly": (
            "Leaflets at three of the locality hubs, but none at the Community Larders.",
            "Information at every hub and larder, but not checked since last year.",
        ),
    },
    "larder-officers-briefed": {
        "yes": (
            "Briefed the Customer Service Officers who visit the larders this year; written guide "
            "and a named referral contact in the team.",
            "Briefing session held with the larder officers in the spring; guide attached.",
        ),
        "partly": (
            "The officers were briefed two years ago; the guide is out of date.",
            "The officers have our guide, but no named contact to refer people to.",
        ),
    },
    "locality-face-to-face": {
        "yes": (
            "Weekly drop-ins at two community centres and a library, published on our web pages; "
            "{count} people seen last quarter.",
            "Regular published sessions in the localities where most of the people who use us "
            "live.",
        ),
        "partly": (
            "A monthly drop-in at one community centre; nothing in the other localities.",
            "Face-to-face help in the localities by appointment only, not published.",
        ),
    },
    "signposting-database": {
        "yes": (
            "Staff signpost from the external agencies database, recorded in case notes; our "
            "partners' entries were updated this quarter.",
            "All our partner agencies are in the database and current; signposting shows in "
            "{share}% of sampled cases.",
        ),
        "partly": (
            "Some staff use the database; our own partner contacts have not been added.",
            "Our partners are in the database, but entries have not been updated since it was "
            "rolled out.",
        ),
    },
    "partner-referral-routes": {
        "yes": (
            "Written referral routes with named contacts agreed with the city's advice agencies; "
            "{count} referrals each way last quarter.",
            "Referral protocol with community partners, reviewed at the advice agencies workshop "
            "this year.",
        ),
        "partly": (
            "Agreed routes with the main advice agency; other partners depend on officers' own "
            "contacts.",
            "Referrals are made, but the routes are not written down or counted.",
        ),
    },
    "other-councils-agreed": {
        "yes": (
            "Who does what agreed in writing with the county and parish councils and explained on "
            "our web pages.",
            "Protocol with the county council on shared cases; our pages say which council to "
            "contact for what.",
        ),
        "partly": (
            "Agreed with the county council, but not with the parish councils.",
            "Split of work agreed with the county council, but not explained on our web pages.",
        ),
    },
    "real-person-reachable": {
        "yes": (
            "Direct number published on our pages; calls answered by an officer with no menu; "
            "average wait last month under two minutes.",
            "Callers are put straight through to the team, no numerical menu; call route attached.",
        ),
        "partly": (
            "Calls reach an officer after a two-option menu.",
            "A person answers during core hours; outside them callers reach a voicemail menu.",
        ),
    },
    "non-digital-alternative": {
        "yes": (
            "Every request can be made by phone, in person or on paper, and our pages say how.",
            "Paper forms at the customer service centre and phone applications for all requests; "
            "published on each web page.",
        ),
        "partly": (
            "Most requests can be made by phone, but one application is online only.",
            "Offline routes exist for everything but are not mentioned on our web pages.",
        ),
    },
    "accessible-communication": {
        "yes": (
            "Interpreting (including BSL), translation, Braille and large print booked through the "
            "corporate contracts; {count} requests met last year; hearing loop tested this month.",
            "Staff use the booking guide for interpreters and accessible formats; loop at our "
            "counter tested quarterly.",
        ),
        "partly": (
            "Telephone interpreting available; BSL and Braille take weeks to arrange.",
            "Interpreters and translation can be booked, but there is no hearing loop where we "
            "meet people.",
        ),
    },
    "service-standards-published": {
        "yes": (
            "Response standards published on our web pages; {share}% of cases met them last "
            "quarter, reported to the directorate.",
            "Published standards with quarterly performance against them on the council website.",
        ),
        "partly": (
            "Standards published, but performance against them is not reported.",
            "We have standards for response times but they are internal only.",
        ),
    },
    "contractors-meet-standards": {
        "yes": (
            "The customer service standards are a schedule in every contract; checked at the "
            "monthly contract meeting, notes attached.",
            "Contract clause requires the council's standards; performance reviewed each quarter.",
        ),
        "partly": (
            "The main contract includes the standards; smaller contracts do not.",
            "The standards are in the contract but have never been checked at contract meetings.",
        ),
    },
    "staff-trained-standards": {
        "yes": (
            "Training records show all public-facing staff trained in the last two years; part of "
            "induction for new starters.",
            "{share}% of the team completed the customer service standards course this year and "
            "the rest last year.",
        ),
        "partly": (
            "{share}% of staff trained; new starters are not booked on the course.",
            "Most of the team trained, but the course is not part of induction.",
        ),
    },
    "people-shape-changes": {
        "yes": (
            "Residents Panel survey shaped our new letters this year; 'you said, we did' published "
            "on our pages.",
            "Co-designed the new form with people who use the service, including seldom-heard "
            "groups; told them what changed.",
        ),
        "partly": (
            "We consulted on the change this year but did not report back what changed.",
            "Online survey only; we did not reach people who do not use the internet.",
        ),
    },
}

# Evidence that reads better in a kind of service's own words.
EVIDENCE_FOR_KIND: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("pay-online", "regulatory"): {
        "yes": (
            "Application and licence fees paid online through the council's payment system, any "
            "time; {share}% paid online last quarter.",
        ),
        "partly": ("Application fees can be paid online; renewal fees still by phone or cheque.",),
    },
    ("pay-online", "operational"): {
        "yes": (
            "Subscriptions and bookings paid online at the time of booking through the council's "
            "payment system; {share}% paid online last quarter.",
        ),
        "partly": ("Bookings can be paid online, but replacement charges are invoiced.",),
    },
    ("pay-online", "housing"): {
        "yes": (
            "Rent and charges payable online 24 hours through the council's payment system; "
            "{share}% paid online or by direct debit last quarter.",
        ),
        "partly": ("Rent can be paid online, but rechargeable repairs are invoiced by post.",),
    },
    ("calls-recorded-by-reason", "contact"): {
        "yes": (
            "Every call wrapped with a reason code on the telephony system; last month's "
            "report of calls by reason attached.",
            "Call reasons recorded for all lines, including the Vulnerable Resident line; used "
            "to plan staffing and web changes.",
        ),
        "partly": ("Reasons recorded for the main lines; the overflow lines are counted only.",),
    },
    ("contact-figures-monthly", "contact"): {
        "yes": (
            "Monthly contact report by channel against the corporate KPIs for calls, visits and "
            "online forms; discussed at the management meeting.",
        ),
        "partly": ("Calls reported monthly; face-to-face visits only quarterly.",),
    },
    ("online-forms-without-rekeying", "digital"): {
        "yes": (
            "We build the council's forms on the integration platform; {share}% of forms we run "
            "update back-office systems with no rekeying.",
        ),
        "partly": ("Half of the forms we host are integrated; the rest still email the service.",),
    },
    ("locality-information", "community"): {
        "yes": (
            "Our leaflets are in every larder and hub, stocked on each locality team visit; "
            "checked monthly.",
        ),
        "partly": ("Information at the larders we run sessions in, but not at the other hubs.",),
    },
    ("locality-face-to-face", "community"): {
        "yes": (
            "Sessions run every week in community centres across the city; timetable published; "
            "{count} attendances last quarter.",
        ),
        "partly": ("Sessions in Blackbird Leys and Rose Hill only; other localities not covered.",),
    },
    ("contractors-meet-standards", "operational"): {
        "yes": (
            "The service agreement with the council company includes our customer service "
            "standards; checked at the monthly client meeting.",
        ),
        "partly": (
            "The council company's agreement names our standards, but they are not reported on.",
        ),
    },
}

# Short notes a service manager might add to a "no"; often they add nothing.
NO_NOTES: dict[str, tuple[str, ...]] = {
    "pay-online": ("Payments by phone or invoice only; online payment is in next year's plan.",),
    "online-forms-without-rekeying": ("Requests come in by email and are rekeyed.",),
    "service-in-crm": ("Our own case system only; CRM set-up is planned.",),
    "calls-recorded-by-reason": ("Calls are counted, not recorded by reason.",),
    "locality-information": ("Nothing at the hubs or larders yet.",),
    "larder-officers-briefed": ("Not yet; we have asked for a slot at their next briefing.",),
    "real-person-reachable": ("Calls go through the corporate menu.",),
    "user-profiles": ("We have not collected equality data.",),
    "people-shape-changes": ("No changes made with people who use the service this year.",),
}


@functools.cache
def review_checks() -> dict[str, str]:
    """Each check key in the review file, in its order, with the area it belongs to."""
    review = yaml.safe_load(REVIEW_FILE.read_text(encoding="utf-8"))
    return {check["key"]: check["area"] for check in review["checks"]}


def review_answers(team: str, rng: random.Random) -> dict[str, tuple[str, str]]:
    """For every check, the team's (answer, text): evidence for "yes" and "partly", a note or ""
    for "no", the reason for "not-applicable". Deterministic for the rng's seed."""
    # Imported here so that assess.demo can import this module while it is itself being imported.
    from assess.demo import team_kind

    kind = team_kind(team)
    home = _home_team(team)
    strength = AREA_STRENGTH[kind]
    team_shift = rng.uniform(-0.08, 0.08)
    answers: dict[str, tuple[str, str]] = {}
    for check, area in review_checks().items():
        reason = _not_applicable_reason(check, home, kind)
        if reason:
            answers[check] = (NOT_APPLICABLE, reason)
            continue
        readiness = (
            strength[area]
            + CHECK_LEANING.get(kind, {}).get(check, 0.0)
            + TEAM_LEANING.get(home, {}).get(check, 0.0)
            + team_shift
            + rng.gauss(0, 0.2)
        )
        if readiness >= 0.62:
            answers[check] = ("yes", _evidence(check, kind, "yes", rng))
        elif readiness >= 0.35:
            answers[check] = ("partly", _evidence(check, kind, "partly", rng))
        else:
            notes = NO_NOTES.get(check, ())
            answers[check] = ("no", rng.choice(notes) if notes and rng.random() < 0.5 else "")
    return answers


def _home_team(team: str) -> str:
    """The demo team a team is (a numbered bench team, "Housing Needs 3", is "Housing Needs")."""
    from assess.demo import TEAM_KINDS

    return team if team in TEAM_KINDS else team.rsplit(" ", 1)[0]


def _not_applicable_reason(check: str, team: str, kind: str) -> str | None:
    reasons = NOT_APPLICABLE_REASONS.get(check, {})
    return reasons[team] if team in reasons else reasons.get(kind)


def _evidence(check: str, kind: str, answer: str, rng: random.Random) -> str:
    sentences = EVIDENCE_FOR_KIND.get((check, kind), EVIDENCE[check])[answer]
    share = rng.randint(70, 96) if answer == "yes" else rng.randint(25, 65)
    return rng.choice(sentences).format(share=share, count=rng.randint(12, 240))
