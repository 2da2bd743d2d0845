import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _api_urls(settings):
    settings.ROOT_URLCONF = "tests.api.urls"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(fresh_cache):
    """Rate-limit counters live in the cache: each test starts at zero."""


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` logs in by session, `api.with_token(secret)`."""
    client = APIClient()

    def as_user(user):
        client.credentials()  # no token left over from `with_token`
        client.force_login(user)
        return client

    def with_token(secret):
        client.logout()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    client.as_user = as_user
    client.with_token = with_token
    return client


@pytest.fixture
def personas(
    ministry_admin,
    ministry_officer,
    analyst_user,
    partner_user,
    other_partner_user,
    participant_account,
):
    """The six personas; the officer is limited to Bali (51)."""
    ministry_officer.provinces.add("51")
    return {
        "ministry_admin": ministry_admin,
        "officer_bali": ministry_officer,
        "analyst": analyst_user,
        "partner_a": partner_user,
        "partner_b": other_partner_user,
        "participant": participant_account,
    }
