import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.web.loadgen import LoadError, generate_load, load_present
from portal.web.loadgen.checks import run_checks
from portal.web.loadgen.reset import remove_load


class Command(BaseCommand):
    help = (
        "Fill the database with a large, consistent, fictional data set for benchmarks (COPY on "
        "PostgreSQL), print rows per second and check the result. Refuses when a load is "
        "already there unless --reset is given, and unless DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, required=True)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--reset", action="store_true", help="Remove a previous load first (demo data stays)."
        )

    def handle(self, *args, participants, seed, reset, **options):
        if not settings.DEBUG:
            raise CommandError(
                "generate_load only runs with DEBUG on (DJANGO_DEBUG=1): it writes fictional "
                "people, never wanted in production."
            )
        if reset and load_present():
            removed = remove_load()
            self.stdout.write(f"Removed the previous load ({removed:,} participants).")

        def progress(done, seconds):
            self.stdout.write(f"  {done:,} participants in {seconds:.1f} s")

        try:
            report = generate_load(participants=participants, seed=seed, progress=progress)
        except (LoadError, LookupError) as error:
            raise CommandError(str(error)) from error

        self.stdout.write(f"Method: {report.method}")
        width = max(len(label) for label, _, _ in report.tables)
        for label, rows, seconds in report.tables:
            rate = rows / seconds if seconds else 0
            self.stdout.write(
                f"{label:<{width}}  {rows:>11,} rows  {seconds:7.2f} s  {rate:>9,.0f} rows/s"
            )
        total = report.total_rows
        writing = sum(seconds for _, _, seconds in report.tables)
        self.stdout.write(
            f"{'Total':<{width}}  {total:>11,} rows  {report.seconds:7.2f} s  "
            f"{total / report.seconds:>9,.0f} rows/s overall "
            f"({total / writing if writing else 0:,.0f} rows/s writing)"
        )
        if connection.vendor == "postgresql":
            # Fresh statistics: without them the planner misjudges every query on the new rows
            # (a dashboard took minutes instead of seconds in the benchmarks).
            started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write(f"ANALYZE: {time.monotonic() - started:.1f} s")
        self.stdout.write("Checks:")
        failed = []
        for name, ok, detail in run_checks(participants=participants):
            self.stdout.write(f"  [{'ok' if ok else 'FAILED'}] {name}: {detail}")
            if not ok:
                failed.append(name)
        if failed:
            raise CommandError(f"Load checks failed: {', '.join(failed)}")
