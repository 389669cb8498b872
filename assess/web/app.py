"""The app factory: settings, the blueprints of every room, template filters."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_wtf import CSRFProtect
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.routing import IntegerConverter

from assess import config, store
from assess.assessment.questionnaire import load_folder
from assess.readiness.checks import REVIEWS_FOLDER, load_reviews
from assess.web import access, errors, govuk, logs, oidc, oidc_rules, pictures, security
from assess.web.helpers import first_errors, long_date, long_time

csrf = CSRFProtect()


class IdConverter(IntegerConverter):
    """`<int:...>` in a URL: a whole number SQLite can hold (at most 2**63 - 1). A longer one is
    a 404, as any id that is not there, rather than an OverflowError from the database."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


class ConfigurationError(Exception):
    """The service is configured in a way that would be unsafe or cannot work."""


SECRET_KEY_FILE = "secret_key"  # in the instance folder; development and testing only
AUDIT_KEY_FILE = "audit_key"  # likewise: production takes AUDIT_KEY from the secret store


def instance_key(instance: Path, file_name: str) -> str:
    """A development key: random, made once and kept in `instance/<file_name>` (readable by
    its owner only), so it outlives a restart and no two installations share one."""
    path = instance / file_name
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if not key:
            raise ConfigurationError(
                f"{path} is empty. Delete it and start assess again to make a new key."
            ) from None
        return key
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key


# The keys assess needs: outside development each must be configured, or assess refuses to start.
KEYS = (
    (
        "SECRET_KEY",
        SECRET_KEY_FILE,
        "Set a SECRET_KEY (ASSESS_SECRET_KEY or instance/config.py) before serving assess "
        "outside development.",
    ),
    (
        "AUDIT_KEY",
        AUDIT_KEY_FILE,
        "Set an AUDIT_KEY (ASSESS_AUDIT_KEY, from the council's secret store) before running "
        "assess outside development: it keys the audit chain, and is kept apart from the "
        "database and its backups (docs/security.md).",
    ),
)


def create_app(test_config: dict | None = None, instance_path: str | Path | None = None) -> Flask:
    """Build the app. Raises QuestionnaireError if any questionnaire file is broken."""
    instance_path = instance_path or os.environ.get("ASSESS_INSTANCE")
    app = Flask(
        "assess",  # the package: its templates/ and static/
        instance_relative_config=True,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
    )
    app.url_map.converters["int"] = IdConverter
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for variable, (setting, kind) in config.ENVIRONMENT.items():
        if variable in os.environ:
            app.config[setting] = kind(os.environ[variable])
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    for setting, file_name, message in KEYS:
        if not app.config.get(setting):
            if not (app.config["ENV_NAME"] == "development" or app.testing):
                raise ConfigurationError(message)
            app.config[setting] = instance_key(Path(app.instance_path), file_name)
    problem = oidc_rules.settings_problem(app.config, access.ROLES)
    if problem:
        raise ConfigurationError(problem)
    app.config["SESSION_COOKIE_SECURE"] = (
        app.config["ENV_NAME"] not in ("development",) and not app.testing
    )
    app.config["DATABASE_PATH"] = Path(app.instance_path) / app.config["DATABASE"]
    app.config["CHARTS_PATH"] = Path(app.instance_path) / app.config["CHARTS_DATABASE"]

    app.extensions["questionnaires"] = load_folder(Path(app.config["QUESTIONNAIRES"]))
    app.extensions["readiness_reviews"] = load_reviews(
        Path(app.config["QUESTIONNAIRES"]) / REVIEWS_FOLDER, app.extensions["questionnaires"]
    )

    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.undefined = ChainableUndefined  # the GOV.UK macros read optional nested params
    govuk.init_app(app)
    errors.init_app(app)
    pictures.init_app(app)
    csrf.init_app(app)
    app.teardown_appcontext(store.close_request_db)

    from assess.assessment import views as team
    from assess.rounds import council_views as council
    from assess.rounds import views as rounds
    from assess.web import admin, auth, home, pages, sign_in

    app.register_blueprint(sign_in.bp)
    oidc.init_app(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(team.bp)
    from assess.assessment import invite_views, staff_views

    app.register_blueprint(staff_views.bp)
    app.register_blueprint(invite_views.bp)
    from assess.readiness import views as readiness_views

    app.register_blueprint(readiness_views.bp)
    from assess.audit import views as audit_views

    app.register_blueprint(audit_views.bp)
    app.register_blueprint(rounds.bp)
    app.register_blueprint(council.bp)
    app.register_blueprint(admin.bp)
    from assess.registers import views as register_views

    app.register_blueprint(register_views.bp)
    from assess.programme import views as programme_views

    app.register_blueprint(programme_views.bp)
    from assess.programme import plan_views

    app.register_blueprint(plan_views.bp)
    from assess.programme import committee_views

    app.register_blueprint(committee_views.bp)
    app.add_template_filter(long_date)
    app.add_template_filter(long_time)
    app.add_template_filter(first_errors)
    logs.init_app(app)
    security.init_app(app)
    app.before_request(auth.load_signed_in_user)
    app.context_processor(auth.template_context)
    app.context_processor(lambda: {"council_name": app.config["COUNCIL_NAME"]})
    return app
