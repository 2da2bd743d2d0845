"""Export lists from the command line, with the same rules as the export page for that user.

    python manage.py export_participants --user USERNAME --format csv|xlsx -o FILE
        [--programme CODE] [--category CODE] [--province CODE] [--[no-]pseudonymise]
        [--list LIST ...] [--language id|en]

Everything goes through `portal.exports.services.export_start`: the user's permission, the rows
their visibility rule allows, NIK masking, restricted fields and pseudonyms (an analyst's export
is pseudonymised by default; `--pseudonymise` forces it for anyone, `--no-pseudonymise` asks
for names as the page allows, NIKs staying masked without the NIK permission), and the export
record and audit entry. `--list` defaults to participants; an XLSX file may hold several lists
(one sheet each).

The file is written next to FILE under a temporary name and renamed at the end, so FILE never
holds half an export. Exit status 2, with the reason on stderr and nothing written, when the
export cannot start: an unknown user, a user who may not export (that list), an unknown filter
value, several lists in one CSV, a directory that does not exist.
"""

import argparse
import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from portal.exports import services
from portal.exports.datasets import DATASETS
from portal.exports.models import Format

EXIT_REFUSED = 2


class Command(BaseCommand):
    help = (
        "Export lists (participants by default) to a CSV or XLSX file as the given user may see "
        "them, and print the row count and the path."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, metavar="USERNAME", help="export as this user")
        parser.add_argument("--format", required=True, choices=[f.value for f in Format])
        parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the file")
        parser.add_argument(
            "--list",
            dest="lists",
            action="append",
            metavar="LIST",
            help=f"a list to export (repeat for several sheets in one XLSX): {', '.join(DATASETS)}",
        )
        parser.add_argument("--programme", metavar="CODE", help="e.g. kesempatan-kedua")
        parser.add_argument("--category", metavar="CODE", help="e.g. sr_student")
        parser.add_argument("--province", metavar="CODE", help="Kemendagri code, e.g. 51")
        parser.add_argument(
            "--pseudonymise",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="replace names and NIKs by pseudonyms (default: the user's default, which is "
            "on for analysts); --no-pseudonymise asks for names as the export page allows",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the column headers and messages",
        )

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            target = Path(options["output"])
            user = self.exporting_user(options["user"])
            if not target.parent.is_dir():
                raise CommandError(
                    _("%(path)s: the directory %(directory)s does not exist.")
                    % {"path": target, "directory": target.parent},
                    returncode=EXIT_REFUSED,
                )
            codes = options["lists"] or ["participants"]
            run = self.start(user, codes, options)
            rows = self.write(run, target)
            self.stdout.write(
                _("%(rows)d rows written to %(path)s") % {"rows": rows, "path": target}
            )

    def exporting_user(self, username):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(
                _("--user: there is no user %(user)s.") % {"user": username},
                returncode=EXIT_REFUSED,
            ) from error

    def start(self, user, codes, options):
        filters = {name: options[name] for name in ("programme", "category", "province")}
        try:
            return services.export_start(
                user=user,
                datasets=codes,
                format=options["format"],
                filters=filters,
                pseudonymise=options["pseudonymise"],
            )
        except PermissionDenied as error:
            raise CommandError(refusal(user, codes), returncode=EXIT_REFUSED) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=EXIT_REFUSED) from error

    def write(self, run, target):
        """Write the export to a temporary file beside `target`, then rename it to `target`."""
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed or removed below
            dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
        )
        try:
            with handle:
                if run.format == Format.CSV:
                    stream = services.stream_csv(run=run)
                    try:
                        for chunk in stream:
                            handle.write(chunk)
                    finally:
                        stream.close()  # marks the run interrupted if it stopped half-way
                else:
                    rows, excluded = services.write_xlsx(run=run, fileobj=handle)
            if run.format == Format.XLSX:
                services.finish_written(
                    run=run, rows=rows, excluded=excluded, sha256=sha256_of(handle.name)
                )
            os.replace(handle.name, target)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        return run.row_count


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fileobj:
        for block in iter(lambda: fileobj.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def refusal(user, codes):
    """Why `export_start` refused `user`: no export at all, or one of the lists."""
    if services.may_export(user):
        for code in codes:
            if code in DATASETS and not DATASETS[code].allowed_for(user):
                return _("%(user)s may not export the list %(list)s.") % {
                    "user": user.username,
                    "list": code,
                }
    return _("%(user)s may not export lists.") % {"user": user.username}
