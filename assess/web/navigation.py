"""The service navigation: each area of the service adds its entry here, with who may see it."""

from __future__ import annotations

from dataclasses import dataclass

from assess.web.access import may


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str
    permission: str  # from the access table


NAVIGATION: list[NavItem] = [
    NavItem("Home", "home.index", "use_the_service"),
    NavItem("Rounds", "rounds.index", "read_council"),
    NavItem("Trends", "council.trends_values", "read_council"),
    NavItem("Risks and equality", "registers.risks", "read_council"),
    NavItem("Programme", "programme.indicators", "read_council"),
    NavItem("Action plan", "plan.actions", "read_own_action_plan"),
    NavItem("Audit and exports", "audit.index", "read_council"),
    NavItem("Administration", "admin.index", "administer"),
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
        if may(role, item.permission)
    ]
