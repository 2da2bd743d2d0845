"""The browser harness itself: chromium renders the login page, offline and accessible."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_renders_offline_and_accessible(tab):
    tab.goto("/login/")
    assert tab.page.locator("input[name=username]").is_visible()
    assert tab.outside_requests() == []
    assert tab.axe_serious() == []


def test_staff_logs_in_through_the_form(tab):
    factories.UserFactory(username="analis", role="analyst", first_name="Sari")
    tab.login("analis")
    assert tab.page.locator(".site-header .who").inner_text().startswith("Sari")
