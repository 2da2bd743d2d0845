"""Building blocks for placement tests: trained participants and documents, via the services."""

import datetime as dt

from django.utils import timezone

from participants.models import PersonalDocument
from participants.services import consent_give, document_add, participant_create, profile_save
from partners.models import Programme
from portal.regions.models import Regency
from tests.factories import BatchFactory, SessionFactory, TrackFactory, make_nik
from training.services import (
    assessment_record,
    attendance_record,
    certificate_issue,
    enrolment_create,
)

TODAY = timezone.localdate()


def former_prisoner(actor, *, name="I Made Santika", birth=dt.date(1990, 3, 4), **profile):
    """A registered former prisoner of Denpasar with partner-sharing and referral consents."""
    participant = participant_create(
        nik=make_nik(region="5171", birth=birth),
        full_name=name,
        actor=actor,
        sex="M",
        birth_date=birth,
        regency=Regency.objects.get(code="51.71"),
        phone="+6281234567890",
    )
    profile = {
        "release_type": "free",
        "release_date": dt.date(2025, 6, 1),
        "sentence_months": 8,
        "offence_category": "other",
    } | profile
    profile_save(participant=participant, category="former_prisoner", actor=actor, **profile)
    consent_give(participant=participant, purpose="partner_sharing", actor=actor)
    return participant


def train(participant, actor, *, track, provider, score=85, issued_on=None):
    """Enrol in a batch of `track`, attend two past sessions, pass, and get the certificate."""
    programme = Programme.objects.get(code="kesempatan-kedua")
    batch = BatchFactory(track=track, programme=programme, provider=provider)
    now = timezone.now()
    sessions = [
        SessionFactory(
            batch=batch,
            starts_at=now - dt.timedelta(days=days),
            ends_at=now - dt.timedelta(days=days, hours=-3),
        )
        for days in (14, 7)
    ]
    enrolment = enrolment_create(participant=participant, batch=batch, actor=actor)
    for session in sessions:
        attendance_record(session=session, statuses={enrolment.pk: "present"}, actor=actor)
    assessment_record(
        enrolment=enrolment, kind="final", score=score, assessed_on=TODAY, actor=actor
    )
    return certificate_issue(
        enrolment=enrolment, actor=actor, issuer="LSP Las Bali", issued_on=issued_on
    )


def welding_track():
    return TrackFactory(code="las-smaw", name="Las SMAW", kind="welding")


def japanese_track(level="A2"):
    return TrackFactory(
        code=f"bahasa-jepang-{level.lower()}",
        name=f"Bahasa Jepang {level}",
        kind="language",
        language="ja",
        language_level=level,
    )


# (kind, days before `on` it was issued, days after `on` it expires or None)
FULL_FILE = [
    ("ktp", 2000, None),
    ("kk", 2000, None),
    ("skck", 30, 150),
    ("medical", 20, 70),
    ("psychological", 20, 70),
    ("competency_certificate", 10, 1000),
    ("placement_agreement", 5, None),
    ("work_contract", 5, 1100),
    ("marital_status", 40, None),
    ("guardian_permission", 40, None),
    ("passport", 60, 1800),
    ("visa", 3, 1100),
    ("bpjs", 3, 1100),
]


def give_documents(participant, actor, *, on=TODAY, kinds=None, overrides=None):
    """Add the documents every step needs (or only `kinds`), valid on `on`."""
    overrides = overrides or {}
    made = {}
    for kind, issued_days, expires_days in FULL_FILE:
        if kinds is not None and kind not in kinds:
            continue
        issued_days, expires_days = overrides.get(kind, (issued_days, expires_days))
        made[kind] = document_add(
            participant=participant,
            kind=kind,
            actor=actor,
            number=f"{kind.upper()}-{participant.pk}",
            issued_on=on - dt.timedelta(days=issued_days),
            expires_on=on + dt.timedelta(days=expires_days) if expires_days is not None else None,
        )
    return made


def documents_of(participant, kind):
    return PersonalDocument.objects.filter(participant=participant, kind=kind)
