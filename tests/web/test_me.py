"""A participant's own pages: /me/ (status), /me/next/, /me/data/ and its downloads."""

import datetime as dt
import json

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from participants.models import Consent, Participant, PendingChange
from tests.factories import (
    BatchFactory,
    ConsentFactory,
    EnrolmentFactory,
    ParticipantFactory,
    PlacementFactory,
    SessionFactory,
    UserFactory,
    share_with,
)
from training.models import Attendance, Certificate

pytestmark = pytest.mark.django_db

PAGES = ["/me/", "/me/next/", "/me/data/", "/me/data/print/", "/me/data.json"]


@pytest.fixture
def me(participant_account):
    return ParticipantFactory(
        user=participant_account,
        full_name="Made Wirawan",
        phone="+6281100000001",
        restricted_notes="Catatan rahasia milik saya",
    )


@pytest.fixture
def other():
    user = UserFactory(username="peserta_b", role="participant")
    return ParticipantFactory(user=user, full_name="Ketut Sari", phone="+6281100000002")


@pytest.fixture
def client_me(client, me):
    client.force_login(me.user)
    client.cookies["django_language"] = "en"
    return client


def _enrol_with_progress(participant, *, past=2, attended=1, future=1):
    batch = BatchFactory(timezone="Asia/Makassar", venue="BLK Denpasar")
    enrolment = EnrolmentFactory(participant=participant, batch=batch)
    now = timezone.now()
    for i in range(past):
        start = now - dt.timedelta(days=i + 1)
        session = SessionFactory(
            batch=batch, starts_at=start, ends_at=start + dt.timedelta(hours=3)
        )
        status = Attendance.Status.PRESENT if i < attended else Attendance.Status.ABSENT
        Attendance.objects.create(enrolment=enrolment, session=session, status=status)
    for i in range(future):
        start = now + dt.timedelta(days=i + 1)
        SessionFactory(batch=batch, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    return enrolment


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_visitors_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", PAGES)
def test_it_returns_404_to_staff_who_are_not_participants(client, ministry_officer, url):
    client.force_login(ministry_officer)

    assert client.get(url).status_code == 404


def test_it_returns_404_for_another_participants_consent(client_me, other):
    consent = ConsentFactory(participant=other)

    response = client_me.post(f"/me/data/consents/{consent.pk}/withdraw/")

    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_it_never_shows_another_participants_data(client_me, me, other):
    _enrol_with_progress(other)
    PlacementFactory(participant=other)

    pages = [client_me.get(url).content.decode() for url in PAGES]

    for page in pages:
        assert "Ketut Sari" not in page
        assert other.nik not in page


def test_it_refuses_a_get_on_the_withdraw_address(client_me, me):
    consent = ConsentFactory(participant=me)

    assert client_me.get(f"/me/data/consents/{consent.pk}/withdraw/").status_code == 405


def test_home_sends_a_participant_to_their_status_page(client_me):
    response = client_me.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/me/"


# --- status ----------------------------------------------------------------------------------


def test_status_shows_attendance_hours_score_and_next_class_in_the_venue_zone(client_me, me):
    _enrol_with_progress(me, past=2, attended=1, future=1)

    page = client_me.get("/me/").content.decode()

    assert "50% (1 of 2 classes)" in page
    assert "3.0 of 120 hours" in page
    assert "No score yet" in page
    assert "WITA" in page  # Bali class times in Bali time
    assert "attend at least 80% of classes and score at least 70" in page


def test_status_shows_certificates_with_their_verification_address(client_me, me):
    enrolment = _enrol_with_progress(me)
    certificate = Certificate.objects.create(
        enrolment=enrolment, number="LAS-001", issuer="LSP Las Bali", issued_on=dt.date(2026, 10, 1)
    )

    page = client_me.get("/me/").content.decode()

    assert certificate.verification_code in page
    assert f"/verify/{certificate.verification_code}/" in page


def test_status_page_queries_do_not_grow_with_enrolments_and_sessions(
    client_me, me, django_assert_max_num_queries
):
    for _ in range(5):
        _enrol_with_progress(me, past=1, future=1)
    with django_assert_max_num_queries(14) as small:
        client_me.get("/me/")
    for _ in range(45):
        _enrol_with_progress(me, past=1, future=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client_me.get("/me/")
    assert response.content.decode().count("me-card") >= 50


# --- next step -------------------------------------------------------------------------------


def test_next_step_names_the_phase_and_the_missing_documents(client_me, me):
    PlacementFactory(participant=me, phase="registered")

    page = client_me.get("/me/next/").content.decode()

    assert "Registered" in page
    assert "Selected" in page
    assert "Identity card (KTP) missing" in page
    assert "Family card (KK) missing" in page


def test_next_step_says_when_departure_is_not_allowed_yet_and_why(client_me, me):
    me.birth_date = timezone.localdate().replace(year=timezone.localdate().year - 17)
    me.save()

    page = client_me.get("/me/next/").content.decode()

    assert "You cannot leave for work abroad before" in page
    assert "turns 18" in page


def test_next_step_warns_about_documents_that_expire(client_me, me):
    today = timezone.localdate()
    me.documents.create(kind="passport", expires_on=today + dt.timedelta(days=20))

    page = client_me.get("/me/next/").content.decode()

    assert "Passport: valid until" in page


def test_next_step_queries_do_not_grow_with_enrolments(
    client_me, me, django_assert_max_num_queries
):
    PlacementFactory(participant=me, phase="registered")
    for _ in range(5):
        _enrol_with_progress(me, past=1, future=1)
    with django_assert_max_num_queries(30) as small:
        client_me.get("/me/next/")
    for _ in range(45):
        _enrol_with_progress(me, past=1, future=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client_me.get("/me/next/")


# --- my data ---------------------------------------------------------------------------------


def test_my_data_shows_restricted_fields_and_the_full_nik(client_me, me):
    page = client_me.get("/me/data/").content.decode()

    assert me.nik in page
    assert "Catatan rahasia milik saya" in page


def test_withdrawing_partner_sharing_ends_the_partners_access(
    client_me, me, organisation_a, partner_user
):
    share_with(me, organisation_a)
    assert Participant.objects.visible_to(partner_user).filter(pk=me.pk).exists()
    consent = me.consents.get(purpose=Consent.Purpose.PARTNER_SHARING)

    response = client_me.post(f"/me/data/consents/{consent.pk}/withdraw/")

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert not Participant.objects.visible_to(partner_user).filter(pk=me.pk).exists()


def test_a_correction_request_lands_in_the_review_queue(client_me, me):
    response = client_me.post(
        "/me/data/correction/",
        {"field": "birth_place", "proposed_value": "Singaraja", "note": "typo"},
    )

    assert response.status_code == 302
    change = PendingChange.objects.get(participant=me)
    assert (change.field, change.proposed_value, change.state) == (
        "birth_place",
        "Singaraja",
        PendingChange.State.PENDING,
    )
    assert change.created_by == me.user


def test_a_correction_of_an_unknown_field_is_refused(client_me, me):
    response = client_me.post(
        "/me/data/correction/", {"field": "nik", "proposed_value": "1234567890123456"}
    )

    assert response.status_code == 400
    assert not PendingChange.objects.exists()


def test_the_json_download_holds_everything_and_is_audited(client_me, me):
    _enrol_with_progress(me)
    ConsentFactory(participant=me)

    response = client_me.get("/me/data.json")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = json.loads(response.content)
    text = json.dumps(body, ensure_ascii=False)
    assert me.nik in text
    assert "Catatan rahasia milik saya" in text
    assert body["lists"]["enrolments"]["rows"]
    assert body["lists"]["consents"]["rows"]
    entry = LogEntry.objects.filter(additional_data__event="export").get()
    assert entry.actor == me.user
    assert entry.additional_data["format"] == "json"


def test_the_printable_page_holds_the_data_and_is_audited(client_me, me):
    response = client_me.get("/me/data/print/")

    assert me.nik in response.content.decode()
    assert LogEntry.objects.filter(additional_data__event="export", actor=me.user).exists()


def test_viewing_my_pages_is_recorded_in_the_audit_trail(client_me, me):
    client_me.get("/me/")
    client_me.get("/me/data/")

    pages = LogEntry.objects.filter(
        actor=me.user, additional_data__event="own_page_viewed"
    ).values_list("additional_data__page", flat=True)
    assert sorted(pages) == ["data", "status"]


def test_my_data_page_queries_do_not_grow_with_enrolments(
    client_me, me, django_assert_max_num_queries
):
    for _ in range(5):
        _enrol_with_progress(me, past=1, future=1)
    with django_assert_max_num_queries(30) as small:
        client_me.get("/me/data/")
    for _ in range(45):
        _enrol_with_progress(me, past=1, future=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client_me.get("/me/data/")


# --- idle timeout ----------------------------------------------------------------------------


def test_a_participant_is_logged_out_after_the_idle_limit(client_me, settings, monkeypatch):
    import time

    settings.PORTAL_PARTICIPANT_IDLE_MINUTES = 30
    assert client_me.get("/me/").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 31 * 60)

    response = client_me.get("/me/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert client_me.get("/me/").status_code == 302


def test_a_participant_active_within_the_limit_stays_logged_in(client_me, monkeypatch):
    import time

    assert client_me.get("/me/").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 29 * 60)

    assert client_me.get("/me/").status_code == 200


def test_staff_sessions_do_not_time_out_after_the_participant_limit(
    client, ministry_officer, monkeypatch
):
    import time

    client.force_login(ministry_officer)
    client.get("/")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 120 * 60)

    assert client.get("/").status_code == 302
    assert client.get("/").url != "/login/?next=/"
