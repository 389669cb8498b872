"""The home page: every assessment waiting for a team lead, in every open round their team is in,
newest round first, and the results of every round their team has submitted."""

from __future__ import annotations

import re

import pytest

from assess import store
from assess.assessment.scoring import score_assessment
from tests.conftest import csrf_token, read_page, sign_in_as

PRIYA = "priya.shah@council.example"  # Housing Needs: a draft in 2024/25, earlier rounds signed off
TOM = "tom.reed@council.example"  # Taxi Licensing and Parking Services

# A link to a team's page, and the GOV.UK tag that follows it before any other link.
ENTRY = re.compile(
    r'<a [^>]*href="(/teams/[^"]+)"[^>]*>\s*([^<]+?)\s*</a>'
    r'(?:(?!<a ).)*?<strong class="govuk-tag[^"]*">\s*([^<]+?)\s*</strong>',
    re.S,
)


def home_as(app, db, email: str):
    """The home page as the user reads it, and its (link text, status) entries in page order."""
    client = app.test_client()
    sign_in_as(client, store.user_by_email(db, email)["id"])
    response = client.get("/")
    page = read_page(response)
    entries = ENTRY.findall(response.get_data(as_text=True))
    return client, page, [(text, status) for _, text, status in entries], entries


def new_round(db, cex, name="2025/26", status="open", team_ids=None) -> int:
    return store.create_round(
        db, name, cex.version, "2025-04-01", "2026-03-31", status, team_ids=team_ids
    )


def submit(db, cex, team_id: int, round_id: int) -> int:
    """The team's assessment, every statement answered, submitted."""
    lead = store.user_by_email(db, PRIYA)["id"]
    assessment_id = store.start_assessment(db, team_id, round_id, lead)
    store.save_answers(
        db, assessment_id, [{"statement_key": s.key, "level": 3} for s in cex.statements], lead
    )
    store.submit_assessment(
        db,
        assessment_id,
        lead,
        lambda rows: score_assessment(cex, store.as_scoring_answers(rows)),
    )
    return assessment_id


@pytest.fixture
def housing(db) -> int:
    return store.team_id_by_name(db, "Housing Needs")


def test_a_new_round_does_not_hide_the_unfinished_assessment_of_an_earlier_open_round(app, db, cex):
    new_round(db, cex)
    _, page, entries, _ = home_as(app, db, PRIYA)
    assert entries[:2] == [
        ("Housing Needs: 2025/26 assessment", "Not started"),
        ("Housing Needs: 2024/25 assessment", "In progress"),
    ]
    assert "The 2024/25 round closes on 13 December 2024." in page.text


def test_a_returned_assessment_of_an_earlier_open_round_waits_on_the_home_page(
    app, db, cex, housing
):
    current = store.current_round(db)
    assessment_id = submit(db, cex, housing, current["id"])
    officer = store.user_by_email(db, "sam.okafor@council.example")["id"]
    store.return_assessment(db, assessment_id, "Add evidence for One Team.", officer)
    new_round(db, cex)
    client, _, entries, links = home_as(app, db, PRIYA)
    assert entries[:2] == [
        ("Housing Needs: 2025/26 assessment", "Not started"),
        ("Housing Needs: 2024/25 assessment", "Returned for changes"),
    ]
    tasks = read_page(client.get(links[1][0]))
    assert "returned your assessment for changes" in tasks.text


def test_a_lead_of_two_teams_sees_each_teams_assessment_by_name(app, db, cex):
    new_round(db, cex)
    _, _, entries, _ = home_as(app, db, TOM)
    waiting = [text for text, status in entries if text.endswith("assessment")]
    assert waiting[:2] == [
        "Parking Services: 2025/26 assessment",
        "Taxi Licensing: 2025/26 assessment",
    ]
    assert [text.split(": ")[1] for text in waiting[2:]] == ["2024/25 assessment"] * len(
        waiting[2:]
    )


def test_rounds_not_open_or_not_for_the_team_are_not_listed(app, db, cex, housing):
    others = [t["id"] for t in store.active_teams(db) if t["id"] != housing]
    new_round(db, cex, "2025/26", "open", team_ids=others)
    new_round(db, cex, "2026/27", "planned")
    _, page, entries, _ = home_as(app, db, PRIYA)
    assert [text for text, _ in entries if text.endswith("assessment")] == [
        "Housing Needs: 2024/25 assessment"
    ]
    assert "2025/26" not in page.text and "2026/27" not in page.text


def test_results_of_every_round_the_team_submitted_are_linked_newest_first(app, db, cex, housing):
    submit(db, cex, housing, store.current_round(db)["id"])
    client, page, entries, links = home_as(app, db, PRIYA)
    assert entries == [
        ("Housing Needs: 2024/25 results", "Submitted"),
        ("Housing Needs: 2023/24 results", "Signed off"),
        ("Housing Needs: 2022/23 results", "Signed off"),
    ]
    assert "No assessment is waiting for your teams" in page.text
    for href, text, _ in links:
        assert read_page(client.get(href)).h1 == [
            f"Results for Housing Needs, {text.split(': ')[1].removesuffix(' results')}"
        ]


def test_someone_without_a_team_sees_no_assessments(app, db):
    _, page, entries, _ = home_as(app, db, "sam.okafor@council.example")
    assert entries == []
    assert "Your teams’ assessments" not in page.text


def test_business_improvement_sees_the_work_waiting_for_them(client_as, db):
    officer = client_as("business_improvement")
    round_ = store.current_round(db)
    submitted = db.execute(
        "SELECT count(*) FROM assessments WHERE round_id = ? AND status = 'submitted'",
        [round_["id"]],
    ).fetchone()[0]
    html = officer.get("/").get_data(as_text=True)
    assert "Waiting for you" in html
    assert f"Review submitted assessments ({round_['name']})" in html
    assert f"{submitted} waiting" in html
    assert f'href="/rounds/{round_["id"]}?status=submitted"' in html
    assert "Choose owners for proposed risks" in html
    assert "Review equality impact assessments prompted by low scores" in html


def test_teams_still_to_submit_after_a_round_closes_are_overdue(client_as, db):
    officer = client_as("business_improvement")
    round_ = store.current_round(db)
    outstanding = db.execute(
        """SELECT count(*) FROM round_teams rt LEFT JOIN assessments a
           ON a.round_id = rt.round_id AND a.team_id = rt.team_id
           WHERE rt.round_id = ? AND coalesce(a.status, 'not_started')
             IN ('not_started', 'draft', 'returned')""",
        [round_["id"]],
    ).fetchone()[0]
    assert outstanding
    db.execute("UPDATE rounds SET closes_on = '2999-01-01' WHERE id = ?", [round_["id"]])
    assert "Chase teams that have not submitted" not in officer.get("/").get_data(as_text=True)
    db.execute(
        "UPDATE rounds SET opens_on = '1999-01-01', closes_on = '2000-01-01' WHERE id = ?",
        [round_["id"]],
    )
    html = officer.get("/").get_data(as_text=True)
    assert f"Chase teams that have not submitted ({round_['name']})" in html
    assert f"{outstanding} overdue" in html


def test_team_leads_and_auditors_have_no_work_list(client_as):
    for role in ("team_lead", "auditor"):
        assert "Waiting for you" not in client_as(role).get("/").get_data(as_text=True)


def test_questionnaires_are_named_by_date_and_only_council_roles_see_the_hash(client_as, cex):
    lead = client_as("team_lead").get("/").get_data(as_text=True)
    officer = client_as("business_improvement").get("/").get_data(as_text=True)
    assert re.search(r"the version of \d{1,2} \w+ \d{4}", lead)
    assert cex.short_version not in lead
    assert cex.short_version in officer


def test_a_proposed_risk_without_an_owner_waits_on_business_improvements_home(client_as, db):
    officer = client_as("business_improvement")
    assert "Choose owners for proposed risks" in officer.get("/").get_data(as_text=True)
    round_ = store.current_round(db)
    page = officer.get(
        f"/registers/risks/propose?target=readiness_area:customer-insight&round_id={round_['id']}"
    ).get_data(as_text=True)
    officer.post(
        "/registers/risks/propose",
        data={
            "csrf_token": csrf_token(page),
            "target": "readiness_area:customer-insight",
            "round_id": round_["id"],
        },
    )
    html = officer.get("/").get_data(as_text=True)
    task = html.split("Choose owners for proposed risks", 1)[1].split("</li>", 1)[0]
    assert "1 waiting" in task
