"""Run the reminder scan now, in this process, and print what it recorded per kind."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from portal.notifications import services


class Command(BaseCommand):
    help = "Record the reminders due today (or on --today) and send the pending notifications."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="The date to scan for, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--no-send", action="store_true", help="Record only; leave the notifications pending."
        )

    def handle(self, *args, today=None, no_send=False, **options):
        if today:
            try:
                today = dt.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError(f"--today: {error}") from error
        counts = services.scan_reminders(today=today, send=False)
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")
        if not no_send:
            sent = services.send_pending()
            self.stdout.write(f"sent: {sent['sent']}, errors: {sent['errors']}")
