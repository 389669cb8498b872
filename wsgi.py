"""The WSGI entry point: `gunicorn wsgi:app`. The instance folder sits beside this file."""

import os
import sys
from pathlib import Path

from assess import ConfigurationError, create_app
from assess.questionnaire import QuestionnaireError

try:
    app = create_app(
        instance_path=os.environ.get(
            "ASSESS_INSTANCE", Path(__file__).resolve().parent / "instance"
        )
    )
except (QuestionnaireError, ConfigurationError) as error:
    sys.exit(f"assess cannot start:\n{error}")
