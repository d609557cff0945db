"""Settings of the server the `hotpaths` benchmark starts: production's (config.settings, read
from the same environment: DEBUG off, PostgreSQL, Redis), plus the baseline views under
/bench/ (benchmarks/baseline_urls.py) and per-client rate limits raised so that one load
generator on 127.0.0.1 is not throttled. The limits are still counted in Redis on every
request, as in production; only the ceiling is higher. Never used outside the benchmark."""

from config.settings import *  # noqa: F403

from config.settings import INSTALLED_APPS

ROOT_URLCONF = "benchmarks.baseline_urls"
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]
SUQIU_RATE_LIMITS = {"petition-submit": "100000000/h", "petition-track": "100000000/h",
                     "petition-track-code": "100000000/h"}
