"""Reminder rules of the participants app: documents about to expire, and departure blocks
(18th birthday, end of parole supervision) about to lift."""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.notifications.registry import EXPIRY_THRESHOLDS, Due, rule, threshold_windows

from .models import Participant, PersonalDocument
from .normalise import ADULT_AGE

# Documents whose expiry stops a departure or a stay abroad.
EXPIRING_KINDS = (
    PersonalDocument.Kind.PASSPORT,
    PersonalDocument.Kind.VISA,
    PersonalDocument.Kind.MEDICAL,
    PersonalDocument.Kind.COMPETENCY_CERTIFICATE,
    PersonalDocument.Kind.PLACEMENT_AGREEMENT,
    PersonalDocument.Kind.WORK_CONTRACT,
)
BLOCK_NOTICE_DAYS = 7


def expiry_window_filter(field, windows):
    condition = Q(pk__in=[])
    for _threshold, first, last in windows:
        condition |= Q(**{f"{field}__range": (first, last)})
    return condition


def threshold_for(day, windows):
    return next(threshold for threshold, first, last in windows if first <= day <= last)


@rule(
    code="document_expiry",
    label=_("Document expiry"),
    subject=_("%(document)s of %(name)s expires in %(days)s days"),
    body=_(
        "The %(document)s of %(name)s expires on %(expires_on)s, %(days)s days from now. "
        "Please renew it in time and upload the new document."
    ),
)
def documents_expiring(*, today, now):
    """Passports, visas, medical checks, certificates and contracts of active participants
    expiring 90, 30 or 7 days ahead (due on the expiry date minus the threshold), to the
    participant and their responsible officer."""
    windows = threshold_windows(today, EXPIRY_THRESHOLDS)
    documents = (
        PersonalDocument.objects.filter(
            expiry_window_filter("expires_on", windows),
            kind__in=EXPIRING_KINDS,
            participant__status=Participant.Status.ACTIVE,
        )
        .select_related("participant")
        .only(
            "pk",
            "kind",
            "expires_on",
            "participant__full_name",
            "participant__user_id",
            "participant__officer_id",
        )
        .order_by("pk")
    )
    for document in documents.iterator(chunk_size=2000):
        participant = document.participant
        yield Due(
            obj=document,
            due_on=document.expires_on
            - dt.timedelta(days=threshold_for(document.expires_on, windows)),
            recipients=(participant.user_id, participant.officer_id),
            context={
                "document": PersonalDocument.Kind(document.kind).label,
                "name": participant.full_name,
                "expires_on": document.expires_on,
                "days": (document.expires_on - today).days,
            },
        )


def years_before(day, years):
    """The same day `years` earlier (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@rule(
    code="placement_not_before",
    label=_("Placement block lifting"),
    subject=_("%(name)s may be placed from %(not_before)s"),
    body=_(
        "The block on the placement of %(name)s (%(reason)s) lifts on %(not_before)s. "
        "The placement process can be planned from then on."
    ),
)
def placement_blocks_lifting(*, today, now):
    """Active participants whose latest departure block lifts within the next 7 days (due on
    the day it lifts), to their responsible officer. Candidates come from one query on birth
    dates and supervision end dates; the exact rule is `Participant.placement_not_before`."""
    last = today + dt.timedelta(days=BLOCK_NOTICE_DAYS)
    # 18th birthdays in (today, last]: birth dates in this range, widened for 29 February.
    born_from = years_before(today, ADULT_AGE) - dt.timedelta(days=1)
    born_until = years_before(last, ADULT_AGE) + dt.timedelta(days=1)
    candidates = (
        Participant.objects.filter(
            Q(birth_date__range=(born_from, born_until))
            | Q(former_prisoner_profile__supervision_end_date__range=(today, last)),
            status=Participant.Status.ACTIVE,
            officer__isnull=False,
        )
        .select_related("former_prisoner_profile")
        .order_by("pk")
    )
    for participant in candidates.iterator(chunk_size=2000):
        block = participant.placement_not_before(on=today)
        if block is None or not today < block[0] <= last:
            continue
        not_before, reason = block
        yield Due(
            obj=participant,
            due_on=not_before,
            recipients=(participant.officer_id,),
            context={"name": participant.full_name, "not_before": not_before, "reason": reason},
            url=reverse("admin:participants_participant_change", args=[participant.pk]),
        )
