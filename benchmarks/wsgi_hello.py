"""Benchmarks only (web_throughput.py): the portal's WSGI application, plus a hello-world answer
at /__hello__ given before Django sees the request. Served by gunicorn with the production
configuration, the hello answer is the ceiling of that configuration on this machine.

Never used by the project itself (no URL is added to the portal).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from benchmarks.common import static_fallback  # noqa: E402

static_fallback()  # before anything opens the static files storage

from portal.wsgi import application as portal  # noqa: E402

HELLO = b"Hello, world\n"


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/__hello__":
        start_response(
            "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(HELLO)))]
        )
        return [HELLO]
    return portal(environ, start_response)
