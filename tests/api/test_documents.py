"""`/api/v1/documents/`: personal documents' metadata for each persona, never the file;
numbers masked without `participants.view_nik`; health results and police certificates only
with `participants.view_restricted` (or to the person themself), the rule exports use too."""

import datetime as dt

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import PersonalDocument
from portal.exports.datasets import DATASETS
from tests.api.factories import build_side, issue_token
from tests.api.test_scoping import _ids

pytestmark = pytest.mark.django_db

KTP, MEDICAL, SKCK = "ktp", "medical", "skck"


def document(person, kind, number):
    return PersonalDocument.objects.create(
        participant=person,
        kind=kind,
        number=number,
        issued_on=dt.date(2024, 1, 2),
        expires_on=dt.date(2029, 1, 2),
        original_name=f"{kind}.pdf",
        file=f"documents/{person.pk}/0123456789abcdef",
    )


@pytest.fixture
def docs(organisation_a, organisation_b, participant_account):
    a = build_side(
        organisation_a, province_id="51", regency_id="51.71", suffix="A", user=participant_account
    )["participants"]
    b = build_side(organisation_b, province_id="31", regency_id="31.71", suffix="B")["participants"]
    return {
        "a_ktp": document(a, KTP, a.nik),
        "a_medical": document(a, MEDICAL, "MCU-2024-000123"),
        "b_ktp": document(b, KTP, b.nik),
        "b_skck": document(b, SKCK, "SKCK/123/2024"),
    }


# Which documents each persona sees, and whether it reads the numbers in clear.
EXPECTED = {
    "ministry_admin": ({"a_ktp", "a_medical", "b_ktp", "b_skck"}, True),
    "officer_bali": ({"a_ktp", "a_medical"}, True),
    "analyst": ({"a_ktp", "b_ktp"}, False),
    "partner_a": ({"a_ktp"}, False),
    "partner_b": ({"b_ktp"}, False),
    "participant": ({"a_ktp", "a_medical"}, True),
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_persona_sees_its_documents_metadata(api, docs, personas, persona):
    shown, clear = EXPECTED[persona]
    client = api.as_user(personas[persona])
    response = client.get("/api/v1/documents/")
    assert response.status_code == 200
    assert _ids(response) == {docs[name].pk for name in shown}
    for name, doc in docs.items():
        detail = client.get(f"/api/v1/documents/{doc.pk}/")
        if name not in shown:
            assert detail.status_code == 404
            continue
        body = detail.json()
        assert body["kind"] == doc.kind
        assert body["file_name"] == f"{doc.kind}.pdf"
        assert body["has_file"] is True
        assert body["participant"] == doc.participant_id
        assert "file" not in body and "url" not in body  # metadata only
        if clear:
            assert body["number"] == doc.number
        else:
            assert body["number"] != doc.number
            assert body["number"][-4:] == doc.number[-4:]
            assert body["number"].count("*") >= len(doc.number) // 2


def test_a_ktp_number_is_masked_like_the_nik(api, docs, analyst_user):
    doc = docs["a_ktp"]
    body = api.as_user(analyst_user).get(f"/api/v1/documents/{doc.pk}/").json()
    assert body["number"] == f"{doc.number[:4]}********{doc.number[12:]}"


def test_a_partner_token_sees_its_organisations_documents_only(
    api, docs, ministry_admin, organisation_b
):
    _, secret = issue_token(organisation=organisation_b, actor=ministry_admin)
    response = api.with_token(secret).get("/api/v1/documents/")
    assert _ids(response) == {docs["b_ktp"].pk}


def test_exports_and_the_api_apply_one_rule(docs, personas):
    for persona, (shown, _clear) in EXPECTED.items():
        user = personas[persona]
        exported = set(DATASETS["documents"].visible(user).values_list("pk", flat=True))
        assert exported == set(
            PersonalDocument.objects.visible_to(user).values_list("pk", flat=True)
        )
        assert exported == {docs[name].pk for name in shown}


def test_documents_filter_by_kind_and_expiry(api, docs, ministry_admin):
    client = api.as_user(ministry_admin)
    assert _ids(client.get("/api/v1/documents/?kind=skck")) == {docs["b_skck"].pk}
    assert _ids(client.get("/api/v1/documents/?expires_on__lt=2029-01-02")) == set()


def test_the_documents_list_costs_the_same_for_5_and_50_rows(
    api, organisation_a, ministry_admin, partner_user, django_assert_max_num_queries
):
    for n in range(8):
        person = build_side(organisation_a, province_id="51", regency_id="51.71", suffix=str(n))[
            "participants"
        ]
        document(person, KTP, person.nik)
    for user in (ministry_admin, partner_user):
        client = api.as_user(user)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as small:
            assert len(client.get("/api/v1/documents/?page_size=5").json()["results"]) == 5
        with django_assert_max_num_queries(len(small)):
            assert len(client.get("/api/v1/documents/?page_size=50").json()["results"]) == 8


def test_the_schema_declares_documents_without_a_file(api):
    schema = yaml.safe_load(api.get("/api/schema/").content)
    assert "get" in schema["paths"]["/api/v1/documents/"]
    assert "get" in schema["paths"]["/api/v1/documents/{id}/"]
    properties = schema["components"]["schemas"]["Document"]["properties"]
    assert {"kind", "number", "file_name", "has_file"} <= set(properties)
    assert "file" not in properties
