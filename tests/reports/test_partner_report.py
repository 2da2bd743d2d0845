"""A partner's monthly report: only its programmes and the participants it may see, no case or
trafficking figure, small numbers suppressed."""

import pytest

from portal.reports.services import report_build
from tests import factories
from tests.reports import data

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(organisation_a):
    data.build(organisation_a)
    run = report_build(kind="monthly", period=data.PERIOD, partner=organisation_a)
    return run, data.read(run.file.path)


def _cells(sheets):
    return {
        value
        for sheet in sheets
        for table in sheet["tables"]
        for row in [[table["title"]], table["header"], *table["rows"]]
        for value in row
        if value is not None
    }


def test_it_has_no_cases_sheet(report):
    _run, sheets = report
    titles = [sheet["title"] for sheet in sheets]
    assert data.translated("Cases") not in titles
    assert len(titles) == 5


def test_it_has_no_case_or_trafficking_figure_anywhere(report):
    run, sheets = report
    cells = {str(c) for c in _cells(sheets)}
    assert data.translated("Trafficking (TPPO) victim") not in cells
    assert not any("trafficking" in c.lower() or "tppo" in c.lower() for c in cells)
    assert "cases_open" not in run.figures["summary"]
    assert "cases_opened" not in run.figures["summary"]
    summary = data.read_summary(run.file.path)
    assert not {"cases_open", "cases_opened"} & set(summary)


def test_it_counts_only_the_participants_the_partner_may_see(report):
    _run, sheets = report
    by_province = sheets[1]["tables"][0]
    # three shared participants: 2 in Bali, 1 in Jawa Timur, each shown as "<5"
    assert set(data.column(by_province, "Participants", labels=2).values()) == {"<5"}
    assert len(by_province["rows"]) == 2


def test_it_suppresses_small_counts_and_withholds_the_totals_they_would_reveal(report):
    run, sheets = report
    by_province = sheets[1]["tables"][0]
    assert data.total(by_province, "Participants") in (None, "")
    summary = data.read_summary(run.file.path)
    assert summary["participants"] in (None, "")
    assert run.figures["summary"]["participants"] is None
    training = sheets[2]["tables"][0]
    assert data.column(training, "Enrolments at the end of the period", labels=2) == {
        (training["rows"][0][0], training["rows"][0][1]): "<5"
    }
    assert data.total(training, "Enrolments at the end of the period") in (None, "")


def test_it_leaves_out_batches_of_programmes_the_partner_is_not_party_to(report):
    _run, sheets = report
    training = sheets[2]["tables"][0]
    assert len(training["rows"]) == 1  # the other batch runs for another programme


def test_it_shows_counts_of_five_and_more_with_their_totals(organisation_b):
    agreement = factories.AgreementFactory(parties=[organisation_b])
    programme = factories.ProgrammeFactory(agreements=[agreement])
    for _ in range(6):
        participant = data.person(data.at(2026, 10, 2))
        factories.share_with(participant, organisation_b, programme=programme)
    run = report_build(kind="monthly", period=data.PERIOD, partner=organisation_b)
    by_province = data.read(run.file.path)[1]["tables"][0]
    assert data.column(by_province, "Participants", labels=2) == {
        ("Bali", data.translated("Active")): 6
    }
    assert data.total(by_province, "Participants") == 6
    assert run.figures["summary"]["participants"] == 6


def test_a_participant_without_consent_is_not_counted(organisation_b):
    agreement = factories.AgreementFactory(parties=[organisation_b])
    programme = factories.ProgrammeFactory(agreements=[agreement])
    for consent in (True, True, True, True, True, False):
        participant = data.person(data.at(2026, 10, 2))
        factories.share_with(participant, organisation_b, programme=programme, consent=consent)
    run = report_build(kind="monthly", period=data.PERIOD, partner=organisation_b)
    assert run.figures["summary"]["participants"] == 5


def test_partner_and_national_reports_of_a_period_are_separate_runs(report, organisation_a):
    national = report_build(kind="monthly", period=data.PERIOD)
    again = report_build(kind="monthly", period=data.PERIOD, partner=organisation_a)
    assert national.pk != report[0].pk
    assert again.pk == report[0].pk
