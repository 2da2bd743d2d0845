"""Training services: enrolment, attendance, assessment, completion and certificates."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from participants.models import Participation
from tests import factories
from training.models import Attendance, Certificate, Enrolment
from training.services import (
    TrainingError,
    assessment_record,
    attendance_record,
    certificate_issue,
    completion_status,
    consecutive_absences,
    enrolment_create,
    enrolment_set_status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Assert on the English texts, whatever language an earlier request activated."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


PAST = timezone.now() - dt.timedelta(days=30)


def past_sessions(batch, count):
    return [
        factories.SessionFactory(
            batch=batch,
            starts_at=PAST + dt.timedelta(days=i),
            ends_at=PAST + dt.timedelta(days=i, hours=3),
        )
        for i in range(count)
    ]


@pytest.fixture
def programme(db):
    return factories.ProgrammeFactory(
        code="kk-test", eligible_categories=["former_prisoner"], min_age=18, max_age=45
    )


@pytest.fixture
def batch(programme):
    return factories.BatchFactory(programme=programme, capacity=2)


def former_prisoner(**kwargs):
    kwargs.setdefault("birth_date", dt.date(1995, 3, 4))
    return factories.ParticipantFactory(is_former_prisoner=True, **kwargs)


# Enrolment


def test_it_enrols_an_eligible_participant_and_activates_the_participation(batch, ministry_officer):
    person = former_prisoner()

    enrolment = enrolment_create(participant=person, batch=batch, actor=ministry_officer)

    assert enrolment.status == Enrolment.Status.ENROLLED
    participation = Participation.objects.get(participant=person, programme=batch.programme)
    assert participation.status == Participation.Status.ACTIVE
    assert list(participation.responsible_organisations.all()) == [batch.provider]


def test_it_refuses_to_enrol_in_a_full_batch(batch, ministry_officer):
    for _ in range(2):
        enrolment_create(participant=former_prisoner(), batch=batch, actor=ministry_officer)

    with pytest.raises(TrainingError, match="full"):
        enrolment_create(participant=former_prisoner(), batch=batch, actor=ministry_officer)

    assert batch.enrolments.count() == 2


def test_it_refuses_a_returning_worker_for_a_former_prisoner_programme_and_stores_why(
    batch, ministry_officer
):
    worker = factories.ParticipantFactory(is_returning_worker=True, birth_date=dt.date(1995, 3, 4))

    with pytest.raises(TrainingError, match="not eligible") as error:
        enrolment_create(participant=worker, batch=batch, actor=ministry_officer)

    assert "returning_worker in former_prisoner" in str(error.value)
    participation = Participation.objects.get(participant=worker, programme=batch.programme)
    assert participation.status == Participation.Status.NOT_ELIGIBLE
    failed = [c for c in participation.eligibility_explanation if not c["ok"]]
    assert [c["rule"] for c in failed] == ["category"]
    assert not Enrolment.objects.filter(participant=worker).exists()


def test_it_refuses_a_participant_outside_the_age_range(batch, ministry_officer):
    older = former_prisoner(birth_date=dt.date(1960, 1, 1))

    with pytest.raises(TrainingError, match="age"):
        enrolment_create(participant=older, batch=batch, actor=ministry_officer)

    participation = Participation.objects.get(participant=older)
    failed = [c for c in participation.eligibility_explanation if not c["ok"]]
    assert [c["rule"] for c in failed] == ["age"]
    assert failed[0]["detail"].startswith("age ")


def test_it_refuses_a_second_open_enrolment_in_the_same_batch(batch, ministry_officer):
    person = former_prisoner()
    enrolment_create(participant=person, batch=batch, actor=ministry_officer)

    with pytest.raises(TrainingError, match="already enrolled"):
        enrolment_create(participant=person, batch=batch, actor=ministry_officer)

    assert batch.enrolments.count() == 1


def test_the_database_refuses_a_second_open_enrolment_when_the_service_is_bypassed(batch):
    person = former_prisoner()
    Enrolment.objects.create(participant=person, batch=batch, status="enrolled")

    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Enrolment.objects.create(participant=person, batch=batch, status="active")

    # PostgreSQL names the constraint, SQLite the columns of the partial unique index.
    message = str(error.value)
    assert "one_open_enrolment_per_batch" in message or "participant_id" in message


def test_it_allows_re_enrolment_after_withdrawal(batch, ministry_officer):
    person = former_prisoner()
    first = enrolment_create(participant=person, batch=batch, actor=ministry_officer)
    enrolment_set_status(enrolment=first, status="withdrawn", actor=ministry_officer)

    second = enrolment_create(participant=person, batch=batch, actor=ministry_officer)

    assert second.pk != first.pk
    assert batch.enrolments.filter(participant=person).count() == 2


def test_it_refuses_a_transition_that_is_not_allowed(ministry_officer):
    enrolment = factories.EnrolmentFactory(status="completed")

    with pytest.raises(TrainingError, match="cannot go from"):
        enrolment_set_status(enrolment=enrolment, status="active", actor=ministry_officer)


# Attendance


def test_it_records_a_whole_session_at_once(ministry_officer):
    session = past_sessions(factories.BatchFactory(), 1)[0]
    a, b, c = (
        factories.EnrolmentFactory(batch=session.batch, status=s)
        for s in ("enrolled", "active", "active")
    )

    result = attendance_record(
        session=session,
        statuses={a.pk: "present", b.pk: "late", c.pk: "absent"},
        actor=ministry_officer,
    )

    assert result == {"created": 3, "changed": 0}
    assert dict(session.attendances.values_list("enrolment_id", "status")) == {
        a.pk: "present",
        b.pk: "late",
        c.pk: "absent",
    }
    a.refresh_from_db()
    assert a.status == Enrolment.Status.ACTIVE


def test_posting_the_same_attendance_twice_changes_nothing(ministry_officer):
    session = past_sessions(factories.BatchFactory(), 1)[0]
    a, b = (factories.EnrolmentFactory(batch=session.batch) for _ in range(2))
    statuses = {a.pk: "present", b.pk: "excused"}
    attendance_record(session=session, statuses=statuses, actor=ministry_officer)
    before = list(session.attendances.order_by("pk").values("pk", "status", "recorded_at"))

    result = attendance_record(session=session, statuses=statuses, actor=ministry_officer)

    assert result == {"created": 0, "changed": 0}
    assert list(session.attendances.order_by("pk").values("pk", "status", "recorded_at")) == before


def test_a_changed_status_updates_the_row(ministry_officer):
    session = past_sessions(factories.BatchFactory(), 1)[0]
    a = factories.EnrolmentFactory(batch=session.batch)
    attendance_record(session=session, statuses={a.pk: "absent"}, actor=ministry_officer)

    result = attendance_record(session=session, statuses={a.pk: "late"}, actor=ministry_officer)

    assert result == {"created": 0, "changed": 1}
    assert session.attendances.get().status == "late"


def test_it_refuses_attendance_for_an_enrolment_of_another_batch(ministry_officer):
    session = past_sessions(factories.BatchFactory(), 1)[0]
    ours = factories.EnrolmentFactory(batch=session.batch)
    theirs = factories.EnrolmentFactory()

    with pytest.raises(TrainingError, match=str(theirs.pk)):
        attendance_record(
            session=session,
            statuses={ours.pk: "present", theirs.pk: "present"},
            actor=ministry_officer,
        )

    assert not Attendance.objects.exists()


def test_it_refuses_an_unknown_attendance_status(ministry_officer):
    session = past_sessions(factories.BatchFactory(), 1)[0]
    a = factories.EnrolmentFactory(batch=session.batch)

    with pytest.raises(TrainingError, match="Unknown attendance status"):
        attendance_record(session=session, statuses={a.pk: "asleep"}, actor=ministry_officer)


def test_it_counts_consecutive_absences_back_from_the_latest_session(ministry_officer):
    batch = factories.BatchFactory()
    sessions = past_sessions(batch, 5)
    enrolment = factories.EnrolmentFactory(batch=batch)
    for session, status in zip(
        sessions, ["absent", "present", "absent", "absent", "absent"], strict=True
    ):
        attendance_record(session=session, statuses={enrolment.pk: status}, actor=ministry_officer)

    assert consecutive_absences(enrolment=enrolment) == 3


def test_a_present_breaks_the_run_of_absences(ministry_officer):
    batch = factories.BatchFactory()
    sessions = past_sessions(batch, 4)
    enrolment = factories.EnrolmentFactory(batch=batch)
    for session, status in zip(sessions, ["absent", "absent", "absent", "present"], strict=True):
        attendance_record(session=session, statuses={enrolment.pk: status}, actor=ministry_officer)

    assert consecutive_absences(enrolment=enrolment) == 0


# Assessment


@pytest.mark.parametrize("score", [-1, "100.01", 101, "abc"])
def test_it_refuses_a_score_outside_0_to_100(score, ministry_officer):
    enrolment = factories.EnrolmentFactory()

    with pytest.raises(TrainingError, match="score must be"):
        assessment_record(
            enrolment=enrolment,
            kind="written",
            score=score,
            assessed_on=dt.date(2026, 11, 20),
            actor=ministry_officer,
        )


@pytest.mark.parametrize(("score", "passed"), [(0, False), (69.99, False), (70, True), (100, True)])
def test_passed_follows_the_track_minimum(score, passed, ministry_officer):
    enrolment = factories.EnrolmentFactory(batch__track__min_score=70)

    result = assessment_record(
        enrolment=enrolment,
        kind="final",
        score=score,
        assessed_on=dt.date(2026, 11, 20),
        actor=ministry_officer,
    )

    assert result.passed is passed


# Completion and certificates


def completed_course(*, attended, held=5, score=80, actor=None):
    """An active enrolment with `attended` of `held` past sessions present and a final score."""
    batch = factories.BatchFactory()
    sessions = past_sessions(batch, held)
    enrolment = factories.EnrolmentFactory(batch=batch, status="active")
    for i, session in enumerate(sessions):
        status = "present" if i < attended else "absent"
        attendance_record(session=session, statuses={enrolment.pk: status}, actor=actor)
    if score is not None:
        assessment_record(
            enrolment=enrolment,
            kind="final",
            score=score,
            assessed_on=dt.date(2026, 11, 1),
            actor=actor,
        )
    return enrolment


def annotated(enrolment):
    return Enrolment.objects.with_progress().select_related("batch__track").get(pk=enrolment.pk)


def test_the_completion_rule_is_met_with_enough_attendance_and_score(ministry_officer):
    enrolment = completed_course(attended=4, actor=ministry_officer)

    met, reasons = completion_status(annotated(enrolment))

    assert (met, reasons) == (True, [])
    assert annotated(enrolment).completion_met is True


def test_the_completion_rule_lists_each_reason_it_is_not_met(ministry_officer):
    enrolment = completed_course(attended=3, score=60, actor=ministry_officer)

    met, reasons = completion_status(annotated(enrolment))

    assert met is False
    assert [str(r) for r in reasons][0] == "attendance 60% is below 80%"
    assert str(reasons[1]).startswith("score 60") and str(reasons[1]).endswith("below 70.00")
    assert annotated(enrolment).completion_met is False


def test_the_completion_rule_needs_a_score(ministry_officer):
    enrolment = completed_course(attended=5, score=None, actor=ministry_officer)

    met, reasons = completion_status(annotated(enrolment))

    assert met is False
    assert [str(r) for r in reasons] == ["no assessment score yet"]


def test_a_certificate_is_issued_when_the_rule_is_met_and_completes_the_enrolment(
    ministry_officer,
):
    enrolment = completed_course(attended=5, actor=ministry_officer)

    certificate = certificate_issue(enrolment=enrolment, actor=ministry_officer, issuer="BLK")

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.ended_on == timezone.localdate()
    assert certificate.issuer == "BLK"
    assert certificate.issued_by == ministry_officer


def test_a_certificate_is_refused_when_the_rule_is_not_met(ministry_officer):
    enrolment = completed_course(attended=2, actor=ministry_officer)

    with pytest.raises(TrainingError, match="attendance 40% is below 80%"):
        certificate_issue(enrolment=enrolment, actor=ministry_officer, issuer="BLK")

    assert not Certificate.objects.exists()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_a_second_certificate_is_refused(ministry_officer):
    enrolment = completed_course(attended=5, actor=ministry_officer)
    certificate_issue(enrolment=enrolment, actor=ministry_officer, issuer="BLK")

    with pytest.raises(TrainingError, match="already issued"):
        certificate_issue(enrolment=enrolment, actor=ministry_officer, issuer="BLK")

    assert Certificate.objects.count() == 1


def test_verification_codes_are_unique_and_hold_no_personal_data(ministry_officer):
    certificates = [
        certificate_issue(
            enrolment=completed_course(attended=5, actor=ministry_officer),
            actor=ministry_officer,
            issuer="BLK",
        )
        for _ in range(3)
    ]

    codes = [c.verification_code for c in certificates]
    assert len(set(codes)) == 3
    for certificate in certificates:
        person = certificate.enrolment.participant
        code = certificate.verification_code.lower()
        assert person.nik not in code
        assert not any(person.nik[i : i + 6] in code for i in range(11))
        for word in person.full_name.lower().split():
            if len(word) > 3:
                assert word not in code
        assert person.nik not in certificate.number
