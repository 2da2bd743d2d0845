import datetime as dt

import pytest

from portal.reports import periods


def test_it_reads_an_iso_week_as_monday_to_sunday():
    week = periods.parse("weekly", "2026-W47")
    assert (week.start, week.end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))


def test_it_reads_a_month_to_its_last_day():
    assert periods.parse("monthly", "2026-02").end == dt.date(2026, 2, 28)
    assert periods.parse("monthly", "2026-12").end == dt.date(2026, 12, 31)


def test_the_default_week_is_the_last_complete_one():
    assert periods.last_complete("weekly", dt.date(2026, 11, 23)).label == "2026-W47"
    assert periods.last_complete("weekly", dt.date(2026, 11, 22)).label == "2026-W46"


def test_the_default_month_is_the_last_complete_one_across_a_year_end():
    assert periods.last_complete("monthly", dt.date(2027, 1, 1)).label == "2026-12"
    assert periods.last_complete("monthly", dt.date(2026, 11, 30)).label == "2026-10"


def test_the_period_bounds_are_midnight_in_jakarta():
    start, until = periods.parse("monthly", "2026-11").bounds()
    assert start == dt.datetime(2026, 10, 31, 17, 0, tzinfo=dt.UTC)
    assert until == dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("weekly", "2026-11"),
        ("monthly", "2026-W47"),
        ("weekly", "2026-W54"),
        ("monthly", "2026-13"),
    ],
)
def test_it_refuses_a_period_it_cannot_read(kind, text):
    with pytest.raises(periods.PeriodError):
        periods.parse(kind, text)
