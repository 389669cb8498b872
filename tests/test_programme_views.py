"""The performance indicator pages through the test client, on the demo council: what they say,
what is stored and audited, and the EqIA review a group's figure short of its target prompts."""

from __future__ import annotations

import json

import pytest

from assess.store import programme as programme_store
from tests.conftest import Page, csrf_token, read_page


def post(client, url, data, page_url):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def indicator_id_of(db, ref: str) -> int:
    return db.execute("SELECT id FROM indicators WHERE ref = ?", [ref]).fetchone()[0]


def eqia_id_of(db, ref: str) -> int:
    return db.execute("SELECT id FROM eqias WHERE ref = ?", [ref]).fetchone()[0]


def events(db, entity: str) -> list[dict]:
    return list(db.query("SELECT * FROM audit_events WHERE entity = ? ORDER BY id", [entity]))


NEW = {
    "ref": "PI-20",
    "name": "Complaints answered within ten working days",
    "definition": "Stage one complaints answered in time, from the complaints system.",
    "unit": "%",
    "direction": "higher",
    "owner": "Customer Feedback Manager",
    "readiness_area": "citizen-centred-culture",
    "team": "",
    "baseline": "71",
    "baseline_period": "2022/23",
}


@pytest.fixture
def officer(client, client_as):
    return client_as("business_improvement", client=client)


def test_the_indicators_are_listed_by_readiness_area_with_latest_figure_target_and_groups(officer):
    page = read_page(officer.get("/programme/indicators"))
    assert page.h1 == ["Performance indicators"]
    text = page.text
    assert text.index("Digital access") < text.index("PI-01 Online forms submitted")
    assert "27,881 forms" in text and "Up 1,578 (6.0%) since 2022/23, better" in text
    assert "Disability: 41.3% in 2024/25 Q1, target 60.0%" in text
    assert "Carers: 63.0%" not in text  # the carers' figure meets its target
    html = officer.get("/programme/indicators").get_data(as_text=True)
    assert '<strong class="govuk-tag govuk-tag--red">Not met</strong>' in html
    assert 'class="app-table-scroll"' in html
    assert "Add a performance indicator" in text


def test_an_indicator_shows_its_figures_by_period_and_group_and_the_review_it_prompted(officer, db):
    website = indicator_id_of(db, "PI-05")
    page = read_page(officer.get(f"/programme/indicators/{website}"))
    assert page.h1 == ["PI-05: Satisfaction with the council website"]
    assert "Digital access and automation" in page.text
    assert "42.1% in 2022/23" in page.text
    assert "Up 0.8 points since 2023/24 Q4, better" in page.text  # 2024/25 Q1 for everyone
    assert "CEX-EQIA-01: Citizen Experience strategy , for Disability in 2024/25 Q1" in page.text
    assert "Waiting for review" in page.text
    assert f"/registers/eqias/{eqia_id_of(db, 'CEX-EQIA-01')}#indicator-prompts" in page.links


def test_business_improvement_adds_an_indicator_and_the_change_is_audited(officer, db):
    response = post(officer, "/programme/indicators/new", NEW, "/programme/indicators/new")
    assert response.status_code == 302
    page = read_page(officer.get(response.location))
    assert "Indicator PI-20 added." in page.text
    assert "71.0% in 2022/23" in page.text and "No figures recorded yet." in page.text
    stored = programme_store.indicator(db, indicator_id_of(db, "PI-20"))
    assert stored["team_id"] is None and stored["baseline"] == 71.0
    (event,) = [e for e in events(db, "indicator") if e["entity_id"] == str(stored["id"])]
    assert json.loads(event["after"])["ref"] == "PI-20"


def test_a_form_with_mistakes_says_what_is_wrong_keeps_what_was_typed_and_stores_nothing(
    officer, db
):
    typed = {**NEW, "name": "  ", "baseline": "seventy", "baseline_period": "2022-23"}
    typed.update(direction="sideways", readiness_area="nowhere", team="999999")
    before = db["indicators"].count
    response = post(officer, "/programme/indicators/new", typed, "/programme/indicators/new")
    page = read_page(response, 400)
    assert page.title.startswith("Error:")
    for message in (
        "Enter the indicator's name",
        "Select whether a higher or a lower figure is better",
        "Select one of the readiness areas shown",
        "Select one of the teams shown, or no team",
        "Baseline (optional): Enter a number, like 26303 or 54.8",
        'Enter the period as a financial year, like "2025/26"',
    ):
        assert message in page.text, message
    html = response.get_data(as_text=True)
    assert 'value="seventy"' in html and 'value="2022-23"' in html
    assert db["indicators"].count == before


def test_a_reference_already_used_is_refused(officer, db):
    response = post(
        officer, "/programme/indicators/new", {**NEW, "ref": "PI-01"}, "/programme/indicators/new"
    )
    assert "PI-01 is already used by another indicator" in read_page(response, 400).text


def test_a_baseline_needs_its_period(officer):
    response = post(
        officer,
        "/programme/indicators/new",
        {**NEW, "baseline_period": ""},
        "/programme/indicators/new",
    )
    assert "Enter the period the baseline is for" in read_page(response, 400).text


def test_changing_an_indicator_shows_what_was_saved_and_keeps_the_change(officer, db):
    calls = indicator_id_of(db, "PI-02")
    form = read_page(officer.get(f"/programme/indicators/{calls}/edit"))
    assert form.h1 == ["Change indicator PI-02"]
    html = officer.get(f"/programme/indicators/{calls}/edit").get_data(as_text=True)
    assert 'value="138419"' in html and 'value="2022/23"' in html
    changed = {**NEW, "ref": "PI-02", "name": "Calls to the Contact Centre", "unit": "calls"}
    changed.update(direction="lower", readiness_area="digital-access", baseline="138,419")
    response = post(
        officer, f"/programme/indicators/{calls}/edit", changed, f"/programme/indicators/{calls}"
    )
    assert response.status_code == 302
    stored = programme_store.indicator(db, calls)
    assert stored["name"] == "Calls to the Contact Centre" and stored["team_id"] is None
    assert [e["action"] for e in events(db, "indicator") if e["entity_id"] == str(calls)][-1] == (
        "update"
    )


def record(client, indicator_id, **fields):
    data = {"period": "2024/25 Q1", "group": "", "other_group": "", "value": "", "target": ""}
    return post(
        client,
        f"/programme/indicators/{indicator_id}/values",
        {**data, **fields},
        f"/programme/indicators/{indicator_id}",
    )


def test_a_groups_figure_short_of_target_prompts_a_review_of_the_linked_eqia_which_is_resolved(
    officer, db
):
    online = indicator_id_of(db, "PI-01")  # digital access, higher is better
    strategy = eqia_id_of(db, "CEX-EQIA-01")  # linked to digital access
    response = record(officer, online, period="2023/24", group="Age", value="900", target="1,200")
    assert response.status_code == 302
    page = read_page(officer.get(response.location))
    assert "It is short of its target: a review of CEX-EQIA-01 is prompted." in page.text
    (prompt,) = programme_store.indicator_prompts(db, eqia_id=strategy, indicator_id=online)
    assert prompt["reason"] == (
        "PI-01 Online forms submitted for Housing, Revenues and Benefits, Age: 900 forms in "
        "2023/24, below its target of 1,200 forms (higher is better)"
    )
    assert [e["action"] for e in events(db, "eqia_indicator_prompt")][-1] == "create"

    eqia_page = officer.get(f"/registers/eqias/{strategy}")
    text = read_page(eqia_page).text
    assert "Reviews prompted by figures by group" in text
    assert f"{prompt['reason']} , so review this assessment for Age." in text
    response = post(
        officer,
        f"/programme/prompts/{prompt['id']}",
        {"outcome": "Added assisted completion for older residents", "back": "/registers/eqias"},
        f"/registers/eqias/{strategy}",
    )
    assert response.status_code == 302 and response.location == "/registers/eqias"
    listed = read_page(officer.get("/registers/eqias")).text
    assert "Done: Added assisted completion for older residents (Sam Okafor" in listed
    assert [e["action"] for e in events(db, "eqia_indicator_prompt")][-1] == "update"


def test_a_figure_recorded_again_prompts_no_second_review(officer, db):
    online = indicator_id_of(db, "PI-01")
    for value in ("900", "950"):
        record(officer, online, period="2023/24", group="Age", value=value, target="1200")
    prompts = programme_store.indicator_prompts(db, indicator_id=online)
    assert len(prompts) == 1
    (stored,) = [v for v in programme_store.values_of(db, online) if v["group_name"] == "Age"]
    assert stored["value"] == 950


def test_a_figure_for_everyone_or_meeting_its_target_prompts_nothing(officer, db):
    online = indicator_id_of(db, "PI-01")
    record(officer, online, period="2024/25", value="20000", target="29000")
    record(officer, online, period="2024/25", group="Carers", value="1300", target="1200")
    assert programme_store.indicator_prompts(db, indicator_id=online) == []


def test_another_group_is_typed_in_and_lower_is_better_is_short_above_its_target(officer, db):
    calls = indicator_id_of(db, "PI-02")
    record(officer, calls, period="2024/25", other_group="Over 75s", value="9000", target="8000")
    (prompt,) = programme_store.indicator_prompts(db, indicator_id=calls)
    assert prompt["group_name"] == "Over 75s"
    assert "above its target of 8,000 calls (lower is better)" in prompt["reason"]


def test_a_figure_with_mistakes_is_refused_with_the_page_and_what_was_typed(officer, db):
    online = indicator_id_of(db, "PI-01")
    before = db["indicator_values"].count
    response = record(
        officer, online, period="Q1 2024", group="Age", other_group="Over 75s", value="lots"
    )
    page = read_page(response, 400)
    assert "Enter the period as a financial year" in page.text
    assert "Choose a group from the list or type another, not both" in page.text
    assert "Figure: Enter a number" in page.text
    html = response.get_data(as_text=True)
    assert 'value="Q1 2024"' in html and 'value="lots"' in html
    assert db["indicator_values"].count == before


def test_moving_an_indicator_to_an_area_with_a_linked_eqia_prompts_its_review(officer, db):
    telephone = indicator_id_of(db, "PI-04")  # citizen-centred culture: no EqIA linked there
    record(officer, telephone, period="2024/25 Q1", group="Disability", value="80", target="85")
    assert programme_store.indicator_prompts(db, indicator_id=telephone) == []
    stored = programme_store.indicator(db, telephone)
    raised = programme_store.update_indicator(
        db, telephone, {"readiness_area": "digital-access"}, stored["created_by"]
    )
    assert raised == ["CEX-EQIA-01"]


def test_a_resolution_needs_words_and_an_unknown_prompt_is_not_found(officer, db):
    (prompt,) = programme_store.indicator_prompts(db)
    page = f"/registers/eqias/{prompt['eqia_id']}"
    response = post(officer, f"/programme/prompts/{prompt['id']}", {"outcome": " "}, page)
    assert response.status_code == 302
    assert "Say what was done" in Page(officer.get(page).get_data(as_text=True)).text
    assert programme_store.indicator_prompts(db)[0]["resolved_at"] is None
    response = post(officer, "/programme/prompts/999999", {"outcome": "Done"}, page)
    assert response.status_code == 404


def test_an_auditor_reads_the_indicators_but_is_offered_no_form(client_as, db):
    auditor = client_as("auditor")
    website = indicator_id_of(db, "PI-05")
    page = read_page(auditor.get(f"/programme/indicators/{website}"))
    assert "Record a figure" not in page.text and "Change this indicator" not in page.text
    assert "Add a performance indicator" not in read_page(auditor.get("/programme/indicators")).text
    eqia = read_page(auditor.get(f"/registers/eqias/{eqia_id_of(db, 'CEX-EQIA-01')}")).text
    assert "Reviews prompted by figures by group" in eqia and "Not yet reviewed." in eqia


def test_the_programme_is_in_the_navigation_of_council_wide_readers_only(client_as, db):
    assert "/programme/indicators" in read_page(client_as("auditor").get("/")).links
    lead = client_as("team_lead")
    assert "/programme/indicators" not in read_page(lead.get("/")).links
    assert lead.get("/programme/indicators").status_code == 403
    # The strategy's EqIA is on Priya's results page, so she reads it: but not the council's
    # figures that prompted its review.
    eqia = read_page(lead.get(f"/registers/eqias/{eqia_id_of(db, 'CEX-EQIA-01')}")).text
    assert "Reviews prompted by figures by group" not in eqia and "41.3%" not in eqia
