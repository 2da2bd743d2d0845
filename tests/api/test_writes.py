"""Write endpoints: each goes through its service; refusals are 400s in the one error shape;
objects outside the writer's rows are 404s; read tokens are refused; read-write tokens act
without a stored user and are logged."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from participants.models import Participant, PendingChange
from placements.models import CaseUpdate, CheckIn
from portal.api.models import ApiRequestLog
from portal.api.serializers import ParticipantWriteSerializer
from tests import factories
from tests.api.factories import build_side, issue_token, shared_person
from training.models import AssessmentResult, Attendance, Certificate, Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(api):
    """Messages in English (the portal's default language is Indonesian)."""
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def refused(response, status=400, code="refused"):
    """The error body of a refused request (asserting its status and shape)."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    return error


@pytest.fixture
def side_a(organisation_a):
    return build_side(organisation_a, province_id="51", regency_id="51.71", suffix="A")


def a_batch_with(organisation, count):
    """A batch `organisation` provides, one session, `count` enrolments of shared people."""
    batch = factories.BatchFactory(provider=organisation, capacity=100)
    session = factories.SessionFactory(
        batch=batch, starts_at=timezone.now() - dt.timedelta(days=1)
    )  # held already: it counts for the completion rule
    enrolments = []
    for _ in range(count):
        person, _participation = shared_person(organisation)
        enrolments.append(factories.EnrolmentFactory(participant=person, batch=batch))
    return session, enrolments


# --- participants ----------------------------------------------------------------------------


def test_ministry_staff_register_a_person_with_the_nik_normalised(api, ministry_admin):
    nik = factories.make_nik(birth=dt.date(1995, 3, 4))
    response = api.as_user(ministry_admin).post(
        "/api/v1/participants/",
        {"nik": f" {nik[:6]}.{nik[6:12]}.{nik[12:]} ", "full_name": "budi  santoso", "sex": "M"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["created"] is True
    person = Participant.objects.get(pk=response.json()["id"])
    assert person.nik == nik


def test_a_known_nik_creates_no_second_person_and_queues_differences(api, ministry_admin):
    person = factories.ParticipantFactory(full_name="Siti Aminah", address="")
    response = api.as_user(ministry_admin).post(
        "/api/v1/participants/",
        {"nik": person.nik, "full_name": "Siti Rahma", "address": "Jl. Kenanga 3"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "id": person.pk,
        "created": False,
        "filled": ["address"],
        "pending_changes": ["full_name"],
    }
    assert Participant.objects.filter(nik=person.nik).count() == 1
    person.refresh_from_db()
    assert person.full_name == "Siti Aminah"
    assert person.address == "Jl. Kenanga 3"
    change = PendingChange.objects.get(participant=person)
    assert (change.field, change.proposed_value, change.state) == (
        "full_name",
        "Siti Rahma",
        "pending",
    )


def test_an_invalid_nik_is_a_400_on_the_field(api, ministry_admin):
    response = api.as_user(ministry_admin).post(
        "/api/v1/participants/", {"nik": "12345", "full_name": "Budi"}, format="json"
    )
    error = refused(response, code="invalid")
    assert list(error["fields"]) == ["nik"]
    assert not Participant.objects.exists()


def test_analysts_cannot_register_people(api, analyst_user):
    body = {"nik": factories.make_nik(), "full_name": "Budi"}
    response = api.as_user(analyst_user).post("/api/v1/participants/", body, format="json")
    refused(response, 403, code="permission_denied")
    assert not Participant.objects.exists()


def test_ministry_staff_update_a_person(api, ministry_officer):
    person = factories.ParticipantFactory(phone="+6281234567890")
    response = api.as_user(ministry_officer).patch(
        f"/api/v1/participants/{person.pk}/",
        {"phone": "0812-9999-8888", "restricted_notes": "dirujuk"},
        format="json",
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.phone == "+6281299998888"
    assert person.restricted_notes == "dirujuk"
    assert response.json()["phone"] == "+6281299998888"


def test_restricted_fields_need_the_restricted_permission():
    body = {"restricted_notes": "x"}
    hidden = ParticipantWriteSerializer(data=body, partial=True, context={"show_restricted": False})
    assert not hidden.is_valid()
    assert list(hidden.errors) == ["restricted_notes"]
    shown = ParticipantWriteSerializer(data=body, partial=True, context={"show_restricted": True})
    assert shown.is_valid()


def test_partner_b_and_analysts_cannot_update_partner_a_people(
    api, other_partner_user, analyst_user, side_a
):
    person = side_a["participants"]
    url = f"/api/v1/participants/{person.pk}/"
    body = {"full_name": "Ganti"}
    refused(api.as_user(other_partner_user).patch(url, body, format="json"), 404, "not_found")
    refused(api.as_user(analyst_user).patch(url, body, format="json"), 403, "permission_denied")
    person.refresh_from_db()
    assert person.full_name == "Peserta A"


# --- enrolments ------------------------------------------------------------------------------


def test_partner_staff_enrol_a_shared_person_in_their_batch(api, partner_user, organisation_a):
    person, participation = shared_person(organisation_a)
    batch = factories.BatchFactory(provider=organisation_a, programme=participation.programme)
    response = api.as_user(partner_user).post(
        "/api/v1/enrolments/", {"participant": person.pk, "batch": batch.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "enrolled"
    assert Enrolment.objects.filter(participant=person, batch=batch).exists()


def test_a_full_batch_is_refused_with_the_reason(api, ministry_admin, organisation_a):
    person, participation = shared_person(organisation_a)
    batch = factories.BatchFactory(programme=participation.programme, capacity=1)
    factories.EnrolmentFactory(batch=batch)
    response = api.as_user(ministry_admin).post(
        "/api/v1/enrolments/", {"participant": person.pk, "batch": batch.pk}, format="json"
    )
    assert "full" in refused(response)["message"]
    assert not Enrolment.objects.filter(participant=person).exists()


def test_partner_b_cannot_enrol_into_partner_a_batch(api, other_partner_user, organisation_b):
    person, participation = shared_person(organisation_b)
    batch = factories.BatchFactory(programme=participation.programme)  # another provider's
    response = api.as_user(other_partner_user).post(
        "/api/v1/enrolments/", {"participant": person.pk, "batch": batch.pk}, format="json"
    )
    refused(response, 404, code="not_found")


# --- attendance ------------------------------------------------------------------------------


def test_attendance_for_a_whole_session_is_idempotent(api, partner_user, organisation_a):
    session, (first, second) = a_batch_with(organisation_a, 2)
    client = api.as_user(partner_user)
    url = f"/api/v1/sessions/{session.pk}/attendance/"
    body = {"statuses": {str(first.pk): "present", str(second.pk): "absent"}}
    response = client.post(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    again = client.post(url, body, format="json")
    assert again.json()["created"] == again.json()["changed"] == 0
    assert again.json()["attendance"] == response.json()["attendance"]
    assert Attendance.objects.filter(session=session).count() == 2
    as_list = [{"enrolment": first.pk, "status": "late"}]
    assert client.post(url, {"statuses": as_list}, format="json").json()["changed"] == 1
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        first.pk: "late",
        second.pk: "absent",
    }


def test_attendance_refusals_are_400s(api, partner_user, organisation_a):
    session, (enrolment,) = a_batch_with(organisation_a, 1)
    stranger = factories.EnrolmentFactory()
    client = api.as_user(partner_user)
    url = f"/api/v1/sessions/{session.pk}/attendance/"
    error = refused(client.post(url, {"statuses": {str(stranger.pk): "present"}}, format="json"))
    assert "Not enrolled in this batch" in error["message"]
    error = refused(client.post(url, {"statuses": {str(enrolment.pk): "asleep"}}, format="json"))
    assert "Unknown attendance status" in error["message"]
    refused(client.post(url, {"statuses": {}}, format="json"), code="invalid")
    assert not Attendance.objects.exists()


def test_partner_b_cannot_post_attendance_for_partner_a_session(
    api, other_partner_user, organisation_a
):
    session, (enrolment,) = a_batch_with(organisation_a, 1)
    response = api.as_user(other_partner_user).post(
        f"/api/v1/sessions/{session.pk}/attendance/",
        {"statuses": {str(enrolment.pk): "present"}},
        format="json",
    )
    refused(response, 404, code="not_found")
    assert not Attendance.objects.exists()


def test_a_read_token_cannot_post_attendance(api, ministry_admin, organisation_a):
    session, (enrolment,) = a_batch_with(organisation_a, 1)
    _, secret = issue_token(organisation=organisation_a, actor=ministry_admin)
    response = api.with_token(secret).post(
        f"/api/v1/sessions/{session.pk}/attendance/",
        {"statuses": {str(enrolment.pk): "present"}},
        format="json",
    )
    refused(response, 403, code="permission_denied")
    assert not Attendance.objects.exists()


def test_a_read_write_token_posts_attendance_and_is_logged(api, ministry_admin, organisation_a):
    session, (enrolment,) = a_batch_with(organisation_a, 1)
    token, secret = issue_token(
        organisation=organisation_a, actor=ministry_admin, scope="read_write"
    )
    response = api.with_token(secret).post(
        f"/api/v1/sessions/{session.pk}/attendance/",
        {"statuses": {str(enrolment.pk): "present"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    row = Attendance.objects.get()
    assert (row.status, row.recorded_by) == ("present", token.service_user)
    log = ApiRequestLog.objects.get(token=token)
    assert (log.method, log.endpoint, log.status) == ("POST", "api:sessions-attendance", 200)


def test_the_attendance_post_query_count_does_not_grow_with_the_session(
    api, ministry_admin, organisation_a
):
    client = api.as_user(ministry_admin)
    counts = []
    for size in (5, 30):
        session, enrolments = a_batch_with(organisation_a, size)
        statuses = {str(e.pk): "present" for e in enrolments}
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f"/api/v1/sessions/{session.pk}/attendance/",
                {"statuses": statuses},
                format="json",
            )
        assert response.status_code == 200
        assert Attendance.objects.filter(session=session).count() == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- scores and certificates -----------------------------------------------------------------


def test_partner_staff_record_a_score(api, partner_user, organisation_a):
    _session, (enrolment,) = a_batch_with(organisation_a, 1)
    body = {
        "enrolment": enrolment.pk,
        "kind": "final",
        "score": "82.5",
        "assessed_on": "2026-11-20",
    }
    response = api.as_user(partner_user).post("/api/v1/assessments/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["passed"] is True
    assert AssessmentResult.objects.get().score == 82.5


def test_a_score_out_of_range_is_refused_and_another_partner_gets_a_404(
    api, partner_user, other_partner_user, organisation_a
):
    _session, (enrolment,) = a_batch_with(organisation_a, 1)
    body = {"enrolment": enrolment.pk, "kind": "final", "score": "101", "assessed_on": "2026-11-20"}
    error = refused(api.as_user(partner_user).post("/api/v1/assessments/", body, format="json"))
    assert "between 0 and 100" in error["message"]
    body["score"] = "90"
    response = api.as_user(other_partner_user).post("/api/v1/assessments/", body, format="json")
    refused(response, 404, code="not_found")
    assert not AssessmentResult.objects.exists()


def test_a_certificate_needs_the_completion_rule(api, partner_user, organisation_a):
    session, (enrolment,) = a_batch_with(organisation_a, 1)
    client = api.as_user(partner_user)
    error = refused(client.post("/api/v1/certificates/", {"enrolment": enrolment.pk}))
    assert "completion rule is not met" in error["message"]
    assert not Certificate.objects.exists()
    client.post(
        f"/api/v1/sessions/{session.pk}/attendance/",
        {"statuses": {str(enrolment.pk): "present"}},
        format="json",
    )
    client.post(
        "/api/v1/assessments/",
        {"enrolment": enrolment.pk, "kind": "final", "score": 90, "assessed_on": "2026-11-20"},
        format="json",
    )
    response = client.post("/api/v1/certificates/", {"enrolment": enrolment.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["issuer"] == str(organisation_a)
    enrolment.refresh_from_db()
    assert enrolment.status == "completed"


# --- placements and check-ins ----------------------------------------------------------------


def test_a_refused_phase_move_is_a_400_with_the_reasons(api, ministry_admin):
    placement = factories.PlacementFactory(phase="registered")
    response = api.as_user(ministry_admin).post(
        f"/api/v1/placements/{placement.pk}/advance/", {"to_phase": "departed"}, format="json"
    )
    error = refused(response)
    assert error["fields"]["refusals"]
    placement.refresh_from_db()
    assert placement.phase == "registered"


def test_a_placement_moves_through_the_service(api, ministry_admin):
    placement = factories.PlacementFactory(phase="registered")
    response = api.as_user(ministry_admin).post(
        f"/api/v1/placements/{placement.pk}/advance/",
        {"to_phase": "withdrawn", "reason": "Mengundurkan diri"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["phase"] == "withdrawn"
    assert response.json()["phase_changes"][-1]["reason"] == "Mengundurkan diri"


def test_partner_staff_move_only_their_agency_placements(api, partner_user, side_a):
    placement = side_a["placements"]  # visible to partner A, run by no agency of theirs
    response = api.as_user(partner_user).post(
        f"/api/v1/placements/{placement.pk}/advance/",
        {"to_phase": "withdrawn", "reason": "x"},
        format="json",
    )
    refused(response, 404, code="not_found")


def test_check_ins_are_recorded_abroad_only(api, ministry_admin):
    abroad = factories.PlacementFactory(phase="working")
    home = factories.PlacementFactory(phase="registered")
    client = api.as_user(ministry_admin)
    body = {"on": "2026-11-22", "channel": "phone", "wellbeing": "good"}
    response = client.post("/api/v1/check-ins/", {**body, "placement": abroad.pk}, format="json")
    assert response.status_code == 201, response.content
    error = refused(client.post("/api/v1/check-ins/", {**body, "placement": home.pk}))
    assert "abroad" in error["message"]
    assert CheckIn.objects.count() == 1


def test_a_partner_agency_checks_in_on_its_own_placement(api, partner_user, organisation_a):
    person, _participation = shared_person(organisation_a)
    own = factories.PlacementFactory(participant=person, phase="working", agency=organisation_a)
    someone, _participation = shared_person(organisation_a)
    other = factories.PlacementFactory(participant=someone, phase="working")
    client = api.as_user(partner_user)
    body = {"on": "2026-11-22", "channel": "whatsapp", "wellbeing": "concerns"}
    response = client.post("/api/v1/check-ins/", {**body, "placement": own.pk}, format="json")
    assert response.status_code == 201, response.content
    response = client.post("/api/v1/check-ins/", {**body, "placement": other.pk}, format="json")
    refused(response, 404, code="not_found")


# --- cases -----------------------------------------------------------------------------------


def test_ministry_staff_open_and_move_a_case(api, ministry_admin):
    person = factories.ParticipantFactory()
    client = api.as_user(ministry_admin)
    response = client.post(
        "/api/v1/cases/",
        {
            "participant": person.pk,
            "type": "unpaid_wages",
            "severity": "high",
            "summary": "Gaji tidak dibayar",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    url = f"/api/v1/cases/{response.json()['id']}/"
    error = refused(client.patch(url, {"status": "service_plan"}, format="json"))
    assert error["message"]
    moved = client.patch(
        url, {"status": "assessment", "assessment": "Perlu pendampingan"}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "assessment"
    noted = client.patch(url, {"note": "Dihubungi lewat telepon"}, format="json")
    assert noted.status_code == 200
    notes = CaseUpdate.objects.filter(case_id=response.json()["id"]).values_list("note", flat=True)
    assert "Dihubungi lewat telepon" in list(notes)


def test_only_ministry_staff_with_the_case_permission_write_cases(
    api, partner_user, analyst_user, ministry_admin, organisation_a
):
    case = factories.CaseFactory()
    _, secret = issue_token(organisation=organisation_a, actor=ministry_admin, scope="read_write")
    for client in (api.as_user(partner_user), api.as_user(analyst_user), api.with_token(secret)):
        response = client.patch(f"/api/v1/cases/{case.pk}/", {"note": "x"}, format="json")
        refused(response, 403, code="permission_denied")
    assert not CaseUpdate.objects.filter(note="x").exists()


@pytest.mark.parametrize("field", ["phone", "second_phone", "kk_number"])
def test_a_value_that_normalises_to_nothing_is_a_400(api, ministry_admin, field):
    person = factories.ParticipantFactory()
    response = api.as_user(ministry_admin).patch(
        f"/api/v1/participants/{person.pk}/", {field: "-"}, format="json"
    )
    assert list(refused(response, code="invalid")["fields"]) == [field]
