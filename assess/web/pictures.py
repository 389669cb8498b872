"""Charts on pages and as downloads, read from the chart cache: a request never draws one.

A page asks `shown` which of its charts are drawn: those it shows as pictures, the others it
asks the renderer for and says are being prepared (the table beside every chart has the same
numbers). A download waits a little for the renderer (`CHART_WAIT_SECONDS`), then says to try
again. Every successful form that may change a round's figures notes the round as changed, and
the renderer draws ahead the charts it feeds (`assess/charts/renderer.py`).
"""

from __future__ import annotations

import os
import threading
import time

from flask import Flask, Response, abort, current_app, make_response, request
from sqlite_utils import Database

from assess.audit import exports
from assess.charts import MIMETYPES, Chart
from assess.store import charts as cache
from assess.web import errors

# The blueprints of one team's pages (its assessment, its readiness review): a change there
# changes that team's figures only.
TEAM_PAGES = ("team", "readiness")


_held = threading.local()  # this thread's connection to the chart cache: (pid, path, db)


def chart_db() -> Database:
    """This thread's connection to the chart cache, opened on first use and kept between
    requests: opening and closing one for each request cost about a millisecond of every save.
    A connection made in another process (before a fork) or to another file is not used."""
    path = str(current_app.config["CHARTS_PATH"])
    held = getattr(_held, "connection", None)
    if held is None or held[:2] != (os.getpid(), path):
        if held is not None and held[0] == os.getpid():
            held[2].conn.close()
        held = (os.getpid(), path, cache.open_charts(path, checkpoints=False))
        _held.connection = held
    return held[2]


def shown(charts: dict[str, Chart], fmt: str = "svg") -> dict[str, bool]:
    """Which of a page's charts are drawn; the rest are asked for."""
    db = chart_db()
    drawn = {name: cache.is_drawn(db, chart, fmt) for name, chart in charts.items()}
    missing = [chart for name, chart in charts.items() if not drawn[name]]
    if missing:
        cache.want(db, missing, fmt, cache.VIEWED)
    return drawn


def inline_svg(chart: Chart) -> str | None:
    """A drawn chart's SVG to put in a page, or None (and asked for) when not drawn yet."""
    body = cache.picture(chart_db(), chart, "svg")
    if body is None:
        cache.want(chart_db(), [chart], "svg", cache.VIEWED)
    return body.decode() if body is not None else None


def drawn_pictures(charts: dict[str, Chart], fmt: str = "png") -> dict[str, bytes | None]:
    """A document's charts as drawn pictures; those not drawn yet are None, and asked for."""
    db = chart_db()
    bodies = {name: cache.picture(db, chart, fmt) for name, chart in charts.items()}
    missing = [charts[name] for name, body in bodies.items() if body is None]
    if missing:
        cache.want(db, missing, fmt, cache.VIEWED)
    return bodies


def picture_response(chart: Chart, fmt: str, filename: str | None = None) -> Response:
    """The chart as an image response, waiting a little for the renderer if it is not drawn."""
    if fmt not in MIMETYPES:
        abort(404)
    db = chart_db()
    body = cache.picture(db, chart, fmt)
    if body is None:
        cache.want(db, [chart], fmt, cache.WAITING)
        deadline = time.monotonic() + current_app.config["CHART_WAIT_SECONDS"]
        while body is None and time.monotonic() < deadline:
            time.sleep(0.05)
            body = cache.picture(db, chart, fmt)
    if body is None:
        return make_response(errors.chart_pending())
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.set_etag(chart.key)
    if filename:
        response.headers["Content-Disposition"] = exports.attachment(f"{filename}.{fmt}")
    return response.make_conditional(request)


def note_change(response: Response) -> Response:
    """After a form that succeeded on a round's pages, note its figures as changed: a team
    lead's form changes that team's only; business improvement's (sign-off, return, moderation,
    opening and closing) may change the council's figures, so every team's in the round."""
    args = request.view_args or {}
    if request.method == "POST" and response.status_code < 400 and "round_id" in args:
        team_id = args.get("team_id") if request.blueprint in TEAM_PAGES else None
        cache.note_change(chart_db(), args["round_id"], team_id)
    return response


def init_app(app: Flask) -> None:
    app.after_request(note_change)
