import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.reports import tasks
from portal.reports.models import ReportRun
from tests import factories
from tests.reports import data

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reports.urls")]


def _run(*args):
    out = io.StringIO()
    call_command("run_report", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_prints_the_absolute_path_of_the_file_it_wrote(organisation_a, settings):
    data.build(organisation_a)
    path = Path(_run("monthly", "--period", "2026-10"))
    assert path.is_absolute() and path.exists()
    assert str(path).startswith(str(settings.MEDIA_ROOT / "reports"))
    assert data.read(path)[0]["title"] == data.translated("Summary")


def test_the_command_builds_a_partner_report_by_slug(organisation_a):
    data.build(organisation_a)
    path = _run("monthly", "--partner", organisation_a.slug, "--period", "2026-10")
    run = ReportRun.objects.get()
    assert run.partner == organisation_a
    assert Path(path) == Path(run.file.path)


def test_the_command_run_twice_prints_the_same_file_and_keeps_one_run(organisation_a):
    first = _run("weekly", "--period", "2026-W44")
    assert _run("weekly", "--period", "2026-W44") == first
    assert ReportRun.objects.count() == 1


def test_force_writes_a_new_file_and_removes_the_old_one(organisation_a):
    first = _run("weekly", "--period", "2026-W44")
    second = _run("weekly", "--period", "2026-W44", "--force")
    assert Path(second).exists() and not Path(first).exists()


def test_the_command_refuses_an_unknown_partner_or_period():
    with pytest.raises(CommandError):
        _run("monthly", "--partner", "no-such-partner")
    with pytest.raises(CommandError):
        _run("monthly", "--period", "2026-W44")


def test_the_monthly_job_builds_the_national_report_and_one_per_partner(
    organisation_a, organisation_b, eager_tasks, django_capture_on_commit_callbacks
):
    data.build(organisation_a)
    factories.AgreementFactory(parties=[organisation_b], valid_until=data.dt.date(2026, 9, 30))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.run_monthly.delay("2026-10")
    runs = {run.partner_id for run in ReportRun.objects.all()}
    # B's only agreement ended before October: no report for B.
    assert runs == {None, organisation_a.pk}
    assert set(ReportRun.objects.values_list("status", flat=True)) == {"done"}


def test_the_monthly_job_run_twice_builds_each_report_once(
    organisation_a, eager_tasks, django_capture_on_commit_callbacks
):
    data.build(organisation_a)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.run_monthly.delay("2026-10")
    assert ReportRun.objects.count() == 2


def test_the_weekly_job_defaults_to_the_last_complete_week(eager_tasks):
    from portal.reports import periods

    run_id = tasks.run_weekly.delay().get()
    assert ReportRun.objects.get(pk=run_id).period == periods.last_complete("weekly").label
