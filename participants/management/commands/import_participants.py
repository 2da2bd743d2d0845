"""Import a participant sheet (CSV or XLSX, recognised by content) from the command line.

    python manage.py import_participants FILE [--dry-run] [--skip-invalid]
        [--as-of YYYY-MM-DD] --user USERNAME [--report OUT.csv]

It prints the count of each outcome (new, updated, unchanged, merged, skipped, rejected) and the
errors of the rejected rows; `--report` writes a CSV with the columns row,outcome,nik,messages.

Exit status: 0 when no row was rejected; 1 when any row was rejected (with or without
--skip-invalid: with it the valid rows were written); 2 when the whole file is refused
(unreadable, empty, no known column, too large, unsafe) or the command cannot start (no or
unknown --user, a user without the import permission, a missing file, a bad date).

`--user` is required: the import is recorded and audited in that person's name, and the person
must hold the permission `participants.import_participants` (the rows show NIKs).
"""

import datetime as dt
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from participants.importer import OUTCOMES, import_participants, write_report_csv

PERMISSION = "participants.import_participants"
SHOWN_REJECTIONS = 50
EXIT_REJECTED = 1
EXIT_REFUSED = 2


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--as-of: {value!r} is not a date (YYYY-MM-DD).", returncode=2
        ) from error


class Command(BaseCommand):
    help = "Import participants from a CSV or XLSX file (dry run first with --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and write nothing"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="write the valid rows and leave out the rejected ones (default: all or nothing)",
        )
        parser.add_argument(
            "--as-of", help="the date used for ages and the century of birth years (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--user", help="the username the import is made by (needs the import permission)"
        )
        parser.add_argument("--report", help="write row,outcome,nik,messages to this CSV file")

    def handle(self, *args, **options):
        user = self.importing_user(options["user"])
        as_of = _date(options["as_of"]) if options["as_of"] else None
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(f"{path}: no such file.", returncode=EXIT_REFUSED)

        with open(path, "rb") as fileobj:
            report = import_participants(
                fileobj=fileobj,
                user=user,
                filename=os.path.basename(path),
                as_of=as_of,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
            )

        if options["report"]:
            with open(options["report"], "w", encoding="utf-8", newline="") as out:
                write_report_csv(report, out)

        if report.refused is not None:
            self.stderr.write(f"{path}: refused ({report.refused.code}): {report.refused.message}")
            raise SystemExit(EXIT_REFUSED)

        self.print_summary(report)
        if report.counts.get("rejected"):
            raise SystemExit(EXIT_REJECTED)

    def importing_user(self, username):
        if not username:
            raise CommandError(
                "--user USERNAME is required: the import is recorded in that person's name and "
                f"needs the permission {PERMISSION}.",
                returncode=EXIT_REFUSED,
            )
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"--user: no user {username!r}.", returncode=EXIT_REFUSED) from error
        if not user.is_active or not user.has_perm(PERMISSION):
            raise CommandError(
                f"--user: {username} may not import participants (needs {PERMISSION}).",
                returncode=EXIT_REFUSED,
            )
        return user

    def print_summary(self, report):
        rejected = [row for row in report.rows if row.outcome == "rejected"]
        for row in rejected[:SHOWN_REJECTIONS]:
            reasons = "; ".join(
                f"{m.column}: {m.text}" if m.column else str(m.text)
                for m in row.messages
                if m.level == "error"
            )
            self.stderr.write(f"row {row.number}: {reasons}")
        if len(rejected) > SHOWN_REJECTIONS:
            self.stderr.write(
                f"... and {len(rejected) - SHOWN_REJECTIONS} more rejected rows (see --report)."
            )
        if report.dry_run:
            self.stdout.write("Dry run: nothing was written. The import would give:")
        elif not report.committed:
            self.stdout.write(
                "Nothing was written: rows were rejected (use --skip-invalid to "
                "write the valid rows). The import would give:"
            )
        for outcome in OUTCOMES:
            self.stdout.write(f"{outcome}: {report.counts.get(outcome, 0)}")
