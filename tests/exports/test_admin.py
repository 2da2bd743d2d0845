"""The export records in the ministry admin: list, filters, the NIK search, read-only, access."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from partners.models import ScopeItem
from portal.exports.models import ExportedPerson, ExportRun
from portal.exports.services import export_start
from tests import factories

from .helpers import csv_rows

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:exports_exportrun_changelist"
BALI_NIK = "5171011705900001"


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def runs_listed(client, user, **params):
    client.force_login(user)
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return response, list(response.context["cl"].result_list)


def exported(user, **options):
    """A finished CSV export of participants by `user` (its people recorded)."""
    options.setdefault("datasets", ["participants"])
    run = export_start(user=user, format="csv", **options)
    csv_rows(run)
    run.refresh_from_db()
    return run


@pytest.fixture
def kemensos(db):
    return factories.OrganisationFactory(name="Kemensos", slug="kemensos", kind="ministry")


@pytest.fixture
def exchange_agreement(kemensos):
    agreement = factories.AgreementFactory(parties=[kemensos], number="MOU/KEMENSOS/2025")
    agreement.scope_items.add(
        ScopeItem.objects.create(code="data", name="Data exchange", covers_data_exchange=True)
    )
    return agreement


def test_a_ministry_admin_lists_every_export_with_its_protections(
    client, ministry_admin, analyst_user, kemensos, exchange_agreement
):
    factories.ParticipantFactory(nik=BALI_NIK)
    by_analyst = exported(analyst_user)
    exchange = exported(
        ministry_admin, recipient=kemensos, agreement=exchange_agreement, purpose="DTSEN match"
    )

    response, runs = runs_listed(client, ministry_admin)

    assert runs == [exchange, by_analyst]
    page = response.content.decode()
    assert "analyst1" in page and "Kemensos" in page and "Participants" in page
    assert by_analyst.pseudonymised and by_analyst.nik_masked
    assert not exchange.pseudonymised and not exchange.nik_masked


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"exchange": "yes"}, {"exchange"}),
        ({"exchange": "no"}, {"plain", "xlsx"}),
        ({"pseudonymised__exact": "1"}, {"xlsx"}),
        ({"format__exact": "xlsx"}, {"xlsx"}),
        ({"status__exact": "pending"}, {"xlsx"}),
    ],
)
def test_the_list_filters_select_exports(
    client, ministry_admin, kemensos, exchange_agreement, params, expected
):
    factories.ParticipantFactory()
    runs = {
        "plain": exported(ministry_admin),
        "exchange": exported(
            ministry_admin, recipient=kemensos, agreement=exchange_agreement, purpose="DTSEN"
        ),
        "xlsx": export_start(
            user=ministry_admin, datasets=["participants"], format="xlsx", pseudonymise=True
        ),
    }

    _response, listed = runs_listed(client, ministry_admin, **params)

    assert set(listed) == {runs[name] for name in expected}


def test_the_nik_search_lists_each_export_that_included_the_person_once(client, ministry_admin):
    person = factories.ParticipantFactory(nik=BALI_NIK, province_id="51")
    other = factories.ParticipantFactory(province_id="51")
    with_person = exported(ministry_admin)
    without_person = exported(ministry_admin, filters={"category": "sr_student"})
    twice = exported(ministry_admin)
    # A person recorded in two chunks of one export.
    ExportedPerson.objects.create(run=twice, participant=person)

    _response, runs = runs_listed(client, ministry_admin, q="5171 0117.0590-0001")

    assert runs == [twice, with_person]
    assert without_person not in runs
    _response, runs = runs_listed(client, ministry_admin, q=other.nik)
    assert runs == [twice, with_person]
    _response, runs = runs_listed(client, ministry_admin, q=BALI_NIK[:8])
    assert runs == []


def test_an_officer_limited_to_a_province_finds_no_one_outside_it(
    client, ministry_admin, ministry_officer, kemensos, exchange_agreement
):
    factories.ParticipantFactory(nik=BALI_NIK, province_id="51")
    exported(ministry_admin, recipient=kemensos, agreement=exchange_agreement, purpose="DTSEN")
    ministry_officer.provinces.add("35")

    _response, runs = runs_listed(client, ministry_officer, q=BALI_NIK)

    assert runs == []


def test_an_officer_sees_their_own_exports_and_the_exchange_log_only(
    client, ministry_admin, ministry_officer, kemensos, exchange_agreement
):
    factories.ParticipantFactory()
    admins_own = exported(ministry_admin)
    exchange = exported(
        ministry_admin, recipient=kemensos, agreement=exchange_agreement, purpose="DTSEN"
    )
    officers_own = exported(ministry_officer)

    _response, runs = runs_listed(client, ministry_officer)

    assert runs == [officers_own, exchange]
    assert admins_own not in runs


def test_the_change_view_shows_filters_hash_and_agreement_read_only(
    client, ministry_admin, kemensos, exchange_agreement
):
    factories.ParticipantFactory(nik=BALI_NIK)
    run = exported(
        ministry_admin,
        recipient=kemensos,
        agreement=exchange_agreement,
        purpose="DTSEN match",
        filters={"province": "51"},
    )
    url = reverse("admin:exports_exportrun_change", args=[run.pk])
    client.force_login(ministry_admin)

    page = client.get(url).content.decode()

    assert "province: 51" in page
    assert run.sha256 in page
    assert "MOU/KEMENSOS/2025" in page and "DTSEN match" in page
    assert 'name="_save"' not in page
    assert client.post(url, {"purpose": "changed"}).status_code == 403
    run.refresh_from_db()
    assert run.purpose == "DTSEN match"


def test_exports_cannot_be_added_or_deleted(client, ministry_admin):
    factories.ParticipantFactory()
    run = exported(ministry_admin)
    client.force_login(ministry_admin)

    assert client.get(reverse("admin:exports_exportrun_add")).status_code == 403
    delete = reverse("admin:exports_exportrun_delete", args=[run.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    response = client.get(reverse(CHANGELIST))
    assert "delete_selected" not in response.content.decode()
    assert ExportRun.objects.filter(pk=run.pk).exists()


def test_exported_people_have_no_admin_page_of_their_own(client, ministry_admin):
    client.force_login(ministry_admin)

    index = client.get(reverse("admin:index")).content.decode()

    assert "exportrun" in index
    assert "exportedperson" not in index


@pytest.mark.parametrize("persona", ["partner_user", "analyst_user", "participant_account"])
def test_partner_staff_analysts_and_participants_cannot_open_it(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    response = client.get(reverse(CHANGELIST), follow=True)

    assert response.status_code == 403


def test_the_changelist_makes_the_same_queries_for_5_and_30_exports(
    client, ministry_admin, kemensos, exchange_agreement, analyst_user
):
    users = [ministry_admin, analyst_user, factories.UserFactory(role="ministry_officer")]

    def add_runs(count):
        for n in range(count):
            exchange = n % 2 == 0
            ExportRun.objects.create(
                user=users[n % len(users)],
                datasets=["participants", "placements"],
                format="xlsx",
                filters={"province": "51"},
                recipient=kemensos if exchange else None,
                agreement=exchange_agreement if exchange else None,
                purpose="DTSEN" if exchange else "",
                row_count=n,
                status=ExportRun.Status.DONE,
                created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n),
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response, runs = runs_listed(client, ministry_admin)
        return len(captured), len(runs)

    add_runs(5)
    runs_listed(client, ministry_admin)
    few, listed = queries()
    assert listed == 5
    add_runs(25)
    many, listed = queries()

    assert listed == 30
    assert many == few
