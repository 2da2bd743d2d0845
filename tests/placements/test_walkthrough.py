"""One former prisoner from registration to a closed case, through the services only."""

import datetime as dt

import pytest

from participants.models import Consent
from participants.services import consent_give
from placements import selectors
from placements.models import Case, Phase, PhaseChange, Referral, ServiceDelivery
from placements.services import (
    case_open,
    case_set_status,
    checkin_record,
    milestone_record,
    placement_advance,
    placement_create,
    referral_answer,
    referral_complete,
    referral_create,
)
from tests.factories import JobOrderFactory, OrganisationFactory, PartnerStaffFactory

from .helpers import TODAY, former_prisoner, give_documents, japanese_track, train, welding_track

pytestmark = pytest.mark.django_db

# The order BP3MI Bali actually received the papers in: not the order of the phases.
MILESTONES_AS_THEY_CAME = [
    "selected",
    "passport_issued",
    "medical_cleared",
    "certified",
    "insured",
    "agreement_signed",
    "visa_issued",
    "oriented",
]


def test_a_former_prisoner_goes_from_registration_to_a_closed_case(ministry_admin):
    actor = ministry_admin
    provider = OrganisationFactory(name="PT Panca Boga Sekawan", kind="csr_company")
    person = former_prisoner(actor)

    welding = train(person, actor, track=welding_track(), provider=provider)
    japanese = train(person, actor, track=japanese_track("A2"), provider=provider)
    for certificate in (welding, japanese):
        certificate.enrolment.refresh_from_db()
        assert certificate.enrolment.status == "completed"

    job_order = JobOrderFactory(
        country_id="JP",
        required_track_kind="welding",
        required_language="ja",
        required_language_level="A2",
    )
    rows, rules = selectors.candidates(job_order=job_order, user=actor)
    match = rows.get(pk=person.pk)
    assert match.qualifies
    assert selectors.reasons(match, job_order=job_order, on=TODAY, rules=rules) == []

    placement = placement_create(
        participant=person,
        job_order=job_order,
        actor=actor,
        officer=actor,
        contract_start=TODAY + dt.timedelta(days=30),
        contract_end=TODAY + dt.timedelta(days=30 + 3 * 365),
    )
    assert placement.phase == Phase.REGISTERED
    assert (placement.country_id, placement.scheme, placement.agency) == (
        "JP",
        "p2p",
        job_order.agency,
    )

    give_documents(person, actor)
    for step in MILESTONES_AS_THEY_CAME:
        milestone_record(placement=placement, step=step, achieved_on=TODAY, actor=actor)
    placement.refresh_from_db()
    assert placement.phase == Phase.ORIENTED

    placement_advance(placement=placement, to_phase=Phase.DEPARTED, actor=actor)
    placement_advance(placement=placement, to_phase=Phase.WORKING, actor=actor)
    checkin_record(placement=placement, on=TODAY, channel="whatsapp", wellbeing="good", actor=actor)
    checkin_record(
        placement=placement,
        on=TODAY,
        channel="phone",
        wellbeing="at_risk",
        issues="Gaji dua bulan belum dibayar",
        escalated_to_embassy=True,
        escalation_note="Dilaporkan ke KBRI Tokyo (Peduli WNI)",
        actor=actor,
    )
    placement_advance(placement=placement, to_phase=Phase.CONTRACT_ENDED, actor=actor)
    placement_advance(placement=placement, to_phase=Phase.RETURNED, actor=actor)
    person.refresh_from_db()
    assert person.is_returning_worker
    assert person.returning_worker_profile.last_destination_id == "JP"

    case = case_open(
        participant=person,
        placement=placement,
        type=Case.Type.UNPAID_WAGES,
        severity=Case.Severity.MEDIUM,
        summary="Upah dua bulan terakhir tidak dibayar",
        actor=actor,
    )
    consent_give(participant=person, purpose=Consent.Purpose.REFERRAL, actor=actor)
    centre = OrganisationFactory(name="Sentra Mahatmiya Bali", kind="rehabilitation_centre")
    centre_staff = PartnerStaffFactory(organisation=centre)
    referral = referral_create(
        case=case,
        to_organisation=centre,
        reason="Pendampingan dan bantuan sosial setelah pulang",
        services_requested=["rehabilitation", "counselling"],
        actor=actor,
    )
    referral_answer(referral=referral, accept=True, actor=centre_staff)
    referral_complete(referral=referral, services_given="Konseling 4 sesi", actor=centre_staff)
    for status, extra in [
        ("assessment", {}),
        ("service_plan", {"assessment": "Trauma ringan, butuh konseling"}),
        ("services", {"service_plan": "Konseling dan pelatihan usaha"}),
        ("monitoring", {}),
        ("closed", {"note": "Layanan selesai, kondisi stabil"}),
    ]:
        case_set_status(case=case, to_status=status, actor=actor, **extra)
    placement_advance(placement=placement, to_phase=Phase.REINTEGRATING, actor=actor)
    placement_advance(
        placement=placement, to_phase=Phase.CLOSED, reason="Reintegrasi selesai", actor=actor
    )

    placement.refresh_from_db()
    case.refresh_from_db()
    referral.refresh_from_db()
    assert placement.phase == Phase.CLOSED
    assert list(placement.phase_changes.values_list("to_phase", flat=True)) == [
        "registered",
        "selected",
        "medical_cleared",
        "certified",
        "agreement_signed",
        "passport_issued",
        "visa_issued",
        "insured",
        "oriented",
        "departed",
        "working",
        "contract_ended",
        "returned",
        "reintegrating",
        "closed",
    ]
    assert not PhaseChange.objects.exclude(overridden=[]).exists()
    assert set(placement.phase_changes.values_list("changed_by", flat=True)) == {actor.pk}
    assert placement.check_ins.count() == 2
    assert (case.status, case.closed_on) == ("closed", TODAY)
    assert referral.status == Referral.Status.DONE
    assert set(ServiceDelivery.objects.filter(case=case).values_list("kind", "provider__name")) == {
        ("rehabilitation", centre.name),
        ("counselling", centre.name),
    }
    assert list(case.updates.values_list("to_status", flat=True)) == [
        "open",
        "assessment",
        "service_plan",
        "services",
        "monitoring",
        "closed",
    ]
