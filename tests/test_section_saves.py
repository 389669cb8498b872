"""A save never drops what was typed: whichever button saves a section, every statement is either
stored as posted or named in the error summary, and "Your answers have been saved" shows only
when nothing was refused.

One prepared copy of the demo council serves the module, put back before every test and every
hypothesis example (a file copy: the app opens its connection per request). Priya, team lead of
Housing Needs, is signed in by putting her id in the session (`sign_in_as`).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess import store
from assess.assessment.forms import MAX_ACTION_TEXT, MAX_OWNER, MAX_TEXT, Names
from assess.web.app import create_app
from tests.conftest import Page, hidden_fields, read_page, sign_in_as

LEAD = "priya.shah@council.example"  # Housing Needs: One Team answered, Service Excellence not
SAVED = "Your answers have been saved"
ANSWER = ("level", "not_applicable", "not_applicable_reason")
COLUMNS = (*ANSWER, "evidence", "move_up")


@dataclass
class Council:
    app: Flask
    template: Path
    team_id: int
    round_id: int
    lead_id: int

    @property
    def path(self) -> Path:
        return Path(self.app.config["DATABASE_PATH"])

    @property
    def base(self) -> str:
        return f"/teams/{self.team_id}/rounds/{self.round_id}"

    def reset(self) -> None:
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.template, self.path)

    def client(self):
        client = self.app.test_client()
        sign_in_as(client, self.lead_id)
        return client

    def saved(self) -> dict[str, dict]:
        """Housing Needs' answers as the store reads them back, each with every answer column."""
        db = store.connect(self.path)
        try:
            assessment = store.find_assessment(db, self.team_id, self.round_id)
            rows = store.answers_of(db, assessment["id"]) if assessment else []
        finally:
            db.conn.close()
        return {r["statement_key"]: {c: r[c] for c in COLUMNS} for r in rows}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, demo_database) -> Council:
    folder = tmp_path_factory.mktemp("section_saves")
    instance = folder / "instance"
    instance.mkdir()
    shutil.copy(demo_database, instance / "assess.db")
    app = create_app({"TESTING": True, "SECRET_KEY": "test"}, instance_path=instance)
    db = store.connect(app.config["DATABASE_PATH"])
    team_id = store.team_id_by_name(db, "Housing Needs")
    round_id = store.current_round(db)["id"]
    lead_id = store.user_by_email(db, LEAD)["id"]
    db.conn.close()
    return Council(app, demo_database, team_id, round_id, lead_id)


@pytest.fixture
def council(prepared) -> Council:
    prepared.reset()
    return prepared


def as_a_browser_sends(html: str) -> dict[str, str]:
    """A section page's form as a browser would send it untouched: hidden fields, every
    textarea as shown and the radios checked."""
    fields = hidden_fields(html)
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[name] = unescape(text)
    for name, value in re.findall(r'name="([^"]+)" type="radio" value="([^"]+)" checked', html):
        fields[name] = value
    return fields


def post_section(council: Council, client, section: str, fields: dict, action: str):
    """Open a section, change the fields given (the rest as the page showed them), and save."""
    url = f"{council.base}/sections/{section}"
    shown = as_a_browser_sends(client.get(url).get_data(as_text=True))
    return client.post(url, data={**shown, **fields, "action": action})


def error_summary(response) -> list[tuple[str, str]]:
    """The error summary's links: (the field id linked to, the message), in order."""
    html = response.get_data(as_text=True)
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    if not summary:
        return []
    return [
        (field, unescape(message).strip())
        for field, message in re.findall(r'<a href="#([^"]+)">([^<]*)</a>', summary.group(1))
    ]


def named(errors: list[tuple[str, str]], key: str, number: int) -> bool:
    """Whether the error summary names the statement: a link to one of its fields whose
    message says which statement it is."""
    return any(
        field.startswith(f"{key}-") and f"statement {number}" in message.lower()
        for field, message in errors
    )


def section_statements(cex, section: str):
    number = {s.key: i for i, s in enumerate(cex.statements, start=1)}
    return [(s.key, number[s.key]) for s in cex.statements_in("value", section)]


# --- the property: stored as posted, or named -------------------------------------------------

NO_CHOICE = "no choice"  # no radio chosen: the field is not in the post at all
# Texts by name, so that a failing example reads short: the names are drawn, the texts posted.
TEXTS = {
    "empty": "",
    "white space": " \n\t ",
    "a reason": "We have no face-to-face contact.",
    "evidence": "Monthly report",
    "next steps": "Quarterly reviews",
    "the limit, padded": " " + "e" * MAX_TEXT + "\n",
    "the limit": "e" * MAX_TEXT,
    "one over the limit": "x" * (MAX_TEXT + 1),
}
LEVELS = st.sampled_from(["3", "na", "9", ("2", "na"), NO_CHOICE, "1", "5"])
REASONS = st.sampled_from(["a reason", "empty", "one over the limit", "white space"])
EVIDENCE = st.sampled_from(
    ["evidence", "one over the limit", "the limit", "empty", "the limit, padded"]
)
MOVE_UP = st.sampled_from(["next steps", "one over the limit", "empty"])
# One answer a page keeps whole: a level (or none yet) without a reason, or not applicable with
# one; texts within the limit. Half the examples post only these, so that saves which refuse
# nothing (and show the saved banner) are tried as often as ones that refuse something.
KEPT = st.one_of(
    st.tuples(
        st.sampled_from(["1", "3", "5", NO_CHOICE]), st.sampled_from(["empty", "white space"])
    ),
    st.tuples(st.just("na"), st.just("a reason")),
).flatmap(
    lambda answer: st.tuples(
        st.just(answer[0]),
        st.just(answer[1]),
        st.sampled_from(["empty", "evidence", "the limit", "the limit, padded"]),
        st.sampled_from(["empty", "next steps"]),
    )
)
ANYTHING = st.tuples(LEVELS, REASONS, EVIDENCE, MOVE_UP)
STATEMENTS = 8  # in each of the sections posted: One Team and Service Excellence
SECTION_POSTS = st.one_of(
    st.lists(st.one_of(ANYTHING, KEPT), min_size=STATEMENTS, max_size=STATEMENTS),
    st.lists(KEPT, min_size=STATEMENTS, max_size=STATEMENTS),
)


def as_posted(level, reason: str, evidence: str, move_up: str) -> dict:
    """The answer columns a statement's post asks to store; None where no value could be."""
    single = level if isinstance(level, str) and level != NO_CHOICE else None
    return {
        "level": int(single) if single in list("12345") else None,
        "not_applicable": int(single == "na"),
        "not_applicable_reason": reason.strip(),
        "evidence": evidence.strip(),
        "move_up": move_up.strip(),
    }


def can_be_stored(level, reason: str) -> bool:
    """The rule, said once more from the user's side: one answer per statement, a level from the
    scale or not applicable with a reason, and no text over the limit."""
    reason = reason.strip()
    if len(reason) > MAX_TEXT or isinstance(level, tuple) or level == "9":
        return False
    if level == "na":
        return bool(reason)
    return level == NO_CHOICE or not reason


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    section=st.sampled_from(["one-team", "service-excellence"]),
    drawn=SECTION_POSTS,
    action=st.sampled_from(["continue", "later"]),
)
def test_every_statement_is_stored_as_posted_or_named_in_the_error_summary(
    prepared, cex, section, drawn, action
):
    posted = [(level, *(TEXTS[name] for name in texts)) for level, *texts in drawn]
    prepared.reset()
    client = prepared.client()
    statements = section_statements(cex, section)
    before = prepared.saved()
    fields = {}
    for (key, _), (level, reason, evidence, move_up) in zip(statements, posted, strict=True):
        names = Names.of(key)
        if level != NO_CHOICE:
            fields[names.level] = list(level) if isinstance(level, tuple) else level
        fields |= {names.reason: reason, names.evidence: evidence, names.move_up: move_up}

    url = f"{prepared.base}/sections/{section}"
    hidden = hidden_fields(client.get(url).get_data(as_text=True))
    response = client.post(url, data={**hidden, **fields, "action": action})
    after = prepared.saved()
    errors = error_summary(response)
    refused = False
    for (key, number), (level, reason, evidence, move_up) in zip(statements, posted, strict=True):
        wanted = as_posted(level, reason, evidence, move_up)
        was = before.get(key, {**store.ANSWER_DEFAULTS})
        stored = after.get(key, {**store.ANSWER_DEFAULTS})
        answer_ok = can_be_stored(level, reason)
        texts_ok = all(len(wanted[c]) <= MAX_TEXT for c in ("evidence", "move_up"))
        for column in ("evidence", "move_up"):
            kept = wanted[column] if len(wanted[column]) <= MAX_TEXT else was[column]
            assert stored[column] == kept, f"{key} {column}: a text within the limit is kept"
        answer = {c: stored[c] for c in ANSWER}
        assert answer == {c: (wanted if answer_ok else was)[c] for c in ANSWER}, (
            f"{key}: posted {level!r} with reason {reason[:20]!r}, stored {answer}"
        )
        needs_an_answer = level == NO_CHOICE and action == "continue"
        must_be_named = not (answer_ok and texts_ok) or needs_an_answer
        refused = refused or not (answer_ok and texts_ok)
        if stored != wanted or must_be_named:
            assert named(errors, key, number), (
                f"{key} (statement {number}) was not stored as posted but the error summary "
                f"does not name it: {errors}"
            )
        elif errors:
            assert not any(field.startswith(f"{key}-") for field, _ in errors), (key, errors)

    if errors:
        page = read_page(response, status=400)
        assert SAVED not in page.text
        html = response.get_data(as_text=True)
        for (key, _), (_, reason, evidence, _) in zip(statements, posted, strict=True):
            for name, typed in ((Names.of(key).reason, reason), (Names.of(key).evidence, evidence)):
                if typed.strip():
                    assert f'name="{name}"' in html and f">{typed}</textarea>" in html, name
    else:
        assert response.status_code == 302, response.status_code
        landed = read_page(client.get(response.location))
        assert (SAVED in landed.text) == (action == "later")
    unanswered = any(level == NO_CHOICE for level, *_ in posted)
    assert bool(errors) == (refused or (action == "continue" and unanswered)), errors


# --- each case, by example --------------------------------------------------------------------


def one_team(cex) -> list[tuple[str, int]]:
    return section_statements(cex, "one-team")


def test_save_for_later_with_not_applicable_and_no_reason_names_it_and_keeps_the_rest(council, cex):
    (first, n), (second, _), *_ = one_team(cex)
    before = council.saved()
    client = council.client()
    response = post_section(
        council,
        client,
        "one-team",
        {Names.of(first).level: "na", Names.of(second).evidence: "Team meeting minutes"},
        action="later",
    )
    page = read_page(response, status=400)
    assert page.title.startswith("Error: One Team")
    assert SAVED not in page.text
    assert error_summary(response) == [
        (Names.of(first).reason, f"Say why statement {n} does not apply to your team")
    ]
    assert 'value="na" checked' in response.get_data(as_text=True)  # the choice is still shown
    after = council.saved()
    assert after[first] == before[first]  # its saved answer stands until a reason comes
    assert after[second]["evidence"] == "Team meeting minutes"  # the rest of the page is kept
    assert SAVED not in read_page(client.get(f"{council.base}/")).text


def test_save_for_later_with_evidence_over_the_limit_keeps_the_level_and_the_text_on_screen(
    council, cex
):
    (first, n), *_ = one_team(cex)
    before = council.saved()
    too_long = "x" * (MAX_TEXT + 1)
    response = post_section(
        council,
        council.client(),
        "one-team",
        {Names.of(first).level: "5", Names.of(first).evidence: too_long},
        action="later",
    )
    page = read_page(response, status=400)
    assert SAVED not in page.text
    assert error_summary(response) == [
        (Names.of(first).evidence, f"Evidence for statement {n} must be 10,000 characters or fewer")
    ]
    assert f">{too_long}</textarea>" in response.get_data(as_text=True)
    after = council.saved()[first]
    assert after["level"] == 5
    assert after["evidence"] == before[first]["evidence"]


def test_evidence_of_exactly_the_limit_is_saved(council, cex):
    (first, _), *_ = one_team(cex)
    evidence = "x" * MAX_TEXT
    response = post_section(
        council,
        council.client(),
        "one-team",
        {Names.of(first).level: "4", Names.of(first).evidence: evidence},
        action="later",
    )
    assert response.status_code == 302
    assert council.saved()[first]["evidence"] == evidence


def test_save_for_later_leaves_unanswered_statements_for_later_with_the_saved_banner(council, cex):
    (first, _), *_ = section_statements(cex, "service-excellence")
    client = council.client()
    response = post_section(
        council, client, "service-excellence", {Names.of(first).level: "2"}, "later"
    )
    assert response.status_code == 302
    assert SAVED in read_page(client.get(response.location)).text
    assert council.saved()[first]["level"] == 2


def test_save_and_continue_names_every_unanswered_statement_beside_other_errors(council, cex):
    (first, n1), (second, n2), *rest = section_statements(cex, "service-excellence")
    fields = {Names.of(first).level: "na"} | {Names.of(k).level: "3" for k, _ in rest}
    response = post_section(council, council.client(), "service-excellence", fields, "continue")
    read_page(response, status=400)
    assert error_summary(response) == [
        (Names.of(first).reason, f"Say why statement {n1} does not apply to your team"),
        (Names.of(second).level, f"Select a level for statement {n2}, or select not applicable"),
    ]
    assert {council.saved()[k]["level"] for k, _ in rest} == {3}


def test_a_level_and_a_reason_it_does_not_apply_are_one_answer_too_many(council, cex):
    (first, n), *_ = one_team(cex)
    before = council.saved()
    response = post_section(
        council,
        council.client(),
        "one-team",
        {Names.of(first).level: "4", Names.of(first).reason: "We have no partners"},
        action="later",
    )
    page = read_page(response, status=400)
    assert SAVED not in page.text
    assert error_summary(response) == [
        (
            Names.of(first).level,
            f"Statement {n} has a level and a reason it does not apply: choose one",
        )
    ]
    assert council.saved()[first] == before[first]
    html = response.get_data(as_text=True)
    assert ">We have no partners</textarea>" in html and 'value="4" checked' in html


def test_a_level_and_not_applicable_posted_together_are_refused(council, cex):
    (first, n), *_ = one_team(cex)
    before = council.saved()
    response = post_section(
        council,
        council.client(),
        "one-team",
        {Names.of(first).level: ["3", "na"], Names.of(first).reason: "No partners"},
        action="later",
    )
    read_page(response, status=400)
    assert (
        Names.of(first).level,
        f"Choose one answer for statement {n}: a level or not applicable",
    ) in error_summary(response)
    assert council.saved()[first] == before[first]


def test_clearing_the_only_text_of_a_statement_is_saved(council, cex):
    (first, _), *_ = section_statements(cex, "service-excellence")
    client = council.client()
    fields = {Names.of(first).evidence: "Case audit"}
    assert post_section(council, client, "service-excellence", fields, "later").status_code == 302
    assert council.saved()[first]["evidence"] == "Case audit"
    fields = {Names.of(first).evidence: ""}
    assert post_section(council, client, "service-excellence", fields, "later").status_code == 302
    assert council.saved()[first]["evidence"] == ""


def test_every_answer_text_carries_the_servers_limit_and_says_it(council):
    response = council.client().get(f"{council.base}/sections/one-team")
    html = response.get_data(as_text=True)
    textareas = re.findall(r"<textarea[^>]*>", html)
    assert len(textareas) == 3 * STATEMENTS
    assert all(f'maxlength="{MAX_TEXT}"' in tag for tag in textareas)
    assert read_page(response).text.count("Up to 10,000 characters.") == 3 * STATEMENTS


def test_an_improvement_actions_fields_carry_their_limits_and_refuse_more(council, cex):
    client = council.client()
    url = f"{council.base}/actions/new?statement={cex.statements[0].key}"
    html = client.get(url).get_data(as_text=True)
    assert re.search(rf'<textarea[^>]*name="what"[^>]*maxlength="{MAX_ACTION_TEXT}"', html)
    assert re.search(rf'<input[^>]*name="owner"[^>]*maxlength="{MAX_OWNER}"', html)
    assert "Up to 2,000 characters." in Page(html).text
    hidden = hidden_fields(html)
    fields = {"owner": "Priya", "due_day": "1", "due_month": "6", "due_year": "2030"}
    # Each line break is one character to the browser's maxlength, and to the server.
    at_limit = "a\r\n" * (MAX_ACTION_TEXT // 2)
    assert client.post(url, data={**hidden, **fields, "what": at_limit}).status_code == 302
    over = client.post(url, data={**hidden, **fields, "what": "a" * (MAX_ACTION_TEXT + 1)})
    assert "What you will do must be 2,000 characters or fewer" in read_page(over, 400).text
