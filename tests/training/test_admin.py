"""Training admin: the actions that call the services, and constant-cost changelists."""

import datetime as dt

import pytest
from django.contrib.messages import ERROR, SUCCESS, get_messages
from django.urls import reverse
from django.utils import timezone, translation

from tests import factories
from training.models import Attendance, Certificate, Enrolment
from training.services import assessment_record, attendance_record

pytestmark = pytest.mark.django_db

PAST = timezone.now() - dt.timedelta(days=20)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(client, ministry_admin):
    client.force_login(ministry_admin)
    return client


def sent_messages(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def changelist(model):
    return reverse(f"admin:training_{model}_changelist")


def past_session(batch, day=0, hours=3):
    start = PAST + dt.timedelta(days=day)
    return factories.SessionFactory(
        batch=batch, starts_at=start, ends_at=start + dt.timedelta(hours=hours)
    )


# Enrol participants by NIK


def test_the_enrol_action_shows_a_nik_form_for_one_batch(admin_client):
    batch = factories.BatchFactory(name="Angkatan Las 1")

    response = admin_client.post(
        changelist("batch"), {"action": "enrol_participants", "_selected_action": [batch.pk]}
    )

    assert response.status_code == 200
    assert 'name="niks"' in response.content.decode()
    assert "Angkatan Las 1" in response.content.decode()


def test_the_enrol_action_enrols_each_nik_and_reports_each_refusal(admin_client):
    programme = factories.ProgrammeFactory(eligible_categories=["former_prisoner"])
    batch = factories.BatchFactory(programme=programme, capacity=2)
    first, second, third = (factories.ParticipantFactory(is_former_prisoner=True) for _ in range(3))
    worker = factories.ParticipantFactory(is_returning_worker=True, full_name="Ketut Purna")
    unknown = factories.make_nik()
    niks = [
        worker.nik,
        first.nik,
        unknown,
        f"{second.nik[:4]}.{second.nik[4:8]} {second.nik[8:]}",  # punctuation is ignored
        first.nik,
        third.nik,
    ]

    response = admin_client.post(
        changelist("batch"),
        {
            "action": "enrol_participants",
            "_selected_action": [batch.pk],
            "apply": "1",
            "niks": "\n".join(niks) + "\n\n",
        },
    )

    assert response.status_code == 302
    assert set(Enrolment.objects.values_list("participant_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    sent = sent_messages(response)
    errors = [text for level, text in sent if level == ERROR]
    assert len(errors) == 4
    assert any("Ketut Purna is not eligible" in e and "returning_worker" in e for e in errors)
    assert any(f"Unknown NIK …{unknown[-4:]}" in e for e in errors)
    assert any("listed twice" in e for e in errors)
    assert any("full" in e for e in errors)
    assert (SUCCESS, "Enrolled 2 participants.") in sent


def test_the_enrol_action_needs_exactly_one_batch(admin_client):
    batches = [factories.BatchFactory(), factories.BatchFactory()]

    response = admin_client.post(
        changelist("batch"),
        {"action": "enrol_participants", "_selected_action": [b.pk for b in batches]},
    )

    assert response.status_code == 302
    assert sent_messages(response) == [(ERROR, "Select exactly one batch for this action.")]


def test_batch_status_changes_through_the_service_and_refusals_are_reported(admin_client):
    planned = factories.BatchFactory(status="planned", name="Rencana")
    finished = factories.BatchFactory(status="finished", name="Selesai")

    response = admin_client.post(
        changelist("batch"),
        {"action": "mark_running", "_selected_action": [planned.pk, finished.pk]},
    )

    planned.refresh_from_db()
    finished.refresh_from_db()
    assert (planned.status, finished.status) == ("running", "finished")
    sent = sent_messages(response)
    assert (SUCCESS, "Changed 1 batch.") in sent
    assert any(level == ERROR and "Selesai" in text for level, text in sent)


def test_the_batch_page_shows_session_times_in_the_venue_zone(admin_client):
    batch = factories.BatchFactory(timezone="Asia/Makassar")
    start = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    factories.SessionFactory(batch=batch, starts_at=start, ends_at=start + dt.timedelta(hours=3))

    response = admin_client.get(reverse("admin:training_batch_change", args=[batch.pk]))

    assert "2026-11-02 09:00 WITA" in response.content.decode()


# Record attendance for a session


def test_the_attendance_action_shows_one_select_per_enrolment(admin_client):
    session = past_session(factories.BatchFactory())
    enrolments = [factories.EnrolmentFactory(batch=session.batch) for _ in range(3)]
    withdrawn = factories.EnrolmentFactory(batch=session.batch, status="withdrawn")

    response = admin_client.post(
        changelist("session"), {"action": "record_attendance", "_selected_action": [session.pk]}
    )

    html = response.content.decode()
    assert response.status_code == 200
    for enrolment in enrolments:
        assert f'name="status_{enrolment.pk}"' in html
    assert f'name="status_{withdrawn.pk}"' not in html


def test_the_attendance_action_records_the_whole_session(admin_client, ministry_admin):
    session = past_session(factories.BatchFactory())
    a, b, c = (factories.EnrolmentFactory(batch=session.batch) for _ in range(3))
    data = {
        "action": "record_attendance",
        "_selected_action": [session.pk],
        "apply": "1",
        f"status_{a.pk}": "present",
        f"status_{b.pk}": "late",
        f"status_{c.pk}": "absent",
    }

    response = admin_client.post(changelist("session"), data)

    assert response.status_code == 302
    assert dict(session.attendances.values_list("enrolment_id", "status")) == {
        a.pk: "present",
        b.pk: "late",
        c.pk: "absent",
    }
    assert set(session.attendances.values_list("recorded_by", flat=True)) == {ministry_admin.pk}
    assert sent_messages(response) == [(SUCCESS, "Attendance recorded: 3 new, 0 changed.")]

    again = admin_client.post(changelist("session"), data)

    assert (SUCCESS, "Attendance recorded: 0 new, 0 changed.") in sent_messages(again)
    assert Attendance.objects.count() == 3


def test_the_attendance_page_shows_what_was_recorded(admin_client, ministry_admin):
    session = past_session(factories.BatchFactory())
    a = factories.EnrolmentFactory(batch=session.batch)
    attendance_record(session=session, statuses={a.pk: "excused"}, actor=ministry_admin)

    response = admin_client.post(
        changelist("session"), {"action": "record_attendance", "_selected_action": [session.pk]}
    )

    assert '<option value="excused" selected>' in response.content.decode()


# Certificates


def test_the_certificate_action_issues_to_those_who_met_the_rule(admin_client, ministry_admin):
    provider = factories.OrganisationFactory(name="BLK Denpasar", slug="blk-denpasar")
    batch = factories.BatchFactory(provider=provider)
    sessions = [past_session(batch, day) for day in range(5)]
    good = factories.EnrolmentFactory(batch=batch, participant__full_name="Nyoman Lulus")
    poor = factories.EnrolmentFactory(batch=batch, participant__full_name="Kadek Kurang")
    for i, session in enumerate(sessions):
        attendance_record(
            session=session,
            statuses={good.pk: "present", poor.pk: "present" if i < 2 else "absent"},
            actor=ministry_admin,
        )
    for enrolment in (good, poor):
        assessment_record(
            enrolment=enrolment,
            kind="final",
            score=85,
            assessed_on=dt.date(2026, 11, 10),
            actor=ministry_admin,
        )

    response = admin_client.post(
        changelist("enrolment"),
        {"action": "issue_certificates", "_selected_action": [good.pk, poor.pk]},
    )

    certificate = Certificate.objects.get()
    assert certificate.enrolment == good
    assert certificate.issuer == "BLK Denpasar"
    good.refresh_from_db()
    assert good.status == Enrolment.Status.COMPLETED
    sent = sent_messages(response)
    assert (SUCCESS, "Issued 1 certificate.") in sent
    errors = [text for level, text in sent if level == ERROR]
    assert len(errors) == 1
    assert "Kadek Kurang" in errors[0]
    assert "attendance 40% is below 80%" in errors[0]

    again = admin_client.post(
        changelist("enrolment"), {"action": "issue_certificates", "_selected_action": [good.pk]}
    )

    assert any("already issued" in text for _, text in sent_messages(again))
    assert Certificate.objects.count() == 1


def test_the_enrolment_list_shows_progress_columns(admin_client, ministry_admin):
    batch = factories.BatchFactory()
    sessions = [past_session(batch, day, hours=2) for day in range(4)]
    enrolment = factories.EnrolmentFactory(batch=batch, participant__full_name="Wayan Hadir")
    attendance_record(session=sessions[0], statuses={enrolment.pk: "present"}, actor=ministry_admin)
    attendance_record(session=sessions[1], statuses={enrolment.pk: "late"}, actor=ministry_admin)

    response = admin_client.get(changelist("enrolment"))

    html = response.content.decode()
    assert "Wayan Hadir" in html
    assert "2/4" in html
    assert "50%" in html
    assert ">4.0<" in html


def test_the_state_fields_are_read_only(admin_client):
    enrolment = factories.EnrolmentFactory()
    certificate = Certificate.objects.create(
        enrolment=enrolment, number="C-1", issuer="BLK", issued_on=dt.date(2026, 11, 1)
    )

    enrolment_page = admin_client.get(
        reverse("admin:training_enrolment_change", args=[enrolment.pk])
    ).content.decode()
    certificate_page = admin_client.get(
        reverse("admin:training_certificate_change", args=[certificate.pk])
    ).content.decode()

    assert 'name="status"' not in enrolment_page
    assert 'name="verification_code"' not in certificate_page
    assert certificate.verification_code in certificate_page


# Changelists cost a constant number of queries


def build_rows(count, actor):
    track = factories.TrackFactory()
    batches = [factories.BatchFactory(track=track) for _ in range(2)]
    for n in range(count):
        batch = batches[n % 2]
        session = past_session(batch, n)
        enrolment = factories.EnrolmentFactory(batch=batch)
        attendance_record(session=session, statuses={enrolment.pk: "present"}, actor=actor)
        assessment_record(
            enrolment=enrolment,
            kind="final",
            score=80,
            assessed_on=dt.date(2026, 11, 1),
            actor=actor,
        )
        Certificate.objects.create(
            enrolment=enrolment,
            number=f"C-{n}",
            issuer="BLK",
            issued_on=dt.date(2026, 11, 2),
        )
        factories.TrackFactory()
        factories.BatchFactory(track=track)


# Session, user, groups, user and group permissions, the two counts, the page, and at most
# four for the date hierarchy and the filter choices: 12 at most (the batch list needs all).
MAX_QUERIES = 12


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize(
    "model",
    ["track", "batch", "session", "enrolment", "attendance", "assessmentresult", "certificate"],
)
def test_the_changelist_costs_a_constant_number_of_queries(
    model, count, admin_client, ministry_admin, django_assert_max_num_queries
):
    build_rows(count, ministry_admin)
    url = changelist(model)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count >= count


@pytest.mark.parametrize(
    "model",
    [
        "track",
        "module",
        "batch",
        "session",
        "enrolment",
        "attendance",
        "assessmentresult",
        "certificate",
        "welderqualification",
    ],
)
def test_every_training_admin_page_opens(model, admin_client, ministry_admin):
    build_rows(1, ministry_admin)
    from django.apps import apps

    obj = apps.get_model("training", model).objects.first()
    add = admin_client.get(reverse(f"admin:training_{model}_add"))

    assert add.status_code == (403 if model in {"attendance", "certificate"} else 200)
    if obj is not None:
        page = admin_client.get(reverse(f"admin:training_{model}_change", args=[obj.pk]))
        assert page.status_code == 200


def test_a_score_added_in_the_admin_goes_through_the_service(admin_client, ministry_admin):
    enrolment = factories.EnrolmentFactory(batch__track__min_score=75)

    response = admin_client.post(
        reverse("admin:training_assessmentresult_add"),
        {"enrolment": enrolment.pk, "kind": "final", "assessed_on": "2026-11-20", "score": "80"},
    )

    assert response.status_code == 302
    result = enrolment.assessments.get()
    assert result.passed is True
    assert result.recorded_by == ministry_admin


def test_a_score_above_100_is_refused_in_the_admin(admin_client):
    enrolment = factories.EnrolmentFactory()

    response = admin_client.post(
        reverse("admin:training_assessmentresult_add"),
        {"enrolment": enrolment.pk, "kind": "final", "assessed_on": "2026-11-20", "score": "101"},
    )

    assert response.status_code == 200
    assert not enrolment.assessments.exists()
