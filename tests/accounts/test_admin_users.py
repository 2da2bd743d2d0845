import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from partners.models import Membership
from portal.accounts.models import OneTimeLink, User, hash_token
from tests import factories
from tests.accounts.test_senders import RecordingSmsSender

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")
SEND_LINK = reverse("admin:accounts_user_send_link")


@pytest.fixture(autouse=True)
def english(settings):
    """Assert on the English texts, whatever translations exist."""
    settings.LANGUAGE_CODE = "en"
    settings.PORTAL_SMS_SENDER = "tests.accounts.test_senders.RecordingSmsSender"
    RecordingSmsSender.sent = []
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(client, ministry_admin):
    client.force_login(ministry_admin)
    return client


def link_path(user):
    return reverse("admin:accounts_user_link", args=[user.pk])


def urls_in(html):
    return re.findall(r"https?://[^\s\"<]+/link/[^/\s\"<]+/", html)


# The user list and forms


def test_ministry_admins_see_users_with_roles_and_organisation(admin_client, partner_user):
    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "staff_a" in html
    assert "Partner staff" in html
    assert "PT Mitra A" in html


def test_ministry_officers_cannot_manage_users(client, ministry_officer, partner_user):
    client.force_login(ministry_officer)

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(link_path(partner_user)).status_code == 403


def test_partner_staff_and_anonymous_visitors_are_kept_out(client, partner_user):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    client.force_login(partner_user)
    assert client.get(CHANGELIST, follow=True).status_code == 403


def test_the_user_list_takes_the_same_queries_for_five_or_ten_users(admin_client):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(CHANGELIST).status_code == 200
        return len(queries)

    for n in range(5):
        factories.PartnerStaffFactory(username=f"p{n}")
    five = count()
    for n in range(5, 10):
        factories.PartnerStaffFactory(username=f"p{n}")
    assert count() == five


def test_the_user_list_filters_by_role_and_searches(admin_client, partner_user, analyst_user):
    group = Group.objects.get(name="analyst")

    html = admin_client.get(CHANGELIST, {"groups__id__exact": group.pk}).content.decode()
    assert "analyst1" in html and "staff_a" not in html
    html = admin_client.get(CHANGELIST, {"q": "staff_a"}).content.decode()
    assert "staff_a" in html and "analyst1" not in html


def test_a_ministry_admin_does_not_see_superusers(admin_client):
    root = factories.UserFactory(username="root", role="ministry_admin", is_superuser=True)

    html = admin_client.get(CHANGELIST).content.decode()
    assert reverse("admin:accounts_user_change", args=[root.pk]) not in html


def test_adding_a_user_gives_the_role_and_no_password(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "officer_bali",
            "role": "ministry_officer",
            "first_name": "Made",
            "last_name": "",
            "email": "made@example.go.id",
            "phone": "+62361123456",
        },
    )

    user = User.objects.get(username="officer_bali")
    assert response.status_code == 302
    assert response.url == reverse("admin:accounts_user_change", args=[user.pk])
    assert user.role_codes == {"ministry_officer"}
    assert user.is_staff
    assert not user.has_usable_password()


def test_the_change_page_offers_the_link_and_the_membership(admin_client, partner_user):
    response = admin_client.get(reverse("admin:accounts_user_change", args=[partner_user.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert link_path(partner_user) in html
    assert 'name="membership-0-organisation"' in html
    assert 'name="phone"' in html
    assert 'name="provinces"' in html


# Links from the admin


def test_the_send_action_emails_or_texts_each_user_and_reports_each_failure(admin_client):
    by_email = factories.UserFactory(username="a_email", role="participant")
    by_sms = factories.UserFactory(
        username="b_sms", role="participant", email="", phone="+6281234567890"
    )
    nowhere = factories.UserFactory(username="c_none", role="participant", email="", phone="")

    response = admin_client.post(
        CHANGELIST,
        {
            "action": "send_invitation_link",
            "_selected_action": [by_email.pk, by_sms.pk, nowhere.pk],
        },
        follow=True,
    )

    html = response.content.decode()
    assert "C_none has no email address or phone number" in html
    assert "Sent a link to 2 users" in html
    assert [m.to for m in mail.outbox] == [[by_email.email]]
    assert "Undangan" in mail.outbox[0].subject
    assert [to for to, _ in RecordingSmsSender.sent] == ["+6281234567890"]
    assert not OneTimeLink.objects.filter(user=nowhere).exists()
    assert OneTimeLink.objects.filter(used_at__isnull=True).count() == 2


def test_the_show_action_shows_each_link_once_with_a_qr_code(admin_client, partner_user):
    other = factories.UserFactory(username="peserta_b", role="participant")

    response = admin_client.post(
        CHANGELIST,
        {"action": "show_invitation_link", "_selected_action": [partner_user.pk, other.pk]},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="segno"') == 2
    urls = urls_in(html)
    assert len(set(urls)) == 2
    tokens = {url.rstrip("/").rsplit("/", 1)[1] for url in urls}
    assert set(OneTimeLink.objects.values_list("token_hash", flat=True)) == {
        hash_token(t) for t in tokens
    }
    assert 'media="print"' in html
    assert "no-cache" in response["Cache-Control"]


def test_the_link_page_asks_before_creating_a_link(admin_client, partner_user):
    response = admin_client.get(link_path(partner_user))

    assert response.status_code == 200
    assert "Create link" in response.content.decode()
    assert not OneTimeLink.objects.exists()


def test_the_link_page_creates_a_link_shown_as_text_and_qr_code(
    admin_client, partner_user, ministry_admin
):
    response = admin_client.post(link_path(partner_user))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="segno"' in html
    assert "<script" not in html.split('id="content-main"', 1)[1]
    (url,) = set(urls_in(html))
    assert f'value="{url}"' in html
    link = OneTimeLink.objects.get()
    assert link.user == partner_user
    assert link.created_by == ministry_admin
    assert link.purpose == "invite"
    assert "Send by email to staff_a@example.org" in html
    assert "Send by SMS" not in html


def test_a_shown_link_can_then_be_sent_by_email(admin_client, partner_user):
    html = admin_client.post(link_path(partner_user)).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)

    response = admin_client.post(SEND_LINK, {"token": token, "channel": "email"})

    assert response.status_code == 200
    assert "Sent the link to staff_a by Email" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["staff_a@example.org"]
    assert f"/link/{token}/" in message.body


def test_sending_a_link_without_a_phone_by_sms_reports_the_failure(admin_client, partner_user):
    html = admin_client.post(link_path(partner_user)).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)

    response = admin_client.post(SEND_LINK, {"token": token, "channel": "sms"})

    assert "Staff_a has no phone number" in response.content.decode()
    assert RecordingSmsSender.sent == []


def test_the_send_view_refuses_an_unknown_token_and_a_get(admin_client):
    response = admin_client.post(SEND_LINK, {"token": "guess", "channel": "email"}, follow=True)

    assert "This link is not valid" in response.content.decode()
    assert mail.outbox == []
    assert admin_client.get(SEND_LINK).status_code == 405


def test_a_ministry_admin_cannot_create_a_link_for_a_superuser(admin_client):
    root = factories.UserFactory(username="root", role="ministry_admin", is_superuser=True)

    assert admin_client.post(link_path(root)).status_code == 404
    assert not OneTimeLink.objects.exists()


# Organisations and memberships


def test_organisations_are_listed_searched_and_filtered(admin_client, organisation_a):
    factories.OrganisationFactory(name="LPK Sejahtera", slug="lpk", kind="training_provider")
    url = reverse("admin:partners_organisation_changelist")

    html = admin_client.get(url, {"q": "mitra"}).content.decode()
    assert "PT Mitra A" in html and "LPK Sejahtera" not in html
    html = admin_client.get(url, {"kind__exact": "training_provider"}).content.decode()
    assert "LPK Sejahtera" in html and "PT Mitra A" not in html
    assert admin_client.get(reverse("admin:partners_organisation_add")).status_code == 200


def test_the_organisation_page_lists_its_staff(admin_client, partner_user, organisation_a):
    url = reverse("admin:partners_organisation_change", args=[organisation_a.pk])

    html = admin_client.get(url).content.decode()

    assert "staff_a" in html


def test_memberships_are_listed(admin_client, partner_user, other_partner_user):
    response = admin_client.get(reverse("admin:partners_membership_changelist"))

    html = response.content.decode()
    assert "staff_a" in html and "staff_b" in html
    assert Membership.objects.count() == 2
