"""Each endpoint shows each persona exactly the rows its `visible_to` allows; an object outside
them is a 404 (never a 403), and endpoints closed to a persona are a 403."""

import pytest

from tests.api.factories import build_side

ENDPOINTS = [
    "participants",
    "organisations",
    "agreements",
    "programmes",
    "participations",
    "tracks",
    "batches",
    "sessions",
    "enrolments",
    "attendance",
    "assessments",
    "certificates",
    "job-orders",
    "placements",
    "check-ins",
    "cases",
]
REFERENCE = {"organisations", "programmes", "tracks"}
# Who sees what of side A (organisation A, person in Bali who owns the participant account)
# and side B (organisation B, person in Jakarta): "AB", "A", "B", or 403 for a closed endpoint.
OFFICER_BALI = dict.fromkeys(ENDPOINTS, "A") | dict.fromkeys(
    REFERENCE | {"agreements", "batches", "sessions", "job-orders"}, "AB"
)
EXPECTED = {
    "ministry_admin": dict.fromkeys(ENDPOINTS, "AB"),
    "officer_bali": OFFICER_BALI,
    "analyst": dict.fromkeys(ENDPOINTS, "AB") | {"cases": 403},
    "partner_a": {e: "AB" if e in REFERENCE else "A" for e in ENDPOINTS} | {"cases": 403},
    "partner_b": {e: "AB" if e in REFERENCE else "B" for e in ENDPOINTS} | {"cases": 403},
    "participant": dict.fromkeys(ENDPOINTS, "A")
    | dict.fromkeys(REFERENCE | {"agreements", "job-orders", "cases"}, 403),
}


@pytest.fixture
def world(organisation_a, organisation_b, participant_account):
    return {
        "A": build_side(
            organisation_a,
            province_id="51",
            regency_id="51.71",
            suffix="A",
            user=participant_account,
        ),
        "B": build_side(organisation_b, province_id="31", regency_id="31.71", suffix="B"),
    }


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_persona_sees_only_its_rows_of_each_endpoint(api, world, personas, persona, endpoint):
    expected = EXPECTED[persona][endpoint]
    client = api.as_user(personas[persona])
    response = client.get(f"/api/v1/{endpoint}/?page_size=500")
    if expected == 403:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        return
    assert response.status_code == 200
    seen = _ids(response)
    for side in "AB":
        obj = world[side][endpoint]
        detail = client.get(f"/api/v1/{endpoint}/{obj.pk}/")
        if side in expected:
            assert obj.pk in seen
            assert detail.status_code == 200
            assert detail.json()["id"] == obj.pk
        else:
            assert obj.pk not in seen
            assert detail.status_code == 404
            assert detail.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_an_anonymous_request_is_a_401_with_the_error_shape(api):
    response = api.get("/api/v1/participants/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"
    assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.django_db
def test_a_person_without_partner_sharing_consent_is_left_out_for_the_provider(
    api, organisation_a, partner_user
):
    from tests import factories

    consenting_person = factories.ParticipantFactory()
    participation = factories.share_with(consenting_person, organisation_a)
    batch = factories.BatchFactory(provider=organisation_a, programme=participation.programme)
    consenting = factories.EnrolmentFactory(batch=batch, participant=consenting_person)
    silent = factories.EnrolmentFactory(batch=batch)
    response = api.as_user(partner_user).get("/api/v1/enrolments/")
    assert _ids(response) == {consenting.pk}
    assert api.get(f"/api/v1/enrolments/{silent.pk}/").status_code == 404
