"""A NUL character in the address is refused with a 400, never a server error."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_search_with_a_nul_character_is_a_400(client, ministry_admin):
    client.force_login(ministry_admin)

    response = client.get("/privacy/", {"q": "Sari\x00"})

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_the_api_answers_a_nul_character_in_its_one_error_shape(client, ministry_admin):
    client.force_login(ministry_admin)

    response = client.get("/api/v1/participants/", {"search": "\x00"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_an_ordinary_search_still_answers(client, ministry_admin):
    client.force_login(ministry_admin)

    assert client.get("/privacy/", {"q": "Sari"}).status_code == 200
