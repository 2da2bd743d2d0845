"""/partner/team/: the lead of an organisation invites and removes colleagues."""

import pytest
from django.urls import reverse

from partners.models import Membership
from portal.accounts.models import OneTimeLink, User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(organisation_a):
    return factories.PartnerStaffFactory(
        username="lead_a", organisation=organisation_a, is_lead=True
    )


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    client.cookies["django_language"] = "en"
    return client


def test_anonymous_visitors_are_sent_to_the_login_page(client, partner_user):
    for url in [
        reverse("partner:team"),
        reverse("partner:team_remove", args=[partner_user.pk]),
    ]:
        response = client.get(url) if url.endswith("team/") else client.post(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_colleague_who_is_not_the_lead_gets_403(client, partner_user, lead):
    client.force_login(partner_user)
    assert client.get(reverse("partner:team")).status_code == 403
    assert client.post(reverse("partner:team_remove", args=[lead.pk])).status_code == 403


def test_ministry_staff_looking_as_the_partner_cannot_manage_its_staff(
    client, ministry_admin, organisation_a, lead
):
    client.force_login(ministry_admin)
    response = client.get(reverse("partner:team") + f"?org={organisation_a.slug}")
    assert response.status_code == 403


def test_the_lead_sees_the_organisations_staff_only(lead_client, partner_user, other_partner_user):
    response = lead_client.get(reverse("partner:team"))
    assert response.status_code == 200
    assert "staff_a" in response.text
    assert "staff_b" not in response.text


def test_the_lead_invites_a_colleague_who_gets_a_one_time_link(
    lead_client, organisation_a, lead, mailoutbox
):
    response = lead_client.post(
        reverse("partner:team"),
        {"username": "rekan_baru", "first_name": "Rina", "email": "rina@example.org"},
    )
    assert response.status_code == 200
    user = User.objects.get(username="rekan_baru")
    assert user.is_partner_staff
    assert user.membership.organisation == organisation_a
    assert not user.membership.is_lead
    assert not user.has_usable_password()
    assert OneTimeLink.objects.filter(user=user, used_at__isnull=True).count() == 1
    url = response.context["invited"]["url"]
    assert url in response.text
    assert len(mailoutbox) == 1 and url in mailoutbox[0].body


def test_an_invitation_needs_an_address_and_a_free_username(lead_client, partner_user):
    response = lead_client.post(reverse("partner:team"), {"username": "tanpa_alamat"})
    assert response.status_code == 200
    assert not User.objects.filter(username="tanpa_alamat").exists()
    response = lead_client.post(
        reverse("partner:team"), {"username": "staff_a", "email": "x@example.org"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_the_lead_removes_a_colleague_who_loses_access(lead_client, client, partner_user):
    response = lead_client.post(reverse("partner:team_remove", args=[partner_user.pk]))
    assert response.status_code == 302
    partner_user.refresh_from_db()
    assert not partner_user.is_active
    assert not Membership.objects.filter(user=partner_user).exists()
    page = lead_client.get(reverse("partner:team"))
    assert "staff_a no longer has access" in page.text
    assert [m.user.username for m in page.context["members"]] == ["lead_a"]


def test_the_lead_cannot_remove_another_organisations_staff(lead_client, other_partner_user):
    url = reverse("partner:team_remove", args=[other_partner_user.pk])
    assert lead_client.post(url).status_code == 404
    other_partner_user.refresh_from_db()
    assert other_partner_user.is_active


def test_the_lead_cannot_remove_themself(lead_client, lead):
    response = lead_client.post(reverse("partner:team_remove", args=[lead.pk]), follow=True)
    lead.refresh_from_db()
    assert lead.is_active
    assert "cannot remove themself" in response.text


def test_removal_answers_405_to_get(lead_client, partner_user):
    url = reverse("partner:team_remove", args=[partner_user.pk])
    assert lead_client.get(url).status_code == 405


def test_the_team_page_makes_as_many_queries_for_50_colleagues_as_for_5(
    lead_client, organisation_a, django_assert_max_num_queries
):
    def add(n, start):
        for i in range(start, start + n):
            factories.PartnerStaffFactory(username=f"rekan{i}", organisation=organisation_a)

    add(4, 0)
    with django_assert_max_num_queries(8) as few:
        lead_client.get(reverse("partner:team"))
    add(45, 4)
    with django_assert_max_num_queries(8) as many:
        response = lead_client.get(reverse("partner:team"))
    assert "rekan48" in response.text
    assert len(many.captured_queries) == len(few.captured_queries)
