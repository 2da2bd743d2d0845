"""The partner visibility rule (model.md, "Who sees what"), from both partners' side."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from participants.models import Consent, Participant, Participation
from participants.services import consent_withdraw
from partners.models import Agreement
from tests import factories
from training.models import Batch, Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Assert on the English texts, whatever language an earlier request activated."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def people(organisation_a, organisation_b):
    """One participant shared with A and one with B, each enrolled in a batch of their partner."""
    person_a = factories.ParticipantFactory(full_name="Wayan A")
    person_b = factories.ParticipantFactory(full_name="Made B")
    share_a = factories.share_with(person_a, organisation_a)
    share_b = factories.share_with(person_b, organisation_b)
    batch_a = factories.BatchFactory(provider=organisation_a, programme=share_a.programme)
    batch_b = factories.BatchFactory(provider=organisation_b, programme=share_b.programme)
    return {
        "a": person_a,
        "b": person_b,
        "participation_a": share_a,
        "participation_b": share_b,
        "batch_a": batch_a,
        "batch_b": batch_b,
        "enrolment_a": factories.EnrolmentFactory(participant=person_a, batch=batch_a),
        "enrolment_b": factories.EnrolmentFactory(participant=person_b, batch=batch_b),
        "agreement_a": share_a.programme.agreements.get(),
        "agreement_b": share_b.programme.agreements.get(),
    }


def visible(user):
    return {
        "participants": set(Participant.objects.visible_to(user)),
        "participations": set(Participation.objects.visible_to(user)),
        "batches": set(Batch.objects.visible_to(user)),
        "agreements": set(Agreement.objects.visible_to(user)),
        "enrolments": set(Enrolment.objects.visible_to(user)),
    }


def test_staff_of_a_see_only_what_is_shared_with_a(people, partner_user):
    seen = visible(partner_user)

    assert seen == {
        "participants": {people["a"]},
        "participations": {people["participation_a"]},
        "batches": {people["batch_a"]},
        "agreements": {people["agreement_a"]},
        "enrolments": {people["enrolment_a"]},
    }


def test_staff_of_b_see_only_what_is_shared_with_b(people, other_partner_user):
    seen = visible(other_partner_user)

    assert seen == {
        "participants": {people["b"]},
        "participations": {people["participation_b"]},
        "batches": {people["batch_b"]},
        "agreements": {people["agreement_b"]},
        "enrolments": {people["enrolment_b"]},
    }


def test_ministry_staff_see_both_partners(people, ministry_officer):
    seen = visible(ministry_officer)

    assert {people["a"], people["b"]} <= seen["participants"]
    assert {people["batch_a"], people["batch_b"]} <= seen["batches"]
    assert {people["enrolment_a"], people["enrolment_b"]} <= seen["enrolments"]


@pytest.mark.parametrize(
    "url",
    [
        "admin:index",
        "admin:training_enrolment_changelist",
        "admin:training_batch_changelist",
        "admin:partners_agreement_changelist",
        "admin:participants_participant_changelist",
    ],
)
def test_partner_staff_get_no_admin_at_all(people, client, partner_user, url):
    client.force_login(partner_user)

    response = client.get(reverse(url), follow=True)

    assert response.status_code == 403
    assert "Wayan A" not in response.content.decode()


def test_a_unit_of_a_party_sees_participants_it_is_responsible_for(organisation_a):
    unit = factories.OrganisationFactory(
        name="BP3MI Bali", slug="bp3mi-bali", parent=organisation_a
    )
    unit_staff = factories.PartnerStaffFactory(username="staff_unit", organisation=unit)
    agreement = factories.AgreementFactory(parties=[organisation_a])
    programme = factories.ProgrammeFactory(agreements=[agreement])
    person = factories.ParticipantFactory()
    factories.share_with(person, unit, programme=programme)

    assert list(Participant.objects.visible_to(unit_staff)) == [person]
    assert list(Agreement.objects.visible_to(unit_staff)) == [agreement]


def test_a_unit_does_not_see_participants_the_party_itself_is_responsible_for(
    organisation_a,
):
    unit = factories.OrganisationFactory(
        name="BP3MI Bali", slug="bp3mi-bali", parent=organisation_a
    )
    unit_staff = factories.PartnerStaffFactory(username="staff_unit", organisation=unit)
    person = factories.ParticipantFactory()
    factories.share_with(person, organisation_a)

    assert not Participant.objects.visible_to(unit_staff).exists()


def test_an_expired_agreement_ends_access(people, partner_user):
    Agreement.objects.filter(pk=people["agreement_a"].pk).update(
        valid_from=dt.date(2024, 1, 1), valid_until=timezone.localdate() - dt.timedelta(days=1)
    )

    seen = visible(partner_user)

    assert seen["participants"] == set()
    assert seen["participations"] == set()
    assert seen["agreements"] == {people["agreement_a"]}  # the agreement itself stays visible


def test_a_terminated_agreement_ends_access(people, partner_user):
    Agreement.objects.filter(pk=people["agreement_a"].pk).update(terminated_on=timezone.localdate())

    assert not Participant.objects.visible_to(partner_user).exists()
    assert not Participation.objects.visible_to(partner_user).exists()


def test_a_withdrawn_consent_ends_access(people, partner_user):
    consent = Consent.objects.get(participant=people["a"])

    consent_withdraw(consent=consent, actor=partner_user)

    assert not Participant.objects.visible_to(partner_user).exists()
    assert not Participation.objects.visible_to(partner_user).exists()


def test_without_consent_there_is_no_access(organisation_a, partner_user):
    person = factories.ParticipantFactory()
    factories.share_with(person, organisation_a, consent=False)

    assert not Participant.objects.visible_to(partner_user).exists()
    assert not Participation.objects.visible_to(partner_user).exists()


def test_a_participation_naming_another_organisation_is_not_visible(
    organisation_a, organisation_b, partner_user
):
    agreement = factories.AgreementFactory(parties=[organisation_a, organisation_b])
    programme = factories.ProgrammeFactory(agreements=[agreement])
    person = factories.ParticipantFactory()
    factories.share_with(person, organisation_b, programme=programme)

    assert not Participant.objects.visible_to(partner_user).exists()
    assert not Participation.objects.visible_to(partner_user).exists()
