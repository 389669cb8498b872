"""What views of every room share: dates in GOV.UK style, field errors, ids from query strings,
and the questionnaire or round a URL names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import NoReturn, TypeVar
from zoneinfo import ZoneInfo

from flask import abort, current_app, render_template
from wtforms.validators import InputRequired, StopValidation

from assess import store
from assess.assessment.questionnaire import Questionnaire

MAX_ID = 2**63 - 1  # SQLite's largest integer
T = TypeVar("T")


def person_label(user: dict) -> str:
    """A person in a list to choose from: name, work email (two people may share a name) and
    role."""
    return f"{user['name']} ({user['email']}), {store.ROLE_NAMES[user['role']]}"


def example_date() -> str:
    """A date to show in a hint, in the GOV.UK date input's order: 31 March next year."""
    return f"31 3 {date.today().year + 1}"


def long_date(value: str | None) -> str:
    """'2024-12-13' or an ISO timestamp -> '13 December 2024', the GOV.UK date style."""
    if not value:
        return ""
    day = date.fromisoformat(value[:10])
    return f"{day.day} {day:%B %Y}"


def long_time(value: str | None) -> str:
    """A UTC ISO timestamp -> '2:32pm on 13 December 2024', in UK time."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo("Europe/London"))
    clock = f"{moment.hour % 12 or 12}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"
    return f"{clock} on {moment.day} {moment:%B %Y}"


def first_errors(errors: list[tuple[str, str]]) -> dict[str, str]:
    """Each field's first error message, for the message shown beside that field."""
    found: dict[str, str] = {}
    for field, message in errors:
        found.setdefault(field, message)
    return found


def parse_id(raw: str | None) -> int | None:
    """An id from a query string: None when absent; ValueError unless a whole number >= 1."""
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
        raise ValueError(raw)
    return int(raw)


def questionnaire_for(db, version: str) -> Questionnaire:
    """The exact version an assessment was answered on (from the files, or kept in the database)."""
    cache = current_app.extensions.setdefault("questionnaire_versions", {})
    if version not in cache:
        loaded = {q.version: q for q in current_app.extensions["questionnaires"].values()}
        cache[version] = loaded.get(version) or store.questionnaire_version(db, version)
    return cache[version]


def round_or_404(round_id: int) -> dict:
    return found_or_404(store.round_, store.get_db(), round_id)


FORM_EXPIRED = "The form expired. Go back and try again."


def refuse_expired_form() -> NoReturn:
    """A post without a valid CSRF token (the page sat open too long, or came from elsewhere)."""
    abort(400, FORM_EXPIRED)


def form_errors(form) -> list[tuple[str, str]]:
    """Every field's messages as (field, message), for the GOV.UK error summary. A CSRF failure
    is not a field of the page: views refuse it with `refuse_expired_form`."""
    return [
        (name, message)
        for name, messages in form.errors.items()
        if name != "csrf_token"
        for message in messages
    ]


def page(template: str, errors: list[tuple[str, str]], **context) -> tuple[str, int]:
    """A form page: 400 when it shows errors, else 200; the template gets `errors` too."""
    return render_template(template, errors=errors, **context), 400 if errors else 200


def found_or_404(lookup: Callable[..., T], *args) -> T:
    """What a store lookup finds, or the page is not found."""
    try:
        return lookup(*args)
    except store.NotFound:
        abort(404)


class Required(InputRequired):
    """InputRequired that also refuses text of only spaces (or other whitespace): "   " is
    refused with the same message as an empty field, and what was typed is kept."""

    def __call__(self, form, field) -> None:
        super().__call__(form, field)
        if not str(field.data or "").strip():
            field.errors[:] = []
            raise StopValidation(self.message)
