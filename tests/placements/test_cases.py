"""Cases, referrals with consent, and the services delivered (bansos with the family's decile)."""

import datetime as dt

import pytest

from participants.models import Consent, DecileRecord
from participants.services import consent_give, consent_withdraw, participant_create
from placements.models import Case, Referral, ServiceDelivery
from placements.services import (
    PlacementError,
    case_note_add,
    case_open,
    case_set_status,
    incident_record,
    referral_answer,
    referral_complete,
    referral_create,
    service_deliver,
)
from portal.regions.models import Regency
from tests.factories import (
    CaseFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnerStaffFactory,
    PlacementFactory,
    make_nik,
)

from .helpers import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre():
    return OrganisationFactory(name="Sentra Handayani", kind="rehabilitation_centre")


@pytest.fixture
def centre_staff(centre):
    return PartnerStaffFactory(organisation=centre)


def refer(case, centre, actor, services=("rehabilitation",)):
    return referral_create(
        case=case,
        to_organisation=centre,
        reason="Korban penipuan daring dari Kamboja",
        services_requested=list(services),
        actor=actor,
    )


def test_a_referral_is_refused_without_the_participants_consent(ministry_officer, centre):
    case = CaseFactory(type="trafficking")

    with pytest.raises(PlacementError, match="consent|persetujuan"):
        refer(case, centre, ministry_officer)

    assert not Referral.objects.exists()


def test_a_withdrawn_consent_no_longer_allows_a_referral(ministry_officer, centre):
    case = CaseFactory()
    consent = consent_give(
        participant=case.participant, purpose=Consent.Purpose.REFERRAL, actor=ministry_officer
    )
    consent_withdraw(consent=consent, actor=ministry_officer)

    with pytest.raises(PlacementError):
        refer(case, centre, ministry_officer)


def test_a_referral_records_the_consent_it_relied_on(ministry_officer, centre):
    case = CaseFactory()
    consent = consent_give(
        participant=case.participant, purpose=Consent.Purpose.REFERRAL, actor=ministry_officer
    )

    referral = refer(case, centre, ministry_officer, services=("rehabilitation", "legal_aid"))

    assert referral.consent == consent
    assert referral.status == Referral.Status.PENDING
    assert referral.get_services_requested_display().count(",") == 1


def test_a_minors_referral_rests_on_the_guardians_consent(ministry_officer, centre):
    birth = dt.date(TODAY.year - 16, 2, 1)
    minor = participant_create(
        nik=make_nik(region="3573", birth=birth),
        full_name="Dewi Lestari",
        actor=ministry_officer,
        birth_date=birth,
        regency=Regency.objects.get(code="35.73"),
    )
    consent_give(
        participant=minor,
        purpose=Consent.Purpose.REFERRAL,
        given_by=Consent.GivenBy.GUARDIAN,
        guardian_name="Sumarni",
        actor=ministry_officer,
    )
    case = CaseFactory(participant=minor, type="abuse")

    referral = refer(case, centre, ministry_officer)

    assert referral.consent.given_by == "guardian"


def test_only_the_receiving_organisation_answers_and_a_rejection_says_why(
    ministry_officer, centre, centre_staff, other_partner_user
):
    case = CaseFactory()
    consent_give(participant=case.participant, purpose="referral", actor=ministry_officer)
    referral = refer(case, centre, ministry_officer)

    with pytest.raises(PlacementError):
        referral_answer(referral=referral, accept=True, actor=other_partner_user)
    with pytest.raises(PlacementError):
        referral_answer(referral=referral, accept=False, actor=centre_staff)
    referral_answer(referral=referral, accept=False, answer="Kapasitas penuh", actor=centre_staff)

    referral.refresh_from_db()
    assert (referral.status, referral.answer, referral.answered_by) == (
        "rejected",
        "Kapasitas penuh",
        centre_staff,
    )
    with pytest.raises(PlacementError, match="already|sudah"):
        referral_answer(referral=referral, accept=True, actor=centre_staff)


def test_completing_a_referral_records_each_service_given(ministry_officer, centre, centre_staff):
    case = CaseFactory()
    consent_give(participant=case.participant, purpose="referral", actor=ministry_officer)
    referral = refer(case, centre, ministry_officer, services=("rehabilitation", "counselling"))

    with pytest.raises(PlacementError):
        referral_complete(referral=referral, services_given="Konseling", actor=centre_staff)
    referral_answer(referral=referral, accept=True, actor=centre_staff)
    referral_complete(referral=referral, services_given="Rehabilitasi 30 hari", actor=centre_staff)

    referral.refresh_from_db()
    assert referral.status == "done"
    assert sorted(referral.services.values_list("kind", flat=True)) == [
        "counselling",
        "rehabilitation",
    ]


def test_social_assistance_records_the_family_decile_and_candidacy(ministry_officer):
    participant = ParticipantFactory(kk_number="5171010101900001")
    DecileRecord.objects.create(
        kk_number="5171010101900001", decile=3, as_of=dt.date(2026, 7, 1), source="dtsen_check"
    )
    case = CaseFactory(participant=participant)

    delivery = service_deliver(
        case=case, kind="social_assistance", delivered_on=TODAY, actor=ministry_officer
    )

    assert (delivery.decile, delivery.decile_as_of, delivery.bansos_candidate) == (
        3,
        dt.date(2026, 7, 1),
        True,
    )


def test_social_assistance_outside_deciles_1_to_4_needs_a_written_reason(ministry_officer):
    participant = ParticipantFactory(kk_number="5171010101900002")
    DecileRecord.objects.create(
        kk_number="5171010101900002", decile=7, as_of=dt.date(2026, 7, 1), source="dtsen_check"
    )
    case = CaseFactory(participant=participant)

    with pytest.raises(PlacementError, match="7"):
        service_deliver(
            case=case, kind="social_assistance", delivered_on=TODAY, actor=ministry_officer
        )
    delivery = service_deliver(
        case=case,
        kind="social_assistance",
        delivered_on=TODAY,
        exception_reason="Korban TPPO tanpa penghasilan",
        actor=ministry_officer,
    )

    assert delivery.bansos_candidate is False
    assert ServiceDelivery.objects.filter(case=case).count() == 1


def test_a_case_follows_its_flow_and_refuses_skipped_steps(ministry_officer):
    case = case_open(
        participant=ParticipantFactory(),
        type=Case.Type.TRAFFICKING,
        severity=Case.Severity.CRITICAL,
        summary="Dipulangkan dari Phnom Penh",
        actor=ministry_officer,
    )

    with pytest.raises(PlacementError):
        case_set_status(case=case, to_status="services", actor=ministry_officer)
    case_set_status(case=case, to_status="assessment", actor=ministry_officer)
    with pytest.raises(PlacementError, match="assessment|asesmen"):
        case_set_status(case=case, to_status="service_plan", actor=ministry_officer)
    case_set_status(
        case=case, to_status="service_plan", assessment="Trauma berat", actor=ministry_officer
    )
    with pytest.raises(PlacementError):
        case_set_status(case=case, to_status="services", actor=ministry_officer)

    case.refresh_from_db()
    assert case.status == "service_plan"
    assert case.assessment == "Trauma berat"


def test_a_case_closes_only_when_its_referrals_are_answered_and_reopens_with_a_note(
    ministry_officer, centre, centre_staff
):
    case = CaseFactory()
    consent_give(participant=case.participant, purpose="referral", actor=ministry_officer)
    referral = refer(case, centre, ministry_officer)

    with pytest.raises(PlacementError, match=centre.name):
        case_set_status(case=case, to_status="closed", note="Selesai", actor=ministry_officer)
    referral_answer(referral=referral, accept=False, answer="Di luar wilayah", actor=centre_staff)
    with pytest.raises(PlacementError):
        case_set_status(case=case, to_status="closed", actor=ministry_officer)
    case_set_status(case=case, to_status="closed", note="Dirujuk ke LBH", actor=ministry_officer)
    case_set_status(case=case, to_status="open", note="Keluhan baru", actor=ministry_officer)

    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("open", None)
    assert case.updates.filter(from_status="closed", to_status="open", note="Keluhan baru").exists()


def test_notes_and_referrals_count_as_case_activity(ministry_officer):
    case = CaseFactory()
    before = case.last_activity_at

    case_note_add(case=case, note="Menelepon keluarga", actor=ministry_officer)

    case.refresh_from_db()
    assert case.last_activity_at > before


def test_an_incident_abroad_can_open_a_case_linked_to_the_placement(ministry_officer):
    placement = PlacementFactory(phase="working", country_id="MY")

    incident, case = incident_record(
        placement=placement,
        on=TODAY,
        kind="unpaid_wages",
        description="Upah tiga bulan ditahan majikan",
        case_type=Case.Type.UNPAID_WAGES,
        actor=ministry_officer,
    )

    assert incident.placement == placement
    assert (case.placement, case.participant, case.status) == (
        placement,
        placement.participant,
        "open",
    )
