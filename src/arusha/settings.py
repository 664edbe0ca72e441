"""Settings for Arusha, in one module, read from the environment.

ARUSHA_ENV=development (the default, used by `make run`) gives an embedded SQLite
database and a development secret. ARUSHA_ENV=production requires every secret and
turns on the hardened settings that `manage.py check --deploy` asks for.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from arusha.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("ARUSHA_VAR_DIR", str(PROJECT_DIR / "var")))

ENVIRONMENT = env_str("ARUSHA_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ValueError(f"ARUSHA_ENV must be development, production or test, not {ENVIRONMENT!r}.")
PRODUCTION = ENVIRONMENT == "production"

# `make run` serves the embedded default like a small deployment, with DEBUG off;
# `make dev` turns it on for developers (ARUSHA_DEBUG=1).
DEBUG = env_bool("ARUSHA_DEBUG", default=ENVIRONMENT == "development")
SECRET_KEY = (
    env_str("ARUSHA_SECRET_KEY")
    if PRODUCTION
    else env_str("ARUSHA_SECRET_KEY", "development-only-secret-key-do-not-use-in-production-0123456789")
)
ALLOWED_HOSTS = env_list("ARUSHA_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "arusha.core",
    # Its template filters: {% load documents %} for indicator values.
    "arusha.documents",
    "arusha.accounts",
    # After arusha.accounts, whose templates dress the sign-in library's pages.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "arusha.frameworks",
    "arusha.assessments",
    "arusha.planning",
    "arusha.monitoring",
    "arusha.cases",
    "arusha.risks",
    "arusha.analytics",
    "arusha.surveys",
    "arusha.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
    "arusha.accounts.middleware.SessionPolicyMiddleware",
    "arusha.core.middleware.TenantMiddleware",
]

if ENVIRONMENT != "test":
    # The deployment serves its own static files (no CDN), compressed and cached forever,
    # also from `make run` on the embedded default. Tests never collect static files.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "arusha.urls"
WSGI_APPLICATION = "arusha.wsgi.application"

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
                "csp.context_processors.nonce",
                "arusha.core.context_processors.shell",
            ],
        },
    }
]

_DATABASE_URL = env_str("DATABASE_URL", "")
if not _DATABASE_URL:
    if PRODUCTION and not env_bool("ARUSHA_ALLOW_SQLITE", default=False):
        raise ImproperlyConfigured(
            "ARUSHA_ENV=production needs DATABASE_URL (PostgreSQL, e.g. "
            "postgres://arusha@127.0.0.1/arusha). To run a small deployment on the embedded "
            "SQLite file on purpose, set ARUSHA_ALLOW_SQLITE=1 (see docs/background-tasks.md)."
        )
    # The embedded default: one SQLite file under var/, made on first start.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _DATABASE_URL = f"sqlite:///{VAR_DIR / 'arusha.sqlite3'}"
    if PRODUCTION:
        # Said at every start of every process (web server, worker, commands), so an
        # operator cannot miss it.
        sys.stderr.write(
            "WARNING: Arusha runs in production on the embedded SQLite file "
            f"{VAR_DIR / 'arusha.sqlite3'} (ARUSHA_ALLOW_SQLITE=1). Use PostgreSQL "
            "(DATABASE_URL) for more than a few simultaneous users.\n"
        )
DATABASES = {"default": dj_database_url.parse(_DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Pooled connections: the web tier stays stateless and cheap to scale out. Tests run
    # without the pool: a test's transaction must keep its one connection throughout.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = env_bool(
        "ARUSHA_DB_POOL", default=ENVIRONMENT != "test"
    )
else:
    # Concurrent writers wait for each other instead of failing with "database is locked":
    # IMMEDIATE takes the write lock when a transaction starts (a read-then-write
    # transaction can no longer be refused half-way), WAL lets readers go on meanwhile, and
    # the busy timeout is how long a writer waits for its turn. `init_command` is split on
    # ";", so no statement may contain one.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;",
        }
    )

# Background work (docs/background-tasks.md): a task is a row in the database that the
# worker (`manage.py db_worker`) runs, so one machine needs no other server. Tests run
# tasks at once, in the process that enqueues them, unless a test asks for the worker.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if ENVIRONMENT == "test"
        else "django_tasks_db.DatabaseBackend"
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked (account, address) pair before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign-in by e-mail and through the OpenID Connect provider (docs/sign-in.md).
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Cases (docs/cases.md): the Argon2id cost of vault passphrases and reporters' receipts
# ("moderate" ≈ 0.4 s and 256 MiB a derivation; tests use libsodium's minimum).
ARUSHA_VAULT_KDF = env_str("ARUSHA_VAULT_KDF", "min" if ENVIRONMENT == "test" else "moderate")
ARUSHA_RECEIPT_KDF = env_str("ARUSHA_RECEIPT_KDF", "min" if ENVIRONMENT == "test" else "moderate")
# Surveys (docs/surveys-processing.md): KoboToolbox/ODK files larger than this import in the worker.
ARUSHA_SURVEY_IMPORT_INLINE_BYTES = env_int("ARUSHA_SURVEY_IMPORT_INLINE_BYTES", 256 * 1024)
# Reporters' pages (docs/cases-reporting.md): the proof of work a report costs the browser
# (leading zero bits of a SHA-256; 20 ≈ a second or two), and the rate limits, counted in
# each web process's memory by a keyed hash of the address, which is never stored.
ARUSHA_REPORT_POW_BITS = env_int("ARUSHA_REPORT_POW_BITS", 4 if ENVIRONMENT == "test" else 20)
ARUSHA_REPORT_SUBMISSIONS_PER_HOUR = env_int("ARUSHA_REPORT_SUBMISSIONS_PER_HOUR", 10)
ARUSHA_REPORT_RECEIPT_TRIES_PER_15_MINUTES = env_int("ARUSHA_REPORT_RECEIPT_TRIES_PER_15_MINUTES", 10)
ARUSHA_REPORT_MESSAGES_PER_HOUR = env_int("ARUSHA_REPORT_MESSAGES_PER_HOUR", 30)
ARUSHA_REPORT_FLOOD_PER_MINUTE = env_int("ARUSHA_REPORT_FLOOD_PER_MINUTE", 30)
if ENVIRONMENT == "test":
    # Tests create many accounts: a fast hash there, argon2 everywhere else.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# --- Sign-in (docs/sign-in.md; the code is in arusha.accounts) ------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Local accounts (e-mail and password) stay as the fallback of single sign-on;
# ARUSHA_LOCAL_LOGIN=0 hides the password form where everyone signs in through OIDC.
ARUSHA_LOCAL_LOGIN = env_bool("ARUSHA_LOCAL_LOGIN", default=True)
ACCOUNT_ADAPTER = "arusha.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "arusha.accounts.adapters.SocialAccountAdapter"
MFA_ADAPTER = "arusha.accounts.adapters.MFAAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_FORMS = {"login": "arusha.accounts.forms.LoginForm"}
# Accounts are opened by invitation (the link proves the address) or through the
# organization's identity provider, never by self-service sign-up.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# A reset asked for an unknown address sends nothing (the page answers the same).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Arusha: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Throttling (docs/sign-in.md, "Throttling"). Failures per address, across every
# account: allauth's sliding window in the shared database cache. Failures per
# (account, address) pair: django-axes below. Nothing counts failures per account
# alone, so a stranger cannot lock a chosen person out.
ARUSHA_LOGIN_FAILURES_PER_ADDRESS = env_int("ARUSHA_LOGIN_FAILURES_PER_ADDRESS", 20)
ARUSHA_LOGIN_WINDOW_MINUTES = env_int("ARUSHA_LOGIN_WINDOW_MINUTES", 15)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{ARUSHA_LOGIN_FAILURES_PER_ADDRESS}/{ARUSHA_LOGIN_WINDOW_MINUTES}m/ip",
    "reset_password": (
        f"{env_int('ARUSHA_RESET_PER_ADDRESS_PER_HOUR', 5)}/1h/ip,"
        f"{env_int('ARUSHA_RESET_PER_ACCOUNT_PER_HOUR', 3)}/1h/key"
    ),
    "reset_password_from_key": "20/1h/ip",
}
AXES_FAILURE_LIMIT = env_int("ARUSHA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("ARUSHA_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "arusha.accounts.throttling.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("ARUSHA_LOGIN_THROTTLE", default=True)
# The rate limits above live in the cache: a database table, so every web process of
# a deployment counts the same attempts (a per-process memory cache would multiply
# the limits by the number of processes). The accounts migrations create the table.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "arusha_cache",
    },
    # Per process and in memory only, on purpose: the reporters' pages count attempts and
    # spent proofs of work here (arusha.cases.ratelimit, arusha.cases.pow), so nothing
    # about a reporter's visit reaches the database.
    "ephemeral": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "arusha-ephemeral"},
}

# Single sign-on with OpenID Connect: one provider, configured from the environment.
ARUSHA_OIDC_PROVIDER = env_str("ARUSHA_OIDC_PROVIDER", "sso")
ARUSHA_OIDC_LABEL = env_str("ARUSHA_OIDC_LABEL", "")
_OIDC_CLIENT_ID = env_str("ARUSHA_OIDC_CLIENT_ID", "")
_OIDC_APPS = []
if _OIDC_CLIENT_ID:
    _OIDC_APPS.append(
        {
            "provider_id": ARUSHA_OIDC_PROVIDER,
            "name": ARUSHA_OIDC_LABEL or ARUSHA_OIDC_PROVIDER,
            "client_id": _OIDC_CLIENT_ID,
            "secret": env_str("ARUSHA_OIDC_CLIENT_SECRET"),
            "settings": {
                "server_url": env_str("ARUSHA_OIDC_SERVER_URL"),
                "token_auth_method": env_str("ARUSHA_OIDC_TOKEN_AUTH_METHOD", "client_secret_basic"),
                "scope": env_list("ARUSHA_OIDC_SCOPES", "openid,profile,email"),
            },
        }
    )
ARUSHA_OIDC_ENABLED = bool(_OIDC_APPS)
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": _OIDC_APPS}}
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# Matching an existing account by e-mail is done by arusha.accounts (verified
# addresses only, and without allauth's password wipe of unverified matches).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False

# Two-factor authentication: TOTP and recovery codes. ARUSHA_MFA_ENFORCE makes it
# compulsory for everyone who holds a confidential permission (off in the test
# settings so the suite's personas sign in with a password alone).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("ARUSHA_MFA_ISSUER", "Arusha")
# One 30-second step either side: phones whose clock drifts a little still sign in.
MFA_TOTP_TOLERANCE = 1
MFA_FORMS = {"activate_totp": "arusha.accounts.forms.ActivateTOTPForm"}
ARUSHA_MFA_ENFORCE = env_bool("ARUSHA_MFA_ENFORCE", default=ENVIRONMENT != "test")
# The key that encrypts TOTP secrets and recovery-code seeds at rest (Fernet keys,
# comma-separated, the first encrypts; empty: derived from SECRET_KEY with HKDF).
ARUSHA_FIELD_ENCRYPTION_KEY = env_list("ARUSHA_FIELD_ENCRYPTION_KEY", "")

# Sessions end after an idle time (shorter for people who hold confidential
# permissions), when the browser closes, on password change and on role change.
ARUSHA_SESSION_IDLE_MINUTES = env_int("ARUSHA_SESSION_IDLE_MINUTES", 60)
ARUSHA_SESSION_IDLE_CONFIDENTIAL_MINUTES = env_int("ARUSHA_SESSION_IDLE_CONFIDENTIAL_MINUTES", 15)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 3600

# API tokens (docs/api.md): only a digest is stored (django-rest-knox), with an expiry.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name, not a secret
REST_KNOX = {"TOKEN_TTL": None, "AUTO_REFRESH": False, "TOKEN_PREFIX": "arusha_"}
ARUSHA_API_TOKEN_DAYS = env_int("ARUSHA_API_TOKEN_DAYS", 90)
ARUSHA_API_TOKEN_MAX_DAYS = env_int("ARUSHA_API_TOKEN_MAX_DAYS", 365)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LANGUAGE_COOKIE_NAME = "arusha_language"
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("ARUSHA_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("ARUSHA_STATIC_ROOT", str(PROJECT_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("ARUSHA_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Clearance data for integrity analytics: one folder of Parquet files per dataset, outside
# the database and never served (docs/analytics-operations.md).
ARUSHA_ANALYTICS_DIR = Path(env_str("ARUSHA_ANALYTICS_DIR", str(VAR_DIR / "analytics")))
# The engine that runs the indicator catalogue: duckdb (this machine) or spark.
ARUSHA_ANALYTICS_ENGINE = env_str("ARUSHA_ANALYTICS_ENGINE", "duckdb")
# Spark's master when the engine is spark: local[*] by default, or a cluster's URL.
ARUSHA_SPARK_MASTER = env_str("ARUSHA_SPARK_MASTER", "local[*]")
# The key of the pseudonyms of officers, brokers and traders in clearance data (a keyed
# hash of their identifiers). Keep it for good: another key gives the same person another
# pseudonym. Empty: derived from SECRET_KEY (docs/analytics-operations.md).
ARUSHA_PSEUDONYM_KEY = env_str("ARUSHA_PSEUDONYM_KEY", "")
# Limits of clearance data uploaded on the web (a ZIP of CSV/Parquet files); larger data
# is imported from a folder with `manage.py analytics_import`.
ARUSHA_ANALYTICS_UPLOAD_MAX_BYTES = env_int("ARUSHA_ANALYTICS_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
ARUSHA_ANALYTICS_UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int(
    "ARUSHA_ANALYTICS_UPLOAD_MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024 * 1024
)
ARUSHA_ANALYTICS_UPLOAD_MAX_FILES = env_int("ARUSHA_ANALYTICS_UPLOAD_MAX_FILES", 40)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and ENVIRONMENT != "test"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env_str("ARUSHA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("ARUSHA_FROM_EMAIL", "arusha@localhost")
EMAIL_HOST = env_str("ARUSHA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ARUSHA_EMAIL_PORT", 25)

# Attachments: what may be uploaded and how large.
ARUSHA_ATTACHMENT_MAX_BYTES = env_int("ARUSHA_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ARUSHA_ATTACHMENT_TYPES = env_list(
    "ARUSHA_ATTACHMENT_TYPES", "pdf,docx,xlsx,pptx,odt,ods,odp,txt,csv,png,jpg,jpeg"
)
ARUSHA_PAGE_SIZE = env_int("ARUSHA_PAGE_SIZE", 25)
ARUSHA_FRAMEWORK_UPLOAD_MAX_BYTES = env_int("ARUSHA_FRAMEWORK_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
# Imports (docs/imports-and-exports.md): what an uploaded workbook, JSON document or YAML
# pack may hold before it is refused, so a small file cannot expand into a large load.
ARUSHA_JSON_IMPORT_MAX_BYTES = env_int("ARUSHA_JSON_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
ARUSHA_XLSX_MAX_BYTES = env_int("ARUSHA_XLSX_MAX_BYTES", 10 * 1024 * 1024)
ARUSHA_XLSX_MAX_UNCOMPRESSED_BYTES = env_int("ARUSHA_XLSX_MAX_UNCOMPRESSED_BYTES", 20 * 1024 * 1024)
ARUSHA_XLSX_MAX_MEMBER_BYTES = env_int("ARUSHA_XLSX_MAX_MEMBER_BYTES", 10 * 1024 * 1024)
ARUSHA_XLSX_MAX_RATIO = env_int("ARUSHA_XLSX_MAX_RATIO", 100)
ARUSHA_XLSX_MAX_ROWS = env_int("ARUSHA_XLSX_MAX_ROWS", 5000)
ARUSHA_XLSX_MAX_ELEMENTS = env_int("ARUSHA_XLSX_MAX_ELEMENTS", 100_000)
ARUSHA_YAML_MAX_ALIASES = env_int("ARUSHA_YAML_MAX_ALIASES", 0)
ARUSHA_BENCH = env_bool("ARUSHA_BENCH", default=False)
# Survey stations collect only where the browser keeps their storage for good
# (docs/surveys-station.md); 0 lets a test browser, which never grants it, collect anyway.
ARUSHA_STATION_REQUIRE_PERSISTENT_STORAGE = env_bool(
    "ARUSHA_STATION_REQUIRE_PERSISTENT_STORAGE", default=True
)

# Content Security Policy: every script and style is served by the deployment itself;
# inline scripts are refused, htmx is told not to inject its own style element.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("ARUSHA_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("ARUSHA_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("ARUSHA_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("ARUSHA_CSRF_TRUSTED_ORIGINS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ARUSHA_LOG_LEVEL", "WARNING")},
}


# The read API (docs/api.md): token (arusha.accounts) or session, JSON only, documented in OpenAPI.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "arusha.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "arusha.accounts.authentication.TokenScopePermission",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Arusha API",
    "DESCRIPTION": (
        "Read access to assessments, their answers and findings, the portable export, action plans, "
        "activities and KPIs; read and write access to KPI measurements and progress reports."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The four Figure 5 steps share one set of ratings: one name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "RatingEnum": "arusha.assessments.maturity.Rating",
        # Plans and progress reports both have a "status": each its own name.
        "PlanStatusEnum": "arusha.planning.models.PlanStatus",
        "ActivityStatusEnum": "arusha.monitoring.models.ActivityStatus",
    },
}
