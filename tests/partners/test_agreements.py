"""Agreements: status derived from dates, reference data, database constraints."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from partners.models import Agreement, Membership, Programme, ScopeItem
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Assert on the English texts, whatever language an earlier request activated."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


TODAY = dt.date(2026, 11, 23)


def agreement(**dates):
    values = {
        "signed_on": dt.date(2025, 11, 3),
        "valid_from": dt.date(2025, 11, 3),
        "valid_until": dt.date(2030, 11, 2),
        "terminated_on": None,
    }
    values.update(dates)
    return factories.AgreementFactory(**values)


CASES = [
    ("unsigned", {"signed_on": None}, Agreement.Status.DRAFT),
    (
        "signed, not yet in force",
        {"signed_on": dt.date(2026, 11, 1), "valid_from": dt.date(2027, 1, 1)},
        Agreement.Status.DRAFT,
    ),
    ("in force", {}, Agreement.Status.ACTIVE),
    ("open-ended", {"valid_until": None}, Agreement.Status.ACTIVE),
    ("last day", {"valid_until": TODAY}, Agreement.Status.ACTIVE),
    ("expired", {"valid_until": dt.date(2026, 11, 22)}, Agreement.Status.EXPIRED),
    ("terminated today", {"terminated_on": TODAY}, Agreement.Status.TERMINATED),
    ("terminated later", {"terminated_on": dt.date(2027, 1, 1)}, Agreement.Status.ACTIVE),
]


@pytest.mark.parametrize(("label", "dates", "status"), CASES, ids=[c[0] for c in CASES])
def test_the_status_is_derived_from_the_dates(label, dates, status):
    assert agreement(**dates).status_on(TODAY) == status


@pytest.mark.parametrize(("label", "dates", "status"), CASES, ids=[c[0] for c in CASES])
def test_the_active_queryset_agrees_with_status_on(label, dates, status):
    row = agreement(**dates)

    active = Agreement.objects.active(TODAY).filter(pk=row.pk).exists()

    assert active is (row.status_on(TODAY) == Agreement.Status.ACTIVE)


def test_the_reference_programmes_and_scope_items_exist():
    assert set(Programme.objects.values_list("code", flat=True)) >= {
        "kesempatan-kedua",
        "kelas-migran-sr",
        "reintegrasi-pmi",
    }
    assert ScopeItem.objects.count() == 7
    assert ScopeItem.objects.filter(covers_data_exchange=True).count() == 1
    kk = Programme.objects.get(code="kesempatan-kedua")
    assert kk.eligible_categories == ["former_prisoner"]


def test_the_database_rejects_an_agreement_ending_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        agreement(valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2025, 12, 31))


def test_an_agreement_may_end_on_the_day_it_starts():
    row = agreement(valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 1, 1))

    assert row.pk


def test_an_organisation_has_at_most_one_lead(organisation_a):
    factories.PartnerStaffFactory(username="lead1", organisation=organisation_a, is_lead=True)
    second = factories.PartnerStaffFactory(username="lead2", organisation=organisation_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=second).update(is_lead=True)

    other = factories.OrganisationFactory(slug="other")
    factories.PartnerStaffFactory(username="lead3", organisation=other, is_lead=True)
    assert Membership.objects.filter(is_lead=True).count() == 2


def test_an_organisation_cannot_be_party_twice(organisation_a):
    row = factories.AgreementFactory(parties=[organisation_a])

    with pytest.raises(IntegrityError), transaction.atomic():
        row.parties.create(organisation=organisation_a, role="again")
