"""The renderer: the one process that draws charts, so no request ever waits on drawing.

It loops over the chart cache (`assess/store/charts.py`): first it works out which charts a
changed round feeds (the changed team's radars before everyone else's, and the council view's),
then it draws whatever is wanted, most urgent first, and keeps each picture by its key. A chart
that fails is tried again up to `ATTEMPTS` times and logged; the pages keep serving their tables.

Under gunicorn, `gunicorn.conf.py` starts it beside the workers; `make run` starts it beside the
development server (`assess draw-charts`). Only this process imports Altair and vl-convert.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assess.store import charts as cache

if TYPE_CHECKING:  # the renderer is handed an app; it needs nothing else of Flask's
    from flask import Flask
    from sqlite_utils import Database

log = logging.getLogger("assess.charts")

SUPERVISOR_NAME = "assess-charts"  # the names `ps` and `top` show for the two processes
RENDERER_NAME = "assess-draw"
IDLE_SECONDS = 0.2  # how long the renderer sleeps when there is nothing to draw
RENDERER_IDLE_SECONDS = 10  # a renderer with nothing to draw for this long ends...
RENDERER_MOST = 200  # ...and so does one that has drawn this many charts (see `_supervise`)
RECENT_ROUNDS = 2  # the rounds whose charts a restart checks (see `note_recent_rounds`)
PRUNE_EVERY = 500  # pictures drawn between two prunings of the cache


def want_ahead(db: Database, round_id: int, team_id: int | None) -> None:
    """Ask for the charts a change feeds: a team's results radars, and, when the whole round
    changed, every team's and the council view's (as PNG too, for the committee report's
    document). Runs in an application context."""
    from assess.assessment.journey import radars_of_round
    from assess.rounds.figures import council_radars

    radars = radars_of_round(round_id, team_id)
    cache.want(db, [chart for team, chart in radars if team == team_id], "svg", cache.CHANGED)
    if team_id is None:
        council = council_radars(round_id)
        cache.want(db, council, "svg", cache.CHANGED)
        cache.want(db, [chart for _, chart in radars], "svg", cache.AHEAD)
        cache.want(db, council, "png", cache.AHEAD)  # the committee report's document


def step(app: Flask, db: Database, ahead: bool = True) -> bool:
    """Do the most urgent piece of work; False when there is none."""
    from assess.charts import builders

    change = cache.take_change(db) if ahead else None
    if change is not None:
        try:
            with app.app_context():
                want_ahead(db, *change)
        except Exception:
            log.exception("could not work out the charts of round %s", change[0])
        return True
    wanted = cache.next_wanted(db)
    if wanted is None:
        return False
    chart, fmt = wanted
    try:
        body = builders.draw(chart, fmt)
    except Exception as error:
        log.exception("could not draw a %s chart (%s)", chart.kind, chart.key[:12])
        cache.failed(db, chart, fmt, repr(error))
    else:
        cache.keep(db, chart, fmt, body)
    return True


def run(
    app: Flask,
    *,
    until_idle: bool = False,
    stop: Callable[[], bool] = lambda: False,
    ahead: bool = True,
    idle_seconds: float | None = None,
    most: int | None = None,
) -> int:
    """Draw until `stop()` says so, until nothing is left (`until_idle`), until nothing has
    come for `idle_seconds`, or after `most` steps; returns how many steps it took. With
    `ahead` False it draws only what pages ask for, and never reads the assessments' database."""
    db = cache.open_charts(app.config["CHARTS_PATH"])
    steps, idle_since = 0, time.monotonic()
    try:
        while not stop() and steps != most:
            if step(app, db, ahead):
                steps += 1
                idle_since = time.monotonic()
                if steps % PRUNE_EVERY == 0:
                    cache.prune(db, app.config["CHARTS_KEPT"])
            elif until_idle or (
                idle_seconds is not None and time.monotonic() - idle_since > idle_seconds
            ):
                break
            else:
                time.sleep(IDLE_SECONDS)
    finally:
        db.conn.close()
    return steps


def note_recent_rounds(app: Flask) -> None:
    """Note the newest rounds as changed, newest first: after a restart the renderer checks
    that their charts are drawn (a release that draws charts differently redraws them). Older
    rounds' charts are drawn when a page first asks for them."""
    from assess import store

    with app.app_context():
        rounds = store.rounds(store.get_db())
    newest = sorted(rounds, key=lambda r: r["opens_on"], reverse=True)[:RECENT_ROUNDS]
    db = cache.open_charts(app.config["CHARTS_PATH"])
    try:
        for round_ in newest:
            cache.note_change(db, round_["id"], None)
    finally:
        db.conn.close()


def start_beside(app: Flask, close_inherited: Callable[[], None] = lambda: None) -> int:
    """Fork the renderer's supervisor from a server's master process; returns its pid.

    Forked after the app is loaded, the renderer shares the master's memory for everything but
    what it alone loads (Altair, vl-convert). The supervisor restarts a renderer that crashes,
    and ends with its renderer when told to (SIGTERM) or when the master is gone.
    """
    pid = os.fork()
    if pid:
        return pid
    status = 0
    try:
        close_inherited()
        _supervise(app, os.getppid())
    except BaseException:
        log.exception("the chart renderer's supervisor stopped")
        status = 1
    finally:
        os._exit(status)


def give_way() -> None:
    """Run only on CPU time nobody else wants (Linux SCHED_IDLE; elsewhere the lowest priority),
    so drawing ahead never slows a web worker answering someone."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(19)


def name_process(name: str) -> None:
    """Name this process as `ps -o comm` and `top` show it, so the renderer can be told from a
    web worker (Linux; elsewhere the name stays)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/comm").write_text(name)


def _supervise(app: Flask, master: int) -> None:
    """Start a renderer whenever there is work and none is running; end it with the master.

    A renderer stops after `RENDERER_IDLE_SECONDS` with nothing to draw and after drawing
    `RENDERER_MOST` charts: vl-convert's memory grows as it draws and is only given back when
    its process ends, so at rest no renderer is running at all.
    """
    name_process(SUPERVISOR_NAME)
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    note_recent_rounds(app)
    supervisor = os.getpid()
    db = cache.open_charts(app.config["CHARTS_PATH"])
    while not stopping and os.getppid() == master:
        work = cache.waiting(db)
        if not (work["wanted"] or work["changed"]):
            time.sleep(IDLE_SECONDS)
            continue
        renderer = os.fork()
        if renderer == 0:
            name_process(RENDERER_NAME)
            give_way()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                run(
                    app,
                    stop=lambda: os.getppid() != supervisor,
                    idle_seconds=RENDERER_IDLE_SECONDS,
                    most=RENDERER_MOST,
                )
            finally:
                os._exit(0)
        while not (ended := os.waitpid(renderer, os.WNOHANG))[0]:
            if stopping or os.getppid() != master:
                os.kill(renderer, signal.SIGTERM)
                os.waitpid(renderer, 0)
                return
            time.sleep(IDLE_SECONDS)
        if ended[1] != 0:
            log.error("the chart renderer stopped unexpectedly; starting it again")
            time.sleep(1)
