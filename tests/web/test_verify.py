"""/verify/<code>/: public certificate verification, initials only, rate limited."""

import datetime as dt

import pytest

from tests.factories import EnrolmentFactory, ParticipantFactory, TrackFactory
from training.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit(fresh_cache):
    """The verification limit counts in the cache: each test starts at zero."""


@pytest.fixture
def certificate():
    person = ParticipantFactory(full_name="Made Wirawan Putra", phone="+6281200000077")
    enrolment = EnrolmentFactory(
        participant=person, batch__track=TrackFactory(name="Las SMAW 3G"), status="completed"
    )
    return Certificate.objects.create(
        enrolment=enrolment,
        number="LAS-2026-001",
        issuer="LSP Las Bali",
        issued_on=dt.date(2026, 10, 1),
        expires_on=dt.date(2099, 10, 1),
    )


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_anyone_sees_initials_track_issuer_and_validity(client, certificate):
    page = english(client).get(f"/verify/{certificate.verification_code}/").content.decode()

    assert "M. W. P." in page
    assert "Las SMAW 3G" in page
    assert "LSP Las Bali" in page
    assert "genuine and valid" in page
    assert "1 October 2099" in page


def test_it_shows_nothing_more_about_the_holder(client, certificate):
    person = certificate.enrolment.participant

    page = english(client).get(f"/verify/{certificate.verification_code}/").content.decode()

    for secret in (person.full_name, "Wirawan", person.nik, person.phone, "LAS-2026-001"):
        assert secret not in page


def test_an_expired_certificate_is_shown_as_no_longer_valid(client, certificate):
    certificate.expires_on = dt.date(2026, 10, 2)
    certificate.save()

    page = english(client).get(f"/verify/{certificate.verification_code}/").content.decode()

    assert "no longer valid" in page


def test_an_unknown_code_answers_404(client, certificate):
    assert client.get("/verify/not-a-real-code/").status_code == 404


def test_guessing_many_codes_is_refused_with_429_and_a_clear_page(client, certificate):
    english(client)
    statuses = [client.get(f"/verify/guess-{n}/").status_code for n in range(20)]
    assert set(statuses) == {404}

    response = client.get(f"/verify/{certificate.verification_code}/")

    assert response.status_code == 429
    assert "Too many certificates were checked" in response.content.decode()


def test_the_limit_is_per_address(client, certificate):
    for n in range(20):
        client.get(f"/verify/guess-{n}/", REMOTE_ADDR="10.1.1.1")

    response = client.get(f"/verify/{certificate.verification_code}/", REMOTE_ADDR="10.1.1.2")

    assert response.status_code == 200


def test_the_page_costs_a_fixed_number_of_queries(client, certificate, django_assert_num_queries):
    with django_assert_num_queries(1):  # the certificate with its holder and track
        client.get(f"/verify/{certificate.verification_code}/")
