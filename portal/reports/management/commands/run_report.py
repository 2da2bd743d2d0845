"""`python manage.py run_report weekly|monthly [--partner SLUG] [--period P] [--force] [--send]`"""

from django.core.management.base import BaseCommand, CommandError

from partners.models import Organisation
from portal.reports import periods
from portal.reports.models import ReportRun
from portal.reports.services import report_build, report_path, report_send


class Command(BaseCommand):
    help = (
        "Build a programme report (default: the last complete period, national) and print the "
        "path of the file it wrote."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[periods.WEEKLY, periods.MONTHLY])
        parser.add_argument("--partner", metavar="SLUG", help="a partner's report")
        parser.add_argument("--period", help="2026-W47 (weekly) or 2026-11 (monthly)")
        parser.add_argument("--force", action="store_true", help="rebuild a finished report")
        parser.add_argument("--send", action="store_true", help="also notify its recipients")

    def handle(self, *args, kind, partner=None, period=None, force=False, send=False, **options):
        organisation = None
        if partner:
            organisation = Organisation.objects.filter(slug=partner).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {partner!r}.")
        try:
            period = periods.resolve(kind, period)
        except periods.PeriodError as error:
            raise CommandError(str(error)) from error
        run = report_build(kind=kind, period=period, partner=organisation, force=force)
        if run.status != ReportRun.Status.DONE:
            raise CommandError(f"The report is {run.status}: {run.error or 'try again later'}")
        if send:
            report_send(run=run)
        self.stdout.write(report_path(run))
