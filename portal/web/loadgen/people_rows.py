"""One chunk of people: participants, profiles, consents, deciles, documents, participations."""

import datetime as dt
import itertools

from participants.models import (
    Consent,
    DecileRecord,
    FormerPrisonerProfile,
    Participant,
    Participation,
    PersonalDocument,
    ReturningWorkerProfile,
    StudentProfile,
)
from participants.normalise import age_on

from . import people as gen
from .reference import KK_PROGRAMME, RW_PROGRAMME, SR_PROGRAMME

UTC = dt.UTC
RW_COUNTRIES = ["MY", "TW", "HK", "SA", "SG", "KR", "JP", "AE", "QA", "KW", "BN", "DE"]
RETURN_REASONS = [
    "Kontrak selesai",
    "Kontrak selesai",
    "Sakit",
    "Dipulangkan (deportasi)",
    "Masalah dengan majikan",
    "Urusan keluarga",
]


class Person:
    """What later tables need to know about a generated participant."""

    __slots__ = (
        "id", "index", "female", "birth", "province", "regency", "kk", "fp", "sr", "rw",
        "minor", "status", "created", "parole_until", "referral_consent", "decile",
        "decile_as_of", "school", "guardian", "participations", "programmes",
    )  # fmt: skip

    def __init__(self, **values):
        for slot in self.__slots__:
            setattr(self, slot, values.get(slot))


def at(day, hour=10, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)


def _cum(ref, boost):
    weights = [weight * boost.get(code, 1.0) for code, weight, _ in ref.provinces]
    return [code for code, _, _ in ref.provinces], list(itertools.accumulate(weights))


def make_people(rng, sink, ref, *, start, count, total, today):
    """Write `count` participants (the load's `start`-th onward) and their own rows."""
    spread = gen.spread_for(total)
    general = _cum(ref, {})
    prisoners = _cum(ref, gen.PRISONER_BOOST)
    workers = _cum(ref, gen.WORKER_BOOST)
    all_regencies = [r for regs in ref.regencies.values() for r in regs]
    adult_until = gen.years_before(today, 18)
    ids = iter(sink.ids(Participant, count))
    rows, persons = [], []
    fp_rows, sr_rows, rw_rows = [], [], []
    for index in range(start, start + count):
        roll = rng.random()
        fp, sr, rw = roll < 0.30, 0.30 <= roll < 0.55, roll >= 0.55 or 0.28 <= roll < 0.30
        codes, cum = prisoners if fp else workers if rw else general
        province = rng.choices(codes, cum_weights=cum)[0]
        regency, town = rng.choice(ref.regencies[province])
        region = regency if rng.random() < 0.92 else rng.choice(all_regencies)[0]
        female = rng.random() < (0.12 if fp else 0.62 if rw else 0.5)
        if sr:
            low, high = adult_until + dt.timedelta(days=1), gen.years_before(today, 15)
        else:
            low = gen.years_before(today, 45 if fp else 52)
            high = gen.years_before(today, 20 if fp else 22)
        birth = gen.random_date(rng, low, high - dt.timedelta(days=spread))
        birth = gen.align_birth(index, birth, spread)
        nik = gen.nik_for(index, region=region, birth=birth, female=female)
        created = gen.random_date(rng, today - dt.timedelta(days=1000), today)
        person = Person(
            id=next(ids), index=index, female=female, birth=birth, province=province,
            regency=regency, fp=fp, sr=sr, rw=rw, minor=sr, created=created,
            kk=gen.kk_for(rng, region, 1 + index % gen.DISTRICTS), participations=[],
            programmes=[],
        )  # fmt: skip
        status = rng.choices(["active", "inactive", "withdrawn"], cum_weights=[88, 96, 100])[0]
        person.status = status
        name = gen.full_name(rng, female=female, bali=province == "51")
        guardian_phone = gen.phone(rng) if sr else ""
        rows.append((
            person.id, nik, person.kk, name, "F" if female else "M", birth, town,
            guardian_phone or (gen.phone(rng) if rng.random() < 0.9 else ""), sr,
            gen.phone(rng) if rng.random() < 0.1 else "",
            f"peserta{index}@example.com" if rng.random() < 0.25 else "",
            gen.address(rng, town), f"{regency[:2]}.{regency[2:]}", province,
            "smp" if sr else rng.choice(["sd", "smp", "smp", "sma", "sma", "sma", "diploma"]),
            fp, sr, rw, status,
            f"SISKO-{index:09d}" if rw and rng.random() < 0.6 else "",
            at(created, 8 + index % 9, index % 60),
        ))  # fmt: skip
        if fp:
            fp_rows.append(_prisoner(rng, ref, person, today))
        if sr:
            sr_rows.append(_student(rng, ref, person, today, guardian_phone))
        if rw:
            rw_rows.append(_worker(rng, person, today))
        persons.append(person)
    sink.write(
        Participant,
        ("id", "nik", "kk_number", "full_name", "sex", "birth_date", "birth_place", "phone",
         "phone_is_guardian", "second_phone", "email", "address", "regency_id", "province_id",
         "education_level", "is_former_prisoner", "is_sr_student", "is_returning_worker",
         "status", "siskop2mi_id", "created_at"),
        rows,
    )  # fmt: skip
    _write_profiles(sink, fp_rows, sr_rows, rw_rows)
    _consents(rng, sink, persons, today)
    _deciles(rng, sink, persons, today)
    _documents(rng, sink, persons, today)
    _participations(rng, sink, ref, persons, today)
    return persons


def _prisoner(rng, ref, person, today):
    release_type = rng.choices(
        ["free", "parole", "conditional_leave", "leave_before_release"],
        cum_weights=[40, 80, 92, 100],
    )[0]
    released = today - dt.timedelta(days=rng.randrange(20, 2500))
    supervision = None
    if release_type == "parole":
        supervision = released + dt.timedelta(days=rng.randrange(90, 900))
        person.parole_until = supervision if supervision > today else None
    facility = ref.org_near(rng, "corrections_facility", person.province)
    return (
        person.id, facility, release_type, released, supervision,
        rng.choice([6, 8, 10, 12, 14, 18, 24, 30, 36, 48, 60, 84, 120]),
        "drug" if rng.random() < 0.35 else "other",
    )  # fmt: skip


def _student(rng, ref, person, today, guardian_phone):
    grade = min(12, max(10, age_on(person.birth, today) - 5))
    person.school = ref.org_near(rng, "sekolah_rakyat", person.province)
    guardian = gen.full_name(rng, female=rng.random() < 0.6)
    person.guardian = guardian
    graduation = today.year + (12 - grade) + (1 if today.month >= 7 else 0)
    return (person.id, person.school, "sma", grade, graduation, guardian, guardian_phone, True)


def _worker(rng, person, today):
    return (
        person.id, rng.choice(RW_COUNTRIES), today - dt.timedelta(days=rng.randrange(10, 1800)),
        rng.choice(RETURN_REASONS), rng.random() < 0.03, "",
    )  # fmt: skip


def _write_profiles(sink, fp_rows, sr_rows, rw_rows):
    for model, fields, rows in (
        (FormerPrisonerProfile,
         ("participant_id", "facility_id", "release_type", "release_date", "supervision_end_date",
          "sentence_months", "offence_category"), fp_rows),
        (StudentProfile,
         ("participant_id", "school_id", "level", "grade", "expected_graduation_year",
          "guardian_name", "guardian_phone", "guardian_consent"), sr_rows),
        (ReturningWorkerProfile,
         ("participant_id", "last_destination_id", "return_date", "return_reason",
          "is_trafficking_victim", "trafficking_notes"), rw_rows),
    ):  # fmt: skip
        ids = sink.ids(model, len(rows))
        sink.write(model, ("id", *fields), [(i, *row) for i, row in zip(ids, rows, strict=True)])


def _consents(rng, sink, persons, today):
    """Partner sharing for most (always for minors, given by the guardian); referral for some."""
    rows = []
    for person in persons:
        guardian = person.guardian or ""
        given_by = "guardian" if person.minor else "participant"
        given = at(person.created + dt.timedelta(days=rng.randrange(0, 5)), 11)
        if person.minor or rng.random() < 0.92:
            withdrawn = None
            if not person.minor and rng.random() < 0.03:
                withdrawn = given + dt.timedelta(days=rng.randrange(1, 60))
            rows.append(["partner_sharing", given_by, guardian, given, withdrawn, person])
        if rng.random() < (0.1 if person.minor else 0.3):
            rows.append(["referral", given_by, guardian, given, None, person])
    ids = sink.ids(Consent, len(rows))
    out = []
    for consent_id, (purpose, given_by, guardian, given, withdrawn, person) in zip(
        ids, rows, strict=True
    ):
        if purpose == "referral":
            person.referral_consent = consent_id
        out.append((consent_id, person.id, purpose, given_by, guardian, given, withdrawn))
    sink.write(
        Consent,
        (
            "id",
            "participant_id",
            "purpose",
            "given_by",
            "guardian_name",
            "given_at",
            "withdrawn_at",
        ),
        out,
    )


def _deciles(rng, sink, persons, today):
    rows = []
    sources = ["dtsen_check", "dtsen_check", "official_letter", "self_reported", "import"]
    for person in persons:
        if rng.random() > 0.7:
            continue
        as_of = today - dt.timedelta(days=rng.randrange(100, 500))
        for _ in range(2 if rng.random() < 0.2 else 1):
            if person.sr:
                decile = rng.choice([1, 1, 2, 2, 2, 3])
            else:
                decile = min(10, 1 + int(rng.random() ** 1.8 * 10))
            raw = "1-2" if rng.random() < 0.01 else ""
            rows.append((person.kk, None if raw else decile, as_of, rng.choice(sources), raw))
            if not raw:
                person.decile, person.decile_as_of = decile, as_of
            as_of += dt.timedelta(days=91)
    ids = sink.ids(DecileRecord, len(rows))
    sink.write(
        DecileRecord,
        ("id", "kk_number", "decile", "as_of", "source", "raw_text", "created_at"),
        [(i, *row, at(row[2])) for i, row in zip(ids, rows, strict=True)],
    )


DOCUMENT_FIELDS = (
    "id", "participant_id", "kind", "number", "issued_on", "expires_on", "original_name",
    "content_type", "created_at",
)  # fmt: skip


def _documents(rng, sink, persons, today):
    """KTP for most adults, the family card for some (metadata only, no files)."""
    rows = []
    for person in persons:
        if not person.minor and rng.random() < 0.85:
            seventeen = gen.years_before(person.birth, -17)
            issued = gen.random_date(rng, max(gen.years_before(today, 12), seventeen), today)
            rows.append((person.id, "ktp", "", issued, None, "ktp.jpg", "image/jpeg"))
        if rng.random() < 0.3:
            issued = today - dt.timedelta(days=rng.randrange(30, 3600))
            rows.append((person.id, "kk", person.kk, issued, None, "kk.pdf", "application/pdf"))
    ids = sink.ids(PersonalDocument, len(rows))
    sink.write(
        PersonalDocument,
        DOCUMENT_FIELDS,
        [(i, *row, at(row[3])) for i, row in zip(ids, rows, strict=True)],
    )


PARTICIPATION_STATUSES = ["applied", "eligible", "active", "completed", "withdrawn", "not_eligible"]


def _participations(rng, sink, ref, persons, today):
    """One participation per category programme, with the responsible organisations; the big
    partner shares responsibility for about a tenth of the people."""
    rows, links = [], []
    for person in persons:
        codes = [c for c, on in ((KK_PROGRAMME, person.fp), (SR_PROGRAMME, person.sr),
                                 (RW_PROGRAMME, person.rw)) if on]  # fmt: skip
        big = rng.random() < 0.1
        for code in codes:
            if code == SR_PROGRAMME:
                org = person.school
            elif code == KK_PROGRAMME:
                org = ref.org_near(rng, rng.choice(["csr_company", "training_provider"]),
                                   person.province)  # fmt: skip
            else:
                org = ref.org_near(rng, rng.choice(["rehabilitation_centre", "training_provider"]),
                                   person.province)  # fmt: skip
            status = rng.choices(PARTICIPATION_STATUSES, cum_weights=[10, 25, 75, 90, 95, 100])[0]
            orgs = [org, ref.big_partner] if big else [org]
            rows.append((person, ref.programmes[code], status, code, orgs))
    ids = sink.ids(Participation, len(rows))
    out = []
    for pid, (person, programme, status, code, orgs) in zip(ids, rows, strict=True):
        person.participations.append(pid)
        person.programmes.append(code)
        decided = at(person.created + dt.timedelta(days=7)) if status != "applied" else None
        out.append((pid, person.id, programme, status, decided, at(person.created, 12)))
        links.extend((pid, org) for org in orgs)
    sink.write(
        Participation,
        ("id", "participant_id", "programme_id", "status", "decided_at", "created_at"),
        out,
    )
    through = Participation.responsible_organisations.through
    link_ids = sink.ids(through, len(links))
    sink.write(
        through,
        ("id", "participation_id", "organisation_id"),
        [(i, *link) for i, link in zip(link_ids, links, strict=True)],
    )
