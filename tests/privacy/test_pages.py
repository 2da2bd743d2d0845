"""The data-protection page: who read a person's restricted data, their consents, the exports and
exchanges that included them; for ministry staff only, officers within their provinces."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from participants.models import Consent, PersonalDocument
from participants.services import restricted_values_shown
from portal.audit.masking import mask_nik
from portal.audit.services import Event, audit_event
from portal.exports.models import ExportedPerson, ExportRun
from portal.privacy import services
from portal.regions.models import Province
from tests import factories

pytestmark = pytest.mark.django_db

SEARCH = reverse("privacy:search")


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def bali_person(db):
    return factories.ParticipantFactory(full_name="Ketut Arsana", province_id="51")


@pytest.fixture
def jakarta_officer(db):
    officer = factories.UserFactory(username="petugas_dki", role="ministry_officer")
    officer.provinces.add(Province.objects.get(code="31"))
    return officer


def person_url(person):
    return reverse("privacy:person", args=[person.pk])


def record_history(person, *, reader, exporter, n=1):
    """`n` reads of restricted data, `n` consents (one withdrawn) and `n` exports including the
    person, one of them an exchange."""
    for index in range(n):
        restricted_values_shown(user=reader, participant=person, fields=["offence_category"])
        purpose = list(Consent.Purpose)[index % 4]
        Consent.objects.filter(participant=person, purpose=purpose, withdrawn_at=None).update(
            withdrawn_at=timezone.now()
        )
        factories.ConsentFactory(participant=person, purpose=purpose, recorded_by=reader)
        run = ExportRun.objects.create(
            user=exporter, datasets=["participants"], format="csv", row_count=1
        )
        ExportedPerson.objects.create(run=run, participant=person)


def test_anonymous_visitors_are_sent_to_the_login(client, bali_person):
    for url in (SEARCH, person_url(bali_person)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["partner_user", "analyst_user", "participant_account"])
def test_people_outside_the_ministry_are_refused(client, request, persona, bali_person):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(SEARCH, {"q": "Ketut"}).status_code == 403
    assert client.get(person_url(bali_person)).status_code == 403


def test_the_page_accepts_only_get(client, ministry_officer, bali_person):
    client.force_login(ministry_officer)
    assert client.post(person_url(bali_person)).status_code == 405


def test_staff_find_a_person_by_full_nik_with_separators_or_by_name(
    client, ministry_officer, bali_person
):
    client.force_login(ministry_officer)
    nik = bali_person.nik
    spaced = f"{nik[:6]} {nik[6:12]}.{nik[12:]}"
    for query in (nik, spaced, "ketut ars"):
        response = client.get(SEARCH, {"q": query})
        assert [row["person"] for row in response.context["rows"]] == [bali_person]
        assert person_url(bali_person) in response.content.decode()


def test_a_partial_nik_finds_nobody(client, ministry_officer, bali_person):
    client.force_login(ministry_officer)
    response = client.get(SEARCH, {"q": bali_person.nik[:10]})
    assert response.context["rows"] == []
    assert "Nobody you may see matches." in response.content.decode()


def test_an_officer_limited_to_a_province_finds_and_opens_only_people_living_there(
    client, jakarta_officer, bali_person
):
    jakarta_person = factories.ParticipantFactory(
        full_name="Ketut Jakarta", province_id="31", regency_id=None
    )
    client.force_login(jakarta_officer)
    response = client.get(SEARCH, {"q": "Ketut"})
    assert [row["person"] for row in response.context["rows"]] == [jakarta_person]
    assert client.get(SEARCH, {"q": bali_person.nik}).context["rows"] == []
    assert client.get(person_url(bali_person)).status_code == 404
    assert client.get(person_url(jakarta_person)).status_code == 200


def test_an_unknown_person_answers_404(client, ministry_admin):
    client.force_login(ministry_admin)
    assert client.get(reverse("privacy:person", args=[999999])).status_code == 404


def test_the_page_shows_reads_downloads_consents_exports_and_exchanges(
    client, ministry_admin, ministry_officer, analyst_user, bali_person
):
    restricted_values_shown(
        user=ministry_officer, participant=bali_person, fields=["sentence_months", "facility"]
    )
    document = PersonalDocument.objects.create(participant=bali_person, kind="medical")
    audit_event(
        actor=ministry_officer,
        obj=bali_person,
        event=Event.DOWNLOAD,
        data={"document": document.pk, "kind": "medical"},
    )
    consent = factories.ConsentFactory(
        participant=bali_person, purpose="data_exchange", recorded_by=ministry_officer
    )
    Consent.objects.filter(pk=consent.pk).update(
        withdrawn_at=consent.given_at + dt.timedelta(days=3)
    )
    factories.ConsentFactory(participant=bali_person, purpose="partner_sharing")
    kemensos = factories.OrganisationFactory(name="Kemensos", slug="kemensos", kind="ministry")
    agreement = factories.AgreementFactory(parties=[kemensos], number="MOU/KEMENSOS/2025")
    exchange = ExportRun.objects.create(
        user=analyst_user,
        datasets=["participants"],
        format="csv",
        recipient=kemensos,
        agreement=agreement,
        purpose="Rehabilitasi sosial",
    )
    ExportedPerson.objects.create(run=exchange, participant=bali_person)
    other = factories.ParticipantFactory()
    restricted_values_shown(user=ministry_admin, participant=other, fields=["notes"])

    client.force_login(ministry_admin)
    response = client.get(person_url(bali_person))
    page = response.content.decode()

    access = response.context["access"]
    assert [(row["actor"], row["event"]) for row in access] == [
        (ministry_officer, "Document downloaded"),
        (ministry_officer, "Restricted data shown"),
    ]
    assert "facility, sentence_months" in page
    assert "medical" in page
    assert [c.purpose for c in response.context["consents"]] == [
        "partner_sharing",
        "data_exchange",
    ]
    assert "standing" in page
    assert "Kemensos" in page and "MOU/KEMENSOS/2025: Rehabilitasi sosial" in page
    assert response.context["exports"] == [exchange]
    # Another person's reads are not listed.
    assert ministry_admin not in [row["actor"] for row in access]


def test_staff_with_the_nik_permission_see_the_full_nik(client, ministry_admin, bali_person):
    client.force_login(ministry_admin)
    assert bali_person.nik in client.get(person_url(bali_person)).content.decode()


def test_the_nik_is_masked_for_staff_without_the_nik_permission(bali_person):
    class WithoutNikPermission:
        def has_perm(self, permission):
            return False

    shown = services.nik_shown(user=WithoutNikPermission(), participant=bali_person)
    assert shown == mask_nik(bali_person.nik) != bali_person.nik


def test_the_person_page_takes_the_same_queries_for_5_and_50_entries(
    client,
    ministry_admin,
    ministry_officer,
    analyst_user,
    bali_person,
    django_assert_max_num_queries,
):
    client.force_login(ministry_admin)
    record_history(bali_person, reader=ministry_officer, exporter=analyst_user, n=5)
    url = person_url(bali_person)
    with django_assert_max_num_queries(25) as five:
        response = client.get(url)
    assert len(response.context["access"]) == 5
    record_history(bali_person, reader=analyst_user, exporter=ministry_officer, n=45)
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = client.get(url)
    assert len(response.context["access"]) == 50
    assert len(response.context["exports"]) == 50


def test_the_search_takes_the_same_queries_for_5_and_50_people(
    client, ministry_officer, django_assert_max_num_queries
):
    client.force_login(ministry_officer)
    factories.ParticipantFactory.create_batch(5, full_name="Putu Sama")
    with django_assert_max_num_queries(20) as five:
        response = client.get(SEARCH, {"q": "Putu"})
    assert len(response.context["rows"]) == 5
    factories.ParticipantFactory.create_batch(45, full_name="Putu Sama")
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = client.get(SEARCH, {"q": "Putu"})
    assert len(response.context["rows"]) == 50


def test_the_admin_index_links_to_the_page(client, ministry_officer):
    client.force_login(ministry_officer)
    assert SEARCH in client.get(reverse("admin:index")).content.decode()
