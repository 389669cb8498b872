"""gunicorn settings for assess: `gunicorn wsgi:app` reads this file from the working directory."""

import os

bind = os.environ.get("ASSESS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ASSESS_WORKERS", "2"))
# Import the app once in the master: the workers share its libraries' memory (copy on write).
preload_app = True
accesslog = "-"
errorlog = "-"


def post_worker_init(worker):
    """Start the chart renderer in each worker, so no team lead waits for it."""
    from assess import charts

    charts.warm_up()
