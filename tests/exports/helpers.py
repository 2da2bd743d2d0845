"""Reading what an export wrote: CSV bytes from the generator, XLSX sheets from a file."""

import csv
import io

from openpyxl import load_workbook

from portal.exports.services import stream_csv, write_xlsx


def csv_rows(run):
    """The rows (header first) of a CSV run, consuming its generator."""
    data = b"".join(stream_csv(run=run)).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data)))


def csv_dicts(run):
    header, *rows = csv_rows(run)
    return [dict(zip(header, row, strict=True)) for row in rows]


def xlsx_sheets(run):
    """{sheet title: [row tuples, header first]} of an XLSX run."""
    buffer = io.BytesIO()
    write_xlsx(run=run, fileobj=buffer)
    buffer.seek(0)
    workbook = load_workbook(buffer, read_only=True)
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook
    }
