"""The demo council's action plan and scrutiny log: the corporate actions of the revised action
plan the progress report to Cabinet asks it to agree (its focus areas for the year, para 20, and
the work under each strand), with milestones and quarterly progress notes dated around `today`;
and two recommendations of the Scrutiny Committee on the customer experience strategy with the
Cabinet's responses, one answered a year ago (its progress update now due) and one waiting.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlite_utils import Database

from assess.programme.plan import add_months, quarter_start
from assess.store import plan as plan_store

MEMBER = "Cllr Nigel Chapman, Cabinet Member for Citizen Focused Services and Council Companies"

# ref, action, readiness area, strand, lead officer, RAG, reason, milestones as (title, months
# from today it is due, done), the progress notes' words (oldest first).
ACTIONS = [
    (
        "CEX-A01",
        "Improve digital access and automate our services, with a consistent approach to paying "
        "for services",
        "digital-access",
        "positive-experience",
        "Digital Services Manager",
        "amber",
        "The QL Tenant Portal's launch has moved; online forms are up 6% against a 5% target",
        [
            ("Launch the QL Tenant Portal", -1, False),
            ("Publish the online General Register housing application form", -4, True),
            ("One way to pay for every service online", 5, False),
        ],
        [
            "Webforms for Garden Waste and Bulky Waste are live; process reviews in Taxi "
            "Licensing and Building Control done.",
            "Tenant Portal testing found problems with rent statements: launch moved a quarter.",
        ],
    ),
    (
        "CEX-A02",
        "Optimise customer insight and business intelligence to improve services, spot trends and "
        "inform decisions",
        "customer-insight",
        "citizen-focused",
        "Business Improvement Manager",
        "green",
        "",
        [
            ("Comments, complaints and compliments reports for every service", -2, True),
            ("Create user profiles for training and designing processes", 3, False),
        ],
        [
            "The new complaints system's monthly reports go to every head of service.",
            "Residents Panel relaunched with 1,000 members; first survey on the website.",
        ],
    ),
    (
        "CEX-A03",
        'Make the most of opportunities for "joined-up" access in our localities, taking more '
        "information into Community Larders",
        "joined-up-localities",
        "inclusive-access",
        "Customer Services Manager",
        "green",
        "",
        [
            ("Customer Service Officers in every Community Larder each month", -3, True),
            ("A Digital Cafe in a second locality", 4, False),
        ],
        ["Customer Service Officers now visit four Community Larders each month."],
    ),
    (
        "CEX-A04",
        "Support the organisation to embrace a culture where communities and citizens are at the "
        "heart of how we work",
        "citizen-centred-culture",
        "right-first-time",
        "Head of Business Improvement",
        "red",
        "Fewer than half of the teams have completed the culture maturity assessment",
        [
            ("Every team completes the culture maturity assessment", -1, False),
            ("Communications toolkit training for every service", 2, False),
        ],
        ["Eleven teams have submitted their assessment; reminders sent to the rest."],
    ),
]

COMMITTEE = "Scrutiny Committee"
REPORT_TITLE = "Customer Experience Strategy and Action Plan"
# recommendation, response, the response's words, timescale, the action that carries it out
RECOMMENDATIONS = [
    (
        "That the Council includes within its profiles of user groups those who are "
        "socio-economically disadvantaged, and those for whom English is a second or other "
        "language.",
        "accepted",
        "We are working with the co-production lead to engage with seldom heard groups, "
        "including those for whom English is not a first language and socio-economically "
        "disadvantaged groups, when designing customer experience processes. In the action plan "
        "we committed to creating user profiles for training and designing processes around our "
        "customers. A further update on progress will be provided at the end of year 1 of the "
        "strategy.",
        "End of year 1 of the strategy",
        "CEX-A02",
    ),
    (
        "That the Council identifies the steps it can reasonably take to extend improvements in "
        "service standards to subcontractors.",
        "partially_accepted",
        "We have met directorates that use many subcontractors to promote the principles, and "
        "the strategy's communications plan covers every service area. Adding the strategy to "
        "subcontractors' induction is a wider piece of work we may explore.",
        "Within the year",
        "CEX-A04",
    ),
]
# A recommendation of the latest meeting, not yet answered.
WAITING = (
    "That the Council monitors the effectiveness of its complaints-handling as part of its "
    "Customer Experience Strategy."
)


def seed_plan(db: Database, actor_id: int | None, today: date) -> None:
    """The action plan and the scrutiny log, dated around `today`."""
    ids = {}
    for ref, title, area, strand, lead, rag, reason, milestones, notes in ACTIONS:
        ids[ref] = plan_store.add_corporate_action(
            db,
            {
                "ref": ref,
                "title": title,
                "readiness_area": area,
                "strand": strand,
                "lead_officer": lead,
                "lead_member": MEMBER,
                "rag": "green",
                "rag_reason": "",
                "source_kind": "strategy",
            },
            actor_id,
        )
        for name, months, done in milestones:
            due = add_months(today, months)
            milestone_id = plan_store.add_milestone(db, ids[ref], name, due.isoformat(), actor_id)
            if done:
                done_on = min(due, today - timedelta(days=1))
                plan_store.mark_milestone_done(
                    db, ids[ref], milestone_id, done_on.isoformat(), actor_id
                )
        # the last note is this quarter's (and sets the action's status), each before it a
        # quarter earlier
        latest_note = max(quarter_start(today), today - timedelta(days=7))
        for number, words in enumerate(notes):
            back = len(notes) - 1 - number
            plan_store.add_note(
                db,
                ids[ref],
                add_months(latest_note, -3 * back).isoformat(),
                words,
                rag if back == 0 else "green",
                reason if back == 0 else "",
                actor_id,
            )
    received = add_months(today, -14)
    for text, response, words, timescale, ref in RECOMMENDATIONS:
        plan_store.add_recommendation(
            db,
            {
                "committee": COMMITTEE,
                "report_title": REPORT_TITLE,
                "meeting_on": received.isoformat(),
                "received_on": received.isoformat(),
                "recommendation": text,
                "lead_member": MEMBER,
                "response": response,
                "response_reason": words,
                "responded_on": add_months(received, 1).isoformat(),
                "corporate_action_id": ids[ref],
                "timescale": timescale,
            },
            actor_id,
        )
    latest = add_months(today, -3)
    plan_store.add_recommendation(
        db,
        {
            "committee": COMMITTEE,
            "report_title": "Citizen Experience Strategy Progress report",
            "meeting_on": latest.isoformat(),
            "received_on": latest.isoformat(),
            "recommendation": WAITING,
            "lead_member": MEMBER,
        },
        actor_id,
    )
