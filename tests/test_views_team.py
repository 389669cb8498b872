"""A team lead's journey through the test client: what the pages say and what is saved."""

from __future__ import annotations

import re

import pytest

from assess import store
from assess.assessment.scoring import council_average
from tests.conftest import add_colleague, csrf_token, hidden_fields, read_page

TOM = "tom.reed@council.example"  # team lead of Taxi Licensing and Parking Services


@pytest.fixture
def journey(client, client_as, db):
    """Priya (Housing Needs: a draft with two sections done) signed in, with the URLs of her
    team's current assessment."""
    client_as("team_lead", client=client)
    round_ = store.current_round(db)
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
    base = f"/teams/{team_id}/rounds/{round_['id']}"
    return {"base": base, "team_id": team_id, "round_id": round_["id"]}


def section_post(client, url, answers: dict, action="continue"):
    hidden = hidden_fields(client.get(url).get_data(as_text=True))
    return client.post(url, data={**hidden, **answers, "action": action})


def all_levels(cex, section, level="3"):
    return {f"{s.key}-level": level for s in cex.statements_in("value", section)}


def saved(db, journey):
    assessment = store.find_assessment(db, journey["team_id"], journey["round_id"])
    return {a["statement_key"]: a for a in store.answers_of(db, assessment["id"])}


def test_the_task_list_shows_each_value_with_its_status(client, journey):
    page = read_page(client.get(journey["base"] + "/"))
    assert page.h1 == ["Your team’s assessment for 2024/25"]
    assert "2 of 5 sections completed" in page.text
    assert "One Team 8 of 8 statements answered Completed" in page.text
    assert "Service Excellence 0 of 8 statements answered Not started" in page.text
    assert "Check and submit Cannot start yet" in page.text


def test_save_and_continue_saves_and_moves_to_the_next_value(client, db, journey, cex):
    url = journey["base"] + "/sections/service-excellence"
    answers = all_levels(cex, "service-excellence", "4")
    key = cex.statements_in("value", "service-excellence")[0].key
    answers[f"{key}-evidence"] = "Monthly first-contact report"
    response = section_post(client, url, answers)
    assert response.headers["Location"].endswith("/sections/stepping-up")
    row = saved(db, journey)[key]
    assert (row["level"], row["evidence"]) == (4, "Monthly first-contact report")


def test_save_and_come_back_later_keeps_a_half_finished_section(client, db, journey, cex):
    url = journey["base"] + "/sections/stepping-up"
    first = cex.statements_in("value", "stepping-up")[0].key
    response = section_post(client, url, {f"{first}-level": "2"}, action="later")
    assert response.headers["Location"].endswith(journey["base"] + "/")
    page = read_page(client.get(journey["base"] + "/"))
    assert "Your answers have been saved" in page.text
    assert "Stepping Up 1 of 7 statements answered In progress" in page.text
    assert "Continue where you left off: Stepping Up" in page.text
    assert saved(db, journey)[first]["level"] == 2


def test_coming_back_after_the_session_expired_resumes_where_the_lead_stopped(
    app, client, client_as, journey, cex
):
    first = cex.statements_in("value", "stepping-up")[0].key
    section_post(
        client, journey["base"] + "/sections/stepping-up", {f"{first}-level": "5"}, "later"
    )
    fresh = app.test_client()  # a new browser session, as after expiry
    assert fresh.get(journey["base"] + "/").status_code == 302
    client_as("team_lead", client=fresh)
    page = read_page(fresh.get(journey["base"] + "/sections/stepping-up"))
    assert f'name="{first}-level" type="radio" value="5" checked' in fresh.get(
        journey["base"] + "/sections/stepping-up"
    ).get_data(as_text=True)
    assert page.h1 == ["Stepping Up"]


def test_missing_answers_show_the_error_summary_and_keep_what_was_typed(client, db, journey, cex):
    url = journey["base"] + "/sections/amazing-outcomes"
    statements = cex.statements_in("value", "amazing-outcomes")
    answers = {f"{statements[0].key}-level": "3", f"{statements[1].key}-evidence": "KPI dashboard"}
    response = section_post(client, url, answers)
    page = read_page(response, status=400)
    html = response.get_data(as_text=True)
    assert page.title.startswith("Error: Amazing Outcomes")
    assert "There is a problem" in page.text
    assert f'href="#{statements[1].key}-level"' in html
    assert "KPI dashboard" in html  # kept on screen
    assert saved(db, journey)[statements[1].key]["evidence"] == "KPI dashboard"  # and saved


def test_not_applicable_needs_a_reason(client, db, journey, cex):
    url = journey["base"] + "/sections/service-excellence"
    statements = cex.statements_in("value", "service-excellence")
    answers = all_levels(cex, "service-excellence")
    answers[f"{statements[0].key}-level"] = "na"
    response = section_post(client, url, answers)
    assert response.status_code == 400
    assert "Say why statement" in read_page(response, 400).text
    assert statements[0].key not in saved(db, journey)  # nothing to keep: no level, no text

    answers[f"{statements[0].key}-na-reason"] = "We have no face-to-face contact."
    assert section_post(client, url, answers).status_code == 302
    row = saved(db, journey)[statements[0].key]
    assert (row["not_applicable"], row["level"]) == (1, None)


def test_a_level_outside_the_scale_is_refused_clearly(client, journey, cex):
    url = journey["base"] + "/sections/service-excellence"
    answers = all_levels(cex, "service-excellence")
    first = cex.statements_in("value", "service-excellence")[0].key
    answers[f"{first}-level"] = "9"
    response = section_post(client, url, answers)
    assert "Select one of the levels shown for statement" in read_page(response, 400).text


def complete_remaining(client, journey, cex):
    for value in ("service-excellence", "stepping-up", "amazing-outcomes"):
        response = section_post(
            client, f"{journey['base']}/sections/{value}", all_levels(cex, value, "3")
        )
        assert response.status_code == 302


def submit(client, journey, confirm=True):
    url = journey["base"] + "/check"
    hidden = hidden_fields(client.get(url).get_data(as_text=True))
    return client.post(url, data={**hidden, **({"confirm": "y"} if confirm else {})})


def test_check_your_answers_lists_every_answer_with_change_links(client, journey, cex):
    complete_remaining(client, journey, cex)
    response = client.get(journey["base"] + "/check")
    page = read_page(response)
    assert page.h1 == ["Check your answers before you submit"]
    for statement in cex.statements:
        assert statement.text in page.text
    change = [link for link in page.links if "return=check" in link]
    assert len(change) == len(cex.statements)
    assert change[0].endswith(f"#{cex.statements[0].key}-level")


def test_a_change_from_check_your_answers_returns_to_it(client, journey, cex):
    complete_remaining(client, journey, cex)
    url = journey["base"] + "/sections/stepping-up?return=check"
    response = section_post(client, url, all_levels(cex, "stepping-up", "2"))
    assert response.headers["Location"].endswith("/check")


def test_submitting_asks_for_confirmation_then_locks_and_gives_a_reference(
    client, db, journey, cex
):
    complete_remaining(client, journey, cex)
    refused = submit(client, journey, confirm=False)
    assert "Confirm that the answers are a fair picture" in read_page(refused, 400).text

    response = submit(client, journey)
    assert response.headers["Location"].endswith("/submitted")
    page = read_page(client.get(journey["base"] + "/submitted"))
    assessment = store.find_assessment(db, journey["team_id"], journey["round_id"])
    assert assessment["status"] == "submitted"
    assert assessment["reference"].startswith("AS-202425-")
    assert assessment["reference"] in page.text
    assert {s["rules_version"] for s in store.scores_of(db, assessment["id"])} == {"2026.1"}


def test_after_submission_a_replayed_save_is_refused_and_recorded(client, db, journey, cex):
    complete_remaining(client, journey, cex)
    url = journey["base"] + "/sections/stepping-up"
    token = csrf_token(client.get(url).get_data(as_text=True))
    submit(client, journey)
    before = saved(db, journey)

    replay = client.post(
        url, data={**all_levels(cex, "stepping-up", "5"), "csrf_token": token, "action": "continue"}
    )
    page = read_page(replay, status=409)
    assert page.h1 == ["You cannot change this assessment"]
    assert "Nothing you sent was saved." in page.text
    assert saved(db, journey) == before
    assert store.audit_events(db)[-1]["action"] == "refused_change"
    assert submit(client, journey).status_code == 409


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sections/one-team",
        "/check",
        "/submitted",
        "/results",
        "/charts/value.svg",
        "/targets",
        "/actions/new",
    ],
)
def test_another_teams_lead_finds_none_of_this_teams_pages(client_as, journey, path):
    other = client_as("team_lead", email=TOM)
    assert other.get(journey["base"] + path).status_code == 404


def test_another_teams_lead_cannot_change_this_team(client_as, db, journey, cex):
    other = client_as("team_lead", email=TOM)
    before = saved(db, journey)
    page = other.get("/sign-in").get_data(as_text=True)
    response = other.post(
        journey["base"] + "/sections/one-team",
        data={**all_levels(cex, "one-team", "5"), "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 404
    assert saved(db, journey) == before


def test_business_improvement_can_read_but_not_change_an_assessment(client_as, journey, cex):
    officer = client_as("business_improvement")
    assert read_page(officer.get(journey["base"] + "/")).h1 == [
        "Assessment of Housing Needs for 2024/25"
    ]
    results = read_page(officer.get(journey["base"] + "/results")).text
    assert "Your team" not in results and "your team" not in results
    assert officer.get(journey["base"] + "/sections/one-team").status_code == 302
    token = csrf_token(officer.get(journey["base"] + "/check").get_data(as_text=True))
    response = officer.post(
        journey["base"] + "/sections/one-team",
        data={**all_levels(cex, "one-team", "5"), "csrf_token": token},
    )
    assert response.status_code == 403


def test_results_show_charts_tables_strengths_and_gaps(client, journey, cex):
    complete_remaining(client, journey, cex)
    submit(client, journey)
    page = read_page(client.get(journey["base"] + "/results"))
    assert page.h1 == ["Results for Housing Needs, 2024/25"]
    assert "Your team scores highest on" in page.text
    assert "Corporate value Your team Council average 2023/24 Change" in page.text
    assert "no meaningful change" in page.text or "improved" in page.text or "declined" in page.text
    assert "What good looks like" in page.text
    assert any("/charts/value.svg" in link or "/charts/value.png" in link for link in page.links)
    assert "Readiness areas" in page.text


def test_a_draft_shows_a_live_preview_of_its_results(client, journey):
    page = read_page(client.get(journey["base"] + "/results"))
    assert "This is a preview" in page.text


@pytest.mark.parametrize("fmt, start", [("svg", b"<svg"), ("png", b"\x89PNG")])
def test_each_chart_downloads_as_svg_and_png(client, journey, fmt, start, chart_renderer):
    response = client.get(f"{journey['base']}/charts/readiness_area.{fmt}?download=1")
    assert response.status_code == 200
    assert response.data.lstrip().startswith(start) or start in response.data[:200]
    assert "attachment" in response.headers["Content-Disposition"]


def add_action(client, journey, statement_key, **fields):
    url = f"{journey['base']}/actions/new?statement={statement_key}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {
        "what": "Publish our service standards",
        "owner": "Team leader",
        "due_day": "31",
        "due_month": "3",
        "due_year": "2030",
        "status": "not_started",
        **fields,
    }
    return client.post(url, data={**data, "csrf_token": token})


def test_an_improvement_action_is_added_against_a_gap_and_shown(client, db, journey, cex):
    key = cex.statements[0].key
    response = add_action(client, journey, key)
    assert response.status_code == 302
    page = read_page(client.get(journey["base"] + "/results"))
    assert (
        "Publish our service standards Team leader 31 March 2030 Not started"
        in page.text.replace(f"For: {cex.statements[0].text} ", "")
    )


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"what": ""}, "Enter what you will do"),
        ({"due_day": "31", "due_month": "2"}, "must be a real date"),
        ({"due_day": "", "due_month": "", "due_year": ""}, "Enter the date the action is due"),
    ],
)
def test_an_action_with_missing_or_wrong_fields_is_refused(client, journey, cex, fields, message):
    response = add_action(client, journey, cex.statements[0].key, **fields)
    assert message in read_page(response, status=400).text


def test_an_action_can_only_be_closed_with_evidence_of_what_changed(client, db, journey, cex):
    add_action(client, journey, cex.statements[0].key)
    action_id = db.execute("SELECT max(id) FROM improvement_actions").fetchone()[0]
    url = f"{journey['base']}/actions/{action_id}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {
        "what": "Publish our service standards",
        "owner": "Team leader",
        "due_day": "31",
        "due_month": "3",
        "due_year": "2030",
        "status": "done",
        "csrf_token": token,
    }
    refused = client.post(url, data=data)
    assert "Say what changed before you mark the action done" in read_page(refused, 400).text
    assert store.action(db, action_id)["status"] == "not_started"
    done = client.post(url, data={**data, "evidence_of_change": "Standards on the website"})
    assert done.status_code == 302
    assert store.action(db, action_id)["status"] == "done"


def test_open_actions_carry_over_to_the_next_round(client, db, journey, cex):
    previous = db.execute("SELECT id FROM rounds WHERE name = '2023/24'").fetchone()[0]
    store.add_action(
        db,
        journey["team_id"],
        previous,
        cex.statements[0].key,
        "Map our partners",
        "Team leader",
        "2024-06-30",
        None,
    )
    page = read_page(client.get(journey["base"] + "/results"))
    assert "Map our partners" in page.text
    assert "carried over from 2023/24" in page.text


def test_targets_show_in_the_table_and_on_the_chart(client, journey, chart_renderer):
    url = journey["base"] + "/targets"
    token = csrf_token(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "one-team": "4", "stepping-up": "5"})
    assert response.status_code == 302
    page = read_page(client.get(journey["base"] + "/results"))
    assert "Target Gap to target" in page.text
    svg = client.get(journey["base"] + "/charts/value.svg").get_data(as_text=True)
    assert "Target" in svg


def test_the_council_average_on_results_counts_signed_off_assessments_only(client, db, journey):
    signed_off = [
        r["score"]
        for r in store.round_scores(db, journey["round_id"], ("signed_off",))
        if r["dimension"] == "overall"
    ]
    submitted = [
        r["score"]
        for r in store.round_scores(db, journey["round_id"], ("submitted",))
        if r["dimension"] == "overall"
    ]
    assert signed_off and submitted  # the demo has both, so the test can tell them apart
    expected = council_average(signed_off)
    page = read_page(client.get(journey["base"] + "/results"))
    assert (
        f"council average {expected:.2f}, from the {len(signed_off)} teams signed off" in page.text
    )


def test_the_results_page_links_to_a_printable_report_the_lead_can_open(client, db, journey):
    page = read_page(client.get(journey["base"] + "/results"))
    report = next(link for link in page.links if link.endswith("/report"))
    printable = read_page(client.get(report))
    assert "Housing Needs" in printable.h1[0]


# --- two people editing the same assessment --------------------------------------------------


@pytest.fixture
def colleague(client_as, db, journey):
    """A second team lead of Housing Needs, signed in on a browser of their own."""
    email, _ = add_colleague(db, journey["team_id"])
    return client_as("team_lead", email=email)


def opened(client, url) -> dict:
    """The hidden fields of a page as it was opened, to post later from a page gone stale."""
    return hidden_fields(client.get(url).get_data(as_text=True))


def test_a_save_from_a_page_someone_else_has_since_saved_is_refused_keeping_both_answers(
    client, colleague, db, journey, cex
):
    url = journey["base"] + "/sections/service-excellence"
    key = cex.statements_in("value", "service-excellence")[0].key
    priya_page, omar_page = opened(client, url), opened(colleague, url)
    priya = {**all_levels(cex, "service-excellence", "4"), f"{key}-evidence": "Priya's report"}
    assert client.post(url, data={**priya_page, **priya, "action": "later"}).status_code == 302

    omar = {**all_levels(cex, "service-excellence", "2"), f"{key}-evidence": "Omar's <b>notes</b>"}
    refused = colleague.post(url, data={**omar_page, **omar, "action": "later"})
    page = read_page(refused, status=409)
    assert "There is a problem" in page.text
    assert "Priya Shah changed statement 17 after you opened this page." in page.text
    assert "as Priya Shah saved it at" in page.text and "4 Embedded" in page.text
    assert "Evidence: Priya's report" in page.text
    html = refused.get_data(as_text=True)
    assert "Omar&#39;s &lt;b&gt;notes&lt;/b&gt;</textarea>" in html  # his text is kept, escaped
    assert 'value="2" checked' in html
    assert (saved(db, journey)[key]["level"], saved(db, journey)[key]["evidence"]) == (
        4,
        "Priya's report",
    )

    # Having seen Priya's answers, Omar saves again from the refused page: now his answers stand.
    again = colleague.post(url, data={**hidden_fields(html), **omar, "action": "later"})
    assert again.status_code == 302
    assert saved(db, journey)[key]["level"] == 2
    assert saved(db, journey)[key]["evidence"] == "Omar's <b>notes</b>"


def test_saves_of_different_sections_by_two_people_both_stand(client, colleague, db, journey, cex):
    first, second = (
        journey["base"] + "/sections/service-excellence",
        journey["base"] + "/sections/stepping-up",
    )
    first_page, second_page = opened(client, first), opened(colleague, second)
    ok = client.post(first, data={**first_page, **all_levels(cex, "service-excellence", "4")})
    assert ok.status_code == 302
    ok = colleague.post(second, data={**second_page, **all_levels(cex, "stepping-up", "2")})
    assert ok.status_code == 302
    levels = {k: a["level"] for k, a in saved(db, journey).items()}
    assert {levels[s.key] for s in cex.statements_in("value", "service-excellence")} == {4}
    assert {levels[s.key] for s in cex.statements_in("value", "stepping-up")} == {2}


def test_a_stale_save_that_sends_what_is_already_saved_goes_through(
    client, colleague, journey, cex
):
    url = journey["base"] + "/sections/service-excellence"
    answers = all_levels(cex, "service-excellence", "3")
    priya_page, omar_page = opened(client, url), opened(colleague, url)
    assert client.post(url, data={**priya_page, **answers}).status_code == 302
    assert colleague.post(url, data={**omar_page, **answers}).status_code == 302


def test_a_section_post_without_the_page_fingerprint_is_refused_and_saves_nothing(
    client, db, journey, cex
):
    url = journey["base"] + "/sections/service-excellence"
    before = saved(db, journey)
    page = opened(client, url)
    del page["seen"]
    response = client.post(url, data={**page, **all_levels(cex, "service-excellence", "4")})
    assert response.status_code == 400
    assert saved(db, journey) == before


def test_submitting_from_a_check_page_opened_before_a_change_is_refused(
    client, colleague, db, journey, cex
):
    complete_remaining(client, journey, cex)
    check_page = opened(client, journey["base"] + "/check")
    section_post(
        colleague, journey["base"] + "/sections/one-team", all_levels(cex, "one-team", "1")
    )
    refused = client.post(journey["base"] + "/check", data={**check_page, "confirm": "y"})
    page = read_page(refused, status=409)
    assert "Omar Haddad changed answers at" in page.text
    assert "Check the answers below again, then submit" in page.text
    assert store.find_assessment(db, journey["team_id"], journey["round_id"])["status"] == "draft"

    assert submit(client, journey).headers["Location"].endswith("/submitted")
    assessment = store.find_assessment(db, journey["team_id"], journey["round_id"])
    assert assessment["status"] == "submitted"


def test_a_save_from_the_page_that_showed_your_own_errors_is_not_stale(client, db, journey, cex):
    url = journey["base"] + "/sections/service-excellence"
    first, *rest = cex.statements_in("value", "service-excellence")
    answers = {f"{s.key}-level": "4" for s in rest}
    refused = section_post(client, url, answers)
    assert "Select a level for statement 17" in read_page(refused, status=400).text

    from_error_page = hidden_fields(refused.get_data(as_text=True))
    fixed = client.post(url, data={**from_error_page, **answers, f"{first.key}-level": "2"})
    assert fixed.headers["Location"].endswith("/sections/stepping-up")
    assert saved(db, journey)[first.key]["level"] == 2


def test_why_a_statement_does_not_apply_is_asked_only_under_not_applicable(client_as, journey):
    lead = client_as("team_lead")
    html = lead.get(journey["base"] + "/sections/one-team").get_data(as_text=True)
    boxes = dict(
        (name, hidden)
        for hidden, name in re.findall(
            r'class="govuk-radios__conditional([^"]*)" id="conditional-([^"]+)-na"', html
        )
    )
    not_applicable = {
        re.search(r'name="([^"]+)"', tag)[1]: " checked" in tag
        for tag in re.findall(r"<input[^>]*>", html)
        if 'value="na"' in tag
    }
    assert set(boxes) == set(not_applicable), "each statement's reason box is a conditional"
    for name, checked in not_applicable.items():
        assert f'data-shown-when="{name}=na"' in html
        assert (boxes[name] == "") == checked, name
    assert any(boxes.values()), "the boxes of statements not marked N/A start hidden"


def test_a_new_action_due_in_the_past_is_refused_and_an_old_one_keeps_its_date(
    client, db, journey, cex
):
    key = cex.statements[0].key
    past = add_action(client, journey, key, due_year="2020")
    assert "The date the action is due must be today or in the future" in read_page(past, 400).text
    assert add_action(client, journey, key).status_code == 302
    action_id = db.execute("SELECT max(id) FROM improvement_actions").fetchone()[0]
    db.execute("UPDATE improvement_actions SET due_on = '2020-03-31' WHERE id = ?", [action_id])
    page = read_page(client.get(journey["base"] + "/results"))
    assert "31 March 2020 Not started Overdue" in page.text
    url = f"{journey['base']}/actions/{action_id}"
    html = client.get(url).get_data(as_text=True)
    form = {**hidden_fields(html), "what": "Publish", "owner": "Team lead", "due_day": "31"}
    form |= {"due_month": "3", "due_year": "2020", "status": "in_progress"}
    assert client.post(url, data=form).status_code == 302, "its saved date may have passed"
