"""Who may do what: the one access table. Every view's `requires`, the navigation, the templates'
`may(...)` and the access matrix test read it; no other module names a role's rights.

Pure data and one function; no Flask, so rules and tests can read it too.
"""

from __future__ import annotations

from assess.registers.rules import DECIDES_FOR_ANY_OWNER, OWNER_ROLES

TEAM_LEAD = "team_lead"
BUSINESS_IMPROVEMENT = "business_improvement"
AUDITOR = "auditor"
ADMINISTRATOR = "administrator"
ROLES = (TEAM_LEAD, BUSINESS_IMPROVEMENT, AUDITOR, ADMINISTRATOR)
# Roles that see every team's figures; a team lead sees only their own teams.
COUNCIL_WIDE = (BUSINESS_IMPROVEMENT, AUDITOR, ADMINISTRATOR)

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "use_the_service": ROLES,
    "assess_own_team": (TEAM_LEAD,),
    "read_council": COUNCIL_WIDE,  # rounds, heatmaps, trends, registers, audit pages, any team
    "run_rounds": (BUSINESS_IMPROVEMENT,),  # create, open, close, remind, review, moderate
    # a service's readiness review: its team lead (own teams only) or business improvement
    "review_readiness": (TEAM_LEAD, BUSINESS_IMPROVEMENT),
    # invite a team's staff to answer anonymously: its team lead (own teams only) or business
    # improvement (any team, or every team of a round at once)
    "invite_staff": (TEAM_LEAD, BUSINESS_IMPROVEMENT),
    "edit_registers": (BUSINESS_IMPROVEMENT,),
    # the strategy programme: indicators and their figures, the action plan and the scrutiny
    # log (reading them: read_council)
    "edit_programme": (BUSINESS_IMPROVEMENT, ADMINISTRATOR),
    # the action plan: council-wide roles read all of it; a team lead only the corporate actions
    # their own teams' improvement actions serve (read_council says which)
    "read_action_plan": ROLES,
    "read_own_action_plan": (TEAM_LEAD,),  # the entry in a team lead's navigation
    "own_risks": OWNER_ROLES,
    "decide_for_any_owner": (DECIDES_FOR_ANY_OWNER,),
    "use_api": COUNCIL_WIDE,
    "freeze_round_packs": (BUSINESS_IMPROVEMENT, ADMINISTRATOR),
    "administer": (ADMINISTRATOR,),
}


def may(role: str | None, permission: str) -> bool:
    """Whether a role has a permission; an unknown permission is a mistake, not a refusal."""
    return role is not None and role in PERMISSIONS[permission]
