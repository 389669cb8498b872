"""Business improvement runs rounds, tracks completion, reviews and reads heatmaps."""

from __future__ import annotations

import csv
import io
import re

import pytest

from assess import store
from assess.charts import heatmap_tint
from assess.rounds.views import OVERALL_HEADING
from tests.conftest import PEOPLE, csrf_token, hidden_fields, lead_email_of, read_page

LEAD = PEOPLE["team_lead"]  # Priya, Housing Needs


@pytest.fixture
def officer(client_as):
    return client_as("business_improvement")


@pytest.fixture
def current(db):
    return store.current_round(db)


def post(client, url, data, form_page=None):
    hidden = hidden_fields(client.get(form_page or "/").get_data(as_text=True))
    return client.post(url, data={**hidden, **data})


def submitted_team(db, round_id, status="submitted"):
    return db.execute(
        "SELECT team_id, id FROM assessments WHERE round_id = ? AND status = ? ORDER BY id LIMIT 1",
        [round_id, status],
    ).fetchone()


def round_form(**fields):
    return {
        "name": "2025/26",
        "opens_day": "1",
        "opens_month": "9",
        "opens_year": "2025",
        "closes_day": "12",
        "closes_month": "12",
        "closes_year": "2025",
        **fields,
    }


def test_an_officer_creates_a_round_with_its_scope_then_opens_and_closes_it(officer, db, cex):
    page = officer.get("/rounds/new").get_data(as_text=True)
    teams = [t["id"] for t in store.active_teams(db)][:5]
    response = officer.post(
        "/rounds/new",
        data={**round_form(questionnaire=cex.version, teams=teams), "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    created = store.round_by_name(db, "2025/26")
    assert created["status"] == "planned"
    assert store.round_scope(db, created["id"]) == sorted(teams)
    tracker = read_page(officer.get(f"/rounds/{created['id']}"))
    assert "5 teams in scope" in tracker.text

    post(officer, f"/rounds/{created['id']}/status", {"status": "open"})
    assert store.round_(db, created["id"])["status"] == "open"
    post(officer, f"/rounds/{created['id']}/status", {"status": "closed"})
    assert store.round_(db, created["id"])["status"] == "closed"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"name": ""}, "Enter a name for the round"),
        ({"name": "2024/25"}, "There is already a round called 2024/25"),
        ({"closes_year": "2024"}, "The closing date must be on or after the opening date"),
        ({"opens_month": "13"}, "Enter the date the round opens"),
    ],
)
def test_a_round_with_missing_or_wrong_details_is_refused(officer, db, cex, fields, message):
    page = officer.get("/rounds/new").get_data(as_text=True)
    response = officer.post(
        "/rounds/new",
        data={
            **round_form(questionnaire=cex.version, teams=[1], **fields),
            "csrf_token": csrf_token(page),
        },
    )
    assert message in read_page(response, status=400).text
    assert store.round_by_name(db, "2025/26") is None


def test_the_tracker_counts_statuses_and_filters_by_directorate_and_status(officer, db, current):
    rows = store.completion(db, current["id"])
    page = read_page(officer.get(f"/rounds/{current['id']}"))
    assert f"{len(rows)} teams in scope" in page.text
    drafts = sum(1 for r in rows if r["status"] == "draft")
    assert f"{drafts} in progress" in page.text
    filtered = read_page(officer.get(f"/rounds/{current['id']}?directorate=Housing&status=draft"))
    expected = [r for r in rows if r["directorate"] == "Housing" and r["status"] == "draft"]
    assert f"{len(expected)} team" in filtered.text
    assert "Housing Needs" in filtered.text  # a draft in the demo
    assert "of 38 answered" in filtered.text


def test_the_outstanding_csv_lists_only_unsubmitted_teams_and_opens_in_excel(officer, db, current):
    response = officer.get(f"/rounds/{current['id']}/outstanding.csv")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    outstanding = [
        r
        for r in store.completion(db, current["id"])
        if r["status"] in ("not_started", "draft", "returned")
    ]
    assert sorted(r["Team"] for r in rows) == sorted(r["team"] for r in outstanding)
    assert {r["Status"] for r in rows} <= {"Not started", "In progress", "Returned"}


def test_csv_cells_that_would_run_as_formulas_are_neutralised(officer, db, current):
    team_id = db.execute(
        "SELECT team_id FROM assessments WHERE round_id = ? AND status = 'draft'", [current["id"]]
    ).fetchone()[0]
    db.execute("UPDATE teams SET name = '=HYPERLINK(\"http://evil\")' WHERE id = ?", [team_id])
    body = officer.get(f"/rounds/{current['id']}/outstanding.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_return_resubmit_and_sign_off_keep_the_whole_history(client_as, officer, db, current):
    team_id, assessment_id = submitted_team(db, current["id"])
    review_url = f"/rounds/{current['id']}/teams/{team_id}"
    refused = post(officer, review_url + "/return", {"comment": ""}, review_url)
    assert "Say what the team should change" in read_page(refused, status=400).text
    post(officer, review_url + "/return", {"comment": "Add evidence for One Team."}, review_url)
    assert store.assessment(db, assessment_id)["status"] == "returned"

    lead = client_as("team_lead", email=lead_email_of(db, team_id))
    tasks = read_page(lead.get(f"/teams/{team_id}/rounds/{current['id']}/"))
    assert "returned your assessment for changes" in tasks.text
    assert "Add evidence for One Team." in tasks.text
    check_url = f"/teams/{team_id}/rounds/{current['id']}/check"
    resubmitted = post(lead, check_url, {"confirm": "y"}, check_url)
    assert resubmitted.status_code == 302
    assert store.assessment(db, assessment_id)["status"] == "submitted"

    post(officer, review_url + "/sign-off", {}, review_url)
    assert store.assessment(db, assessment_id)["status"] == "signed_off"
    history = [h["action"] for h in store.review_history(db, assessment_id)]
    assert history[-4:] == ["submitted", "returned", "submitted", "signed_off"]
    page = read_page(officer.get(review_url))
    assert "Returned by Sam Okafor" in page.text and "Add evidence for One Team." in page.text


def test_moderation_keeps_the_teams_level_and_rescored_results_say_so(
    app, officer, db, current, cex
):
    team_id, assessment_id = submitted_team(db, current["id"])
    answer = next(a for a in store.answers_of(db, assessment_id) if a["level"])
    url = f"/rounds/{current['id']}/teams/{team_id}/moderate/{answer['statement_key']}"
    refused = post(officer, url, {"level": "1", "reason": ""}, url)
    assert "Give a reason for the moderated level" in read_page(refused, status=400).text

    before = {(s["dimension"], s["member"]): s["score"] for s in store.scores_of(db, assessment_id)}
    new_level = 1 if answer["level"] > 1 else 5
    saved = post(officer, url, {"level": str(new_level), "reason": "No evidence of this."}, url)
    key = answer["statement_key"]
    assert saved.location.endswith(f"?moderated={key}#{key}"), "it lands on the statement"
    row = officer.get(saved.location).get_data(as_text=True).split(f'id="{key}"', 1)[1]
    assert "Moderation saved: scores recomputed" in row.split("</tr>", 1)[0]
    moderated = next(
        a
        for a in store.answers_of(db, assessment_id)
        if a["statement_key"] == answer["statement_key"]
    )
    assert (moderated["level"], moderated["moderated_level"]) == (answer["level"], new_level)
    after = {(s["dimension"], s["member"]): s["score"] for s in store.scores_of(db, assessment_id)}
    value = cex.statement(answer["statement_key"]).tags["value"]
    assert after[("value", value)] != before[("value", value)]
    results = read_page(officer.get(f"/teams/{team_id}/rounds/{current['id']}/results"))
    assert "Moderated by business improvement" in results.text


def test_the_heatmap_counts_signed_off_assessments_unless_asked_for_submitted(officer, db, current):
    signed_off = db.execute(
        "SELECT t.name FROM assessments a JOIN teams t ON t.id = a.team_id "
        "WHERE a.round_id = ? AND a.status = 'signed_off'",
        [current["id"]],
    ).fetchall()
    submitted = db.execute(
        "SELECT t.name FROM assessments a JOIN teams t ON t.id = a.team_id "
        "WHERE a.round_id = ? AND a.status = 'submitted'",
        [current["id"]],
    ).fetchall()
    page = read_page(officer.get(f"/rounds/{current['id']}/heatmap/value"))
    assert "Signed-off assessments only" in page.text
    assert all(name in page.text for (name,) in signed_off)
    assert not any(f"{name} Submitted" in page.text for (name,) in submitted)
    assert "Council average" in page.text
    both = read_page(officer.get(f"/rounds/{current['id']}/heatmap/value?include=submitted"))
    assert all(f"{name} Submitted" in both.text for (name,) in submitted)


def test_the_heatmap_links_each_team_to_its_results_and_each_value_to_its_statements(
    officer, current
):
    page = read_page(officer.get(f"/rounds/{current['id']}/heatmap/value"))
    assert any(f"/rounds/{current['id']}/results" in link for link in page.links)
    drill = next(link for link in page.links if link.endswith("/statements"))
    statements = read_page(officer.get(drill))
    assert statements.h1[0].endswith("statements by team, 2024/25")
    assert "S1" in statements.text and "Council average" in statements.text


@pytest.mark.parametrize(
    "path", ["/heatmap/value", "/heatmap/readiness_area", "/heatmap/value/one-team/statements"]
)
def test_the_heatmap_is_a_table_whose_only_link_in_each_row_is_the_team_to_its_results(
    officer, db, current, path
):
    response = officer.get(f"/rounds/{current['id']}{path}")
    read_page(response)
    html = response.get_data(as_text=True)
    assert "<svg" not in html  # the picture is a download; the page draws a table
    region = re.search(
        r'<div class="app-heatmap" role="region" aria-label="[^"]+" tabindex="0">(.*?)</div>',
        html,
        re.S,
    )
    assert region, "the table scrolls inside its own labelled, focusable region"
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th>', region.group(1), re.S)
    links = [re.findall(r'href="([^"]*)"', row) for row in rows]
    teams = {
        r["team_id"] for r in store.round_scores(db, current["id"], ("signed_off",), ("overall",))
    }
    assert len([found for found in links if found]) == len(teams)
    assert all(len(found) <= 1 for found in links)  # the team name; no cell is a link
    assert all(
        re.fullmatch(rf"/teams/\d+/rounds/{current['id']}/results", href)
        for found in links
        for href in found
    )
    assert len(re.findall(r"<a\b", region.group(1))) == len(teams)


def test_each_heatmap_cell_prints_its_figure_on_the_tint_of_its_level(officer, current):
    html = officer.get(f"/rounds/{current['id']}/heatmap/value").get_data(as_text=True)
    cells = re.findall(r'app-heatmap__cell--tint-(\d)">(?:<strong>)?([\d.]+)<', html)
    assert cells
    for tint, figure in cells:  # colour is never the only cue: the figure is printed too
        assert int(tint) == heatmap_tint(float(figure), (1, 2, 3, 4, 5))


def test_the_heatmap_groups_teams_under_their_directorate(officer, db, current):
    html = officer.get(f"/rounds/{current['id']}/heatmap/value").get_data(as_text=True)
    groups = re.findall(
        r'<th scope="rowgroup"[^>]*><span class="app-heatmap__directorate-name">([^<]+)', html
    )
    rows = store.round_scores(db, current["id"], ("signed_off",), ("overall",))
    assert [g.strip() for g in groups] == [*sorted({r["directorate"] for r in rows}), "Averages"]


def test_the_heatmap_downloads_as_csv_svg_and_png(officer, current, chart_renderer):
    base = f"/rounds/{current['id']}/heatmap/readiness_area"
    body = officer.get(base + ".csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert header[:3] == ["Directorate", "Team", "Status"] and OVERALL_HEADING in header
    svg = officer.get(base + ".svg").data
    assert svg.lstrip().startswith(b"<svg")
    assert b"<a " not in svg  # a picture for a report links nowhere
    assert officer.get(base + ".png").data.startswith(b"\x89PNG")


def test_a_directorate_resting_on_too_few_teams_is_flagged(app, officer, current):
    app.config["SMALL_GROUP_TEAMS"] = 50
    page = read_page(officer.get(f"/rounds/{current['id']}/heatmap/value?include=submitted"))
    assert "too few for a directorate figure" in page.text


BI_ROUTES = [
    "/rounds/",
    "/rounds/new",
    "/rounds/{round}",
    "/rounds/{round}/outstanding.csv",
    "/rounds/{round}/heatmap/value",
    "/rounds/{round}/heatmap/value.csv",
    "/rounds/{round}/heatmap/value/one-team/statements",
    "/rounds/{round}/teams/{team}",
]


@pytest.mark.parametrize("route", BI_ROUTES)
def test_team_leads_are_refused_every_business_improvement_page(client_as, db, current, route):
    lead = client_as("team_lead")
    team_id, _ = submitted_team(db, current["id"])
    url = route.format(round=current["id"], team=team_id)
    assert lead.get(url).status_code == 403


@pytest.mark.parametrize(
    "route, data",
    [
        ("/rounds/new", round_form()),
        ("/rounds/{round}/status", {"status": "closed"}),
        ("/rounds/{round}/teams/{team}/return", {"comment": "No."}),
        ("/rounds/{round}/teams/{team}/sign-off", {}),
    ],
)
@pytest.mark.parametrize("role", ["auditor", "team_lead"])
def test_auditors_and_team_leads_cannot_change_rounds_or_reviews(
    client_as, db, current, route, data, role
):
    client = client_as(role)
    team_id, assessment_id = submitted_team(db, current["id"])
    before = (
        store.round_(db, current["id"])["status"],
        store.assessment(db, assessment_id)["status"],
    )
    response = post(client, route.format(round=current["id"], team=team_id), data)
    assert response.status_code == 403
    assert (
        store.round_(db, current["id"])["status"],
        store.assessment(db, assessment_id)["status"],
    ) == before


def test_an_auditor_reads_the_tracker_but_sees_no_buttons_to_change_it(client_as, current):
    auditor = client_as("auditor")
    page = read_page(auditor.get(f"/rounds/{current['id']}"))
    assert "Close this round" not in page.text and "Create a round" not in page.text


def test_reminders_go_to_outstanding_teams_leads_and_escalate_after_two(
    app, officer, db, current, smtp_server
):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
    directorate_id = db.execute(
        "SELECT directorate_id FROM teams WHERE id = ?", [team_id]
    ).fetchone()[0]
    head = store.user_by_email(db, "dana.whitfield@council.example")
    store.set_directorate_lead(db, directorate_id, head["id"], None)
    url = f"/rounds/{current['id']}/teams/{team_id}/remind"
    for _ in range(3):
        assert post(officer, url, {}, f"/rounds/{current['id']}").status_code == 302
    recipients = [m["To"] for m in smtp_server.messages]
    assert recipients[:2] == [LEAD, LEAD]
    assert recipients[2] == f"{LEAD}, dana.whitfield@council.example"
    assert "Housing Needs's assessment for 2024/25" in smtp_server.messages[0]["Subject"]
    assert store.reminders_sent(db, current["id"])[team_id] == 3
    page = read_page(officer.get(f"/rounds/{current['id']}?directorate=Housing"))
    assert "Priya Shah 3" in page.text  # the team lead, then the reminder count


def test_remind_all_reaches_every_outstanding_team_and_logs_without_smtp(officer, db, current):
    response = post(officer, f"/rounds/{current['id']}/reminders", {}, f"/rounds/{current['id']}")
    outstanding = [
        r
        for r in store.completion(db, current["id"])
        if r["status"] in ("not_started", "draft", "returned") and r["lead_emails"]
    ]
    assert response.status_code == 302
    sent = store.reminders_sent(db, current["id"])
    assert set(sent) == {r["team_id"] for r in outstanding}
    deliveries = {r[0] for r in db.execute("SELECT DISTINCT delivery FROM reminders")}
    assert deliveries == {"log"}
    submitted = [r for r in store.completion(db, current["id"]) if r["status"] == "submitted"]
    assert not any(r["team_id"] in sent for r in submitted)


def test_calibration_shows_where_teams_rate_themselves_higher_than_moderated(
    officer, db, current, cex
):
    team_id, assessment_id = submitted_team(db, current["id"])
    answer = next(a for a in store.answers_of(db, assessment_id) if a["level"] and a["level"] > 1)
    url = f"/rounds/{current['id']}/teams/{team_id}/moderate/{answer['statement_key']}"
    post(officer, url, {"level": str(answer["level"] - 1), "reason": "Evidence is thin."}, url)
    page = read_page(officer.get(f"/rounds/{current['id']}/calibration"))
    assert cex.statement(answer["statement_key"]).text in page.text
    assert "Reason: Evidence is thin." in page.text
    assert "rates itself higher by 1.0" in page.text


def test_moderation_of_a_closed_round_is_refused_and_its_published_figures_stay(
    officer, db, current
):
    closed = next(r for r in store.rounds(db) if r["status"] == "closed")
    team_id, assessment_id = submitted_team(db, closed["id"], "signed_off")
    answer = next(a for a in store.answers_of(db, assessment_id) if a["level"])
    url = f"/rounds/{closed['id']}/teams/{team_id}/moderate/{answer['statement_key']}"
    review = officer.get(f"/rounds/{closed['id']}/teams/{team_id}").get_data(as_text=True)
    assert "/moderate/" not in review  # nothing offers what would be refused

    before = store.scores_of(db, assessment_id)
    events = db.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    page = read_page(officer.get(url))
    assert "cannot be moderated" in page.text and "Save moderation" not in page.text
    refused = post(officer, url, {"level": "1", "reason": "Too generous."}, url)
    assert "levels in it cannot be moderated" in read_page(refused, status=409).text
    assert store.scores_of(db, assessment_id) == before
    assert db.execute("SELECT count(*) FROM audit_events").fetchone()[0] == events


def test_the_store_refuses_to_moderate_a_closed_round_whoever_asks(db):
    closed = next(r for r in store.rounds(db) if r["status"] == "closed")
    _, assessment_id = submitted_team(db, closed["id"], "signed_off")
    answer = next(a for a in store.answers_of(db, assessment_id) if a["level"])
    with pytest.raises(store.Locked, match="round is closed"):
        store.moderate(db, assessment_id, answer["statement_key"], 1, "reason", None, list)


def test_closing_a_round_asks_first_saying_what_it_does_and_changes_nothing(officer, db, current):
    url = f"/rounds/{current['id']}/status?status=closed"
    page = read_page(officer.get(url))
    assert page.h1 == [f"Close round {current['name']}?"]
    assert "Team leads can no longer change or submit their assessments" in page.text
    assert "have not submitted: their drafts stay as drafts" in page.text
    assert store.round_(db, current["id"])["status"] == "open"
    tracker = officer.get(f"/rounds/{current['id']}").get_data(as_text=True)
    assert f'href="/rounds/{current["id"]}/status?status=closed"' in tracker
    assert 'action="/rounds/' + str(current["id"]) + '/status"' not in tracker


def test_a_closed_round_can_be_reopened_and_the_audit_trail_says_so(officer, db, current):
    post(officer, f"/rounds/{current['id']}/status", {"status": "closed"})
    tracker = read_page(officer.get(f"/rounds/{current['id']}"))
    assert "Reopen this round" in tracker.text
    page = read_page(officer.get(f"/rounds/{current['id']}/status?status=open"))
    assert page.h1 == [f"Reopen round {current['name']}?"]
    post(officer, f"/rounds/{current['id']}/status", {"status": "open"})
    assert store.round_(db, current["id"])["status"] == "open"
    events = db.execute(
        """SELECT before, after FROM audit_events WHERE entity = 'round' AND entity_id = ?
           AND action = 'set_status' ORDER BY id DESC LIMIT 2""",
        [str(current["id"])],
    ).fetchall()
    assert events == [
        ('{"status": "closed"}', '{"status": "open"}'),
        ('{"status": "open"}', '{"status": "closed"}'),
    ]


def test_a_round_cannot_go_back_to_planned(officer, current):
    response = officer.get(f"/rounds/{current['id']}/status?status=planned")
    assert response.status_code == 400


def test_signing_off_asks_first_and_only_for_a_submitted_assessment(officer, db, current):
    team_id = db.execute(
        "SELECT team_id FROM assessments WHERE round_id = ? AND status = 'submitted'",
        [current["id"]],
    ).fetchone()[0]
    url = f"/rounds/{current['id']}/teams/{team_id}/sign-off"
    page = read_page(officer.get(url))
    assert page.h1[0].startswith("Sign off ") and page.h1[0].endswith("’s assessment?")
    assert "count in the council’s published figures" in page.text
    assert store.find_assessment(db, team_id, current["id"])["status"] == "submitted"
    post(officer, url, {}, url)
    assert store.find_assessment(db, team_id, current["id"])["status"] == "signed_off"
    again = read_page(officer.get(url), 409)
    assert "Only a submitted assessment can be signed off; this one is signed off." in again.text
