"""`/api/v1/deletions/`: tombstones of deleted rows for incremental sync, shown only to those
who could see the row when it was deleted."""

import datetime as dt

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants.models import PersonalDocument
from portal.api.deletions import PARTICIPANT_PATHS, scope_of
from portal.api.models import Deletion
from tests import factories
from tests.api.factories import build_side, issue_token, shared_person
from tests.api.test_scoping import ENDPOINTS, REFERENCE

pytestmark = pytest.mark.django_db


def _seen(client, query=""):
    response = client.get(f"/api/v1/deletions/?page_size=500{query}")
    assert response.status_code == 200, response.content
    return {(row["type"], row["id"]) for row in response.json()["results"]}


@pytest.fixture
def sides(organisation_a, organisation_b, participant_account):
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


def test_a_deleted_person_appears_for_those_who_saw_them_only(api, sides, personas, organisation_a):
    person, participation = shared_person(organisation_a, province_id="51", regency_id="51.71")
    ids = {("participants", person.pk), ("participations", participation.pk)}
    person.delete()  # with their participations (cascade)
    for persona in ("ministry_admin", "officer_bali", "analyst", "partner_a"):
        assert _seen(api.as_user(personas[persona])) == ids, persona
    assert _seen(api.as_user(personas["partner_b"])) == set()
    assert _seen(api.as_user(personas["participant"])) == set()


def test_a_person_outside_an_officers_provinces_is_not_shown(api, sides, personas, organisation_b):
    person, _participation = shared_person(organisation_b, province_id="31", regency_id="31.71")
    tombstone = ("participants", person.pk)
    person.delete()
    assert tombstone not in _seen(api.as_user(personas["officer_bali"]))
    assert tombstone in _seen(api.as_user(personas["ministry_admin"]))
    assert tombstone in _seen(api.as_user(personas["partner_b"]))
    assert tombstone not in _seen(api.as_user(personas["partner_a"]))


def test_case_tombstones_are_for_ministry_staff_with_the_case_permission(api, sides, personas):
    case = sides["A"]["cases"]
    case_id = case.pk
    case.delete()
    assert ("cases", case_id) in _seen(api.as_user(personas["ministry_admin"]))
    for persona in ("analyst", "partner_a", "participant"):
        assert ("cases", case_id) not in _seen(api.as_user(personas[persona])), persona


def test_an_open_job_order_is_deleted_for_every_partner_a_draft_for_its_agency_only(
    api, sides, personas, organisation_a
):
    draft = sides["A"]["job-orders"]
    open_order = factories.JobOrderFactory(agency=organisation_a, status="open")
    draft_id, open_id = draft.pk, open_order.pk
    draft.delete()
    open_order.delete()
    assert _seen(api.as_user(personas["partner_b"]), "&type=job-orders") == {
        ("job-orders", open_id)
    }
    assert _seen(api.as_user(personas["partner_a"]), "&type=job-orders") == {
        ("job-orders", open_id),
        ("job-orders", draft_id),
    }


def test_a_restricted_documents_deletion_needs_the_restricted_permission(api, sides, personas):
    person = sides["A"]["participants"]
    medical = PersonalDocument.objects.create(participant=person, kind="medical")
    ktp = PersonalDocument.objects.create(participant=person, kind="ktp")
    ids = {("documents", medical.pk), ("documents", ktp.pk)}
    ktp_id = ktp.pk
    medical.delete()
    ktp.delete()
    assert _seen(api.as_user(personas["ministry_admin"]), "&type=documents") == ids
    assert _seen(api.as_user(personas["partner_a"]), "&type=documents") == {("documents", ktp_id)}


def test_updated_since_and_type_filter_the_tombstones(api, sides, ministry_admin):
    batch = sides["A"]["batches"]
    session = sides["A"]["sessions"]
    session_id, batch_programme = session.pk, batch.programme
    session.delete()
    Deletion.objects.update(deleted_at=timezone.now() - dt.timedelta(days=2))
    attendance_id = sides["B"]["attendance"].pk
    sides["B"]["attendance"].delete()
    client = api.as_user(ministry_admin)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert _seen(client, f"&updated_since={since.replace('+', '%2B')}") == {
        ("attendance", attendance_id)
    }
    assert _seen(client, "&type=sessions") == {("sessions", session_id)}
    response = client.get("/api/v1/deletions/?type=nonsense")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["type"]
    assert batch_programme.pk  # the batch itself stays


def test_a_token_sees_its_organisations_tombstones_within_its_programmes(
    api, sides, ministry_admin, organisation_a
):
    programme = sides["A"]["programmes"]
    other = factories.ProgrammeFactory()
    _, inside = issue_token(
        organisation=organisation_a, actor=ministry_admin, programmes=[programme]
    )
    _, outside = issue_token(organisation=organisation_a, actor=ministry_admin, programmes=[other])
    participation = sides["A"]["participations"]
    participation_id = participation.pk
    participation.delete()
    assert ("participations", participation_id) in _seen(api.with_token(inside))
    assert ("participations", participation_id) not in _seen(api.with_token(outside))


def test_the_deletions_list_is_paginated_by_cursor_at_a_constant_cost(
    api, organisation_a, ministry_admin, partner_user, django_assert_max_num_queries
):
    for _n in range(8):
        shared_person(organisation_a)[0].delete()
    for user in (ministry_admin, partner_user):
        client = api.as_user(user)
        with CaptureQueriesContext(connection) as small:
            first = client.get("/api/v1/deletions/?type=participants&page_size=5").json()
        small_count = len(small)  # read before the next request resets the query log
        assert len(first["results"]) == 5
        second = client.get(first["next"]).json()
        assert len(second["results"]) == 3
        assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
        with django_assert_max_num_queries(small_count):
            response = client.get("/api/v1/deletions/?page_size=50")
        assert len(response.json()["results"]) > 8


def test_the_schema_declares_the_deletions_list(api):
    schema = yaml.safe_load(api.get("/api/schema/").content)
    operation = schema["paths"]["/api/v1/deletions/"]["get"]
    assert {"updated_since", "type", "cursor"} <= {p["name"] for p in operation["parameters"]}
    assert "/api/v1/deletions/{id}/" not in schema["paths"]


@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "documents"])
def test_each_listed_rows_scope_is_what_each_partner_saw(sides, organisation_a, endpoint):
    """The scope computed at deletion names organisation A for side A's row (or, for
    reference data and cases, every partner or none), never organisation B alone."""
    side = sides["A"]
    if endpoint == "documents":
        side["documents"] = PersonalDocument.objects.create(
            participant=side["participants"], kind="ktp"
        )
    keys = scope_of(endpoint, side[endpoint])
    if endpoint == "cases":
        assert (keys["open_to_partners"], keys["organisation_keys"]) == (False, "")
    elif endpoint in REFERENCE:
        assert keys["open_to_partners"] is True
    else:
        assert keys["organisation_keys"] == f",{organisation_a.pk},", endpoint
    if endpoint in PARTICIPANT_PATHS:
        assert keys["participant_id"] == side["participants"].pk
        assert keys["province_code"] == "51"
