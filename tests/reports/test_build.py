"""The XLSX report against figures computed independently from the data set of `data.build`."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Participant
from placements.models import Case
from portal.reports.models import ReportRun
from portal.reports.services import report_build
from tests import factories
from tests.reports import data
from training.models import Attendance, Certificate, Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(organisation_a):
    return data.build(organisation_a)


@pytest.fixture
def national(dataset):
    run = report_build(kind="monthly", period=data.PERIOD)
    return run, data.read(run.file.path)


def _sheet(sheets, index):
    return sheets[index]["tables"]


def test_it_writes_a_workbook_with_a_summary_and_one_sheet_per_area(national):
    run, sheets = national
    assert run.status == ReportRun.Status.DONE
    assert [s["title"] for s in sheets] == [
        data.translated(t)
        for t in ("Summary", "Participants", "Training", "Placements", "Cases", "Agreements")
    ]


def test_participant_figures_match_the_database(national):
    _run, sheets = national
    by_province, by_category = _sheet(sheets, 1)
    stock = Participant.objects.filter(created_at__lt=data.UNTIL)
    new = stock.filter(created_at__gte=data.START)
    assert data.total(by_province, "Participants") == stock.count() == 7
    assert data.total(by_province, "New in the period") == new.count() == 3
    participants = data.column(by_province, "Participants", labels=2)
    for (province, _status), count in participants.items():
        expected = stock.filter(province__name=province).count()
        assert count == expected
    categories = data.column(by_category, "Participants")
    assert categories[data.translated("Former prisoner")] == 1


def test_a_participant_registered_late_on_the_last_evening_counts_in_that_period(national):
    _run, sheets = national
    by_province = _sheet(sheets, 1)[0]
    assert data.total(by_province, "New in the period") == 3  # 2 on the 10th, 1 at 23:30


def test_training_figures_match_the_database(national, dataset):
    _run, sheets = national
    (table,) = _sheet(sheets, 2)
    batch = dataset["batch"]
    row = next(r for r in table["rows"] if r[1] == batch.code)
    values = dict(zip(table["header"], row, strict=True))
    enrolments = Enrolment.objects.filter(batch=batch, enrolled_on__lte=dt.date(2026, 10, 31))
    attendance = Attendance.objects.filter(
        session__batch=batch, session__starts_at__range=(data.START, data.UNTIL)
    )
    assert values[data.translated("Enrolments at the end of the period")] == enrolments.count()
    assert values[data.translated("New enrolments")] == 2
    assert (
        values[data.translated("Sessions attended")]
        == attendance.filter(status__in=["present", "late"]).count()
        == 2
    )
    assert values[data.translated("Absences")] == 1
    assert values[data.translated("Completed")] == 1
    assert values[data.translated("Certificates issued")] == Certificate.objects.count() == 1
    assert data.total(table, "Enrolments at the end of the period") == 4


def test_placements_are_counted_in_their_phase_at_the_end_of_the_period(national):
    _run, sheets = national
    by_phase, by_destination = _sheet(sheets, 3)
    phases = data.column(by_phase, "Placements")
    # "working" only since 3 November: departed at the end of October.
    assert phases == {data.translated("Departed"): 1, data.translated("Registered"): 1}
    assert data.total(by_destination, "Departed in the period") == 1
    assert data.total(by_destination, "Placements at the end of the period") == 2


def test_case_figures_match_the_database(national):
    _run, sheets = national
    open_at_end, flows = _sheet(sheets, 4)
    expected_open = (
        Case.objects.filter(opened_on__lte=dt.date(2026, 10, 31))
        .exclude(closed_on__lte=dt.date(2026, 10, 31))
        .count()
    )
    assert data.total(open_at_end, "Cases") == expected_open == 1
    statuses = data.column(open_at_end, "Cases", labels=2)
    assert statuses == {
        (data.translated("Trafficking (TPPO) victim"), data.translated("Assessment")): 1
    }
    assert data.total(flows, "Opened") == 1
    assert data.total(flows, "Closed") == 1


def test_the_agreements_sheet_lists_the_agreements_in_force(national, dataset):
    _run, sheets = national
    agreements = _sheet(sheets, 5)[0]
    assert [row[0] for row in agreements["rows"]] == [dataset["agreement"].number]


def test_the_summary_repeats_the_headline_figures(national):
    run, _sheets = national
    summary = data.read_summary(run.file.path)
    assert summary["participants"] == 7
    assert summary["participants_new"] == 3
    assert summary["certificates"] == 1
    assert summary["departed"] == 1
    assert summary["cases_opened"] == 1
    assert summary["agreements_active"] == 1
    assert run.figures["summary"] == summary


def test_building_twice_keeps_one_run_and_one_file(dataset):
    first = report_build(kind="monthly", period=data.PERIOD)
    second = report_build(kind="monthly", period=data.PERIOD)
    assert second.pk == first.pk
    assert second.file.name == first.file.name
    assert ReportRun.objects.count() == 1


def test_force_rebuilds_the_same_run_with_the_new_figures(dataset):
    first = report_build(kind="monthly", period=data.PERIOD)
    data.person(data.at(2026, 10, 20))
    rebuilt = report_build(kind="monthly", period=data.PERIOD, force=True)
    assert rebuilt.pk == first.pk
    assert ReportRun.objects.count() == 1
    assert rebuilt.figures["summary"]["participants"] == 8
    assert data.read_summary(rebuilt.file.path)["participants"] == 8


def test_the_default_period_is_the_last_complete_month(dataset):
    run = report_build(kind="monthly", today=dt.date(2026, 11, 23))
    assert run.period == "2026-10"


def test_a_run_another_worker_is_building_is_left_alone(dataset):
    from django.utils import timezone

    ReportRun.objects.create(
        kind="monthly", period=data.PERIOD, status="running", started_at=timezone.now()
    )
    run = report_build(kind="monthly", period=data.PERIOD)
    assert run.status == ReportRun.Status.RUNNING
    assert not run.file


def _people(count, organisation):
    agreement = factories.AgreementFactory(parties=[organisation])
    programme = factories.ProgrammeFactory(agreements=[agreement])
    batch = factories.BatchFactory(programme=programme, provider=organisation)
    session = factories.SessionFactory(batch=batch, starts_at=data.at(2026, 10, 7))
    for _ in range(count):
        participant = data.person(data.at(2026, 10, 2))
        factories.share_with(participant, organisation, programme=programme)
        enrolment = factories.EnrolmentFactory(participant=participant, batch=batch)
        Attendance.objects.create(enrolment=enrolment, session=session, status="present")
        factories.PlacementFactory(participant=participant)
        factories.CaseFactory(participant=participant, opened_on=dt.date(2026, 10, 3))


def _queries(**build):
    with CaptureQueriesContext(connection) as captured:
        report_build(kind="monthly", period=data.PERIOD, force=True, **build)
    return len(captured)


@pytest.mark.parametrize("partner", [False, True])
def test_the_number_of_queries_does_not_grow_with_rows(partner, organisation_a):
    build = {"partner": organisation_a} if partner else {}
    _people(5, organisation_a)
    report_build(kind="monthly", period=data.PERIOD, **build)  # the run exists from here on
    few = _queries(**build)
    _people(45, organisation_a)
    many = _queries(**build)
    assert many == few
    assert few <= 20


def test_a_run_left_running_by_a_killed_worker_is_taken_over(dataset, settings):
    from django.utils import timezone

    long_ago = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    ReportRun.objects.create(
        kind="monthly", period=data.PERIOD, status="running", started_at=long_ago
    )
    run = report_build(kind="monthly", period=data.PERIOD)
    assert run.status == ReportRun.Status.DONE
    assert ReportRun.objects.count() == 1


def test_a_failed_build_is_recorded_and_the_next_run_retries_it(dataset, monkeypatch):
    from portal.reports import figures

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(figures, "compute", broken)
    with pytest.raises(RuntimeError):
        report_build(kind="monthly", period=data.PERIOD)
    failed = ReportRun.objects.get()
    assert (failed.status, failed.error) == ("failed", "disk full")
    monkeypatch.undo()
    assert report_build(kind="monthly", period=data.PERIOD).status == ReportRun.Status.DONE
