"""The world the permission matrix and the canary scan walk: two of everything (side A in Bali,
shared with organisation A; side B in East Java, shared with organisation B), every restricted
field carrying a unique canary string, and one logged-in client per persona."""

import datetime as dt
import itertools
import os
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from tests import factories as f

from .matrix import PERSONAS

TODAY = dt.date(2026, 11, 23)
# Each world's clients come from their own addresses, so that rate limits kept per address
# (in a cache that outlives a test) never carry over from one test to the next.
_addresses = itertools.count(1)


def new_address():
    n = next(_addresses) + os.getpid() * 64
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def canary(side, field):
    """A string that appears nowhere else: found in a response, it proves a leak."""
    return f"CANARY{side}{field.upper().replace('_', '')}Q"


def _side(side, *, province, regency, organisation, user, nik_region):
    from participants.models import (
        FormerPrisonerProfile,
        PersonalDocument,
        ReturningWorkerProfile,
    )
    from placements.models import CaseUpdate, CheckIn, Incident, Referral
    from training.models import AssessmentResult, Attendance, Certificate

    c = lambda name: canary(side, name)  # noqa: E731
    nik = f.make_nik(region=nik_region, serial=4000 + ord(side))
    person = f.ParticipantFactory(
        nik=nik,
        kk_number=f.make_nik(region=nik_region, serial=5000 + ord(side)),
        full_name=f"Peserta {side} Matrix",
        province_id=province,
        regency_id=regency,
        user=user,
        is_former_prisoner=True,
        is_returning_worker=True,
        restricted_notes=c("restricted_notes"),
    )
    FormerPrisonerProfile.objects.create(
        participant=person, sentence_months=777, offence_category="drug", notes=c("fp_notes")
    )
    ReturningWorkerProfile.objects.create(
        participant=person, is_trafficking_victim=True, trafficking_notes=c("trafficking")
    )
    participation = f.share_with(person, organisation)
    ktp = PersonalDocument.objects.create(
        participant=person, kind="ktp", number=f"KTP-{side}", original_name="ktp.pdf"
    )
    ktp.file.save("ktp.pdf", ContentFile(b"%PDF-1.4 ktp"), save=True)
    medical = PersonalDocument.objects.create(
        participant=person, kind="medical", number=c("medical_number"), original_name="med.pdf"
    )
    medical.file.save("med.pdf", ContentFile(c("medical_file").encode()), save=True)
    batch = f.BatchFactory(provider=organisation, programme=participation.programme)
    session = f.SessionFactory(batch=batch)
    enrolment = f.EnrolmentFactory(participant=person, batch=batch)
    attendance = Attendance.objects.create(enrolment=enrolment, session=session, status="present")
    assessment = AssessmentResult.objects.create(
        enrolment=enrolment,
        kind=AssessmentResult.Kind.values[0],
        assessed_on=TODAY,
        score=80,
        passed=True,
    )
    certificate = Certificate.objects.create(
        enrolment=enrolment, number=f"CERT-{side}", issuer="LSP", issued_on=TODAY
    )
    agreement = participation.programme.agreements.first()
    job_order = f.JobOrderFactory(agency=organisation, status="open" if side == "A" else "draft")
    placement = f.PlacementFactory(participant=person, agency=organisation, job_order=job_order)
    check_in = CheckIn.objects.create(
        placement=placement,
        on=TODAY,
        channel="phone",
        wellbeing="at_risk",
        issues=c("checkin_issues"),
        escalation_note=c("escalation"),
    )
    Incident.objects.create(placement=placement, on=TODAY, kind="abuse", description=c("incident"))
    case = f.CaseFactory(
        participant=person,
        placement=placement,
        summary=c("case_summary"),
        assessment=c("case_assessment"),
        service_plan=c("service_plan"),
    )
    CaseUpdate.objects.create(case=case, note=c("case_note"))
    consent = f.ConsentFactory(participant=person, purpose="referral")
    referral = Referral.objects.create(
        case=case, to_organisation=organisation, reason="Rehabilitasi", consent=consent
    )
    return SimpleNamespace(
        participant=person,
        nik=nik,
        participation=participation,
        document=ktp,
        medical=medical,
        batch=batch,
        track=batch.track,
        session=session,
        enrolment=enrolment,
        attendance=attendance,
        assessment=assessment,
        certificate=certificate,
        agreement=agreement,
        programme=participation.programme,
        organisation=organisation,
        job_order=job_order,
        placement=placement,
        check_in=check_in,
        case=case,
        referral=referral,
        consent=consent,
    )


@pytest.fixture
def world(db, settings, tmp_path):
    """Personas, both sides' records, runs and notifications; `world.clients[persona]`."""
    from participants.models import ImportRun
    from portal.exports import services as export_services
    from portal.notifications.models import Notification
    from portal.reports.models import ReportRun

    settings.MEDIA_ROOT = str(tmp_path / "media")
    org_a = f.OrganisationFactory(name="PT Mitra A", slug="mitra-a")
    org_b = f.OrganisationFactory(name="PT Mitra B", slug="mitra-b")
    users = {
        "participant_a": f.UserFactory(username="peserta_a", role="participant"),
        "participant_b": f.UserFactory(username="peserta_b", role="participant"),
        "staff_a": f.PartnerStaffFactory(username="staff_a", organisation=org_a),
        "staff_b": f.PartnerStaffFactory(username="staff_b", organisation=org_b),
        "analyst": f.UserFactory(username="analyst1", role="analyst"),
        "officer": f.UserFactory(username="m_officer", role="ministry_officer"),
        "admin": f.UserFactory(username="m_admin", role="ministry_admin"),
    }
    users["officer"].provinces.set(["51"])
    a = _side(
        "A",
        province="51",
        regency="51.71",
        organisation=org_a,
        user=users["participant_a"],
        nik_region="5171",
    )
    b = _side(
        "B",
        province="35",
        regency="35.78",
        organisation=org_b,
        user=users["participant_b"],
        nik_region="3578",
    )

    exports, imports, notifications = {}, {}, {}
    for name in ("analyst", "officer", "admin"):
        run = export_services.export_start(
            user=users[name], datasets=["participants"], format="xlsx"
        )
        export_services.build_xlsx_file(run=run)
        exports[name] = run
    for name in ("analyst", "admin"):
        imports[name] = ImportRun.objects.create(user=users[name], filename="x.csv", dry_run=True)
    for name, user in users.items():
        notifications[name] = Notification.objects.create(
            kind="matrix",
            content_type_id=1,
            object_id="1",
            due_on=TODAY,
            recipient=user,
            subject=f"Untuk {name}",
            body="-",
        )
    reports = {}
    for side, org in (("A", org_a), ("B", org_b)):
        run = ReportRun.objects.create(
            kind="monthly",
            period="2026-10",
            partner=org,
            status="done",
            finished_at=timezone.now(),
        )
        run.file.save("report.xlsx", ContentFile(b"PK report"), save=True)
        reports[side] = run

    # A server error is an answer like any other here ("500"), reported with the rest.
    clients = {"anonymous": Client(raise_request_exception=False, REMOTE_ADDR=new_address())}
    for name, user in users.items():
        client = Client(raise_request_exception=False, REMOTE_ADDR=new_address())
        client.force_login(user)
        clients[name] = client
    assert set(clients) == set(PERSONAS)
    return SimpleNamespace(
        users=users,
        a=a,
        b=b,
        org_a=org_a,
        org_b=org_b,
        exports=exports,
        imports=imports,
        notifications=notifications,
        reports=reports,
        clients=clients,
    )
