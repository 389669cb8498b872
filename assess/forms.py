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

from assess.questionnaire import Level, Statement
from assess.store import ACTION_STATUSES

MAX_TEXT = 10_000
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
        setattr(SectionForm, names.evidence, TextAreaField("Evidence (optional)"))
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


def read_section(
    form: FlaskForm, statements: list[Statement], scale: tuple[Level, ...], number: dict[str, int]
) -> tuple[list[dict], list[tuple[str, str]], set[str]]:
    """Turn a posted section into answer rows to save, errors (field id, message) and the keys
    of statements still unanswered. Everything typed is saved, even beside an error, except for
    a statement with text that is too long or a level that is not on the scale: no browser
    sends those from this page, so that statement's saved answer is kept as it was."""
    levels = {str(level.level) for level in scale}
    rows, errors, unanswered = [], [], set()
    for statement in statements:
        names = Names.of(statement.key)
        label = f"statement {number[statement.key]}"
        choice = form[names.level].data
        reason = _clean(form[names.reason].data)
        evidence = _clean(form[names.evidence].data)
        move_up = _clean(form[names.move_up].data)
        too_long = False
        for field, text, what in (
            (names.reason, reason, "The reason"),
            (names.evidence, evidence, "Evidence"),
            (names.move_up, move_up, "What would move you up"),
        ):
            if len(text) > MAX_TEXT:
                errors.append(
                    (field, f"{what} for {label} must be {MAX_TEXT:,} characters or fewer")
                )
                too_long = True
        if too_long:
            unanswered.add(statement.key)
            continue
        row = {
            "statement_key": statement.key,
            "level": None,
            "not_applicable": 0,
            "not_applicable_reason": reason,
            "evidence": evidence,
            "move_up": move_up,
        }
        if choice == NOT_APPLICABLE:
            if reason:
                row["not_applicable"] = 1
            else:
                errors.append((names.reason, f"Say why {label} does not apply to your team"))
                unanswered.add(statement.key)
        elif choice in levels:
            row["level"] = int(choice)
        elif choice:
            errors.append((names.level, f"Select one of the levels shown for {label}"))
            unanswered.add(statement.key)
            continue
        else:
            unanswered.add(statement.key)
        if row["level"] is not None or row["not_applicable"] or reason or evidence or move_up:
            rows.append(row)
    return rows, errors, unanswered


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
        validators=[InputRequired("Enter what you will do"), Length(max=2000)],
    )
    owner = StringField(
        "Who owns it?",
        validators=[InputRequired("Enter who owns the action"), Length(max=200)],
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
        validators=[Length(max=MAX_TEXT)],
    )
    due_on: date | None = None

    def validate_due_day(self, field) -> None:
        parts = [_clean(f.data) for f in (self.due_day, self.due_month, self.due_year)]
        if not any(parts):
            raise ValidationError("Enter the date the action is due")
        try:
            day, month, year = (int(p) for p in parts)
            self.due_on = date(year, month, day)
        except ValueError:
            raise ValidationError(
                "The date the action is due must be a real date, for example 31 3 2025"
            ) from None
        if not 2000 <= year <= 2100:
            raise ValidationError("The year must have 4 digits, for example 2025")

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
