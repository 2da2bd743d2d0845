"""Factories and helpers of the API tests."""

import datetime as dt

from django.utils import timezone

from portal.api.services import token_issue
from tests import factories


def issue_token(*, organisation, actor, scope="read", programmes=(), days=30):
    """(token, secret) issued through the service."""
    return token_issue(
        organisation=organisation,
        name="SIM mitra",
        scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=days),
        programmes=programmes,
        actor=actor,
    )


def shared_person(organisation, **kwargs):
    """A participant visible to `organisation`'s staff; returns (participant, participation)."""
    participant = factories.ParticipantFactory(**kwargs)
    participation = factories.share_with(participant, organisation)
    return participant, participation


def build_side(organisation, *, province_id, regency_id, suffix, user=None):
    """One organisation's slice of the world: a person shared with it (living in
    `province_id`), their programme, a batch it provides with a session, an enrolment with
    attendance, a score and a certificate, a placement with a phase change and a check-in, a
    case and a draft job order of its own agency."""
    from placements.models import CheckIn, PhaseChange
    from training.models import AssessmentResult, Attendance, Certificate

    person, participation = shared_person(
        organisation,
        province_id=province_id,
        regency_id=regency_id,
        user=user,
        full_name=f"Peserta {suffix}",
        restricted_notes=f"catatan rahasia {suffix}",
    )
    programme = participation.programme
    agreement = programme.agreements.get()
    batch = factories.BatchFactory(programme=programme, provider=organisation)
    session = factories.SessionFactory(batch=batch)
    enrolment = factories.EnrolmentFactory(participant=person, batch=batch)
    attendance = Attendance.objects.create(enrolment=enrolment, session=session, status="present")
    assessment = AssessmentResult.objects.create(
        enrolment=enrolment,
        kind="final",
        assessed_on=dt.date(2026, 11, 20),
        score=80,
        passed=True,
    )
    certificate = Certificate.objects.create(
        enrolment=enrolment, number=f"CERT-{suffix}", issuer="LSP", issued_on=dt.date(2026, 11, 21)
    )
    placement = factories.PlacementFactory(participant=person, phase="selected")
    PhaseChange.objects.create(
        placement=placement, from_phase="registered", to_phase="selected", on=dt.date(2026, 11, 1)
    )
    check_in = CheckIn.objects.create(
        placement=placement,
        on=dt.date(2026, 11, 22),
        channel="phone",
        wellbeing="good",
        issues=f"masalah rahasia {suffix}",
    )
    case = factories.CaseFactory(participant=person)
    job_order = factories.JobOrderFactory(agency=organisation, status="draft")
    return {
        "participants": person,
        "organisations": organisation,
        "agreements": agreement,
        "programmes": programme,
        "participations": participation,
        "tracks": batch.track,
        "batches": batch,
        "sessions": session,
        "enrolments": enrolment,
        "attendance": attendance,
        "assessments": assessment,
        "certificates": certificate,
        "job-orders": job_order,
        "placements": placement,
        "check-ins": check_in,
        "cases": case,
    }
