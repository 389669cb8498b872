"""Pages that set `back` get the GOV.UK back link, above the main content, to where they came
from; pages that do not, get none."""

from __future__ import annotations

import re

import pytest

from assess import store
from assess.store import registers as register_store

BACK_LINK = re.compile(r'<a href="([^"]*)" class="govuk-back-link">([^<]*)</a>')


def back_link(response) -> tuple[str, str] | None:
    assert response.status_code == 200, response.status_code
    found = BACK_LINK.findall(response.get_data(as_text=True))
    assert len(found) <= 1, found
    return found[0] if found else None


@pytest.fixture
def officer(client_as):
    return client_as("business_improvement")


def test_changing_a_risk_goes_back_to_that_risk(officer, db):
    risk = register_store.risks(db)[0]
    url = f"/registers/risks/{risk['id']}"
    assert back_link(officer.get(url + "/edit")) == (url, "Back")


def test_adding_an_eqia_goes_back_to_the_list(officer):
    assert back_link(officer.get("/registers/eqias/new")) == ("/registers/eqias", "Back")


def test_a_round_heatmap_goes_back_to_its_round_by_name(officer, db):
    round_ = store.rounds(db)[0]
    link = back_link(officer.get(f"/rounds/{round_['id']}/heatmap/value"))
    assert link == (f"/rounds/{round_['id']}", f"Back to round {round_['name']}")


def test_a_page_that_sets_no_back_link_has_none(officer):
    assert back_link(officer.get("/")) is None
