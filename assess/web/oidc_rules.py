"""Who may come in with the council's account: the decision on a verified ID token's claims.

Pure; no Flask, no database. The view verifies the token (Authlib: signature, issuer, audience,
expiry, nonce), looks up the user by `email_of(claims)`, and asks `decide`. Roles and teams stay
managed in assess: the provider's groups are read only to give a new user their first role, and
only when auto-creation is on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ADMIT = "admit"
CREATE = "create"
REFUSE = "refuse"

# Why a sign-in was refused, as the audit log records it.
NO_EMAIL = "no email"
EMAIL_NOT_VERIFIED = "email not verified"
UNKNOWN_USER = "unknown user"
DEACTIVATED = "deactivated"
SEVERAL_ROLES = "groups map to several roles"
BAD_TOKEN = "bad token"
PROVIDER_ERROR = "provider error"


@dataclass(frozen=True)
class Decision:
    outcome: str  # ADMIT, CREATE or REFUSE
    email: str = ""
    reason: str = ""  # why it was refused
    user_id: int | None = None  # who comes in (ADMIT)
    name: str = ""  # the new user's name and role (CREATE)
    role: str = ""
    group: str = ""  # the group that gave the role (CREATE)


@dataclass(frozen=True)
class ProviderSettings:
    auto_create: bool
    role_groups: Mapping[str, str]  # group name -> role
    groups_claim: str


def email_of(claims: Mapping[str, Any]) -> str:
    """The claims' email address as assess keeps it (trimmed, lower case), or "" if none."""
    email = claims.get("email")
    return email.strip().lower() if isinstance(email, str) else ""


def email_unverified(claims: Mapping[str, Any]) -> bool:
    """The provider says the address is not verified (absent means it does not say)."""
    verified = claims.get("email_verified")
    return verified is False or (isinstance(verified, str) and verified.lower() == "false")


def groups_of(claims: Mapping[str, Any], groups_claim: str) -> list[str]:
    """The groups claim as a list of names: providers send a list, or one name as a string."""
    groups = claims.get(groups_claim)
    if isinstance(groups, str):
        return [groups]
    if isinstance(groups, list | tuple):
        return [g for g in groups if isinstance(g, str)]
    return []


def decide(
    claims: Mapping[str, Any], user: Mapping[str, Any] | None, settings: ProviderSettings
) -> Decision:
    """Admit an active user whose email matches, refuse a deactivated or unknown one, or (with
    auto-creation on) create an unknown one whose groups give exactly one role. `user` is the
    row found for `email_of(claims)`, or None."""
    email = email_of(claims)
    if not email:
        return Decision(REFUSE, reason=NO_EMAIL)
    if email_unverified(claims):
        return Decision(REFUSE, email, reason=EMAIL_NOT_VERIFIED)
    if user is not None:
        if not user["active"]:
            return Decision(REFUSE, email, reason=DEACTIVATED, user_id=user["id"])
        return Decision(ADMIT, email, user_id=user["id"])
    if not settings.auto_create:
        return Decision(REFUSE, email, reason=UNKNOWN_USER)
    matched = {
        group: settings.role_groups[group]
        for group in groups_of(claims, settings.groups_claim)
        if group in settings.role_groups
    }
    roles = set(matched.values())
    if not roles:
        return Decision(REFUSE, email, reason=UNKNOWN_USER)
    if len(roles) > 1:
        return Decision(REFUSE, email, reason=SEVERAL_ROLES)
    group = sorted(matched)[0]
    name = claims.get("name")
    name = name.strip() if isinstance(name, str) and name.strip() else email
    return Decision(CREATE, email, name=name[:200], role=matched[group], group=group)


def role_groups_setting(value: Any, roles: Sequence[str]) -> dict[str, str]:
    """OIDC_ROLE_GROUPS, from instance config (a dict) or the environment (JSON): each group
    name maps to one of `roles` (assess's). Raises ValueError saying what is wrong."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError as error:
            raise ValueError(f"OIDC_ROLE_GROUPS is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise ValueError('OIDC_ROLE_GROUPS must map group names to roles: {"group": "role"}')
    wrong = sorted(f"{g!r}: {r!r}" for g, r in value.items() if r not in roles)
    if wrong:
        raise ValueError(
            f"OIDC_ROLE_GROUPS maps groups to roles assess does not have ({', '.join(wrong)}); "
            f"the roles are {', '.join(roles)}"
        )
    return {str(g): str(r) for g, r in value.items()}


def settings_problem(config: Mapping[str, Any], roles: Sequence[str]) -> str | None:
    """What is wrong with the sign-in settings, in words an administrator can act on, or None."""
    issuer, client_id = config.get("OIDC_ISSUER"), config.get("OIDC_CLIENT_ID")
    if issuer and not client_id:
        return "OIDC_ISSUER is set but OIDC_CLIENT_ID is not: set both (and OIDC_CLIENT_SECRET)."
    if client_id and not issuer:
        return "OIDC_CLIENT_ID is set but OIDC_ISSUER is not: set the provider's issuer URL."
    if not config.get("PASSWORD_SIGN_IN", True) and not issuer:
        return (
            "PASSWORD_SIGN_IN is off but no OpenID Connect provider is set (OIDC_ISSUER, "
            "OIDC_CLIENT_ID, OIDC_CLIENT_SECRET): nobody could sign in. Set the provider, or "
            "turn password sign-in back on."
        )
    try:
        role_groups_setting(config.get("OIDC_ROLE_GROUPS", {}), roles)
    except ValueError as error:
        return str(error)
    return None
