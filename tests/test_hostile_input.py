"""Hostile and broken input: hypothesis posts random and malicious values to
every form of the app and every query-string filter.

Each answer must be one of: a 4xx that says what is wrong, or the value stored and shown safely
escaped. Never a 500; never a raw `<script>` from the input in a page; a refused form changes
nothing, and an answer saved before garbage arrives is still there, unchanged.

Every POST rule in the URL map needs a row in FORMS (or a test of its own, SPECIAL), and every
GET rule a row in QUERIES or a place in NO_QUERY: a new form without a hostile-input strategy
fails `test_every_form_has_a_hostile_input_strategy` by name.

The database is a copy of the sample council (tests/samples.py), put back before every example (a
file copy: the app opens its connection per request). Roles are signed in by putting their id in
the session (`sign_in_as`), so no example spends its time hashing passwords.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from html import unescape as html_unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import werkzeug.urls  # noqa: F401  registers the "werkzeug.url_quote" error handler
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from werkzeug.exceptions import default_exceptions
from werkzeug.routing import IntegerConverter

from assess import demo, store
from assess.assessment.forms import MAX_TEXT, Names
from assess.web.app import create_app
from tests.conftest import PEOPLE, Page, csrf_token, running_renderer, sign_in_as
from tests.samples import SampleCouncil

# --- what hostile input looks like --------------------------------------------------------------

XSS = (
    '<script>alert("xss")</script>',
    '"><img src=x onerror=alert(1)>',
    "</textarea><script>alert(2)</script>",
    "<svg/onload=alert(3)>",
    "' onmouseover='alert(4)",
    '" onfocus="alert(5)" autofocus="',
    "<b>bold</b> &amp; &lt;",
    "{{ 7*7 }} {% raw %}",
)
# What any of XSS would look like in a page that failed to escape it.
UNESCAPED = (
    "<script>alert",
    "<img src=x onerror",
    "<svg/onload",
    "onmouseover='alert",
    'onfocus="alert',
    "<b>bold</b>",
)
CONTROL = ("\x00", "\r", "\r\n", "\n\n", "\t", "\x0b\x0c", "\x1b[31m", "\x7f", "\x85", "\u2028")
SCRIPTS = (
    "مرحبا بالعالم",  # Arabic
    "漢字テスト",  # CJK
    "🏳️‍🌈👩🏽‍💻",  # emoji with joiners and modifiers
    "e\u0301\u0301\u0301",  # combining marks
    "\u202egnp.exe",  # right-to-left override
    "\u200b\ufeff",  # zero-width space and byte order mark
    "Ｆｕｌｌｗｉｄｔｈ",
)
# Bytes a client can send that are not UTF-8: a lone surrogate, an overlong slash, Latin-1.
BROKEN_UTF8 = (b"\xed\xa0\x80", b"\xff\xfe", b"\xc0\xaf", b"caf\xe9")
ONE_MB = (("x" * 1000 + "<script>alert(1)</script> مرحبا 漢字 ") * 1000)[:1_000_000]

pieces = st.one_of(st.sampled_from(XSS + CONTROL + SCRIPTS), st.text(max_size=12))
HOSTILE_TEXT = st.one_of(
    st.lists(pieces, min_size=1, max_size=4).map("".join),
    st.sampled_from(BROKEN_UTF8).map(lambda raw: b"ok " + raw + b" <script>alert(9)</script>"),
    st.just(""),
)
# What a number, a choice or a date part might be instead of what the page offers.
HOSTILE_CHOICE = st.one_of(
    st.sampled_from(
        ["-1", "0", "6", "99", "1.5", "1e9", "9" * 30, "NaN", " 3", "3\x00", "٣", "３", "²", "na"]
    ),
    HOSTILE_TEXT,
)


class Absent:
    """A field the post leaves out."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent()


def received(value: str | bytes) -> str:
    """What the app reads for a value sent: Werkzeug leaves bytes that are not UTF-8 as they
    were sent, percent-escaped (its "werkzeug.url_quote" error handler)."""
    if isinstance(value, str):
        return value
    return parse_qsl(urlencode([("x", value)]), True, errors="werkzeug.url_quote")[0][1]


def words(text: str) -> str:
    """Text as a reader sees it on a page: runs of white space are one space."""
    return " ".join(text.split())


def text_field(valid: str) -> st.SearchStrategy:
    return st.one_of(st.just(valid), HOSTILE_TEXT, HOSTILE_TEXT, st.just(ABSENT))


def choice_field(valid: str | list[str]) -> st.SearchStrategy:
    if isinstance(valid, list):  # a multiple choice: several values, or junk ones
        return st.one_of(
            st.just(valid),
            st.just(valid),
            st.lists(HOSTILE_CHOICE, max_size=3),
            st.just(ABSENT),
        )
    return st.one_of(st.just(valid), st.just(valid), HOSTILE_CHOICE, st.just(ABSENT))


UNKNOWN_FIELDS = st.dictionaries(
    st.one_of(st.sampled_from(["unknown", "csrf_token2", "status", "id", "user_id"]), st.text()),
    HOSTILE_TEXT,
    max_size=2,
)


def encode(fields: dict) -> str:
    """A urlencoded body as a browser (or anyone) could send it; lists repeat the name."""
    pairs = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            if one is not ABSENT:
                pairs.append((name, one))
    return urlencode(pairs)


# --- the council every example starts from ------------------------------------------------------

# The roles as this module names them, and as PEOPLE (tests/conftest.py) names them.
ROLES = {
    "lead": "team_lead",  # Priya, team lead of Housing Needs
    "other_lead": "other_team_lead",
    "bi": "business_improvement",
    "auditor": "auditor",
    "admin": "administrator",
}


@dataclass
class Council:
    app: Flask
    sample: SampleCouncil
    ids: dict
    users: dict[str, int]
    bearer: dict[str, str]
    clients: dict = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return Path(self.app.config["DATABASE_PATH"])

    def reset(self) -> None:
        """The prepared database, as it was before any example changed it."""
        self.sample.reset(self.app)

    def connect(self):
        return closing(store.connect(self.path))

    def client(self, role: str):
        """A client signed in as the role (anonymous: none), and its CSRF token. One kept per
        role, but a new one each time for "leaving" (a lead about to sign out)."""
        if role not in self.clients or role == "leaving":
            client = self.app.test_client()
            if role != "anonymous":
                sign_in_as(client, self.users["lead" if role == "leaving" else role])
            self.clients[role] = (client, csrf_token(client.get("/sign-in").get_data(True)))
        return self.clients[role]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, sample_council: SampleCouncil) -> Iterator[Council]:
    """The sample council (tests/samples.py): Housing Needs' draft answers every statement, so
    its check page can submit; Sam, of business improvement, has a risk proposed to him."""
    app = sample_council.app_in(tmp_path_factory.mktemp("hostile"))
    users = {short: sample_council.users[role] for short, role in ROLES.items()}
    bearer = {short: sample_council.tokens[role] for short, role in ROLES.items()}
    ids = {
        **sample_council.ids,
        "assessment_id": sample_council.ids["draft_id"],
        "proposed_risk_id": sample_council.ids["risk_proposed_to_sam_id"],
        "user_id": users["other_lead"],
        "team_ids": [str(t) for t in sample_council.ids["team_ids"]],
    }
    with running_renderer(app, ahead=False):
        yield Council(app, sample_council, ids, users, bearer)


@pytest.fixture
def council(prepared) -> Council:
    prepared.reset()
    return prepared


# --- what every answer owes the user ------------------------------------------------------------


def assert_escaped(response, where: str) -> None:
    html = response.get_data(as_text=True)
    for raw in UNESCAPED:
        assert raw not in html, f"{where}: {raw!r} reached the page unescaped"


def assert_says_why(response, where: str) -> None:
    """A refusal names what is wrong: an error summary, a JSON error, or the app's own words."""
    status = response.status_code
    if response.is_json:
        assert response.get_json().get("error"), where
        return
    html = response.get_data(as_text=True)
    if "govuk-error-summary" in html:
        assert re.search(r'govuk-error-summary__title">\s*\S', html), f"{where}: no title"
        assert re.search(r'govuk-error-summary__list">\s*<li>\s*(<a href="#[^"]+">)?\s*\S', html), (
            f"{where}: the error summary lists no message"
        )
        return
    page = Page(html)
    assert page.text, f"{where}: {status} with an empty page"
    generic = default_exceptions[status].description if status in default_exceptions else None
    if status in (400, 413, 422):
        assert generic is None or words(generic) not in page.text, (
            f"{where}: {status} says only the generic {generic!r}; say what is wrong"
        )


def assert_stays_on_this_site(location: str, where: str) -> None:
    """Browsers drop tabs and newlines from a URL and read a backslash as a slash."""
    seen = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    parts = urlsplit(seen)
    # Two right answers: a path ("/rounds/") or this site's own address ("http://localhost/").
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), (
        f"{where}: redirects off the site to {location!r}"
    )


def answer(client, response, where: str):
    """Check a response, follow a redirect to the page it leads to, check that too."""
    assert response.status_code < 500, f"{where}: {response.status_code}"
    assert_escaped(response, where)
    if 400 <= response.status_code < 500:
        assert_says_why(response, where)
    if response.status_code in (301, 302, 303):
        assert_stays_on_this_site(response.location, where)
        landed = client.get(response.location)
        assert landed.status_code < 500, f"{where}: the page after it, {response.location}"
        assert_escaped(landed, f"{where}, then {response.location}")
        return landed
    return response


@dataclass
class Writes:
    """Whether anyone wrote to the database meanwhile: PRAGMA data_version of a connection of
    our own moves when another connection (the app's) commits a change."""

    council: Council

    def __enter__(self):
        self.conn = sqlite3.connect(self.council.path)
        self.before = self.now()
        return self

    def now(self) -> int:
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def changed(self) -> bool:
        return self.now() != self.before

    def __exit__(self, *exc):
        self.conn.close()


HYPOTHESIS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "derandomize": True,
}


# --- the forms ----------------------------------------------------------------------------------

TEAM = "/teams/{team_id}/rounds/{round_id}"
TEAM_RULE = "/teams/<int:team_id>/rounds/<int:round_id>"
REVIEW = "/rounds/{round_id}/teams/{submitted_team_id}"
DATE = {"day": "30", "month": "6", "year": "2030"}


def date_fields(prefix: str) -> dict[str, str]:
    """A GOV.UK date input's three fields, holding 30 June 2030."""
    return {f"{prefix}_{part}": value for part, value in DATE.items()}


@dataclass(frozen=True)
class Form:
    """One form: who posts it where, a post that is accepted, and which of its fields are free
    text (shown back to readers on `shows`). Every other field is a choice, number or date."""

    role: str
    path: str
    valid: dict
    text: tuple[str, ...] = ()
    shows: tuple[str, ...] = ()
    accepted: tuple[int, ...] = (302,)
    examples: int = 8
    page: str = ""  # the page whose hidden fields (besides the CSRF token) a post sends back
    sample: str = f"{XSS[0]} {SCRIPTS[0]} {SCRIPTS[4]}"  # markup a text field is known to take
    shown_if: Callable[[dict], bool] = lambda fields: True  # when `text` is shown at all


def risk_fields() -> dict:
    return {
        "ref": "R-HOSTILE",
        "title": "Data breach",
        "cause": "Weak controls",
        "event": "Personal data is lost",
        "consequence": "Fines and harm",
        "category": "Information",
        "owner": "Sam Okafor",
        **date_fields("raised_on"),
        **{
            f"{stage}_{axis}": "3"
            for stage in ("inherent", "current", "target")
            for axis in ("likelihood", "impact")
        },
        "response": "Treat",
        "controls": "Training",
        **date_fields("next_review_on"),
    }


RISK_TEXT = ("ref", "title", "cause", "event", "consequence", "category", "owner", "controls")


def eqia_fields() -> dict:
    groups = {f"g{i}-impact": "Neutral" for i in range(16)}
    return {
        "ref": "EQ-HOSTILE",
        "title": "Library opening hours",
        "workstream": "Libraries",
        "lead_officer": "Sam Okafor",
        "screening_outcome": "No full assessment needed",
        "evidence": "Footfall survey",
        "consultation": "Residents panel",
        "overall_outcome": "Proceed",
        "signed_off_by": "Director",
        **date_fields("review_on"),
        **groups,
        "g0-impact": "Negative",
        "g0-severity": "Low",
        "g0-evidence": "Older residents visit in the morning",
        "g0-mitigation": "Keep Tuesday mornings",
    }


EQIA_TEXT = (
    "ref", "title", "workstream", "lead_officer", "evidence", "consultation", "overall_outcome",
    "signed_off_by", "g0-evidence", "g0-mitigation",
)  # fmt: skip
REGISTER_ACTION = {"what": "Run phishing training", "owner": "IT lead", **date_fields("due_on")}
INDICATOR = {
    "ref": "PI-HOSTILE",
    "name": "Calls answered within two minutes",
    "definition": "Calls answered by an officer within two minutes, from the telephony system",
    "unit": "%",
    "direction": "higher",
    "owner": "Contact Centre Manager",
    "readiness_area": "citizen-centred-culture",
    "team": "{team_id}",
    "baseline": "71.5",
    "baseline_period": "2022/23",
}
INDICATOR_TEXT = ("ref", "name", "definition", "unit", "owner")
INDICATOR_VALUE = {
    "period": "2024/25 Q2",
    "group": "",
    "other_group": "Residents over 75",
    "value": "71.5",
    "target": "80",
    "note": "Gov-Metric ratings by age",
}
CORPORATE_ACTION = {
    "ref": "CEX-HOSTILE",
    "title": "Translate the top ten webforms",
    "readiness_area": "digital-access",
    "strand": "inclusive-access",
    "lead_officer": "Digital Services Manager",
    "lead_member": "Cllr Nigel Chapman",
    "rag": "amber",
    "rag_reason": "Waiting for the translation contract",
    "source": "risk:{risk_id}",
}
CORPORATE_ACTION_TEXT = ("ref", "title", "lead_officer", "lead_member", "rag_reason")
PLAN = "/programme/plan/{corporate_action_id}"
RECOMMENDATION = {
    "committee": "Scrutiny Committee",
    "report_title": "Citizen Experience Strategy",
    "meeting_on": "31/12/2024",
    "received_on": "31/12/2024",
    "recommendation": "That the Council publishes its complaints figures each quarter.",
    "lead_member": "Cllr Nigel Chapman",
    "response": "accepted",
    "response_reason": "We will, from April.",
    "responded_on": "1/2/2025",
    "corporate_action": "{corporate_action_id}",
    "timescale": "From April",
}
RECOMMENDATION_TEXT = (
    "committee",
    "report_title",
    "recommendation",
    "lead_member",
    "response_reason",
    "timescale",
)

FORMS: dict[str, Form] = {
    "/sign-out": Form("leaving", "/sign-out", {}, examples=4),
    TEAM_RULE + "/check": Form("lead", TEAM + "/check", {"confirm": "y"}, page=TEAM + "/check"),
    TEAM_RULE + "/actions/new": Form(
        "lead",
        TEAM + "/actions/new?statement={statement_key}",
        {"what": "Publish our standards", "owner": "Priya", **date_fields("due")},
        text=("what", "owner"),
        shows=(TEAM + "/results",),
    ),
    TEAM_RULE + "/actions/<int:action_id>": Form(
        "lead",
        TEAM + "/actions/{action_id}",
        {
            "what": "Publish our standards",
            "owner": "Priya",
            **date_fields("due"),
            "status": "done",
            "evidence_of_change": "Standards on the intranet",
        },
        text=("what", "owner", "evidence_of_change"),
        shows=(TEAM + "/results",),
    ),
    TEAM_RULE + "/targets": Form(
        "lead", TEAM + "/targets", {"{member}": "4"}, shows=(TEAM + "/results",)
    ),
    TEAM_RULE + "/readiness-review/<area>": Form(
        "lead",
        TEAM + "/readiness-review/digital-access",
        {
            "answer-pay-online": "yes",
            "note-pay-online": "Payments page; 84% paid online last quarter",
            "action": "later",
        },
        text=("note-pay-online",),
        shows=(TEAM + "/readiness-review/",),
    ),
    TEAM_RULE + "/staff/email": Form(
        "lead",
        TEAM + "/staff/email",
        {"addresses": "ana.silva@council.example\nben.cole@council.example"},
        examples=12,
    ),
    TEAM_RULE + "/staff/codes": Form(
        "lead", TEAM + "/staff/codes", {"count": "3"}, accepted=(200,)
    ),
    TEAM_RULE + "/staff/remind": Form("lead", TEAM + "/staff/remind", {}, examples=4),
    "/rounds/<int:round_id>/staff-codes": Form(
        "bi", "/rounds/{round_id}/staff-codes", {"count": "2"}, accepted=(200,), examples=6
    ),
    "/rounds/new": Form(
        "bi",
        "/rounds/new",
        {
            "name": "2025/26",
            **date_fields("opens"),
            "closes_day": "1",
            "closes_month": "12",
            "closes_year": "2030",
            "questionnaire": "{questionnaire}",
            "teams": "{team_ids}",
        },
        text=("name",),
        shows=("/rounds/",),
        sample=f"{XSS[3]} {SCRIPTS[1]}",  # a round's name is at most 40 characters
    ),
    "/rounds/<int:round_id>/status": Form(
        "bi", "/rounds/{round_id}/status", {"status": "closed"}, examples=8
    ),
    "/rounds/<int:round_id>/reminders": Form("bi", "/rounds/{round_id}/reminders", {}, examples=4),
    "/rounds/<int:round_id>/teams/<int:team_id>/remind": Form(
        "bi", "/rounds/{round_id}/teams/{team_id}/remind", {}, examples=4
    ),
    "/rounds/<int:round_id>/teams/<int:team_id>/return": Form(
        "bi",
        REVIEW + "/return",
        {"comment": "Add evidence for statement 3"},
        text=("comment",),
        shows=(REVIEW,),
    ),  # fmt: skip
    "/rounds/<int:round_id>/teams/<int:team_id>/sign-off": Form(
        "bi", REVIEW + "/sign-off", {}, examples=4
    ),
    "/rounds/<int:round_id>/teams/<int:team_id>/moderate/<statement_key>": Form(
        "bi",
        REVIEW + "/moderate/{moderated_key}",
        {"level": "2", "reason": "The evidence shows one service, not all"},
        text=("reason",),
        shows=(REVIEW,),
        shown_if=lambda fields: fields.get("level") in list("12345"),  # no level: no reason
    ),
    "/registers/risks/new": Form(
        "bi", "/registers/risks/new", risk_fields(), text=RISK_TEXT, examples=12
    ),
    "/registers/risks/<int:risk_id>/edit": Form(
        "bi", "/registers/risks/{risk_id}/edit", risk_fields(), text=RISK_TEXT, examples=12
    ),
    "/registers/risks/propose": Form(
        "bi",
        "/registers/risks/propose",
        {"target": "{target}", "round_id": "{previous_round_id}", "team_id": "{team_id}"},
    ),
    "/registers/risks/<int:risk_id>/accept": Form(
        "bi", "/registers/risks/{proposed_risk_id}/accept", {}, examples=4
    ),
    "/registers/risks/<int:entry_id>/links": Form(
        "bi", "/registers/risks/{risk_id}/links", {"target": "{target}"}, examples=8
    ),
    "/registers/risks/<int:entry_id>/links/<int:link_id>/remove": Form(
        "bi", "/registers/risks/{risk_id}/links/{risk_link_id}/remove", {}, examples=4
    ),
    "/registers/risks/<int:entry_id>/actions/new": Form(
        "bi",
        "/registers/risks/{risk_id}/actions/new",
        {**REGISTER_ACTION, "status": "in_progress"},
        text=("what", "owner"),
    ),
    "/registers/eqias/new": Form(
        "bi", "/registers/eqias/new", eqia_fields(), text=EQIA_TEXT, examples=12
    ),
    "/registers/eqias/<int:eqia_id>/edit": Form(
        "bi", "/registers/eqias/{eqia_id}/edit", eqia_fields(), text=EQIA_TEXT, examples=12
    ),
    "/registers/eqias/prompts/<int:prompt_id>": Form(
        "bi",
        "/registers/eqias/prompts/{prompt_id}",
        {"outcome": "Reviewed with the equalities officer", "back": "/registers/eqias"},
        text=("outcome",),
        shows=("/registers/eqias/{eqia_id}",),
    ),
    "/registers/eqias/<int:entry_id>/links": Form(
        "bi", "/registers/eqias/{eqia_id}/links", {"target": "{target}"}, examples=8
    ),
    "/registers/eqias/<int:entry_id>/links/<int:link_id>/remove": Form(
        "bi", "/registers/eqias/{eqia_id}/links/{eqia_link_id}/remove", {}, examples=4
    ),
    "/registers/eqias/<int:entry_id>/actions/new": Form(
        "bi",
        "/registers/eqias/{eqia_id}/actions/new",
        {**REGISTER_ACTION, "status": "not_started"},
        text=("what", "owner"),
    ),
    "/registers/risks/<int:risk_id>/decline": Form(
        "bi",
        "/registers/risks/{proposed_risk_id}/decline",
        {"reason": "I do not own housing allocations"},
        text=("reason",),
    ),  # fmt: skip
    "/registers/risks/<int:entry_id>/actions/<int:register_action_id>": Form(
        "bi",
        "/registers/risks/{risk_id}/actions/{risk_action_id}",
        {**REGISTER_ACTION, "status": "done", "completion_note": "Everyone trained"},
        text=("what", "owner", "completion_note"),
    ),
    "/registers/eqias/<int:entry_id>/actions/<int:register_action_id>": Form(
        "bi",
        "/registers/eqias/{eqia_id}/actions/{eqia_action_id}",
        {**REGISTER_ACTION, "status": "in_progress", "completion_note": ""},
        text=("what", "owner", "completion_note"),
    ),
    "/registers/risks/<int:entry_id>/actions/<int:register_action_id>/done": Form(
        "bi",
        "/registers/risks/{risk_id}/actions/{risk_action_id}/done",
        {"completion_note": "Everyone trained"},
        text=("completion_note",),
    ),  # fmt: skip
    "/registers/eqias/<int:entry_id>/actions/<int:register_action_id>/done": Form(
        "bi",
        "/registers/eqias/{eqia_id}/actions/{eqia_action_id}/done",
        {"completion_note": "Everyone trained"},
        text=("completion_note",),
    ),  # fmt: skip
    "/programme/indicators/new": Form(
        "bi",
        "/programme/indicators/new",
        INDICATOR,
        text=INDICATOR_TEXT,
        examples=12,
        sample=f"{XSS[3]} {SCRIPTS[1]}",  # a reference and a unit are at most 40 characters
    ),
    "/programme/indicators/<int:indicator_id>/edit": Form(
        "bi",
        "/programme/indicators/{indicator_id}/edit",
        INDICATOR,
        text=INDICATOR_TEXT,
        examples=12,
        sample=f"{XSS[3]} {SCRIPTS[1]}",
    ),
    "/programme/indicators/<int:indicator_id>/values": Form(
        "bi",
        "/programme/indicators/{indicator_id}/values",
        INDICATOR_VALUE,
        text=("other_group", "note"),
        examples=12,
    ),
    "/programme/prompts/<int:indicator_prompt_id>": Form(
        "bi",
        "/programme/prompts/{indicator_prompt_id}",
        {"outcome": "Reviewed with the equalities officer", "back": "/registers/eqias"},
        text=("outcome",),
        shows=("/registers/eqias",),
    ),
    "/programme/plan/new": Form(
        "bi",
        "/programme/plan/new",
        CORPORATE_ACTION,
        text=CORPORATE_ACTION_TEXT,
        examples=12,
        sample=f"{XSS[3]} {SCRIPTS[1]}",  # a reference is at most 40 characters
    ),
    "/programme/plan/<int:corporate_action_id>/edit": Form(
        "bi",
        PLAN + "/edit",
        CORPORATE_ACTION,
        text=CORPORATE_ACTION_TEXT,
        examples=12,
        sample=f"{XSS[3]} {SCRIPTS[1]}",
    ),
    "/programme/plan/<int:corporate_action_id>/milestones": Form(
        "bi",
        PLAN + "/milestones",
        {"title": "Leaflets in every larder", "due_on": "31/3/2025"},
        text=("title",),
    ),  # fmt: skip
    "/programme/plan/<int:corporate_action_id>/milestones/<int:milestone_id>/done": Form(
        "bi", PLAN + "/milestones/{milestone_id}/done", {"done_on": "1/4/2025"}
    ),  # fmt: skip
    "/programme/plan/<int:corporate_action_id>/notes": Form(
        "bi",
        PLAN + "/notes",
        {"noted_on": "25/9/2024", "note": "Leaflets printed", "rag": "red", "rag_reason": "Late"},
        text=("note", "rag_reason"),
    ),
    "/programme/plan/<int:corporate_action_id>/serving": Form(
        "bi", PLAN + "/serving", {"improvement_action": "{submitted_action_id}"}
    ),  # fmt: skip
    "/programme/plan/<int:corporate_action_id>/serving/<int:improvement_action_id>/remove": Form(
        "bi", PLAN + "/serving/{improvement_action_id}/remove", {}
    ),  # fmt: skip
    "/programme/scrutiny/new": Form(
        "bi", "/programme/scrutiny/new", RECOMMENDATION, text=RECOMMENDATION_TEXT, examples=12
    ),  # fmt: skip
    "/programme/scrutiny/<int:recommendation_id>/edit": Form(
        "bi",
        "/programme/scrutiny/{recommendation_id}/edit",
        RECOMMENDATION,
        text=RECOMMENDATION_TEXT,
        examples=12,
    ),
    "/audit/tokens": Form(
        "auditor",
        "/audit/tokens",
        {"name": "Audit notebook"},
        text=("name",),
        shows=("/audit/tokens",),
        accepted=(200,),
    ),  # fmt: skip
    "/audit/tokens/<int:token_id>/revoke": Form(
        "auditor", "/audit/tokens/{token_id}/revoke", {}, examples=4
    ),
    "/audit/rounds/<int:round_id>/pack": Form(
        "bi", "/audit/rounds/{previous_round_id}/pack", {}, examples=3
    ),
    "/admin/users/new": Form(
        "admin",
        "/admin/users/new",
        {
            "name": "Ada Lovelace",
            "email": "ada.lovelace@council.example",
            "password": "a long temporary password",
            "role": "auditor",
            "teams": "{team_ids}",
            "active": "y",
        },
        text=("name",),
        shows=("/admin/",),
    ),
    "/admin/users/<int:user_id>": Form(
        "admin",
        "/admin/users/{user_id}",
        {"role": "team_lead", "teams": "{team_ids}", "active": "y"},
        shows=("/admin/",),
    ),
    "/admin/users/<int:user_id>/password": Form(
        "admin",
        "/admin/users/{user_id}/password",
        {"password": "a new temporary password"},
        examples=4,
    ),
    "/admin/teams/new": Form(
        "admin",
        "/admin/teams/new",
        {"name": "Libraries", "directorate": "{directorate_id}"},
        text=("name",),
        shows=("/admin/",),
    ),
    "/admin/teams/<int:team_id>": Form(
        "admin",
        "/admin/teams/{team_id}",
        {"name": "Housing Needs and Advice", "directorate": "{directorate_id}"},
        text=("name",),
        shows=("/admin/",),
    ),
    "/admin/directorates/new": Form(
        "admin",
        "/admin/directorates/new",
        {"name": "Adult Social Care", "lead": "{user_id}"},
        text=("name",),
        shows=("/admin/",),
    ),
    "/admin/directorates/<int:directorate_id>": Form(
        "admin",
        "/admin/directorates/{directorate_id}",
        {"name": "Housing", "lead": "0"},
        text=("name",),
        shows=("/admin/",),
    ),
}
# POST rules with a hostile-input test of their own below.
SPECIAL = {
    TEAM_RULE
    + "/readiness-review/": "test_completing_a_review_reads_no_field_and_needs_every_check",
    "/sign-in": "test_sign_in_survives_hostile_credentials_and_next_addresses",
    "/sign-in/oidc": "test_oidc.py::"
    "test_starting_a_sign_in_keeps_only_a_page_of_this_site_to_go_to",
    TEAM_RULE + "/sections/<section>": "test_a_section_keeps_saved_answers_whatever_is_posted",
    "/registers/import": "test_an_import_of_garbage_files_is_refused_and_imports_nothing",
    # a staff member's posts need a started response's cookie, and a wrong code is counted
    "/staff/": "test_staff_responses.py::test_the_code_form_answers_hostile_codes_without_a_500",
    "/staff/answers/<section>": "test_staff_responses.py::"
    "test_a_staff_section_keeps_what_is_valid_whatever_is_posted",
    "/staff/answers/check": "test_staff_responses.py::test_hostile_posts_to_submit_change_nothing",
    "/staff/<token>": "test_staff_responses.py::test_a_link_answers_hostile_secrets_without_a_500",
    "/programme/import": "test_programme_import.py::"
    "test_an_import_of_garbage_figures_files_is_refused_and_imports_nothing",
    "/programme/plan/import": "test_programme_plan.py::"
    "test_an_import_of_garbage_action_plan_files_is_refused_and_imports_nothing",
}


def filled(template, ids: dict):
    """A value with its {placeholders} from the prepared ids ({team_ids} becomes a list)."""
    if isinstance(template, str) and template.startswith("{") and template.endswith("}"):
        value = ids.get(template[1:-1], template)
        return [str(v) for v in value] if isinstance(value, list) else str(value)
    if isinstance(template, str):
        return template.format(**ids)
    return template


def hidden_fields(council: Council, role: str, path: str) -> dict[str, str]:
    """The hidden inputs of a page's form, but the CSRF token (each post sends its own)."""
    client, _ = council.client(role)
    html = client.get(path).get_data(as_text=True)
    found = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", html):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and name.group(1) != "csrf_token":
            found[name.group(1)] = html_unescape(value.group(1)) if value else ""
    return found


def valid_post(council: Council, form: Form) -> dict:
    ids = council.ids
    post = hidden_fields(council, form.role, form.page.format(**ids)) if form.page else {}
    for name, value in form.valid.items():
        if name == "{member}":
            post.update({member: value for member in ids["member_keys"]})
        else:
            post[name] = filled(value, ids)
    return post


def post_strategy(council: Council, form: Form) -> st.SearchStrategy[dict]:
    """Each field valid, hostile or left out; maybe a field the form does not have; and maybe
    one field (only one: it is slow) given a megabyte of text."""
    valid = valid_post(council, form)
    fields = st.fixed_dictionaries(
        {
            name: text_field(value) if name in form.text else choice_field(value)
            for name, value in valid.items()
        }
    )
    huge = st.one_of(st.none(), st.none(), st.none(), st.sampled_from([*valid, "unknown"]))

    def combine(drawn):
        posted, unknown, huge_field = drawn
        posted = {**unknown, **posted}
        if huge_field:
            posted[huge_field] = ONE_MB
        return posted

    return st.tuples(fields, UNKNOWN_FIELDS, huge).map(combine)


def post(council: Council, role: str, path: str, fields: dict):
    client, token = council.client(role)
    body = encode({**fields, "csrf_token": token})
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    return client, response


def check_form(council: Council, rule: str, fields: dict):
    """Post the fields; check the answer and, if they were accepted, the pages that show them."""
    form = FORMS[rule]
    ids = council.ids
    path = form.path.format(**ids)
    where = f"POST {path} {sorted(fields)}"
    with Writes(council) as writes:
        client, response = post(council, form.role, path, fields)
        refused = 400 <= response.status_code < 500
        wrote = writes.changed()
    shown = answer(client, response, where)
    if refused:
        assert not wrote, f"{where}: refused with {response.status_code} but changed the database"
    if response.status_code not in form.accepted:
        return response
    # Accepted: the free text it stored is on the page that shows it, escaped, as it was typed.
    pages = [shown] + [client.get(p.format(**ids)) for p in form.shows]
    for page in pages:
        assert page.status_code == 200, f"{where}: the page that shows it: {page.status_code}"
        assert_escaped(page, where)
    for name in form.text if form.shown_if(fields) else ():
        value = fields.get(name, ABSENT)
        if value is ABSENT or not words(received(value)):
            continue
        text = words(received(value))
        assert any(text in Page(p.get_data(as_text=True)).text for p in pages), (
            f"{where}: {name} was accepted but is not shown as typed: {text[:80]!r}"
        )
    return response


@pytest.mark.parametrize("rule", list(FORMS))
def test_a_form_shows_what_it_accepts_escaped(council, rule):
    """One post with markup and mixed scripts in every text field, all else valid: stored and
    shown, escaped (so the property test below is known to reach the storing branch)."""
    form = FORMS[rule]
    fields = valid_post(council, form)
    for name in form.text:
        fields[name] = f"{fields[name]} {form.sample}"
    response = check_form(council, rule, fields)
    assert response.status_code in form.accepted, Page(response.get_data(as_text=True)).text


@pytest.mark.parametrize("rule", list(FORMS))
def test_a_form_answers_hostile_posts_with_a_clear_4xx_or_stores_them_safely(council, rule):
    form = FORMS[rule]

    @settings(max_examples=form.examples, **HYPOTHESIS)
    @given(fields=post_strategy(council, form))
    def run(fields):
        council.reset()
        check_form(council, rule, fields)

    run()


# --- where a post redirects: only ever to this site ---------------------------------------------

REDIRECTS = (
    "//evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "/%0d%0aSet-Cookie:%20a=b",
    "/ok\r\nSet-Cookie: a=b",
    " //evil.example/",
)


@settings(max_examples=12, **HYPOTHESIS)
@given(
    email=st.one_of(st.just(PEOPLE["team_lead"]), st.sampled_from(XSS), HOSTILE_TEXT),
    password=st.one_of(st.just(demo.DEMO_PASSWORD), HOSTILE_TEXT, st.just(ABSENT)),
    after=st.one_of(st.just(ABSENT), st.just("/rounds/"), st.sampled_from(REDIRECTS), HOSTILE_TEXT),
)
def test_sign_in_survives_hostile_credentials_and_next_addresses(prepared, email, password, after):
    """A wrong or hostile sign-in is a 400 that says why; a right one goes to `next` only when
    `next` is a page of this site, however the browser would read it."""
    prepared.reset()
    client = prepared.app.test_client()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    path = "/sign-in" + ("" if after is ABSENT else "?" + urlencode([("next", after)]))
    body = encode({"email": email, "password": password, "csrf_token": token})
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    landed = answer(client, response, f"POST {path!r} as {email!r}")  # never off this site
    if response.status_code == 302:
        assert email == PEOPLE["team_lead"] and password == demo.DEMO_PASSWORD
        if after is ABSENT:
            assert response.location == "/" and landed.status_code == 200
        elif after == "/rounds/":
            assert response.location == "/rounds/"
    else:
        # One post on a fresh database: never throttled (that takes SIGN_IN_MAX_FAILURES).
        assert response.status_code == 400
        assert "There is a problem" in Page(response.get_data(as_text=True)).text


def test_sign_in_never_sends_the_user_off_the_site(prepared):
    """Every known open-redirect trick in `next`, each with the right password."""
    for after in REDIRECTS:
        client = prepared.app.test_client()
        token = csrf_token(client.get("/sign-in").get_data(as_text=True))
        response = client.post(
            "/sign-in?" + urlencode([("next", after)]),
            data={"email": PEOPLE["auditor"], "password": demo.DEMO_PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302, (after, response.status_code)
        assert_stays_on_this_site(response.location, f"next={after!r}")


# --- a team's section: what was saved before survives garbage -----------------------------------


def section_rows(council: Council, keys: list[str]) -> dict[str, dict]:
    with council.connect() as db:
        assessment_id = council.ids["assessment_id"]
        rows = {a["statement_key"]: a for a in store.answers_of(db, assessment_id)}
    fields = ("level", "not_applicable", "not_applicable_reason", "evidence", "move_up")
    return {k: {f: rows[k][f] for f in fields} if k in rows else None for k in keys}


def clean(value) -> str:
    return received(value).replace("\r\n", "\n").strip()


def statement_post(key: str) -> st.SearchStrategy[dict]:
    names = Names.of(key)
    return st.fixed_dictionaries(
        {
            names.level: st.one_of(
                st.sampled_from(["1", "4", "na"]), HOSTILE_CHOICE, st.just(ABSENT)
            ),
            names.reason: text_field("We have no such service"),
            names.evidence: text_field("Monthly report"),
            names.move_up: text_field("Quarterly reviews"),
        }
    )


@settings(max_examples=8, **HYPOTHESIS)
@given(
    fields=st.dictionaries(
        st.sampled_from(["answer-pay-online", "note-pay-online", "action", "bogus"]),
        st.one_of(st.just("yes"), HOSTILE_TEXT),
        max_size=3,
    )
)
def test_completing_a_review_reads_no_field_and_needs_every_check(council, fields):
    """ "Complete the review" takes no answers: with checks unanswered, whatever is posted is
    refused (400) and nothing is written."""
    url = TEAM.format(**council.ids) + "/readiness-review/"
    client, _ = council.client("lead")
    with Writes(council) as writes:
        _, response = post(council, "lead", url, fields)
        wrote = writes.changed()
    assert response.status_code == 400 and not wrote
    assert "Answer check 1" in Page(response.get_data(as_text=True)).text


def test_a_section_keeps_saved_answers_whatever_is_posted(council, cex):
    """Save a valid answer to every statement of a section, post garbage, and read back: each
    statement's answer (its level, or not applicable with the reason) and each of its other texts
    is stored as sent or, refused (a level not on the scale, text too long, a level with a
    reason, not applicable without one), kept as it was saved; the pages that show answers escape
    them."""
    ids = council.ids
    statements = cex.statements_in(ids["dimension"], ids["section"])
    keys = [s.key for s in statements]
    url = TEAM.format(**ids) + f"/sections/{ids['section']}"
    saved_first = {
        **{Names.of(k).level: "2" for k in keys},
        **{Names.of(k).evidence: f"Saved before {XSS[0]} {SCRIPTS[1]}" for k in keys},
    }
    garbage = st.tuples(
        st.tuples(*(statement_post(k) for k in keys)),
        st.dictionaries(
            st.sampled_from(["bogus-level", "bogus-evidence", f"{keys[0]}-level-x", "level"]),
            st.one_of(st.just("3"), HOSTILE_TEXT),
            max_size=2,
        ),
        st.sampled_from(["continue", "later", ABSENT, "<script>alert(1)</script>"]),
        st.one_of(st.none(), st.none(), st.sampled_from(keys)),
    )

    @settings(max_examples=16, **HYPOTHESIS)
    @given(garbage)
    def run(drawn):
        per_statement, unknown, action, huge = drawn
        council.reset()
        client, _ = council.client("lead")
        first = post(council, "lead", url, {**hidden_fields(council, "lead", url), **saved_first})
        assert first[1].status_code == 302, Page(first[1].get_data(as_text=True)).text[:500]
        before = section_rows(council, keys)
        fields = {**unknown, "action": action, **hidden_fields(council, "lead", url)}
        for one_statement in per_statement:
            fields.update(one_statement)
        if huge:
            fields[Names.of(huge).evidence] = ONE_MB
        _, response = post(council, "lead", url, fields)
        answer(client, response, f"POST {url} {fields}"[:2000])
        after = section_rows(council, keys)
        answer_columns = ("level", "not_applicable", "not_applicable_reason")
        for key in keys:
            if response.status_code not in (200, 302, 400):
                assert after[key] == before[key], f"statement {key}: refused, but it changed"
                continue
            names = Names.of(key)
            level = fields.get(names.level, ABSENT)
            level = "" if level is ABSENT else received(level)
            sent = {
                column: "" if fields.get(name, ABSENT) is ABSENT else clean(fields[name])
                for column, name in (
                    ("not_applicable_reason", names.reason),
                    ("evidence", names.evidence),
                    ("move_up", names.move_up),
                )
            }
            sent["level"] = int(level) if level in list("12345") else None
            sent["not_applicable"] = int(level == "na")
            was, stored = before[key], after[key]
            off_scale = level not in ("", "na", *list("12345"))
            for column in ("evidence", "move_up"):
                kept = sent[column] if len(sent[column]) <= MAX_TEXT else was[column]
                assert stored[column] == kept, f"statement {key}: {column} {stored[column]!r}"
            reason = sent["not_applicable_reason"]
            refused = (
                off_scale
                or len(reason) > MAX_TEXT
                or (level in list("12345") and bool(reason))  # a level and a reason: one too many
                or (level == "na" and not reason)
            )
            answer_stored = {c: stored[c] for c in answer_columns}
            expected = {c: (was if refused else sent)[c] for c in answer_columns}
            assert answer_stored == expected, (
                f"statement {key}: level {level!r}, reason {reason[:40]!r}, "
                f"{'refused' if refused else 'accepted'}: {was} -> {stored}"
            )
        for page in (f"{TEAM.format(**ids)}/check", url):
            shown = client.get(page)
            assert shown.status_code == 200, page
            assert_escaped(shown, page)

    run()


# --- a register import: garbage files -----------------------------------------------------------


def xlsx_of(rows: list[list]) -> bytes:
    """An XLSX file of the rows (without the control characters a workbook cannot hold)."""
    book = Workbook()
    for row in rows:
        book.active.append(
            [ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CELL = st.one_of(
    st.sampled_from(XSS + SCRIPTS), st.text(max_size=20), st.integers(-9, 10**6), st.none()
)
HEADINGS = ["Ref", "Title", "Date raised", "Inherent likelihood", "Links", "Group", "Impact"]
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
import_files = st.one_of(
    st.binary(max_size=200),
    st.just(b"PK\x03\x04" + b"\x00" * 64),  # the start of a zip (an XLSX) and nothing more
    st.just(b"\xff\xfe\x00<\x00s\x00"),  # UTF-16, not UTF-8
    st.lists(st.lists(CELL.map(lambda c: "" if c is None else str(c)), max_size=7), max_size=4)
    .map(lambda rows: [HEADINGS, *rows])
    .map(lambda rows: "\n".join(",".join(f'"{c}"' for c in r) for r in rows).encode()),
    st.lists(st.lists(CELL, max_size=7), max_size=3).map(lambda rows: xlsx_of([HEADINGS, *rows])),
)


KINDS = st.sampled_from(["risk", "eqia"])
# A confirmed import of an unknown kind has its own test below: here only known kinds confirm.
KIND_AND_CONFIRM = st.one_of(
    st.tuples(st.one_of(KINDS, HOSTILE_CHOICE), st.just(ABSENT)), st.tuples(KINDS, st.just("y"))
)


@settings(max_examples=20, **HYPOTHESIS)
@given(
    kind_and_confirm=KIND_AND_CONFIRM,
    content=import_files,
    filename=st.one_of(
        st.sampled_from(["risks.csv", "risks.xlsx", "../../etc/passwd.csv", "<script>.csv"]),
        st.text(max_size=20),
    ),
    payload=st.one_of(st.just(ABSENT), JSON.map(json.dumps)),
)
def test_an_import_of_garbage_files_is_refused_and_imports_nothing(
    prepared, kind_and_confirm, content, filename, payload
):
    """A file that is not a register, a payload that is not the preview's: a 400 that says
    why, and nothing imported."""
    kind, confirm = kind_and_confirm
    prepared.reset()
    client, token = prepared.client("bi")
    data = {"csrf_token": token, "kind": received(kind), "file": (io.BytesIO(content), filename)}
    for name, value in (("confirm", confirm), ("payload", payload)):
        if value is not ABSENT:
            data[name] = value
    with prepared.connect() as db:
        before = (db["risks"].count, db["eqias"].count)
    response = client.post("/registers/import", data=data, content_type="multipart/form-data")
    answer(client, response, f"import {kind!r} {filename!r} {content[:60]!r} {payload!r}")
    with prepared.connect() as db:
        after = (db["risks"].count, db["eqias"].count)
    if response.status_code != 302 or confirm is ABSENT:
        assert after == before, "a refused or previewed import imported something"


def test_a_confirmed_import_of_an_unknown_kind_is_refused(prepared):
    prepared.reset()
    client, token = prepared.client("bi")
    response = client.post(
        "/registers/import",
        data={"csrf_token": token, "kind": "<script>", "confirm": "y", "payload": "[]"},
    )
    assert response.status_code == 400
    assert "Choose what the file holds" in Page(response.get_data(as_text=True)).text


# --- query strings ------------------------------------------------------------------------------

# GET rules whose views read a query string: who asks, where, and the filters with good values.
QUERIES: dict[str, tuple[str, str, dict[str, list[str]]]] = {
    "/sign-in": ("anonymous", "/sign-in", {"next": ["/rounds/"]}),
    # without a provider, not found; tests/test_oidc.py sends hostile values to one that has one
    "/sign-in/oidc/callback": (
        "anonymous", "/sign-in/oidc/callback",
        {"code": ["a-code"], "state": ["a-state"], "error": ["access_denied"]},
    ),
    "/rounds/<int:round_id>": (
        "bi", "/rounds/{round_id}", {"directorate": ["Housing"], "status": ["draft"]}
    ),
    "/rounds/<int:round_id>/heatmap/<dimension_key>": (
        "bi",
        "/rounds/{previous_round_id}/heatmap/value",
        {
            "include": ["submitted"],
            "directorate": ["Housing"],
            "sort": ["one-team", "overall"],
            "view": ["staff", "agreed"],
        },
    ),
    "/rounds/<int:round_id>/heatmap/<dimension_key>.<fmt>": (
        "bi",
        "/rounds/{previous_round_id}/heatmap/value.csv",
        {
            "include": ["submitted"],
            "directorate": ["Housing"],
            "sort": ["one-team"],
            "view": ["staff", "agreed"],
        },
    ),
    "/rounds/<int:round_id>/heatmap/value/<member_key>/statements": (
        "bi", "/rounds/{round_id}/heatmap/value/one-team/statements", {"include": ["submitted"]}
    ),
    "/rounds/<int:round_id>/council": (
        "bi", "/rounds/{previous_round_id}/council", {"include": ["submitted"]}
    ),
    "/rounds/<int:round_id>/council/<dimension_key>.<fmt>": (
        "bi", "/rounds/{previous_round_id}/council/value.svg",
        {"include": ["submitted"], "download": ["1"]},
    ),
    "/trends/<dimension_key>": (
        "bi", "/trends/value",
        {"directorate": ["Housing"], "team": ["{team_id}"], "include": ["submitted"]},
    ),
    "/rounds/<int:round_id>/status": (
        "bi", "/rounds/{round_id}/status", {"status": ["closed", "open", "planned"]}
    ),
    "/rounds/<int:round_id>/teams/<int:team_id>/sign-off": ("bi", REVIEW + "/sign-off", {}),
    "/registers/risks/propose": (
        "bi",
        "/registers/risks/propose",
        {"target": ["{target}"], "round_id": ["{previous_round_id}"], "team_id": ["{team_id}"]},
    ),
    "/registers/risks": (
        "bi",
        "/registers/risks",
        {
            "category": ["Information"],
            "owner": ["Sam Okafor"],
            "band": ["red", "amber"],
            "overdue": ["yes"],
            "sort": ["ref", "review", "score"],
        },
    ),
    "/registers/risks/matrix.svg": (
        "bi", "/registers/risks/matrix.svg", {"category": ["Information"], "band": ["red"]}
    ),
    "/audit/export": (
        "auditor",
        "/audit/export",
        {
            "table": ["scores", "answers", "all"],
            "format": ["csv", "json", "xlsx"],
            "round": ["{round_id}"],
            "directorate": ["{directorate_id}"],
            "team": ["{team_id}"],
        },
    ),
    "/audit/report": ("auditor", "/audit/report", {"team": ["{team_id}"], "round": ["{round_id}"]}),
    TEAM_RULE + "/actions/new": (
        "lead", TEAM + "/actions/new", {"statement": ["{statement_key}"]}
    ),
    TEAM_RULE + "/charts/<dimension>.<fmt>": (
        "lead", TEAM + "/charts/value.svg", {"download": ["1"]}
    ),
}  # fmt: skip
API = {"round": ["{round_id}"], "directorate": ["{directorate_id}"], "team": ["{team_id}"]}
for _table in (
    "scores", "answers", "readiness-scores", "readiness-answers", "staff-figures", "audit-log",
    "risks",
    "risk-scores", "risk-owner-decisions", "eqias",
    "eqia-impacts", "eqia-strand-impacts", "eqia-review-prompts", "register-actions",
    "register-links", "indicators", "indicator-values", "eqia-indicator-prompts",
    "corporate-actions", "action-milestones", "action-progress-notes", "scrutiny-recommendations",
):  # fmt: skip
    QUERIES[f"/audit/api/v1/{_table}"] = ("auditor", f"/audit/api/v1/{_table}", API)
# GET rules that read no query string (their forms are covered by FORMS or SPECIAL).
NO_QUERY = {
    "/", "/signed-out", "/admin/", "/admin/directorates/<int:directorate_id>",
    "/admin/directorates/new",
    "/admin/teams/new", "/admin/teams/<int:team_id>", "/admin/users/<int:user_id>",
    "/admin/users/<int:user_id>/password",
    "/admin/users/new", "/audit/",
    "/audit/api/v1/openapi.json", "/audit/assessments/<int:assessment_id>/report", "/audit/packs",
    "/audit/packs/<int:pack_id>.json.gz", "/audit/tokens", "/audit/verify", "/healthz",
    "/registers/eqias", "/registers/eqias/<int:eqia_id>", "/registers/eqias/<int:eqia_id>/edit",
    "/registers/eqias/export.<fmt>", "/registers/eqias/new", "/registers/exposure",
    "/registers/import", "/registers/risks/<int:risk_id>", "/registers/risks/<int:risk_id>/edit",
    "/registers/risks/export.<fmt>", "/registers/risks/new", "/rounds/",
    "/rounds/<int:round_id>/calibration", "/rounds/<int:round_id>/outstanding.csv",
    "/rounds/<int:round_id>/teams/<int:team_id>",
    "/rounds/<int:round_id>/teams/<int:team_id>/moderate/<statement_key>", "/rounds/new",
    "/static/<path:filename>", TEAM_RULE + "/", TEAM_RULE + "/actions/<int:action_id>",
    TEAM_RULE + "/check", TEAM_RULE + "/results", TEAM_RULE + "/sections/<section>",
    TEAM_RULE + "/submitted", TEAM_RULE + "/targets", TEAM_RULE + "/readiness-review/",
    TEAM_RULE + "/readiness-review/<area>",
    "/trends/", "/registers/risks/<int:risk_id>/decline",
    "/registers/risks/<int:entry_id>/actions/new", "/registers/eqias/<int:entry_id>/actions/new",
    "/registers/risks/<int:entry_id>/actions/<int:register_action_id>",
    "/registers/eqias/<int:entry_id>/actions/<int:register_action_id>",
    "/registers/risks/<int:entry_id>/actions/<int:register_action_id>/done",
    "/registers/eqias/<int:entry_id>/actions/<int:register_action_id>/done",
    "/accessibility", "/privacy", "/cookies",
    "/programme/indicators", "/programme/indicators/new", "/programme/import",
    "/programme/indicators/<int:indicator_id>", "/programme/indicators/<int:indicator_id>/edit",
    "/staff/", "/staff/<token>", "/staff/answers/", "/staff/answers/<section>",
    "/staff/answers/check", "/staff/answers/submitted", TEAM_RULE + "/staff/",
    TEAM_RULE + "/staff/email", TEAM_RULE + "/staff/codes", "/rounds/<int:round_id>/staff-codes",
    "/programme/plan", "/programme/plan/new", "/programme/plan/import",
    "/programme/plan/export.<fmt>", "/programme/plan/<int:corporate_action_id>",
    "/programme/plan/<int:corporate_action_id>/edit", "/programme/scrutiny",
    "/programme/scrutiny/new", "/programme/scrutiny/<int:recommendation_id>",
    "/programme/scrutiny/<int:recommendation_id>/response",
    "/programme/scrutiny/<int:recommendation_id>/edit",
    "/rounds/<int:round_id>/committee-report", "/rounds/<int:round_id>/committee-report.docx",
}  # fmt: skip
SLOW_QUERIES = {"/rounds/<int:round_id>/heatmap/<dimension_key>", "/trends/<dimension_key>"}


@pytest.mark.parametrize("rule", list(QUERIES))
def test_a_query_string_filter_answers_garbage_without_a_500(council, rule):
    """Each filter valid, hostile, repeated or left out: a page (or file) with every value
    escaped, a 4xx that says why, or a JSON error; never a 500, never a redirect off the site."""
    role, path, params = QUERIES[rule]
    ids = council.ids
    path = path.format(**ids)
    values = {
        name: st.one_of(
            st.sampled_from([v.format(**ids) for v in good]),
            HOSTILE_CHOICE,
            st.lists(HOSTILE_CHOICE, min_size=2, max_size=2),
            st.just(ABSENT),
        )
        for name, good in params.items()
    }

    @settings(max_examples=5 if rule in SLOW_QUERIES else 10, **HYPOTHESIS)
    @given(st.fixed_dictionaries(values), UNKNOWN_FIELDS)
    def run(query, unknown):
        client, _ = council.client(role)
        headers = {"Authorization": f"Bearer {council.bearer[role]}"} if "/api/" in path else {}
        url = f"{path}?{encode({**unknown, **query})}"
        response = client.get(url, headers=headers)
        response.get_data()  # a streamed export runs to its end
        answer(client, response, f"GET {url}"[:500])

    run()


# --- ids in URLs --------------------------------------------------------------------------------

TOO_LARGE = 10**30  # more than SQLite's largest integer, 2**63 - 1


def test_an_id_too_large_for_the_database_is_not_found(prepared):
    """Every route with a numeric id, given one SQLite cannot hold: 404, not 500."""
    checked = 0
    for rule in prepared.app.url_map.iter_rules():
        numbers = [a for a, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if not numbers:
            continue
        values = {a: prepared.ids.get(a, 1) for a in rule.arguments}
        values.update({a: "x" for a in rule.arguments if a not in numbers})
        values.update({"fmt": "csv", "dimension_key": "value", "dimension": "value"})
        path = rule.rule
        for name in rule.arguments:
            value = TOO_LARGE if name in numbers else values.get(name, "x")
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
        method = "GET" if "GET" in rule.methods else "POST"
        for role in ("bi", "admin", "auditor", "lead"):
            client, token = prepared.client(role)
            response = client.open(path, method=method, data={"csrf_token": token})
            assert response.status_code == 404, f"{method} {path} as {role}"
        checked += 1
    assert checked > 30


# --- every form and filter has a strategy -------------------------------------------------------


def registered(methods: set[str]) -> set[str]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "routes"}, instance_path=folder)
    return {rule.rule for rule in app.url_map.iter_rules() if rule.methods & methods}


def test_every_form_has_a_hostile_input_strategy():
    missing = sorted(registered({"POST"}) - set(FORMS) - set(SPECIAL))
    assert missing == [], (
        f"POST routes without hostile input: add each to FORMS (or a test to SPECIAL): {missing}"
    )
    stale = sorted((set(FORMS) | set(SPECIAL)) - registered({"POST"}))
    assert stale == [], f"FORMS or SPECIAL name routes the app no longer has: {stale}"


def test_every_page_is_listed_with_its_query_filters_or_as_having_none():
    missing = sorted(registered({"GET"}) - set(QUERIES) - NO_QUERY)
    assert missing == [], (
        f"GET routes not classified: add each to QUERIES (with its filters) or NO_QUERY: {missing}"
    )
    stale = sorted((set(QUERIES) | NO_QUERY) - registered({"GET"}))
    assert stale == [], f"QUERIES or NO_QUERY name routes the app no longer has: {stale}"


@pytest.mark.parametrize(
    ("round_id", "team_id"), [("9" * 30, "{team_id}"), ("{previous_round_id}", "99999")]
)
def test_a_proposed_risk_from_an_unknown_round_or_team_is_not_found(council, round_id, team_id):
    fields = {"target": "{target}", "round_id": round_id, "team_id": team_id}
    _, response = post(
        council,
        "bi",
        "/registers/risks/propose",
        {k: filled(v, council.ids) for k, v in fields.items()},
    )
    assert response.status_code == 404
