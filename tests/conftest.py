"""Fixtures: an app on a temporary instance folder holding a real SQLite database."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assess import demo, store
from assess.assessment.questionnaire import load_folder
from assess.config import DEFAULTS
from assess.web.app import create_app
from assess.web.auth import hash_password

QUESTIONNAIRES = Path(DEFAULTS["QUESTIONNAIRES"])


@pytest.fixture(scope="session")
def questionnaires():
    return load_folder(QUESTIONNAIRES)


@pytest.fixture(scope="session")
def cex(questionnaires):
    return questionnaires["cex-culture-maturity"]


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory, cex) -> Path:
    """One seeded demo database per test session; each test gets its own copy."""
    path = tmp_path_factory.mktemp("template") / "assess.db"
    db = store.connect(path)
    store.migrate(db)
    demo.seed(db, cex, hash_password(demo.DEMO_PASSWORD))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return path


@pytest.fixture
def instance(tmp_path, demo_database) -> Path:
    folder = tmp_path / "instance"
    folder.mkdir()
    shutil.copy(demo_database, folder / "assess.db")
    return folder


@pytest.fixture
def app(instance):
    return create_app({"TESTING": True, "SECRET_KEY": "test"}, instance_path=instance)


@pytest.fixture
def db(app):
    connection = store.connect(app.config["DATABASE_PATH"])
    yield connection
    connection.conn.close()


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


def add_colleague(db, team_id: int) -> tuple[str, str]:
    """A second team lead for a team, Omar Haddad; returns his email and password."""
    from assess.web.auth import hash_password

    email, password = COLLEAGUE
    store.create_user(db, email, "Omar Haddad", "team_lead", hash_password(password), [team_id])
    return email, password


def sign_in(client, email: str, password: str = demo.DEMO_PASSWORD):
    page = client.get("/sign-in").get_data(as_text=True)
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": csrf_token(page)}
    )


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
