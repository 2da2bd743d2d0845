"""What every benchmark shares: a PostgreSQL database from DATABASE_URL (created and migrated if
missing), each case run in a fresh process for an honest peak memory, results as JSON.

Benchmarks report ratios against a baseline measured in the same run on the same data; the
absolute times are there for context only.
"""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A quick (smoke) run writes beside the committed full-run results, never over them.
RESULTS = ROOT / "benchmarks" / "results" / ("quick" if "--quick" in sys.argv else "")


def setup_django():
    """Configure Django for a benchmark process (DEBUG off: no query log growing in memory)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 50)
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    import django

    static_fallback()
    django.setup()
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("Benchmarks run on PostgreSQL: set DATABASE_URL.")


def static_fallback():
    """Pages name static files through the manifest of `collectstatic` when DEBUG is off. Where
    that manifest could not be built (`ensure_static` failed), plain StaticFilesStorage names
    them instead: a dictionary lookup less per file, nothing a page figure would show."""
    from django.conf import settings

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    if "Manifest" in backend and not manifest.exists():
        settings.STORAGES["staticfiles"]["BACKEND"] = (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
        )


def ensure_database():
    """Create the DATABASE_URL database if it is missing, migrate it and load the regions."""
    setup_django()
    import psycopg
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    params = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_placement_rules", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def peak_memory_mb():
    """This process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def run_case(script, *args):
    """Run `script` with `args` in a fresh Python process; it prints one JSON line last."""
    output = subprocess.run(  # noqa: S603 - our own script with our own arguments
        [sys.executable, str(script), *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def save(name, result):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")


def table(rows, headers):
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(line.format(*map(str, r)) for r in [headers, *rows])


# --- Sized databases (the page, API and dashboard benchmarks) ----------------------------------
#
# Growth is measured by running the same case on databases of different sizes, each filled by
# `generate_load` alone: DATABASE_URL itself when it holds exactly that many participants,
# otherwise a sibling database named `<name>_<rows>` (created, migrated and loaded once, then
# reused). A pk range on one big database would give the smaller size a different query plan.


def _url_with_name(url, name):
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _participants(url):
    """The number of participants in the database at `url` (None when it does not exist)."""
    import psycopg

    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as connection:
            return connection.execute("SELECT count(*) FROM participants_participant").fetchone()[0]
    except psycopg.Error:
        return None


def settle(url):
    """VACUUM ANALYZE a freshly loaded database, once: COPY leaves no planner statistics and no
    visibility map (index-only scans then read the heap), which autovacuum would set in time
    on a live database. Without it a deep admin page costs 170 ms instead of 6 ms."""
    import psycopg

    url = url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as connection:
        settled = connection.execute(
            "SELECT coalesce(last_vacuum, last_autovacuum) IS NOT NULL FROM pg_stat_user_tables"
            " WHERE relname = 'participants_participant'"
        ).fetchone()
        if not settled or not settled[0]:
            print("VACUUM ANALYZE of the loaded database.", flush=True)
            connection.execute("VACUUM ANALYZE")


def sized_database(rows):
    """A DATABASE_URL whose database holds `rows` participants from `generate_load` alone
    (vacuumed and analysed, see `settle`)."""
    url = _sized_database(rows)
    settle(url)
    return url


def _sized_database(rows):
    from urllib.parse import urlsplit

    url = os.environ["DATABASE_URL"]
    held = _participants(url)
    if held is not None and abs(held - rows) <= rows // 100:  # a few test imports left there
        return url
    name = urlsplit(url).path.lstrip("/") + f"_{rows}"
    sized = _url_with_name(url, name)
    if _participants(sized) == rows:
        return sized
    env = {**os.environ, "DATABASE_URL": sized}
    print(f"Preparing database {name} with {rows:,} participants.", flush=True)
    subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", "from benchmarks.common import ensure_database; ensure_database()"],
        check=True, cwd=ROOT, env=env,
    )  # fmt: skip
    command = [sys.executable, "manage.py", "generate_load", "--participants", str(rows)]
    if _participants(sized):
        command.append("--reset")
    subprocess.run(  # noqa: S603 - our own command
        command, check=True, cwd=ROOT, env={**env, "DJANGO_DEBUG": "1"},
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return sized


def run_case_on(url, script, *args):
    """`run_case` with DATABASE_URL set to `url`."""
    output = subprocess.run(  # noqa: S603 - our own script with our own arguments
        [sys.executable, str(script), *map(str, args)],
        check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def timed(call, repeat):
    """Run `call` once to warm up, then `repeat` times: (median seconds, last result). A call
    slower than 5 s is timed once more only (the figure is then far from any aim anyway)."""
    import statistics

    start = time.perf_counter()
    result = call()
    if time.perf_counter() - start > 5:
        repeat = 1
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_user(username, group):
    """A staff user of `group` the benchmark creates (no usable password)."""
    from django.contrib.auth.models import Group

    from portal.accounts.models import User

    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=group))
    return user


def ensure_static():
    """`collectstatic` into STATIC_ROOT when its manifest is missing: with DEBUG off the pages
    name their static files through the manifest, as the production image does."""
    if (ROOT / "staticfiles" / "staticfiles.json").exists():
        return
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        check=False, cwd=ROOT, capture_output=True, text=True,
        env={"DJANGO_SECRET_KEY": "benchmark-only-" + "x" * 50, **os.environ, "DJANGO_DEBUG": "0"},
    )  # fmt: skip
    if done.returncode:
        print("collectstatic failed; pages use plain static names (static_fallback):",
              done.stderr.strip().splitlines()[-1:], flush=True)  # fmt: skip


def logged_in_client(user):
    """A test client logged in as `user`, with the two-factor step done when the user has to
    (a confirmed TOTP device the benchmark creates, marked verified in the session as
    django-otp's login does). Its session cookie also serves outside the test client."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="benchmark", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
