"""How an import behaves as a whole: dry run, all or nothing, failures, merges, the record."""

import csv
import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from tablib import Dataset

from participants import importing
from participants.importer import write_rejected_rows, write_report_csv, write_template
from participants.models import (
    DataWarning,
    ImportRun,
    ImportRunEntry,
    Participant,
    PendingChange,
)
from participants.resources import ParticipantResource
from participants.sheets import read_sheet
from tests import factories
from tests.participants.import_helpers import csv_file, message, nik, run

pytestmark = pytest.mark.django_db

HEADER = ["NIK", "Nama", "HP", "Keterangan"]


def good(serial, name="Ani", phone="0812-3456-7890"):
    return [nik(birth=dt.date(1990, 1, 1), serial=serial), name, phone, ""]


def import_entries():
    return LogEntry.objects.filter(additional_data__event="import")


def test_a_dry_run_reports_every_row_and_writes_nothing(analyst_user):
    report = run(
        analyst_user, csv_file(HEADER, good(1), good(2), ["x", "Budi", "", ""]), dry_run=True
    )
    assert [r.outcome for r in report.rows] == ["new", "new", "rejected"]
    assert report.dry_run and not report.committed
    assert not Participant.objects.exists()
    assert not DataWarning.objects.exists() and not ImportRunEntry.objects.exists()
    assert not import_entries().exists()
    assert ImportRun.objects.get().dry_run


def test_one_rejected_row_imports_nothing_by_default(analyst_user):
    with translation.override("en"):
        report = run(analyst_user, csv_file(HEADER, good(1), ["123", "Budi", "", ""], good(3)))
    assert [r.outcome for r in report.rows] == ["new", "rejected", "new"]
    assert not report.committed
    assert not Participant.objects.exists()
    assert report.run.status == "done" and "rejected" in report.run.message


def test_skip_invalid_imports_the_valid_rows_and_reports_the_rejected_ones(analyst_user):
    report = run(
        analyst_user, csv_file(HEADER, good(1), ["123", "Budi", "", ""], good(3)), skip_invalid=True
    )
    assert report.committed
    assert Participant.objects.count() == 2
    rejected = report.row(3)
    assert rejected.outcome == "rejected"
    error = message(report, 3, "REJECT_NIK_LENGTH")
    assert (error.level, error.column) == ("error", "NIK")
    assert rejected.values == {"NIK": "123", "Nama": "Budi"}
    assert report.counts == {
        "new": 2,
        "updated": 0,
        "unchanged": 0,
        "merged": 0,
        "skipped": 0,
        "rejected": 1,
    }


def test_a_failure_halfway_leaves_the_database_as_it_was(analyst_user, monkeypatch):
    real = importing.engine.bulk_insert
    calls = []

    def failing(model, objects, **kwargs):
        if model is Participant:
            calls.append(len(objects))
            if len(calls) > 1:
                raise RuntimeError("disk full")
        return real(model, objects, **kwargs)

    monkeypatch.setattr(importing.engine, "bulk_insert", failing)
    rows = [good(serial) for serial in range(1, 8)]
    with pytest.raises(RuntimeError):
        run(analyst_user, csv_file(HEADER, *rows), chunk_size=3)
    assert calls == [3, 3]  # the first chunk was written before the failure
    assert not Participant.objects.exists()
    assert not ImportRunEntry.objects.exists() and not import_entries().exists()
    failed = ImportRun.objects.get()
    assert failed.status == "failed" and "disk full" in failed.message


def test_the_same_nik_twice_in_a_file_is_one_person(analyst_user):
    first, second = good(1, phone=""), good(1, name="Ani Lestari")
    second[2] = "0812-3456-7890"
    report = run(analyst_user, csv_file(HEADER, first, second))
    assert Participant.objects.count() == 1
    stored = Participant.objects.get()
    assert (stored.full_name, stored.phone) == ("Ani", "+6281234567890")
    assert [r.outcome for r in report.rows] == ["new", "merged"]
    assert message(report, 3, "DUPLICATE_OF_ROW").detail == "2"
    assert message(report, 3, "DUPLICATE_FILLED").detail == "phone"
    assert message(report, 3, "DUPLICATE_CONFLICT").detail.startswith("full_name")
    change = PendingChange.objects.get()
    assert (change.field, change.current_value, change.proposed_value) == (
        "full_name",
        "Ani",
        "Ani Lestari",
    )
    assert ImportRunEntry.objects.get().outcome == "new"


def test_a_nik_in_the_database_fills_empty_fields_and_queues_conflicts(analyst_user):
    existing = factories.ParticipantFactory(full_name="Ani", phone="", address="")
    report = run(
        analyst_user,
        csv_file(
            ["NIK", "Nama", "HP", "Alamat"],
            [existing.nik, "Ani Lestari", "081234567890", "Jl. Kenanga 3"],
        ),
    )
    existing.refresh_from_db()
    assert (existing.full_name, existing.phone, existing.address) == (
        "Ani",
        "+6281234567890",
        "Jl. Kenanga 3",
    )
    assert Participant.objects.count() == 1
    assert report.row(2).outcome == "updated"
    assert message(report, 2, "EXISTING_FILLED").detail == "phone/address"
    assert message(report, 2, "EXISTING_CONFLICT").detail == "full_name"
    assert PendingChange.objects.get(participant=existing).proposed_value == "Ani Lestari"
    assert ImportRunEntry.objects.get().outcome == "updated"


def test_a_known_person_with_the_same_values_is_unchanged(analyst_user):
    existing = factories.ParticipantFactory(full_name="Ani")
    report = run(analyst_user, csv_file(["NIK", "Nama"], [existing.nik, "ANI"]))
    assert report.row(2).outcome == "unchanged"
    assert not PendingChange.objects.exists() and not ImportRunEntry.objects.exists()


def test_an_import_is_one_record_listing_its_people_and_one_audit_entry(analyst_user):
    report = run(analyst_user, csv_file(HEADER, good(1), good(2), good(3)), filename="mei.csv")
    record = ImportRun.objects.get()
    assert report.run == record
    assert (record.user, record.filename, record.status, record.dry_run) == (
        analyst_user,
        "mei.csv",
        "done",
        False,
    )
    assert len(record.sha256) == 64 and record.size > 0
    assert record.counts["new"] == 3
    assert set(record.entries.values_list("participant__nik", flat=True)) == set(
        Participant.objects.values_list("nik", flat=True)
    )
    assert import_entries().count() == 1
    assert import_entries().get().additional_data["counts"]["new"] == 3
    participant_type = LogEntry.objects.filter(content_type__model="participant")
    assert not participant_type.exists()  # no per-row audit entries


def test_importing_needs_the_import_permission(ministry_officer, partner_user):
    for user in (ministry_officer, partner_user):
        with pytest.raises(PermissionDenied):
            run(user, csv_file(HEADER, good(1)))
    assert not ImportRun.objects.exists()


def test_analysts_and_ministry_admins_may_import(analyst_user, ministry_admin):
    assert analyst_user.has_perm("participants.import_participants")
    assert ministry_admin.has_perm("participants.import_participants")


def test_a_refused_file_is_recorded_as_refused_and_writes_nothing(analyst_user):
    report = run(analyst_user, io.BytesIO(b""))
    assert report.refused.code == "empty"
    assert ImportRun.objects.get().status == "refused"
    assert not Participant.objects.exists()


def test_the_queries_do_not_grow_with_the_rows_of_a_chunk(analyst_user):
    def queries(count, start):
        rows = [good(serial) for serial in range(start, start + count)]
        with CaptureQueriesContext(connection) as captured:
            run(analyst_user, csv_file(HEADER, *rows), chunk_size=100)
        return len(captured)

    queries(1, 500)  # warm the region and content type caches
    # 30 rows: SQLite splits an insert at 999 parameters (37 participants), PostgreSQL does not.
    assert queries(5, 1) == queries(30, 100)


def test_the_report_csv_lists_each_row_with_its_messages(analyst_user):
    report = run(
        analyst_user, csv_file(HEADER, good(1), ["123", "Budi", "", ""]), skip_invalid=True
    )
    out = io.StringIO()
    write_report_csv(report, out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0] == ["row", "outcome", "nik", "messages"]
    assert lines[2][:3] == ["3", "rejected", ""]
    assert lines[2][3].startswith("REJECT_NIK_LENGTH(3) [NIK]: ")


def test_the_rejected_rows_file_keeps_the_original_cells_and_a_reason(analyst_user):
    report = run(
        analyst_user, csv_file(HEADER, good(1), ["123", "Budi", "", "x"]), skip_invalid=True
    )
    out = io.StringIO()
    write_rejected_rows(report, out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0] == [*HEADER, "Alasan / Reason"]
    assert lines[1][:4] == ["123", "Budi", "", "x"] and lines[1][4]
    binary = io.BytesIO()
    write_rejected_rows(report, binary, fmt="xlsx")
    with read_sheet(io.BytesIO(binary.getvalue())) as sheet:
        assert [row.cells[0].text for row in sheet.rows] == ["123"]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_xlsx_template_is_read_back_as_known_columns(language):
    out = io.BytesIO()
    write_template(out, fmt="xlsx", language=language)
    with read_sheet(io.BytesIO(out.getvalue())) as sheet:
        assert not sheet.unknown_columns
        assert sheet.index("nik") == 0


def test_the_import_export_resource_runs_the_engine(analyst_user):
    dataset = Dataset(headers=["NIK", "Full name"])
    dataset.append([nik(serial=1), "Ani"])
    dataset.append(["123", "Budi"])
    result = ParticipantResource().import_data(dataset, user=analyst_user, skip_invalid=True)
    assert result.totals["new"] == 1 and result.totals["error"] == 1
    assert result.has_errors()
    assert Participant.objects.count() == 1


def test_the_import_export_resource_exports_the_english_columns():
    factories.ParticipantFactory(full_name="Ani")
    exported = ParticipantResource().export(Participant.objects.order_by("pk"))
    assert exported.headers[:3] == ["NIK", "Full name", "KK number"]
