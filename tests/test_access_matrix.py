"""Who may do what: one table with every route the app registers and, for each of six roles, the
answer it gets; one parametrised test that proves the table over every route in the URL map.

A route added later without a row in MATRIX fails `test_each_role_gets_the_answer_the_table_gives`
with a message naming it. The URLs point at real rows of the sample council (tests/samples.py):
Housing Needs (Priya's team, not Tom's) in the current round, its signed-off assessment from the
round before, a risk and an EqIA that results pages link to, and an action, API token, round pack,
review prompt and proposed risks added to the demo for the suites that walk every route. A POST
carries a valid CSRF token and no other form data (unless FORM_DATA says otherwise), so a refused
role gets 302 to sign-in, 403 or 404, and an allowed one gets what the view does with an empty
form: 400, 409, or a 302 somewhere other than sign-in.

Each case runs on a fresh copy of the sample council. Roles are signed in by putting their id
in the session (the sign-in page itself is proved in test_views_auth.py): a real sign-in per case
would spend most of this test's time hashing passwords.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from assess import store
from assess.web.app import create_app
from tests.conftest import csrf_token, running_renderer, sign_in_as
from tests.samples import SampleCouncil

ROLES = (
    "anonymous",
    "team_lead",  # Priya, team lead of Housing Needs, the team in the URLs
    "other_team_lead",  # Tom, team lead of Taxi Licensing and Parking Services
    "business_improvement",
    "auditor",
    "administrator",
)
SIGN_IN = "sign-in"  # 302 to /sign-in?next=<this page>: the answer to anyone not signed in
S = SIGN_IN
REFUSALS = (SIGN_IN, 401, 403, 404)


class Row(NamedTuple):
    rule: str
    method: str
    anonymous: int | str
    team_lead: int | str
    other_team_lead: int | str
    business_improvement: int | str
    auditor: int | str
    administrator: int | str
    sample: str = ""  # a name in Prepared.variants: other URL values for a second row


T = "/teams/<int:team_id>/rounds/<int:round_id>"
R = "/rounds/<int:round_id>"
RT = R + "/teams/<int:team_id>"
RISK = "/registers/risks/<int:entry_id>"
EQIA = "/registers/eqias/<int:entry_id>"

# fmt: off
MATRIX = [
    #   rule                                        method  anon lead other BI  auditor admin
    Row("/",                                         "GET",  S,  200, 200, 200, 200, 200),
    Row("/sign-in",                                  "GET",  200, 200, 200, 200, 200, 200),
    Row("/sign-in",                                  "POST", 400, 400, 400, 400, 400, 400),
    Row("/sign-out",                                 "POST", 302, 302, 302, 302, 302, 302),
    # the council account's sign-in: the sample council has no provider, so not found for
    # anyone (tests/test_oidc.py proves them with one); the signed-out page is public
    Row("/sign-in/oidc",                             "POST", 404, 404, 404, 404, 404, 404),
    Row("/sign-in/oidc/callback",                    "GET",  404, 404, 404, 404, 404, 404),
    Row("/signed-out",                               "GET",  200, 200, 200, 200, 200, 200),
    Row("/healthz",                                  "GET",  200, 200, 200, 200, 200, 200),
    Row("/accessibility",                            "GET",  200, 200, 200, 200, 200, 200),
    Row("/privacy",                                  "GET",  200, 200, 200, 200, 200, 200),
    Row("/cookies",                                  "GET",  200, 200, 200, 200, 200, 200),
    Row("/static/<path:filename>",                   "GET",  200, 200, 200, 200, 200, 200),
    # a team's journey: its own lead changes it, council-wide roles read it, another lead
    # finds nothing there
    Row(T + "/",                                     "GET",  S,  200, 404, 200, 200, 200),
    Row(T + "/sections/<section>",                   "GET",  S,  200, 404, 302, 302, 302),
    Row(T + "/sections/<section>",                   "POST", S,  400, 404, 403, 403, 403),
    Row(T + "/check",                                "GET",  S,  200, 404, 200, 200, 200),
    Row(T + "/check",                                "POST", S,  400, 404, 403, 403, 403),
    Row(T + "/submitted",                            "GET",  S,  302, 404, 302, 302, 302),
    Row(T + "/results",                              "GET",  S,  200, 404, 200, 200, 200),
    Row(T + "/charts/<dimension>.<fmt>",             "GET",  S,  200, 404, 200, 200, 200),
    Row(T + "/actions/new",                          "GET",  S,  200, 404, 403, 403, 403),
    Row(T + "/actions/new",                          "POST", S,  400, 404, 403, 403, 403),
    Row(T + "/actions/<int:action_id>",              "GET",  S,  200, 404, 403, 403, 403),
    Row(T + "/actions/<int:action_id>",              "POST", S,  400, 404, 403, 403, 403),
    Row(T + "/targets",                              "GET",  S,  200, 404, 403, 403, 403),
    Row(T + "/targets",                              "POST", S,  302, 404, 403, 403, 403),
    # inviting a team's staff: its own lead or business improvement; nobody else, not even to read
    Row(T + "/staff/",                               "GET",  S,  200, 404, 200, 403, 403),
    Row(T + "/staff/email",                          "GET",  S,  200, 404, 200, 403, 403),
    Row(T + "/staff/email",                          "POST", S,  400, 404, 400, 403, 403),
    Row(T + "/staff/codes",                          "GET",  S,  200, 404, 200, 403, 403),
    Row(T + "/staff/codes",                          "POST", S,  400, 404, 400, 403, 403),
    Row(T + "/staff/remind",                         "POST", S,  302, 404, 302, 403, 403),
    Row(R + "/staff-codes",                          "GET",  S,  403, 403, 200, 403, 403),
    Row(R + "/staff-codes",                          "POST", S,  403, 403, 400, 403, 403),
    # a staff member's pages are public: a link, a code or the device cookie opens them, never
    # a role (tests/test_staff_responses.py proves them with a cookie); without one, every role
    # gets the page that says where to start
    Row("/staff/",                                   "GET",  200, 200, 200, 200, 200, 200),
    Row("/staff/",                                   "POST", 400, 400, 400, 400, 400, 400),
    Row("/staff/<token>",                            "GET",  404, 404, 404, 404, 404, 404),
    Row("/staff/<token>",                            "POST", 404, 404, 404, 404, 404, 404),
    Row("/staff/answers/",                           "GET",  403, 403, 403, 403, 403, 403),
    Row("/staff/answers/<section>",                  "GET",  403, 403, 403, 403, 403, 403),
    Row("/staff/answers/<section>",                  "POST", 403, 403, 403, 403, 403, 403),
    Row("/staff/answers/check",                      "GET",  403, 403, 403, 403, 403, 403),
    Row("/staff/answers/check",                      "POST", 403, 403, 403, 403, 403, 403),
    Row("/staff/answers/submitted",                  "GET",  403, 403, 403, 403, 403, 403),
    # a service's readiness review: its lead or business improvement completes it, others read
    Row(T + "/readiness-review/",                    "GET",  S,  200, 404, 200, 200, 200),
    Row(T + "/readiness-review/",                    "POST", S,  400, 404, 400, 403, 403),
    Row(T + "/readiness-review/<area>",              "GET",  S,  200, 404, 200, 302, 302),
    Row(T + "/readiness-review/<area>",              "POST", S,  400, 404, 400, 403, 403),
    # rounds: business improvement runs and reviews them; auditors and administrators read
    Row("/rounds/",                                  "GET",  S,  403, 403, 200, 200, 200),
    Row("/rounds/new",                               "GET",  S,  403, 403, 200, 403, 403),
    Row("/rounds/new",                               "POST", S,  403, 403, 400, 403, 403),
    Row(R,                                           "GET",  S,  403, 403, 200, 200, 200),
    Row(R + "/status",                               "GET",  S,  403, 403, 200, 403, 403),
    Row(R + "/status",                               "POST", S,  403, 403, 400, 403, 403),
    Row(R + "/outstanding.csv",                      "GET",  S,  403, 403, 200, 200, 200),
    Row(R + "/reminders",                            "POST", S,  403, 403, 302, 403, 403),
    Row(R + "/calibration",                          "GET",  S,  403, 403, 200, 200, 200),
    Row(R + "/heatmap/<dimension_key>",              "GET",  S,  403, 403, 200, 200, 200),
    Row(R + "/heatmap/<dimension_key>.<fmt>",        "GET",  S,  403, 403, 200, 200, 200),
    Row(R + "/heatmap/value/<member_key>/statements", "GET", S,  403, 403, 200, 200, 200),
    Row(R + "/council",                              "GET",  S,  403, 403, 200, 200, 200),
    Row(R + "/council/<dimension_key>.<fmt>",        "GET",  S,  403, 403, 200, 200, 200),
    Row(R + "/committee-report",                     "GET",  S,  403, 403, 200, 200, 200),
    Row(R + "/committee-report.docx",                "GET",  S,  403, 403, 200, 200, 200),
    Row(RT,                                          "GET",  S,  403, 403, 200, 200, 200),
    Row(RT + "/remind",                              "POST", S,  403, 403, 302, 403, 403),
    Row(RT + "/return",                              "POST", S,  403, 403, 400, 403, 403),
    Row(RT + "/sign-off",                            "GET",  S,  403, 403, 409, 403, 403),
    Row(RT + "/sign-off",                            "POST", S,  403, 403, 409, 403, 403),
    Row(RT + "/moderate/<statement_key>",            "GET",  S,  403, 403, 200, 403, 403),
    Row(RT + "/moderate/<statement_key>",            "POST", S,  403, 403, 409, 403, 403),
    Row("/trends/",                                  "GET",  S,  403, 403, 200, 200, 200),
    Row("/trends/<dimension_key>",                   "GET",  S,  403, 403, 200, 200, 200),
    # registers: business improvement edits, auditors and administrators read everything, a
    # team lead reads only an entry a results page can show
    Row("/registers/risks",                          "GET",  S,  403, 403, 200, 200, 200),
    Row("/registers/risks/matrix.svg",               "GET",  S,  403, 403, 200, 200, 200),
    Row("/registers/risks/export.<fmt>",             "GET",  S,  403, 403, 200, 200, 200),
    Row("/registers/risks/new",                      "GET",  S,  403, 403, 200, 403, 403),
    Row("/registers/risks/new",                      "POST", S,  403, 403, 400, 403, 403),
    Row("/registers/risks/propose",                  "GET",  S,  403, 403, 200, 403, 403),
    Row("/registers/risks/propose",                  "POST", S,  403, 403, 302, 403, 403),
    Row("/registers/risks/<int:risk_id>",            "GET",  S,  200, 200, 200, 200, 200),
    # a proposed risk is on no results page (they list open risks), and its evidence names the
    # team whose low score raised it: Housing Needs', here
    Row("/registers/risks/<int:risk_id>",            "GET",  S,  404, 404, 200, 200, 200,
        "proposed risk"),
    Row("/registers/risks/<int:risk_id>/edit",       "GET",  S,  403, 403, 200, 403, 403),
    Row("/registers/risks/<int:risk_id>/edit",       "POST", S,  403, 403, 400, 403, 403),
    # only a proposed risk's owner, or an administrator for them, accepts or declines it; the
    # sample is an open risk (nothing to decide: back to the risk), then one proposed to Priya
    Row("/registers/risks/<int:risk_id>",            "GET",  S,  200, 404, 200, 200, 200,
        "proposed to Priya"),
    Row("/registers/risks/<int:risk_id>/accept",     "POST", S,  403, 403, 403, 403, 302),
    Row("/registers/risks/<int:risk_id>/accept",     "POST", S,  302, 403, 403, 403, 302,
        "proposed to Priya"),
    Row("/registers/risks/<int:risk_id>/decline",    "GET",  S,  403, 403, 403, 403, 302),
    Row("/registers/risks/<int:risk_id>/decline",    "GET",  S,  200, 403, 403, 403, 200,
        "proposed to Priya"),
    Row("/registers/risks/<int:risk_id>/decline",    "POST", S,  403, 403, 403, 403, 302),
    Row("/registers/risks/<int:risk_id>/decline",    "POST", S,  400, 403, 403, 403, 400,
        "proposed to Priya"),
    Row(RISK + "/links",                             "POST", S,  403, 403, 302, 403, 403),
    Row(RISK + "/links/<int:link_id>/remove",        "POST", S,  403, 403, 302, 403, 403),
    Row(RISK + "/actions/new",                       "GET",  S,  403, 403, 200, 403, 403),
    Row(RISK + "/actions/new",                       "POST", S,  403, 403, 400, 403, 403),
    Row(RISK + "/actions/<int:register_action_id>",  "GET",  S,  403, 403, 200, 403, 403),
    Row(RISK + "/actions/<int:register_action_id>",  "POST", S,  403, 403, 400, 403, 403),
    Row(RISK + "/actions/<int:register_action_id>/done", "GET", S, 403, 403, 200, 403, 403),
    Row(RISK + "/actions/<int:register_action_id>/done", "POST", S, 403, 403, 400, 403, 403),
    Row("/registers/eqias",                          "GET",  S,  403, 403, 200, 200, 200),
    Row("/registers/eqias/export.<fmt>",             "GET",  S,  403, 403, 200, 200, 200),
    Row("/registers/eqias/new",                      "GET",  S,  403, 403, 200, 403, 403),
    Row("/registers/eqias/new",                      "POST", S,  403, 403, 400, 403, 403),
    Row("/registers/eqias/<int:eqia_id>",            "GET",  S,  200, 200, 200, 200, 200),
    Row("/registers/eqias/<int:eqia_id>/edit",       "GET",  S,  403, 403, 200, 403, 403),
    Row("/registers/eqias/<int:eqia_id>/edit",       "POST", S,  403, 403, 400, 403, 403),
    Row("/registers/eqias/prompts/<int:prompt_id>",  "POST", S,  403, 403, 302, 403, 403),
    Row(EQIA + "/links",                             "POST", S,  403, 403, 302, 403, 403),
    Row(EQIA + "/links/<int:link_id>/remove",        "POST", S,  403, 403, 302, 403, 403),
    Row(EQIA + "/actions/new",                       "GET",  S,  403, 403, 200, 403, 403),
    Row(EQIA + "/actions/new",                       "POST", S,  403, 403, 400, 403, 403),
    Row(EQIA + "/actions/<int:register_action_id>",  "GET",  S,  403, 403, 200, 403, 403),
    Row(EQIA + "/actions/<int:register_action_id>",  "POST", S,  403, 403, 400, 403, 403),
    Row(EQIA + "/actions/<int:register_action_id>/done", "GET", S, 403, 403, 200, 403, 403),
    Row(EQIA + "/actions/<int:register_action_id>/done", "POST", S, 403, 403, 400, 403, 403),
    Row("/registers/exposure",                       "GET",  S,  403, 403, 200, 200, 200),
    Row("/registers/import",                         "GET",  S,  403, 403, 200, 403, 403),
    Row("/registers/import",                         "POST", S,  403, 403, 400, 403, 403),
    # the strategy programme: business improvement and administrators keep the indicators,
    # council-wide roles read them; the EqIA prompts they raise are resolved as the others are
    Row("/programme/indicators",                     "GET",  S,  403, 403, 200, 200, 200),
    Row("/programme/indicators/new",                 "GET",  S,  403, 403, 200, 403, 200),
    Row("/programme/indicators/new",                 "POST", S,  403, 403, 400, 403, 400),
    Row("/programme/indicators/<int:indicator_id>",  "GET",  S,  403, 403, 200, 200, 200),
    Row("/programme/indicators/<int:indicator_id>/edit", "GET", S, 403, 403, 200, 403, 200),
    Row("/programme/indicators/<int:indicator_id>/edit", "POST", S, 403, 403, 400, 403, 400),
    Row("/programme/indicators/<int:indicator_id>/values", "POST", S, 403, 403, 400, 403, 400),
    Row("/programme/import",                         "GET",  S,  403, 403, 200, 403, 200),
    Row("/programme/import",                         "POST", S,  403, 403, 400, 403, 400),
    Row("/programme/prompts/<int:indicator_prompt_id>", "POST", S, 403, 403, 302, 403, 403),
    # the action plan: Priya's team's action serves the first corporate action, so she reads it
    # (read-only); Tom's teams serve none; the scrutiny log is council-wide reading
    Row("/programme/plan",                           "GET",  S,  200, 200, 200, 200, 200),
    Row("/programme/plan/new",                       "GET",  S,  403, 403, 200, 403, 200),
    Row("/programme/plan/new",                       "POST", S,  403, 403, 400, 403, 400),
    Row("/programme/plan/import",                    "GET",  S,  403, 403, 200, 403, 200),
    Row("/programme/plan/import",                    "POST", S,  403, 403, 400, 403, 400),
    Row("/programme/plan/export.<fmt>",              "GET",  S,  403, 403, 200, 200, 200),
    Row("/programme/plan/<int:corporate_action_id>", "GET",  S,  200, 404, 200, 200, 200),
    Row("/programme/plan/<int:corporate_action_id>/edit", "GET", S, 403, 403, 200, 403, 200),
    Row("/programme/plan/<int:corporate_action_id>/edit", "POST", S, 403, 403, 400, 403, 400),
    Row("/programme/plan/<int:corporate_action_id>/milestones", "POST", S, 403, 403, 400, 403, 400),
    Row("/programme/plan/<int:corporate_action_id>/milestones/<int:milestone_id>/done", "POST",
        S, 403, 403, 400, 403, 400),
    Row("/programme/plan/<int:corporate_action_id>/notes", "POST", S, 403, 403, 400, 403, 400),
    Row("/programme/plan/<int:corporate_action_id>/serving", "POST", S, 403, 403, 400, 403, 400),
    Row("/programme/plan/<int:corporate_action_id>/serving/<int:improvement_action_id>/remove",
        "POST", S, 403, 403, 302, 403, 302),
    Row("/programme/scrutiny",                       "GET",  S,  403, 403, 200, 200, 200),
    Row("/programme/scrutiny/new",                   "GET",  S,  403, 403, 200, 403, 200),
    Row("/programme/scrutiny/new",                   "POST", S,  403, 403, 400, 403, 400),
    Row("/programme/scrutiny/<int:recommendation_id>", "GET", S, 403, 403, 200, 200, 200),
    Row("/programme/scrutiny/<int:recommendation_id>/response", "GET", S, 403, 403, 200, 200, 200),
    Row("/programme/scrutiny/<int:recommendation_id>/edit", "GET", S, 403, 403, 200, 403, 200),
    Row("/programme/scrutiny/<int:recommendation_id>/edit", "POST", S, 403, 403, 400, 403, 400),
    # audit and exports; the report is a team's results, so it follows the team's pages
    Row("/audit/",                                   "GET",  S,  403, 403, 200, 200, 200),
    Row("/audit/verify",                             "GET",  S,  403, 403, 200, 200, 200),
    Row("/audit/export",                             "GET",  S,  403, 403, 200, 200, 200),
    Row("/audit/report",                             "GET",  S,  403, 403, 302, 302, 302),
    Row("/audit/assessments/<int:assessment_id>/report", "GET", S, 200, 404, 200, 200, 200),
    Row("/audit/packs",                              "GET",  S,  403, 403, 200, 200, 200),
    Row("/audit/packs/<int:pack_id>.json.gz",        "GET",  S,  403, 403, 200, 200, 200),
    Row("/audit/rounds/<int:round_id>/pack",         "POST", S,  403, 403, 302, 403, 302),
    Row("/audit/tokens",                             "GET",  S,  403, 403, 200, 200, 200),
    Row("/audit/tokens",                             "POST", S,  403, 403, 400, 400, 400),
    # the token is the auditor's own: nobody else can revoke it
    Row("/audit/tokens/<int:token_id>/revoke",       "POST", S,  403, 403, 404, 302, 404),
    # the API reads a bearer token, not the session: each role sends a token of its own
    Row("/audit/api/v1/scores",                      "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/answers",                     "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/readiness-scores",            "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/readiness-answers",           "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/staff-figures",               "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/audit-log",                   "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/risks",                       "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/eqias",                       "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/eqia-impacts",                "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/eqia-strand-impacts",         "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/register-actions",            "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/register-links",              "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/risk-scores",                 "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/risk-owner-decisions",        "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/eqia-review-prompts",         "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/indicators",                  "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/indicator-values",           "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/eqia-indicator-prompts",      "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/corporate-actions",           "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/action-milestones",           "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/action-progress-notes",       "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/scrutiny-recommendations",    "GET",  401, 403, 403, 200, 200, 200),
    Row("/audit/api/v1/openapi.json",                "GET",  200, 200, 200, 200, 200, 200),
    # administration
    Row("/admin/",                                   "GET",  S,  403, 403, 403, 403, 200),
    Row("/admin/users/new",                          "GET",  S,  403, 403, 403, 403, 200),
    Row("/admin/users/new",                          "POST", S,  403, 403, 403, 403, 400),
    Row("/admin/users/<int:user_id>",                "GET",  S,  403, 403, 403, 403, 200),
    Row("/admin/users/<int:user_id>",                "POST", S,  403, 403, 403, 403, 302),
    Row("/admin/users/<int:user_id>/password",       "GET",  S,  403, 403, 403, 403, 200),
    Row("/admin/users/<int:user_id>/password",       "POST", S,  403, 403, 403, 403, 400),
    Row("/admin/teams/new",                          "GET",  S,  403, 403, 403, 403, 200),
    Row("/admin/teams/new",                          "POST", S,  403, 403, 403, 403, 400),
    Row("/admin/teams/<int:team_id>",                "GET",  S,  403, 403, 403, 403, 200),
    Row("/admin/teams/<int:team_id>",                "POST", S,  403, 403, 403, 403, 400),
    Row("/admin/directorates/new",                   "GET",  S,  403, 403, 403, 403, 200),
    Row("/admin/directorates/new",                   "POST", S,  403, 403, 403, 403, 400),
    Row("/admin/directorates/<int:directorate_id>",  "GET",  S,  403, 403, 403, 403, 200),
    Row("/admin/directorates/<int:directorate_id>",  "POST", S,  403, 403, 403, 403, 400),
]
# fmt: on

# Query strings a GET needs to reach its permission decision and past it.
QUERY = {
    "audit.export": "table=scores&format=csv",
    "audit.find_report": "team={team_id}&round={round_id}",
    "team.new_action": "statement={statement_key}",
    "rounds.set_status": "status=closed",
    "registers.propose_risk": "target={dimension_key}:{member_key}&round_id={previous_round_id}",
}
# Form data beyond the CSRF token, where an empty form would end in a 404 that proves nothing.
FORM_DATA = {
    "registers.propose_risk": {
        "target": "{dimension_key}:{member_key}",
        "round_id": "{previous_round_id}",
    },
}
# The file format a download route is asked for, where it is not SVG.
FORMATS = {
    "rounds.heatmap_download": "csv",
    "registers.export_risks": "csv",
    "registers.export_eqias": "csv",
    "plan.export_plan": "csv",
}


def registered_routes() -> list[tuple[str, str]]:
    """Every (rule, method) the app registers, read from an app built only to be asked."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "routes"}, instance_path=folder)
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


ROUTES = registered_routes()


def cases():
    for rule, method in ROUTES:
        rows = [r for r in MATRIX if (r.rule, r.method) == (rule, method)]
        if not rows:  # one failing case that names the route
            yield pytest.param(Row(rule, method, *[None] * 6), None, id=f"{method} {rule} NO ROW")
        for r in rows:
            for role in ROLES:
                label = f"{method} {rule}{' (' + r.sample + ')' if r.sample else ''} as {role}"
                yield pytest.param(r, role, id=label)


@dataclass
class Prepared:
    """The app every case runs on, the sample council it starts from, and the ids its URLs use."""

    app: Flask
    council: SampleCouncil
    samples: dict[str, object]
    variants: dict[str, dict[str, object]]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, sample_council: SampleCouncil) -> Iterator[Prepared]:
    app = sample_council.app_in(tmp_path_factory.mktemp("access_matrix"))
    ids = sample_council.ids
    samples = {
        **ids,
        "assessment_id": ids["signed_off_id"],  # the report of Housing Needs' signed-off round
        "user_id": sample_council.users["team_lead"],
        "fmt": "svg",
        "filename": "app.js",
        "token": "no-such-invitation",
    }
    variants = {
        "proposed risk": {"risk_id": ids["proposed_risk_id"]},
        "proposed to Priya": {"risk_id": ids["risk_proposed_to_priya_id"]},
    }
    with running_renderer(app, ahead=False):
        yield Prepared(app, sample_council, samples, variants)


@pytest.fixture
def fresh(prepared) -> Prepared:
    """The prepared database, as it was before any case changed it."""
    prepared.council.reset(prepared.app)
    return prepared


def values_for(prepared: Prepared, rule, row: Row) -> dict:
    """The URL values for a rule: the sample council's ids, by argument name, the register by
    endpoint."""
    samples = {**prepared.samples, **prepared.variants.get(row.sample, {})}
    kind = "eqia" if "eqia" in rule.endpoint else "risk"
    samples["entry_id"] = samples[f"{kind}_id"]
    samples["link_id"] = samples[f"{kind}_link_id"]
    samples["register_action_id"] = samples[f"{kind}_action_id"]
    samples["fmt"] = FORMATS.get(rule.endpoint, samples["fmt"])
    missing = [a for a in rule.arguments if samples.get(a) is None]
    if missing:
        pytest.fail(f"{rule.rule}: add a sample value for {missing} to tests/samples.py")
    return {a: samples[a] for a in rule.arguments}


def request_for(prepared: Prepared, row: Row):
    """The rule object, the URL to ask, and the form data (without the CSRF token)."""
    (rule,) = [
        r
        for r in prepared.app.url_map.iter_rules()
        if r.rule == row.rule and row.method in r.methods
    ]
    _, path = rule.build(values_for(prepared, rule, row))
    every = {**prepared.samples, **prepared.variants.get(row.sample, {})}
    if rule.endpoint in QUERY:
        path += "?" + QUERY[rule.endpoint].format(**every)
    data = {k: v.format(**every) for k, v in FORM_DATA.get(rule.endpoint, {}).items()}
    return rule, path, data


def signed_in(prepared: Prepared, role: str, rule):
    client = prepared.app.test_client()
    headers = {}
    if role != "anonymous":
        sign_in_as(client, prepared.council.users[role])
        if rule.endpoint.startswith("audit.api."):
            headers["Authorization"] = f"Bearer {prepared.council.tokens[role]}"
    return client, headers


def answer_of(response, path: str) -> int | str:
    """The status, or SIGN_IN for a redirect to the sign-in page that comes back here."""
    if response.status_code == 302:
        location = urlsplit(response.location)
        if location.path == "/sign-in" and parse_qs(location.query).get("next") == [
            path.split("?")[0]
        ]:
            return SIGN_IN
    return response.status_code


@pytest.mark.parametrize(("row", "role"), list(cases()))
def test_each_role_gets_the_answer_the_table_gives(fresh, row: Row, role: str):
    if role is None:
        pytest.fail(
            f"{row.method} {row.rule} has no row in MATRIX: add one saying what each role gets"
        )
    rule, path, data = request_for(fresh, row)
    client, headers = signed_in(fresh, role, rule)
    if row.method == "GET":
        response = client.get(path, headers=headers)
    else:
        token = csrf_token(client.get("/sign-in").get_data(as_text=True))
        response = client.open(
            path, method=row.method, data={**data, "csrf_token": token}, headers=headers
        )
    response.get_data()  # a streamed export runs to its end
    response.close()
    assert answer_of(response, path) == getattr(row, role), (
        f"{row.method} {path} as {role}: got {response.status_code} "
        f"{response.location or response.get_data(as_text=True)[:300]}"
    )


def test_the_table_lists_only_routes_the_app_registers():
    stale = sorted({(r.method, r.rule) for r in MATRIX} - {(m, r) for r, m in ROUTES})
    assert stale == [], f"rows for routes the app no longer registers: {stale}"


def allowed_role(row: Row) -> str:
    """The first signed-in role the table lets through: the one a missing token must stop."""
    return next(role for role in ROLES[1:] if getattr(row, role) not in REFUSALS)


# A post every role is refused (a staff page without its cookie) has nobody to try it without a
# token: the staff tests post to those with a cookie and without a token.
POSTS = [
    r
    for r in MATRIX
    if r.method == "POST" and not r.sample and any(getattr(r, x) not in REFUSALS for x in ROLES[1:])
]


@pytest.mark.parametrize("row", POSTS, ids=[f"POST {r.rule}" for r in POSTS])
def test_every_post_without_a_csrf_token_is_refused(fresh, row: Row):
    role = allowed_role(row)
    rule, path, data = request_for(fresh, row)
    client, headers = signed_in(fresh, role, rule)
    db = store.connect(fresh.app.config["DATABASE_PATH"])
    try:
        before = store.table_counts(db)
        response = client.post(path, data=data, headers=headers)
        assert response.status_code == 400, f"POST {path} as {role}: {response.status_code}"
        assert "The form expired. Go back and try again." in response.get_data(as_text=True)
        assert store.table_counts(db) == before, "a refused form changed nothing"
    finally:
        db.conn.close()
