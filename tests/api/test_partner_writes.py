"""Partners' systems register and update people through the API: a read-write token (or
partner staff) of an organisation registers a person into one of its programmes with the
consent it collected, so that its staff see them; updates only people it sees; a known NIK
never makes a second person. Writes are recorded under the token's service user."""

import datetime as dt

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.utils import timezone, translation

from participants.models import Consent, Participant, Participation, PendingChange
from portal.api.models import ApiToken
from portal.api.services import token_rotate
from tests import factories
from tests.api.factories import issue_token, shared_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(api):
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def programme_a(organisation_a):
    """A programme under an active agreement with organisation A (and one person in it)."""
    return shared_person(organisation_a)[1].programme


@pytest.fixture
def token_a(ministry_admin, organisation_a, programme_a):
    """(token, secret): read-write, organisation A, limited to `programme_a`."""
    return issue_token(
        organisation=organisation_a,
        actor=ministry_admin,
        scope="read_write",
        programmes=[programme_a],
    )


def body(**values):
    return {
        "nik": factories.make_nik(birth=dt.date(1996, 2, 3)),
        "full_name": "rahmat  hidayat",
        "phone": "0812-3456-7890",
        "consent_given_by": "participant",
        **values,
    }


def ids(client, path="/api/v1/participants/"):
    return {row["id"] for row in client.get(f"{path}?page_size=500").json()["results"]}


def test_a_partner_token_registers_a_person_its_staff_then_see(
    api, token_a, programme_a, organisation_a, partner_user, other_partner_user
):
    token, secret = token_a
    response = api.with_token(secret).post("/api/v1/participants/", body(), format="json")
    assert response.status_code == 201, response.content
    person = Participant.objects.get(pk=response.json()["id"])
    assert person.full_name == "Rahmat Hidayat"  # normalised as the importer does
    assert person.phone == "+6281234567890"
    participation = Participation.objects.get(participant=person)
    assert participation.programme == programme_a
    assert list(participation.responsible_organisations.all()) == [organisation_a]
    consent = Consent.objects.get(participant=person)
    assert (consent.purpose, consent.recorded_by) == ("partner_sharing", token.service_user)
    assert participation.decided_by == token.service_user
    assert person.pk in ids(api.with_token(secret))
    assert person.pk in ids(api.as_user(partner_user))
    assert person.pk not in ids(api.as_user(other_partner_user))


def test_a_known_nik_of_someone_the_partner_does_not_see_is_refused_and_stays_hidden(
    api, token_a, organisation_b
):
    """Knowing a NIK and claiming a consent does not open another organisation's person."""
    _token, secret = token_a
    known, _ = shared_person(organisation_b, full_name="Siti Aminah", address="")
    response = api.with_token(secret).post(
        "/api/v1/participants/",
        body(nik=known.nik, full_name="Siti Rahma", address="Jl. Kenanga 3"),
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "already registered" in response.json()["error"]["message"]
    assert "Siti" not in response.content.decode()
    assert Participant.objects.filter(nik=known.nik).count() == 1
    known.refresh_from_db()
    assert (known.full_name, known.address) == ("Siti Aminah", "")
    assert not PendingChange.objects.filter(participant=known).exists()
    assert Consent.objects.filter(participant=known).count() == 1  # the standing one
    assert known.pk not in ids(api.with_token(secret))


def test_a_known_nik_of_the_partners_own_person_makes_no_second_person(api, token_a, programme_a):
    _token, secret = token_a
    known = Participation.objects.get(programme=programme_a).participant
    response = api.with_token(secret).post(
        "/api/v1/participants/",
        body(nik=known.nik, full_name="Nama Lain", programme=programme_a.pk),
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() | {"pending_changes": []} == {
        "id": known.pk,
        "created": False,
        "filled": response.json()["filled"],
        "pending_changes": [],
    }
    assert "full_name" in response.json()["pending_changes"]
    assert Participant.objects.filter(nik=known.nik).count() == 1
    assert PendingChange.objects.get(participant=known, field="full_name").proposed_value


def test_a_read_only_token_cannot_register_or_update(
    api, ministry_admin, organisation_a, programme_a
):
    person = Participation.objects.get(programme=programme_a).participant
    _token, secret = issue_token(organisation=organisation_a, actor=ministry_admin)
    client = api.with_token(secret)
    response = client.post("/api/v1/participants/", body(programme=programme_a.pk), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    response = client.patch(f"/api/v1/participants/{person.pk}/", {"address": "x"}, format="json")
    assert response.status_code == 403
    assert Participant.objects.count() == 1


def test_a_programme_without_the_organisations_agreement_is_refused(
    api, ministry_admin, organisation_a, organisation_b
):
    programme_b = shared_person(organisation_b)[1].programme
    _token, secret = issue_token(
        organisation=organisation_a, actor=ministry_admin, scope="read_write"
    )
    response = api.with_token(secret).post(
        "/api/v1/participants/", body(programme=programme_b.pk), format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "refused"
    assert "not party to an active agreement" in response.json()["error"]["message"]
    assert Participant.objects.count() == 1


def test_a_programme_must_be_named_and_within_the_tokens(
    api, ministry_admin, organisation_a, programme_a, token_a
):
    _token, unlimited = issue_token(
        organisation=organisation_a, actor=ministry_admin, scope="read_write"
    )
    response = api.with_token(unlimited).post("/api/v1/participants/", body(), format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["programme"]
    other = factories.ProgrammeFactory()
    response = api.with_token(token_a[1]).post(
        "/api/v1/participants/", body(programme=other.pk), format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["programme"] == [
        "This token is not for this programme."
    ]


def test_consent_is_required_and_a_minors_is_a_guardians(api, token_a):
    _token, secret = token_a
    client = api.with_token(secret)
    response = client.post("/api/v1/participants/", body(consent_given_by=None) | {}, format="json")
    assert response.status_code == 400
    without = body()
    del without["consent_given_by"]
    response = client.post("/api/v1/participants/", without, format="json")
    assert list(response.json()["error"]["fields"]) == ["consent_given_by"]
    birth = timezone.localdate() - dt.timedelta(days=15 * 365)
    minor = body(nik=factories.make_nik(birth=birth), birth_date=birth.isoformat())
    response = client.post("/api/v1/participants/", minor, format="json")
    assert response.status_code == 400
    assert "guardian" in response.json()["error"]["message"]
    assert not Participant.objects.filter(nik=minor["nik"]).exists()  # all or nothing
    minor |= {"consent_given_by": "guardian", "guardian_name": "Ibu Sari"}
    assert client.post("/api/v1/participants/", minor, format="json").status_code == 201


def test_ministry_fields_stay_ministry_only(api, token_a, programme_a, ministry_admin):
    _token, secret = token_a
    person = Participation.objects.get(programme=programme_a).participant
    client = api.with_token(secret)
    response = client.post("/api/v1/participants/", body(siskop2mi_id="S-1"), format="json")
    assert list(response.json()["error"]["fields"]) == ["siskop2mi_id"]
    for field, value in (("siskop2mi_id", "S-1"), ("restricted_notes", "x")):
        response = client.patch(f"/api/v1/participants/{person.pk}/", {field: value}, format="json")
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == [field]
    response = api.as_user(ministry_admin).post(
        "/api/v1/participants/", body(programme=programme_a.pk), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"programme", "consent_given_by"}


def test_a_partner_updates_only_people_it_sees(api, token_a, programme_a, organisation_b):
    token, secret = token_a
    mine = Participation.objects.get(programme=programme_a).participant
    theirs, _ = shared_person(organisation_b)
    client = api.with_token(secret)
    response = client.patch(
        f"/api/v1/participants/{mine.pk}/", {"address": "Jl. Melati 5"}, format="json"
    )
    assert response.status_code == 200, response.content
    mine.refresh_from_db()
    assert mine.address == "Jl. Melati 5"
    response = client.patch(
        f"/api/v1/participants/{theirs.pk}/", {"address": "Jl. Melati 5"}, format="json"
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.address != "Jl. Melati 5"


def test_partner_staff_register_through_the_session_too(api, partner_user, programme_a):
    response = api.as_user(partner_user).post(
        "/api/v1/participants/", body(programme=programme_a.pk), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["id"] in ids(api.as_user(partner_user))


# --- service users -----------------------------------------------------------------------


def test_a_token_has_a_service_user_that_cannot_log_in(api, token_a, organisation_a):
    token, _secret = token_a
    user = token.service_user
    assert user.is_active and user.is_partner_staff
    assert user.membership.organisation == organisation_a
    assert not user.has_usable_password()
    request = RequestFactory().post("/accounts/login/")
    for password in ("", "!", factories.PASSWORD):
        assert authenticate(request, username=user.username, password=password) is None


def test_rotation_keeps_the_service_user(token_a, ministry_admin):
    token, _secret = token_a
    new, _secret = token_rotate(token=token, actor=ministry_admin)
    assert new.service_user == token.service_user


def test_the_data_migration_gives_existing_tokens_a_service_user(
    token_a, ministry_admin, organisation_a
):
    import importlib

    migration = importlib.import_module("portal.api.migrations.0003_service_users_for_tokens")
    token, _secret = token_a
    new, _secret = token_rotate(token=token, actor=ministry_admin)
    ApiToken.objects.update(service_user=None)
    migration.forwards(django_apps, None)
    token.refresh_from_db()
    new.refresh_from_db()
    assert token.service_user == new.service_user
    assert new.service_user.is_partner_staff
    assert new.service_user.membership.organisation == organisation_a
    assert not new.service_user.has_usable_password()
