"""Report periods: ISO weeks ("2026-W47") and calendar months ("2026-11"), as local dates in
Asia/Jakarta (the portal's time zone)."""

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

WEEKLY = "weekly"
MONTHLY = "monthly"
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """A report period: `start` and `end` are local dates, both included."""

    kind: str
    label: str
    start: dt.date
    end: dt.date

    def bounds(self):
        """(from, until) aware datetimes: local midnight at the start and after the end."""
        zone = ZoneInfo(settings.TIME_ZONE)
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        until = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return start, until


def week(year, number):
    try:
        start = dt.date.fromisocalendar(year, number, 1)
    except ValueError as error:
        raise PeriodError(
            _("There is no week %(week)s in %(year)s.") % {"week": number, "year": year}
        ) from error
    return Period(WEEKLY, f"{year}-W{number:02d}", start, start + dt.timedelta(days=6))


def month(year, number):
    if not 1 <= number <= 12:
        raise PeriodError(_("There is no month %(month)s.") % {"month": number})
    start = dt.date(year, number, 1)
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return Period(MONTHLY, f"{year}-{number:02d}", start, following - dt.timedelta(days=1))


def parse(kind, text):
    """The period of `kind` written as `text` ("2026-W47" weekly, "2026-11" monthly)."""
    pattern = _WEEK if kind == WEEKLY else _MONTH
    found = pattern.match((text or "").strip())
    if not found:
        example = "2026-W47" if kind == WEEKLY else "2026-11"
        raise PeriodError(
            _("A %(kind)s period is written like %(example)s.") % {"kind": kind, "example": example}
        )
    year, number = int(found[1]), int(found[2])
    return week(year, number) if kind == WEEKLY else month(year, number)


def last_complete(kind, today=None):
    """The last period of `kind` that ended before `today` (local date in Asia/Jakarta)."""
    today = today or timezone.localdate()
    if kind == WEEKLY:
        year, number, _weekday = (today - dt.timedelta(days=7)).isocalendar()
        return week(year, number)
    last_day = today.replace(day=1) - dt.timedelta(days=1)
    return month(last_day.year, last_day.month)


def resolve(kind, period=None, today=None):
    """`period` (a Period, a string, or None for the last complete one) as a Period."""
    if isinstance(period, Period):
        return period
    if period:
        return parse(kind, period)
    return last_complete(kind, today)
