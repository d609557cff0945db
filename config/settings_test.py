"""The test suite's settings: the project's own, read as a developer's machine reads them.

Tests run with ``DEBUG`` on at import (a fixed development key, static files from the finders,
plain HTTP for the test client) unless the environment says otherwise; pytest-django still runs
each test with ``settings.DEBUG = False``. Child processes (Celery workers in the integration
tests) inherit the variable.
"""

import os

os.environ.setdefault("DEBUG", "true")

from .settings import *  # noqa: E402,F403
