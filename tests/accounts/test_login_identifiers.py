"""Logging in with a username, a NIK or a phone number in the same field."""

import pytest

from tests.factories import PASSWORD, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    user = UserFactory(username="peserta-1", role="participant", phone="")
    return ParticipantFactory(user=user, nik="5171011705900001", phone="+6281234500001")


def log_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def logged_in_as(client):
    from django.contrib.auth import get_user

    return get_user(client)


@pytest.mark.parametrize(
    "typed",
    ["5171011705900001", "5171 0117 0590 0001", "5171.0117.0590.0001", " 5171011705900001 "],
)
def test_a_participant_logs_in_with_their_nik_typed_with_or_without_separators(
    client, person, typed
):
    response = log_in(client, typed)

    assert response.status_code == 302
    assert logged_in_as(client) == person.user


@pytest.mark.parametrize(
    "typed", ["081234500001", "+6281234500001", "62-812-3450-0001", "81234500001"]
)
def test_a_participant_logs_in_with_their_phone_number_in_any_usual_form(client, person, typed):
    response = log_in(client, typed)

    assert response.status_code == 302
    assert logged_in_as(client) == person.user


def test_the_username_still_works(client, person):
    log_in(client, "peserta-1")

    assert logged_in_as(client) == person.user


def test_a_wrong_password_with_the_nik_logs_no_one_in(client, person):
    response = log_in(client, "5171011705900001", "wrong-password-1")

    assert response.status_code == 200
    assert not logged_in_as(client).is_authenticated


def test_a_phone_shared_by_two_participants_logs_no_one_in(client, person):
    sibling = UserFactory(username="peserta-2", role="participant", phone="")
    ParticipantFactory(user=sibling, phone="+6281234500001")

    response = log_in(client, "081234500001")

    assert response.status_code == 200
    assert not logged_in_as(client).is_authenticated
    # The NIK still works for each of them.
    log_in(client, "5171011705900001")
    assert logged_in_as(client) == person.user


def test_a_guardians_phone_logs_no_one_in(client, person):
    person.phone_is_guardian = True
    person.save()

    log_in(client, "081234500001")

    assert not logged_in_as(client).is_authenticated


def test_a_staff_account_logs_in_with_its_own_phone_number(client):
    staff = UserFactory(username="officer9", role="ministry_officer", phone="+6281299900009")

    log_in(client, "0812-9990-0009")

    assert logged_in_as(client) == staff


def test_a_nik_without_an_account_logs_no_one_in(client, person):
    ParticipantFactory(nik="5171011705900002", phone="+6281234500002")

    response = log_in(client, "5171011705900002")

    assert response.status_code == 200
    assert not logged_in_as(client).is_authenticated


def test_the_login_page_says_that_participants_may_type_their_nik_or_phone(client):
    client.cookies["django_language"] = "en"

    page = client.get("/login/").content.decode()

    assert "type your NIK (16 digits) or your own phone number" in page
