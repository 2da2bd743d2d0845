"""A partner organisation's lead invites and removes colleagues of the same organisation."""

import pytest
from django.core import mail

from partners.models import Membership
from partners.services import PartnerError, colleague_invite, colleague_remove
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(organisation_a):
    return factories.PartnerStaffFactory(
        username="lead_a", organisation=organisation_a, is_lead=True
    )


def test_the_lead_invites_a_colleague_who_gets_a_link_by_email(lead, organisation_a):
    user, url = colleague_invite(actor=lead, username="rekan_a", email="rekan@example.org")

    assert user.membership.organisation == organisation_a
    assert user.is_partner_staff and not user.is_staff
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1 and url in mail.outbox[0].body


def test_a_colleague_who_is_not_the_lead_cannot_invite(partner_user):
    with pytest.raises(PartnerError):
        colleague_invite(actor=partner_user, username="x", email="x@example.org")


def test_an_invitation_needs_somewhere_to_send_the_link(lead):
    with pytest.raises(PartnerError):
        colleague_invite(actor=lead, username="rekan_b")


def test_the_lead_removes_a_colleague_who_then_belongs_nowhere(lead, partner_user):
    colleague_remove(actor=lead, user=partner_user)

    partner_user.refresh_from_db()
    assert not partner_user.is_active
    assert not Membership.objects.filter(user=partner_user).exists()


def test_the_lead_cannot_remove_staff_of_another_organisation(lead, other_partner_user):
    with pytest.raises(PartnerError):
        colleague_remove(actor=lead, user=other_partner_user)
    other_partner_user.refresh_from_db()
    assert other_partner_user.is_active


def test_the_lead_cannot_remove_themself(lead):
    with pytest.raises(PartnerError):
        colleague_remove(actor=lead, user=lead)
