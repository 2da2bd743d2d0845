"""Small helpers for the importer tests: sheets written in memory, and one import call."""

import csv
import datetime as dt
import io

from participants.importer import import_participants
from tests.factories import make_nik

AS_OF = dt.date(2026, 1, 15)


def csv_file(header, *rows, delimiter=","):
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8"))


def xlsx_file(header, *rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def run(user, fileobj, **options):
    options.setdefault("as_of", AS_OF)
    options.setdefault("filename", "peserta.csv")
    return import_participants(fileobj=fileobj, user=user, **options)


def nik(**kwargs):
    return make_nik(**kwargs)


def codes(report, number):
    return report.row(number).codes


def message(report, number, code):
    found = [m for m in report.row(number).messages if m.code == code]
    assert found, (code, report.row(number).messages)
    return found[0]
