"""Settings for the portal: one module, read from the environment (see README and .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

_PREFIXES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "MEDIA_ROOT", "PORTAL_")
BASE_DIR = Path(__file__).resolve().parent.parent

# An empty variable (as `KEY=` in an env file) means "not set", never "empty value".
for _name in [n for n, v in os.environ.items() if v == "" and n.startswith(_PREFIXES)]:
    del os.environ[_name]

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set: set it (50+ random characters) or use DJANGO_DEBUG=1."
        )
    SECRET_KEY = "insecure-development-key-used-only-with-DJANGO_DEBUG-on"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal.core.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "import_export",
    "auditlog",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "portal.core",
    "portal.accounts",
    "portal.regions",
    "portal.audit",
    "portal.notifications",
    "partners",
    "participants",
    "training",
    "placements",
    "portal.exports",
    "portal.reports",
    "portal.api",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal.privacy",
    "portal.web",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.accounts.middleware_2fa.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.core.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.accounts.middleware_2fa.TwoFactorMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.accounts.middleware.ParticipantIdleTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
# AxesBackend (not the standalone one) because it also loads users from the session: the
# one-time-link page logs people in with AUTHENTICATION_BACKENDS[0].
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "portal.accounts.backends.PortalBackend",
]
# The registry's phone normaliser, used to log in with a phone number (named here because the
# account layer may not import the participant registry).
PORTAL_PHONE_NORMALISER = "participants.normalise.normalise_phone"
# A participant's session ends after this many minutes without a request.
PORTAL_PARTICIPANT_IDLE_MINUTES = env.int("PORTAL_PARTICIPANT_IDLE_MINUTES", default=30)

# django-axes: failed logins are limited per account (whether typed as username, NIK or phone)
# and, separately, per address; a lockout shows the login page with the time to wait (429) and
# lifts by itself after the cool-off; a successful login resets the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "portal.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "portal.accounts.backends.lockout_response"
# Behind N reverse proxies that append to X-Forwarded-For, the client's address is read from it;
# with 0 (no proxy) REMOTE_ADDR is used, and a client cannot forge its address.
PORTAL_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", default=0)
if PORTAL_TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PORTAL_TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.accounts.validators.MaximumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files live here but no URL serves this folder: only views that check access do.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Participant sheets with more data rows than this are imported by the worker, with a progress
# bar; smaller ones in the request. Uploaded sheets and import results are kept under
# MEDIA_ROOT/imports/ (private: shared by the web and worker processes).
IMPORT_BACKGROUND_ROWS = env.int("PORTAL_IMPORT_BACKGROUND_ROWS", default=2000)
# Whole sheets larger than this, or with more rows, are refused before any row is read.
IMPORT_MAX_BYTES = env.int("PORTAL_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("PORTAL_IMPORT_MAX_ROWS", default=500_000)
# Excel exports with more rows than this are written by the worker (progress bar, then a
# download link that expires after EXPORT_LINK_HOURS); CSV always streams in the request.
EXPORT_BACKGROUND_ROWS = env.int("PORTAL_EXPORT_BACKGROUND_ROWS", default=5000)
EXPORT_LINK_HOURS = env.int("PORTAL_EXPORT_LINK_HOURS", default=24)

# Retention (UU 27/2022): `manage.py apply_retention` anonymises or deletes records older
# than these.
PORTAL_RETENTION_CLOSED_CASE_YEARS = env.int("PORTAL_RETENTION_CLOSED_CASE_YEARS", default=5)
PORTAL_RETENTION_INACTIVE_PARTICIPANT_YEARS = env.int(
    "PORTAL_RETENTION_INACTIVE_PARTICIPANT_YEARS", default=5
)
PORTAL_RETENTION_EXPORT_FILE_DAYS = env.int("PORTAL_RETENTION_EXPORT_FILE_DAYS", default=30)
PORTAL_RETENTION_IMPORT_FILE_DAYS = env.int("PORTAL_RETENTION_IMPORT_FILE_DAYS", default=90)
PORTAL_RETENTION_API_LOG_DAYS = env.int("PORTAL_RETENTION_API_LOG_DAYS", default=365)
PORTAL_RETENTION_NOTIFICATION_DAYS = env.int("PORTAL_RETENTION_NOTIFICATION_DAYS", default=365)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Email (EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587) and SMS.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Portal Migran <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_SMS_SENDER = env.str("PORTAL_SMS_SENDER", default="portal.accounts.senders.ConsoleSmsSender")
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
ONE_TIME_LINK_DAYS = 7

# Production protections: all on whenever DEBUG is off.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Security headers (issue 12): a Content-Security-Policy allowing only the portal's own files, no
# inline script or style. The one exception is the hash of the Django admin's one inline <style>
# (change_list.html, shown on a changelist without actions); style="" attributes stay blocked.
_ADMIN_CHANGELIST_STYLE = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", _ADMIN_CHANGELIST_STYLE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SAMESITE = "Lax"
# Two-factor authentication (TOTP, django-otp) for ministry admins and officers.
PORTAL_REQUIRE_2FA = env.bool("PORTAL_REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = "Portal Migran"
# The admin never shows a device's secret or its QR code (and answers 403 for them).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Uploaded documents larger than this are refused by the upload forms.
PORTAL_UPLOAD_MAX_BYTES = env.int("PORTAL_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)

# Celery: Redis when REDIS_URL is set; otherwise tasks run eagerly in the calling process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="portal")
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
    "visibility_timeout": 2 * 60 * 60,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# The schedule, in Asia/Jakarta. Every job derives what is due from the database, so a run that
# was missed (worker or Redis down) is caught up by the next one.
CELERY_BEAT_SCHEDULE = {
    "scan-reminders": {
        "task": "portal.notifications.scan_reminders",
        "schedule": crontab(minute=5),
    },
    "send-pending-notifications": {
        "task": "portal.notifications.send_pending",
        "schedule": crontab(minute="*/10"),
    },
    "weekly-reports": {
        "task": "portal.reports.run_weekly",
        "schedule": crontab(minute=0, hour=6, day_of_week="mon"),
    },
    "monthly-reports": {
        "task": "portal.reports.run_monthly",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
    "purge-expired-exports": {
        "task": "portal.exports.purge_expired",
        "schedule": crontab(minute=30),
    },
}

# Requests one API token may make (DRF rate: "<number>/<second|minute|hour|day>").
PORTAL_API_TOKEN_RATE = env.str("PORTAL_API_TOKEN_RATE", default="1000/hour")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that an unauthenticated request is a 401 with `WWW-Authenticate: Bearer`.
        "portal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.UpdatedCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.ApiTokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portal Migran API",
    "DESCRIPTION": "Read (and, with a read-write token, write) the portal's data under the same "
    "visibility rules as its pages. Authenticate with the browser session or "
    "`Authorization: Bearer <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.declare_masked_nik",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "partners.models.Organisation.Kind",
        "AgreementKindEnum": "partners.models.Agreement.Kind",
        "CommitmentKindEnum": "partners.models.Commitment.Kind",
        "TrackKindEnum": "training.models.Track.Kind",
        "AssessmentKindEnum": "training.models.AssessmentResult.Kind",
        "LanguageEnum": "training.models.Track.Language",
        "LanguageLevelEnum": "training.models.LanguageLevel",
        "PhaseEnum": "placements.models.Phase",
        "CaseStatusEnum": "placements.models.Case.Status",
    },
}

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

AUDITLOG_MASK_CALLABLE = "portal.audit.masking.mask_value"
