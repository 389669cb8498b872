"""The `assess` command: set up, check and look after an instance.

Errors an officer can act on are printed as one clear message with exit status 1, never a trace.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from assess import demo, store
from assess.assessment.questionnaire import QuestionnaireError, load_folder, load_questionnaire
from assess.audit.chain import UNSEALED
from assess.charts import renderer
from assess.readiness.checks import REVIEWS_FOLDER, load_reviews
from assess.readiness.figures import review_for
from assess.store.audit import check_audit_trail, seal_unkeyed_events
from assess.store.backup import replaced_last_event, set_aside_if_damaged
from assess.store.db import check_file, check_sound
from assess.web.app import ConfigurationError, create_app
from assess.web.auth import hash_password


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _app(ctx: click.Context):
    """The app as the instance is configured (ASSESS_ENV, instance/config.py): only a
    development instance gets key files made in its folder; any other must be given its keys,
    the same as the service, so the command chains audit events with the service's key."""
    try:
        return create_app(instance_path=ctx.obj["instance"])
    except QuestionnaireError as error:
        _fail(f"A questionnaire file is broken, so assess will not start:\n{error}")
    except ConfigurationError as error:
        _fail(
            f"{error}\nThe assess command reads the same settings as the service. For a "
            "development instance, set ASSESS_ENV=development (make run does)."
        )
    except Exception as error:  # a configuration error an officer must fix
        _fail(str(error))


def _track(items: Iterable, label: str) -> Iterator:
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield from bar


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar fed with (pages done, pages in all) by SQLite's backup API."""
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:

        def update(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        yield update


def _checked(app, create: bool = False) -> store.Database:
    """The instance database, checked but not upgraded. Only init-db and seed-demo may create
    it; every command refuses a missing (unless creating), damaged, foreign or newer one."""
    path = app.config["DATABASE_PATH"]
    if not create:
        check_file(path)
    db = store.connect(path, audit_key=app.config["AUDIT_KEY"])
    if not create or db.table_names():
        check_sound(db, path)
    return db


def _database(app, create: bool = False) -> store.Database:
    """The instance database, checked and brought up to date."""
    db = _checked(app, create)
    store.migrate(db)
    return db


def _storage_errors(command):
    """Turn storage and input errors into a message and exit status 1."""

    def wrapped(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (store.StorageError, ValueError) as error:
            _fail(str(error))
        except sqlite3.DatabaseError as error:  # damage found after the start-up checks
            _fail(
                f"The database could not be read (SQLite says: {error}). Restore the latest "
                "backup with 'assess restore FILE'."
            )

    wrapped.__name__ = command.__name__
    wrapped.__doc__ = command.__doc__
    return wrapped


@click.group()
@click.option(
    "--instance",
    envvar="ASSESS_INSTANCE",
    default="instance",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The instance folder (database and local config).",
)
@click.pass_context
def cli(ctx: click.Context, instance: Path) -> None:
    """assess: culture maturity and readiness self-assessment."""
    ctx.obj = {"instance": instance}


@cli.command("init-db")
@click.option("--demo-if-empty", is_flag=True, help="Seed the demo council if there are no users.")
@click.pass_context
@_storage_errors
def init_db(ctx: click.Context, demo_if_empty: bool) -> None:
    """Create or upgrade the database and load the questionnaires."""
    app = _app(ctx)
    db = _checked(app, create=True)
    steps = store.migrate(db)
    for questionnaire in app.extensions["questionnaires"].values():
        store.store_questionnaire_version(db, questionnaire)
    click.echo(
        f"Database ready at {app.config['DATABASE_PATH']} (schema {store.schema_steps(db)[-1]})."
    )
    if steps:
        click.echo(f"Applied schema steps: {', '.join(steps)}.")
    if demo_if_empty:
        if db["users"].count:
            click.echo("The instance already has users; the demo was not seeded.")
        else:
            _seed(app, db, teams=40, rounds=3)
        if store.user_by_email(db, demo.DEMO_USERS[0][0]):
            _print_demo_sign_ins()


def _print_demo_sign_ins() -> None:
    click.echo(f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
    for email, name, role, teams_of in demo.DEMO_USERS:
        extra = f" ({', '.join(teams_of)})" if teams_of else ""
        click.echo(f"  {store.ROLE_NAMES[role]:<22} {email}  {name}{extra}")


def _seed(app, db, teams: int, rounds: int) -> None:
    questionnaire = app.extensions["questionnaires"].get(demo.DEMO_QUESTIONNAIRE)
    if questionnaire is None:
        _fail(f"The demo needs the questionnaire '{demo.DEMO_QUESTIONNAIRE}'.")
    with app.app_context():
        review = review_for(questionnaire.id)
    summary = demo.seed(
        db,
        questionnaire,
        hash_password(demo.DEMO_PASSWORD),
        teams=teams,
        rounds=rounds,
        track=_track,
        review=review,
    )
    click.echo(
        f"Seeded {summary.directorates} directorates, {summary.teams} teams, {summary.users} "
        f"users, {summary.rounds} rounds, {summary.assessments} assessments, "
        f"{summary.answers} answers."
    )


@cli.command("seed-demo")
@click.option("--teams", default=40, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--rounds", default=3, show_default=True, type=click.IntRange(1, 20))
@click.pass_context
@_storage_errors
def seed_demo(ctx: click.Context, teams: int, rounds: int) -> None:
    """Fill an empty instance with the demo council."""
    app = _app(ctx)
    db = _database(app, create=True)
    _seed(app, db, teams, rounds)
    _print_demo_sign_ins()


@cli.group()
def questionnaires() -> None:
    """Check and load questionnaire files."""


@questionnaires.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Validate questionnaire files and readiness reviews (default: the questionnaires folder,
    with its readiness-reviews folder)."""
    from assess.config import DEFAULTS

    found: list = []
    reviews: list = []
    problems = []
    for path in paths or (Path(DEFAULTS["QUESTIONNAIRES"]),):
        try:
            if not path.is_dir():
                found.append(load_questionnaire(path))
                continue
            loaded = load_folder(path)
            found.extend(loaded.values())
            reviews.extend(load_reviews(path / REVIEWS_FOLDER, loaded).values())
        except QuestionnaireError as error:
            problems.extend(error.problems)
    if problems:
        _fail(f"{len(problems)} problem(s) found:\n{QuestionnaireError(problems)}")
    for q in found:
        click.echo(
            f"ok  {q.source}: {q.id} '{q.title}', {len(q.statements)} statements, "
            f"{len(q.scale)} levels, version {q.short_version}"
        )
    for r in reviews:
        click.echo(
            f"ok  {r.source}: {r.id} '{r.title}', {len(r.checks)} checks in {len(r.areas)} "
            f"areas, version {r.short_version}"
        )


@questionnaires.command("load")
@click.pass_context
@_storage_errors
def load(ctx: click.Context) -> None:
    """Validate every questionnaire and record any new version in the database."""
    app = _app(ctx)
    db = _database(app)
    for q in app.extensions["questionnaires"].values():
        new = store.store_questionnaire_version(db, q)
        click.echo(f"{'new' if new else 'known'}  {q.id} version {q.short_version}")


@cli.command("draw-charts")
@click.option("--until-idle", is_flag=True, help="Stop when nothing is left to draw (for scripts).")
@click.pass_context
@_storage_errors
def draw_charts(ctx: click.Context, until_idle: bool) -> None:
    """Run the chart renderer: draw every chart as the figures it shows change.

    gunicorn starts it beside its workers; `make run` beside the development server.
    """
    app = _app(ctx)
    renderer.name_process(renderer.RENDERER_NAME)
    renderer.give_way()
    renderer.note_recent_rounds(app)
    steps = renderer.run(app, until_idle=until_idle)
    if until_idle:
        click.echo(f"Charts drawn and up to date ({steps} steps).")


@cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(store.ROLES))
@click.option("--team", "teams", multiple=True, help="A team the user belongs to (repeatable).")
@click.password_option(help="At least 12 characters; asked for if not given.")
@click.pass_context
@_storage_errors
def create_user(
    ctx, email: str, name: str, role: str, teams: tuple[str, ...], password: str
) -> None:
    """Add a user who can sign in."""
    app = _app(ctx)
    db = _database(app)
    team_ids = []
    for team in teams:
        team_id = store.team_id_by_name(db, team)
        if team_id is None:
            raise ValueError(f"There is no team called '{team}'.")
        team_ids.append(team_id)
    user_id = store.create_user(db, email, name, role, hash_password(password), team_ids)
    click.echo(f"Created user {user_id}: {email} ({store.ROLE_NAMES[role]}).")


@cli.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
@_storage_errors
def backup(ctx: click.Context, destination: Path) -> None:
    """Copy the live database to a new file (safe while the service is running)."""
    app = _app(ctx)
    source = app.config["DATABASE_PATH"]
    if not source.exists():
        raise store.StorageError(f"No database at {source} to back up.")
    with _progress("Backing up") as progress:
        store.backup(source, destination, progress)
    counts = store.check_backup(destination)
    click.echo(f"Backed up to {destination}: {sum(counts.values())} rows in {len(counts)} tables.")


@cli.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@_storage_errors
def restore(ctx: click.Context, source: Path, yes: bool) -> None:
    """Replace the instance database with a backup (checked before anything is replaced)."""
    app = _app(ctx)
    store.check_backup(source)
    if not yes:
        click.confirm(f"Replace {app.config['DATABASE_PATH']} with {source}?", abort=True)
    replaced = replaced_last_event(app.config["DATABASE_PATH"])
    if aside := set_aside_if_damaged(app.config["DATABASE_PATH"]):
        click.echo(f"The damaged database was moved aside to {aside}.")
    with _progress("Restoring") as progress:
        counts = store.restore(
            source,
            app.config["DATABASE_PATH"],
            progress,
            audit_key=app.config["AUDIT_KEY"],
            replaced=replaced,
            set_aside=aside,
        )
    click.echo(f"Restored {sum(counts.values())} rows in {len(counts)} tables from {source}.")
    click.echo(
        "The audit trail records the restore"
        + (
            f", and that it replaced a database whose last event was {replaced['id']}."
            if replaced
            else "."
        )
    )


@cli.group()
def audit() -> None:
    """Check the audit trail."""


@audit.command("verify")
@click.pass_context
@_storage_errors
def verify_audit(ctx: click.Context) -> None:
    """Walk the whole audit chain under the audit key; name the first event that was edited,
    deleted or reordered, and say if the append-only triggers are missing."""
    db = _database(_app(ctx))
    result = check_audit_trail(db)
    if not result.intact:
        _fail(result.summary())
    click.echo(result.summary())


@audit.command("seal")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@_storage_errors
def seal_audit(ctx: click.Context, yes: bool) -> None:
    """Once, when upgrading: seal the events recorded before the audit chain was keyed."""
    db = _database(_app(ctx))
    result = check_audit_trail(db)
    if result.intact:
        click.echo("Nothing to seal. " + result.summary())
        return
    if result.missing_triggers or (result.first_break and result.first_break.kind != UNSEALED):
        _fail(result.summary() + " Nothing was sealed.")
    if not yes:
        click.echo(result.summary())
        click.confirm(
            "Seal them? Only if this instance was never sealed before: a second request to "
            "seal means the chain was rewritten (see docs/security.md)",
            abort=True,
        )
    sealed = seal_unkeyed_events(db)
    click.echo(
        f"Sealed events 1 to {sealed} with a keyed event. " + check_audit_trail(db).summary()
    )


@audit.command("recompute")
@click.argument(
    "pack", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.option("--round", "round_name", help="Use the round's latest frozen pack in the database.")
@click.pass_context
@_storage_errors
def recompute_pack(ctx: click.Context, pack: Path | None, round_name: str | None) -> None:
    """Recompute every score in a round pack from the pack alone; list any difference."""
    from assess.audit import round_pack
    from assess.store import round_packs as pack_store

    if (pack is None) == (round_name is None):
        raise ValueError("Give a pack file, or --round with a round's name (not both).")
    if pack is not None:
        data = pack.read_bytes()
    else:
        data = pack_store.latest_pack_of(_database(_app(ctx)), round_name)
    contents = round_pack.from_file(data)
    click.echo(
        f"Round pack of {contents['round']['name']}, frozen {contents['created_at']}: "
        f"SHA-256 {round_pack.sha256(contents)} (compare it with the audit log's 'freeze' event)."
    )
    result = round_pack.recompute(contents)
    for note in result.notes:
        click.echo(note)
    if result.differences:
        lines = [str(d) for d in result.differences]
        _fail(
            f"{len(result.differences)} of {result.scores} scores differ from the stored ones:\n"
            + "\n".join(lines)
        )
    click.echo(
        f"All {result.scores} scores of {result.assessments} assessments recomputed from the "
        "pack match the stored scores."
    )


@cli.command("eqia-prompts")
@click.option("--round", "round_name", help="Only this round (by name); every round if left out.")
@click.pass_context
@_storage_errors
def eqia_prompts(ctx: click.Context, round_name: str | None) -> None:
    """Raise the EqIA review prompts signed-off assessments call for (a backfill: sign-off
    raises them as it happens). Safe to run again: one prompt per EqIA and round."""
    from assess.store import registers as register_store

    app = _app(ctx)
    db = _database(app)
    rounds = store.rounds(db)
    if round_name is not None:
        rounds = [r for r in rounds if r["name"] == round_name]
        if not rounds:
            raise ValueError(f"There is no round called {round_name!r}.")
    for round_ in rounds:
        raised = register_store.raise_eqia_prompts_for_round(
            db, round_["id"], app.config["RISK_LOW_SCORE"], app.config["CHANGE_THRESHOLD"]
        )
        click.echo(
            f"{round_['name']}: review prompted for {', '.join(raised)}."
            if raised
            else f"{round_['name']}: no new review prompts."
        )


def main() -> None:
    cli(prog_name="assess")
