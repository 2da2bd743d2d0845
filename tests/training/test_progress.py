"""Enrolment progress: annotated by the database for the whole list at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tests import factories
from training.models import Attendance, Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Assert on the English texts, whatever language an earlier request activated."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


NOW = timezone.now()


def build(count):
    """`count` enrolments over two batches, each with 3 past and 1 future session, attendance
    for every past session and two scores."""
    batches = [factories.BatchFactory(), factories.BatchFactory()]
    for batch in batches:
        for i in range(3):
            start = NOW - dt.timedelta(days=10 - i)
            factories.SessionFactory(
                batch=batch, starts_at=start, ends_at=start + dt.timedelta(hours=2)
            )
        start = NOW + dt.timedelta(days=5)
        factories.SessionFactory(
            batch=batch, starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
    for n in range(count):
        enrolment = factories.EnrolmentFactory(batch=batches[n % 2])
        for session in enrolment.batch.sessions.filter(starts_at__lte=NOW):
            Attendance.objects.create(enrolment=enrolment, session=session, status="present")
        for day, score in ((1, 50), (2, 90)):
            enrolment.assessments.create(
                kind="written", assessed_on=dt.date(2026, 11, day), score=score, passed=score >= 70
            )


def read_all():
    rows = list(Enrolment.objects.with_progress().select_related("batch__track", "participant"))
    for row in rows:
        (
            row.sessions_held,
            row.sessions_attended,
            row.time_attended,
            row.latest_score,
            row.attendance_share,
            row.completion_met,
            row.batch.track.min_score,
            row.participant.full_name,
        )
    return rows


@pytest.mark.parametrize("count", [5, 50])
def test_progress_of_many_enrolments_costs_a_constant_number_of_queries(
    count, django_assert_max_num_queries
):
    build(count)

    # 1: the enrolments with their batch, track, participant and every progress annotation.
    with django_assert_max_num_queries(1):
        rows = read_all()

    assert len(rows) == count


def test_the_annotated_progress_is_right():
    batch = factories.BatchFactory()
    sessions = []
    for days_ago, hours in ((10, 2), (9, 3), (8, 4), (7, 1)):
        start = NOW - dt.timedelta(days=days_ago)
        sessions.append(
            factories.SessionFactory(
                batch=batch, starts_at=start, ends_at=start + dt.timedelta(hours=hours)
            )
        )
    future = NOW + dt.timedelta(days=3)
    factories.SessionFactory(batch=batch, starts_at=future, ends_at=future + dt.timedelta(hours=8))
    enrolment = factories.EnrolmentFactory(batch=batch)
    other = factories.EnrolmentFactory(batch=batch)
    for session, status in zip(sessions, ["present", "late", "excused", "absent"], strict=True):
        Attendance.objects.create(enrolment=enrolment, session=session, status=status)
    enrolment.assessments.create(
        kind="written", assessed_on=dt.date(2026, 11, 10), score=95, passed=True
    )
    enrolment.assessments.create(
        kind="final", assessed_on=dt.date(2026, 11, 20), score="64.50", passed=False
    )
    enrolment.assessments.create(
        kind="oral", assessed_on=dt.date(2026, 11, 15), score=80, passed=True
    )

    rows = {e.pk: e for e in Enrolment.objects.with_progress()}
    row = rows[enrolment.pk]

    assert row.sessions_held == 4  # the future session is not held yet
    assert row.sessions_attended == 2  # present and late
    assert row.time_attended == dt.timedelta(hours=5)
    assert row.latest_score == Decimal("64.5")  # the newest, not the highest
    assert row.attendance_share == pytest.approx(0.5)
    assert row.completion_met is False
    empty = rows[other.pk]
    assert (empty.sessions_held, empty.sessions_attended) == (4, 0)
    assert empty.time_attended is None
    assert empty.latest_score is None
    assert empty.completion_met is False


def test_a_batch_without_held_sessions_has_no_share():
    enrolment = factories.EnrolmentFactory()

    row = Enrolment.objects.with_progress().get(pk=enrolment.pk)

    assert row.sessions_held == 0
    assert row.attendance_share is None


def test_completion_met_in_the_database_agrees_with_the_rule():
    from training.services import completion_status

    batch = factories.BatchFactory(track__min_attendance_share=Decimal("0.75"), track__min_score=70)
    sessions = []
    for i in range(4):
        start = NOW - dt.timedelta(days=10 - i)
        sessions.append(
            factories.SessionFactory(
                batch=batch, starts_at=start, ends_at=start + dt.timedelta(hours=1)
            )
        )
    cases = {(3, 70): True, (3, 69): False, (2, 100): False, (4, 70): True}
    ids = {}
    for (attended, score), _met in cases.items():
        enrolment = factories.EnrolmentFactory(batch=batch)
        for i, session in enumerate(sessions):
            status = "present" if i < attended else "absent"
            Attendance.objects.create(enrolment=enrolment, session=session, status=status)
        enrolment.assessments.create(
            kind="final", assessed_on=dt.date(2026, 11, 1), score=score, passed=score >= 70
        )
        ids[enrolment.pk] = (attended, score)

    for row in Enrolment.objects.with_progress().select_related("batch__track"):
        expected = cases[ids[row.pk]]
        assert row.completion_met is expected
        assert completion_status(row)[0] is expected
