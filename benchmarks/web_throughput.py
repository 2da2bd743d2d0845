"""Web throughput (issue 13): gunicorn with the production configuration serving the partner
dashboard and an API list under wrk, against a hello-world answer on the same gunicorn in the
same run.

gunicorn runs as docker-compose's web service does (`--workers ${WEB_CONCURRENCY:-2} --timeout
60 --access-logfile - --error-logfile -`, sync workers, DEBUG off, behind a proxy that sets
X-Forwarded-Proto) on loopback, serving `benchmarks.wsgi_hello`: the portal's WSGI application
plus /__hello__ answered before Django (the ceiling of that configuration). wrk (Debian's
package) runs `--duration` seconds per target with `--connections` connections on 2 threads,
after a short warm-up. Targets:

- hello: GET /__hello__;
- api: GET /api/v1/participants/ (first cursor page, 50 rows) with the session cookie of a
  ministry admin the benchmark creates (`bench-web`, two-factor step done);
- dashboard: GET /partner/ with the session cookie of a staff member of the load's big partner
  (`bench-web-partner`), who sees about 9 % of the people.

Every answer must be a 200: wrk's non-2xx/3xx count and socket errors are reported and must be
zero (a redirect would count as an error: each target is checked for a 200 first). Reported:
requests per second, p50 and p99 latency, the rate against hello's.

    python benchmarks/web_throughput.py [--sizes 100000 1000000] [--duration 15]
    python benchmarks/web_throughput.py --quick      # 10,000 rows, 5 s per target (CI)
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent.parent))

from benchmarks.common import (  # noqa: E402
    ROOT,
    bench_user,
    ensure_static,
    logged_in_client,
    run_case_on,
    save,
    setup_django,
    sized_database,
    table,
)

ADMIN = "bench-web"
PARTNER = "bench-web-partner"


def prepare():
    """Session cookies for the two users (created when missing)."""
    setup_django()
    from django.conf import settings

    from partners.models import Membership, Organisation
    from portal.web.loadgen.checks import BIG_PARTNER

    cookies = {}
    admin = bench_user(ADMIN, "ministry_admin")
    partner = bench_user(PARTNER, "partner_staff")
    Membership.objects.get_or_create(
        user=partner, defaults={"organisation": Organisation.objects.get(slug=BIG_PARTNER)}
    )
    for name, user in (("api", admin), ("dashboard", partner)):
        client = logged_in_client(user)
        cookies[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    print(json.dumps({"cookie_name": settings.SESSION_COOKIE_NAME, "cookies": cookies}))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url, port, log):
    env = {
        "DJANGO_SECRET_KEY": "benchmark-only-" + "x" * 50,
        **os.environ,
        # A statement outliving gunicorn's 60 s timeout would run on after its worker is killed.
        "DATABASE_URL": url + ("&" if "?" in url else "?") + "options=-c%20statement_timeout%3D60s",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
    }
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "benchmarks.wsgi_hello:application",
        "--bind", f"127.0.0.1:{port}", "--workers", workers, "--timeout", "60",
        "--access-logfile", "-", "--error-logfile", "-",
    ]  # fmt: skip
    server = subprocess.Popen(  # noqa: S603 - our own command
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__hello__", timeout=2)  # noqa: S310
            return server, int(workers)
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn stopped; see its log") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def headers_for(target, prepared):
    headers = {"X-Forwarded-Proto": "https"}
    if target in prepared["cookies"]:
        headers["Cookie"] = f"{prepared['cookie_name']}={prepared['cookies'][target]}"
    return headers


def check_200(url, headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=90) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:  # a timeout: gunicorn's own is 60 s
        return f"no answer ({error})"


def seconds_of(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"wrk printed a latency of {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(url, headers, duration, connections, *, parse=True):
    command = ["wrk", "--threads", "2", "--connections", str(connections),
               "--duration", f"{duration}s", "--timeout", "60s", "--latency"]  # fmt: skip
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603 - wrk with our own arguments
        [*command, url], check=True, capture_output=True, text=True
    ).stdout
    if not parse:
        return None
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": requests,
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": round(seconds_of(re.search(r"50%\s+(\S+)", output).group(1)) * 1000, 2),
        "p99_ms": round(seconds_of(re.search(r"99%\s+(\S+)", output).group(1)) * 1000, 2),
        "errors": (sum(map(int, errors.groups())) if errors else 0)
        + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per target")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="10,000 rows, 5 s a target (CI)")
    parser.add_argument("--prepare", action="store_true")
    arguments = parser.parse_args()
    if arguments.prepare:
        return prepare()
    if arguments.quick:
        arguments.sizes, arguments.duration = [10_000], 5
    if shutil.which("wrk") is None:
        raise SystemExit("web_throughput needs wrk: apt-get install -y wrk")

    ensure_static()
    targets = {"hello": "/__hello__", "api": "/api/v1/participants/", "dashboard": "/partner/"}
    results = {}
    for size in arguments.sizes:
        url = sized_database(size)
        prepared = run_case_on(url, HERE, "--prepare")
        port = free_port()
        with tempfile.TemporaryFile() as log:
            server, workers = start_gunicorn(url, port, log)
            try:
                for target, path in targets.items():
                    address = f"http://127.0.0.1:{port}{path}"
                    headers = headers_for(target, prepared)
                    status = check_200(address, headers)
                    if status != 200:
                        # Not loaded: a page that fails alone would only fail faster under wrk.
                        print(f"{target}: {path} answered {status}, not 200", flush=True)
                        results[f"{target}_{size}"] = {
                            "target": target, "path": path, "rows": size, "workers": workers,
                            "status": str(status), "requests": 0, "requests_per_second": 0.0,
                            "p50_ms": None, "p99_ms": None, "errors": 1,
                        }  # fmt: skip
                        continue
                    wrk(address, headers, 2, arguments.connections, parse=False)  # warm-up
                    outcome = wrk(address, headers, arguments.duration, arguments.connections)
                    results[f"{target}_{size}"] = {"target": target, "path": path, "rows": size,
                                                   "workers": workers, **outcome}  # fmt: skip
            finally:
                server.terminate()
                server.wait(timeout=30)
        hello = results[f"hello_{size}"]["requests_per_second"]
        for target in targets:
            result = results[f"{target}_{size}"]
            result["ratio_to_hello"] = round(result["requests_per_second"] / hello, 4)
    save(
        "web_throughput",
        {
            "quick": arguments.quick,
            "duration_seconds": arguments.duration,
            "connections": arguments.connections,
            "cases": results,
        },
    )
    print(
        table(
            [
                (
                    o["target"],
                    f"{o['rows']:,}",
                    o["requests"],
                    f"{o['requests_per_second']:,.1f}",
                    o["ratio_to_hello"],
                    o["p50_ms"],
                    o["p99_ms"],
                    o["errors"],
                )
                for o in results.values()
            ],
            [
                "target",
                "participants",
                "requests",
                "req/s",
                "vs hello",
                "p50 ms",
                "p99 ms",
                "errors",
            ],
        )  # fmt: skip
    )
    # No answer within the duration is a failure too (wrk then prints zero latencies).
    failed = [key for key, o in results.items() if o["errors"] or not o["requests"]]
    if failed:
        raise SystemExit(f"errors under load: {failed}")


if __name__ == "__main__":
    main()
