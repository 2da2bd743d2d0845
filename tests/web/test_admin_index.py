"""Ministry staff land on the admin: its index links the portal's own pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_index_links_exports_reports_notifications_and_the_api(client, ministry_admin):
    client.force_login(ministry_admin)

    page = client.get(reverse("admin:index")).content.decode()

    for name in [
        "exports:analyst_home",
        "reports:list",
        "notifications:list",
        "imports:index",
        "api:docs",
    ]:
        assert f'href="{reverse(name)}"' in page


def test_an_officer_without_the_import_permission_gets_no_import_link(client, ministry_officer):
    client.force_login(ministry_officer)

    page = client.get(reverse("admin:index")).content.decode()

    assert f'href="{reverse("exports:analyst_home")}"' in page
    assert f'href="{reverse("imports:index")}"' not in page
