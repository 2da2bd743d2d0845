"""The breach register's actions and the data-protection report on one person.

breach = breach_record(breach=Breach(...), participants=[...], actor=admin)
breach_notice_save(breach=breach, subject=..., body=..., actor=admin)
breach_mark_notified(breach=breach, whom="people", actor=admin)
report = person_report(participant=p, user=officer)
"""

import re

from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from participants.models import Participant
from placements.models import Referral
from portal.accounts.models import Role, User
from portal.audit.masking import mask_nik
from portal.audit.services import Event, audit_event, readers_of
from portal.exports.services import exports_including

from .models import CATEGORY_NOTICE_ID, Breach

JAKARTA = "Asia/Jakarta"
NOTICE_TEMPLATE = "privacy/breach_notice.txt"
WHOM = {"people": "people_notified_at", "authority": "authority_notified_at"}
ACCESS_SHOWN = 200
SEARCH_SHOWN = 50
NIK_SEPARATORS = re.compile(r"[\s.\-\u00a0]")
EVENT_LABELS = {
    Event.VIEW_RESTRICTED: _("Restricted data shown"),
    Event.DOWNLOAD: _("Document downloaded"),
}


class AlreadyNotified(Exception):
    """The notification was recorded as sent before; the first time stands."""


def ministry_admin_ids():
    """The active ministry admins (and superusers): who keeps the register and is reminded."""
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=Role.MINISTRY_ADMIN) | Q(is_superuser=True))
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def breach_notice_draft(*, breach):
    """(subject, body): the notice to the people affected, in Indonesian, from the record.

    Times are shown in Asia/Jakarta (WIB) whatever the reader's language or zone.
    """
    context = {
        "breach": breach,
        "suspected": breach.status == Breach.Status.SUSPECTED,
        "categories": [
            CATEGORY_NOTICE_ID[code]
            for code in breach.data_categories
            if code in CATEGORY_NOTICE_ID
        ],
        "people_count": breach.people_count,
    }
    with translation.override("id"), timezone.override(JAKARTA):
        text = render_to_string(NOTICE_TEMPLATE, context)
    subject, _newline, body = text.strip().partition("\n")
    return subject.strip()[:300], body.strip() + "\n"


@transaction.atomic
def breach_record(*, breach, participants=(), actor):
    """Save a new breach (built by the admin form) with the people affected, and draft its
    notice unless one was written already."""
    breach.recorded_by = actor if getattr(actor, "pk", None) else None
    breach.save()
    if participants:
        breach.participants.set(participants)
    if not breach.notice_body:
        breach.notice_subject, breach.notice_body = breach_notice_draft(breach=breach)
        Breach.objects.filter(pk=breach.pk).update(
            notice_subject=breach.notice_subject, notice_body=breach.notice_body
        )
    audit_event(
        actor=actor, obj=breach, event="breach_recorded", data={"deadline": str(breach.deadline)}
    )
    return breach


@transaction.atomic
def breach_notice_redraft(*, breach, actor):
    """Replace the notice with a fresh draft from the record as it stands now."""
    subject, body = breach_notice_draft(breach=breach)
    Breach.objects.filter(pk=breach.pk).update(notice_subject=subject, notice_body=body)
    breach.notice_subject, breach.notice_body = subject, body
    audit_event(actor=actor, obj=breach, event="breach_notice_redrafted")
    return breach


@transaction.atomic
def breach_mark_notified(*, breach, whom, actor, at=None):
    """Record when the people affected ("people") or the authority ("authority") were sent the
    notice. A conditional UPDATE: the first recorded time stands (AlreadyNotified after)."""
    field = WHOM[whom]
    at = at or timezone.now()
    done = Breach.objects.filter(pk=breach.pk, **{f"{field}__isnull": True}).update(
        **{field: at, "updated_at": timezone.now()}
    )
    if not done:
        raise AlreadyNotified(whom)
    setattr(breach, field, at)
    audit_event(
        actor=actor,
        obj=breach,
        event="breach_notified",
        data={"whom": whom, "at": at.isoformat(), "on_time": at <= breach.deadline},
    )
    return breach


# -- the data-protection page --------------------------------------------------------------


def may_see_report(user):
    """Ministry staff (admins, and officers within their provinces by the participant scope)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.is_ministry_staff
    )


def people_search(*, user, query):
    """Participants `user` may see matching a NIK (exact, with or without separators) or part
    of a name; at most SEARCH_SHOWN, by name."""
    query = (query or "").strip()
    if not query:
        return Participant.objects.none()
    people = Participant.objects.visible_to(user).select_related("province")
    digits = NIK_SEPARATORS.sub("", query)
    if digits.isascii() and digits.isdigit():
        people = people.filter(nik=digits) if len(digits) == 16 else people.none()
    else:
        people = people.filter(full_name__icontains=query)
    return people.order_by("full_name", "pk")[:SEARCH_SHOWN]


def nik_shown(*, user, participant):
    return participant.nik if user.has_perm("participants.view_nik") else mask_nik(participant.nik)


def person_report(*, participant, user):
    """What the data-protection page shows about one person: every recorded read of their
    restricted data or download of their files (newest ACCESS_SHOWN), their consents given and
    withdrawn, the exports and exchanges that contained them, and the referrals of their cases
    (when `user` may see cases). A fixed number of indexed queries, whatever the counts."""
    access = list(readers_of(participant).order_by("-timestamp", "-pk")[: ACCESS_SHOWN + 1])
    return {
        "access": [_access_row(entry) for entry in access[:ACCESS_SHOWN]],
        "access_truncated": len(access) > ACCESS_SHOWN,
        "consents": list(
            participant.consents.select_related("recorded_by").order_by("-given_at", "-pk")
        ),
        "exports": list(exports_including(participant)),
        "referrals": list(
            Referral.objects.visible_to(user)
            .filter(case__participant=participant)
            .select_related("to_organisation", "consent", "referred_by")
            .order_by("-referred_at", "-pk")
        ),
    }


def _access_row(entry):
    data = entry.additional_data or {}
    details = ""
    if data.get("fields"):
        details = ", ".join(data["fields"])
    elif data.get("kind"):
        details = data["kind"]
    return {
        "at": entry.timestamp,
        "actor": entry.actor,
        "actor_email": entry.actor_email or "",
        "event": EVENT_LABELS.get(data.get("event"), data.get("event", "")),
        "details": details,
        "remote_addr": entry.remote_addr or "",
    }
