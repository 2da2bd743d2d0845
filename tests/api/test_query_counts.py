"""The number of queries of a list does not grow with the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.api.factories import build_side, issue_token
from tests.api.test_scoping import ENDPOINTS

pytestmark = pytest.mark.django_db
ROWS = 8


@pytest.fixture
def many(organisation_a):
    factories.OrganisationFactory.create_batch(ROWS, province_id="51")
    for n in range(ROWS):
        build_side(organisation_a, province_id="51", regency_id="51.71", suffix=str(n))


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def _assert_constant(client, endpoint, django_assert_max_num_queries):
    small, shown = _count(client, f"/api/v1/{endpoint}/?page_size=5")
    assert shown == 5
    with django_assert_max_num_queries(small):
        response = client.get(f"/api/v1/{endpoint}/?page_size=50")
    assert len(response.json()["results"]) >= ROWS


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_ministry_admins_list_costs_the_same_for_5_and_50_rows(
    api, many, ministry_admin, endpoint, django_assert_max_num_queries
):
    _assert_constant(api.as_user(ministry_admin), endpoint, django_assert_max_num_queries)


@pytest.mark.parametrize(
    "endpoint",
    [
        "participants",
        "participations",
        "enrolments",
        "attendance",
        "placements",
        "check-ins",
        "batches",
        "sessions",
    ],
)
def test_a_tokens_list_costs_the_same_for_5_and_50_rows(
    api, many, ministry_admin, organisation_a, endpoint, django_assert_max_num_queries
):
    _, secret = issue_token(organisation=organisation_a, actor=ministry_admin)
    _assert_constant(api.with_token(secret), endpoint, django_assert_max_num_queries)
