"""Test settings: the portal's one settings module, with the variables a test run needs set.

`make test` needs no variables: the secret key and the SSL redirect are set here, before the
settings module reads the environment.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"portal-test-{os.getpid()}")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
PORTAL_REQUIRE_2FA = False  # 2FA tests turn it on with override_settings
# django-axes stays on in tests (the lockout tests rely on it), without a log line per login.
AXES_VERBOSE = False
