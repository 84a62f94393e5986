"""Django settings for trustdesk. Everything deployment-specific comes from the environment.

See README.md ("Configuration") for the variables.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from trustdesk.lib.env import ImproperSetting, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("TRUSTDESK_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("TRUSTDESK_DEBUG", False)


def _secret_key() -> str:
    key = env_str("TRUSTDESK_SECRET_KEY")
    if key:
        return key
    # No key configured: keep a random one in the data directory so sessions survive
    # restarts of a single-machine install. Multi-process deployments must set the variable.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("TRUSTDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("TRUSTDESK_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("TRUSTDESK_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Links in mail and chat messages are absolute, on the public URL.
NOTIFY_BASE_URL = SITE_URL

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Serves the API docs' Swagger UI from our own static files: offline, and no inline script.
    "ninja",
    "trustdesk.core",
    "trustdesk.accounts",
    "trustdesk.taxonomy",
    "trustdesk.audit",
    "trustdesk.incidents",
    "trustdesk.intake",
    "trustdesk.notify",
    "trustdesk.oncall",
    "trustdesk.regulatory",
    "trustdesk.quality",
    "trustdesk.markets",
    "trustdesk.playbooks",
    "trustdesk.postmortems",
    "trustdesk.enforcement",
    "trustdesk.exports",
    "trustdesk.wellbeing",
    "trustdesk.retention",
    "trustdesk.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "trustdesk.lib.request_context.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "trustdesk.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trustdesk.urls"
WSGI_APPLICATION = "trustdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trustdesk.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
# writers queue instead of failing with "database is locked". Applied to every SQLite
# database, the default one and a DATABASE_URL=sqlite:///... alike.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    except ValueError as exc:
        raise ImproperSetting(f"DATABASE_URL: {exc}") from exc
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "trustdesk.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "incidents:queue"
LOGOUT_REDIRECT_URL = "login"

# Second factor (TOTP, django-otp): roles that must enrol before doing anything else.
# "none" turns enforcement off (the demo does); see docs/security.md.
TWO_FACTOR_REQUIRED_ROLES = [
    role for role in env_list("TRUSTDESK_2FA_REQUIRED_ROLES", ["admin", "lead"]) if role != "none"
]
OTP_TOTP_ISSUER = "trustdesk"

AXES_FAILURE_LIMIT = env_int("TRUSTDESK_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

SESSION_COOKIE_AGE = env_int("TRUSTDESK_SESSION_SECONDS", 12 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("TRUSTDESK_SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("TRUSTDESK_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_SSL_REDIRECT = env_bool("TRUSTDESK_SSL_REDIRECT", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- i18n / time ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "trustdesk.core.staticfiles.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = DEBUG

# --- Background work --------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Processes (`trustdesk serve`, `trustdesk demo`) ------------------------------------------
WEB_BIND = env_list("TRUSTDESK_BIND", ["127.0.0.1:8000"])
WEB_WORKERS = env_int("TRUSTDESK_WEB_WORKERS", 2)

# --- Mail -----------------------------------------------------------------------------------
EMAIL_HOST = env_str("TRUSTDESK_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = env_int("TRUSTDESK_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("TRUSTDESK_SMTP_USER")
EMAIL_HOST_PASSWORD = env_str("TRUSTDESK_SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("TRUSTDESK_SMTP_STARTTLS", False)
DEFAULT_FROM_EMAIL = env_str("TRUSTDESK_FROM_EMAIL", "trustdesk@localhost")
MAIL_DIR = env_str("TRUSTDESK_MAIL_DIR")
if MAIL_DIR:
    # Write outgoing mail to files in this folder instead of sending it (the demo does).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = MAIL_DIR

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("TRUSTDESK_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Per-document progress lines from PDF rendering.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
