"""Administration: directorates, teams, users and roles, and the questionnaire versions in use."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp, StopValidation, ValidationError

from assess import store
from assess.web.auth import MIN_PASSWORD_LENGTH, hash_password, requires
from assess.web.helpers import Required, form_errors, found_or_404, page, person_label

bp = Blueprint("admin", __name__, url_prefix="/admin")


# Control characters and the bidirectional overrides and isolates, which can make an address
# read differently from what it is: never part of an email address.
HIDDEN_CHARACTERS = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def not_only_spaces(form, field) -> None:
    if field.data and not field.data.strip():
        field.errors[:] = []
        raise StopValidation("The password must not be only spaces")


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role, name) for role, name in store.ROLE_NAMES.items()]


def temporary_password() -> PasswordField:
    return PasswordField(
        "Temporary password",
        validators=[
            InputRequired("Enter a temporary password"),
            not_only_spaces,
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=f"The password must be at least {MIN_PASSWORD_LENGTH} characters",
            ),
        ],
    )


class PasswordForm(FlaskForm):
    password = temporary_password()


class UserForm(FlaskForm):
    role = RadioField("Role", validate_choice=True)
    teams = SelectMultipleField("Teams", coerce=int)
    active = BooleanField("This person may sign in")


class NewUserForm(UserForm):
    name = StringField(
        "Full name", validators=[Required("Enter the person's name"), Length(max=200)]
    )
    email = EmailField(
        "Email address",
        validators=[
            InputRequired("Enter an email address"),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message="Enter an email address in the correct format, like name@council.example",
            ),
            Length(max=254),
        ],
    )
    password = temporary_password()

    def validate_email(self, field) -> None:
        if HIDDEN_CHARACTERS.search(field.data or ""):
            raise ValidationError(
                "The email address must not contain control or hidden characters, "
                "like name@council.example"
            )
        if store.user_by_email(store.get_db(), field.data or ""):
            raise ValidationError("There is already a user with this email address")


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[Required("Enter the team's name"), Length(max=200)])
    directorate = SelectField("Directorate", coerce=int, validate_choice=True)
    existing_id: int | None = None

    def validate_name(self, field) -> None:
        clash = store.team_id_by_name(store.get_db(), field.data)
        if clash is not None and clash != self.existing_id:
            raise ValidationError("There is already a team with this name")


class DirectorateForm(FlaskForm):
    name = StringField(
        "Directorate name",
        validators=[Required("Enter the directorate's name"), Length(max=200)],
    )
    lead = SelectField("Directorate lead (copied into escalated reminders)", coerce=int)
    existing_id: int | None = None

    def validate_name(self, field) -> None:
        clash = store.directorate_id_by_name(store.get_db(), field.data)
        if clash is not None and clash != self.existing_id:
            raise ValidationError("There is already a directorate with this name")


def prepared(form: UserForm) -> UserForm:
    db = store.get_db()
    form.role.choices = role_choices()
    form.teams.choices = [
        SelectChoice(t["id"], f"{t['name']} ({t['directorate']})") for t in store.active_teams(db)
    ]
    return form


def saved(message: str):
    """Back to the administration page, saying what was saved."""
    flash(message)
    return redirect(url_for("admin.index"))


@bp.route("/")
@requires("administer")
def index():
    db = store.get_db()
    return render_template(
        "admin/index.html",
        users=store.users_with_teams(db),
        directorates=store.directorates_with_teams(db),
        teams=store.active_teams(db),
        versions=store.questionnaire_versions(db),
        loaded={q.version for q in current_app.extensions["questionnaires"].values()},
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires("administer")
def new_user():
    form = prepared(NewUserForm(data={"role": "team_lead", "active": True}))
    if form.validate_on_submit():
        store.create_user(
            store.get_db(),
            form.email.data,
            form.name.data.strip(),
            form.role.data,
            hash_password(form.password.data),
            form.teams.data,
            g.user["id"],
        )
        return saved(f"{form.name.data.strip()} can now sign in with the temporary password.")
    return page("admin/user.html", form_errors(form), form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("administer")
def edit_user(user_id: int):
    db = store.get_db()
    user = store.user_by_id(db, user_id)
    if user is None:
        abort(404)
    teams = [t["id"] for t in store.teams_of_user(db, user_id)]
    form = prepared(
        UserForm(data={"role": user["role"], "teams": teams, "active": bool(user["active"])})
    )
    if form.validate_on_submit():
        if user_id == g.user["id"] and (not form.active.data or form.role.data != "administrator"):
            form.active.errors = ["You cannot remove your own administration access"]
        else:
            store.update_user(
                db, user_id, form.role.data, form.active.data, form.teams.data, g.user["id"]
            )
            return saved(f"{user['name']}'s account was updated.")
    return page("admin/user.html", form_errors(form), form=form, user=user)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@requires("administer")
def set_password(user_id: int):
    """A new temporary password, for someone who has forgotten theirs: every session they have
    open ends at once."""
    user = store.user_by_id(store.get_db(), user_id)
    if user is None:
        abort(404)
    form = PasswordForm()
    if form.validate_on_submit():
        store.set_password(store.get_db(), user_id, hash_password(form.password.data), g.user["id"])
        flash(
            f"{user['name']} has a new temporary password and was signed out everywhere. Give "
            "it to them in a separate message."
        )
        return redirect(url_for("admin.edit_user", user_id=user_id))
    return page("admin/password.html", form_errors(form), form=form, user=user)


@bp.route("/teams/new", methods=["GET", "POST"])
@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@requires("administer")
def team(team_id: int | None = None):
    """Add a team, or rename one or move it to another directorate."""
    db = store.get_db()
    existing = found_or_404(store.team, db, team_id) if team_id is not None else None
    form = TeamForm(
        data={"name": existing["name"], "directorate": existing["directorate_id"]}
        if existing
        else None
    )
    form.directorate.choices = [
        SelectChoice(d["id"], d["name"]) for d in store.directorates_with_teams(db)
    ]
    form.existing_id = team_id
    if form.validate_on_submit():
        name = form.name.data.strip()
        if team_id is None:
            store.add_team(db, name, form.directorate.data, g.user["id"])
        else:
            store.update_team(db, team_id, name, form.directorate.data, g.user["id"])
        return saved(f"Team {name} saved.")
    return page("admin/team.html", form_errors(form), form=form, existing=existing)


@bp.route("/directorates/new", methods=["GET", "POST"])
@bp.route("/directorates/<int:directorate_id>", methods=["GET", "POST"])
@requires("administer")
def directorate(directorate_id: int | None = None):
    db = store.get_db()
    existing = next(
        (d for d in store.directorates_with_teams(db) if d["id"] == directorate_id), None
    )
    if directorate_id is not None and existing is None:
        abort(404)
    form = DirectorateForm(
        data={"name": existing["name"], "lead": existing["lead_user_id"] or 0} if existing else None
    )
    form.lead.choices = [SelectChoice(0, "No lead")] + [
        SelectChoice(u["id"], person_label(u)) for u in store.users_with_teams(db) if u["active"]
    ]
    form.existing_id = directorate_id
    if form.validate_on_submit():
        name = form.name.data.strip()
        target = directorate_id or store.add_directorate(db, name, g.user["id"])
        if existing and name != existing["name"]:
            store.rename_directorate(db, target, name, g.user["id"])
        store.set_directorate_lead(db, target, form.lead.data or None, g.user["id"])
        return saved(f"Directorate {name} saved.")
    return page("admin/directorate.html", form_errors(form), form=form, existing=existing)
