"""Suqiu settings, read from the environment.

With no variable set, the project runs on the embedded default: a SQLite file under ``var/``
and a Celery broker on the local file system, so a bare machine needs no server. ``DEBUG`` is
off unless set. Production sets ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (Redis: broker and
cache), ``SECRET_KEY`` (or ``SECRET_KEY_FILE``) and ``ALLOWED_HOSTS``. ``make run`` says what the
embedded default needs explicitly (``HTTPS=false``: a local demo over plain HTTP).
"""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("SUQIU_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()


def env_secret(name: str, *, default: str | None = None) -> str:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/K8s secrets)."""
    file_name = env.str(f"{name}_FILE", default="")
    if file_name:
        return Path(file_name).read_text().strip()
    value = env.str(name, default="")
    if value:
        return value
    if default is not None:
        return default
    raise ImproperlyConfigured(f"Set the {name} environment variable (or {name}_FILE).")


DEBUG = env.bool("DEBUG", default=False)
# The embedded default: no database server named (SQLite under var/).
SUQIU_EMBEDDED = not env.str("DATABASE_URL", default="")


def embedded_secret_key() -> str:
    """A random key made once for this machine's var/ and kept there (readable by its owner only)."""
    path = VAR_DIR / "secret_key"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    import secrets

    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


# With DEBUG on, a fixed development key; on the embedded default, a key generated under var/;
# anywhere else (a database server named, DEBUG off) the key must be given.
if DEBUG:
    SECRET_KEY = env_secret("SECRET_KEY", default="django-insecure-suqiu-development-only")
elif SUQIU_EMBEDDED:
    SECRET_KEY = env_secret("SECRET_KEY", default="") or embedded_secret_key()
else:
    SECRET_KEY = env_secret("SECRET_KEY")
# The site is served over HTTPS (behind a TLS-terminating proxy): redirect plain HTTP, secure
# cookies, HSTS. On by default with DEBUG off; `make run` (plain HTTP on 127.0.0.1) sets it off.
HTTPS = env.bool("HTTPS", default=not DEBUG)
# load_demo creates logins with a published password only where that is harmless: with DEBUG on or
# on the embedded default. Elsewhere it refuses unless given --with-demo-logins.
SUQIU_DEMO_LOGINS_ALLOWED = DEBUG or SUQIU_EMBEDDED
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "axes",
    "csp",
    "communities",
    "petitions",
    "mediation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "communities.core.middleware.CSPMiddleware",  # django-csp's, its policy built once
    "communities.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "communities.core.middleware.LocaleMiddleware",  # Django's, not looking for a language in the path
    # Oversized bodies (413) and NUL characters (400) are refused before anything parses them.
    "communities.core.middleware.RequestLimitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "communities.core.middleware.MessageMiddleware",  # Django's, its storage built when first used
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in lockout flagged during the view into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "communities.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'suqiu.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file: WAL lets readers run beside the writer,
    # IMMEDIATE transactions take the write lock up front instead of failing mid-transaction.
    # Tests that start real worker processes need a database file they can share (one per
    # test run, so parallel runs on one machine do not collide).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Prepared statements for what asks for them: the tracking lookup (petitions.selectors), whose
    # planning takes longer than its run. The ORM's cursors bind on the client and are never
    # prepared; Django's default (None) would switch preparing off altogether.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker --------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")


def _broker_url(redis_url: str) -> str:
    """Celery's broker on the same Redis. redis-py reaches a Unix socket by ``unix:///path?db=n``;
    kombu names that ``redis+socket:///path?virtual_host=n`` (it has no ``unix`` transport)."""
    from urllib.parse import parse_qs, urlsplit

    if not redis_url.startswith("unix://"):
        return redis_url
    parts = urlsplit(redis_url)
    db = parse_qs(parts.query).get("db", ["0"])[0]
    return f"redis+socket://{parts.path}?virtual_host={db}"


if REDIS_URL:
    # Django's Redis cache, with one client object per pool instead of one per call
    # (communities/core/cache.py); django-ratelimit knows only Django's own class by name.
    CACHES = {
        "default": {"BACKEND": "communities.core.cache.RedisCache", "LOCATION": REDIS_URL}
    }
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    # One process serves the web on the embedded default; a database cache would be shared
    # too, but costs a table and a write per rate-limited request.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# django-ratelimit's settings, named even where they keep its defaults: it reads each with a
# default on every check, and a setting Django does not have costs a raised AttributeError each
# time (six a tracking lookup). SUQIU_RATE_LIMITS: ceilings other than petitions/ratelimits.py's
# RATES, by group (none in production; the benchmark raises them).
RATELIMIT_ENABLE = True
RATELIMIT_USE_CACHE = "default"
RATELIMIT_CACHE_PREFIX = "rl:"
RATELIMIT_HASH_ALGORITHM = hashlib.sha256
SUQIU_RATE_LIMITS: dict[str, str] = {}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_broker_url(REDIS_URL) if REDIS_URL else "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    # The same transport; naming the (unused) host keeps kombu from warning on every connection.
    CELERY_BROKER_URL = "filesystem://localhost//"
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "celery-broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("out", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    # The file-system transport has no fan-out exchange for remote control.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "data_folder_processed": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_BROKER_DIR / "control"),
    }
else:
    # Longer than any countdown we use, so Redis never redelivers a task that is merely waiting.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every sweep the system runs. Beat copies these into the database schedule on start, where an
# administrator may change an interval; the sweeps themselves are idempotent.
SWEEP_INTERVAL_SECONDS = env.int("SWEEP_INTERVAL_SECONDS", default=30)
CELERY_BEAT_SCHEDULE: dict = {
    "heartbeat": {"task": "communities.heartbeat", "schedule": float(SWEEP_INTERVAL_SECONDS)},
    "deliver-notifications": {
        "task": "communities.deliver_notifications", "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
    "petitions-sweep-overdue": {
        "task": "petitions.sweep_overdue", "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
    "petitions-sweep-autoclose": {"task": "petitions.sweep_autoclose", "schedule": 300.0},
    "red-notices-sweep": {
        "task": "communities.sweep_red_notices", "schedule": float(SWEEP_INTERVAL_SECONDS),
    },
    "petitions-rollup-stats": {"task": "petitions.rollup_stats", "schedule": float(SWEEP_INTERVAL_SECONDS)},
    "petitions-rebuild-stats": {"task": "petitions.rebuild_stats", "schedule": crontab(hour=3, minute=10)},
    "petitions-sweep-risk": {"task": "petitions.sweep_risk", "schedule": float(SWEEP_INTERVAL_SECONDS)},
    "scores-compute": {"task": "communities.compute_scores", "schedule": crontab(hour=2, minute=30)},
    "scores-refresh": {"task": "communities.refresh_scores", "schedule": float(SWEEP_INTERVAL_SECONDS)},
    "held-uploads-sweep": {"task": "communities.sweep_held_uploads", "schedule": 3600.0},
    "scores-freeze": {"task": "communities.freeze_scores", "schedule": crontab(day_of_month="1", hour=3, minute=40)},
    "mediation-session-reminders": {"task": "mediation.sweep_session_reminders", "schedule": 300.0},
    "mediation-missed-obligations": {"task": "mediation.sweep_missed_obligations", "schedule": 900.0},
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "communities.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or client before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in lockouts (django-axes: a kept library rather than a hand-made counter). After
# SUQIU_LOGIN_FAILURE_LIMIT failed sign-ins for one account, or from one client address, further
# attempts are refused (429, Retry-After) for SUQIU_LOGIN_LOCKOUT_MINUTES, on the sign-in page, the
# admin and POST /api/auth/token/ alike. Attempts and lockouts are kept in the database (admin:
# Axes), each lockout is logged ("suqiu.security"); `manage.py axes_reset` lifts them.
AXES_FAILURE_LIMIT = env.int("SUQIU_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("SUQIU_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "communities.core.security.client_ip"
AXES_LOCKOUT_CALLABLE = "communities.core.http_errors.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False  # our own log line per lockout (communities.core.security); no banner on every command
# API tokens expire this many hours after they are issued (0: never); DELETE /api/auth/token/
# revokes one.
SUQIU_TOKEN_TTL_HOURS = env.float("SUQIU_TOKEN_TTL_HOURS", default=24)
# Reverse proxies in front of the app whose X-Forwarded-For is trusted to name the client: rate
# limits and lockouts key on the address the outermost trusted proxy saw. 0 (default): none;
# REMOTE_ADDR is the client and X-Forwarded-For is ignored (anyone can write it).
SUQIU_TRUSTED_PROXY_COUNT = env.int("SUQIU_TRUSTED_PROXY_COUNT", default=0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"  # each role lands on its own work (communities.people.roles.landing_page)
LOGOUT_REDIRECT_URL = "home"
GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None  # residents without an account are plain AnonymousUser

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded attachments live outside the web root and are only ever served through a view
# that checks permission and sends them as downloads.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# No route serves this prefix: attachments go out only through permission-checked views.
MEDIA_URL = "/private-media/"
FILE_UPLOAD_PERMISSIONS = 0o640

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "communities.core.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "communities.core.api_query.StrictPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "communities.core.api_schema.SuqiuAutoSchema",
    "EXCEPTION_HANDLER": "communities.core.api_errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "communities.core.parsers.JSONParser",  # DRF's, with too-deep nesting a 400 instead of a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Suqiu API",
    "DESCRIPTION": "Citizen petitions, red notices and mediation for a district (1+6+31+N).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request and response components, so read-only and write-only fields are exact.
    "COMPONENT_SPLIT_REQUEST": True,
    # Petitions and red notices both have a "status"; name the notice's enum so neither is guessed.
    "ENUM_NAME_OVERRIDES": {
        "PetitionStatusEnum": "petitions.models.Status",
        "RedNoticeStatusEnum": "communities.models.RedNotice.Status",
        "MediationCaseStatusEnum": "mediation.models.CaseStatus",
        "MediationModeEnum": "mediation.models.Session.Mode",
        "LeagueLevelEnum": [("community", "community"), ("street", "street")],
    },
}

# --- Security (production) ------------------------------------------------------------------
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and data from this
# site only (Leaflet and Chart.js are vendored under static/); no inline script or style, no
# plugins, no framing, forms post here. A map tile server, when set, may serve images.
_TILE_ORIGIN = "/".join(env.str("SUQIU_MAP_TILE_URL", default="").split("/")[:3]).replace("{s}.", "*.")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_TILE_ORIGIN] if "://" in _TILE_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features no page uses are switched off; geolocation is kept for "find a service point
# near me" and the petition form's "use my location".
SUQIU_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), microphone=(), payment=(), usb=(), gyroscope=(), magnetometer=(), "
    "midi=(), display-capture=(), geolocation=(self)"
)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="suqiu@localhost")
# The mail relay, for the SMTP backend (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# Seconds an SMTP command may take (Django's default waits for ever): a mail relay that hangs fails
# its message and lets the delivery run end in time (communities.notifications.services.SEND_TIMEOUT).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Domain ---------------------------------------------------------------------------------
# Notifications: e-mail to users who have an address; SMS through an HTTP gateway when one is
# configured; webhooks (signed with HMAC-SHA256) for alerts that other systems subscribe to.
SUQIU_NOTIFY_EMAIL = env.bool("SUQIU_NOTIFY_EMAIL", default=True)
SUQIU_SMS_GATEWAY_URL = env.str("SUQIU_SMS_GATEWAY_URL", default="")
# The site's address as residents reach it: SMS carry the status link under it.
SUQIU_PUBLIC_URL = env.str("SUQIU_PUBLIC_URL", default="http://127.0.0.1:8000")
SUQIU_WEBHOOK_URLS = env.list("SUQIU_WEBHOOK_URLS", default=[])
SUQIU_WEBHOOK_SECRET = env_secret("SUQIU_WEBHOOK_SECRET", default="")
# One delivery run starts messages for at most this long (those on the wire then take at most 10 s
# more, inside the task's soft time limit of 120 s); the next push or beat carries on.
SUQIU_DELIVERY_BUDGET_SECONDS = env.float("SUQIU_DELIVERY_BUDGET_SECONDS", default=90)
# How many messages a delivery run has on the wire at once (SMS gateway, mail relay, webhooks), each
# sending thread keeping its connections open for the run: at 50 ms a message, 16 deliver 10,000 SMS
# in about half a minute where one at a time took nine.
SUQIU_DELIVERY_SENDERS = env.int("SUQIU_DELIVERY_SENDERS", default=16)
# Petitions
SUQIU_REPEAT_WINDOW_DAYS = env.int("SUQIU_REPEAT_WINDOW_DAYS", default=30)
SUQIU_REOPEN_DAYS = env.int("SUQIU_REOPEN_DAYS", default=7)
# Red-risk filings of the same place, category and reporter within this many hours raise one alert.
SUQIU_RED_ALERT_GROUP_HOURS = env.int("SUQIU_RED_ALERT_GROUP_HOURS", default=72)
# A red notice must be acknowledged within this many office hours of issue (9-12, 14-18 on working
# days; never after its check-in).
SUQIU_RED_NOTICE_ACK_HOURS = env.float("SUQIU_RED_NOTICE_ACK_HOURS", default=2)
# A tile server for the risk map (e.g. https://tiles.example/{z}/{x}/{y}.png); empty: the region
# shapes alone are the map.
SUQIU_MAP_TILE_URL = env.str("SUQIU_MAP_TILE_URL", default="")
# Mediators and parties are reminded of a session this many hours before it.
SUQIU_MEDIATION_REMINDER_HOURS = env.float("SUQIU_MEDIATION_REMINDER_HOURS", default=24)
SUQIU_MAX_REOPENS = env.int("SUQIU_MAX_REOPENS", default=2)
# Same-day categories ("诉求不过夜") are due by midnight; one taken in at or after this hour is
# due by the end of the next day.
SUQIU_SAME_DAY_CUTOFF_HOUR = env.int("SUQIU_SAME_DAY_CUTOFF_HOUR", default=18)
SUQIU_ATTACHMENT_MAX_BYTES = env.int("SUQIU_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
SUQIU_ATTACHMENT_MAX_COUNT = env.int("SUQIU_ATTACHMENT_MAX_COUNT", default=5)
# Files chosen on a form that came back with an error are kept this long for the next try
# (communities.core.attachments: held files), then deleted by a sweep.
SUQIU_HELD_UPLOAD_SECONDS = env.int("SUQIU_HELD_UPLOAD_SECONDS", default=6 * 3600)
# An image larger than this many pixels is refused before it is decoded (decompression bombs).
SUQIU_ATTACHMENT_MAX_PIXELS = env.int("SUQIU_ATTACHMENT_MAX_PIXELS", default=50_000_000)
# A request body larger than this is refused with 413 before it is read (Content-Length): the
# attachments a petition may carry, plus room for the form. DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
# still bounds the fields that are not files.
SUQIU_MAX_REQUEST_BYTES = env.int(
    "SUQIU_MAX_REQUEST_BYTES", default=SUQIU_ATTACHMENT_MAX_BYTES * SUQIU_ATTACHMENT_MAX_COUNT + 1024 * 1024
)

SUQIU = {
    "SITE_NAME": _("Suqiu · Guangming petitions"),
    "DISTRICT_CODE": "440311",
    "SERVICE_RADIUS_M": 500,
}
