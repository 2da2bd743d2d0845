"""Partner organisations' own staff management: the lead invites and removes colleagues."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import OneTimeLink, Role
from portal.accounts.senders import Channel
from portal.accounts.services import link_issue, link_send, user_create
from portal.audit.services import audit_event

from .models import Membership


class PartnerError(Exception):
    """A refused staff change, with the reason to show."""


def _lead_membership(actor):
    membership = getattr(actor, "membership", None)
    if membership is None or not membership.is_lead or not actor.is_partner_staff:
        raise PartnerError(_("Only the lead of an organisation can manage its staff."))
    return membership


@transaction.atomic
def colleague_invite(*, actor, username, email="", phone="", first_name="", last_name=""):
    """The lead creates a staff account in their own organisation and sends it a one-time link.

    Returns (user, link_url); the link is also sent by email, or by SMS when there is no email.
    """
    lead = _lead_membership(actor)
    if not email and not phone:
        raise PartnerError(_("Give an email address or a phone number to send the link to."))
    user = user_create(
        username=username,
        role=Role.PARTNER_STAFF,
        email=email,
        phone=phone,
        first_name=first_name,
        last_name=last_name,
    )
    Membership.objects.create(user=user, organisation=lead.organisation)
    audit_event(
        actor=actor,
        obj=lead.organisation,
        event="colleague_invited",
        data={"user": user.pk, "username": user.username},
    )
    _link, url = link_issue(user=user, purpose=OneTimeLink.Purpose.INVITE, actor=actor)
    link_send(link_url=url, user=user, channel=Channel.EMAIL if email else Channel.SMS, actor=actor)
    return user, url


@transaction.atomic
def colleague_remove(*, actor, user):
    """The lead removes a colleague of the same organisation: the account is deactivated and
    leaves the organisation, so it sees nothing from then on."""
    lead = _lead_membership(actor)
    membership = Membership.objects.select_for_update().filter(user=user).first()
    if membership is None or membership.organisation_id != lead.organisation_id:
        raise PartnerError(_("This person is not on your organisation's staff."))
    if user.pk == actor.pk:
        raise PartnerError(_("The lead cannot remove themself; ask the ministry."))
    membership.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_event(
        actor=actor,
        obj=lead.organisation,
        event="colleague_removed",
        data={"user": user.pk, "username": user.username},
    )
    return user
