"""The WSGI entry point: `gunicorn wsgi:app`. The instance folder sits beside this file.

A service that cannot work (a broken questionnaire, an unsafe configuration, a missing, damaged
or newer database) stops here with one message on stderr and exit status 1, not a trace: with
gunicorn's `preload_app` the master fails to boot, so no worker ever answers with an error page.
"""

import os
import sys
from pathlib import Path

from assess.assessment.questionnaire import QuestionnaireError
from assess.store import StorageError
from assess.store.db import check_database
from assess.web.app import ConfigurationError, create_app

try:
    app = create_app(
        instance_path=os.environ.get(
            "ASSESS_INSTANCE", Path(__file__).resolve().parent / "instance"
        )
    )
    check_database(app.config["DATABASE_PATH"])
except (QuestionnaireError, ConfigurationError, StorageError) as error:
    sys.exit(f"assess cannot start:\n{error}")
