"""The retention policy: a dry run changes nothing, a real run anonymises what statistics need and
deletes what they do not, records what it did, and a second run changes nothing more."""

import datetime as dt
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from participants.models import Consent, FormerPrisonerProfile, Participant, PersonalDocument
from placements.models import Case
from portal.api.models import ApiRequestLog, ApiToken
from portal.exports.models import ExportRun
from portal.notifications.models import Notification
from portal.privacy.models import RetentionRun
from portal.privacy.retention import ANONYMISED, POLICIES, apply_retention
from tests import factories

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=JAKARTA)
LONG_AGO = NOW - dt.timedelta(days=6 * 365)
RECENTLY = NOW - dt.timedelta(days=10)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def aged(participant, when):
    Participant.objects.filter(pk=participant.pk).update(updated_at=when)
    participant.refresh_from_db()
    return participant


@pytest.fixture
def records(organisation_a):
    """Rows due under each policy, and rows that are not."""
    account = factories.UserFactory(username="peserta_lama", role="participant")
    gone = factories.ParticipantFactory(
        full_name="Wayan Sudarsana",
        status="withdrawn",
        is_former_prisoner=True,
        birth_date=dt.date(1988, 6, 14),
        email="wayan@example.org",
        address="Jl. Gatot Subroto 1, Denpasar",
        restricted_notes="CANARY-NOTES",
        user=account,
    )
    FormerPrisonerProfile.objects.create(
        participant=gone, sentence_months=30, offence_category="drug", notes="CANARY-PRISON"
    )
    factories.ConsentFactory(participant=gone, given_by="guardian", guardian_name="Made Wati")
    document = PersonalDocument.objects.create(participant=gone, kind="medical")
    document.file.save("hasil.pdf", ContentFile(b"%PDF-1.4 CANARY"), save=True)
    second_gone = factories.ParticipantFactory(status="inactive", is_sr_student=True)
    recent_withdrawal = factories.ParticipantFactory(status="withdrawn", full_name="Baru Keluar")
    with_open_case = factories.ParticipantFactory(status="withdrawn", full_name="Kasus Terbuka")
    active = factories.ParticipantFactory(full_name="Masih Aktif")
    for person in (gone, second_gone, with_open_case, active):
        aged(person, LONG_AGO)
    aged(recent_withdrawal, RECENTLY)
    factories.CaseFactory(participant=with_open_case, summary="CANARY-OPEN-CASE")

    old_case = factories.CaseFactory(
        participant=active,
        type="trafficking",
        status="closed",
        closed_on=dt.date(2019, 1, 10),
        summary="CANARY-CASE",
        assessment="CANARY-ASSESSMENT",
    )
    new_case = factories.CaseFactory(
        participant=active, status="closed", closed_on=dt.date(2026, 1, 10), summary="Baru ditutup"
    )

    old_export = ExportRun.objects.create(datasets=["participants"], format="csv")
    old_export.file.save("lama.csv", ContentFile(b"nik\n5171011705900001\n"), save=True)
    ExportRun.objects.filter(pk=old_export.pk).update(created_at=NOW - dt.timedelta(days=40))
    new_export = ExportRun.objects.create(datasets=["participants"], format="csv")
    new_export.file.save("baru.csv", ContentFile(b"nik\n"), save=True)

    token = ApiToken.objects.create(
        organisation=organisation_a,
        name="Sistem mitra",
        prefix="abcd1234",
        token_hash="f" * 64,
        expires_at=NOW + dt.timedelta(days=30),
    )
    for at in (NOW - dt.timedelta(days=400), NOW - dt.timedelta(days=5)):
        ApiRequestLog.objects.create(
            token=token, method="GET", path="/api/v1/participants/", status=200, at=at
        )

    ct = ContentType.objects.get_for_model(active)
    for status, age in (("sent", 400), ("pending", 400), ("sent", 5)):
        Notification.objects.create(
            kind=f"x-{status}",
            content_type=ct,
            object_id=str(active.pk),
            due_on=dt.date(2025, 1, 1) + dt.timedelta(days=age),
            recipient=account,
            subject="s",
            body="b",
            status=status,
            sent_at=NOW if status == "sent" else None,
            created_at=NOW - dt.timedelta(days=age),
        )
    return {
        "gone": gone,
        "second_gone": second_gone,
        "recent_withdrawal": recent_withdrawal,
        "with_open_case": with_open_case,
        "active": active,
        "account": account,
        "document": document,
        "old_case": old_case,
        "new_case": new_case,
        "old_export": old_export,
        "new_export": new_export,
    }


def snapshot():
    """Every value the policies may change."""
    return {
        "participants": list(Participant.objects.order_by("pk").values()),
        "profiles": list(FormerPrisonerProfile.objects.order_by("pk").values()),
        "cases": list(Case.objects.order_by("pk").values()),
        "documents": list(PersonalDocument.objects.order_by("pk").values()),
        "exports": list(ExportRun.objects.order_by("pk").values("pk", "file")),
        "api": ApiRequestLog.objects.count(),
        "notifications": Notification.objects.count(),
        "audit": list(LogEntry.objects.order_by("pk").values("object_repr", "changes")),
    }


def statistics():
    """What the reports count: people per category, province, sex and birth year; cases per
    type and status."""
    people = Counter(
        (p.is_former_prisoner, p.is_sr_student, p.province_id, p.sex, p.birth_date.year, p.status)
        for p in Participant.objects.all()
    )
    cases = Counter(Case.objects.values_list("type", "status", "opened_on", "closed_on"))
    return people, cases


def test_a_dry_run_changes_nothing_and_records_what_is_due(records):
    before = snapshot()
    run = apply_retention(dry_run=True, now=NOW)
    assert snapshot() == before
    assert run.dry_run is True
    assert run.counts == {
        "closed_cases": 1,
        "inactive_participants": 2,
        "export_files": 1,
        "import_reports": 0,
        "api_requests": 1,
        "notifications": 1,
    }


def test_a_real_run_anonymises_the_withdrawn_participant_and_keeps_the_statistics(records):
    gone = records["gone"]
    statistics_before = statistics()
    run = apply_retention(dry_run=False, now=NOW)

    gone.refresh_from_db()
    assert gone.full_name == ANONYMISED
    assert gone.nik == f"00{gone.pk:014d}"
    assert (gone.email, gone.address, gone.phone, gone.restricted_notes) == ("", "", "", "")
    assert gone.user_id is None
    assert gone.is_former_prisoner and gone.province_id == "51" and gone.status == "withdrawn"
    assert gone.birth_date == dt.date(1988, 1, 1)
    profile = FormerPrisonerProfile.objects.get(participant=gone)
    assert (profile.sentence_months, profile.offence_category, profile.notes) == (None, "", "")
    assert Consent.objects.get(participant=gone).guardian_name == ANONYMISED
    assert not PersonalDocument.objects.filter(participant=gone).exists()
    assert not records["document"].file.storage.exists(records["document"].file.name)
    account = records["account"]
    account.refresh_from_db()
    assert not account.is_active and account.email == "" and not account.has_usable_password()

    assert statistics() == statistics_before
    assert run.dry_run is False
    assert run.counts["inactive_participants"] == 2
    assert RetentionRun.objects.get() == run


def test_a_real_run_leaves_no_trace_of_the_name_in_the_audit_log(records):
    def audit_text():
        return str(list(LogEntry.objects.values_list("object_repr", "changes", "changes_text")))

    assert "Wayan Sudarsana" in audit_text()  # auditlog recorded the person's creation
    apply_retention(dry_run=False, now=NOW)
    text = audit_text()
    assert "Wayan Sudarsana" not in text
    assert records["gone"].nik not in text
    entries = LogEntry.objects.filter(object_pk=str(records["gone"].pk))
    assert entries.exists()  # who did what and when stays


def test_people_not_yet_due_are_left_alone(records):
    apply_retention(dry_run=False, now=NOW)
    for key, name in (
        ("recent_withdrawal", "Baru Keluar"),
        ("with_open_case", "Kasus Terbuka"),
        ("active", "Masih Aktif"),
    ):
        records[key].refresh_from_db()
        assert records[key].full_name == name


def test_a_real_run_anonymises_old_closed_cases_only(records):
    apply_retention(dry_run=False, now=NOW)
    old, new = records["old_case"], records["new_case"]
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.summary, old.assessment, old.type, old.status) == (
        ANONYMISED,
        "",
        "trafficking",
        "closed",
    )
    assert new.summary == "Baru ditutup"
    assert Case.objects.filter(summary="CANARY-OPEN-CASE").exists()


def test_a_real_run_deletes_old_files_and_logs_and_keeps_the_records(records):
    old_name = records["old_export"].file.name
    apply_retention(dry_run=False, now=NOW)
    records["old_export"].refresh_from_db()
    records["new_export"].refresh_from_db()
    assert records["old_export"].file.name == ""
    assert not records["new_export"].file.storage.exists(old_name)
    assert records["new_export"].file.name != ""
    assert ApiRequestLog.objects.count() == 1
    assert sorted(Notification.objects.values_list("status", flat=True)) == ["pending", "sent"]


def test_a_second_run_changes_nothing_more(records):
    apply_retention(dry_run=False, now=NOW)
    after_first = snapshot()
    second = apply_retention(dry_run=False, now=NOW)
    assert snapshot() == after_first
    assert second.counts == dict.fromkeys((policy.code for policy in POLICIES), 0)
    assert RetentionRun.objects.count() == 2


def test_the_command_reports_and_records_a_dry_run(records, ministry_admin):
    out = StringIO()
    before = snapshot()
    call_command("apply_retention", "--dry-run", "--user", ministry_admin.username, stdout=out)
    assert snapshot() == before
    assert "inactive_participants: 2 due" in out.getvalue()
    run = RetentionRun.objects.get()
    assert run.dry_run and run.by == ministry_admin and run.by_label.startswith("command line")


def test_the_command_runs_for_real_without_a_user(records):
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "inactive_participants: 2 done" in out.getvalue()
    assert RetentionRun.objects.get().dry_run is False


def test_the_periods_come_from_the_settings(records, settings):
    settings.PORTAL_RETENTION_INACTIVE_PARTICIPANT_YEARS = 10
    settings.PORTAL_RETENTION_API_LOG_DAYS = 1
    run = apply_retention(dry_run=True, now=NOW)
    assert run.counts["inactive_participants"] == 0
    assert run.counts["api_requests"] == 2


def test_the_run_is_visible_to_ministry_admins_only(
    client, records, ministry_admin, ministry_officer
):
    run = apply_retention(dry_run=True, now=timezone.now())
    url = reverse("admin:privacy_retentionrun_change", args=[run.pk])
    client.force_login(ministry_officer)
    assert client.get(url).status_code in (302, 403)
    client.force_login(ministry_admin)
    assert client.get(url).status_code == 200
