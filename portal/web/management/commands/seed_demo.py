from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.web.demo import ACCOUNTS, demo_password, seed_demo


class Command(BaseCommand):
    help = (
        "Fill a development database with fictional demo data (organisations, agreements, "
        "logins, participants, training, placements and cases); safe to run again. Refuses unless "
        "DEBUG is on."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG on (DJANGO_DEBUG=1): it creates fictional "
                "people and logins with a known password, never wanted in production."
            )
        counts = seed_demo()
        width = max(len(label) for label in counts)
        for label, count in counts.items():
            self.stdout.write(f"{label:<{width}}  {count}")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password {demo_password()!r}):")
        for username, role, *_rest in ACCOUNTS:
            self.stdout.write(f"  {username:<9} {role.label}")
