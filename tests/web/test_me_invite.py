"""Inviting a participant to the portal: ministry staff in the admin, partner staff on
/partner/participants/<id>/invite/; the link sets a password, then the NIK logs them in."""

import re

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.urls import reverse

from participants import services
from portal.accounts.models import OneTimeLink
from tests.factories import ParticipantFactory, share_with

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sawah-hijau-2026"


def invite_url(participant):
    return reverse("partner:participant_invite", args=[participant.pk])


@pytest.fixture
def shared(organisation_a):
    person = ParticipantFactory(
        full_name="Nyoman Arta", nik="5171011705900011", phone="+6281277700011", email=""
    )
    share_with(person, organisation_a)
    return person


def link_from(html):
    return re.search(r'value="(http[^"]+/link/[^"]+/)"', html).group(1)


def test_the_service_creates_a_participant_login_once_and_replaces_the_link(
    shared, ministry_officer
):
    user, first, _url = services.participant_account_invite(
        participant=shared, actor=ministry_officer
    )
    again, second, _url2 = services.participant_account_invite(
        participant=shared, actor=ministry_officer
    )

    assert user == again and user.is_participant
    shared.refresh_from_db()
    assert shared.user == user
    first.refresh_from_db()
    assert first.used_at is not None  # the resend replaced it
    assert second.used_at is None


def test_the_service_sends_the_link_by_email_when_asked(shared, ministry_officer):
    shared.email = "nyoman@example.org"
    shared.save()

    services.participant_account_invite(participant=shared, actor=ministry_officer, channel="email")

    assert mail.outbox[0].to == ["nyoman@example.org"]


def test_partner_staff_invite_a_participant_they_see_by_name_and_the_link_works(
    client, partner_user, shared
):
    client.force_login(partner_user)
    assert client.get(invite_url(shared)).status_code == 200

    response = client.post(invite_url(shared))

    assert response.status_code == 200
    url = link_from(response.content.decode())
    assert "<svg" in response.content.decode()  # the QR code
    client.post("/logout/")
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.post(
        "/" + path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    client.post("/logout/")
    client.post("/login/", {"username": "5171011705900011", "password": NEW_PASSWORD})
    assert get_user(client) == OneTimeLink.objects.get(used_at__isnull=False).user
    assert client.get("/").url == "/me/"


def test_partner_staff_get_404_for_a_participant_not_shared_with_them(
    client, partner_user, organisation_a
):
    withheld = ParticipantFactory()
    share_with(withheld, organisation_a, consent=False)  # no consent: not by name
    client.force_login(partner_user)

    assert client.get(invite_url(withheld)).status_code == 404
    assert client.post(invite_url(withheld)).status_code == 404
    withheld.refresh_from_db()
    assert withheld.user is None


def test_another_organisations_staff_get_404(client, other_partner_user, shared):
    client.force_login(other_partner_user)

    assert client.post(invite_url(shared)).status_code == 404


def test_participants_cannot_use_the_partner_invite_page(client, participant_account, shared):
    client.force_login(participant_account)

    assert client.post(invite_url(shared)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, shared):
    assert client.get(invite_url(shared)).url.startswith("/login/")


def test_the_admin_action_creates_the_login_and_shows_the_link_page(client, ministry_admin, shared):
    client.force_login(ministry_admin)

    response = client.post(
        reverse("admin:participants_participant_changelist"),
        {"action": "invite_to_portal", "_selected_action": [shared.pk]},
    )

    assert response.status_code == 200
    assert "/link/" in link_from(response.content.decode())
    shared.refresh_from_db()
    assert shared.user is not None and shared.user.is_participant
