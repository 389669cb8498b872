"""No cookie is signed with a key anyone could know: development makes a random key once and
keeps it in the instance folder; production must be given one; gunicorn refuses development."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from assess import config, store
from assess.web.app import ConfigurationError, create_app
from tests.conftest import PEOPLE

ROOT = Path(__file__).resolve().parent.parent
OLD_CONSTANT = "dev-only-not-secret"  # the key every installation once shared in development


@pytest.fixture(autouse=True)
def no_key_in_the_environment(monkeypatch):
    monkeypatch.delenv("ASSESS_SECRET_KEY", raising=False)
    monkeypatch.delenv("ASSESS_ENV", raising=False)


def development_app(instance: Path) -> Flask:
    return create_app({"ENV_NAME": "development"}, instance_path=instance)


def forged_cookie(secret_key: str, session: dict) -> str:
    forger = Flask("forger")
    forger.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    assert serializer is not None
    return serializer.dumps(session)


def test_development_makes_a_key_readable_by_its_owner_only_and_keeps_it(instance):
    first = development_app(instance)
    path = instance / "secret_key"

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 32
    assert path.read_text().strip() == first.config["SECRET_KEY"]
    assert development_app(instance).config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_two_instance_folders_get_different_keys(tmp_path, instance):
    here = development_app(instance).config["SECRET_KEY"]
    assert development_app(tmp_path / "other").config["SECRET_KEY"] != here


def test_a_key_that_is_set_is_used_and_no_key_file_is_made(instance):
    app = create_app({"ENV_NAME": "development", "SECRET_KEY": "given"}, instance_path=instance)
    assert app.config["SECRET_KEY"] == "given"
    assert not (instance / "secret_key").exists()


def test_an_empty_key_file_is_refused_with_what_to_do(instance):
    (instance / "secret_key").write_text("")
    with pytest.raises(ConfigurationError, match="secret_key is empty. Delete it"):
        development_app(instance)


def test_the_app_never_uses_the_old_constant_key(instance):
    assert config.DEFAULTS["SECRET_KEY"] is None
    assert OLD_CONSTANT not in Path(config.__file__).read_text()
    assert development_app(instance).config["SECRET_KEY"] != OLD_CONSTANT
    assert create_app({"TESTING": True}, instance_path=instance).config["SECRET_KEY"] != (
        OLD_CONSTANT
    )


def test_production_without_a_key_still_refuses_to_start(instance):
    with pytest.raises(ConfigurationError, match="Set a SECRET_KEY"):
        create_app({"ENV_NAME": "production"}, instance_path=instance)
    assert not (instance / "secret_key").exists()


def test_a_cookie_signed_with_the_old_constant_does_not_reach_administration(instance):
    app = development_app(instance)
    db = store.connect(app.config["DATABASE_PATH"])
    admin = store.user_by_email(db, PEOPLE["administrator"])
    db.conn.close()
    session = {"user_id": admin["id"], "session_version": admin["session_version"]}

    forged = app.test_client()
    forged.set_cookie("session", forged_cookie(OLD_CONSTANT, session))
    response = forged.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")

    # The same cookie signed with the app's own key gets in: the forgery itself is sound.
    genuine = app.test_client()
    genuine.set_cookie("session", forged_cookie(app.config["SECRET_KEY"], session))
    assert genuine.get("/admin/").status_code == 200


def gunicorn_config(env_name: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSESS_ENV": env_name}
    return subprocess.run(
        [sys.executable, "-c", "import runpy; runpy.run_path('gunicorn.conf.py')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_gunicorn_refuses_to_serve_development_mode():
    result = gunicorn_config("development")
    assert result.returncode == 1
    assert "gunicorn will not serve assess with ASSESS_ENV=development" in result.stderr
    assert "Traceback" not in result.stderr


def test_gunicorn_reads_its_config_in_production():
    result = gunicorn_config("production")
    assert result.returncode == 0, result.stderr
