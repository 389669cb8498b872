"""Fixtures: an app on a temporary instance folder holding a real SQLite database, users signed
in without a password check (`client_as`), and the sample council the route-walking suites share
(`sample_council`, built in tests/samples.py)."""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import socket
import threading
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assess import demo, store
from assess.assessment.questionnaire import load_folder
from assess.charts import renderer
from assess.config import DEFAULTS
from assess.readiness.checks import REVIEWS_FOLDER, load_reviews
from assess.web.app import AUDIT_KEY_FILE, create_app
from assess.web.auth import hash_password

QUESTIONNAIRES = Path(DEFAULTS["QUESTIONNAIRES"])

# The demo council's people, by role: who `client_as(role)` signs in unless told another email.
PEOPLE = {
    "team_lead": "priya.shah@council.example",  # Housing Needs
    "other_team_lead": "tom.reed@council.example",  # Taxi Licensing, Parking Services
    "business_improvement": "sam.okafor@council.example",
    "auditor": "jo.maxwell@council.example",
    "administrator": "alex.morgan@council.example",
}


@pytest.fixture(scope="session")
def questionnaires():
    return load_folder(QUESTIONNAIRES)


@pytest.fixture(scope="session")
def cex(questionnaires):
    return questionnaires["cex-culture-maturity"]


# The audit key of the demo database the tests copy: each copy's instance folder holds it as
# instance/audit_key, as a development instance's does, so its chain verifies there.
AUDIT_KEY = "test-audit-key-" + "0" * 49


# The demo is dated around the day it is built; the tests build it as of this day, so the rounds
# they read are 2022/23 to 2024/25 and the open one runs from 2 September to 13 December 2024.
DEMO_TODAY = date(2024, 9, 25)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory, cex) -> Path:
    """One seeded demo database per test session; each test gets its own copy."""
    path = tmp_path_factory.mktemp("template") / "assess.db"
    db = store.connect(path, audit_key=AUDIT_KEY)
    store.migrate(db)
    review = load_reviews(QUESTIONNAIRES / REVIEWS_FOLDER, {cex.id: cex})["cex-readiness-review"]
    demo.seed(db, cex, hash_password(demo.DEMO_PASSWORD), today=DEMO_TODAY, review=review)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return path


@pytest.fixture
def instance(tmp_path, demo_database) -> Path:
    folder = tmp_path / "instance"
    folder.mkdir()
    shutil.copy(demo_database, folder / "assess.db")
    (folder / AUDIT_KEY_FILE).write_text(AUDIT_KEY + "\n")
    (folder / AUDIT_KEY_FILE).chmod(0o600)
    (folder / "config.py").write_text('ENV_NAME = "development"\n')  # so the CLI makes keys
    return folder


@pytest.fixture
def app(instance):
    """An app on its own instance folder, signing cookies with the random key create_app makes
    there (instance/secret_key), as in development."""
    return create_app({"TESTING": True}, instance_path=instance)


def lead_email_of(db, team_id: int) -> str:
    """The email of a team's team lead, to sign in as them."""
    return db.execute(
        "SELECT u.email FROM users u JOIN team_members m ON m.user_id = u.id "
        "WHERE m.team_id = ? AND u.role = 'team_lead'",
        [team_id],
    ).fetchone()[0]


def draw_charts(app) -> None:
    """Draw every chart waiting, as the renderer would between two page views."""
    renderer.run(app, until_idle=True)


@contextlib.contextmanager
def running_renderer(app, ahead: bool = True):
    """The chart renderer drawing in the background, as gunicorn runs it beside the workers.
    Suites that swap the database file between tests draw only what is asked (`ahead` False)."""
    stop = threading.Event()
    options = {"stop": stop.is_set, "ahead": ahead}
    thread = threading.Thread(target=renderer.run, args=(app,), kwargs=options)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@pytest.fixture
def chart_renderer(app):
    with running_renderer(app):
        yield


@pytest.fixture
def db(app):
    connection = store.connect(app.config["DATABASE_PATH"], audit_key=app.config["AUDIT_KEY"])
    yield connection
    connection.conn.close()


@pytest.fixture
def without_the_demos_staff_answers(db):
    """For tests that read the staff tables whole: the demo council without the staff answers
    its closed rounds hold."""
    with db.conn:
        for table in ("staff_scores", "staff_comments", "staff_answers", "staff_responses",
                      "staff_invitations"):  # fmt: skip
            db.execute(f"DELETE FROM {table}")


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "the page has no CSRF token"
    return match.group(1)


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page's forms (CSRF token, the fingerprint of answers shown)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


COLLEAGUE = ("omar.haddad@council.example", "colleague-password-1")


@functools.cache
def _colleague_hash() -> str:
    return hash_password(COLLEAGUE[1])


def add_colleague(db, team_id: int) -> tuple[str, str]:
    """A second team lead for a team, Omar Haddad; returns his email and password."""
    email, _ = COLLEAGUE
    store.create_user(db, email, "Omar Haddad", "team_lead", _colleague_hash(), [team_id])
    return COLLEAGUE


def sign_in(client, email: str, password: str = demo.DEMO_PASSWORD):
    """Sign in through the sign-in page, password and all: for tests of signing in itself (it
    hashes the password, about 0.2 s). Every other test uses `client_as`."""
    page = client.get("/sign-in").get_data(as_text=True)
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": csrf_token(page)}
    )


def sign_in_as(client, user_id: int) -> None:
    """Put a signed-in user in a test client's session as the sign-in page does (a fresh session
    holding the user's id and session version, permanent), without checking a password."""
    db = store.connect(client.application.config["DATABASE_PATH"])
    try:
        user = store.user_by_id(db, user_id)
    finally:
        db.conn.close()
    assert user, f"no user {user_id}"
    with client.session_transaction() as session:
        session.clear()
        session["user_id"] = user_id
        session["session_version"] = user["session_version"]
        session.permanent = True


@pytest.fixture
def client_as(request):
    """`client_as("auditor")`: a new test client of `app`, signed in as the demo's user with that
    role (PEOPLE), or as `email=`; `client=` signs in that client instead (as a second user on
    the same browser). The user must exist and have the role."""

    def signed_in(role: str, email: str | None = None, *, client=None):
        client = client or request.getfixturevalue("app").test_client()
        db = store.connect(client.application.config["DATABASE_PATH"])
        try:
            user = store.user_by_email(db, email or PEOPLE[role])
        finally:
            db.conn.close()
        assert user, f"no user {email or PEOPLE[role]}"
        expected = "team_lead" if role == "other_team_lead" else role
        assert user["role"] == expected, f"{user['email']} is a {user['role']}, not a {role}"
        sign_in_as(client, user["id"])
        return client

    return signed_in


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback that keeps what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Inbox(Message):
        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

    with socket.socket() as probe:  # a free port: the controller checks it can connect
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider (oidc-provider-mock) on loopback for the whole session:
    its issuer URL. Tests name their own users by `sub` (`set_provider_user`)."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def set_provider_user(issuer: str, sub: str, **claims) -> None:
    """What the provider says about a user in their ID token (the mock's /users/<sub>)."""
    import requests

    claims.setdefault("email_verified", True)
    response = requests.put(f"{issuer}/users/{sub}", json=claims, timeout=5)
    assert response.status_code == 204, response.text


@pytest.fixture(scope="session")
def sample_council(tmp_path_factory, demo_database, cex):
    """The demo council with what the suites that walk every route need besides (see
    tests/samples.py), built once; each suite puts an app on a copy of it."""
    from tests.samples import build  # it signs a user in with this module's helpers

    return build(tmp_path_factory.mktemp("sample_council"), demo_database, cex)


class Page(HTMLParser):
    """What a user reads on a page: its title, headings, text and links."""

    def __init__(self, html: str):
        super().__init__()
        self.title = ""
        self.h1: list[str] = []
        self.links: list[str] = []
        self.text_parts: list[str] = []
        self._in: list[str] = []
        self.feed(html)
        self.text = " ".join(" ".join(self.text_parts).split())

    def handle_starttag(self, tag, attrs):
        self._in.append(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href", ""))
        if tag == "h1":
            self.h1.append("")

    def handle_endtag(self, tag):
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag) :]

    def handle_data(self, data):
        if "title" in self._in:
            self.title += data
        elif "h1" in self._in:
            self.h1[-1] += data
        if "script" not in self._in and "style" not in self._in:
            self.text_parts.append(data)


def read_page(response, status: int = 200) -> Page:
    """Parse a page and check what every page owes its reader: one h1, and a title that says it."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    page = Page(response.get_data(as_text=True))
    assert len(page.h1) == 1, f"a page has exactly one h1, found {page.h1}"
    heading = " ".join(page.h1[0].split())
    assert heading.split(",")[0] in page.title, (page.title, heading)
    return page
