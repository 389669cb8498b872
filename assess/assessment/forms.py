"""Forms. A section's form is composed per request from the questionnaire, never hand-written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from assess.assessment.questionnaire import Level, Statement
from assess.store import ACTION_STATUSES, ANSWER_DEFAULTS
from assess.web.helpers import Required, example_date

# The longest text each field takes, in characters: the server refuses more, and the pages say
# so (a textarea's maxlength and its hint read the same numbers).
MAX_TEXT = 10_000  # an answer's reason, evidence and next steps; what changed for an action
MAX_ACTION_TEXT = 2_000  # what an improvement action will do
MAX_OWNER = 200  # who owns an improvement action
NOT_APPLICABLE = "na"


@dataclass(frozen=True)
class Names:
    """The form field names for one statement."""

    level: str
    reason: str
    evidence: str
    move_up: str

    @classmethod
    def of(cls, statement_key: str) -> Names:
        return cls(
            f"{statement_key}-level",
            f"{statement_key}-na-reason",
            f"{statement_key}-evidence",
            f"{statement_key}-move-up",
        )


def section_form(statements: list[Statement], scale: tuple[Level, ...], **kwargs) -> FlaskForm:
    """A form with, per statement, a level (or not applicable), a reason, evidence, next steps."""

    class SectionForm(FlaskForm):
        seen = HiddenField()  # the fingerprint of the answers the page showed

    for statement in statements:
        names = Names.of(statement.key)
        choices = [SelectChoice(str(level.level), level.name) for level in scale] + [
            SelectChoice(NOT_APPLICABLE, "Not applicable")
        ]
        setattr(
            SectionForm,
            names.level,
            RadioField(statement.text, choices=choices, validate_choice=False),
        )
        setattr(SectionForm, names.reason, TextAreaField("Why does this not apply to your team?"))
        setattr(SectionForm, names.evidence, TextAreaField("Evidence"))
        setattr(
            SectionForm, names.move_up, TextAreaField("What would move us up a level? (optional)")
        )
    return SectionForm(**kwargs)


def form_data(statements: list[Statement], answers: dict[str, dict]) -> dict[str, str]:
    """Saved answers as the section form's field values."""
    data = {}
    for statement in statements:
        answer = answers.get(statement.key)
        if not answer:
            continue
        names = Names.of(statement.key)
        if answer["not_applicable"]:
            data[names.level] = NOT_APPLICABLE
        elif answer["level"] is not None:
            data[names.level] = str(answer["level"])
        data[names.reason] = answer["not_applicable_reason"]
        data[names.evidence] = answer["evidence"]
        data[names.move_up] = answer["move_up"]
    return data


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _line_breaks(text: str | None) -> str | None:
    """A browser sends each line break as two characters but counts it as one for maxlength."""
    return text.replace("\r\n", "\n") if text else text


@dataclass(frozen=True)
class SectionAnswers:
    """A posted section read against the saved answers: the rows to save, and the fields that
    could not be saved or still need an answer, each (field id, message) in page order."""

    rows: list[dict]
    errors: list[tuple[str, str]]


def read_section(
    form: FlaskForm,
    statements: list[Statement],
    scale: tuple[Level, ...],
    number: dict[str, int],
    saved: dict[str, dict],
    complete: bool,
) -> SectionAnswers:
    """Turn a posted section into answer rows to save and errors. Everything that can be kept is
    kept; a field that cannot (text over MAX_TEXT, a level off the scale, not applicable without
    a reason, a level and a reason together) keeps its saved value and is named in the errors.
    A statement's answer is its level, or not applicable with the reason: one unit, kept or
    refused whole. `complete` ("Save and continue") also asks for an answer to every statement."""
    levels = {str(level.level) for level in scale}
    rows, errors = [], []
    for statement in statements:
        names = Names.of(statement.key)
        label = f"statement {number[statement.key]}"
        before = {**ANSWER_DEFAULTS, **saved.get(statement.key, {})}
        texts = {
            "not_applicable_reason": _clean(form[names.reason].data),
            "evidence": _clean(form[names.evidence].data),
            "move_up": _clean(form[names.move_up].data),
        }
        found: dict[str, str] = {}
        for column, field, what in (
            ("not_applicable_reason", names.reason, "The reason"),
            ("evidence", names.evidence, "Evidence"),
            ("move_up", names.move_up, "What would move you up"),
        ):
            if len(texts[column]) > MAX_TEXT:
                found[field] = f"{what} for {label} must be {MAX_TEXT:,} characters or fewer"
        chosen = {value for value in form[names.level].raw_data or [] if value}
        choice = next(iter(chosen), "")
        reason = texts["not_applicable_reason"]
        if len(chosen) > 1:
            found[names.level] = f"Choose one answer for {label}: a level or not applicable"
        elif choice and choice not in levels and choice != NOT_APPLICABLE:
            found[names.level] = f"Select one of the levels shown for {label}"
        elif choice in levels and reason:
            found[names.level] = (
                f"{label.capitalize()} has a level and a reason it does not apply: choose one"
            )
        elif choice == NOT_APPLICABLE and not reason:
            found[names.reason] = f"Say why {label} does not apply to your team"
        answer_kept = names.level not in found and names.reason not in found
        row = {"statement_key": statement.key}
        if answer_kept:
            row["level"] = int(choice) if choice in levels else None
            row["not_applicable"] = int(choice == NOT_APPLICABLE)
            row["not_applicable_reason"] = reason
        else:
            for column in ("level", "not_applicable", "not_applicable_reason"):
                row[column] = before[column]
        for column, field in (("evidence", names.evidence), ("move_up", names.move_up)):
            row[column] = before[column] if field in found else texts[column]
        if complete and not choice and answer_kept:
            found[names.level] = f"Select a level for {label}, or select not applicable"
        if statement.key in saved or any(row[c] != ANSWER_DEFAULTS[c] for c in ANSWER_DEFAULTS):
            rows.append(row)
        order = (names.level, names.reason, names.evidence, names.move_up)
        errors.extend((field, found[field]) for field in order if field in found)
    return SectionAnswers(rows, errors)


class SubmitForm(FlaskForm):
    seen = HiddenField()  # the fingerprint of the answers the submitter checked
    confirm = BooleanField(
        "I confirm these answers are a fair picture of how my team works today",
        validators=[InputRequired("Confirm that the answers are a fair picture of your team")],
    )


class ActionForm(FlaskForm):
    """An improvement action against a gap. The due date uses the GOV.UK date input pattern."""

    what = TextAreaField(
        "What will you do?",
        filters=[_line_breaks],
        validators=[
            Required("Enter what you will do"),
            Length(
                max=MAX_ACTION_TEXT,
                message=f"What you will do must be {MAX_ACTION_TEXT:,} characters or fewer",
            ),
        ],
    )
    owner = StringField(
        "Who owns it?",
        validators=[
            Required("Enter who owns the action"),
            Length(max=MAX_OWNER, message=f"Who owns it must be {MAX_OWNER:,} characters or fewer"),
        ],
    )
    due_day = StringField("Day")
    due_month = StringField("Month")
    due_year = StringField("Year")
    status = RadioField(
        "Status",
        choices=[SelectChoice(key, name) for key, name in ACTION_STATUSES.items()],
        default="not_started",
    )
    evidence_of_change = TextAreaField(
        "What changed? Needed before you mark the action done",
        filters=[_line_breaks],
        validators=[
            Length(max=MAX_TEXT, message=f"What changed must be {MAX_TEXT:,} characters or fewer")
        ],
    )
    due_on: date | None = None
    saved_due_on: date | None = None  # an action's due date as saved: it may have passed

    def validate_due_day(self, field) -> None:
        parts = [_clean(f.data) for f in (self.due_day, self.due_month, self.due_year)]
        if not any(parts):
            raise ValidationError("Enter the date the action is due")
        try:
            day, month, year = (int(p) for p in parts)
            self.due_on = date(year, month, day)
        except (ValueError, OverflowError):  # a number too big for a date is not a date
            raise ValidationError(
                f"The date the action is due must be a real date, for example {example_date()}"
            ) from None
        if not 2000 <= year <= 2100:
            raise ValidationError("The year must have 4 digits, for example 2025")
        if self.due_on < date.today() and self.due_on != self.saved_due_on:
            raise ValidationError("The date the action is due must be today or in the future")

    def validate_evidence_of_change(self, field) -> None:
        if self.status.data == "done" and not _clean(field.data):
            raise ValidationError("Say what changed before you mark the action done")


class TargetsForm(FlaskForm):
    """Built per request: one optional target level per value (see `targets_form`)."""


def targets_form(members, scale: tuple[Level, ...], **kwargs) -> FlaskForm:
    class Form(TargetsForm):
        pass

    choices = [SelectChoice("", "No target")] + [
        SelectChoice(str(level.level), f"{level.level} {level.name}") for level in scale
    ]
    for member in members:
        setattr(Form, member.key, SelectField(member.name, choices=choices, default=""))
    return Form(**kwargs)
