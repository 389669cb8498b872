"""The service navigation: each area of the service adds its entry here, with who may see it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str
    roles: tuple[str, ...]


ALL_ROLES = ("team_lead", "business_improvement", "auditor", "administrator")
COUNCIL_WIDE = ("business_improvement", "auditor", "administrator")  # roles that see every team

NAVIGATION: list[NavItem] = [
    NavItem("Home", "home.index", ALL_ROLES),
    NavItem("Rounds", "rounds.index", COUNCIL_WIDE),
    NavItem("Trends", "council.trends_values", COUNCIL_WIDE),
    NavItem("Risks and equality", "registers.risks", COUNCIL_WIDE),
    NavItem("Audit and exports", "audit.index", COUNCIL_WIDE),
    NavItem("Administration", "admin.index", ("administrator",)),
]


def items_for(role: str | None, url_for, current_endpoint: str | None) -> list[dict]:
    """The GOV.UK service navigation items a user with this role sees."""
    if role is None:
        return []
    return [
        {
            "text": item.text,
            "href": url_for(item.endpoint),
            "active": item.endpoint == current_endpoint,
        }
        for item in NAVIGATION
        if role in item.roles
    ]
