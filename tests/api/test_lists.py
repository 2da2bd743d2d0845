"""Cursor pagination, `updated_since`, filters, search and ordering; errors in one shape."""

import datetime as dt

import pytest
from django.utils import timezone

from participants.models import Participant
from tests import factories

pytestmark = pytest.mark.django_db


def test_cursor_pages_walk_every_row_once(api, ministry_admin):
    people = factories.ParticipantFactory.create_batch(7)
    client = api.as_user(ministry_admin)
    url, seen = "/api/v1/participants/?page_size=3", []
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 3
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(p.pk for p in people)
    assert len(seen) == 7


def test_a_sync_walks_every_row_once_when_thousands_share_one_updated_at(api, ministry_admin):
    """An import writes its rows with one `updated_at`; the cursor must not page ties by an
    offset (DRF caps it at 1,000 and then repeats rows)."""
    people = factories.ParticipantFactory.create_batch(1203)
    Participant.objects.update(updated_at=timezone.now() - dt.timedelta(hours=1))
    client = api.as_user(ministry_admin)
    url, seen = "/api/v1/participants/?page_size=500", []
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        last, url = page, page["next"]
    assert len(seen) == 1203
    assert set(seen) == {p.pk for p in people}
    # ...and back again from the last page.
    back = client.get(last["previous"]).json()
    assert [row["id"] for row in back["results"]] == seen[500:1000]


def test_a_changed_row_moves_to_the_end_of_the_sync_order(api, ministry_admin):
    first, second, third = factories.ParticipantFactory.create_batch(3)
    client = api.as_user(ministry_admin)
    page = client.get("/api/v1/participants/?page_size=2").json()
    assert [row["id"] for row in page["results"]] == [first.pk, second.pk]
    Participant.objects.filter(pk=first.pk).update(updated_at=timezone.now())
    rest = client.get(page["next"]).json()
    assert [row["id"] for row in rest["results"]] == [third.pk, first.pk]


def test_the_page_size_has_a_maximum(api, ministry_admin):
    factories.ParticipantFactory.create_batch(3)
    page = api.as_user(ministry_admin).get("/api/v1/participants/?page_size=100000").json()
    assert len(page["results"]) == 3


def test_updated_since_lists_only_rows_changed_since(api, ministry_admin):
    old = factories.ParticipantFactory()
    fresh = factories.ParticipantFactory()
    long_ago = timezone.now() - dt.timedelta(days=3)
    Participant.objects.filter(pk=old.pk).update(updated_at=long_ago)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = api.as_user(ministry_admin).get("/api/v1/participants/", {"updated_since": since})
    assert [row["id"] for row in response.json()["results"]] == [fresh.pk]


def test_a_withdrawn_participant_shows_in_a_sync_with_its_status(api, ministry_admin):
    person = factories.ParticipantFactory()
    since = timezone.now().isoformat()
    person.status = Participant.Status.WITHDRAWN
    person.save()
    rows = (
        api.as_user(ministry_admin)
        .get("/api/v1/participants/", {"updated_since": since})
        .json()["results"]
    )
    assert [(row["id"], row["status"]) for row in rows] == [(person.pk, "withdrawn")]


def test_a_bad_updated_since_is_a_400_naming_the_field(api, ministry_admin):
    response = api.as_user(ministry_admin).get(
        "/api/v1/participants/", {"updated_since": "kemarin"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["updated_since"]


def test_filters_search_and_ordering(api, ministry_admin):
    ani = factories.ParticipantFactory(full_name="Ani Lestari", is_former_prisoner=True)
    budi = factories.ParticipantFactory(full_name="Budi Santoso")
    client = api.as_user(ministry_admin)

    def ids(**params):
        return [r["id"] for r in client.get("/api/v1/participants/", params).json()["results"]]

    assert ids(is_former_prisoner="true") == [ani.pk]
    assert ids(search="santoso") == [budi.pk]
    assert ids(search=ani.nik) == [ani.pk]
    assert ids(ordering="-full_name") == [budi.pk, ani.pk]


def test_a_filter_by_an_id_outside_ones_scope_says_nothing_about_it(
    api, partner_user, organisation_b
):
    from tests.api.factories import shared_person

    theirs, _ = shared_person(organisation_b)
    response = api.as_user(partner_user).get("/api/v1/participations/", {"participant": theirs.pk})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_programme_filter_does_not_repeat_people(api, ministry_admin, organisation_a):
    from tests.api.factories import shared_person

    person, participation = shared_person(organisation_a)
    code = participation.programme.code
    rows = (
        api.as_user(ministry_admin)
        .get("/api/v1/participants/", {"programme": code})
        .json()["results"]
    )
    assert [r["id"] for r in rows] == [person.pk]


def test_a_service_refusal_is_a_400_in_the_error_shape():
    from django.core.exceptions import ValidationError

    from portal.api.errors import exception_handler

    response = exception_handler(ValidationError("Kuota angkatan penuh."), {})
    assert response.status_code == 400
    assert response.data == {
        "error": {
            "code": "refused",
            "message": "Kuota angkatan penuh.",
            "fields": {"non_field_errors": ["Kuota angkatan penuh."]},
        }
    }


def test_an_unreadable_cursor_is_a_400_on_the_cursor_parameter(api, ministry_admin):
    response = api.as_user(ministry_admin).get("/api/v1/participants/", {"cursor": "garbage"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["cursor"]
