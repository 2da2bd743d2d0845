"""Factories for the rows the export lists hold beyond tests/factories.py: attendance,
assessments, certificates, phase changes, documents and commitments."""

import datetime as dt

import factory

from tests.factories import EnrolmentFactory, PlacementFactory, SessionFactory


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Attendance"

    enrolment = factory.SubFactory(EnrolmentFactory)
    session = factory.SubFactory(SessionFactory, batch=factory.SelfAttribute("..enrolment.batch"))
    status = "present"
    recorded_at = factory.LazyAttribute(lambda o: o.session.starts_at + dt.timedelta(hours=1))


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.AssessmentResult"

    enrolment = factory.SubFactory(EnrolmentFactory)
    kind = "practical"
    assessed_on = factory.LazyFunction(lambda: dt.date(2026, 12, 1))
    score = 82
    passed = True


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Certificate"

    enrolment = factory.SubFactory(EnrolmentFactory)
    number = factory.Sequence(lambda n: f"CERT/{n:05d}/2027")
    issuer = "LSP Las Indonesia"
    issued_on = factory.LazyFunction(lambda: dt.date(2027, 1, 29))


class PhaseChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "placements.PhaseChange"

    placement = factory.SubFactory(PlacementFactory)
    from_phase = "registered"
    to_phase = "selected"
    on = factory.LazyFunction(lambda: dt.date(2026, 11, 20))
    changed_at = factory.LazyFunction(lambda: dt.datetime(2026, 11, 20, 2, 30, tzinfo=dt.UTC))
    reason = "Lulus seleksi"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participants.PersonalDocument"

    participant = factory.SubFactory("tests.factories.ParticipantFactory")
    kind = "ktp"
    number = factory.Sequence(lambda n: f"DOC-{n:05d}")
    original_name = factory.LazyAttribute(lambda o: f"{o.kind}.pdf")


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.Commitment"

    agreement = factory.SubFactory("tests.factories.AgreementFactory")
    kind = "quota"
    description = "Peserta pelatihan las"
    target = 50
