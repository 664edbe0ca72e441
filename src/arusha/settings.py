"""Settings for Arusha, in one module, read from the environment.

ARUSHA_ENV=development (the default, used by `make run`) gives an embedded SQLite
database and a development secret. ARUSHA_ENV=production requires every secret and
turns on the hardened settings that `manage.py check --deploy` asks for.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from arusha.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("ARUSHA_VAR_DIR", str(PROJECT_DIR / "var")))

ENVIRONMENT = env_str("ARUSHA_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ValueError(f"ARUSHA_ENV must be development, production or test, not {ENVIRONMENT!r}.")
PRODUCTION = ENVIRONMENT == "production"

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
    "rest_framework.authtoken",
    "drf_spectacular",
    "arusha.core",
    "arusha.frameworks",
    "arusha.assessments",
    "arusha.planning",
    "arusha.monitoring",
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
    "axes.middleware.AxesMiddleware",
    "arusha.core.middleware.TenantMiddleware",
]

if PRODUCTION:
    # The deployment serves its own static files (no CDN), compressed and cached forever.
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
    # The embedded default: one SQLite file under var/, made on first start.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _DATABASE_URL = f"sqlite:///{VAR_DIR / 'arusha.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Pooled connections: the web tier stays stateless and cheap to scale out. Tests run
    # without the pool: a test's transaction must keep its one connection throughout.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = env_bool(
        "ARUSHA_DB_POOL", default=ENVIRONMENT != "test"
    )
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
if ENVIRONMENT == "test":
    # Tests create many accounts: a fast hash there, argon2 everywhere else.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Guessing protection: lock a user name + address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("ARUSHA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("ARUSHA_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("ARUSHA_LOGIN_THROTTLE", default=True)

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
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
ARUSHA_BENCH = env_bool("ARUSHA_BENCH", default=False)

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


# The read API (docs/api.md): token or session, JSON only, documented in OpenAPI.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Arusha API",
    "DESCRIPTION": "Read access to assessments, their answers and findings, and the portable export.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The four Figure 5 steps share one set of ratings: one name in the schema.
    "ENUM_NAME_OVERRIDES": {"RatingEnum": "arusha.assessments.maturity.Rating"},
}
