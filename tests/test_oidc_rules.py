"""Who may come in with the council's account, decided on the verified ID token's claims, the
user assess has for that email (or none) and the settings: `assess.web.oidc_rules`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.web import oidc_rules
from assess.web.access import ROLES
from assess.web.oidc_rules import (
    ADMIT,
    CREATE,
    DEACTIVATED,
    EMAIL_NOT_VERIFIED,
    NO_EMAIL,
    REFUSE,
    SEVERAL_ROLES,
    UNKNOWN_USER,
    ProviderSettings,
    decide,
)

OFF = ProviderSettings(auto_create=False, role_groups={}, groups_claim="groups")
ON = ProviderSettings(
    auto_create=True,
    role_groups={"assess-bi": "business_improvement", "assess-audit": "auditor"},
    groups_claim="groups",
)
PRIYA = {"id": 7, "email": "priya.shah@council.example", "active": 1}


def claims(email="priya.shah@council.example", **more):
    return {"sub": "abc", "email": email, "email_verified": True, **more}


def test_an_active_user_with_the_email_comes_in():
    decision = decide(claims(), PRIYA, OFF)
    assert (decision.outcome, decision.user_id) == (ADMIT, 7)


def test_a_deactivated_user_is_refused_even_with_groups_that_would_give_a_role():
    decision = decide(claims(groups=["assess-bi"]), {**PRIYA, "active": 0}, ON)
    assert (decision.outcome, decision.reason, decision.user_id) == (REFUSE, DEACTIVATED, 7)


def test_an_unknown_user_is_refused_when_auto_creation_is_off():
    decision = decide(claims(groups=["assess-bi"]), None, OFF)
    assert (decision.outcome, decision.reason) == (REFUSE, UNKNOWN_USER)


def test_an_unknown_user_whose_group_maps_to_a_role_is_created_with_it_and_their_name():
    decision = decide(
        claims("New.Person@Council.Example", name=" New Person ", groups=["x", "assess-bi"]),
        None,
        ON,
    )
    assert decision == oidc_rules.Decision(
        CREATE,
        "new.person@council.example",
        name="New Person",
        role="business_improvement",
        group="assess-bi",
    )


def test_an_unknown_user_with_no_mapped_group_is_refused_even_with_auto_creation():
    assert decide(claims(groups=["somewhere-else"]), None, ON).reason == UNKNOWN_USER
    assert decide(claims(), None, ON).reason == UNKNOWN_USER


def test_groups_that_give_several_roles_refuse_rather_than_guess():
    decision = decide(claims(groups=["assess-bi", "assess-audit"]), None, ON)
    assert (decision.outcome, decision.reason) == (REFUSE, SEVERAL_ROLES)


def test_a_single_group_sent_as_a_string_counts_and_the_claim_name_is_a_setting():
    settings = ProviderSettings(True, {"assess-audit": "auditor"}, "roles")
    assert decide(claims(roles="assess-audit"), None, settings).role == "auditor"
    assert decide(claims(groups="assess-audit"), None, settings).reason == UNKNOWN_USER


@pytest.mark.parametrize("verified", [False, "false", "FALSE"])
def test_an_email_the_provider_says_is_not_verified_is_refused(verified):
    decision = decide(claims(email_verified=verified), PRIYA, OFF)
    assert (decision.outcome, decision.reason) == (REFUSE, EMAIL_NOT_VERIFIED)


def test_no_email_verified_claim_does_not_refuse():
    without = claims()
    del without["email_verified"]
    assert decide(without, PRIYA, OFF).outcome == ADMIT


@pytest.mark.parametrize("email", [None, "", "   ", 42, ["a@b.example"]])
def test_no_usable_email_is_refused(email):
    assert decide(claims(email), PRIYA, ON).reason == NO_EMAIL


def test_a_new_user_without_a_name_is_named_by_their_email():
    decision = decide(claims("new@council.example", groups=["assess-bi"]), None, ON)
    assert decision.name == "new@council.example"


def case_changes(text: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda upper: "".join(
            c.upper() if u else c.lower() for c, u in zip(text, upper, strict=True)
        )
    )


@given(email=case_changes(PRIYA["email"]), spaces=st.sampled_from(["", " ", "\t"]))
def test_the_case_of_the_email_never_changes_the_outcome(email, spaces):
    assert decide(claims(spaces + email + spaces), PRIYA, OFF) == decide(claims(), PRIYA, OFF)
    assert oidc_rules.email_of(claims(email)) == PRIYA["email"]


any_claims = st.fixed_dictionaries(
    {"email": st.one_of(st.emails(), st.text(max_size=20), st.none())},
    optional={
        "email_verified": st.one_of(st.booleans(), st.sampled_from(["true", "false"])),
        "name": st.text(max_size=30),
        "groups": st.one_of(
            st.lists(st.sampled_from(["assess-bi", "assess-audit", "other"])),
            st.sampled_from(["assess-bi", "other"]),
            st.integers(),
        ),
    },
)
any_settings = st.builds(
    ProviderSettings,
    auto_create=st.booleans(),
    role_groups=st.dictionaries(
        st.sampled_from(["assess-bi", "assess-audit", "other"]), st.sampled_from(ROLES)
    ),
    groups_claim=st.sampled_from(["groups", "roles"]),
)


@given(claims=any_claims, settings=any_settings)
def test_a_deactivated_user_is_always_refused(claims, settings):
    assert decide(claims, {**PRIYA, "active": 0}, settings).outcome == REFUSE


@given(claims=any_claims, settings=any_settings)
def test_only_auto_creation_with_exactly_one_mapped_role_creates_a_user(claims, settings):
    decision = decide(claims, None, settings)
    assert decision.outcome in (CREATE, REFUSE)
    if decision.outcome == CREATE:
        assert settings.auto_create
        assert decision.role in ROLES and decision.role == settings.role_groups[decision.group]
        assert decision.email == decision.email.strip().lower() != ""


@pytest.mark.parametrize(
    "config, says",
    [
        ({"OIDC_ISSUER": "https://id.example"}, "OIDC_CLIENT_ID"),
        ({"OIDC_CLIENT_ID": "assess"}, "OIDC_ISSUER"),
        ({"PASSWORD_SIGN_IN": False}, "nobody could sign in"),
        ({"OIDC_ROLE_GROUPS": '{"assess-bi": "boss"}'}, "'boss'"),
        ({"OIDC_ROLE_GROUPS": "{not json"}, "not JSON"),
        ({"OIDC_ROLE_GROUPS": "[1]"}, "must map group names"),
    ],
)
def test_settings_that_cannot_work_are_named(config, says):
    problem = oidc_rules.settings_problem(config, ROLES)
    assert problem is not None and says in problem


def test_settings_for_a_provider_without_passwords_are_fine():
    config = {
        "OIDC_ISSUER": "https://id.example",
        "OIDC_CLIENT_ID": "assess",
        "PASSWORD_SIGN_IN": False,
        "OIDC_ROLE_GROUPS": '{"assess-bi": "business_improvement"}',
    }
    assert oidc_rules.settings_problem(config, ROLES) is None
