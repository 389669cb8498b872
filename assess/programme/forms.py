"""The programme's forms: an indicator, and a figure for a period and group. Choices that come from
the questionnaire, the teams and the council's EqIA groups are set per request (`choose`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from assess.programme import indicators as rules
from assess.web.helpers import Required

MAX_REF = 40
MAX_NAME = 200
MAX_UNIT = 40
MAX_GROUP, MAX_TEXT = rules.MAX_GROUP, rules.MAX_TEXT  # a figure's group and note, as a file's


def _line_breaks(text: str | None) -> str | None:
    """A browser sends each line break as two characters but counts it as one for maxlength."""
    return text.replace("\r\n", "\n") if text else text


def _figure(field) -> float | None:
    """A field's figure; None when blank. Raises ValidationError with what to type."""
    if not (field.data or "").strip():
        return None
    try:
        return rules.parse_figure(field.data)
    except rules.FigureError as error:
        raise ValidationError(f"{field.label.text}: {error}") from None


def _period(field) -> str:
    try:
        return str(rules.parse_period(field.data))
    except rules.PeriodError as error:
        raise ValidationError(str(error)) from None


def _offered(field, message: str) -> None:
    """Refuse a choice the page did not offer, in words an officer can act on."""
    if field.data not in {choice.value for choice in field.choices}:
        raise ValidationError(message)


def too_long(what: str, most: int) -> Length:
    return Length(max=most, message=f"{what} must be {most:,} characters or fewer")


class CsrfForm(FlaskForm):
    """Only the CSRF check: a prompt's outcome is read from request.form."""


class IndicatorForm(FlaskForm):
    ref = StringField(
        "Reference",
        validators=[Required("Enter a reference, like PI-07"), too_long("The reference", MAX_REF)],
    )
    name = StringField(
        "Name",
        validators=[Required("Enter the indicator's name"), too_long("The name", MAX_NAME)],
    )
    definition = TextAreaField(
        "Definition",
        filters=[_line_breaks],
        validators=[
            Required("Enter what the indicator counts and how"),
            too_long("The definition", MAX_TEXT),
        ],
    )
    unit = StringField(
        "Unit",
        validators=[Required("Enter the unit, like % or forms"), too_long("The unit", MAX_UNIT)],
    )
    direction = RadioField(
        "Which way is better?",
        choices=[SelectChoice(key, name) for key, name in rules.DIRECTIONS.items()],
        validate_choice=False,
        validators=[Required("Select whether a higher or a lower figure is better")],
    )
    owner = StringField(
        "Owner",
        validators=[Required("Enter who owns the indicator"), too_long("The owner", MAX_NAME)],
    )
    readiness_area = RadioField(
        "Readiness area",
        validate_choice=False,
        validators=[Required("Select the readiness area it measures")],
    )
    team = SelectField("Team (optional)", default="", validate_choice=False)
    baseline = StringField("Baseline (optional)")
    baseline_period = StringField("Baseline period")

    def choose(self, areas: list[tuple[str, str]], teams: list[dict]) -> IndicatorForm:
        self.readiness_area.choices = [SelectChoice(key, name) for key, name in areas]
        self.team.choices = [SelectChoice("", "No team: the council's")] + [
            SelectChoice(str(t["id"]), t["name"]) for t in teams
        ]
        return self

    def validate_direction(self, field) -> None:
        _offered(field, "Select whether a higher or a lower figure is better")

    def validate_readiness_area(self, field) -> None:
        _offered(field, "Select one of the readiness areas shown")

    def validate_team(self, field) -> None:
        _offered(field, "Select one of the teams shown, or no team")

    def validate_baseline(self, field) -> None:
        _figure(field)

    def validate_baseline_period(self, field) -> None:
        if not (field.data or "").strip():
            if (self.baseline.data or "").strip():
                raise ValidationError("Enter the period the baseline is for, like 2022/23")
            return
        _period(field)

    def fields(self) -> dict:
        """What to store, once the form is valid."""
        baseline = _figure(self.baseline)
        return {
            "ref": self.ref.data.strip(),
            "name": self.name.data.strip(),
            "definition": self.definition.data.strip(),
            "unit": self.unit.data.strip(),
            "direction": self.direction.data,
            "owner": self.owner.data.strip(),
            "readiness_area": self.readiness_area.data,
            "team_id": int(self.team.data) if self.team.data else None,
            "baseline": baseline,
            "baseline_period": _period(self.baseline_period) if baseline is not None else "",
        }


class ValueForm(FlaskForm):
    period = StringField(
        "Period", validators=[Required("Enter the period, like 2025/26 or 2025/26 Q2")]
    )
    group = SelectField("Who the figure is for", default="", validate_choice=False)
    other_group = StringField(
        "Or another group", validators=[too_long("The group's name", MAX_GROUP)]
    )
    value = StringField("Figure", validators=[Required("Enter the figure")])
    target = StringField("Target (optional)")
    note = TextAreaField(
        "Note (optional)", filters=[_line_breaks], validators=[too_long("The note", MAX_TEXT)]
    )

    def choose(self, groups: tuple[str, ...]) -> ValueForm:
        self.group.choices = [SelectChoice(rules.EVERYONE, "Everyone")] + [
            SelectChoice(g, g) for g in groups
        ]
        return self

    def validate_period(self, field) -> None:
        _period(field)

    def validate_group(self, field) -> None:
        _offered(field, "Select everyone or one of the groups shown")

    def validate_other_group(self, field) -> None:
        if (field.data or "").strip() and self.group.data:
            raise ValidationError("Choose a group from the list or type another, not both")

    def validate_value(self, field) -> None:
        _figure(field)

    def validate_target(self, field) -> None:
        _figure(field)

    def figure(self) -> tuple[str, str, dict]:
        """The period, the group and what to store, once the form is valid."""
        group = (self.other_group.data or "").strip() or self.group.data
        figures = {
            "value": _figure(self.value),
            "target": _figure(self.target),
            "note": (self.note.data or "").strip(),
        }
        return _period(self.period), group, figures
