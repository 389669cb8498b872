"""A member of staff answers, with no account: a link or a code starts a response once, a signed
cookie brings the same device back to it, "Save and continue" keeps what is valid and names what
it could not keep, "Submit your answers" ends it, and a closed round takes nothing more.

And what makes it anonymous: no column of the staff tables refers to an invitation, a user or a
time, and nothing a staff member does writes an audit event."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess import store
from assess.assessment.staff import COMMENT_FIELD, level_field
from assess.store import staff as staff_store
from tests.conftest import Page, csrf_token, read_page

HYPOTHESIS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "derandomize": True,
}
XSS = '<script>alert("xss")</script>'
pytestmark = pytest.mark.usefixtures("without_the_demos_staff_answers")


@pytest.fixture
def ids(db) -> dict:
    return {
        "team_id": store.team_id_by_name(db, "Housing Needs"),
        "round_id": store.current_round(db)["id"],
    }


@pytest.fixture
def invite(db, ids):
    """invite(kind): a new invitation's secret (a link's token, or a printed code)."""

    def make(kind: str = "printed") -> str:
        emails = ["ana.silva@council.example"] if kind == "email" else []
        [(_, secret)] = staff_store.create_invitations(
            db, ids["round_id"], ids["team_id"], kind, None, emails=emails, count=1
        )
        return secret

    return make


def post(client, path: str, data: dict, page: str | None = None):
    token = csrf_token(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


@pytest.fixture
def staff(app, invite):
    """A client that has started a response from a printed code."""
    client = app.test_client()
    response = post(client, "/staff/", {"code": invite()})
    assert response.status_code == 302 and response.location == "/staff/answers/"
    return client


@pytest.fixture
def first_section(cex):
    dimension = cex.section_dimension
    member = dimension.members[0]
    return member.key, cex.statements_in(dimension.key, member.key)


def answers(db) -> list[dict]:
    return list(db.query("SELECT * FROM staff_answers ORDER BY statement_key"))


# --- starting -----------------------------------------------------------------------------------


def test_a_code_starts_a_response_and_sets_a_private_long_lived_cookie(app, invite, db):
    client = app.test_client()
    response = post(client, "/staff/", {"code": invite().lower()})
    assert response.status_code == 302
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("assess_staff=")]
    for flag in ("HttpOnly", "SameSite=Lax", "Path=/staff/", "Max-Age="):
        assert flag in cookie
    assert db["staff_responses"].count == 1
    assert read_page(client.get("/staff/answers/")).h1 == ["Your answers about Housing Needs"]


def test_opening_a_link_changes_nothing_until_the_staff_member_starts(app, invite, db):
    token = invite("email")
    client = app.test_client()
    page = read_page(client.get(f"/staff/{token}"))
    assert "Your answers are anonymous" in page.text
    assert db["staff_responses"].count == 0, "a mail scanner opening the link uses nothing"
    assert post(client, f"/staff/{token}", {}).status_code == 302
    assert db["staff_responses"].count == 1


def test_a_used_link_says_kindly_that_answers_resume_only_on_the_starting_device(
    app, invite, staff
):
    token = invite("email")
    post(app.test_client(), f"/staff/{token}", {})
    again = app.test_client()
    page = read_page(again.get(f"/staff/{token}"), 410)
    assert "already been used" in page.text
    assert "only be resumed on the device that started them" in page.text
    assert post(again, f"/staff/{token}", {}, page="/staff/").status_code == 410


def test_a_used_code_cannot_start_a_second_response(app, invite, db):
    code = invite()
    assert post(app.test_client(), "/staff/", {"code": code}).status_code == 302
    response = post(app.test_client(), "/staff/", {"code": code})
    assert "already been used" in read_page(response, 410).text
    assert db["staff_responses"].count == 1


def test_an_unknown_code_is_named_in_the_error_summary_and_kept_as_typed(app):
    response = post(app.test_client(), "/staff/", {"code": "ABCDE-FGHJK"})
    page = read_page(response, 400)
    assert "There is a problem" in page.text and "We do not recognise that code" in page.text
    assert 'value="ABCDE-FGHJK"' in response.get_data(as_text=True)


def test_guessing_codes_is_slowed_then_refused_for_the_client(app):
    app.config.update(SIGN_IN_MAX_FAILURES=2, SIGN_IN_DELAY_SECONDS=60)
    client = app.test_client()
    responses = [post(client, "/staff/", {"code": "ABCDE-FGHJK"}) for _ in range(3)]
    assert [r.status_code for r in responses] == [400, 400, 429]
    assert "Too many codes were tried from here" in read_page(responses[-1], 429).text


def test_without_a_cookie_every_answer_page_says_to_start_from_the_link(app, first_section):
    client = app.test_client()
    for path in ("/staff/answers/", f"/staff/answers/{first_section[0]}", "/staff/answers/check"):
        page = read_page(client.get(path), 403)
        assert page.h1 == ["Start from your link or code"]


def test_another_device_cannot_resume_and_a_forged_cookie_opens_nothing(app, staff):
    assert app.test_client().get("/staff/answers/").status_code == 403
    forged = app.test_client()
    forged.set_cookie("assess_staff", "WyJhIiwiYiJd.forged", path="/staff/")
    assert forged.get("/staff/answers/").status_code == 403


def test_the_same_device_resumes_where_it_was(staff, first_section, db):
    section, statements = first_section
    fields = {level_field(s.key): "4" for s in statements} | {"action": "later"}
    response = post(staff, f"/staff/answers/{section}", fields)
    assert response.status_code == 302
    page = staff.get(f"/staff/answers/{section}").get_data(as_text=True)
    assert page.count('value="4" checked') == len(statements)


# --- saving -------------------------------------------------------------------------------------


def test_save_keeps_the_valid_answers_and_names_the_ones_it_could_not_keep(
    staff, first_section, db, cex
):
    section, statements = first_section
    number = {s.key: i for i, s in enumerate(cex.statements, start=1)}
    fields = {level_field(s.key): "3" for s in statements}
    fields[level_field(statements[0].key)] = "9"
    response = post(staff, f"/staff/answers/{section}", fields | {"action": "continue"})
    page = read_page(response, 400)
    assert f"Choose one of the answers shown for statement {number[statements[0].key]}" in page.text
    assert "saved" not in page.text.lower().replace("not saved", "")
    kept = {a["statement_key"]: a["level"] for a in answers(db)}
    assert kept == {s.key: 3 for s in statements[1:]}


def test_a_comment_over_the_limit_is_named_and_the_levels_still_kept(app, staff, first_section, db):
    app.config["STAFF_COMMENT_MOST"] = 10
    section, statements = first_section
    fields = {level_field(s.key): "2" for s in statements} | {COMMENT_FIELD: "x" * 11}
    page = read_page(post(staff, f"/staff/answers/{section}", fields), 400)
    assert "Your comment must be 10 characters or fewer" in page.text
    assert len(answers(db)) == len(statements) and db["staff_comments"].count == 0


def test_save_and_continue_asks_for_every_statement_of_the_section(staff, first_section, db):
    section, statements = first_section
    response = post(staff, f"/staff/answers/{section}", {level_field(statements[0].key): "5"})
    page = read_page(response, 400)
    # each named twice: in the error summary and beside its statement
    assert page.text.count("Choose an answer for statement") == 2 * (len(statements) - 1)
    assert len(answers(db)) == 1, "the one answer given is kept"


# --- submitting and closing ---------------------------------------------------------------------


def answer_everything(client, cex, comment: str = "") -> None:
    dimension = cex.section_dimension
    for member in dimension.members:
        fields = {level_field(s.key): "3" for s in cex.statements_in(dimension.key, member.key)}
        fields[COMMENT_FIELD] = comment
        assert post(client, f"/staff/answers/{member.key}", fields).status_code == 302


def test_submitting_ends_with_a_confirmation_and_locks_the_answers(staff, cex, db, first_section):
    answer_everything(staff, cex, comment="We share cases well")
    response = post(staff, "/staff/answers/check", {})
    assert response.status_code == 302
    page = read_page(staff.get(response.location))
    assert [h.strip() for h in page.h1] == ["Answers submitted"]
    assert [r["status"] for r in db.query("SELECT status FROM staff_responses")] == ["submitted"]
    section, statements = first_section
    again = post(
        staff, f"/staff/answers/{section}", {level_field(statements[0].key): "1"}, "/staff/"
    )
    assert again.status_code == 409
    assert {a["level"] for a in answers(db)} == {3}


def test_submitting_with_statements_unanswered_says_so_and_changes_nothing(staff, db):
    page = read_page(post(staff, "/staff/answers/check", {}), 400)
    assert "Answer every statement before you submit your answers" in page.text
    assert [r["status"] for r in db.query("SELECT status FROM staff_responses")] == ["draft"]


def test_after_the_round_closes_the_pages_say_so_and_nothing_changes(
    app, staff, invite, db, ids, first_section
):
    code = invite()
    store.set_round_status(db, ids["round_id"], "closed", None)
    section, statements = first_section
    response = post(
        staff, f"/staff/answers/{section}", {level_field(statements[0].key): "1"}, "/staff/"
    )
    assert response.status_code == 409 and "has closed" in Page(response.get_data(True)).text
    assert "This survey has closed" in read_page(staff.get("/staff/answers/")).text
    check = read_page(staff.get("/staff/answers/check")).text
    assert "This survey has closed" in check and "Submit your answers" not in check
    assert "has closed" in read_page(post(app.test_client(), "/staff/", {"code": code}), 410).text
    assert db["staff_answers"].count == 0


# --- what makes it anonymous --------------------------------------------------------------------


STAFF_TABLES = ("staff_responses", "staff_answers", "staff_comments", "staff_scores")


def test_no_staff_table_refers_to_an_invitation_a_user_or_a_time(db):
    assert [c.name for c in db["staff_responses"].columns] == [
        "id", "round_id", "team_id", "questionnaire_version", "resume_hash", "status",
    ]  # fmt: skip
    for table in STAFF_TABLES:
        columns = {c.name for c in db[table].columns}
        assert not {c for c in columns if re.search(r"_at$|_on$|time|date|user|by|ip|addr", c)}
        assert not {c for c in columns if "invitation" in c or c == "email"}
        targets = {fk.other_table for fk in db[table].foreign_keys}
        assert targets <= {"rounds", "teams", "questionnaire_versions", "staff_responses"}
        sql = db[table].schema
        assert "WITHOUT ROWID" in sql, f"{table}: row order must not follow write order"
    assert "TEXT PRIMARY KEY" in db["staff_responses"].schema
    invitation_columns = {c.name for c in db["staff_invitations"].columns}
    assert not invitation_columns & {"used_at", "response_id"}


def test_a_response_id_is_random_and_nothing_written_names_the_invitation(app, invite, db):
    codes = [invite() for _ in range(3)]
    for code in codes:
        post(app.test_client(), "/staff/", {"code": code})
    ids = [r["id"] for r in db.query("SELECT id FROM staff_responses")]
    assert len(set(ids)) == 3 and all(len(i) >= 20 and not i.isdigit() for i in ids)
    invitation_ids = {str(r["id"]) for r in db.query("SELECT id FROM staff_invitations")}
    assert not invitation_ids & set(ids)


def test_nothing_a_staff_member_does_writes_an_audit_event(app, invite, cex, db):
    before = db["audit_events"].count
    client = app.test_client()
    post(client, f"/staff/{invite('email')}", {})
    answer_everything(client, cex, comment="Good handovers")
    assert post(client, "/staff/answers/check", {}).status_code == 302
    assert db["audit_events"].count == before + 1, "only the invitation's creation"
    [event] = db.query("SELECT * FROM audit_events ORDER BY id DESC LIMIT 1")
    assert event["action"] == "invite_staff"


def test_closing_the_round_records_each_teams_counts_once_in_the_audit_trail(
    app, invite, client_as, db, ids
):
    post(app.test_client(), "/staff/", {"code": invite()})
    invite()
    bi = client_as("business_improvement")
    path = f"/rounds/{ids['round_id']}/status"
    assert post(bi, path, {"status": "closed"}, page=path + "?status=closed").status_code == 302
    [event] = db.query("SELECT * FROM audit_events WHERE action = 'staff_counts'")
    team = json.loads(event["after"])["teams"][str(ids["team_id"])]
    assert team == {"invited": 2, "used": 1, "started": 1, "submitted": 0}


def test_the_request_log_holds_neither_a_links_secret_nor_a_staff_address(app, invite, caplog):
    token = invite("email")
    with caplog.at_level(logging.INFO, logger="assess.requests"):
        post(app.test_client(), f"/staff/{token}", {})
    lines = [r for r in caplog.records if r.name == "assess.requests"]
    assert lines and all(token not in r.getMessage() for r in lines)
    assert all(r.remote_addr is None for r in lines)


def test_round_figures_read_only_submitted_answers(app, invite, cex, db, ids):
    done, draft = app.test_client(), app.test_client()
    for client, comment in ((done, "Given"), (draft, "Still a draft")):
        post(client, "/staff/", {"code": invite()})
        answer_everything(client, cex, comment=comment)
    post(done, "/staff/answers/check", {})
    rows = staff_store.round_staff_levels(db, ids["round_id"])
    assert len({r["response_id"] for r in rows}) == 1 and len(rows) == len(cex.statements)
    assert rows == staff_store.round_staff_levels(db, ids["round_id"], ids["team_id"])
    assert staff_store.round_staff_levels(db, ids["round_id"], ids["team_id"] + 999) == []
    comments = staff_store.round_staff_comments(db, ids["round_id"])
    assert {c["text"] for c in comments} == {"Given"}
    assert len(comments) == len(cex.section_dimension.members)
    counts = staff_store.round_staff_counts(db, ids["round_id"])[ids["team_id"]]
    assert counts == {"invited": 2, "used": 2, "started": 2, "submitted": 1}


# --- hostile input (tests/test_hostile_input.py lists these in SPECIAL) -------------------------

HOSTILE = st.one_of(
    st.sampled_from(["", "0", "6", "-1", "3\x00", "３", "na", XSS, "x" * 5000]),
    st.text(max_size=20),
)


def test_the_code_form_answers_hostile_codes_without_a_500(app, db):
    @settings(max_examples=25, **HYPOTHESIS)
    @given(code=HOSTILE, extra=st.dictionaries(st.sampled_from(["next", "id"]), HOSTILE))
    def run(code, extra):
        client = app.test_client()
        response = post(client, "/staff/", {"code": code, **extra})
        assert response.status_code in (400, 429), response.status_code
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html and "There is a problem" in html
        assert db["staff_responses"].count == 0

    run()


def test_a_staff_section_keeps_what_is_valid_whatever_is_posted(staff, first_section, db, app):
    section, statements = first_section
    keys = [s.key for s in statements]

    @settings(max_examples=25, **HYPOTHESIS)
    @given(
        levels=st.lists(st.one_of(st.sampled_from(["1", "5"]), HOSTILE), min_size=len(keys)),
        comment=HOSTILE,
        action=st.sampled_from(["continue", "later", XSS]),
    )
    def run(levels, comment, action):
        before = {a["statement_key"]: a["level"] for a in answers(db)}
        fields = {level_field(k): v for k, v in zip(keys, levels, strict=False)}
        fields |= {COMMENT_FIELD: comment, "action": action}
        response = post(staff, f"/staff/answers/{section}", fields)
        assert response.status_code in (302, 400)
        assert "<script>alert" not in response.get_data(as_text=True)
        after = {a["statement_key"]: a["level"] for a in answers(db)}
        for key, value in fields.items():
            statement = key.removesuffix("-level")
            if statement in keys:
                expected = int(value) if value in list("12345") else before.get(statement)
                assert after.get(statement) == expected, (key, value)

    run()


def test_a_link_answers_hostile_secrets_without_a_500(app, invite, db):
    good = invite("email")

    @settings(max_examples=20, **HYPOTHESIS)
    @given(token=HOSTILE.filter(lambda t: t and "/" not in t and t.isprintable()), extra=HOSTILE)
    def run(token, extra):
        client = app.test_client()
        for method in ("GET", "POST"):
            path = f"/staff/{quote(token, safe='')}"
            response = post(client, path, {"x": extra}, page="/staff/")
            if method == "GET":
                response = client.get(path)
            assert response.status_code in (404, 405), (token, response.status_code)
            assert "<script>alert" not in response.get_data(as_text=True)
        assert db["staff_responses"].count == 0
        assert client.get(f"/staff/{good}").status_code == 200, "the real link still works"

    run()


def test_hostile_posts_to_submit_change_nothing(staff, db):
    @settings(max_examples=10, **HYPOTHESIS)
    @given(fields=st.dictionaries(st.sampled_from(["confirm", "status", "id"]), HOSTILE))
    def run(fields):
        response = post(staff, "/staff/answers/check", fields)
        assert response.status_code == 400
        assert [r["status"] for r in db.query("SELECT status FROM staff_responses")] == ["draft"]

    run()


def test_a_staff_post_without_a_csrf_token_is_refused(staff, first_section, db):
    section, statements = first_section
    for path in ("/staff/", f"/staff/answers/{section}", "/staff/answers/check"):
        response = staff.post(path, data={level_field(statements[0].key): "3", "code": "x"})
        assert response.status_code == 400
        assert "The form expired" in response.get_data(as_text=True)
    assert db["staff_answers"].count == 0


def test_the_cookies_page_and_privacy_notice_tell_staff_what_is_kept(client):
    cookies = read_page(client.get("/cookies")).text
    assert "assess_staff" in cookies and "180 days after you start" in cookies
    privacy = read_page(client.get("/privacy")).text
    assert "If you answer a staff survey" in privacy
    assert "deleted when you use your link, or when the survey closes" in privacy
