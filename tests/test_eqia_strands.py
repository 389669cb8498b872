"""An EqIA's implications for equality under each strand of the strategy: the rule, the page,
the form and what is stored."""

from __future__ import annotations

import json

import pytest

from assess.registers.entries import MAX_STRAND_NOTE, check_strand_impact
from assess.store import registers as register_store
from tests.conftest import csrf_token, read_page

STRANDS = ["Citizen focused", "Positive citizen experience", "Inclusive access"]


# --- the rule -----------------------------------------------------------------------------------


def test_a_strand_left_blank_is_not_assessed_and_stores_nothing():
    assert check_strand_impact({"impact": "", "note": "  "}) == (None, [])


@pytest.mark.parametrize("impact", ["Positive", "neutral", " NEGATIVE ", "Unknown"])
def test_an_impact_is_stored_in_its_usual_spelling_with_its_note(impact):
    record, errors = check_strand_impact({"impact": impact, "note": " Fewer journeys. "})
    assert errors == []
    assert record == {"impact": impact.strip().capitalize(), "note": "Fewer journeys."}


def test_a_note_without_an_impact_asks_for_the_impact():
    _, errors = check_strand_impact({"impact": "", "note": "Offline residents"})
    assert errors == [("impact", "Choose the impact on equality that the note explains")]


def test_an_impact_that_is_not_one_of_the_four_is_refused():
    _, errors = check_strand_impact({"impact": "Mixed"})
    assert errors == [("impact", "The impact must be one of Positive, Neutral, Negative, Unknown")]


def test_a_note_longer_than_a_short_note_is_refused():
    _, errors = check_strand_impact({"impact": "Neutral", "note": "x" * (MAX_STRAND_NOTE + 1)})
    assert errors == [("note", f"The note must be {MAX_STRAND_NOTE:,} characters or fewer")]


# --- the page and the form ----------------------------------------------------------------------


@pytest.fixture
def officer(client, client_as):
    return client_as("business_improvement", client=client)


def eqia_id_of(db, ref="CEX-EQIA-01"):
    return db.execute("SELECT id FROM eqias WHERE ref = ?", [ref]).fetchone()[0]


def post(client, url, data):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def eqia_form(ref="CEX-EQIA-01", title="Citizen Experience strategy", **changes):
    data = {"ref": ref, "title": title}
    data.update({f"g{index}-impact": "Neutral" for index in range(16)})
    return {**data, **changes}


def test_the_eqia_page_shows_the_implications_by_strand(officer, db):
    page = read_page(officer.get(f"/registers/eqias/{eqia_id_of(db, 'CEX-EQIA-02')}"))
    assert "Implications by strand" in page.text
    for strand in [*STRANDS, "Get it right first time"]:
        assert strand in page.text
    assert "Offline residents and screen reader users." in page.text


def test_an_eqia_without_strand_implications_says_so(officer, db):
    eqia_id = eqia_id_of(db)
    register_store.update_eqia(db, eqia_id, {}, None, None, [])
    page = read_page(officer.get(f"/registers/eqias/{eqia_id}"))
    assert "under each strand of the strategy have not been recorded" in page.text


def test_the_form_shows_each_strand_with_what_is_saved(officer, db):
    page = officer.get(f"/registers/eqias/{eqia_id_of(db, 'CEX-EQIA-04')}/edit")
    text = page.get_data(as_text=True)
    assert "Implications by strand" in text
    for strand in STRANDS:
        assert f">{strand}</legend>" in " ".join(text.split()).replace("> ", ">").replace(" <", "<")
    assert "Who complains is not yet monitored." in text
    assert '<option value="Unknown" selected>' in text


def test_a_note_without_an_impact_is_refused_keeping_what_was_typed(officer, db):
    eqia_id = eqia_id_of(db)
    before = register_store.strand_impacts_of(db, eqia_id)
    url = f"/registers/eqias/{eqia_id}/edit"
    data = eqia_form(**{"s0-impact": "", "s0-note": "Only online feedback is heard"})
    response = post(officer, url, data)
    page = read_page(response, 400)
    html = response.get_data(as_text=True)
    assert page.title.startswith("Error: ")
    assert "There is a problem" in page.text
    assert "Citizen focused: Choose the impact on equality that the note explains" in page.text
    assert 'href="#s0-impact"' in html
    assert "Only online feedback is heard" in html
    assert register_store.strand_impacts_of(db, eqia_id) == before


def test_the_form_saves_the_strand_implications_and_audits_them(officer, db):
    eqia_id = eqia_id_of(db)
    url = f"/registers/eqias/{eqia_id}/edit"
    data = eqia_form(
        **{
            "s0-impact": "Negative",
            "s0-note": "Only online feedback is heard",
            "s2-impact": "Positive",
        }
    )
    assert post(officer, url, data).status_code == 302
    assert register_store.strand_impacts_of(db, eqia_id) == [
        {
            "strand": "citizen-focused",
            "impact": "Negative",
            "note": "Only online feedback is heard",
        },
        {"strand": "inclusive-access", "impact": "Positive", "note": ""},
    ]
    after = db.execute(
        "SELECT after FROM audit_events WHERE entity = 'eqia' AND action = 'update' "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    assert json.loads(after)["strand_impacts"][0]["note"] == "Only online feedback is heard"
    page = read_page(officer.get(f"/registers/eqias/{eqia_id}"))
    assert "Only online feedback is heard" in page.text


def test_a_new_eqia_is_added_with_its_strand_implications(officer, db):
    data = eqia_form("CEX-EQIA-09", "Libraries", **{"s3-impact": "Unknown", "s3-note": "Pilot"})
    response = post(officer, "/registers/eqias/new", data)
    assert response.status_code == 302
    assert register_store.strand_impacts_of(db, eqia_id_of(db, "CEX-EQIA-09")) == [
        {"strand": "right-first-time", "impact": "Unknown", "note": "Pilot"}
    ]


def test_changing_an_eqia_without_strands_given_keeps_its_strand_implications(db):
    eqia_id = eqia_id_of(db, "CEX-EQIA-03")
    before = register_store.strand_impacts_of(db, eqia_id)
    register_store.update_eqia(db, eqia_id, {"title": "Webforms"}, None, None)
    assert register_store.strand_impacts_of(db, eqia_id) == before != []
