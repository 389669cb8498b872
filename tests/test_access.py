"""Who may do what (assess/web/access.py): every permission and the roles that have it, written
out here so that a change to the table is a change to this test too."""

from __future__ import annotations

import pytest

from assess import store
from assess.web import access

TEAM_LEAD, BUSINESS_IMPROVEMENT = "team_lead", "business_improvement"
AUDITOR, ADMINISTRATOR = "auditor", "administrator"

EXPECTED = {
    "use_the_service": {TEAM_LEAD, BUSINESS_IMPROVEMENT, AUDITOR, ADMINISTRATOR},
    "assess_own_team": {TEAM_LEAD},
    "read_council": {BUSINESS_IMPROVEMENT, AUDITOR, ADMINISTRATOR},
    "run_rounds": {BUSINESS_IMPROVEMENT},
    "review_readiness": {TEAM_LEAD, BUSINESS_IMPROVEMENT},
    "edit_registers": {BUSINESS_IMPROVEMENT},
    "edit_programme": {BUSINESS_IMPROVEMENT, ADMINISTRATOR},
    "read_action_plan": {TEAM_LEAD, BUSINESS_IMPROVEMENT, AUDITOR, ADMINISTRATOR},
    "read_own_action_plan": {TEAM_LEAD},
    "invite_staff": {TEAM_LEAD, BUSINESS_IMPROVEMENT},
    "own_risks": {TEAM_LEAD, BUSINESS_IMPROVEMENT, ADMINISTRATOR},
    "decide_for_any_owner": {ADMINISTRATOR},
    "use_api": {BUSINESS_IMPROVEMENT, AUDITOR, ADMINISTRATOR},
    "freeze_round_packs": {BUSINESS_IMPROVEMENT, ADMINISTRATOR},
    "administer": {ADMINISTRATOR},
}


def test_the_table_has_exactly_the_permissions_this_test_knows():
    assert set(access.PERMISSIONS) == set(EXPECTED)


@pytest.mark.parametrize("permission", list(EXPECTED))
def test_each_permission_belongs_to_exactly_its_roles(permission):
    assert {role for role in access.ROLES if access.may(role, permission)} == EXPECTED[permission]


def test_the_roles_are_the_four_the_service_stores():
    assert set(access.ROLES) == set(store.ROLES)
    assert set(access.COUNCIL_WIDE) == set(access.ROLES) - {TEAM_LEAD}


def test_an_auditor_changes_nothing():
    changes = {"assess_own_team", "run_rounds", "edit_registers", "edit_programme", "own_risks",
               "decide_for_any_owner", "freeze_round_packs", "administer"}  # fmt: skip
    assert not any(access.may(AUDITOR, permission) for permission in changes)


@pytest.mark.parametrize("permission", list(EXPECTED))
def test_nobody_signed_in_and_an_unknown_role_may_do_nothing(permission):
    assert access.may(None, permission) is False
    assert access.may("guest", permission) is False


def test_an_unknown_permission_is_a_mistake_not_a_refusal():
    with pytest.raises(KeyError):
        access.may(ADMINISTRATOR, "delete_everything")
