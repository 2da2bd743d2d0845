"""Sheet imports of attendance, scores and enrolments (training.resources) and their admin
actions (training.admin_imports)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import ERROR, SUCCESS, get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from participants.models import ImportRun, ImportRunEntry
from tests import factories
from training.models import AssessmentResult, Attendance, Enrolment
from training.resources import import_attendance, import_enrolments, import_scores

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


def csv_file(rows, name="sheet.csv"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = io.BytesIO(out.getvalue().encode("utf-8"))
    data.name = name
    return data


def xlsx_file(rows, name="sheet.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = name
    return data


def by_row(report):
    return {row.number: row for row in report.rows}


def codes(row):
    return [m.code for m in row.messages]


@pytest.fixture
def batch(organisation_a):
    return factories.BatchFactory(provider=organisation_a, capacity=5)


@pytest.fixture
def session(batch):
    return factories.SessionFactory(batch=batch)


@pytest.fixture
def enrolments(batch):
    return [
        factories.EnrolmentFactory(batch=batch, participant__full_name=f"Peserta {i}")
        for i in range(3)
    ]


# --- attendance ------------------------------------------------------------------------------


def test_attendance_happy_path_records_the_session_in_one_call(
    ministry_officer, session, enrolments
):
    first, second, third = enrolments
    sheet = csv_file(
        [
            ["No", "NIK", "Nama", "Kehadiran"],
            [1, first.participant.nik, first.participant.full_name, "Hadir"],
            [2, second.participant.nik, "", "terlambat"],
            [],
            [3, third.participant.nik, "", "Sakit"],
        ]
    )

    report = import_attendance(fileobj=sheet, session=session, user=ministry_officer)

    assert report.committed
    rows = by_row(report)
    assert [rows[n].outcome for n in (2, 3, 4, 5)] == ["new", "new", "skipped", "new"]
    assert rows[2].name == first.participant.full_name
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        first.pk: "present",
        second.pk: "late",
        third.pk: "excused",
    }
    assert report.counts["new"] == 3
    assert report.counts["skipped"] == 1


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Hadir", "present"),
        ("H", "present"),
        ("Present", "present"),
        ("p", "present"),
        ("Terlambat", "late"),
        ("T", "late"),
        ("LATE", "late"),
        ("Izin", "excused"),
        ("i", "excused"),
        ("Sakit", "excused"),
        ("S", "excused"),
        ("Excused", "excused"),
        ("Alpa", "absent"),
        ("A", "absent"),
        ("Tidak hadir", "absent"),
        ("tidak  HADIR", "absent"),
        ("Absent", "absent"),
    ],
)
def test_every_attendance_spelling(ministry_officer, session, batch, text, status):
    enrolment = factories.EnrolmentFactory(batch=batch)
    sheet = csv_file([["NIK", "Status"], [enrolment.participant.nik, text]])

    report = import_attendance(fileobj=sheet, session=session, user=ministry_officer)

    assert report.rows[0].outcome == "new", report.rows[0].messages
    assert Attendance.objects.get().status == status


@pytest.mark.parametrize("header", ["Kehadiran", "Status", "Hadir", "Attendance"])
def test_attendance_column_names(ministry_officer, session, enrolments, header):
    sheet = csv_file([["NIK", header], [enrolments[0].participant.nik, "H"]])

    report = import_attendance(fileobj=sheet, session=session, user=ministry_officer)

    assert report.counts["new"] == 1
    assert (header, "status") in report.columns


def test_attendance_rejections_unknown_not_enrolled_duplicate_and_bad_status(
    ministry_officer, session, enrolments
):
    first, second, _third = enrolments
    outsider = factories.ParticipantFactory(full_name="Orang Luar")
    other_batch = factories.EnrolmentFactory()  # enrolled elsewhere
    unknown = factories.make_nik()
    sheet = csv_file(
        [
            ["NIK", "Kehadiran"],
            [first.participant.nik, "Hadir"],
            [unknown, "Hadir"],
            [outsider.nik, "Hadir"],
            [other_batch.participant.nik, "Hadir"],
            [first.participant.nik, "Alpa"],
            [second.participant.nik, "maybe"],
            [second.participant.nik[:10], "Hadir"],
        ]
    )

    report = import_attendance(fileobj=sheet, session=session, user=ministry_officer)

    rows = by_row(report)
    assert rows[2].outcome == "new"
    assert codes(rows[3]) == ["NIK_UNKNOWN"]
    assert rows[3].messages[0].text == "No registered participant that you may see has this NIK."
    assert codes(rows[4]) == ["NIK_NOT_ENROLLED"]
    assert rows[4].messages[0].text == "Orang Luar is not enrolled in this batch."
    assert codes(rows[5]) == ["NIK_NOT_ENROLLED"]
    assert codes(rows[6]) == ["DUPLICATE_NIK"]
    assert rows[6].messages[0].text == "Row 2 has the same NIK: only that row is imported."
    assert codes(rows[7]) == ["STATUS_UNKNOWN"]
    assert "maybe is not an attendance status" in rows[7].messages[0].text
    assert codes(rows[8]) == ["REJECT_NIK_LENGTH"]
    assert rows[7].values == {"NIK": second.participant.nik, "Kehadiran": "maybe"}
    # All or nothing: a rejected row means nothing is written.
    assert not report.committed
    assert not Attendance.objects.exists()
    run = report.run
    assert run.status == "done"
    assert "Nothing was imported" in run.message


def test_attendance_skip_invalid_writes_the_valid_rows(ministry_officer, session, enrolments):
    first, second, _third = enrolments
    sheet = csv_file(
        [["NIK", "Kehadiran"], [first.participant.nik, "H"], [second.participant.nik, ""]]
    )

    report = import_attendance(
        fileobj=sheet, session=session, user=ministry_officer, skip_invalid=True
    )

    assert report.committed
    assert codes(by_row(report)[3]) == ["STATUS_MISSING"]
    assert list(Attendance.objects.values_list("enrolment_id", "status")) == [(first.pk, "present")]


def test_attendance_again_is_unchanged_or_updated(ministry_officer, session, enrolments):
    first, second, _third = enrolments
    rows = [["NIK", "Kehadiran"], [first.participant.nik, "H"], [second.participant.nik, "A"]]
    import_attendance(fileobj=csv_file(rows), session=session, user=ministry_officer)
    rows[2][1] = "Izin"

    report = import_attendance(fileobj=csv_file(rows), session=session, user=ministry_officer)

    assert [r.outcome for r in report.rows] == ["unchanged", "updated"]
    assert report.rows[1].messages[0].text == "Recorded before as Absent."
    assert Attendance.objects.get(enrolment=second).status == "excused"
    assert Attendance.objects.count() == 2
    assert list(report.run.entries.values_list("participant_id", "outcome")) == [
        (second.participant_id, "updated")
    ]


def test_attendance_dry_run_writes_nothing(ministry_officer, session, enrolments):
    sheet = csv_file([["NIK", "Kehadiran"], [enrolments[0].participant.nik, "H"]])

    report = import_attendance(fileobj=sheet, session=session, user=ministry_officer, dry_run=True)

    assert report.counts["new"] == 1
    assert not report.committed
    assert not Attendance.objects.exists()
    assert not ImportRunEntry.objects.exists()
    assert report.run.dry_run and report.run.kind == "attendance"
    assert not LogEntry.objects.filter(additional_data__event="import").exists()


def test_attendance_xlsx_nik_as_number_is_refused_like_the_participant_importer(
    ministry_officer, session, enrolments
):
    nik = enrolments[0].participant.nik
    sheet = xlsx_file(
        [["NIK", "Kehadiran"], [int(nik), "Hadir"], ["3.17404E+15", "Hadir"], [nik, "Hadir"]]
    )

    report = import_attendance(
        fileobj=sheet, session=session, user=ministry_officer, skip_invalid=True
    )

    rows = by_row(report)
    assert codes(rows[2]) == ["REJECT_NIK_SCIENTIFIC"]
    assert codes(rows[3]) == ["REJECT_NIK_SCIENTIFIC"]
    assert "Format the column as text" in rows[2].messages[0].text
    assert rows[4].outcome == "new"


def test_a_sheet_without_a_status_column_is_refused(ministry_officer, session, enrolments):
    sheet = csv_file([["NIK", "Nama"], [enrolments[0].participant.nik, "X"]])

    report = import_attendance(fileobj=sheet, session=session, user=ministry_officer)

    assert report.refused.code == "no_status_column"
    assert report.run.status == "refused"
    assert not Attendance.objects.exists()


def test_attendance_permission_provider_staff_yes_other_partner_no(
    partner_user, other_partner_user, session, enrolments
):
    rows = [["NIK", "Kehadiran"], [enrolments[0].participant.nik, "H"]]

    report = import_attendance(fileobj=csv_file(rows), session=session, user=partner_user)

    assert report.committed
    # Partner staff do not see who a person is unless shared with them: no registered name.
    assert report.rows[0].name == ""
    with pytest.raises(PermissionDenied):
        import_attendance(fileobj=csv_file(rows), session=session, user=other_partner_user)
    assert ImportRun.objects.count() == 1


def test_permission_for_ministry_staff_needs_change_batch(analyst_user, session, enrolments):
    rows = [["NIK", "Kehadiran"], [enrolments[0].participant.nik, "H"]]
    with pytest.raises(PermissionDenied):
        import_attendance(fileobj=csv_file(rows), session=session, user=analyst_user)


def test_a_committed_import_is_one_run_with_one_audit_entry(ministry_officer, session, enrolments):
    rows = [["NIK", "Kehadiran"]] + [[e.participant.nik, "H"] for e in enrolments]

    report = import_attendance(
        fileobj=csv_file(rows, "absen.csv"), session=session, user=ministry_officer
    )

    run = ImportRun.objects.get()
    assert run == report.run
    assert (run.kind, run.status, run.filename, run.dry_run) == (
        "attendance",
        "done",
        "absen.csv",
        False,
    )
    assert run.counts["new"] == 3
    assert run.entries.count() == 3
    entries = LogEntry.objects.filter(additional_data__event="import")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.object_pk == str(run.pk)
    assert entry.actor == ministry_officer
    assert entry.additional_data["kind"] == "attendance"
    assert entry.additional_data["session"] == session.pk
    assert entry.additional_data["counts"]["new"] == 3


# --- scores ----------------------------------------------------------------------------------


def test_scores_happy_path_with_kind_date_and_comma_decimal(ministry_officer, batch, enrolments):
    first, second, third = enrolments
    sheet = csv_file(
        [
            ["NIK", "Nama", "Nilai", "Jenis Ujian", "Tanggal"],
            [first.participant.nik, "", "85,5", "Tertulis", "03/12/2025"],
            [second.participant.nik, "", "60", "praktik", "3 Des 2025"],
            [third.participant.nik, "", "90", "", ""],
        ]
    )

    report = import_scores(fileobj=sheet, batch=batch, user=ministry_officer)

    assert report.committed, [r.messages for r in report.rows]
    results = {r.enrolment_id: r for r in AssessmentResult.objects.all()}
    assert (results[first.pk].score, results[first.pk].kind) == (Decimal("85.50"), "written")
    assert results[first.pk].assessed_on == dt.date(2025, 12, 3)
    assert results[first.pk].passed
    assert (results[second.pk].kind, results[second.pk].passed) == ("practical", False)
    assert results[second.pk].assessed_on == dt.date(2025, 12, 3)
    assert (results[third.pk].kind, results[third.pk].assessed_on) == (
        "final",
        timezone.localdate(),
    )
    assert "SCORE_NOT_PASSED" in codes(by_row(report)[3])
    assert report.run.kind == "scores"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("tertulis", "written"),
        ("Written", "written"),
        ("Praktik", "practical"),
        ("practical", "practical"),
        ("LISAN", "oral"),
        ("oral", "oral"),
        ("akhir", "final"),
        ("Final", "final"),
    ],
)
def test_every_kind_spelling(ministry_officer, batch, enrolments, text, kind):
    sheet = csv_file([["NIK", "Score", "Kind"], [enrolments[0].participant.nik, "75", text]])

    import_scores(fileobj=sheet, batch=batch, user=ministry_officer)

    assert AssessmentResult.objects.get().kind == kind


def test_score_rejections(ministry_officer, batch, enrolments):
    first, second, third = enrolments
    ended = factories.EnrolmentFactory(batch=batch, status="withdrawn")
    sheet = csv_file(
        [
            ["NIK", "Skor", "Jenis Ujian", "Tanggal"],
            [first.participant.nik, "101", "", ""],
            [second.participant.nik, "-1", "", ""],
            [third.participant.nik, "sembilan", "", ""],
            [first.participant.nik, "80", "lari", ""],
            [second.participant.nik, "80", "", "31/02/2025"],
            [third.participant.nik, "80", "", "01/01/2099"],
            [ended.participant.nik, "80", "", ""],
            [factories.make_nik(), "80", "", ""],
        ]
    )

    report = import_scores(fileobj=sheet, batch=batch, user=ministry_officer)

    rows = by_row(report)
    assert codes(rows[2]) == ["SCORE_OUT_OF_RANGE"]
    assert rows[2].messages[0].text == "The score 101 is not between 0 and 100."
    assert codes(rows[3]) == ["SCORE_OUT_OF_RANGE"]
    assert codes(rows[4]) == ["SCORE_INVALID"]
    assert codes(rows[5]) == ["KIND_UNKNOWN"]
    assert codes(rows[6]) == ["DATE_INVALID"]
    assert codes(rows[7]) == ["DATE_IN_FUTURE"]
    assert codes(rows[8]) == ["SCORE_REFUSED"]
    assert rows[8].messages[0].text == "The enrolment has ended."
    assert codes(rows[9]) == ["NIK_UNKNOWN"]
    assert report.counts["rejected"] == 8
    assert not AssessmentResult.objects.exists()


def test_scores_duplicates_and_repeats(ministry_officer, batch, enrolments):
    first, second, _third = enrolments
    rows = [
        ["NIK", "Nilai", "Jenis Ujian", "Tanggal"],
        [first.participant.nik, "80", "tertulis", "01/12/2025"],
        [first.participant.nik, "90", "praktik", "01/12/2025"],  # another kind: fine
        [first.participant.nik, "70", "tertulis", "02/12/2025"],  # same kind: duplicate
        [second.participant.nik, "85.25", "", "01/12/2025"],
    ]

    report = import_scores(
        fileobj=csv_file(rows), batch=batch, user=ministry_officer, skip_invalid=True
    )

    assert [r.outcome for r in report.rows] == ["new", "new", "rejected", "new"]
    assert codes(report.rows[2]) == ["DUPLICATE_SCORE"]
    assert AssessmentResult.objects.count() == 3
    # The same file again: every score is already recorded.
    del rows[3]
    again = import_scores(fileobj=csv_file(rows), batch=batch, user=ministry_officer)
    assert [r.outcome for r in again.rows] == ["unchanged"] * 3
    assert AssessmentResult.objects.count() == 3


def test_scores_from_xlsx_numbers_and_dates(ministry_officer, batch, enrolments):
    sheet = xlsx_file(
        [
            ["NIK", "Nilai", "Tanggal"],
            [enrolments[0].participant.nik, 77.5, dt.datetime(2025, 11, 20)],
            [enrolments[1].participant.nik, 88.126, "20-11-2025"],
        ]
    )

    report = import_scores(fileobj=sheet, batch=batch, user=ministry_officer)

    assert report.committed
    scores = dict(AssessmentResult.objects.values_list("enrolment_id", "score"))
    assert scores == {enrolments[0].pk: Decimal("77.50"), enrolments[1].pk: Decimal("88.13")}
    assert "SCORE_ROUNDED" in codes(report.rows[1])
    assert set(AssessmentResult.objects.values_list("assessed_on", flat=True)) == {
        dt.date(2025, 11, 20)
    }


def test_scores_permission(other_partner_user, partner_user, batch, enrolments):
    rows = [["NIK", "Nilai"], [enrolments[0].participant.nik, "80"]]
    with pytest.raises(PermissionDenied):
        import_scores(fileobj=csv_file(rows), batch=batch, user=other_partner_user)
    assert import_scores(fileobj=csv_file(rows), batch=batch, user=partner_user).committed


# --- enrolments ------------------------------------------------------------------------------


def test_enrolments_happy_path_and_refusals(ministry_officer):
    programme = factories.ProgrammeFactory(eligible_categories=["former_prisoner"])
    batch = factories.BatchFactory(programme=programme, capacity=2)
    first, second, third = (factories.ParticipantFactory(is_former_prisoner=True) for _ in range(3))
    worker = factories.ParticipantFactory(is_returning_worker=True, full_name="Ketut Purna")
    already = factories.ParticipantFactory(is_former_prisoner=True, full_name="Sudah Ada")
    factories.EnrolmentFactory(batch=batch, participant=already, status="enrolled")
    batch.capacity = 3
    batch.save()
    sheet = csv_file(
        [
            ["NIK", "Nama"],
            [first.nik, first.full_name],
            [worker.nik, ""],
            [already.nik, ""],
            [second.nik, "Nama Lain"],
            [factories.make_nik(), ""],
            [third.nik, ""],
        ]
    )

    report = import_enrolments(fileobj=sheet, batch=batch, user=ministry_officer, skip_invalid=True)

    rows = by_row(report)
    assert rows[2].outcome == "new"
    assert codes(rows[3]) == ["ENROLMENT_REFUSED"]
    assert "Ketut Purna is not eligible" in rows[3].messages[0].text
    assert codes(rows[4]) == ["ENROLMENT_REFUSED"]
    assert rows[4].messages[0].text == "Sudah Ada is already enrolled in this batch."
    assert rows[5].outcome == "new"
    assert codes(rows[5]) == ["NAME_DIFFERS"]
    assert codes(rows[6]) == ["NIK_UNKNOWN"]
    assert codes(rows[7]) == ["ENROLMENT_REFUSED"]
    assert rows[7].messages[0].text == "The batch is full (3 places)."
    assert set(Enrolment.objects.filter(batch=batch).values_list("participant_id", flat=True)) == {
        already.pk,
        first.pk,
        second.pk,
    }
    assert report.run.kind == "enrolments"
    assert report.run.entries.count() == 2


def test_enrolments_all_or_nothing_and_dry_run(ministry_officer, batch):
    person = factories.ParticipantFactory()
    rows = [["NIK"], [person.nik], [person.nik]]

    dry = import_enrolments(
        fileobj=csv_file(rows), batch=batch, user=ministry_officer, dry_run=True
    )
    strict = import_enrolments(fileobj=csv_file(rows), batch=batch, user=ministry_officer)

    for report in (dry, strict):
        assert [r.outcome for r in report.rows] == ["new", "rejected"]
        assert codes(report.rows[1]) == ["DUPLICATE_NIK"]
        assert not report.committed
    assert not Enrolment.objects.exists()
    assert not LogEntry.objects.filter(additional_data__event="import").exists()


def test_enrolments_by_partner_staff_need_visible_participants(
    partner_user, organisation_a, other_partner_user
):
    agreement = factories.AgreementFactory(parties=[organisation_a])
    programme = factories.ProgrammeFactory(agreements=[agreement])
    batch = factories.BatchFactory(provider=organisation_a, programme=programme)
    shared = factories.ParticipantFactory()
    factories.share_with(shared, organisation_a, programme=programme)
    hidden = factories.ParticipantFactory()
    rows = [["NIK"], [shared.nik], [hidden.nik]]

    report = import_enrolments(
        fileobj=csv_file(rows), batch=batch, user=partner_user, skip_invalid=True
    )

    assert [r.outcome for r in report.rows] == ["new", "rejected"]
    assert codes(report.rows[1]) == ["NIK_UNKNOWN"]
    assert list(Enrolment.objects.values_list("participant_id", flat=True)) == [shared.pk]
    with pytest.raises(PermissionDenied):
        import_enrolments(fileobj=csv_file(rows), batch=batch, user=other_partner_user)


# --- admin actions ---------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, ministry_admin):
    client.force_login(ministry_admin)
    return client


def changelist(model):
    return reverse(f"admin:training_{model}_changelist")


def sent_messages(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def test_admin_attendance_import_preview_then_commit(admin_client, session, enrolments):
    first, second, _third = enrolments
    url = changelist("session")
    base = {"action": "import_attendance", "_selected_action": [session.pk]}

    page = admin_client.post(url, base)
    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()
    assert "Import attendance for" in page.content.decode()

    sheet = csv_file(
        [["NIK", "Kehadiran"], [first.participant.nik, "H"], [second.participant.nik, "??"]],
        "absen.csv",
    )
    preview = admin_client.post(url, {**base, "preview": "1", "file": sheet})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "nothing was written yet" in html
    assert "?? is not an attendance status" in html
    assert "Import the valid rows only" in html
    assert "Import all (all or nothing)" not in html
    assert not Attendance.objects.exists()
    token = preview.context["token"]

    done = admin_client.post(url, {**base, "commit": "1", "token": token, "mode": "valid"})
    assert done.status_code == 302
    assert list(Attendance.objects.values_list("enrolment_id", "status")) == [(first.pk, "present")]
    assert any("Imported absen.csv: 1 new" in text for _level, text in sent_messages(done))
    runs = list(ImportRun.objects.order_by("pk").values_list("kind", "dry_run", "status"))
    assert runs == [("attendance", True, "done"), ("attendance", False, "done")]


def test_admin_scores_all_or_nothing_commit(admin_client, batch, enrolments):
    url = changelist("batch")
    base = {"action": "import_scores", "_selected_action": [batch.pk]}
    sheet = csv_file([["NIK", "Nilai"]] + [[e.participant.nik, "80"] for e in enrolments])

    preview = admin_client.post(url, {**base, "preview": "1", "file": sheet})
    assert "Import all (all or nothing)" in preview.content.decode()
    assert "Import the valid rows only" not in preview.content.decode()

    done = admin_client.post(
        url, {**base, "commit": "1", "token": preview.context["token"], "mode": "all"}
    )

    assert done.status_code == 302
    assert AssessmentResult.objects.count() == 3
    assert (
        SUCCESS,
        "Imported sheet.csv: 3 new, 0 updated, 0 unchanged, 0 rejected, 0 skipped.",
    ) in (sent_messages(done))


def test_admin_enrol_from_sheet_and_a_forged_token(admin_client, batch):
    person = factories.ParticipantFactory()
    url = changelist("batch")
    base = {"action": "import_enrolments", "_selected_action": [batch.pk]}
    preview = admin_client.post(
        url, {**base, "preview": "1", "file": csv_file([["NIK"], [person.nik]])}
    )
    assert preview.status_code == 200

    other = factories.BatchFactory()
    forged = admin_client.post(
        url,
        {
            "action": "import_enrolments",
            "_selected_action": [other.pk],
            "commit": "1",
            "token": preview.context["token"],
            "mode": "all",
        },
    )
    assert (ERROR, "The preview has expired: upload the file again.") in sent_messages(forged)
    assert not Enrolment.objects.exists()

    done = admin_client.post(
        url, {**base, "commit": "1", "token": preview.context["token"], "mode": "all"}
    )
    assert done.status_code == 302
    assert Enrolment.objects.get().participant == person


def test_admin_import_refused_file_has_no_commit(admin_client, session):
    url = changelist("session")
    preview = admin_client.post(
        url,
        {
            "action": "import_attendance",
            "_selected_action": [session.pk],
            "preview": "1",
            "file": csv_file([["Foo", "Bar"], ["1", "2"]]),
        },
    )
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "cannot be imported" in html
    assert 'name="token"' not in html
