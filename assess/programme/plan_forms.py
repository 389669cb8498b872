"""The action plan's and the scrutiny log's forms: a corporate action, a milestone and its
completion, a progress note, a team's improvement action serving an action, and a scrutiny
recommendation with its response. Choices that come from the questionnaire and the store are set
per request (`choose`). Dates are typed as 31/3/2025."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from assess.programme import plan as rules
from assess.programme.forms import _line_breaks, _offered, too_long
from assess.web.helpers import Required

MAX_REF, MAX_TITLE, MAX_NAME, MAX_TEXT = (
    rules.MAX_REF,
    rules.MAX_TITLE,
    rules.MAX_NAME,
    rules.MAX_TEXT,
)
MAX_TIMESCALE = 200
NO_ACTION = ""


def _date(field, required: bool = True) -> str | None:
    """A date field as ISO text; None when blank and not required."""
    if not (field.data or "").strip() and not required:
        return None
    try:
        return rules.parse_date(field.data).isoformat()
    except rules.DateError as error:
        raise ValidationError(f"{field.label.text}: {error}") from None


def _text(field) -> str:
    return (field.data or "").strip()


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class CorporateActionForm(FlaskForm):
    ref = StringField(
        "Reference",
        validators=[
            Required("Enter a reference, like CEX-A01"),
            too_long("The reference", MAX_REF),
        ],
    )
    title = TextAreaField(
        "Action",
        filters=[_line_breaks],
        validators=[Required("Enter what the action is"), too_long("The action", MAX_TITLE)],
    )
    readiness_area = RadioField(
        "Readiness area",
        validate_choice=False,
        validators=[Required("Select the readiness area the action serves")],
    )
    strand = SelectField("Strategy strand (optional)", default="", validate_choice=False)
    lead_officer = StringField(
        "Lead officer",
        validators=[Required("Enter the lead officer"), too_long("The lead officer", MAX_NAME)],
    )
    lead_member = StringField(
        "Lead member (optional)", validators=[too_long("The lead member", MAX_NAME)]
    )
    rag = RadioField(
        "RAG status",
        choices=_choices(rules.RAG.items()),
        default="green",
        validate_choice=False,
        validators=[Required("Select red, amber or green")],
    )
    rag_reason = TextAreaField(
        "Why it has this status",
        filters=[_line_breaks],
        validators=[too_long("The reason", MAX_TEXT)],
    )
    source = SelectField("Where it came from", default="strategy", validate_choice=False)

    def choose(
        self,
        areas: list[tuple[str, str]],
        strands: list[tuple[str, str]],
        sources: dict[str, list[tuple[str, str]]],
    ) -> CorporateActionForm:
        self.readiness_area.choices = _choices(areas)
        self.strand.choices = [SelectChoice("", "No strand")] + _choices(strands)
        self.source.choices = [SelectChoice("strategy", rules.SOURCES["strategy"])] + [
            SelectChoice(f"{kind}:{value}", f"{rules.SOURCES[kind]}: {label}")
            for kind in ("gap", "risk", "eqia", "scrutiny")
            for value, label in sources.get(kind, [])
        ]
        return self

    def validate_readiness_area(self, field) -> None:
        _offered(field, "Select one of the readiness areas shown")

    def validate_strand(self, field) -> None:
        _offered(field, "Select one of the strands shown, or no strand")

    def validate_rag(self, field) -> None:
        _offered(field, "Select red, amber or green")

    def validate_rag_reason(self, field) -> None:
        if self.rag.data in ("red", "amber") and not _text(field):
            raise ValidationError("Say why the action is red or amber")

    def validate_source(self, field) -> None:
        _offered(field, "Select where the action came from from the list")

    def fields(self) -> dict:
        """What to store, once the form is valid."""
        kind, _, rest = self.source.data.partition(":")
        source_id, _, round_id = rest.partition(":")
        return {
            "ref": _text(self.ref),
            "title": _text(self.title),
            "readiness_area": self.readiness_area.data,
            "strand": self.strand.data or "",
            "lead_officer": _text(self.lead_officer),
            "lead_member": _text(self.lead_member),
            "rag": self.rag.data,
            "rag_reason": _text(self.rag_reason),
            "source_kind": kind,
            "source_id": int(source_id) if source_id else None,
            "source_round_id": int(round_id) if round_id else None,
        }


def source_value(action: dict) -> str:
    """A stored action's source as the form's choice."""
    if action["source_kind"] == "strategy":
        return "strategy"
    value = f"{action['source_kind']}:{action['source_id']}"
    return f"{value}:{action['source_round_id']}" if action["source_round_id"] else value


class MilestoneForm(FlaskForm):
    title = StringField(
        "Milestone",
        validators=[Required("Enter the milestone"), too_long("The milestone", MAX_TITLE)],
    )
    due_on = StringField("Due date", validators=[Required("Enter the date it is due")])

    def validate_due_on(self, field) -> None:
        _date(field)

    def fields(self) -> tuple[str, str]:
        return _text(self.title), str(_date(self.due_on))


class MilestoneDoneForm(FlaskForm):
    done_on = StringField("Date done", validators=[Required("Enter the date it was done")])

    def validate_done_on(self, field) -> None:
        _date(field)

    def done_on_date(self) -> str:
        return str(_date(self.done_on))


class NoteForm(FlaskForm):
    noted_on = StringField("Date of the update", validators=[Required("Enter the update's date")])
    note = TextAreaField(
        "Progress",
        filters=[_line_breaks],
        validators=[Required("Say what progress was made"), too_long("The progress", MAX_TEXT)],
    )
    rag = RadioField(
        "RAG status now",
        choices=_choices(rules.RAG.items()),
        validate_choice=False,
        validators=[Required("Select red, amber or green")],
    )
    rag_reason = TextAreaField(
        "Why it has this status",
        filters=[_line_breaks],
        validators=[too_long("The reason", MAX_TEXT)],
    )

    def validate_noted_on(self, field) -> None:
        _date(field)

    def validate_rag(self, field) -> None:
        _offered(field, "Select red, amber or green")

    def validate_rag_reason(self, field) -> None:
        if self.rag.data in ("red", "amber") and not _text(field):
            raise ValidationError("Say why the action is red or amber")

    def fields(self) -> tuple[str, str, str, str]:
        return str(_date(self.noted_on)), _text(self.note), self.rag.data, _text(self.rag_reason)


class ServeForm(FlaskForm):
    improvement_action = SelectField("A team's improvement action", validate_choice=False)

    def choose(self, unlinked: list[dict]) -> ServeForm:
        self.improvement_action.choices = [
            SelectChoice(str(a["id"]), f"{a['team_name']}: {a['what'][:100]}") for a in unlinked
        ]
        return self

    def validate_improvement_action(self, field) -> None:
        _offered(field, "Select one of the teams' improvement actions shown")


class RecommendationForm(FlaskForm):
    committee = StringField(
        "Committee",
        validators=[Required("Enter the committee"), too_long("The committee", MAX_NAME)],
    )
    report_title = StringField(
        "Report",
        validators=[Required("Enter the report's title"), too_long("The report", MAX_TITLE)],
    )
    meeting_on = StringField("Date of the meeting", validators=[Required("Enter the meeting date")])
    received_on = StringField(
        "Date received", validators=[Required("Enter the date the recommendation was received")]
    )
    recommendation = TextAreaField(
        "Recommendation",
        filters=[_line_breaks],
        validators=[
            Required("Enter the recommendation"),
            too_long("The recommendation", MAX_TEXT),
        ],
    )
    lead_member = StringField(
        "Lead Cabinet member", validators=[too_long("The lead member", MAX_NAME)]
    )
    response = RadioField(
        "Response",
        choices=[SelectChoice("", "Not yet responded")] + _choices(rules.RESPONSES.items()),
        default="",
        validate_choice=False,
    )
    response_reason = TextAreaField(
        "The response, and the reason for it",
        filters=[_line_breaks],
        validators=[too_long("The response", MAX_TEXT)],
    )
    responded_on = StringField("Date of the response")
    corporate_action = SelectField("Proposed action", default=NO_ACTION, validate_choice=False)
    timescale = StringField(
        "Indicative timescale", validators=[too_long("The timescale", MAX_TIMESCALE)]
    )

    def choose(self, actions: list[dict]) -> RecommendationForm:
        self.corporate_action.choices = [SelectChoice(NO_ACTION, "No action in the plan")] + [
            SelectChoice(str(a["id"]), f"{a['ref']} {a['title'][:100]}") for a in actions
        ]
        return self

    def validate_meeting_on(self, field) -> None:
        _date(field)

    def validate_received_on(self, field) -> None:
        _date(field)

    def validate_response(self, field) -> None:
        _offered(field, "Select accepted, partially accepted, rejected, or not yet responded")

    def validate_response_reason(self, field) -> None:
        if self.response.data and not _text(field):
            raise ValidationError("Enter the response and the reason for it")

    def validate_responded_on(self, field) -> None:
        if self.response.data and not _text(field):
            raise ValidationError("Enter the date of the response")
        if not self.response.data and _text(field):
            raise ValidationError("Select the response, or leave its date blank")
        responded = _date(field, required=False)
        received = _date(self.received_on, required=False) if not self.received_on.errors else None
        if responded and received and responded < received:
            raise ValidationError("The response cannot come before the recommendation was received")

    def validate_corporate_action(self, field) -> None:
        _offered(field, "Select one of the plan's actions shown, or no action")

    def fields(self) -> dict:
        return {
            "committee": _text(self.committee),
            "report_title": _text(self.report_title),
            "meeting_on": _date(self.meeting_on),
            "received_on": _date(self.received_on),
            "recommendation": _text(self.recommendation),
            "lead_member": _text(self.lead_member),
            "response": self.response.data or "",
            "response_reason": _text(self.response_reason),
            "responded_on": _date(self.responded_on, required=False),
            "corporate_action_id": int(self.corporate_action.data)
            if self.corporate_action.data
            else None,
            "timescale": _text(self.timescale),
        }


def as_form_data(found: dict) -> dict:
    """A stored recommendation as its form shows it."""
    return {
        **found,
        "meeting_on": rules.short_date(found["meeting_on"]),
        "received_on": rules.short_date(found["received_on"]),
        "responded_on": rules.short_date(found["responded_on"]),
        "corporate_action": str(found["corporate_action_id"] or ""),
    }


def today_typed(today: date) -> str:
    return f"{today.day}/{today.month}/{today.year}"
