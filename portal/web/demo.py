"""Fictional demo data for a development database, built through the real services.

Everything is keyed on natural keys (usernames, slugs, agreement numbers, NIKs, track and batch
codes), so a second run creates nothing. Random choices come from generators seeded with fixed
strings, so every run produces the same people. Dates of batches and sessions are relative to the
day the batch is first created and are kept from then on; so are the dates of placements, phase
changes, check-ins and cases, relative to the day each placement or case is first created.
"""

import contextlib
import datetime as dt
import os
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from participants.models import (
    Consent,
    DecileRecord,
    FormerPrisonerProfile,
    Participant,
    PersonalDocument,
    ReturningWorkerProfile,
    StudentProfile,
)
from participants.services import (
    consent_give,
    document_add,
    participant_create,
    participant_update,
    participation_decide,
    pending_change_propose,
)
from partners.models import (
    Agreement,
    AgreementParty,
    Commitment,
    Membership,
    Organisation,
    Programme,
    ScopeItem,
)
from placements.models import (
    MILESTONE_STEPS,
    Case,
    CheckIn,
    ChecklistItem,
    Incident,
    JobOrder,
    Phase,
    Placement,
    Referral,
    Service,
)
from placements.services import (
    PlacementError,
    PlacementRefused,
    case_note_add,
    case_open,
    case_set_status,
    checkin_record,
    contract_change_record,
    incident_record,
    job_order_create,
    milestone_record,
    placement_advance,
    placement_create,
    placement_rules_load,
    referral_answer,
    referral_complete,
    referral_create,
    service_deliver,
)
from portal.accounts.models import Role, User
from portal.accounts.services import user_create
from portal.regions.models import Province, Regency
from training.models import AssessmentResult, Batch, Enrolment, Module, Session, Track
from training.services import (
    TrainingError,
    assessment_record,
    attendance_record,
    certificate_issue,
    enrolment_create,
)

DEFAULT_PASSWORD = "demo-portal-2026"
SEED = "portal-demo-2026"


def demo_password():
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


# --- Organisations -----------------------------------------------------------------------------

ORGANISATIONS = [
    # slug, name, kind, parent slug, regency, extra fields
    ("kemenp2mi", "Kementerian Pelindungan Pekerja Migran Indonesia (KemenP2MI)", "ministry",
     None, "31.74", {}),
    ("kemensos", "Kementerian Sosial (Kemensos)", "ministry", None, "31.71", {}),
    ("pt-panca-boga-sekawan", "PT Panca Boga Sekawan", "csr_company", None, "51.71",
     {"contact_person": "Divisi CSR", "address": "Jl. By Pass Ngurah Rai, Denpasar"}),
    ("bp3mi-bali", "BP3MI Bali", "regional_office", "kemenp2mi", "51.71",
     {"address": "Jl. Ngurah Rai No. 7, Denpasar"}),
    ("sr-denpasar", "Sekolah Rakyat Menengah Atas 20 Denpasar", "sekolah_rakyat", "kemensos",
     "51.71", {}),
    ("sr-malang", "Sekolah Rakyat Menengah Atas 9 Malang", "sekolah_rakyat", "kemensos",
     "35.07", {}),
    ("sr-kupang", "Sekolah Rakyat Menengah Atas 6 Kupang", "sekolah_rakyat", "kemensos",
     "53.71", {}),
    ("lapas-kerobokan", "Lapas Kelas IIA Kerobokan", "corrections_facility", None, "51.03", {}),
    ("lapas-singaraja", "Lapas Kelas IIB Singaraja", "corrections_facility", None, "51.08", {}),
    ("lpka-karangasem", "LPKA Karangasem", "corrections_facility", None, "51.07", {}),
    ("sentra-pangudi-luhur", "Sentra Terpadu Pangudi Luhur Bekasi", "rehabilitation_centre",
     "kemensos", "32.75", {}),
    ("lpk-dharma-bhakti", "LPK Dharma Bhakti Denpasar", "training_provider", None, "51.71", {}),
    ("pt-duta-karya-mandiri", "PT Duta Karya Mandiri (P3MI)", "placement_agency", None, "35.78",
     {"licence_number": "SIP3MI 2/1187/PK.02/XI/2024"}),
    ("nagoya-kogyo", "Nagoya Kogyo Co., Ltd.", "foreign_employer", None, None,
     {"country_id": "JP"}),
]  # fmt: skip


def seed_organisations():
    orgs = {}
    for slug, name, kind, parent, regency, extra in ORGANISATIONS:
        defaults = {
            "name": name,
            "kind": kind,
            "parent": orgs.get(parent),
            "regency_id": regency,
            "province_id": regency[:2] if regency else None,
            **extra,
        }
        orgs[slug], _ = Organisation.objects.get_or_create(slug=slug, defaults=defaults)
    return orgs


# --- Agreements and programmes -----------------------------------------------------------------

MOU_NUMBER = "01/MOU/KEMENSOS-KP2MI/XI/2025"
PKS_KK_NUMBER = "PKS.02/KP2MI-PBS-BP3MI/XI/2025"
PKS_SR_NUMBER = "PKS.03/KEMENSOS-KP2MI/XII/2025"


def _agreement(number, *, kind, title, signed_on, years, parties, scope=()):
    valid_until = signed_on.replace(year=signed_on.year + years) - dt.timedelta(days=1)
    agreement, created = Agreement.objects.get_or_create(
        number=number,
        defaults={
            "kind": kind,
            "title": title,
            "signed_on": signed_on,
            "valid_from": signed_on,
            "valid_until": valid_until,
        },
    )
    for organisation, role in parties:
        AgreementParty.objects.get_or_create(
            agreement=agreement, organisation=organisation, defaults={"role": role}
        )
    if created and scope:
        agreement.scope_items.set(ScopeItem.objects.filter(code__in=scope))
    return agreement


def _commitment(agreement, *, kind, target, description, organisation, programme=None, track=""):
    Commitment.objects.get_or_create(
        agreement=agreement,
        kind=kind,
        programme=programme,
        track_code=track,
        defaults={"target": target, "description": description, "organisation": organisation},
    )


def seed_agreements(orgs, programmes):
    mou = _agreement(
        MOU_NUMBER,
        kind=Agreement.Kind.MOU,
        title="Nota Kesepahaman Kemensos dan KemenP2MI tentang Pelindungan dan Pemberdayaan "
        "Pekerja Migran Indonesia dan Keluarganya",
        signed_on=dt.date(2025, 11, 3),
        years=5,
        parties=[(orgs["kemensos"], "Pihak Pertama"), (orgs["kemenp2mi"], "Pihak Kedua")],
        scope=list(ScopeItem.objects.values_list("code", flat=True)),
    )
    pks_kk = _agreement(
        PKS_KK_NUMBER,
        kind=Agreement.Kind.PKS,
        title="Perjanjian Kerja Sama Program Kesempatan Kedua bagi Mantan Warga Binaan",
        signed_on=dt.date(2025, 11, 20),
        years=3,
        parties=[
            (orgs["kemenp2mi"], "Pihak Pertama"),
            (orgs["pt-panca-boga-sekawan"], "Mitra CSR"),
            (orgs["bp3mi-bali"], "Pelaksana wilayah"),
        ],
        scope=["safe-migration-outreach", "data-information-exchange"],
    )
    pks_sr = _agreement(
        PKS_SR_NUMBER,
        kind=Agreement.Kind.PKS,
        title="Perjanjian Kerja Sama Penyelenggaraan Kelas Migran di Sekolah Rakyat",
        signed_on=dt.date(2025, 12, 10),
        years=3,
        parties=[(orgs["kemensos"], "Pihak Pertama"), (orgs["kemenp2mi"], "Pihak Kedua")],
        scope=["kelas-migran-sekolah-rakyat", "data-information-exchange"],
    )
    kk, sr, rpmi = (
        programmes[c] for c in ("kesempatan-kedua", "kelas-migran-sr", "reintegrasi-pmi")
    )
    kk.agreements.add(pks_kk)
    sr.agreements.add(mou, pks_sr)
    rpmi.agreements.add(mou)
    pbs = orgs["pt-panca-boga-sekawan"]
    _commitment(
        pks_kk,
        kind=Commitment.Kind.QUOTA,
        target=100,
        programme=kk,
        organisation=pbs,
        description="100 peserta mantan warga binaan dilatih dan disiapkan",
    )
    _commitment(
        pks_kk,
        kind=Commitment.Kind.BUDGET,
        target=Decimal("1500000000"),
        programme=kk,
        organisation=pbs,
        description="Dana CSR pelatihan las dan bahasa",
    )
    _commitment(
        pks_kk,
        kind=Commitment.Kind.TRACK,
        target=40,
        programme=kk,
        organisation=pbs,
        track="las-smaw-3g",
        description="Pelatihan las SMAW hingga uji AWS D1.1 3G",
    )
    _commitment(
        pks_sr,
        kind=Commitment.Kind.QUOTA,
        target=300,
        programme=sr,
        organisation=orgs["kemensos"],
        description="Siswa SMA Sekolah Rakyat di kelas migran",
    )
    _commitment(
        pks_sr,
        kind=Commitment.Kind.TRACK,
        target=120,
        programme=sr,
        organisation=orgs["kemenp2mi"],
        track="bahasa-inggris",
        description="Bahasa Inggris untuk kelas migran",
    )
    return {"mou": mou, "pks_kk": pks_kk, "pks_sr": pks_sr}


# --- Accounts ----------------------------------------------------------------------------------

ACCOUNTS = [
    # username, role, first name, last name, organisation slug (partner staff)
    ("admin", Role.MINISTRY_ADMIN, "Ratna", "Kusumawati", None),
    ("officer", Role.MINISTRY_OFFICER, "I Gusti Ngurah", "Wirawan", None),
    ("analyst", Role.ANALYST, "Dimas", "Pratama", None),
    ("pbs", Role.PARTNER_STAFF, "Ni Wayan", "Sukmawati", "pt-panca-boga-sekawan"),
    ("sr_staff", Role.PARTNER_STAFF, "Komang", "Ariani", "sr-denpasar"),
    ("peserta", Role.PARTICIPANT, "", "", None),
]


def seed_accounts(orgs):
    password = demo_password()
    users = {}
    for username, role, first, last, org in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                role=role,
                email=f"{username}@demo.portal.test",
                first_name=first,
                last_name=last,
                password=password,
                provinces=Province.objects.filter(code="51") if username == "officer" else (),
            )
        if org:
            Membership.objects.get_or_create(
                user=user, defaults={"organisation": orgs[org], "is_lead": True}
            )
        users[username] = user
    return users


# --- People ------------------------------------------------------------------------------------

# (name, sex) pools; the generator walks them in order, so the same NIKs come out every run.
FORMER_PRISONERS = [
    ("I Made Sudarsana", "M"), ("I Nyoman Arsana", "M"), ("I Ketut Suardana", "M"),
    ("I Wayan Budiarta", "M"), ("I Putu Eka Wirawan", "M"), ("I Kadek Adi Putra", "M"),
    ("I Komang Sukerta", "M"), ("I Gede Ariawan", "M"), ("Ni Luh Putu Sri Wahyuni", "F"),
    ("Ni Ketut Sumiartini", "F"), ("Ni Made Ayu Lestari", "F"), ("I Nyoman Suparta", "M"),
    ("I Made Dwi Saputra", "M"), ("I Ketut Mertayasa", "M"), ("Agus Setiawan", "M"),
    ("Eko Prasetyo", "M"), ("Joko Susilo", "M"), ("Asep Saepudin", "M"),
    ("Dede Kurniawan", "M"), ("Yohanes Bria", "M"), ("Fransiskus Nahak", "M"),
    ("Andi Muhammad Akbar", "M"), ("Sukarni", "F"), ("I Wayan Suwija", "M"),
]  # fmt: skip
STUDENTS = [
    ("Ni Kadek Ayu Pradnyani", "F"), ("I Gede Bayu Pramana", "M"),
    ("Ni Komang Tri Yuliantari", "F"), ("I Putu Agus Mahendra", "M"),
    ("Ni Putu Dewi Antari", "F"), ("I Kadek Surya Dharma", "M"),
    ("Ni Luh Gede Sintya", "F"), ("I Made Rai Wirajaya", "M"),
    ("Muhammad Rizky Ramadhan", "M"), ("Siti Nur Aisyah", "F"), ("Dwi Wulandari", "F"),
    ("Bagus Setyo Nugroho", "M"), ("Rina Puspitasari", "F"), ("Ahmad Fauzi", "M"),
    ("Nur Hidayah", "F"), ("Yoga Prasetya", "M"),
    ("Maria Goreti Seran", "F"), ("Petrus Tefa", "M"), ("Yuliana Nenobais", "F"),
    ("Kristoforus Lake", "M"), ("Agustina Mau", "F"), ("Yosef Nahak", "M"),
]  # fmt: skip
RETURNING_WORKERS = [
    ("Sri Rahayu", "F"), ("Siti Aminah", "F"), ("Tukiyem", "F"), ("Slamet Riyadi", "M"),
    ("Ngatini", "F"), ("Euis Kartika", "F"), ("Ujang Suherman", "M"), ("Neng Rina Marlina", "F"),
    ("Andi Nurhaliza", "F"), ("Muhammad Ridwan", "M"), ("Ni Nyoman Sukerti", "F"),
    ("I Ketut Darma", "M"), ("Suparmi", "F"), ("Agustinus Kefi", "M"), ("Budi Santoso", "M"),
    ("Cecep Hidayat", "M"),
]  # fmt: skip

# Domicile regencies per origin; names above are grouped by origin for plausibility.
BALI = ["51.71", "51.03", "51.02", "51.04", "51.08", "51.07", "51.01", "51.06"]
JATIM = ["35.07", "35.09", "35.10", "35.15", "35.78"]
JABAR = ["32.01", "32.04", "32.73"]
NTT = ["53.01", "53.71", "53.03"]
SULSEL = ["73.71", "73.08"]

MOBILE_PREFIXES = ["812", "813", "821", "822", "852", "853", "857", "858", "877", "878", "896"]


@dataclass
class Person:
    full_name: str
    sex: str
    regency: str
    birth_date: dt.date
    nik: str
    phone: str
    fields: dict = field(default_factory=dict)


def _origin(name):
    if name.startswith(("I ", "Ni ")):
        return BALI
    if name.startswith("Andi") or name == "Muhammad Ridwan":
        return SULSEL
    if name.split()[-1] in {"Bria", "Nahak", "Seran", "Tefa", "Nenobais", "Lake", "Mau", "Kefi"}:
        return NTT
    if name.split()[0] in {"Asep", "Dede", "Euis", "Ujang", "Neng", "Cecep"}:
        return JABAR
    return JATIM


def _nik(regency, district, birth, sex, serial):
    day = birth.day + (40 if sex == "F" else 0)
    return f"{regency.replace('.', '')}{district:02d}{day:02d}{birth:%m%y}{serial:04d}"


def _phone(rng):
    return f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7, 10**8)}"


def _birth(rng, start_year, end_year):
    start = dt.date(start_year, 1, 1)
    return start + dt.timedelta(days=rng.randrange((dt.date(end_year, 12, 31) - start).days))


def plan_people():
    """The demo people as plain data: (category, Person), in a fixed order."""
    rng = random.Random(SEED)
    serial = iter(range(1001, 9999))
    people = []

    def person(name, sex, regency, birth):
        nik = _nik(regency, rng.randrange(1, 10), birth, sex, next(serial))
        return Person(name, sex, regency, birth, nik, _phone(rng))

    for i, (name, sex) in enumerate(FORMER_PRISONERS):
        # Balinese names live across Bali's regencies; the others where their names come from.
        regency = (
            BALI[i % len(BALI)] if name.startswith(("I ", "Ni ")) else rng.choice(_origin(name))
        )
        birth = _birth(rng, 1984, 2003) if i != 23 else dt.date(1978, 3, 14)  # one over 45
        people.append(("former_prisoner", person(name, sex, regency, birth)))
    schools = ["sr-denpasar"] * 8 + ["sr-malang"] * 8 + ["sr-kupang"] * 6
    school_regency = {"sr-denpasar": BALI, "sr-malang": ["35.07", "35.73"], "sr-kupang": NTT}
    for (name, sex), school in zip(STUDENTS, schools, strict=True):
        p = person(name, sex, rng.choice(school_regency[school]), _birth(rng, 2009, 2010))
        p.fields["school"] = school
        people.append(("sr_student", p))
    for name, sex in RETURNING_WORKERS:
        people.append(
            (
                "returning_worker",
                person(name, sex, rng.choice(_origin(name)), _birth(rng, 1980, 1998)),
            )
        )
    return people


# Deliberate disagreements between the "sheet" and the NIK, to produce review warnings.
MISMATCHES = {
    "Ni Made Ayu Lestari": {"birth_date_shift": 1},
    "Eko Prasetyo": {"sex": "F"},
    "Siti Aminah": {"birth_date_shift": 31},
}
NO_CONSENT = {
    "I Gede Ariawan",
    "Joko Susilo",
    "I Made Rai Wirajaya",
    "Yoga Prasetya",
    "Ngatini",
    "Cecep Hidayat",
}
TRAFFICKING_VICTIMS = {"Muhammad Ridwan", "Neng Rina Marlina"}
LANDLINE_ONLY = {"Slamet Riyadi": "+62341551234"}
AMBIGUOUS_DECILE = "Kristoforus Lake"
PESERTA = "I Made Sudarsana"


def seed_people(*, orgs, users, programmes):
    admin, officer = users["admin"], users["officer"]
    participants = {"former_prisoner": [], "sr_student": [], "returning_worker": []}
    for category, person in plan_people():
        details = random.Random(person.nik)  # per person: stable whatever else changes
        participant = Participant.objects.filter(nik=person.nik).first()
        if participant is None:
            participant = _create_participant(
                category, person, orgs=orgs, admin=admin, officer=officer, rng=details
            )
        participants[category].append(participant)
        _profile(category, participant, person, orgs=orgs, rng=details)
        _consents(participant, person, category, admin=admin)
        _participation(category, participant, person, orgs=orgs, programmes=programmes, admin=admin)
    _documents_and_changes(participants, admin=admin)
    peserta = next(p for p in participants["former_prisoner"] if p.full_name == PESERTA)
    if peserta.user_id is None:
        # No service links an account to a person yet; this is the only direct assignment.
        peserta.user = users["peserta"]
        peserta.save(update_fields=["user", "updated_at"])
    return participants


def _create_participant(category, person, *, orgs, admin, officer, rng):
    birth_date, sex = person.birth_date, person.sex
    mismatch = MISMATCHES.get(person.full_name, {})
    if "birth_date_shift" in mismatch:
        birth_date = birth_date + dt.timedelta(days=mismatch["birth_date_shift"])
    sex = mismatch.get("sex", sex)
    fields = {
        "sex": sex,
        "birth_date": birth_date,
        "birth_place": "",
        "phone": LANDLINE_ONLY.get(person.full_name, person.phone),
        "regency": Regency.objects.get(code=person.regency),
        "address": f"Jl. {rng.choice(STREETS)} No. {rng.randrange(1, 120)}",
        "is_former_prisoner": category == "former_prisoner",
        "is_sr_student": category == "sr_student",
        "is_returning_worker": category == "returning_worker",
    }
    if person.regency.startswith("51"):
        fields["officer"] = officer
    if category == "sr_student":
        fields["education_level"] = "smp"
        fields["phone_is_guardian"] = True
        fields["kk_number"] = _kk(person, rng)
    else:
        fields["education_level"] = rng.choice(["sd", "smp", "smp", "sma", "sma", "sma"])
    if category == "returning_worker":
        fields["siskop2mi_id"] = f"SISKO-{rng.randrange(10**7, 10**8)}"
    return participant_create(
        nik=person.nik, full_name=person.full_name, actor=admin, source="seed_demo", **fields
    )


STREETS = ["Gatot Subroto", "Raya Kerobokan", "Imam Bonjol", "Diponegoro", "Sudirman",
           "Ahmad Yani", "Veteran", "Pahlawan", "Merdeka", "Kartini", "Teuku Umar"]  # fmt: skip
GUARDIANS = {
    "51": ["I Wayan Sudiarta", "Ni Nyoman Rasmini", "I Ketut Wardana", "Ni Made Suartini"],
    "35": ["Sutrisno", "Sulastri", "Suyanto", "Wahyuni"],
    "53": ["Yohanes Seran", "Maria Bano", "Paulus Nahak", "Theresia Tael"],
}


def _kk(person, rng):
    issued = dt.date(rng.randrange(2012, 2022), rng.randrange(1, 13), rng.randrange(1, 28))
    district, serial = rng.randrange(1, 10), rng.randrange(1, 9999)
    return f"{person.regency.replace('.', '')}{district:02d}{issued:%d%m%y}{serial:04d}"


def _profile(category, participant, person, *, orgs, rng):
    if category == "former_prisoner":
        facility = orgs[
            rng.choice(["lapas-kerobokan"] * 4 + ["lapas-singaraja", "lpka-karangasem"])
        ]
        today = timezone.localdate()
        parole = rng.random() < 0.3
        release = today - dt.timedelta(days=rng.randrange(60, 700))
        FormerPrisonerProfile.objects.get_or_create(
            participant=participant,
            defaults={
                "facility": facility,
                "release_type": "parole" if parole else "free",
                "release_date": release,
                "supervision_end_date": today + dt.timedelta(days=rng.randrange(30, 300))
                if parole
                else None,
                "sentence_months": rng.choice([8, 10, 14, 18, 24, 36, 48]),
                "offence_category": rng.choice(["other", "other", "other", "drug"]),
            },
        )
    elif category == "sr_student":
        StudentProfile.objects.get_or_create(
            participant=participant,
            defaults={
                "school": orgs[person.fields["school"]],
                "level": "sma",
                "grade": 10,
                "expected_graduation_year": 2028,
                "guardian_name": rng.choice(GUARDIANS[person.regency[:2]]),
                "guardian_phone": person.phone,
                "guardian_consent": True,
            },
        )
        if participant.kk_number:
            ambiguous = person.full_name == AMBIGUOUS_DECILE
            DecileRecord.objects.get_or_create(
                kk_number=participant.kk_number,
                as_of=dt.date(2025, 10, 1),
                source=DecileRecord.Source.SELF_REPORTED if ambiguous else "dtsen_check",
                defaults={
                    "decile": None if ambiguous else rng.choice([1, 1, 2]),
                    "raw_text": "1-2" if ambiguous else "",
                },
            )
    else:
        ReturningWorkerProfile.objects.get_or_create(
            participant=participant,
            defaults={
                "last_destination_id": "KH"
                if person.full_name in TRAFFICKING_VICTIMS
                else rng.choice(["MY", "TW", "HK", "SA", "KR", "JP"]),
                "return_date": timezone.localdate() - dt.timedelta(days=rng.randrange(20, 400)),
                "return_reason": "Dipulangkan (korban penipuan daring)"
                if person.full_name in TRAFFICKING_VICTIMS
                else rng.choice(["Kontrak selesai", "Kontrak selesai", "Sakit", "PHK"]),
                "is_trafficking_victim": person.full_name in TRAFFICKING_VICTIMS,
            },
        )


def _consents(participant, person, category, *, admin):
    if person.full_name in NO_CONSENT:
        return
    if participant.consents.standing().filter(purpose=Consent.Purpose.PARTNER_SHARING).exists():
        return
    if participant.is_minor():
        consent_give(
            participant=participant,
            purpose=Consent.Purpose.PARTNER_SHARING,
            actor=admin,
            given_by=Consent.GivenBy.GUARDIAN,
            guardian_name=participant.student_profile.guardian_name,
        )
    else:
        consent_give(participant=participant, purpose=Consent.Purpose.PARTNER_SHARING, actor=admin)


def _participation(category, participant, person, *, orgs, programmes, admin):
    if category == "former_prisoner":
        programme = programmes["kesempatan-kedua"]
        organisations = [orgs["pt-panca-boga-sekawan"], orgs["bp3mi-bali"]]
    elif category == "sr_student":
        programme = programmes["kelas-migran-sr"]
        organisations = [orgs[person.fields["school"]], orgs["kemensos"]]
    else:
        programme = programmes["reintegrasi-pmi"]
        bali = person.regency.startswith("51")
        organisations = [orgs["bp3mi-bali"] if bali else orgs["kemensos"]]
        if person.full_name in TRAFFICKING_VICTIMS:
            organisations.append(orgs["sentra-pangudi-luhur"])
    if participant.participations.filter(programme=programme).exists():
        return
    participation_decide(
        participant=participant, programme=programme, actor=admin, organisations=organisations
    )


def _documents_and_changes(participants, *, admin):
    today = timezone.localdate()
    for participant in participants["former_prisoner"][:6] + participants["returning_worker"][:4]:
        number = f"X{participant.nik[-7:]}"
        if not participant.documents.filter(kind=PersonalDocument.Kind.PASSPORT).exists():
            issued = today - dt.timedelta(days=200)
            document_add(
                participant=participant,
                kind=PersonalDocument.Kind.PASSPORT,
                actor=admin,
                number=number,
                issued_on=issued,
                expires_on=issued.replace(year=issued.year + 10),
            )
    for i, participant in enumerate(participants["former_prisoner"][:5]):
        if not participant.documents.filter(kind=PersonalDocument.Kind.MEDICAL).exists():
            # Medical checks are valid about three months: one has already expired.
            issued = today - dt.timedelta(days=100 if i == 0 else 20 + 7 * i)
            document_add(
                participant=participant,
                kind=PersonalDocument.Kind.MEDICAL,
                actor=admin,
                number=f"MCU/{issued:%Y}/{participant.nik[-4:]}",
                issued_on=issued,
                expires_on=issued + dt.timedelta(days=90),
            )
    source = "Rekap BP3MI Bali, Oktober 2026"
    for participant in participants["former_prisoner"][2:4]:
        pending_change_propose(
            participant=participant,
            field="phone",
            proposed_value=f"+62878{int(participant.nik[-7:]):08d}",
            source=source,
            actor=admin,
        )
    worker = participants["returning_worker"][0]
    pending_change_propose(
        participant=worker,
        field="address",
        proposed_value="Dusun Krajan RT 02 RW 03, Kec. Kalipare",
        source="Formulir reintegrasi",
        actor=admin,
    )


# --- Training ----------------------------------------------------------------------------------

TRACKS = [
    # code, name, kind, language, CEFR level attested, target, hours, modules (title, hours)
    ("las-smaw-3g", "Las SMAW pelat 3G", "welding", "", "", "AWS D1.1 3G (pelat)", 120, [
        ("K3 pengelasan dan alat pelindung diri", 8), ("SMAW dasar: posisi 1F-2F", 40),
        ("SMAW pelat 3G", 60), ("Persiapan uji AWS D1.1", 12)]),
    ("bahasa-jepang-a2", "Bahasa Jepang A2", "language", "ja", "A2", "JFT-Basic A2", 150, [
        ("Hiragana dan katakana", 30), ("Kanji dasar dan kosakata kerja", 50),
        ("Percakapan di tempat kerja", 50), ("Persiapan JFT-Basic", 20)]),
    ("bahasa-korea-eps", "Bahasa Korea EPS-TOPIK", "language", "ko", "A2", "EPS-TOPIK", 120, [
        ("Hangeul", 20), ("Percakapan sehari-hari", 50), ("Persiapan EPS-TOPIK", 50)]),
    ("bahasa-inggris", "Bahasa Inggris untuk kerja", "language", "en", "A2", "TOEIC 450", 80, [
        ("Basic English", 30), ("Workplace English", 30), ("Interview practice", 20)]),
    ("pembinaan-karakter", "Pembinaan mental dan karakter", "character", "", "", "", 40, [
        ("Pembinaan mental dan spiritual", 10), ("Disiplin dan etos kerja", 10),
        ("Budaya negara tujuan", 10), ("Migrasi aman dan hak PMI", 10)]),
]  # fmt: skip


def seed_tracks():
    tracks = {}
    for code, name, kind, language, level, target, hours, modules in TRACKS:
        track, _ = Track.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "language": language,
                "language_level": level,
                "target_certification": target,
                "target_hours": hours,
            },
        )
        if level and not track.language_level:
            # Tracks made before levels existed: say what their certificates attest.
            track.language_level = level
            track.save(update_fields=["language_level"])
        for order, (title, module_hours) in enumerate(modules, start=1):
            Module.objects.get_or_create(
                track=track, order=order, defaults={"title": title, "hours": module_hours}
            )
        tracks[code] = track
    return tracks


@dataclass
class BatchPlan:
    code: str
    name: str
    track: str
    programme: str
    provider: str
    venue: str
    venue_regency: str
    capacity: int
    start_offset: int  # days from today when first created
    weeks: int
    weekdays: tuple  # Monday = 0
    local_time: tuple  # (hour, minute, duration in minutes)


BATCHES = [
    BatchPlan("kk-las-denpasar-2026", "Las SMAW Angkatan I Denpasar", "las-smaw-3g",
              "kesempatan-kedua", "pt-panca-boga-sekawan", "Bengkel Las PT Panca Boga Sekawan, "
              "Denpasar", "51.71", 16, -35, 10, (0, 2, 4), (8, 0, 240)),
    BatchPlan("kk-jepang-denpasar-2026", "Bahasa Jepang Kesempatan Kedua", "bahasa-jepang-a2",
              "kesempatan-kedua", "lpk-dharma-bhakti", "LPK Dharma Bhakti, Denpasar", "51.71",
              12, -14, 12, (1, 3), (13, 0, 180)),
    BatchPlan("kk-karakter-denpasar-2026", "Pembinaan Karakter Angkatan I", "pembinaan-karakter",
              "kesempatan-kedua", "bp3mi-bali", "Aula BP3MI Bali, Denpasar", "51.71", 25, -70, 4,
              (1, 4), (9, 0, 120)),
    BatchPlan("sr-denpasar-inggris-2026", "Bahasa Inggris Kelas Migran SRMA 20 Denpasar",
              "bahasa-inggris", "kelas-migran-sr", "sr-denpasar", "SRMA 20 Denpasar, ruang 3",
              "51.71", 20, -21, 14, (0, 2), (14, 0, 90)),
    BatchPlan("sr-malang-korea-2026", "Bahasa Korea Kelas Migran SRMA 9 Malang",
              "bahasa-korea-eps", "kelas-migran-sr", "sr-malang", "SRMA 9 Malang, lab bahasa",
              "35.07", 20, 7, 16, (1, 3), (15, 0, 90)),
]  # fmt: skip


def seed_batches(*, tracks, orgs, programmes):
    today = timezone.localdate()
    batches = {}
    for plan in BATCHES:
        provider = orgs[plan.provider]
        starts_on = today + dt.timedelta(days=plan.start_offset)
        starts_on -= dt.timedelta(days=starts_on.weekday())  # classes start on a Monday
        batch, created = Batch.objects.get_or_create(
            code=plan.code,
            defaults={
                "name": plan.name,
                "track": tracks[plan.track],
                "programme": programmes[plan.programme],
                "provider": provider,
                "venue": plan.venue,
                "venue_regency_id": plan.venue_regency,
                "timezone": provider.timezone,
                "capacity": plan.capacity,
                "starts_on": starts_on,
                "ends_on": starts_on + dt.timedelta(weeks=plan.weeks, days=-1),
                "status": Batch.Status.RUNNING if starts_on <= today else Batch.Status.PLANNED,
            },
        )
        if not batch.sessions.exists():
            _sessions(batch, plan)
        batches[plan.code] = batch
    return batches


def _sessions(batch, plan):
    zone = ZoneInfo(batch.timezone)
    hour, minute, minutes = plan.local_time
    modules = list(batch.track.modules.all())
    days = [
        batch.starts_on + dt.timedelta(days=d)
        for d in range((batch.ends_on - batch.starts_on).days + 1)
        if (batch.starts_on + dt.timedelta(days=d)).weekday() in plan.weekdays
    ]
    rows = []
    for i, day in enumerate(days):
        starts = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
        module = modules[i * len(modules) // len(days)] if modules else None
        rows.append(
            Session(
                batch=batch,
                module=module,
                topic=f"Pertemuan {i + 1}" + (f": {module.title}" if module else ""),
                starts_at=starts.astimezone(dt.UTC),
                ends_at=(starts + dt.timedelta(minutes=minutes)).astimezone(dt.UTC),
            )
        )
    Session.objects.bulk_create(rows)


def _enrol(batch, participants, *, admin):
    for participant in participants:
        if batch.enrolments.filter(participant=participant).exists():
            continue
        with contextlib.suppress(TrainingError):
            # Not eligible (over 45, ambiguous decile...): the participation says why.
            enrolment_create(
                participant=participant,
                batch=batch,
                actor=admin,
                on=max(batch.starts_on - dt.timedelta(days=7), dt.date(2025, 12, 1)),
            )


ABSENTEE = "I Komang Sukerta"  # three absences in a row in the welding batch


def _attendance(batch, *, admin):
    now = timezone.now()
    enrolments = list(batch.enrolments.select_related("participant"))
    past = list(batch.sessions.filter(starts_at__lte=now).order_by("starts_at"))
    for index, session in enumerate(past):
        statuses = {}
        for enrolment in enrolments:
            if enrolment.status not in Enrolment.OPEN_STATUSES + (Enrolment.Status.COMPLETED,):
                continue
            nik = enrolment.participant.nik
            if enrolment.participant.full_name == ABSENTEE and index >= len(past) - 3:
                statuses[enrolment.pk] = "absent"
                continue
            roll = random.Random(f"{nik}:{batch.code}:{session.starts_at:%Y%m%d}").random()
            weak = int(nik[-4:]) % 7 == 0  # a few people miss much more often
            if roll < (0.55 if weak else 0.82):
                statuses[enrolment.pk] = "present"
            elif roll < (0.65 if weak else 0.91):
                statuses[enrolment.pk] = "late"
            elif roll < (0.75 if weak else 0.96):
                statuses[enrolment.pk] = "excused"
            else:
                statuses[enrolment.pk] = "absent"
        if statuses and not session.attendances.exists():
            attendance_record(session=session, statuses=statuses, actor=admin)


def _scores(batch, *, kind, on, admin):
    if on > timezone.localdate():
        return
    for enrolment in batch.enrolments.all():
        if AssessmentResult.objects.filter(enrolment=enrolment, kind=kind, assessed_on=on).exists():
            continue
        score = random.Random(f"{enrolment.participant.nik}:{batch.code}:{kind}").randrange(52, 97)
        with contextlib.suppress(TrainingError):
            assessment_record(
                enrolment=enrolment, kind=kind, score=score, assessed_on=on, actor=admin
            )


def _certificates(batch, *, issuer, admin):
    issued = 0
    for enrolment in batch.enrolments.filter(certificate__isnull=True):
        try:
            certificate_issue(
                enrolment=enrolment,
                actor=admin,
                issuer=issuer,
                issued_on=batch.ends_on + dt.timedelta(days=3),
            )
            issued += 1
        except TrainingError:
            pass  # completion rule not met: attendance or score too low
    return issued


def seed_training(*, participants, orgs, programmes, admin):
    tracks = seed_tracks()
    batches = seed_batches(tracks=tracks, orgs=orgs, programmes=programmes)
    former = participants["former_prisoner"]
    students = participants["sr_student"]
    by_school = {}
    for student in students:
        by_school.setdefault(student.student_profile.school.slug, []).append(student)

    welding = batches["kk-las-denpasar-2026"]
    _enrol(welding, former[:14], admin=admin)
    _enrol(batches["kk-jepang-denpasar-2026"], former[4:16], admin=admin)
    character = batches["kk-karakter-denpasar-2026"]
    _enrol(character, former, admin=admin)
    _enrol(batches["sr-denpasar-inggris-2026"], by_school.get("sr-denpasar", []), admin=admin)
    _enrol(batches["sr-malang-korea-2026"], by_school.get("sr-malang", []), admin=admin)
    # SR Kupang students have a participation but no class yet.

    for batch in batches.values():
        _attendance(batch, admin=admin)
    _scores(welding, kind="practical", on=welding.starts_on + dt.timedelta(weeks=3), admin=admin)
    _scores(
        batches["sr-denpasar-inggris-2026"],
        kind="written",
        on=batches["sr-denpasar-inggris-2026"].starts_on + dt.timedelta(weeks=2),
        admin=admin,
    )
    _scores(character, kind="final", on=character.ends_on, admin=admin)
    if character.ends_on < timezone.localdate():
        _certificates(character, issuer="BP3MI Bali", admin=admin)
        if character.status == Batch.Status.RUNNING:
            # No service moves a batch's status yet; the seed closes the finished class.
            Batch.objects.filter(pk=character.pk).update(status=Batch.Status.FINISHED)
    return batches


# --- Placements ----------------------------------------------------------------------------------

# Job orders: reference, title, country, scheme, agency slug, employer, occupation, sector,
# positions, age range, contract months, salary, currency, deadline and expected departure (days
# from today), status, requirements.
JOB_ORDERS = [
    ("DKM/SA/2026/07", "Tukang las struktur SMAW 3G/4G, Dammam (angkatan I)", "SA", "p2p",
     "pt-duta-karya-mandiri", "Al-Rashid Contracting Co., Dammam",
     "Tukang las struktur (SMAW 3G/4G)", "construction", 4, (21, 45), 24, "2200", "SAR",
     -120, -40, "filled", {}),
    ("DKM/SA/2026/19", "Tukang las struktur SMAW 3G/4G, Dammam (angkatan II)", "SA", "p2p",
     "pt-duta-karya-mandiri", "Al-Rashid Contracting Co., Dammam",
     "Tukang las struktur (SMAW 3G/4G)", "construction", 10, (21, 45), 24, "2200", "SAR",
     21, 60, "open", {}),
    ("DKM/TW/2026/11", "Operator produksi pabrik logam, Taichung", "TW", "p2p",
     "pt-duta-karya-mandiri", "Formosa Metalworks Co., Ltd., Taichung",
     "Operator fabrikasi logam", "manufacturing", 8, (20, 40), 36, "29500", "TWD",
     30, 45, "open", {}),
    ("DKM/JP/2026/03", "Tukang las galangan kapal (Tokutei Ginou), Nagasaki", "JP", "p2p",
     "pt-duta-karya-mandiri", "Nagoya Kogyo Co., Ltd. (galangan Nagasaki)",
     "Tukang las galangan kapal (SSW i)", "shipbuilding", 6, (18, 35), 36, "235000", "JPY",
     90, 180, "open", {"required_track_kind": "welding", "required_language": "ja",
                       "required_language_level": "A2"}),
    ("G2G/KR/EPS/2027-1", "EPS Korea sektor manufaktur 2027 tahap I", "KR", "g2g", "kemenp2mi",
     "UKM manufaktur Gyeonggi-do (melalui HRD Korea)", "Operator produksi manufaktur",
     "manufacturing", 40, (18, 39), 58, "2156880", "KRW", 40, 200, "open",
     {"required_language": "ko", "required_language_level": "A2"}),
    ("G2G/DE/TW/2027-1", "Triple Win: perawat ke rumah sakit mitra di Jerman", "DE", "g2g",
     "kemenp2mi", "Rumah sakit mitra Triple Win (GIZ/ZAV)", "Perawat (Pflegefachkraft)",
     "care", 15, (21, 40), 36, "2900", "EUR", 75, 270, "open",
     {"required_language": "de", "required_language_level": "B1"}),
]  # fmt: skip


def seed_job_orders(orgs, *, admin):
    today = timezone.localdate()
    job_orders = {}
    for (reference, title, country, scheme, agency, employer, occupation, sector, positions,
         (min_age, max_age), months, salary, currency, deadline, departure, status,
         requirements) in JOB_ORDERS:  # fmt: skip
        job_order = JobOrder.objects.filter(reference=reference).first()
        if job_order is None:
            job_order = job_order_create(
                actor=admin,
                reference=reference,
                title=title,
                country_id=country,
                scheme=scheme,
                agency=orgs[agency],
                employer=employer,
                occupation=occupation,
                sector=sector,
                positions=positions,
                min_age=min_age,
                max_age=max_age,
                contract_months=months,
                salary=Decimal(salary),
                salary_currency=currency,
                deadline=today + dt.timedelta(days=deadline),
                expected_departure=today + dt.timedelta(days=departure),
                status=status,
                **requirements,
            )
        job_orders[reference] = job_order
    return job_orders


def _days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def _add_months(day, months):
    years, month = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + years, month=month + 1, day=min(day.day, 28))


# Days after registration each step before departure is reached (and departure itself).
STEP_OFFSETS = {
    Phase.SELECTED: 10,
    Phase.MEDICAL_CLEARED: 24,
    Phase.CERTIFIED: 35,
    Phase.AGREEMENT_SIGNED: 45,
    Phase.PASSPORT_ISSUED: 52,
    Phase.VISA_ISSUED: 70,
    Phase.INSURED: 78,
    Phase.ORIENTED: 88,
    Phase.DEPARTED: 95,
}
# The document a milestone points to as its evidence.
EVIDENCE = {
    Phase.MEDICAL_CLEARED: "medical",
    Phase.CERTIFIED: "competency_certificate",
    Phase.AGREEMENT_SIGNED: "placement_agreement",
    Phase.PASSPORT_ISSUED: "passport",
    Phase.VISA_ISSUED: "visa",
    Phase.INSURED: "bpjs",
}
REFERENCES = {
    Phase.SELECTED: "Berita acara seleksi",
    Phase.ORIENTED: "Sertifikat OPP BP3MI",
}
# How many days before the step a missing document is issued, and how long it stays valid.
DOCUMENT_LEAD = {"skck": 20, "medical": 3, "psychological": 3, "competency_certificate": 60,
                 "marital_status": 7, "guardian_permission": 7, "passport": 10, "visa": 3,
                 "bpjs": 2}  # fmt: skip


def _document_for(placement, kind, on, *, actor):
    """A plausible document of `kind` for `placement`, issued shortly before `on`."""
    participant = placement.participant
    nik = participant.nik
    issued = on - dt.timedelta(days=DOCUMENT_LEAD.get(kind, 0))
    expires = None
    if kind in {"ktp", "kk"}:
        # The e-KTP roll-out, or the seventeenth birthday when later.
        issued = max(dt.date(2013, 1, 2), _add_months(participant.birth_date, 17 * 12))
    numbers = {
        "ktp": nik,
        "kk": participant.kk_number or f"{nik[:6]}{issued:%d%m%y}{nik[-4:]}",
        "skck": f"SKCK/YANMAS/{nik[-5:]}/{issued:%m/%Y}",
        "medical": f"MCU/{issued:%Y%m}/{nik[-4:]}",
        "psychological": f"PSI/{issued:%Y%m}/{nik[-4:]}",
        "competency_certificate": f"BNSP/LSP/{issued:%Y}/{nik[-6:]}",
        "placement_agreement": f"PP/{placement.country_id}/{issued:%Y}/{nik[-5:]}",
        "work_contract": f"PK/{placement.country_id}/{issued:%Y}/{nik[-5:]}",
        "marital_status": f"474.2/{nik[-4:]}/{issued:%Y}",
        "guardian_permission": f"IZIN/{issued:%Y}/{nik[-4:]}",
        "passport": f"{'E' if issued.year >= 2023 else 'B'}{nik[-7:]}",
        "visa": f"{placement.country_id}{issued:%y}{nik[-6:]}",
        "bpjs": f"BPJSTK-{nik[-11:]}",
    }
    if kind == "skck":
        expires = issued + dt.timedelta(days=180)
    elif kind in {"medical", "psychological", "visa"}:
        expires = issued + dt.timedelta(days=90)
    elif kind == "competency_certificate":
        expires = _add_months(issued, 36)
    elif kind == "passport":
        # Ten-year passports since October 2022; five-year ones before.
        expires = _add_months(issued, 120 if issued >= dt.date(2022, 10, 12) else 60)
    elif kind == "bpjs":
        expires = _add_months(issued, 42)
    return document_add(
        participant=participant,
        kind=kind,
        actor=actor,
        number=numbers[kind],
        issued_on=issued,
        expires_on=expires,
    )


def _paperwork(placement, step, on, *, actor, withhold=()):
    """Add the documents `step` requires that the participant lacks on `on`; returns the
    milestone's evidence document (or None)."""

    def held():
        docs = placement.participant.documents.filter(
            Q(issued_on__isnull=True) | Q(issued_on__lte=on)
        )
        return sorted(docs, key=lambda d: (d.issued_on or dt.date.min, d.pk), reverse=True)

    documents = held()
    items = ChecklistItem.objects.applying_to(
        phase=step, scheme=placement.scheme, country=placement.country_id
    )
    for item in items:
        if item.document_kind not in withhold and item.problem(documents, on):
            _document_for(placement, item.document_kind, on, actor=actor)
            documents = held()
    kind = EVIDENCE.get(step)
    return next((d for d in documents if d.kind == kind), None) if kind else None


def _step(placement, step, on, *, actor, withhold=(), reason="", override_reason=""):
    """Record the step's documents and milestone, then move; the refusal when a guard stops
    the move (None when it happened)."""
    evidence = _paperwork(placement, step, on, actor=actor, withhold=withhold)
    if step in MILESTONE_STEPS:
        milestone_record(
            placement=placement,
            step=step,
            achieved_on=on,
            actor=actor,
            evidence=evidence,
            reference=REFERENCES.get(step, ""),
            advance=False,
        )
    try:
        placement_advance(
            placement=placement,
            actor=actor,
            to_phase=step,
            on=on,
            reason=reason or "persyaratan terpenuhi",
            override_reason=override_reason,
        )
    except PlacementRefused as refused:
        return refused
    return None


def _walk(placement, *, registered_on, until, actor, departs_on=None):
    """Take `placement` through the steps before departure up to `until` (inclusive), on the
    days STEP_OFFSETS gives (departure on `departs_on` when given)."""
    for step in [*MILESTONE_STEPS, Phase.DEPARTED]:
        on = registered_on + dt.timedelta(days=STEP_OFFSETS[step])
        if step == Phase.DEPARTED and departs_on:
            on = departs_on
        reason = "berangkat ke negara penempatan" if step == Phase.DEPARTED else ""
        refused = _step(placement, step, on, actor=actor, reason=reason)
        if refused:
            raise PlacementError(f"{placement.participant} stuck before {step}: {refused}")
        if step == until:
            return


def _register(name, people, *, actor, registered_on, job_order=None, **fields):
    participant = people[name]
    return placement_create(
        participant=participant,
        actor=actor,
        job_order=job_order,
        on=registered_on,
        officer=participant.officer,
        **fields,
    )


def _demo_people(participants):
    return {p.full_name: p for group in participants.values() for p in group}


def seed_kk_placements(people, job_orders, *, admin):
    """Former prisoners of Kesempatan Kedua: every step before departure, three placements held
    by a guard, the one override, and welders abroad. Each is skipped once it exists."""
    saudi_1, saudi_2 = job_orders["DKM/SA/2026/07"], job_orders["DKM/SA/2026/19"]
    taiwan, japan = job_orders["DKM/TW/2026/11"], job_orders["DKM/JP/2026/03"]

    def new(name):
        return not people[name].placements.exists()

    def current(name, job_order, until, days_ago):
        """Registered so that `until` is reached `days_ago` days ago."""
        registered_on = _days(-days_ago - STEP_OFFSETS.get(until, 0))
        placement = _register(
            name, people, actor=admin, job_order=job_order, registered_on=registered_on
        )
        if until != Phase.REGISTERED:
            _walk(placement, registered_on=registered_on, until=until, actor=admin)
        return placement

    for name, job_order, until, days_ago in [
        ("Eko Prasetyo", taiwan, Phase.REGISTERED, 2),
        ("I Ketut Suardana", saudi_2, Phase.MEDICAL_CLEARED, 4),
        ("I Putu Eka Wirawan", saudi_2, Phase.AGREEMENT_SIGNED, 3),
        ("Agus Setiawan", taiwan, Phase.PASSPORT_ISSUED, 2),
        ("I Nyoman Suparta", saudi_2, Phase.VISA_ISSUED, 1),
        ("Ni Ketut Sumiartini", taiwan, Phase.INSURED, 1),
    ]:
        if new(name):
            current(name, job_order, until, days_ago)

    # Japan bars drug offences (Immigration Control Act art. 5): selection is refused.
    if new(DRUG_OFFENCE_JAPAN):
        placement = _register(
            DRUG_OFFENCE_JAPAN, people, actor=admin, job_order=japan, registered_on=_days(-5)
        )
        _step(placement, Phase.SELECTED, _days(0), actor=admin)
    # Medical check 100 days old: the medical step is recorded but the phase cannot move.
    if new(PESERTA):
        placement = current(PESERTA, saudi_2, Phase.SELECTED, 10)
        _step(placement, Phase.MEDICAL_CLEARED, _days(0), actor=admin, withhold={"medical"})
    # The one override: an SKCK seen on paper, not yet scanned.
    if new(OVERRIDE_SKCK):
        registered_on = _days(-40)
        placement = _register(
            OVERRIDE_SKCK, people, actor=admin, job_order=saudi_2, registered_on=registered_on
        )
        _step(
            placement,
            Phase.SELECTED,
            _days(-30),
            actor=admin,
            withhold={"skck"},
            reason="dipilih agensi; SKCK diperiksa dalam bentuk kertas",
            override_reason="SKCK asli dari Polda Bali diperiksa petugas BP3MI Bali saat "
            "seleksi; pindaian belum diunggah karena server Polda sedang gangguan.",
        )
        for step, on in [(Phase.MEDICAL_CLEARED, -16), (Phase.CERTIFIED, -5)]:
            _step(placement, step, _days(on), actor=admin)
    # Parole supervision until next year: ready to leave, but departure is refused.
    if new(PAROLE_AT_OPP):
        placement = current(PAROLE_AT_OPP, saudi_2, Phase.ORIENTED, 3)
        if people[PAROLE_AT_OPP].placement_not_before():  # never let the demo parolee leave
            _step(placement, Phase.DEPARTED, _days(0), actor=admin, reason="jadwal keberangkatan")
    if new(WITHDRAWN):
        placement = current(WITHDRAWN, taiwan, Phase.SELECTED, 50)
        placement_advance(
            placement=placement,
            actor=admin,
            to_phase=Phase.WITHDRAWN,
            on=_days(-20),
            reason="Mengundurkan diri: keluarga meminta tetap di Bali merawat ibunya yang sakit.",
        )
    _kk_abroad(people, saudi_1=saudi_1, taiwan=taiwan, admin=admin, new=new)


def _departed(name, people, job_order, *, departs, admin, months):
    """A placement that left `departs` days ago (negative), contract from two days later."""
    registered_on = _days(departs - STEP_OFFSETS[Phase.DEPARTED])
    start = _days(departs + 2)
    placement = _register(
        name,
        people,
        actor=admin,
        job_order=job_order,
        registered_on=registered_on,
        contract_start=start,
        contract_end=_add_months(start, months),
    )
    _walk(
        placement,
        registered_on=registered_on,
        until=Phase.DEPARTED,
        actor=admin,
        departs_on=_days(departs),
    )
    return placement


def _kk_abroad(people, *, saudi_1, taiwan, admin, new):
    if new("Fransiskus Nahak"):
        placement = _departed("Fransiskus Nahak", people, saudi_1, departs=-6, admin=admin,
                              months=24)  # fmt: skip
        checkin_record(
            placement=placement,
            on=_days(-4),
            channel=CheckIn.Channel.WHATSAPP,
            wellbeing=CheckIn.Wellbeing.GOOD,
            actor=admin,
            issues="Tiba di Dammam, tinggal di mes perusahaan; menunggu iqama.",
        )
    if new("Yohanes Bria"):
        placement = _departed("Yohanes Bria", people, saudi_1, departs=-38, admin=admin,
                              months=24)  # fmt: skip
        placement_advance(
            placement=placement,
            actor=admin,
            to_phase=Phase.WORKING,
            on=_days(-35),
            reason="Mulai bekerja di proyek Al-Rashid, Dammam",
        )
        for on, channel in [(-30, CheckIn.Channel.WHATSAPP), (-9, CheckIn.Channel.VIDEO)]:
            checkin_record(
                placement=placement,
                on=_days(on),
                channel=channel,
                wellbeing=CheckIn.Wellbeing.GOOD,
                actor=admin,
                issues="Sehat; gaji bulan pertama dibayar tepat waktu." if on == -9 else "",
            )
    if new(CONTRACT_ENDED):
        placement = _departed(CONTRACT_ENDED, people, taiwan, departs=-40, admin=admin,
                              months=36)  # fmt: skip
        placement_advance(
            placement=placement,
            actor=admin,
            to_phase=Phase.WORKING,
            on=_days(-37),
            reason="Mulai bekerja di Formosa Metalworks, Taichung",
        )
        checkin_record(
            placement=placement,
            on=_days(-30),
            channel=CheckIn.Channel.PHONE,
            wellbeing=CheckIn.Wellbeing.GOOD,
            actor=admin,
        )
        checkin_record(
            placement=placement,
            on=_days(-8),
            channel=CheckIn.Channel.WHATSAPP,
            wellbeing=CheckIn.Wellbeing.AT_RISK,
            actor=admin,
            issues="Pabrik mengumumkan tutup; gaji Oktober belum dibayar; broker menahan ARC.",
            escalated_to_embassy=True,
            escalation_note="Dilaporkan ke KDEI Taipei lewat Peduli WNI; KDEI meminta broker "
            "mengembalikan ARC dan menghubungi Kementerian Tenaga Kerja Taiwan.",
        )
        contract_change_record(
            placement=placement,
            on=_days(-3),
            contract_end=_days(-3),
            actor=admin,
            reason="Pabrik tutup; majikan mengakhiri kontrak. Pengalihan ke majikan baru diajukan "
            "lewat Kementerian Tenaga Kerja Taiwan.",
        )
        placement_advance(
            placement=placement,
            actor=admin,
            to_phase=Phase.CONTRACT_ENDED,
            on=_days(-3),
            reason="Kontrak diakhiri majikan (pabrik tutup); menunggu pengalihan majikan.",
        )
    if new(REPATRIATED):
        placement = _departed(REPATRIATED, people, saudi_1, departs=-36, admin=admin, months=24)
        placement_advance(
            placement=placement,
            actor=admin,
            to_phase=Phase.WORKING,
            on=_days(-33),
            reason="Mulai bekerja di proyek Al-Rashid, Dammam",
        )
        checkin_record(
            placement=placement,
            on=_days(-25),
            channel=CheckIn.Channel.PHONE,
            wellbeing=CheckIn.Wellbeing.GOOD,
            actor=admin,
        )
        incident_record(
            placement=placement,
            on=_days(-12),
            kind=Incident.Kind.ACCIDENT,
            description="Jatuh dari perancah di lokasi proyek; patah lengan kanan, dirawat di "
            "rumah sakit Dammam.",
            escalated_to_embassy=True,
            actor=admin,
            case_type=Case.Type.HEALTH,
            severity=Case.Severity.HIGH,
        )
        placement_advance(
            placement=placement,
            actor=admin,
            to_phase=Phase.REPATRIATED,
            on=_days(-5),
            reason="Dipulangkan untuk perawatan setelah kecelakaan kerja; tiket dan biaya "
            "pengobatan ditanggung majikan (JKK BPJS Ketenagakerjaan).",
        )


# Returning workers' past placements: (name, scheme, sector, occupation, employer, contract
# months, how it ended, final phase).
PAST_PLACEMENTS = [
    ("Sri Rahayu", "g2g", "manufacturing", "Operator produksi (EPS)",
     "Hwaseong Precision Co., Ltd.", 58, "contract", Phase.CLOSED),
    ("Andi Nurhaliza", "g2g", "manufacturing", "Operator perakitan elektronik (EPS)",
     "Gimhae Electronics Co., Ltd.", 36, "contract", Phase.CLOSED),
    ("Siti Aminah", "p2p", "care", "Pengasuh lansia (kaigo, SSW)",
     "Kaigo Homu Sakura, Osaka", 36, "contract", Phase.RETURNED),
    ("Slamet Riyadi", "p2p", "household", "Sopir keluarga",
     "Keluarga Chan, Kowloon", 24, "contract", Phase.RETURNED),
    ("Tukiyem", "p2p", "manufacturing", "Operator pabrik sarung tangan karet",
     "Klang Glove Industries Sdn. Bhd.", 24, "dismissed", Phase.REINTEGRATING),
    ("I Ketut Darma", "p2p", "construction", "Tukang las konstruksi",
     "Eastern Province Steel Works, Jubail", 24, "terminated", Phase.REINTEGRATING),
]  # fmt: skip


def seed_past_placements(people, orgs, *, admin):
    """Journeys that ended before the portal: abroad, home, reintegrating or closed. The return
    date is the one the returning-worker profile already holds."""
    for name, scheme, sector, occupation, employer, months, ending, final in PAST_PLACEMENTS:
        participant = people[name]
        if participant.placements.exists():
            continue
        profile = participant.returning_worker_profile
        returned_on = profile.return_date
        if ending == "contract":
            ended_on = returned_on - dt.timedelta(days=4)
            departs = _add_months(ended_on, -months) - dt.timedelta(days=2)
        else:
            ended_on = returned_on - dt.timedelta(days=3)
            departs = _add_months(ended_on, -14)
        start = departs + dt.timedelta(days=2)
        registered_on = departs - dt.timedelta(days=STEP_OFFSETS[Phase.DEPARTED])
        placement = _register(
            name,
            people,
            actor=admin,
            registered_on=registered_on,
            country=profile.last_destination,
            scheme=scheme,
            sector=sector,
            occupation=occupation,
            employer=employer,
            agency=orgs["kemenp2mi" if scheme == "g2g" else "pt-duta-karya-mandiri"],
            contract_start=start,
            contract_end=_add_months(start, months),
        )
        _walk(
            placement, registered_on=registered_on, until=Phase.DEPARTED, actor=admin,
            departs_on=departs,
        )  # fmt: skip
        placement_advance(
            placement=placement, actor=admin, to_phase=Phase.WORKING, on=start,
            reason="Mulai bekerja",
        )  # fmt: skip
        if ending == "dismissed":
            checkin_record(
                placement=placement,
                on=ended_on - dt.timedelta(days=45),
                channel=CheckIn.Channel.WHATSAPP,
                wellbeing=CheckIn.Wellbeing.CONCERNS,
                actor=admin,
                issues="Gaji tiga bulan terakhir belum dibayar; lembur tidak dihitung.",
            )
            incident_record(
                placement=placement,
                on=ended_on - dt.timedelta(days=30),
                kind=Incident.Kind.UNPAID_WAGES,
                description="Upah Juli-September belum dibayar; pekerja diancam PHK bila mengadu.",
                actor=admin,
            )
            placement_advance(
                placement=placement,
                actor=admin,
                to_phase=Phase.REPATRIATED,
                on=ended_on,
                reason="PHK sepihak; dipulangkan agensi sebelum kontrak berakhir.",
            )
        else:
            placement_advance(
                placement=placement,
                actor=admin,
                to_phase=Phase.CONTRACT_ENDED,
                on=ended_on,
                reason="Kontrak selesai"
                if ending == "contract"
                else "Kontrak diputus perusahaan (PHK karena proyek selesai lebih awal)",
            )
        placement_advance(
            placement=placement, actor=admin, to_phase=Phase.RETURNED, on=returned_on,
            reason="Tiba di Indonesia",
        )  # fmt: skip
        if final in (Phase.REINTEGRATING, Phase.CLOSED):
            placement_advance(
                placement=placement,
                actor=admin,
                to_phase=Phase.REINTEGRATING,
                on=min(returned_on + dt.timedelta(days=20), _days(-1)),
                reason="Ikut program reintegrasi: pelatihan kewirausahaan",
            )
        if final == Phase.CLOSED:
            placement_advance(
                placement=placement,
                actor=admin,
                to_phase=Phase.CLOSED,
                on=min(returned_on + dt.timedelta(days=150), _days(-1)),
                reason="Reintegrasi selesai: membuka usaha warung makan dengan modal sendiri.",
            )


def _status(case, *steps, actor):
    for to_status, note, extra in steps:
        case_set_status(case=case, to_status=to_status, actor=actor, note=note, **extra)


def _referral_consent(participant, *, actor, on):
    if not participant.consents.standing().filter(purpose=Consent.Purpose.REFERRAL).exists():
        consent_give(
            participant=participant,
            purpose=Consent.Purpose.REFERRAL,
            actor=actor,
            on=dt.datetime.combine(on, dt.time(10, 0), tzinfo=dt.UTC),
        )


def _family_decile(participant, *, decile, actor):
    """Give a returning worker without a family card number one, with a DTSEN decile."""
    if not participant.kk_number:
        rng = random.Random(f"kk:{participant.nik}")
        district, serial = rng.randrange(1, 10), rng.randrange(1, 9999)
        participant_update(
            participant=participant,
            data={"kk_number": f"{participant.nik[:4]}{district:02d}150317{serial:04d}"},
            actor=actor,
            source="seed_demo",
        )
        participant.refresh_from_db()
    DecileRecord.objects.get_or_create(
        kk_number=participant.kk_number,
        as_of=dt.date(2025, 10, 1),
        source=DecileRecord.Source.DTSEN_CHECK,
        defaults={"decile": decile},
    )


def seed_cases(people, orgs, *, admin):
    """Returned workers helped through Kemensos' flow: open and closed cases, referrals to
    the rehabilitation centre (one done, one pending)."""
    sentra = orgs["sentra-pangudi-luhur"]
    assessment = Case.Status.ASSESSMENT
    plan = Case.Status.SERVICE_PLAN

    ridwan = people["Muhammad Ridwan"]
    if not ridwan.cases.exists():
        back = ridwan.returning_worker_profile.return_date
        _family_decile(ridwan, decile=3, actor=admin)
        case = case_open(
            participant=ridwan,
            type=Case.Type.TRAFFICKING,
            severity=Case.Severity.CRITICAL,
            summary="Direkrut lewat media sosial untuk kerja admin di Phnom Penh; dipaksa "
            "menjalankan penipuan daring, paspor ditahan. Dipulangkan KBRI Phnom Penh.",
            actor=admin,
            on=back + dt.timedelta(days=2),
        )
        _status(
            case,
            (assessment, "", {"assessment": "Trauma sedang; utang keluarga Rp 12 juta untuk "
                              "biaya perekrutan; belum bekerja."}),
            (plan, "", {"service_plan": "Rehabilitasi sosial di Sentra, konseling, bantuan "
                        "sosial keluarga, pendampingan laporan TPPO ke Polda Sulsel."}),
            actor=admin,
        )  # fmt: skip
        _referral_consent(ridwan, actor=admin, on=back + dt.timedelta(days=10))
        referral = referral_create(
            case=case,
            to_organisation=sentra,
            reason="Korban TPPO: perlu rehabilitasi sosial dan konseling.",
            services_requested=[Service.REHABILITATION, Service.COUNSELLING,
                                Service.SOCIAL_ASSISTANCE],
            actor=admin,
        )  # fmt: skip
        referral_answer(referral=referral, accept=True, actor=admin, answer="Diterima di Sentra")
        _status(case, (Case.Status.SERVICES, "", {}), actor=admin)
        referral_complete(
            referral=referral,
            services_given="Rehabilitasi sosial 30 hari, 6 sesi konseling, bantuan sosial "
            "keluarga (desil 3).",
            delivered_on=back + dt.timedelta(days=60),
            actor=admin,
        )
        _status(
            case,
            (Case.Status.MONITORING, "Kembali ke keluarga di Gowa; dipantau bulanan.", {}),
            (Case.Status.CLOSED, "Pulih; bekerja di bengkel kerabat. Laporan TPPO diproses "
             "Polda Sulsel.", {"on": min(back + dt.timedelta(days=200), _days(-1))}),
            actor=admin,
        )  # fmt: skip

    neng = people["Neng Rina Marlina"]
    if not neng.cases.exists():
        back = neng.returning_worker_profile.return_date
        case = case_open(
            participant=neng,
            type=Case.Type.TRAFFICKING,
            severity=Case.Severity.HIGH,
            summary="Dijanjikan kerja di restoran di Sihanoukville; dipaksa bekerja di "
            "perusahaan penipuan daring. Dipulangkan bersama 40 WNI lain.",
            actor=admin,
            on=back + dt.timedelta(days=2),
        )
        _status(
            case,
            (assessment, "", {"assessment": "Sulit tidur dan cemas; keluarga mendukung."}),
            (plan, "", {"service_plan": "Rehabilitasi sosial dan bantuan hukum untuk "
                        "restitusi."}),
            actor=admin,
        )  # fmt: skip
        _referral_consent(neng, actor=admin, on=_days(-3))
        referral_create(
            case=case,
            to_organisation=sentra,
            reason="Korban TPPO: rehabilitasi sosial dan bantuan hukum restitusi.",
            services_requested=[Service.REHABILITATION, Service.LEGAL_AID],
            actor=admin,
        )

    tukiyem = people["Tukiyem"]
    placement = tukiyem.placements.first()
    if placement and not tukiyem.cases.exists():
        back = tukiyem.returning_worker_profile.return_date
        case = case_open(
            participant=tukiyem,
            placement=placement,
            type=Case.Type.UNPAID_WAGES,
            severity=Case.Severity.MEDIUM,
            summary="Upah tiga bulan (RM 4.500) tidak dibayar pabrik di Klang; di-PHK sepihak.",
            actor=admin,
            on=back + dt.timedelta(days=5),
        )
        _status(
            case,
            (assessment, "", {"assessment": "Bukti slip gaji dan pesan majikan lengkap."}),
            (plan, "", {"service_plan": "Pengaduan lewat KBRI Kuala Lumpur; bantuan hukum."}),
            (Case.Status.SERVICES, "", {}),
            actor=admin,
        )
        service_deliver(
            case=case,
            kind=Service.LEGAL_AID,
            delivered_on=back + dt.timedelta(days=30),
            provider=orgs["kemenp2mi"],
            description="Pendampingan pengaduan ke KBRI Kuala Lumpur dan Jabatan Tenaga Kerja.",
            actor=admin,
        )
        case_note_add(
            case=case,
            note="KBRI Kuala Lumpur: majikan bersedia membayar RM 3.000; sisanya dimediasi.",
            actor=admin,
        )

    sukerti = people["Ni Nyoman Sukerti"]
    if not sukerti.cases.exists():
        back = sukerti.returning_worker_profile.return_date
        case = case_open(
            participant=sukerti,
            type=Case.Type.HEALTH,
            severity=Case.Severity.MEDIUM,
            summary="Pulang dari Hong Kong karena sakit (hipertensi); butuh pengobatan lanjut.",
            actor=admin,
            on=back + dt.timedelta(days=3),
        )
        _status(
            case,
            (assessment, "", {"assessment": "Hipertensi terkendali dengan obat; BPJS Kesehatan "
                              "tidak aktif."}),
            (plan, "", {"service_plan": "Aktifkan BPJS Kesehatan; kontrol di RSUD Tabanan."}),
            (Case.Status.SERVICES, "", {}),
            actor=admin,
        )  # fmt: skip
        service_deliver(
            case=case,
            kind=Service.HEALTH,
            delivered_on=back + dt.timedelta(days=20),
            description="BPJS Kesehatan PBI diaktifkan; kontrol rutin di RSUD Tabanan.",
            actor=admin,
        )
        _status(
            case,
            (Case.Status.MONITORING, "Kontrol bulanan lewat telepon.", {}),
            (Case.Status.CLOSED, "Sehat; membantu usaha keluarga.",
             {"on": min(back + dt.timedelta(days=120), _days(-1))}),
            actor=admin,
        )  # fmt: skip

    joko = people[REPATRIATED]
    for case in joko.cases.filter(status=Case.Status.OPEN):
        _status(
            case,
            (assessment, "", {"assessment": "Operasi lengan di Dammam; klaim JKK diajukan."}),
            actor=admin,
        )


DRUG_OFFENCE_JAPAN = "I Made Dwi Saputra"  # Japan bars any drug offence
OVERRIDE_SKCK = "I Wayan Budiarta"  # selected on an SKCK seen on paper (the one override)
PAROLE_AT_OPP = "Andi Muhammad Akbar"  # parole supervision ends next year
WITHDRAWN = "I Kadek Adi Putra"
CONTRACT_ENDED = "Sukarni"  # factory in Taiwan closed
REPATRIATED = "Joko Susilo"  # work accident in Saudi Arabia


def seed_placements(*, participants, orgs, admin):
    placement_rules_load()
    job_orders = seed_job_orders(orgs, admin=admin)
    people = _demo_people(participants)
    seed_kk_placements(people, job_orders, admin=admin)
    seed_past_placements(people, orgs, admin=admin)
    seed_cases(people, orgs, admin=admin)


# --- Everything --------------------------------------------------------------------------------


@transaction.atomic
def seed_demo():
    """Create (or complete) the demo data; returns {label: count} of what now exists."""
    orgs = seed_organisations()
    programmes = {p.code: p for p in Programme.objects.all()}
    seed_agreements(orgs, programmes)
    users = seed_accounts(orgs)
    participants = seed_people(orgs=orgs, users=users, programmes=programmes)
    seed_training(participants=participants, orgs=orgs, programmes=programmes, admin=users["admin"])
    seed_placements(participants=participants, orgs=orgs, admin=users["admin"])
    return summary()


def summary():
    from participants.models import DataWarning, Participation, PendingChange
    from training.models import Attendance, Certificate

    return {
        "organisations": Organisation.objects.count(),
        "agreements": Agreement.objects.count(),
        "users": User.objects.count(),
        "participants": Participant.objects.count(),
        "former prisoners": Participant.objects.in_category("former_prisoner").count(),
        "Sekolah Rakyat students": Participant.objects.in_category("sr_student").count(),
        "returning workers": Participant.objects.in_category("returning_worker").count(),
        "participations": Participation.objects.count(),
        "consents": Consent.objects.count(),
        "data warnings": DataWarning.objects.count(),
        "pending changes": PendingChange.objects.count(),
        "documents": PersonalDocument.objects.count(),
        "tracks": Track.objects.count(),
        "batches": Batch.objects.count(),
        "sessions": Session.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "attendance rows": Attendance.objects.count(),
        "assessment results": AssessmentResult.objects.count(),
        "certificates": Certificate.objects.count(),
        "job orders": JobOrder.objects.count(),
        "placements": Placement.objects.count(),
        **{f"  {phase.value}": Placement.objects.filter(phase=phase).count() for phase in Phase},
        "check-ins": CheckIn.objects.count(),
        "incidents": Incident.objects.count(),
        "cases open": Case.objects.open().count(),
        "cases closed": Case.objects.filter(status=Case.Status.CLOSED).count(),
        "referrals pending": Referral.objects.filter(status=Referral.Status.PENDING).count(),
        "referrals done": Referral.objects.filter(status=Referral.Status.DONE).count(),
    }
