"""portal/settings.py read from the environment, as production and `make demo` start it.

Each case starts a fresh Python with only the variables it names (the test run's own settings
set some of them), imports portal.settings and reads the values back as JSON.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

# Every variable portal/settings.py reads: none leaks from the test run into a case.
SETTINGS_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "MEDIA_ROOT",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "PORTAL_SMS_SENDER",
    "PORTAL_BASE_URL",
    "CELERY_TASK_DEFAULT_QUEUE",
}

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "portal.example.go.id",
}

READ_SETTINGS = """
import json, sys
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in sys.argv[1:]}, default=str))
"""


def run(args, **variables):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key not in SETTINGS_VARIABLES
    }
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", **variables)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read_settings(*names, **variables):
    completed = run(["-c", READ_SETTINGS, *names], **variables)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_the_deploy_check_passes_with_debug_off():
    completed = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_it_refuses_to_start_with_debug_off_and_no_secret_key():
    completed = run(["-c", READ_SETTINGS, "DEBUG"], DJANGO_DEBUG="0")

    assert completed.returncode != 0
    assert "DJANGO_SECRET_KEY" in completed.stderr


def test_debug_is_off_unless_asked_for():
    values = read_settings("DEBUG", DJANGO_SECRET_KEY=PRODUCTION["DJANGO_SECRET_KEY"])

    assert values == {"DEBUG": False}


def test_with_debug_off_every_protection_is_on():
    values = read_settings(
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "X_FRAME_OPTIONS",
        "ALLOWED_HOSTS",
        **PRODUCTION,
    )

    assert values.pop("SECURE_HSTS_SECONDS") >= 365 * 24 * 60 * 60
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "ALLOWED_HOSTS": ["portal.example.go.id"],
    }


def test_with_debug_on_it_starts_without_a_secret_key_and_serves_localhost_only():
    values = read_settings(
        "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", DJANGO_DEBUG="1"
    )

    assert values["DEBUG"] is True
    assert values["SECRET_KEY"].startswith("insecure-")
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert values["SECURE_SSL_REDIRECT"] is False


def test_the_proxy_ssl_header_is_trusted_only_when_asked():
    assert read_settings("SECURE_PROXY_SSL_HEADER", **PRODUCTION) == {
        "SECURE_PROXY_SSL_HEADER": None
    }
    assert read_settings(
        "SECURE_PROXY_SSL_HEADER", DJANGO_SECURE_PROXY_SSL_HEADER="1", **PRODUCTION
    ) == {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]}


def test_without_redis_url_tasks_run_eagerly_and_the_cache_is_in_memory():
    values = read_settings(
        "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "CACHES", "REDIS_URL", **PRODUCTION
    )

    assert values["REDIS_URL"] == ""
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_with_redis_url_tasks_go_to_redis_and_the_cache_too():
    values = read_settings(
        "CELERY_TASK_ALWAYS_EAGER",
        "CELERY_BROKER_URL",
        "CACHES",
        REDIS_URL="redis://redis.internal:6379/3",
        **PRODUCTION,
    )

    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["CELERY_BROKER_URL"] == "redis://redis.internal:6379/3"
    assert values["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert values["CACHES"]["default"]["LOCATION"] == "redis://redis.internal:6379/3"


def test_without_database_url_it_uses_sqlite_and_with_one_postgresql():
    sqlite = read_settings("DATABASES", **PRODUCTION)["DATABASES"]["default"]
    postgres = read_settings(
        "DATABASES", DATABASE_URL="postgres://portal:pw@db.internal:5432/portal", **PRODUCTION
    )["DATABASES"]["default"]

    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == str(ROOT / "db.sqlite3")
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["HOST"], postgres["NAME"]) == ("db.internal", "portal")
    assert postgres["CONN_MAX_AGE"] == 60
    assert postgres["CONN_HEALTH_CHECKS"] is True


def test_the_portal_speaks_indonesian_and_keeps_jakarta_time():
    assert settings.LANGUAGE_CODE == "id"
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert settings.USE_TZ is True
