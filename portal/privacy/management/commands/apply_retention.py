"""Apply the retention policy: `manage.py apply_retention [--dry-run] [--user USERNAME]`."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from portal.accounts.models import User
from portal.privacy.retention import POLICIES, apply_retention


class Command(BaseCommand):
    help = (
        "Anonymise or delete the records the retention policy (PORTAL_RETENTION_*) says are due, "
        "and record the run. With --dry-run, only count them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument("--user", help="The portal user who runs it (recorded on the run).")

    def handle(self, *args, dry_run=False, user=None, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user {user!r}.")
        try:
            by_label = f"command line ({getpass.getuser()})"
        except Exception:  # noqa: BLE001 - no login name in some containers
            by_label = "command line"
        run = apply_retention(dry_run=dry_run, actor=actor, by_label=by_label)
        verb = "due" if dry_run else "done"
        for policy in POLICIES:
            self.stdout.write(
                f"{policy.code}: {run.counts.get(policy.code, 0)} {verb} "
                f"({policy.action}, older than {policy.period} {policy.unit})"
            )
        kind = "Dry run" if dry_run else "Run"
        self.stdout.write(self.style.SUCCESS(f"{kind} #{run.pk} recorded: {run.total} rows."))
