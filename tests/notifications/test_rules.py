"""Each reminder rule: what is due and what is not, with fixed clocks, across time zones
(Bali WITA vs Jakarta WIB) and month ends."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from participants.models import FormerPrisonerProfile, PersonalDocument
from placements.models import CaseUpdate, CheckIn
from portal.notifications.registry import all_rules
from tests import factories
from tests.notifications.conftest import at, scan
from training.models import Attendance, Certificate

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
D = dt.date


def test_every_rule_of_the_issue_is_registered_by_its_app():
    assert set(all_rules()) == {
        "session_upcoming",
        "attendance_absences",
        "attendance_low",
        "document_expiry",
        "certificate_expiry",
        "contract_expiry",
        "agreement_expiry",
        "checkin_overdue",
        "case_followup",
        "placement_not_before",
        "breach_notification_due",
    }


# --- Upcoming session: the day before, in the venue's zone -----------------------------------


@pytest.fixture
def bali_and_jakarta_sessions(learner_account):
    """Two sessions at 07:30 local time on 1 December: one in Bali (WITA), one in Jakarta."""
    participant = factories.ParticipantFactory(user=learner_account)
    bali = factories.BatchFactory(timezone="Asia/Makassar", name="Las Denpasar")
    jakarta = factories.BatchFactory(timezone="Asia/Jakarta", name="Las Bekasi")
    for batch in (bali, jakarta):
        factories.EnrolmentFactory(participant=participant, batch=batch)
    bali_session = factories.SessionFactory(
        batch=bali, starts_at=dt.datetime(2026, 12, 1, 7, 30, tzinfo=WITA)
    )
    jakarta_session = factories.SessionFactory(batch=jakarta, starts_at=at(D(2026, 12, 1), 7, 30))
    return bali_session, jakarta_session


def test_a_bali_session_is_due_once_bali_reaches_the_day_before(bali_and_jakarta_sessions):
    bali, jakarta = bali_and_jakarta_sessions
    # 30 November 00:30 in Bali is still 29 November 23:30 in Jakarta.
    now = dt.datetime(2026, 11, 30, 0, 30, tzinfo=WITA)

    found = scan("session_upcoming", today=D(2026, 11, 29), now=now)

    assert found == {(str(bali.pk), D(2026, 12, 1), "peserta")}


def test_a_jakarta_session_is_due_from_midnight_in_jakarta(bali_and_jakarta_sessions):
    bali, jakarta = bali_and_jakarta_sessions
    now = at(D(2026, 11, 30), 0, 30)

    found = scan("session_upcoming", today=D(2026, 11, 30), now=now)

    assert found == {
        (str(bali.pk), D(2026, 12, 1), "peserta"),
        (str(jakarta.pk), D(2026, 12, 1), "peserta"),
    }


def test_a_session_two_days_ahead_or_already_started_is_not_due(bali_and_jakarta_sessions):
    assert scan("session_upcoming", today=D(2026, 11, 28), now=at(D(2026, 11, 28), 23)) == set()
    assert scan("session_upcoming", today=D(2026, 12, 1), now=at(D(2026, 12, 1), 9)) == set()


def test_a_withdrawn_learner_gets_no_session_reminder(bali_and_jakarta_sessions):
    bali, _jakarta = bali_and_jakarta_sessions
    bali.batch.enrolments.update(status="withdrawn")

    found = scan("session_upcoming", today=D(2026, 11, 30), now=at(D(2026, 11, 30), 8))

    assert {row[0] for row in found} == {str(_jakarta.pk)}


# --- Document, certificate and contract expiry: 90/30/7 days ---------------------------------


def _document(participant, kind, expires_on):
    return PersonalDocument.objects.create(
        participant=participant, kind=kind, expires_on=expires_on
    )


def test_documents_are_due_90_30_and_7_days_before_expiry_across_the_month_end(
    officer, learner_account
):
    participant = factories.ParticipantFactory(user=learner_account, officer=officer)
    passport = _document(participant, "passport", D(2027, 2, 28))  # 90 days after 30 November
    visa = _document(participant, "visa", D(2026, 12, 30))  # 30 days
    medical = _document(participant, "medical", D(2026, 12, 7))  # 7 days
    _document(participant, "ktp", D(2026, 12, 7))  # not a document that expires a departure
    _document(participant, "passport", D(2027, 3, 1))  # 91 days: not yet

    found = scan("document_expiry", today=D(2026, 11, 30))

    assert found == {
        (str(doc.pk), D(2026, 11, 30), username)
        for doc in (passport, visa, medical)
        for username in ("peserta", "petugas")
    }


def test_a_first_scan_sends_only_the_nearest_threshold(officer):
    participant = factories.ParticipantFactory(officer=officer)
    visa = _document(participant, "visa", D(2026, 12, 20))  # 20 days: the 30-day reminder

    assert scan("document_expiry", today=D(2026, 11, 30)) == {
        (str(visa.pk), D(2026, 11, 20), "petugas")
    }
    # A week later the 7-day reminder is not due yet; on 13 December it is.
    assert len(scan("document_expiry", today=D(2026, 12, 7))) == 1
    assert scan("document_expiry", today=D(2026, 12, 13)) == {
        (str(visa.pk), D(2026, 11, 20), "petugas"),
        (str(visa.pk), D(2026, 12, 13), "petugas"),
    }


def test_expired_documents_and_withdrawn_participants_get_no_reminder(officer):
    expired = factories.ParticipantFactory(officer=officer)
    _document(expired, "passport", D(2026, 11, 30))
    withdrawn = factories.ParticipantFactory(officer=officer, status="withdrawn")
    _document(withdrawn, "passport", D(2026, 12, 5))

    assert scan("document_expiry", today=D(2026, 11, 30)) == set()


def test_certificates_are_due_before_expiry(officer, learner_account):
    participant = factories.ParticipantFactory(user=learner_account, officer=officer)
    enrolment = factories.EnrolmentFactory(participant=participant, status="completed")
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        number="CERT-1",
        issuer="LSP Las",
        issued_on=D(2024, 1, 31),
        expires_on=D(2027, 1, 31),  # 62 days after 30 November: the 90-day reminder
    )

    found = scan("certificate_expiry", today=D(2026, 11, 30))

    assert found == {
        (str(certificate.pk), D(2026, 11, 2), "peserta"),
        (str(certificate.pk), D(2026, 11, 2), "petugas"),
    }


def test_contracts_of_workers_abroad_are_due_before_they_end(officer):
    working = factories.PlacementFactory(
        phase="working", officer=officer, contract_start=D(2024, 1, 1), contract_end=D(2027, 1, 6)
    )
    factories.PlacementFactory(
        phase="registered",
        officer=officer,
        contract_start=D(2024, 1, 1),
        contract_end=D(2027, 1, 6),
    )

    assert scan("contract_expiry", today=D(2026, 12, 31)) == {
        (str(working.pk), D(2026, 12, 30), "petugas")
    }


def test_agreements_ending_go_to_ministry_staff_and_the_parties_staff(
    ministry_admin, ministry_officer, organisation_a, partner_user, other_partner_user
):
    agreement = factories.AgreementFactory(parties=[organisation_a], valid_until=D(2026, 12, 7))
    factories.AgreementFactory(
        parties=[organisation_a], valid_until=D(2026, 12, 7), terminated_on=D(2026, 11, 1)
    )

    found = scan("agreement_expiry", today=D(2026, 11, 30))

    assert found == {
        (str(agreement.pk), D(2026, 11, 30), username)
        for username in ("m_admin", "m_officer", "staff_a")
    }


# --- Welfare check-in, case follow-up --------------------------------------------------------


def test_a_worker_without_a_check_in_for_30_days_is_due(officer):
    overdue = factories.PlacementFactory(
        phase="working", phase_since=D(2026, 9, 1), officer=officer
    )
    CheckIn.objects.create(placement=overdue, on=D(2026, 10, 31), channel="phone", wellbeing="good")
    recent = factories.PlacementFactory(phase="working", phase_since=D(2026, 9, 1), officer=officer)
    CheckIn.objects.create(placement=recent, on=D(2026, 11, 1), channel="phone", wellbeing="good")
    never = factories.PlacementFactory(
        phase="working", phase_since=D(2026, 10, 31), participant__officer=officer
    )
    factories.PlacementFactory(phase="departed", phase_since=D(2026, 1, 1), officer=officer)

    found = scan("checkin_overdue", today=D(2026, 11, 30))

    assert found == {
        (str(overdue.pk), D(2026, 11, 30), "petugas"),
        (str(never.pk), D(2026, 11, 30), "petugas"),
    }


def test_a_new_check_in_moves_the_next_due_date(officer):
    placement = factories.PlacementFactory(
        phase="working", phase_since=D(2026, 9, 1), officer=officer
    )
    assert scan("checkin_overdue", today=D(2026, 10, 1)) == {
        (str(placement.pk), D(2026, 10, 1), "petugas")
    }
    CheckIn.objects.create(
        placement=placement, on=D(2026, 10, 2), channel="phone", wellbeing="good"
    )

    assert len(scan("checkin_overdue", today=D(2026, 10, 31))) == 1
    assert (str(placement.pk), D(2026, 11, 1), "petugas") in scan(
        "checkin_overdue", today=D(2026, 11, 1)
    )


def test_a_case_is_due_14_days_after_its_last_update_by_the_date_in_jakarta(officer):
    # 15 November 20:00 UTC is 16 November 03:00 in Jakarta: due on 30 November, not 29.
    case = factories.CaseFactory(
        assigned_officer=officer, last_activity_at=dt.datetime(2026, 11, 15, 20, tzinfo=dt.UTC)
    )
    updated = factories.CaseFactory(
        assigned_officer=officer, last_activity_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    CaseUpdate.objects.create(case=updated, note="ditelepon", at=at(D(2026, 11, 20)))
    factories.CaseFactory(
        assigned_officer=officer,
        status="closed",
        closed_on=D(2026, 11, 2),
        last_activity_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )

    assert scan("case_followup", today=D(2026, 11, 29)) == set()
    assert scan("case_followup", today=D(2026, 11, 30)) == {
        (str(case.pk), D(2026, 11, 30), "petugas")
    }


# --- Placement not before --------------------------------------------------------------------


def test_an_18th_birthday_next_week_is_due_for_the_officer(officer):
    turning = factories.ParticipantFactory(birth_date=D(2008, 12, 5), officer=officer)
    factories.ParticipantFactory(birth_date=D(2008, 12, 8), officer=officer)  # 8 days
    factories.ParticipantFactory(birth_date=D(2008, 11, 30), officer=officer)  # 18 today

    assert scan("placement_not_before", today=D(2026, 11, 30)) == {
        (str(turning.pk), D(2026, 12, 5), "petugas")
    }


def test_a_29_february_birthday_lifts_on_1_march(officer):
    leapling = factories.ParticipantFactory(birth_date=D(2008, 2, 29), officer=officer)

    assert scan("placement_not_before", today=D(2026, 2, 27)) == {
        (str(leapling.pk), D(2026, 3, 1), "petugas")
    }


def test_the_end_of_supervision_is_due_unless_a_later_block_remains(officer):
    parolee = factories.ParticipantFactory(birth_date=D(1990, 1, 1), officer=officer)
    FormerPrisonerProfile.objects.create(participant=parolee, supervision_end_date=D(2026, 12, 3))
    minor = factories.ParticipantFactory(birth_date=D(2009, 1, 10), officer=officer)
    FormerPrisonerProfile.objects.create(participant=minor, supervision_end_date=D(2026, 12, 3))

    assert scan("placement_not_before", today=D(2026, 11, 30)) == {
        (str(parolee.pk), D(2026, 12, 3), "petugas")
    }


# --- Attendance alerts -----------------------------------------------------------------------


@pytest.fixture
def held_sessions():
    """A running batch in Bali with five sessions held at 08:00 WITA, 23-27 November, and the
    provider's staff."""
    provider = factories.OrganisationFactory(slug="lpk-bali")
    factories.PartnerStaffFactory(username="staff_lpk", organisation=provider)
    batch = factories.BatchFactory(provider=provider, timezone="Asia/Makassar")
    sessions = [
        factories.SessionFactory(batch=batch, starts_at=dt.datetime(2026, 11, day, 8, tzinfo=WITA))
        for day in range(23, 28)
    ]
    return batch, sessions


def _attend(enrolment, sessions, pattern):
    codes = {"P": "present", "A": "absent", "L": "late", "E": "excused"}
    for session, code in zip(sessions, pattern, strict=True):
        Attendance.objects.create(enrolment=enrolment, session=session, status=codes[code])


def test_three_consecutive_absences_raise_one_alert(held_sessions, officer):
    batch, sessions = held_sessions
    absent = factories.EnrolmentFactory(batch=batch, participant__officer=officer)
    _attend(absent, sessions, "PAAAP")
    scattered = factories.EnrolmentFactory(batch=batch, participant__officer=officer)
    _attend(scattered, sessions, "AAPAA")

    found = scan("attendance_absences", today=D(2026, 11, 30))

    assert found == {
        (str(absent.pk), D(2026, 11, 26), "staff_lpk"),
        (str(absent.pk), D(2026, 11, 26), "petugas"),
    }


def test_attendance_under_the_track_minimum_raises_an_alert(held_sessions, officer):
    batch, sessions = held_sessions
    low = factories.EnrolmentFactory(batch=batch, participant__officer=officer)
    _attend(low, sessions, "PLPAE")  # 3 of 5 = 60 % < 80 %
    enough = factories.EnrolmentFactory(batch=batch, participant__officer=officer)
    _attend(enough, sessions, "PPPLA")  # 4 of 5 = 80 %

    found = scan("attendance_low", today=D(2026, 11, 30))

    assert {(row[0], row[2]) for row in found} == {
        (str(low.pk), "staff_lpk"),
        (str(low.pk), "petugas"),
    }


def test_the_share_is_not_judged_before_five_sessions_were_held(held_sessions, officer):
    batch, sessions = held_sessions
    enrolment = factories.EnrolmentFactory(batch=batch, participant__officer=officer)
    _attend(enrolment, sessions[:4], "AAPA")

    # On 26 November 18:00 in Jakarta the fifth session (27 November 08:00 WITA) is ahead.
    found = scan("attendance_low", today=D(2026, 11, 26), now=at(D(2026, 11, 26), 18))

    assert found == set()


def test_alerts_use_the_local_date_of_the_session_in_the_venue_zone(held_sessions, officer):
    batch, sessions = held_sessions
    late_evening = factories.SessionFactory(
        batch=batch, starts_at=dt.datetime(2026, 11, 28, 23, 30, tzinfo=WITA)
    )
    enrolment = factories.EnrolmentFactory(batch=batch, participant__officer=officer)
    _attend(enrolment, [*sessions[3:], late_evening], "AAA")

    found = scan("attendance_absences", today=D(2026, 11, 30))

    # 28 November 23:30 WITA is 22:30 in Jakarta, still the 28th; the venue's date is used.
    assert {row[1] for row in found} == {D(2026, 11, 28)}
    assert timezone.localtime(late_evening.starts_at).date() == D(2026, 11, 28)
