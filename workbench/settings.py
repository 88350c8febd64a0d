"""Settings for the workbench, read from the environment (see .env.example)."""

import datetime
import importlib.util
import os
import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# Variables may also come from a file, which never overrides the environment: `.env` beside
# manage.py (`make run` writes a development one), or the file ENV_FILE names; ENV_FILE= (empty)
# reads none, as the test suite does.
env_file = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if env_file and Path(env_file).is_file():
    env.read_env(env_file)
elif env_file and "ENV_FILE" in os.environ:
    raise ImproperlyConfigured(f"ENV_FILE names {env_file}, which is not a file.")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(see .env.example), or set DEBUG=true for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"


def history_keys(value: str) -> dict[str, str]:
    """HISTORY_KEYS as {key id: secret}, in order: "id:secret" pairs separated by commas."""
    keys: dict[str, str] = {}
    for position, pair in enumerate(filter(None, (p.strip() for p in value.split(","))), 1):
        key_id, colon, secret = pair.partition(":")
        where = f"HISTORY_KEYS, key {position}"
        if not colon or not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", key_id):
            raise ImproperlyConfigured(
                f"{where}: write each key as ID:SECRET, the id being 1-40 letters, digits, "
                "'.', '_' or '-' (see docs/history.md)."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"{where}: the key id {key_id!r} is used twice.")
        if len(secret) < 32:
            raise ImproperlyConfigured(
                f"{where} ({key_id!r}): the secret must be at least 32 characters long."
            )
        if secret == SECRET_KEY:
            raise ImproperlyConfigured(f"{where} ({key_id!r}): it must differ from SECRET_KEY.")
        keys[key_id] = secret
    return keys


# The keys that sign the history chain (annotations.history_keys): the first signs, every one
# verifies. They live outside the database, apart from SECRET_KEY; docs/history.md rotates them.
HISTORY_KEYS = history_keys(env.str("HISTORY_KEYS", default=""))
if not HISTORY_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "HISTORY_KEYS is not set. Set the HISTORY_KEYS environment variable to ID:SECRET, "
            "a key that signs the history (see .env.example and docs/history.md), "
            "or set DEBUG=true for local development."
        )
    HISTORY_KEYS = {"development": "development-only-history-key-never-use-in-production"}
# Every so many appended records of a project, a signed checkpoint of its history's head is
# written to storage (annotations.anchors), on commit; 0 writes none but those of releases
# and of `manage.py history_checkpoint`.
HISTORY_CHECKPOINT_EVERY = env.int("HISTORY_CHECKPOINT_EVERY", default=500)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "workbench",  # before django_tasks_db: its db_worker records a heartbeat (workbench.worker)
    "django_tasks_db",
    "axes",
    "accounts",
    "annotations",
]

MIDDLEWARE = [
    "workbench.logs.RequestLogMiddleware",  # first, so the time it logs covers everything
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "annotations.middleware.RefuseUnstorableText",  # after CSRF and htmx: their checks first
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-debug-toolbar in development only: when DEBUG is on and the package is installed. It is a
# development dependency (`make install-dev`, `make test`), not a runtime one, so `make run` on
# its own and production never have it; the tests run with DEBUG off, so never load it either.
DEBUG_TOOLBAR = DEBUG and importlib.util.find_spec("debug_toolbar") is not None
if DEBUG_TOOLBAR:
    INSTALLED_APPS.append("debug_toolbar")
    # As early as possible, after the middleware that may serve or encode the response.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
        "debug_toolbar.middleware.DebugToolbarMiddleware",
    )
    INTERNAL_IPS = ["127.0.0.1", "::1"]
    # A small handle at the page's edge until opened: the pages stay usable while developing.
    DEBUG_TOOLBAR_CONFIG = {"SHOW_COLLAPSED": True}

ROOT_URLCONF = "workbench.urls"
WSGI_APPLICATION = "workbench.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'workbench.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default's home; git-ignored
    # WAL lets the task worker and the web server share the file; IMMEDIATE
    # transactions take the write lock up front instead of failing mid-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "annotations:project-list"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login lockout (django-axes), on the site's login and the admin's alike: after
# AXES_FAILURE_LIMIT failed logins for one username from one address, that username is locked
# out from that address for AXES_COOLOFF_MINUTES, the right password included; each try while
# locked out starts the wait again. A successful login clears the count. Failures are kept in
# the database (shared by every web process); staff can clear them under Axes in the admin, or
# with `manage.py axes_reset_username USERNAME`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before any check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"  # a page that says how long to wait
AXES_CLIENT_IP_CALLABLE = "workbench.http.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # failures are kept; successful logins are in the request log
AXES_VERBOSE = False  # no banner at every start of every command
# How many reverse proxies in front of the site append the client's address to
# X-Forwarded-For (0: none, the connection's address is the client's). Login lockout and the
# API's throttle for anonymous callers count per client address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False  # nothing is translated; dates still follow LANGUAGE_CODE's formats
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Release files, history checkpoints and trained models (annotations.storage): a local
# directory, MEDIA_ROOT, which several web and worker machines share as one mounted directory;
# or, with STORAGE_S3_BUCKET set, an S3-compatible bucket through django-storages, which then
# needs boto3 installed (`pip install boto3`). README, "Storage".
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGE_S3_BUCKET = env.str("STORAGE_S3_BUCKET", default="")
if STORAGE_S3_BUCKET:
    FILE_STORAGE: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            # Other S3-compatible services (MinIO, Ceph, R2...) by their address:
            "endpoint_url": env.str("STORAGE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("STORAGE_S3_REGION", default="") or None,
            # Without keys boto3 finds its own (AWS_* variables, an instance role).
            "access_key": env.str("STORAGE_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("STORAGE_S3_SECRET_KEY", default="") or None,
            "location": env.str("STORAGE_S3_PREFIX", default=""),  # a folder in the bucket
            "default_acl": None,  # private, as the bucket is: files go out through the app
            "file_overwrite": False,
        },
    }
else:
    FILE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
STORAGES = {
    "default": FILE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads: articles arrive as files; keep big ones on disk, not in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Article files uploaded in the browser or the API; bigger ones go through import_articles.
IMPORT_UPLOAD_MAX_BYTES = env.int("IMPORT_UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
# A zip of article files uploaded at once (annotations.importing.archives): how many files, and
# how much text they unpack to in all.
IMPORT_ZIP_MAX_MEMBERS = env.int("IMPORT_ZIP_MAX_MEMBERS", default=500)
IMPORT_ZIP_MAX_TOTAL_BYTES = env.int("IMPORT_ZIP_MAX_TOTAL_BYTES", default=200 * 1024 * 1024)
# The longest article an import accepts, in code points (README, "Importing articles").
ARTICLE_MAX_CHARS = env.int("ARTICLE_MAX_CHARS", default=200_000)

# A refused form's page says what to do, like every error page (annotations.views.errors).
CSRF_FAILURE_VIEW = "annotations.views.errors.csrf_failure"

# Strict Content-Security-Policy: scripts and styles only from our own origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers often check over plain HTTP, from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
X_FRAME_OPTIONS = "DENY"

# A cache that every web process shares: the API's throttles count requests in it. The database
# (table `workbench_cache`, created by every `manage.py migrate`; workbench.cache, Django's
# database cache with a cheaper `set`) unless CACHE_URL (any django-environ cache URL) or
# REDIS_URL (redis://host:6379/0) names another.
CACHES = {
    "default": env.cache_url_config(
        env.str("CACHE_URL", default="")
        or env.str("REDIS_URL", default="")
        or "dbcache://workbench_cache?max_entries=100000"
    )
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    CACHES["default"]["BACKEND"] = "workbench.cache.DatabaseCache"

# API throttles (annotations.api.throttling): each token and each logged-in user's session has
# API_THROTTLE_RATE, callers without credentials API_THROTTLE_ANON_RATE per address; past it,
# 429 with Retry-After. A rate is "N/second", "N/minute", "N/hour" or "N/day"; empty: no limit.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/minute") or None
API_THROTTLE_ANON_RATE = env.str("API_THROTTLE_ANON_RATE", default="60/minute") or None
for _name, _rate in [
    ("API_THROTTLE_RATE", API_THROTTLE_RATE),
    ("API_THROTTLE_ANON_RATE", API_THROTTLE_ANON_RATE),
]:
    if _rate is not None and not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", _rate):
        raise ImproperlyConfigured(
            f"{_name} must look like 600/minute (or be empty), not {_rate!r}."
        )

# The OpenAPI schema (/api/schema/) and Swagger page (/api/docs/) need a logged-in user unless
# this is on (workbench.api_docs). DRF's browsable API (HTML pages with forms for each endpoint)
# is served only with API_BROWSABLE, on by default in development; otherwise the API speaks JSON.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
API_BROWSABLE = env.bool("API_BROWSABLE", default=DEBUG)

REST_FRAMEWORK = {
    # Token first: anonymous requests then get 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "annotations.api.parsers.RequestBodyRead",  # every body checked, read or not
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "annotations.api.throttling.CallerRateThrottle",
        "annotations.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if API_BROWSABLE else []),
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "annotations.api.pagination.IdCursorPagination",
    "EXCEPTION_HANDLER": "annotations.api.exceptions.exception_handler",
    # DRF's parsers, with a nesting limit and the storable-text check (annotations.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "annotations.api.parsers.JsonParser",
        "annotations.api.parsers.FormParser",
        "annotations.api.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Analysts' annotation workbench API",
    "DESCRIPTION": "Projects, articles, annotations, review and gold-standard dataset releases.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LabelKindEnum": "annotations.models.Label.Kind",
        "ActorKindEnum": "annotations.models.Actor.Kind",
        "ReliabilityEnum": "annotations.models.Reliability",
        "AnnotationSetStatusEnum": "annotations.models.AnnotationSet.Status",
        "ReleaseStatusEnum": "annotations.models.Release.Status",
        "ReasonCodeEnum": "annotations.models.ReasonCode",
    },
}

# Background work (imports of big files, dataset releases) runs in `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# One handler and one format for every logger: plain lines, or JSON lines with LOG_FORMAT=json
# (workbench.logs). Requests log on `workbench.requests`, background tasks on `django.tasks`.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "workbench.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Without Django's own handlers (a DEBUG-only console, mail to ADMINS, runserver's
        # format) its records reach the root handler once, in LOG_FORMAT, at LOG_LEVEL.
        "django": {"handlers": [], "level": "NOTSET"},
        "django.server": {"handlers": [], "level": "NOTSET", "propagate": True},
    },
}
LOGGING_CONFIG = "workbench.logs.configure"  # dictConfig, and Python warnings logged too

# Task workers record a heartbeat this often (workbench.worker); /healthz reports its age and,
# if this is set, answers 503 when the freshest heartbeat is older or there is none.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=30)
HEALTHZ_WORKER_MAX_AGE_SECONDS = env.int("HEALTHZ_WORKER_MAX_AGE_SECONDS", default=None)

# A release build that reports no progress for this long is taken to have lost its worker.
RELEASE_STALLED_AFTER_SECONDS = env.int("RELEASE_STALLED_AFTER_SECONDS", default=15 * 60)
# Processes a worker may use to write a large release's formats side by side: 0 for one per CPU
# it may run on, 1 to write every format in the worker's own process.
RELEASE_BUILD_PROCESSES = env.int("RELEASE_BUILD_PROCESSES", default=0)
if RELEASE_BUILD_PROCESSES < 0:
    raise ImproperlyConfigured(
        f"RELEASE_BUILD_PROCESSES is {RELEASE_BUILD_PROCESSES}: give 0 (one process per CPU), "
        "1 (none beside the worker's own) or more."
    )

# Demo users' passwords for `manage.py seed`; generated and printed once if unset.
SEED_PASSWORD = env.str("SEED_PASSWORD", default="")
