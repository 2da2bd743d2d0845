from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from placements.services import placement_rules_load


class Command(BaseCommand):
    help = (
        "Add the default document checklist and destination rules that are missing (run after "
        "load_regions); rows edited in the admin are left as they are."
    )

    def handle(self, *args, **options):
        items, rules = placement_rules_load()
        self.stdout.write(
            _("%(items)d checklist items and %(rules)d destination rules added.")
            % {"items": items, "rules": rules}
        )
