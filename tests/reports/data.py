"""A small known data set for October 2026 (monthly report "2026-10"), and a reader for the
workbook's tables."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from placements.models import CaseUpdate, PhaseChange
from tests import factories
from training.models import Attendance, Certificate

JAKARTA = ZoneInfo("Asia/Jakarta")
PERIOD = "2026-10"
START = dt.datetime(2026, 10, 1, tzinfo=JAKARTA)
UNTIL = dt.datetime(2026, 11, 1, tzinfo=JAKARTA)


def at(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=JAKARTA)


def person(created, **fields):
    participant = factories.ParticipantFactory(**fields)
    type(participant).objects.filter(pk=participant.pk).update(created_at=created)
    participant.refresh_from_db()
    return participant


def build(organisation):
    """Participants before, during and after October, some shared with `organisation`, with
    enrolments, attendance, a certificate, placements and cases. Returns a dict of objects."""
    agreement = factories.AgreementFactory(parties=[organisation])
    programme = factories.ProgrammeFactory(agreements=[agreement])
    before = [person(at(2026, 9, 15)) for _ in range(4)]
    during = [person(at(2026, 10, 10), province_id="35", regency_id=None) for _ in range(2)]
    before[0].is_former_prisoner = True
    before[0].save()
    person(at(2026, 11, 5))  # after the period: in no figure
    midnight = person(dt.datetime(2026, 10, 31, 23, 30, tzinfo=JAKARTA))  # still October here
    shared = [before[0], before[1], during[0]]
    for participant in shared:
        factories.share_with(participant, organisation, programme=programme)

    batch = factories.BatchFactory(programme=programme, provider=organisation)
    other_batch = factories.BatchFactory()
    enrolments = [
        factories.EnrolmentFactory(participant=before[0], batch=batch),
        factories.EnrolmentFactory(participant=before[1], batch=batch),
        factories.EnrolmentFactory(participant=during[0], batch=batch),
        factories.EnrolmentFactory(participant=before[2], batch=other_batch),
    ]
    dates = [dt.date(2026, 9, 20), dt.date(2026, 10, 5), dt.date(2026, 10, 6), dt.date(2026, 9, 1)]
    for enrolment, day in zip(enrolments, dates, strict=True):
        enrolment.enrolled_on = day
        enrolment.save()
    done = enrolments[0]
    done.status, done.ended_on = "completed", dt.date(2026, 10, 20)
    done.save()
    Certificate.objects.create(
        enrolment=done, number="CERT-1", issuer="BNSP", issued_on=dt.date(2026, 10, 21)
    )
    october = factories.SessionFactory(batch=batch, starts_at=at(2026, 10, 7))
    november = factories.SessionFactory(batch=batch, starts_at=at(2026, 11, 2))
    for enrolment, status in zip(enrolments[:3], ["present", "late", "absent"], strict=True):
        Attendance.objects.create(enrolment=enrolment, session=october, status=status)
        Attendance.objects.create(enrolment=enrolment, session=november, status="present")

    departed = factories.PlacementFactory(participant=before[0], phase="working")
    waiting = factories.PlacementFactory(participant=during[1], country_id="KR", scheme="g2g")
    for placement, created in ((departed, at(2026, 9, 1)), (waiting, at(2026, 10, 2))):
        type(placement).objects.filter(pk=placement.pk).update(created_at=created)
    for to_phase, day in (
        ("registered", dt.date(2026, 9, 1)),
        ("departed", dt.date(2026, 10, 12)),
        ("working", dt.date(2026, 11, 3)),
    ):
        PhaseChange.objects.create(placement=departed, to_phase=to_phase, on=day)
    PhaseChange.objects.create(placement=waiting, to_phase="registered", on=dt.date(2026, 10, 2))

    trafficking = factories.CaseFactory(
        participant=during[1], type="trafficking", opened_on=dt.date(2026, 10, 3)
    )
    CaseUpdate.objects.create(case=trafficking, to_status="open", at=at(2026, 10, 3))
    CaseUpdate.objects.create(case=trafficking, to_status="assessment", at=at(2026, 10, 20))
    factories.CaseFactory(
        participant=before[3],
        type="unpaid_wages",
        opened_on=dt.date(2026, 8, 1),
        status="closed",
        closed_on=dt.date(2026, 10, 15),
    )
    factories.CaseFactory(participant=before[2], opened_on=dt.date(2026, 11, 2))
    return {
        "programme": programme,
        "batch": batch,
        "shared": shared,
        "midnight": midnight,
        "agreement": agreement,
    }


def translated(text):
    """`text` as the workbook writes it (in the portal's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


def read(path):
    """The sheets in order as {"title", "tables"}, a table being {"title", "header", "rows",
    "total"} (blocks separated by an empty row; the Summary's first block is its heading)."""
    workbook = load_workbook(path, read_only=True)
    sheets = []
    for worksheet in workbook.worksheets:
        rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
        tables, block = [], []
        for row in [*rows, []]:
            if any(value not in (None, "") for value in row):
                block.append(row)
            elif block:
                tables.append(block)
                block = []
        sheets.append({"title": worksheet.title, "tables": [_table(b) for b in tables]})
    workbook.close()
    return sheets


def _table(block):
    title, header, *rows = block + [[]] * (2 - min(len(block), 2))
    total = None
    if rows and rows[-1] and rows[-1][0] == translated("Total"):
        total = rows.pop()
    return {"title": title[0] if title else None, "header": header, "rows": rows, "total": total}


def read_summary(path):
    """{summary key: value as written} from the Summary sheet."""
    from portal.reports.figures import summary_labels

    with translation.override(settings.LANGUAGE_CODE):
        keys = {str(label): key for key, label in summary_labels().items()}
    workbook = load_workbook(path, read_only=True)
    found = {}
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        if row and row[0] in keys:
            found[keys[row[0]]] = row[1]
    workbook.close()
    return found


def column(table, header, labels=1):
    """{row labels: value} of the column named `header` (English source, translated)."""
    index = table["header"].index(translated(header))
    return {tuple(row[:labels]) if labels > 1 else row[0]: row[index] for row in table["rows"]}


def total(table, header):
    return table["total"][table["header"].index(translated(header))]
