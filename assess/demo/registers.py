"""Demo data for the registers: the CEX strategy risk register (appendix 5) and its equality
impact assessment (appendix 6), linked to the culture maturity questionnaire's areas."""

from __future__ import annotations

from datetime import date, timedelta

from sqlite_utils import Database

from assess import store
from assess.config import DEFAULTS
from assess.registers import rules as risk
from assess.store import registers as register_store

QUESTIONNAIRE = "cex-culture-maturity"

# ref, title, cause, event, consequence, category, owner, inherent (L, I), current (L, I),
# target (L, I), earlier current (L, I) or None, response, controls, next review (days from today:
# a few overdue, most not), links
RISKS = [
    (
        "CEX-R01",
        "Digitally excluded residents cannot reach services",
        "Over a quarter of residents lack internet access and services move online first",
        "Residents without digital access or skills cannot get help when they need it",
        "Unmet need, more complaints, and a breach of our equality duty",
        "Inclusion",
        "Head of Customer Services",
        (5, 4),
        (4, 4),
        (2, 3),
        (5, 4),
        "Treat",
        "Face-to-face and telephone routes kept; assisted digital at Community Larders",
        24,
        [
            ("value", "inclusion-respect"),
            ("readiness_area", "digital-access"),
            ("statement", "inclusion-respect-non-digital-alternatives"),
        ],
    ),
    (
        "CEX-R02",
        "Savings from channel shift are not realised",
        "Benefits of digital forms depend on residents changing how they contact us",
        "Avoidable contact does not fall as planned",
        "The medium-term financial plan's CEX savings are missed",
        "Financial",
        "Head of Business Improvement",
        (4, 4),
        (3, 4),
        (2, 3),
        (3, 4),
        "Treat",
        "Benefits tracked monthly; 2,276 officer hours saved reported to Cabinet",
        52,
        [
            ("readiness_area", "digital-access"),
            ("statement", "amazing-outcomes-benefits-realised"),
            ("statement", "amazing-outcomes-channel-shift"),
        ],
    ),
    (
        "CEX-R03",
        "Customer portal and payments platform delayed",
        "Supplier capacity and integration with back-office systems",
        "The customer portal and consistent payments go live late",
        "Residents keep using slower channels and savings are deferred",
        "Delivery",
        "Head of Digital and Web",
        (4, 4),
        (4, 3),
        (2, 2),
        (3, 3),
        "Treat",
        "Fortnightly supplier meetings; phased launch plan",
        -9,
        [
            ("readiness_area", "digital-access"),
            ("statement", "service-excellence-online-self-service"),
        ],
    ),
    (
        "CEX-R04",
        "Not enough staff capacity to change while delivering",
        "Vacancies and rising demand in front-line teams",
        "Teams cannot release time for process reviews and training",
        "The action plan slips and culture change stalls",
        "People",
        "Head of HR and Payroll",
        (4, 3),
        (4, 3),
        (3, 2),
        None,
        "Tolerate",
        "Business improvement support prioritised to the teams with the most demand",
        80,
        [("value", "stepping-up"), ("statement", "stepping-up-process-reviews")],
    ),
    (
        "CEX-R05",
        "Poor data quality undermines customer insight",
        "Case systems hold duplicate, incomplete and inconsistent records",
        "Reports on trends and demand are unreliable",
        "Decisions are made on wrong figures and services are not improved where needed",
        "Information",
        "Head of Business Intelligence",
        (4, 4),
        (3, 4),
        (2, 3),
        (4, 4),
        "Treat",
        "Data quality standards and quarterly record audits",
        17,
        [("readiness_area", "customer-insight"), ("statement", "one-team-case-notes-handovers")],
    ),
    (
        "CEX-R06",
        "Dependence on partners for locality access",
        "Community Larders and voluntary groups host our outreach",
        "A partner withdraws or cannot host council information and support",
        "Residents in some localities lose joined-up access",
        "Partnership",
        "Head of Communities",
        (3, 4),
        (3, 3),
        (2, 2),
        None,
        "Treat",
        "Partnership agreements reviewed yearly; alternative venues mapped",
        115,
        [
            ("readiness_area", "joined-up-localities"),
            ("value", "one-team"),
            ("statement", "one-team-partners-community-groups"),
        ],
    ),
    (
        "CEX-R07",
        "Residents are passed between services",
        "Teams work in silos with no shared ownership of a query",
        "A resident is passed around instead of having the query resolved",
        "Dissatisfaction, repeat contact and complaints",
        "Service delivery",
        "Head of Customer Services",
        (4, 3),
        (3, 3),
        (2, 2),
        (4, 3),
        "Treat",
        "Query ownership standard; weekly huddles with the Contact Centre",
        38,
        [("value", "one-team"), ("statement", "one-team-clear-query-ownership")],
    ),
    (
        "CEX-R08",
        "Website satisfaction stays low",
        "Content is hard to find and not written in plain English",
        "Residents give up online and phone instead",
        "Website satisfaction stays near 54.8% and avoidable contact continues",
        "Service delivery",
        "Head of Digital and Web",
        (4, 3),
        (4, 3),
        (2, 2),
        (4, 3),
        "Treat",
        "Content review programme; user testing with the Residents Panel",
        -23,
        [("value", "service-excellence"), ("statement", "inclusion-respect-plain-english")],
    ),
    (
        "CEX-R09",
        "Residents for whom English is not a first language are not understood",
        "Translation and interpreting are arranged case by case",
        "A resident cannot explain their need or understand our response",
        "Wrong outcomes and unequal access",
        "Inclusion",
        "Head of Communities",
        (3, 4),
        (3, 3),
        (1, 3),
        None,
        "Treat",
        "Interpreting contract; translated key pages",
        66,
        [
            ("value", "inclusion-respect"),
            ("statement", "inclusion-respect-translation-accessible-formats"),
        ],
    ),
    (
        "CEX-R10",
        "Culture change does not stick",
        "Leadership attention moves on once the strategy's launch is over",
        "Teams slip back to old ways of working",
        "Maturity scores fall and the strategy's outcomes are not achieved",
        "Strategic",
        "Chief Executive",
        (3, 4),
        (2, 4),
        (2, 3),
        (3, 4),
        "Treat",
        "Culture maturity assessed yearly; results reported to the Corporate Leadership Team",
        150,
        [("readiness_area", "citizen-centred-culture"), ("value", "amazing-outcomes")],
    ),
    (
        "CEX-R11",
        "Customer insight is not used to improve services",
        "Feedback and complaints themes are collected but not acted on",
        "Recurring problems are not fixed",
        "The same complaints return and trust in the council falls",
        "Information",
        "Head of Business Improvement",
        (3, 3),
        (3, 3),
        (2, 2),
        None,
        "Treat",
        "Complaints themes reviewed at team meetings",
        95,
        [
            ("readiness_area", "customer-insight"),
            ("statement", "service-excellence-complaints-compliments"),
        ],
    ),
]

EQIA_IMPACTS = {
    "Age": (
        "Negative",
        "High",
        "Older residents are the least likely to be online.",
        "Keep telephone and face-to-face routes; assisted digital sessions.",
    ),
    "Disability": (
        "Negative",
        "High",
        "Online forms are not all accessible to screen readers.",
        "Accessibility audit of forms; easy-read leaflets.",
    ),
    "Gender reassignment": ("Neutral", None, "No evidence of a different impact.", ""),
    "Marriage and civil partnership": ("Neutral", None, "No evidence of a different impact.", ""),
    "Pregnancy and maternity": ("Positive", "Low", "Online access saves journeys.", ""),
    "Race": (
        "Negative",
        "Medium",
        "Language barriers for some communities.",
        "Interpreting contract and translated key pages.",
    ),
    "Religion or belief": ("Neutral", None, "No evidence of a different impact.", ""),
    "Sex": ("Neutral", None, "No evidence of a different impact.", ""),
    "Sexual orientation": (
        "Unknown",
        None,
        "Too little data to say.",
        "Ask about it in the next Residents Panel survey.",
    ),
    "Socio-economic disadvantage": (
        "Negative",
        "High",
        "Cost of data and devices.",
        "Free wifi and devices at Community Larders.",
    ),
    "Carers": ("Positive", "Medium", "Access outside office hours.", ""),
    "Care leavers": (
        "Unknown",
        None,
        "Too little data to say.",
        "Work with the leaving care team.",
    ),
    "Armed forces community": ("Neutral", None, "No evidence of a different impact.", ""),
    "Rurality": (
        "Negative",
        "Medium",
        "Fewer drop-in points in rural wards.",
        "Locality outreach timetable.",
    ),
    "People for whom English is not a first language": (
        "Negative",
        "High",
        "Online content is in English only.",
        "Translated key pages.",
    ),
    "Digitally excluded people": (
        "Negative",
        "High",
        "Over a quarter of residents lack internet access (Citizen Experience Strategy Progress "
        "report to Cabinet, 10 July 2024).",
        "Non-digital alternatives kept for every service.",
    ),
}


PROGRESS_REPORT = "Citizen Experience Strategy Progress report to Cabinet (10 July 2024)"
ENGAGEMENT_REPORT = "Customer Experience Strategy Engagement Summary report (2 April 2024)"
NO_DIFFERENCE = ("Neutral", None, "No evidence of a different impact.", "")

# The overarching EqIA's implications for equality under each strand of the strategy.
STRATEGY_STRANDS = {
    "citizen-focused": (
        "Positive",
        "Residents Panel and complaints feedback shapes services, if every group is heard.",
    ),
    "positive-experience": (
        "Unknown",
        "Quicker online routes help most residents; the effect on those offline is not yet known.",
    ),
    "inclusive-access": (
        "Positive",
        "Face-to-face and assisted routes kept, with Customer Service Officers in Community "
        "Larders.",
    ),
    "right-first-time": (
        "Positive",
        "Triage and partner referrals reach residents most in need sooner.",
    ),
}

# Each high-level workstream's own EqIA (the strategy asks each to develop one: Citizen Experience
# Strategy Progress report to Cabinet, 10 July 2024, paragraph 27): ref, title, workstream, lead
# officer, evidence, overall outcome, signed off (days from today) or None, review (days from
# today: two soon, one overdue), impacts by group (the rest neutral), implications by strand,
# actions (what, owner, due in days, status).
WORKSTREAM_EQIAS = [
    (
        "CEX-EQIA-02",
        "New council website",
        "Website: new site with improved search",
        "Head of Digital and Web",
        f"{PROGRESS_REPORT}: website satisfaction 54.8% in 2023-24, up from 42.1%; "
        f"{ENGAGEMENT_REPORT}: 'easy to use website' asked for.",
        "Adjust the policy: meet accessibility standards and translate the most-used pages",
        -120,
        14,
        {
            "Age": ("Negative", "Medium", "Older residents find search harder.", "Plain words."),
            "Disability": (
                "Negative",
                "High",
                "Some pages fail accessibility checks with screen readers.",
                "Accessibility audit before each release; fix failures within a month.",
            ),
            "People for whom English is not a first language": (
                "Negative",
                "Medium",
                "Pages are in English only.",
                "Translate the ten most-used pages.",
            ),
            "Digitally excluded people": (
                "Negative",
                "High",
                "A website cannot reach residents without internet access.",
                "Keep telephone and face-to-face routes for every service.",
            ),
            "Carers": ("Positive", "Low", "Information available at any hour.", ""),
        },
        {
            "citizen-focused": ("Positive", "Search terms show what residents look for."),
            "positive-experience": ("Positive", "Quicker to find the right service."),
            "inclusive-access": ("Negative", "Offline residents and screen reader users."),
            "right-first-time": ("Neutral", "No change to how queries are resolved."),
        },
        [
            (
                "Commission an accessibility audit of the website",
                "Head of Digital and Web",
                30,
                "in_progress",
            ),
        ],
    ),
    (
        "CEX-EQIA-03",
        "Webforms for self-service",
        "Webforms: online forms so residents can help themselves",
        "Digital Services Manager",
        f"{PROGRESS_REPORT}: online forms up 6% on a baseline of 26,303; "
        f"{ENGAGEMENT_REPORT}: many asked to be able to speak to a person.",
        "Adjust the policy: a telephone or face-to-face route for every form",
        -200,
        30,
        {
            "Age": (
                "Negative",
                "Medium",
                "Older residents are the least likely to be online.",
                "Contact Centre completes forms by telephone.",
            ),
            "Disability": (
                "Negative",
                "Medium",
                "Not every form works with a screen reader.",
                "Test each new form with assistive technology.",
            ),
            "Digitally excluded people": (
                "Negative",
                "High",
                "Over a quarter of residents lack internet access.",
                "Assisted completion at Community Larders and the Digital Cafe.",
            ),
            "Socio-economic disadvantage": (
                "Negative",
                "Low",
                "Cost of data and devices.",
                "Free wifi and devices in libraries.",
            ),
            "Pregnancy and maternity": ("Positive", "Low", "Online access saves journeys.", ""),
        },
        {
            "citizen-focused": ("Neutral", "Forms collect what services need, no more."),
            "positive-experience": ("Positive", "Residents can act at any hour."),
            "inclusive-access": ("Negative", "Forms alone would leave offline residents behind."),
            "right-first-time": ("Positive", "Complete forms mean fewer follow-up calls."),
        },
        [
            (
                "Test every new form with a screen reader before it goes live",
                "Digital Services Manager",
                45,
                "not_started",
            ),
        ],
    ),
    (
        "CEX-EQIA-04",
        "Comments, Complaints and Compliments system",
        "Complaints system: new system with automation and reporting",
        "Customer Feedback Manager",
        f"{PROGRESS_REPORT}: the new system lets feedback be monitored and trends tracked.",
        "Continue: record the equality profile of complainants to spot who is not heard",
        -400,
        -12,
        {
            "People for whom English is not a first language": (
                "Negative",
                "Medium",
                "The online complaint form is in English only.",
                "Complaints taken through the interpreting service.",
            ),
            "Disability": (
                "Unknown",
                None,
                "The system does not yet record disability.",
                "Add optional equality questions.",
            ),
            "Digitally excluded people": (
                "Neutral",
                None,
                "Complaints still taken by telephone and letter.",
                "",
            ),
        },
        {
            "citizen-focused": ("Positive", "Trends in feedback show which groups are let down."),
            "positive-experience": ("Neutral", "Clearer replies for everyone alike."),
            "inclusive-access": ("Unknown", "Who complains is not yet monitored."),
            "right-first-time": ("Positive", "Repeated complaints point to processes to fix."),
        },
        [
            (
                "Add optional equality questions to the complaint form",
                "Customer Feedback Manager",
                -20,
                "in_progress",
            ),
        ],
    ),
    (
        "CEX-EQIA-05",
        "Vulnerable Resident line",
        "Vulnerable Resident line: a dedicated, triaged Contact Centre line",
        "Contact Centre Manager",
        f"{PROGRESS_REPORT}: calls are triaged so residents most in need get the right support.",
        "Continue: the line advances equality for residents most in need",
        -90,
        75,
        {
            "Age": ("Positive", "Medium", "Older residents reach a trained officer first.", ""),
            "Disability": ("Positive", "Medium", "Time and support for complex needs.", ""),
            "Socio-economic disadvantage": (
                "Positive",
                "Medium",
                "Referrals to advice agencies and larders.",
                "",
            ),
            "People for whom English is not a first language": (
                "Negative",
                "Low",
                "Triage questions assume fluent English.",
                "Interpreters on the line from the first call.",
            ),
            "Carers": (
                "Positive",
                "Low",
                "Carers can call on behalf of the person they support.",
                "",
            ),
        },
        {
            "citizen-focused": ("Positive", "Callers' needs shape the triage questions."),
            "positive-experience": ("Positive", "Shorter waits for those most in need."),
            "inclusive-access": (
                "Positive",
                "A telephone route for residents who cannot go online.",
            ),
            "right-first-time": ("Positive", "Triage resolves needs at the first call."),
        },
        [],
    ),
]


def strand_impacts(implications: dict[str, tuple[str, str]]) -> list[dict]:
    return [{"strand": k, "impact": i, "note": n} for k, (i, n) in implications.items()]


def seed_registers(
    db: Database, questionnaire_id: str, actor_id: int | None, today: date | None = None
) -> None:
    """The demo risk register and strategy EqIA, linked to areas of the CEX questionnaire and
    dated around `today` (default today): risks reviewed on a cycle, a few now overdue."""
    today = today or date.today()

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    settings = risk.settings_from(DEFAULTS)
    link = questionnaire_id == QUESTIONNAIRE
    for (
        ref,
        title,
        cause,
        event,
        consequence,
        category,
        owner,
        inherent,
        current,
        target,
        earlier,
        response,
        controls,
        next_review,
        links,
    ) in RISKS:
        first = earlier or current
        # Reviewed quarterly, or half-yearly when the next review is over three months away.
        last_review = next_review - (91 if next_review <= 84 else 182)
        next_review_on = day(next_review)
        fields = {
            "ref": ref,
            "title": title,
            "cause": cause,
            "event": event,
            "consequence": consequence,
            "category": category,
            "owner": owner,
            "raised_on": day(-640 if earlier else -300),
            "inherent_likelihood": inherent[0],
            "inherent_impact": inherent[1],
            "current_likelihood": first[0],
            "current_impact": first[1],
            "target_likelihood": target[0],
            "target_impact": target[1],
            "response": response,
            "controls": controls,
            "last_review_on": day(last_review - 182 if earlier else last_review),
            "next_review_on": next_review_on,
        }
        for likelihood, impact in (inherent, current, target):
            risk.score(likelihood, impact, settings)
        risk_id = register_store.add_risk(db, fields, actor_id)
        if earlier:
            register_store.update_risk(
                db,
                risk_id,
                {
                    "current_likelihood": current[0],
                    "current_impact": current[1],
                    "last_review_on": day(last_review),
                },
                actor_id,
            )
        register_store.add_register_action(
            db,
            "risk",
            risk_id,
            {
                "what": f"Review controls for {title.lower()}",
                "owner": owner,
                "due_on": next_review_on,
                "status": "in_progress",
            },
            actor_id,
        )
        if link:
            for dimension, member in links:
                register_store.add_link(
                    db, "risk", risk_id, questionnaire_id, dimension, member, actor_id
                )
    groups = risk.eqia_groups(DEFAULTS["EQIA_LOCAL_GROUPS"])
    impacts = [
        {"group_name": g, "impact": i, "severity": s, "evidence": e, "mitigation": m}
        for g in groups
        for i, s, e, m in [EQIA_IMPACTS.get(g, ("Unknown", None, "", ""))]
    ]
    eqia_id = register_store.add_eqia(
        db,
        {
            "ref": "CEX-EQIA-01",
            "title": "Citizen Experience strategy",
            "workstream": "CEX strategy (all strands)",
            "lead_officer": "Head of Business Improvement",
            "screening_outcome": "Full assessment needed",
            "evidence": (
                "Customer Experience Strategy Engagement Summary report (2 April 2024); Citizen "
                "Experience Strategy Progress report to Cabinet (10 July 2024); Census 2021."
            ),
            "consultation": "Residents Panel, community partners, staff networks.",
            "overall_outcome": "Adjust the policy: keep non-digital routes and translated content",
            "signed_off_by": "Director of Customer and Corporate Resources",
            "signed_off_on": day(-260),
            "review_on": day(105),
        },
        impacts,
        actor_id,
        strand_impacts(STRATEGY_STRANDS) if link else None,
    )
    register_store.add_register_action(
        db,
        "eqia",
        eqia_id,
        {
            "what": "Publish translated versions of the ten most-used pages",
            "owner": "Head of Digital and Web",
            "due_on": day(120),
            "status": "not_started",
        },
        actor_id,
    )
    if link:
        for dimension, member in (
            ("value", "inclusion-respect"),
            ("readiness_area", "digital-access"),
            ("statement", "inclusion-respect-non-digital-alternatives"),
            ("statement", "inclusion-respect-translation-accessible-formats"),
        ):
            register_store.add_link(
                db, "eqia", eqia_id, questionnaire_id, dimension, member, actor_id
            )
    seed_workstream_eqias(db, groups, day, actor_id, link)
    # The demo writes its rounds before its registers: raise what their evidence calls for now.
    for round_ in store.rounds(db):
        register_store.raise_eqia_prompts_for_round(
            db, round_["id"], DEFAULTS["RISK_LOW_SCORE"], DEFAULTS["CHANGE_THRESHOLD"]
        )


def seed_workstream_eqias(db: Database, groups, day, actor_id: int | None, link: bool) -> None:
    """Each workstream's own EqIA beside the strategy's, with its actions; implications by strand
    only when the questionnaire has the CEX strands."""
    for (
        ref,
        title,
        workstream,
        lead_officer,
        evidence,
        outcome,
        signed_off,
        review,
        group_impacts,
        strands,
        actions,
    ) in WORKSTREAM_EQIAS:
        impacts = [
            {"group_name": g, "impact": i, "severity": s, "evidence": e, "mitigation": m}
            for g in groups
            for i, s, e, m in [group_impacts.get(g, NO_DIFFERENCE)]
        ]
        eqia_id = register_store.add_eqia(
            db,
            {
                "ref": ref,
                "title": title,
                "workstream": workstream,
                "lead_officer": lead_officer,
                "screening_outcome": "Full assessment needed",
                "evidence": evidence,
                "consultation": "Residents Panel, community partners, staff networks.",
                "overall_outcome": outcome,
                "signed_off_by": "Head of Business Improvement",
                "signed_off_on": day(signed_off),
                "review_on": day(review),
            },
            impacts,
            actor_id,
            strand_impacts(strands) if link else None,
        )
        for what, owner, due, status in actions:
            register_store.add_register_action(
                db,
                "eqia",
                eqia_id,
                {"what": what, "owner": owner, "due_on": day(due), "status": status},
                actor_id,
            )
