import pytest
from django.contrib.auth.models import Group

from portal.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_partner_staff_and_participants_hold_no_model_permissions():
    for role in (Role.PARTNER_STAFF, Role.PARTICIPANT):
        assert not Group.objects.get(name=role).permissions.exists()


def test_a_ministry_officer_cannot_delete_or_manage_users(ministry_officer):
    assert ministry_officer.has_perm("partners.view_organisation")
    assert not ministry_officer.has_perm("partners.delete_organisation")
    assert not ministry_officer.has_perm("accounts.add_user")


def test_a_ministry_admin_manages_users_and_organisations(ministry_admin):
    assert ministry_admin.has_perm("accounts.add_user")
    assert ministry_admin.has_perm("partners.delete_organisation")


def test_only_ministry_staff_enter_the_admin(client, ministry_officer, partner_user, analyst_user):
    for user, allowed in ((ministry_officer, True), (partner_user, False), (analyst_user, False)):
        client.force_login(user)
        response = client.get("/admin/")
        assert (response.status_code == 200) is allowed, user.username
