"""One chunk of journeys: training (batches, sessions, enrolments, attendance, results,
certificates), placements over every phase with their history, check-ins, and cases."""

import datetime as dt
from decimal import Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

from participants.models import PersonalDocument
from placements.models import (
    AFTER,
    BEFORE_DEPARTURE,
    MILESTONE_STEPS,
    Case,
    CaseUpdate,
    CheckIn,
    JobOrder,
    Milestone,
    Phase,
    PhaseChange,
    Placement,
    Referral,
    ServiceDelivery,
)
from training.models import AssessmentResult, Attendance, Batch, Certificate, Enrolment, Session

from .people_rows import DOCUMENT_FIELDS, at
from .reference import KK_PROGRAMME, RW_PROGRAMME, SR_PROGRAMME

SESSIONS = 10
ENROL_SHARE = {KK_PROGRAMME: 0.5, SR_PROGRAMME: 0.4, RW_PROGRAMME: 0.15}
DAY = dt.timedelta(days=1)


def days(n):
    return dt.timedelta(days=n)


# --- Training ----------------------------------------------------------------------------------


def make_training(rng, sink, ref, persons, *, today, chunk):
    groups = {code: [] for code in ENROL_SHARE}
    for person in persons:
        for code in person.programmes:
            if rng.random() < ENROL_SHARE[code]:
                groups[code].append(person)
    batches, sessions, enrolments, attendance, results, certificates = [], [], [], [], [], []
    now = sink.now
    for code, members in groups.items():
        tracks = ref.tracks[code]
        position, number = 0, 0
        while position < len(members):
            size = rng.randrange(20, 31)
            group, position = members[position : position + size], position + size
            number += 1
            batch_id = sink.next_id(Batch)
            track_id, kind, modules = tracks[number % len(tracks)]
            first = group[0]
            if code == SR_PROGRAMME:
                provider = first.school
            else:
                provider = ref.org_near(rng, "training_provider", first.province)
                provider = ref.big_partner if rng.random() < 0.1 else provider
            status = rng.choices(["finished", "running", "planned"], cum_weights=[60, 90, 100])[0]
            if status == "finished":
                starts = today - days(rng.randrange(70, 900))
            elif status == "running":
                starts = today - days(rng.randrange(1, 62))
            else:
                starts = today + days(rng.randrange(7, 90))
            ends = starts + days(7 * (SESSIONS - 1))
            zone = ref.timezones[first.province]
            batches.append((
                batch_id, f"load-b{batch_id}", f"Angkatan {chunk}-{number} ({code})", track_id,
                ref.programmes[code], provider, f"Balai pelatihan {first.regency}",
                f"{first.regency[:2]}.{first.regency[2:]}", zone, "Instruktur uji beban",
                30, starts, ends, status,
            ))  # fmt: skip
            tz = ZoneInfo(zone)
            held = []
            for n in range(SESSIONS):
                session_id = sink.next_id(Session)
                begins = dt.datetime.combine(starts + days(7 * n), dt.time(9), tzinfo=tz)
                sessions.append((
                    session_id, batch_id, modules[n % len(modules)], f"Pertemuan {n + 1}",
                    begins, begins + dt.timedelta(hours=3),
                ))  # fmt: skip
                if begins <= now:
                    held.append((session_id, begins))
            for person in group:
                _enrol(rng, sink, person, batch_id, status, starts, ends, held, kind, today,
                       enrolments, attendance, results, certificates)  # fmt: skip
    sink.write(Batch, (
        "id", "code", "name", "track_id", "programme_id", "provider_id", "venue",
        "venue_regency_id", "timezone", "instructors", "capacity", "starts_on", "ends_on",
        "status"), batches)  # fmt: skip
    sink.write(Session, ("id", "batch_id", "module_id", "topic", "starts_at", "ends_at"), sessions)
    sink.write(Enrolment, ("id", "participant_id", "batch_id", "status", "enrolled_on",
                           "ended_on"), enrolments)  # fmt: skip
    sink.write(Attendance, ("id", "enrolment_id", "session_id", "status", "recorded_at"),
               attendance)  # fmt: skip
    sink.write(AssessmentResult, ("id", "enrolment_id", "kind", "assessed_on", "score", "passed"),
               results)  # fmt: skip
    sink.write(Certificate, ("id", "enrolment_id", "number", "issuer", "issued_on", "expires_on",
                             "verification_code"), certificates)  # fmt: skip


def _enrol(rng, sink, person, batch_id, batch_status, starts, ends, held, kind, today,
           enrolments, attendance, results, certificates):  # fmt: skip
    enrolment_id = sink.next_id(Enrolment)
    ended = None
    if batch_status == "finished":
        status = rng.choices(["completed", "failed", "withdrawn"], cum_weights=[80, 92, 100])[0]
    elif batch_status == "running":
        status = "withdrawn" if rng.random() < 0.05 else "active"
    else:
        status = "enrolled"
    missed_allowed = {"completed": 2, "failed": 6, "active": 3, "withdrawn": 3}.get(status, 0)
    missed = set(rng.sample(range(len(held)), min(len(held), rng.randrange(missed_allowed + 1))))
    stop = len(held)
    if status == "withdrawn" and held:
        stop = rng.randrange(len(held))
        ended = held[stop][1].date()
    for n, (session_id, begins) in enumerate(held[:stop]):
        if n in missed:
            mark = "excused" if rng.random() < 0.3 else "absent"
        else:
            mark = "late" if rng.random() < 0.1 else "present"
        attendance.append((sink.next_id(Attendance), enrolment_id, session_id, mark, begins))
    if status in ("completed", "failed"):
        ended = ends
        if status == "completed":
            score = rng.randrange(70, 100)
        else:
            score = rng.randrange(35, 70) if len(missed) <= 2 else rng.randrange(40, 95)
        results.append((sink.next_id(AssessmentResult), enrolment_id, "final", ends,
                        Decimal(score), score >= 70))  # fmt: skip
        if status == "completed":
            issued = min(ends + days(7), today)
            expires = issued + days(3 * 365) if kind == "welding" else None
            code = f"LD{enrolment_id:x}{rng.randrange(16**4):04x}"
            certificates.append((sink.next_id(Certificate), enrolment_id,
                                 f"LOAD/SERT/{enrolment_id}", "LPK uji beban", issued, expires,
                                 code))  # fmt: skip
    elif len(held) >= 5 and rng.random() < 0.3:
        score = rng.randrange(40, 100)
        results.append((sink.next_id(AssessmentResult), enrolment_id, "written",
                        held[4][1].date(), Decimal(score), score >= 70))  # fmt: skip
    enrolled_on = starts - days(rng.randrange(1, 30))
    enrolments.append((enrolment_id, person.id, batch_id, status, enrolled_on, ended))


# --- Placements --------------------------------------------------------------------------------

# Plain strings throughout: an enum member hashes by its name, not its value.
ALL_PHASES = Phase.values
BEFORE = [p.value for p in BEFORE_DEPARTURE]
STEPS = {p.value for p in MILESTONE_STEPS}
AFTER_OR_CLOSED = {p.value for p in AFTER} | {Phase.CLOSED.value}
PHASE_WEIGHTS = {
    Phase.REGISTERED: 12, Phase.SELECTED: 10, Phase.MEDICAL_CLEARED: 8, Phase.CERTIFIED: 7,
    Phase.AGREEMENT_SIGNED: 5, Phase.PASSPORT_ISSUED: 5, Phase.VISA_ISSUED: 4, Phase.INSURED: 3,
    Phase.ORIENTED: 3, Phase.DEPARTED: 3, Phase.WORKING: 15, Phase.CONTRACT_ENDED: 3,
    Phase.REPATRIATED: 2, Phase.RETURNED: 6, Phase.REINTEGRATING: 4, Phase.CLOSED: 6,
    Phase.WITHDRAWN: 8,
}  # fmt: skip
PHASE_CUM = list(accumulate(PHASE_WEIGHTS[p] for p in Phase))
REASONS = {
    "withdrawn": "Mengundurkan diri",
    "repatriated": "Dipulangkan sebelum kontrak selesai",
    "closed": "Pendampingan selesai",
}
EVIDENCE = {"medical_cleared": ("medical", 90), "passport_issued": ("passport", 3652),
            "visa_issued": ("visa", 730)}  # fmt: skip
# country, scheme, employer, occupation, sector, salary, currency, language, level, prisoners ok
JOB_KINDS = [
    ("JP", "p2p", "Nagoya Kogyo", "Welder", "manufacturing", 1800, "USD", "ja", "A2", False),
    ("KR", "g2g", "EPS employer", "Factory worker", "manufacturing", 1700, "USD", "ko", "A2",
     False),
    ("TW", "p2p", "Kaohsiung Shipyard", "Welder", "shipbuilding", 1100, "USD", "", "", True),
    ("MY", "p2p", "Sarawak Palm Estates", "Plantation worker", "agriculture", 450, "USD", "", "",
     True),
    ("HK", "p2p", "Kowloon Care Home", "Caregiver", "care", 600, "USD", "en", "A2", True),
    ("SA", "p2p", "Riyadh Steel Works", "Welder", "construction", 900, "USD", "", "", True),
    ("DE", "g2g", "Klinikum Triple Win", "Nurse", "care", 3000, "EUR", "de", "B1", False),
    ("SG", "p2p", "Jurong Marine", "Pipe fitter", "shipbuilding", 1300, "USD", "en", "A2", True),
]  # fmt: skip


def phase_path(rng, target):
    """The phases a placement went through to reach `target`, each allowed by TRANSITIONS."""
    before = list(BEFORE)
    if target in before:
        return before[: before.index(target) + 1]
    if target == Phase.WITHDRAWN:
        return before[: rng.randrange(1, len(before) + 1)] + [Phase.WITHDRAWN]
    path = before + [Phase.DEPARTED]
    if target == Phase.DEPARTED:
        return path
    path.append(Phase.WORKING)
    if target == Phase.WORKING:
        return path
    if target == Phase.CONTRACT_ENDED:
        return path + [Phase.CONTRACT_ENDED]
    if target == Phase.REPATRIATED:
        return path + [Phase.REPATRIATED]
    path += [Phase.CONTRACT_ENDED] if rng.random() < 0.7 else [Phase.REPATRIATED]
    path.append(Phase.RETURNED)
    if target == Phase.RETURNED:
        return path
    if target == Phase.REINTEGRATING or rng.random() < 0.5:
        path.append(Phase.REINTEGRATING)
    if target == Phase.CLOSED:
        path.append(Phase.CLOSED)
    return path


def _gap(rng, here, contract_months):
    if here in BEFORE:
        return rng.randrange(5, 45)
    if here == Phase.DEPARTED:
        return rng.randrange(1, 7)
    if here == Phase.WORKING:
        return contract_months * 30
    if here == Phase.RETURNED:
        return rng.randrange(10, 90)
    if here == Phase.REINTEGRATING:
        return rng.randrange(30, 200)
    return rng.randrange(2, 30)


def _job_orders(rng, sink, ref, count, today):
    rows, orders = [], []
    agencies = [pk for pk, _ in ref.orgs["placement_agency"]]
    for _ in range(count):
        country, scheme, employer, occupation, sector, salary, currency, language, level, ok = (
            rng.choice(JOB_KINDS)
        )
        order_id = sink.next_id(JobOrder)
        agency = None if scheme == "g2g" else rng.choice(agencies)
        months = rng.choice([24, 24, 36])
        created = today - days(rng.randrange(30, 1500))
        status = rng.choices(["open", "filled", "closed", "draft"], cum_weights=[50, 75, 95, 100])[
            0
        ]
        rows.append((
            order_id, f"LOAD-JO-{order_id}", f"{occupation} {country}", country, scheme, agency,
            employer, occupation, sector, rng.randrange(10, 60),
            "welding" if occupation == "Welder" else "", language, level, 18,
            rng.choice([None, 35, 40, 45]), months, Decimal(salary), currency,
            today + days(rng.randrange(-200, 120)), today + days(rng.randrange(-100, 200)),
            status, at(created),
        ))  # fmt: skip
        orders.append((order_id, country, scheme, agency, employer, occupation, sector, months, ok))
    sink.write(
        JobOrder,
        (
            "id",
            "reference",
            "title",
            "country_id",
            "scheme",
            "agency_id",
            "employer",
            "occupation",
            "sector",
            "positions",
            "required_track_kind",
            "required_language",
            "required_language_level",
            "min_age",
            "max_age",
            "contract_months",
            "salary",
            "salary_currency",
            "deadline",
            "expected_departure",
            "status",
            "created_at",
        ),
        rows,
    )
    return orders


def make_placements(rng, sink, ref, persons, *, today):
    candidates = [
        p for p in persons
        if not p.minor and rng.random() < (0.25 if p.fp else 0.3 if p.rw else 0)
    ]  # fmt: skip
    if not candidates:
        return {}
    orders = _job_orders(rng, sink, ref, max(6, len(candidates) // 12), today)
    for_prisoners = [o for o in orders if o[-1]] or orders
    placements, changes, milestones, documents, check_ins = [], [], [], [], []
    placed = {}
    for n, person in enumerate(candidates):
        target = ALL_PHASES[n] if n < len(ALL_PHASES) else rng.choices(
            ALL_PHASES, cum_weights=PHASE_CUM)[0]  # fmt: skip
        if person.parole_until and target not in BEFORE + ["withdrawn"]:
            target = rng.choice(BEFORE[:3])
        order = rng.choice(for_prisoners if person.fp else orders)
        order_id, country, scheme, agency, employer, occupation, sector, months, _ok = order
        path = [str(p) for p in phase_path(rng, target)]
        gaps = [_gap(rng, here, months) for here in path[:-1]]
        dwell = rng.randrange(0, 500 if target == Phase.WORKING else 120)
        on = today - days(sum(gaps) + dwell)
        placement_id = sink.next_id(Placement)
        dates, previous = [], ""
        for step, here in enumerate(path):
            dates.append(on)
            changes.append((
                sink.next_id(PhaseChange), placement_id, previous, here, on,
                at(on, 10, step % 60), REASONS.get(here, ""),
            ))  # fmt: skip
            if here in STEPS:
                evidence = None
                if here in EVIDENCE:
                    kind, valid = EVIDENCE[here]
                    evidence = sink.next_id(PersonalDocument)
                    documents.append((
                        evidence, person.id, kind, f"{kind[:2].upper()}{evidence:08d}", on,
                        on + days(valid), f"{kind}.pdf", "application/pdf", at(on),
                    ))  # fmt: skip
                milestones.append((sink.next_id(Milestone), placement_id, here, on, evidence,
                                   f"LOAD/{here}/{placement_id}", at(on, 11)))  # fmt: skip
            if step < len(gaps):
                on = on + days(gaps[step])
            previous = here
        start = end = None
        if Phase.WORKING in path:
            start = dates[path.index(Phase.WORKING)]
            end = start + days(months * 30)
            last = dates[path.index(Phase.WORKING) + 1] if path[-1] != Phase.WORKING else today
            for _ in range(rng.randrange(1, 4)):
                day = start + days(rng.randrange(max(1, (last - start).days)))
                wellbeing = rng.choices(["good", "concerns", "at_risk"], cum_weights=[85, 97, 100])[
                    0
                ]
                check_ins.append((
                    sink.next_id(CheckIn), placement_id, day, rng.choice(CheckIn.Channel.values),
                    wellbeing, "" if wellbeing == "good" else "Keluhan jam kerja",
                    wellbeing == "at_risk", "", at(day),
                ))  # fmt: skip
        placements.append((
            placement_id, person.id, order_id, country, scheme, agency, employer, occupation,
            sector, start, end, f"SISKO-P-{placement_id}" if start else "", target, dates[-1],
            at(dates[0]),
        ))  # fmt: skip
        placed[person.id] = (placement_id, target)
    sink.write(PersonalDocument, DOCUMENT_FIELDS, documents)
    sink.write(Placement, (
        "id", "participant_id", "job_order_id", "country_id", "scheme", "agency_id", "employer",
        "occupation", "sector", "contract_start", "contract_end", "siskop2mi_id", "phase",
        "phase_since", "created_at"), placements)  # fmt: skip
    sink.write(PhaseChange, ("id", "placement_id", "from_phase", "to_phase", "on", "changed_at",
                             "reason"), changes)  # fmt: skip
    sink.write(Milestone, ("id", "placement_id", "step", "achieved_on", "evidence_id",
                           "reference", "recorded_at"), milestones)  # fmt: skip
    sink.write(
        CheckIn,
        (
            "id",
            "placement_id",
            "on",
            "channel",
            "wellbeing",
            "issues",
            "escalated_to_embassy",
            "escalation_note",
            "created_at",
        ),
        check_ins,
    )
    return placed


# --- Cases -------------------------------------------------------------------------------------

CASE_ORDER = ["open", "assessment", "service_plan", "services", "monitoring"]
CASE_CUM = [10, 25, 40, 60, 75, 100]  # open .. monitoring, closed
SERVICES = ["rehabilitation", "social_assistance", "legal_aid", "empowerment", "health",
            "counselling"]  # fmt: skip


def make_cases(rng, sink, ref, persons, placed, *, today):
    """Cases for some returned workers who consented to referral, with their log, referrals to
    rehabilitation centres and services delivered."""
    cases, updates, referrals, services = [], [], [], []
    for person in persons:
        if not (person.rw and person.referral_consent and rng.random() < 0.2):
            continue
        case_id = sink.next_id(Case)
        placement_id, phase = placed.get(person.id, (None, None))
        if phase not in AFTER_OR_CLOSED:
            placement_id = None
        target = rng.choices(CASE_ORDER + ["closed"], cum_weights=CASE_CUM)[0]
        path = CASE_ORDER[: CASE_ORDER.index(target) + 1] if target != "closed" else (
            CASE_ORDER[: rng.randrange(2, len(CASE_ORDER) + 1)] + ["closed"])  # fmt: skip
        gaps = [rng.randrange(3, 30) for _ in path[:-1]]
        on = today - days(sum(gaps) + rng.randrange(0, 60))
        previous, dates = "", []
        for step, status in enumerate(path):
            dates.append(on)
            updates.append((sink.next_id(CaseUpdate), case_id, previous, status,
                            f"Status {status}", at(on, 9, step)))  # fmt: skip
            if step < len(gaps):
                on += days(gaps[step])
            previous = status
        referral_id, provider = None, rng.choice(ref.rehab_centres)
        if "service_plan" in path and rng.random() < 0.6:
            referral_id = sink.next_id(Referral)
            state = {"service_plan": "pending", "closed": "done"}.get(target, "accepted")
            referred = at(dates[path.index("service_plan")], 13)
            referrals.append((
                referral_id, case_id, provider, "Rehabilitasi sosial purna PMI",
                ["rehabilitation", "counselling"], person.referral_consent, state,
                "" if state == "pending" else "Diterima", "",
                referred, None if state == "pending" else referred + dt.timedelta(days=2),
            ))  # fmt: skip
        if "services" in path:
            for _ in range(rng.randrange(1, 3)):
                kind = rng.choice(SERVICES)
                decile = person.decile if kind == "social_assistance" else None
                candidate = None if decile is None else decile <= 4
                services.append((
                    sink.next_id(ServiceDelivery), case_id, referral_id, kind, provider,
                    dates[path.index("services")], "Layanan uji beban", decile,
                    person.decile_as_of if decile else None, candidate,
                    "Kondisi darurat" if candidate is False else "", at(today),
                ))  # fmt: skip
        cases.append((
            case_id, person.id, placement_id, rng.choice(Case.Type.values),
            rng.choice(Case.Severity.values), target, "Ringkasan kasus uji beban", "", "",
            dates[0], dates[-1] if target == "closed" else None, at(dates[-1], 9, len(path)),
            at(dates[0]),
        ))  # fmt: skip
    sink.write(Case, ("id", "participant_id", "placement_id", "type", "severity", "status",
                      "summary", "assessment", "service_plan", "opened_on", "closed_on",
                      "last_activity_at", "created_at"), cases)  # fmt: skip
    sink.write(CaseUpdate, ("id", "case_id", "from_status", "to_status", "note", "at"), updates)
    sink.write(Referral, ("id", "case_id", "to_organisation_id", "reason", "services_requested",
                          "consent_id", "status", "answer", "services_given", "referred_at",
                          "answered_at"), referrals)  # fmt: skip
    sink.write(
        ServiceDelivery,
        (
            "id",
            "case_id",
            "referral_id",
            "kind",
            "provider_id",
            "delivered_on",
            "description",
            "decile",
            "decile_as_of",
            "bansos_candidate",
            "exception_reason",
            "created_at",
        ),
        services,
    )
