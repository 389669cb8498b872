"""gunicorn settings for assess: `gunicorn wsgi:app` reads this file from the working directory."""

import os
import sys

if os.environ.get("ASSESS_ENV") == "development":
    sys.exit(
        "gunicorn will not serve assess with ASSESS_ENV=development: development mode signs "
        "sessions with a key kept in the instance folder and sends cookies without Secure. "
        "Unset ASSESS_ENV (or set it to production) and set ASSESS_SECRET_KEY; use `make run` "
        "for development."
    )

bind = os.environ.get("ASSESS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ASSESS_WORKERS", "2"))
# Import the app once in the master: the workers share its libraries' memory (copy on write).
preload_app = True
# gunicorn's control socket (one shared path per machine user) is not used by assess.
control_socket_disable = True
# Logs are JSON lines on stdout: the app logs each request itself (assess/logs.py), so gunicorn's
# access log is off, and gunicorn's own messages (workers booting, timing out) use the same format.
accesslog = None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "assess.web.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"level": "WARNING", "handlers": ["stdout"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False}},
}


def when_ready(server):
    """Start the chart renderer beside the workers: it draws every chart, so no request waits
    on drawing and no worker loads the renderer.

    First the app's objects are frozen (`gc.freeze`): the garbage collector of a worker or the
    renderer then never walks them, which would write to each one and copy the pages they
    share with the master.
    """
    import gc

    from assess.charts import renderer

    gc.freeze()

    def close_listeners():
        for listener in server.LISTENERS:
            listener.close()

    server.chart_renderer = renderer.start_beside(server.app.wsgi(), close_listeners)


def on_exit(server):
    """Stop the chart renderer with the server."""
    import contextlib
    import signal

    pid = getattr(server, "chart_renderer", None)
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
