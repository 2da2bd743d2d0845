"""/healthz: what a load balancer or docker-compose asks to decide whether the portal is up."""

from unittest import mock

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


def test_it_reports_the_database_ok_and_the_broker_eager_without_redis(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


def test_it_reports_the_broker_ok_when_redis_answers(client, require_redis):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_it_reports_the_broker_unavailable_but_stays_up_when_redis_is_down(client, settings):
    settings.REDIS_URL = CLOSED_PORT_REDIS

    response = client.get("/healthz")

    # The database decides the status code: pages still work without the broker.
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "unavailable"}


def test_it_answers_503_when_the_database_is_unreachable(client, settings):
    settings.REDIS_URL = ""

    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unavailable",
        "broker": "eager",
    }


def test_it_is_never_cached(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_it_refuses_post_with_405(client):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
