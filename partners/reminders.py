"""Reminder rules of the partners app: agreements about to end."""

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import MINISTRY_ROLES, User
from portal.notifications.registry import EXPIRY_THRESHOLDS, Due, rule, threshold_windows

from .models import Agreement, AgreementParty, Membership


def ministry_staff_ids():
    """Active ministry admins and officers: the recipients of ministry-wide reminders."""
    return tuple(
        User.objects.filter(is_active=True, groups__name__in=[str(r) for r in MINISTRY_ROLES])
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


@rule(
    code="agreement_expiry",
    label=_("Agreement expiry"),
    subject=_("Agreement %(number)s ends in %(days)s days"),
    body=_(
        'The %(kind)s "%(title)s" (number %(number)s) is valid until %(valid_until)s, '
        "%(days)s days from now. Please arrange its renewal or closure with the parties."
    ),
)
def agreements_ending(*, today, now):
    """Signed, not terminated agreements whose end falls 90, 30 or 7 days ahead (one reminder
    per threshold: due on valid_until minus the threshold), to ministry staff and the staff of
    each party organisation."""
    windows = threshold_windows(today, EXPIRY_THRESHOLDS)
    in_window = Q(pk__in=[])
    for _threshold, first, last in windows:
        in_window |= Q(valid_until__range=(first, last))
    agreements = list(
        Agreement.objects.filter(in_window, signed_on__isnull=False)
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gt=today))
        .only("pk", "kind", "number", "title", "valid_until")
        .order_by("pk")
    )
    if not agreements:
        return
    ministry = ministry_staff_ids()
    parties = defaultdict(set)
    for agreement_id, organisation_id in AgreementParty.objects.filter(
        agreement__in=agreements
    ).values_list("agreement_id", "organisation_id"):
        parties[agreement_id].add(organisation_id)
    members = defaultdict(list)
    for organisation_id, user_id in Membership.objects.filter(
        organisation_id__in={o for orgs in parties.values() for o in orgs}, user__is_active=True
    ).values_list("organisation_id", "user_id"):
        members[organisation_id].append(user_id)
    for agreement in agreements:
        days = (agreement.valid_until - today).days
        threshold = next(t for t, first, last in windows if first <= agreement.valid_until <= last)
        staff = [u for org in sorted(parties[agreement.pk]) for u in members[org]]
        yield Due(
            obj=agreement,
            due_on=agreement.valid_until - dt.timedelta(days=threshold),
            recipients=(*ministry, *staff),
            context={
                "kind": Agreement.Kind(agreement.kind).label,
                "title": agreement.title,
                "number": agreement.number,
                "valid_until": agreement.valid_until,
                "days": days,
            },
        )
