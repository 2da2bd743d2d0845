"""Partners admin: agreements with parties and commitments, programmes, and list costs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from partners.models import Agreement, Commitment, ScopeItem
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(client, ministry_admin):
    client.force_login(ministry_admin)
    return client


def changelist(model):
    return reverse(f"admin:partners_{model}_changelist")


def test_the_agreement_list_shows_the_status_derived_from_the_dates(admin_client):
    factories.AgreementFactory(number="MOU/1", signed_on=None)
    factories.AgreementFactory(
        number="MOU/2", valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2021, 1, 1)
    )

    response = admin_client.get(changelist("agreement"))

    rows = {a.number: a for a in response.context["cl"].result_list}
    html = response.content.decode()
    assert set(rows) == {"MOU/1", "MOU/2"}
    assert "Draft" in html and "Expired" in html


@pytest.mark.parametrize(
    ("status", "expected"),
    [("active", {"PKS/A"}), ("draft", {"PKS/D"}), ("expired", {"PKS/E"}), ("terminated", set())],
)
def test_the_agreement_list_filters_by_derived_status(admin_client, status, expected):
    factories.AgreementFactory(number="PKS/A")
    factories.AgreementFactory(number="PKS/D", signed_on=None)
    factories.AgreementFactory(
        number="PKS/E", valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2021, 1, 1)
    )

    response = admin_client.get(changelist("agreement"), {"status": status})

    assert {a.number for a in response.context["cl"].result_list} == expected


def test_the_agreement_page_has_parties_commitments_and_scope(admin_client, organisation_a):
    agreement = factories.AgreementFactory(parties=[organisation_a])
    Commitment.objects.create(agreement=agreement, kind="quota", target=100)

    response = admin_client.get(reverse("admin:partners_agreement_change", args=[agreement.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "parties-TOTAL_FORMS" in html
    assert "commitments-TOTAL_FORMS" in html
    assert 'name="scope_items"' in html
    assert "Active" in html


def test_an_agreement_is_added_with_its_parties(admin_client, organisation_a, organisation_b):
    response = admin_client.post(
        reverse("admin:partners_agreement_add"),
        {
            "kind": "pks",
            "number": "PKS/9/2026",
            "title": "Kerja sama pelatihan las",
            "signed_on": "2026-01-05",
            "valid_from": "2026-01-05",
            "valid_until": "2028-01-04",
            "parties-TOTAL_FORMS": "2",
            "parties-INITIAL_FORMS": "0",
            "parties-0-organisation": organisation_a.pk,
            "parties-0-role": "penyedia",
            "parties-1-organisation": organisation_b.pk,
            "parties-1-role": "mitra",
            "commitments-TOTAL_FORMS": "1",
            "commitments-INITIAL_FORMS": "0",
            "commitments-0-kind": "quota",
            "commitments-0-target": "50",
            "commitments-0-achieved": "0",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    agreement = Agreement.objects.get(number="PKS/9/2026")
    assert set(agreement.parties.values_list("organisation", flat=True)) == {
        organisation_a.pk,
        organisation_b.pk,
    }
    assert agreement.commitments.get().target == 50


def test_the_programme_list_holds_the_reference_programmes(admin_client):
    response = admin_client.get(changelist("programme"))

    codes = {p.code for p in response.context["cl"].result_list}
    assert {"kesempatan-kedua", "kelas-migran-sr", "reintegrasi-pmi"} <= codes


def test_ministry_officers_use_the_agreement_admin_without_deleting(client, ministry_officer):
    client.force_login(ministry_officer)

    assert client.get(changelist("agreement")).status_code == 200
    agreement = factories.AgreementFactory()
    response = client.get(reverse("admin:partners_agreement_delete", args=[agreement.pk]))
    assert response.status_code == 403


# Changelists cost a constant number of queries


def build_rows(count):
    scope = list(ScopeItem.objects.all())
    for n in range(count):
        parent = factories.OrganisationFactory()
        organisation = factories.OrganisationFactory(parent=parent, province_id="51")
        agreement = factories.AgreementFactory(parties=[organisation, parent])
        agreement.scope_items.add(*scope[:3])
        programme = factories.ProgrammeFactory(agreements=[agreement])
        Commitment.objects.create(
            agreement=agreement,
            kind="quota",
            organisation=organisation,
            programme=programme,
            target=n,
        )


# Session, authorisation (user, groups, permissions), count(s), page, filter choices.
MAX_QUERIES = 10


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize(
    "model", ["agreement", "programme", "organisation", "commitment", "scopeitem"]
)
def test_the_changelist_costs_a_constant_number_of_queries(
    model, count, admin_client, django_assert_max_num_queries
):
    build_rows(count)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(changelist(model))

    assert response.status_code == 200
    # The seven scope items are reference data; the rows link agreements to them.
    assert response.context["cl"].result_count >= (7 if model == "scopeitem" else count)


@pytest.mark.parametrize("model", ["agreement", "scopeitem", "programme", "commitment"])
def test_every_partners_admin_page_opens(model, admin_client):
    from django.apps import apps

    build_rows(1)
    obj = apps.get_model("partners", model).objects.first()

    assert admin_client.get(reverse(f"admin:partners_{model}_add")).status_code == 200
    page = admin_client.get(reverse(f"admin:partners_{model}_change", args=[obj.pk]))
    assert page.status_code == 200
