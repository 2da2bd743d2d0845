"""Reminder rule of the breach register: every day until the people affected and the authority
have been notified, each ministry admin is reminded of the 3 x 24-hour deadline."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.notifications.registry import Bilingual, Due, rule

from .models import Breach
from .services import ministry_admin_ids

STILL_TO_NOTIFY = {
    (True, True): Bilingual(
        "orang yang terdampak dan otoritas", "the people affected and the authority"
    ),
    (True, False): Bilingual("orang yang terdampak", "the people affected"),
    (False, True): Bilingual("otoritas", "the authority"),
}


@rule(
    code="breach_notification_due",
    label=_("Data breach notification due"),
    subject=_('Data breach "%(title)s": notify by %(deadline)s'),
    body=_(
        'The data breach "%(title)s" was discovered on %(discovered)s. UU 27/2022 requires '
        "notifying %(whom)s in writing by %(deadline)s (3 x 24 hours). Send the notice and "
        "record when it was sent."
    ),
)
def breaches_awaiting_notification(*, today, now):
    """Breaches (not found unfounded) whose people affected or authority have not been told:
    one reminder a day (due today) to every ministry admin, until both are recorded."""
    breaches = list(
        Breach.objects.awaiting_notification()
        .order_by("pk")
        .only("pk", "title", "discovered_at", "people_notified_at", "authority_notified_at")
    )
    if not breaches:
        return
    admins = tuple(ministry_admin_ids())
    for breach in breaches:
        whom = STILL_TO_NOTIFY[
            (breach.people_notified_at is None, breach.authority_notified_at is None)
        ]
        yield Due(
            obj=breach,
            due_on=today,
            recipients=admins,
            context={
                "title": breach.title,
                "discovered": breach.discovered_at,
                "deadline": breach.deadline,
                "whom": whom,
            },
            url=reverse("admin:privacy_breach_change", args=[breach.pk]),
        )
