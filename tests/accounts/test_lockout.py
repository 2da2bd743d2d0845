"""Failed logins are limited per account and per address (django-axes)."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-7"


@pytest.fixture
def person():
    user = UserFactory(username="peserta-1", role="participant", phone="")
    return ParticipantFactory(user=user, nik="5171011705900001", phone="+6281234500001")


def log_in(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def english_client():
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_the_sixth_attempt_after_five_failures_is_refused_with_the_time_to_wait(person):
    client = english_client()
    for _ in range(4):
        assert log_in(client, "peserta-1", WRONG).status_code == 200

    response = log_in(client, "peserta-1", WRONG)

    assert response.status_code == 429
    assert "Too many failed attempts. Wait 15 minutes, then try again." in response.content.decode()


def test_a_locked_account_refuses_even_the_right_password(person):
    client = english_client()
    for _ in range(5):
        log_in(client, "peserta-1", WRONG)

    response = log_in(client, "peserta-1", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_nik_the_phone_and_the_username_count_against_the_same_account(person):
    client = english_client()
    log_in(client, "peserta-1", WRONG, address="10.0.0.1")
    log_in(client, "5171011705900001", WRONG, address="10.0.0.2")
    log_in(client, "081234500001", WRONG, address="10.0.0.3")
    log_in(client, "+6281234500001", WRONG, address="10.0.0.4")
    log_in(client, "5171 0117 0590 0001", WRONG, address="10.0.0.5")

    response = log_in(client, "peserta-1", PASSWORD, address="10.0.0.6")

    assert response.status_code == 429


def test_one_address_trying_many_accounts_is_locked_out(db):
    for n in range(6):
        UserFactory(username=f"someone{n}", role="participant")
    client = english_client()
    for n in range(5):
        log_in(client, f"someone{n}", WRONG, address="10.9.9.9")

    response = log_in(client, "someone5", PASSWORD, address="10.9.9.9")

    assert response.status_code == 429


def test_a_successful_login_resets_the_count(person):
    client = english_client()
    for _ in range(4):
        log_in(client, "peserta-1", WRONG)
    assert log_in(client, "peserta-1", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        log_in(client, "peserta-1", WRONG)

    assert log_in(client, "peserta-1", PASSWORD).status_code == 302


def test_the_lockout_message_is_in_indonesian_by_default(person):
    client = Client()
    for _ in range(5):
        log_in(client, "peserta-1", WRONG)

    response = log_in(client, "peserta-1", WRONG)

    assert response.status_code == 429
    assert 'lang="id"' in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_other_accounts_from_other_addresses_are_not_affected(person):
    UserFactory(username="officer9", role="ministry_officer")
    client = english_client()
    for _ in range(5):
        log_in(client, "peserta-1", WRONG, address="10.0.0.1")

    assert log_in(english_client(), "officer9", PASSWORD, address="10.0.0.2").status_code == 302
