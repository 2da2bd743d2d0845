"""What an import reports: per row the outcome and every message, and the files made from it.

`RowReport.values` (the original cell texts) is kept only for rejected rows, so the report stays
small however large the file; the "rejected rows" file is made from it.
"""

from __future__ import annotations

import csv
import io
import pickle
import tempfile
from array import array
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..columns import COLUMNS, template_headers
from ..sheets import SheetError

OUTCOMES = ("new", "updated", "unchanged", "merged", "skipped", "rejected")
#: What the pages call each outcome.
OUTCOME_LABELS = {
    "new": gettext_lazy("new"),
    "updated": gettext_lazy("updated"),
    "unchanged": gettext_lazy("unchanged"),
    "merged": gettext_lazy("merged"),
    "skipped": gettext_lazy("skipped"),
    "rejected": gettext_lazy("rejected"),
}
REASON_HEADER = "Alasan / Reason"


@dataclass(slots=True)
class RowMessage:
    """One warning or error on a row. `level` is "error", "warning" or "info" (a harmless
    repair, reported so that the sender can fix the sheet)."""

    code: str
    level: str
    column: str
    text: str
    detail: str = ""
    field: str = ""  # the participant field concerned, for the stored DataWarning

    def __str__(self):
        return f"{self.code}({self.detail})" if self.detail else self.code


@dataclass(slots=True)
class RowReport:
    number: int
    outcome: str
    nik: str = ""
    name: str = ""
    messages: list[RowMessage] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [m.code for m in self.messages]

    @property
    def errors(self) -> list[RowMessage]:
        return [m for m in self.messages if m.level == "error"]

    @property
    def warnings(self) -> list[RowMessage]:
        return [m for m in self.messages if m.level == "warning"]


class RowStore:
    """The row reports of an import, kept in a temporary file rather than in memory, so that
    the importer's memory does not grow with the sheet; iterate, index and count like a list.
    Only the file offsets stay in memory (8 bytes a row)."""

    def __init__(self, rows=()):
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the report
        self._offsets = array("q")
        for row in rows:
            self.append(row)

    def append(self, row):
        self._file.seek(0, io.SEEK_END)
        self._offsets.append(self._file.tell())
        pickle.dump(row, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def __len__(self):
        return len(self._offsets)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        self._file.seek(self._offsets[index])
        return pickle.load(self._file)  # noqa: S301 - our own temporary file

    def __iter__(self):
        for offset in self._offsets:
            self._file.seek(offset)
            yield pickle.load(self._file)  # noqa: S301 - our own temporary file

    def __eq__(self, other):
        return list(self) == list(other)

    def __repr__(self):
        return f"<RowStore of {len(self)} rows>"


@dataclass
class ImportReport:
    filename: str = ""
    sha256: str = ""
    size: int = 0
    columns: list = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    rows: RowStore = field(default_factory=lambda: RowStore())
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    refused: SheetError | None = None
    dry_run: bool = False
    committed: bool = False
    run: object = None
    other_sheets: list[str] = field(default_factory=list)

    def add(self, row: RowReport):
        self.rows.append(row)
        self.counts[row.outcome] += 1

    def row(self, number: int) -> RowReport | None:
        """The report of the row with this spreadsheet row number."""
        for row in self.rows:
            if row.number == number:
                return row
        return None

    @property
    def rejected(self) -> list[RowReport]:
        return [row for row in self.rows if row.outcome == "rejected"]


def _message_cell(message: RowMessage) -> str:
    where = f" [{message.column}]" if message.column else ""
    return f"{message}{where}: {message.text}"


def write_report_csv(report: ImportReport, out):
    """Write `row,outcome,nik,messages` to the text stream `out`, one line per row."""
    writer = csv.writer(out)
    writer.writerow(["row", "outcome", "nik", "messages"])
    if report.refused is not None:
        writer.writerow(["", "refused", "", f"{report.refused.code}: {report.refused.message}"])
    for row in report.rows:
        writer.writerow(
            [row.number, row.outcome, row.nik, "; ".join(_message_cell(m) for m in row.messages)]
        )


def _rejected_table(report: ImportReport):
    headers = [header for header, _code in report.columns]
    for row in report.rejected:  # cells outside the header ("Column K") come last
        headers += [key for key in row.values if key not in headers]
    lines = []
    for row in report.rejected:
        reason = "; ".join(m.text for m in row.messages if m.level == "error")
        lines.append([row.values.get(h, "") for h in headers] + [reason])
    return headers + [REASON_HEADER], lines


def write_rejected_rows(report: ImportReport, out, *, fmt="csv"):
    """The rejected rows with their original cells and a reason column, to send back for
    correction: CSV to a text stream, or XLSX (cells as text) to a binary stream."""
    headers, lines = _rejected_table(report)
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(lines)
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rejected rows"))
    sheet.append(headers)
    for line in lines:
        sheet.append(line)
    workbook.save(out)


def write_template(out, *, fmt="csv", language="id"):
    """The empty template. CSV: one header row in `language` (to a text stream). XLSX (to a
    binary stream): the header row, with NIK, KK and phone columns formatted as text so that
    Excel keeps every digit, and a second sheet explaining each column in both languages."""
    headers = template_headers(language)
    if fmt == "csv":
        csv.writer(out).writerow(headers)
        return
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Peserta"
    sheet.append(headers)
    text_columns = {"nik", "kk_number", "phone", "second_phone", "decile"}
    for index, column in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(14, len(headers[index - 1]) + 2)
        if column.code in text_columns:
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    help_sheet = workbook.create_sheet("Petunjuk - Help")
    help_sheet.append(["Kolom (ID)", "Column (EN)", _("Required"), _("Notes")])
    notes = {
        "nik": _("16 digits, formatted as text (never a number)."),
        "full_name": _("As on the identity card."),
        "sex": _("L/P or M/F."),
        "birth_date": _("Day first: 23/03/1987, 23-03-1987 or 23 Maret 1987."),
        "phone": _("Two numbers may be separated by /."),
        "decile": _("1 to 10, D1 or Desil 1."),
        "programme": _("The programme's name as used in the portal."),
    }
    for column in COLUMNS:
        help_sheet.append(
            [
                column.label_id,
                column.label_en,
                _("yes") if column.required else "",
                notes.get(column.code, ""),
            ]
        )
    help_sheet.append([])
    help_sheet.append(
        [_("Columns not listed here are kept in the restricted notes of the participant.")]
    )
    workbook.save(out)


def finish_run(run, status, report, *, message=""):
    """Record how an import ended on its ImportRun (outside the import's transaction)."""
    run.status = status
    run.message = message[:5000]
    run.counts = dict(report.counts)
    done = sum(report.counts.values())
    run.rows_done = done
    run.rows_total = done
    run.finished_at = timezone.now()
    run.save(
        update_fields=["status", "message", "counts", "rows_done", "rows_total", "finished_at"]
    )
