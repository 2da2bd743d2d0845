"""Spreadsheet exchanges of the training app: attendance of one session, assessment scores and
enrolments of one batch, imported from a CSV or XLSX sheet through the participant importer's
machinery (issue 6).

Three importers share one small core (`_SheetImport`):

- `import_attendance(fileobj=, session=, user=)`: NIK (optionally a name) and a status column
  ("Kehadiran", "Status", "Hadir", "Attendance"). Each NIK must be an enrolment of the session's
  batch; the valid rows are then recorded with ONE `attendance_record` call for the session.
- `import_scores(fileobj=, batch=, user=)`: NIK, score ("Nilai", "Skor", "Score"; 0-100, "85,5"
  accepted), kind ("Jenis Ujian", "Kind": tertulis, praktik, lisan, akhir; default akhir/final)
  and date ("Tanggal", "Date"; day first; default today). One `assessment_record` per row.
- `import_enrolments(fileobj=, batch=, user=)`: NIK of a registered participant the user may
  see; one `enrolment_create` per row, whose refusal (full, not eligible, already enrolled) is
  that row's rejection with the service's message.

Common behaviour, as for participants (`participants.importing`):
- The sheet is read by `participants.sheets.read_sheet` (it finds the header by the NIK column;
  the columns of this module are unknown to the participant vocabulary and are mapped here with
  `columns.header_key`). A file without a NIK column, or without the status or score column, is
  refused as a whole (`ImportReport.refused`, run status "refused").
- Rows keep the sheet's numbers; skipped rows (blank, title, footer) are reported "skipped".
  Each row is "new" (recorded), "updated" (attendance only: another status was recorded
  before), "unchanged" (the same value was already recorded) or "rejected" with its reasons.
- NIKs are read by `normalise_nik`; a NIK stored as a number in an XLSX cell or written in
  scientific notation is rejected with the participant importer's message. The same NIK twice
  (for scores: the same NIK and kind of test) is rejected on the later row.
- One transaction: a dry run runs everything and rolls it back; without `skip_invalid` any
  rejected row rolls everything back (all or nothing); with it the valid rows are written.
- Each import is an `ImportRun` (kind "attendance", "scores" or "enrolments"; written outside
  the import transaction, also for dry runs) with its counts, `ImportRunEntry` rows for the
  people whose records were written, and one audit entry when committed.
- Permission: ministry staff with `training.change_batch`, or partner staff of the batch's
  provider; anyone else gets PermissionDenied.

Files are at most `MAX_ROWS` rows: these sheets list the people of one batch.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from participants.columns import ROW_NUMBER, header_key
from participants.importing.report import ImportReport, RowMessage, RowReport, finish_run
from participants.models import ImportRun, ImportRunEntry, Participant
from participants.normalise import normalise_nik, parse_date
from participants.sheets import SheetError, column_letter, prepare_upload, read_sheet
from portal.audit.services import Event, audit_event

from . import services
from .models import AssessmentResult, Attendance, Enrolment

KIND_ATTENDANCE = "attendance"
KIND_SCORES = "scores"
KIND_ENROLMENTS = "enrolments"
MAX_ROWS = 10_000
PERMISSION = "training.change_batch"

ERROR, WARNING, INFO = "error", "warning", "info"

#: The columns of these sheets (besides the NIK and the name, known to the participant
#: vocabulary), by `header_key` of the header.
_HEADERS = {
    "status": ["Kehadiran", "Status", "Hadir", "Attendance", "Status Kehadiran", "Presensi"],
    "score": ["Nilai", "Skor", "Score", "Nilai Ujian", "Nilai Akhir", "Hasil"],
    "kind": ["Jenis Ujian", "Kind", "Jenis", "Jenis Nilai", "Jenis Tes", "Ujian", "Type"],
    "date": ["Tanggal", "Date", "Tanggal Ujian", "Tgl Ujian", "Tgl", "Assessed on"],
}
HEADER_CODES = {header_key(text): code for code, texts in _HEADERS.items() for text in texts}

_STATUS_WORDS = {
    Attendance.Status.PRESENT: ["Hadir", "H", "Present", "P", "Ya", "Yes"],
    Attendance.Status.LATE: ["Terlambat", "T", "Late", "Telat"],
    Attendance.Status.EXCUSED: ["Izin", "Ijin", "I", "Sakit", "S", "Excused"],
    Attendance.Status.ABSENT: ["Alpa", "Alpha", "Alfa", "A", "Tidak hadir", "Absent", "Tidak"],
}
STATUS_WORDS = {header_key(w): status for status, words in _STATUS_WORDS.items() for w in words}

_KIND_WORDS = {
    AssessmentResult.Kind.WRITTEN: ["Tertulis", "Tulis", "Ujian tertulis", "Teori", "Written"],
    AssessmentResult.Kind.PRACTICAL: ["Praktik", "Praktek", "Ujian praktik", "Practical"],
    AssessmentResult.Kind.ORAL: ["Lisan", "Ujian lisan", "Oral"],
    AssessmentResult.Kind.FINAL: ["Akhir", "Ujian akhir", "Nilai akhir", "Final"],
}
KIND_WORDS = {header_key(w): kind for kind, words in _KIND_WORDS.items() for w in words}
for _kind in AssessmentResult.Kind:
    KIND_WORDS[header_key(_kind.label)] = _kind

#: code -> (level, English sentence), filled with the message's parameters.
MESSAGES = {
    "DUPLICATE_NIK": (
        ERROR,
        gettext_noop("Row %(row)s has the same NIK: only that row is imported."),
    ),
    "DUPLICATE_SCORE": (
        ERROR,
        gettext_noop("Row %(row)s has the same NIK and kind of test: only that row is imported."),
    ),
    "NIK_UNKNOWN": (
        ERROR,
        gettext_noop("No registered participant that you may see has this NIK."),
    ),
    "NIK_NOT_ENROLLED": (ERROR, gettext_noop("%(name)s is not enrolled in this batch.")),
    "NAME_DIFFERS": (
        WARNING,
        gettext_noop("The sheet's name %(value)s differs from the registered name %(name)s."),
    ),
    "STATUS_MISSING": (ERROR, gettext_noop("The attendance status is missing.")),
    "STATUS_UNKNOWN": (
        ERROR,
        gettext_noop(
            "%(value)s is not an attendance status: use Hadir, Terlambat, Izin, Sakit or Alpa."
        ),
    ),
    "STATUS_CHANGED": (INFO, gettext_noop("Recorded before as %(before)s.")),
    "SCORE_MISSING": (ERROR, gettext_noop("The score is missing.")),
    "SCORE_INVALID": (ERROR, gettext_noop("The score %(value)s is not a number.")),
    "SCORE_OUT_OF_RANGE": (
        ERROR,
        gettext_noop("The score %(value)s is not between 0 and 100."),
    ),
    "SCORE_ROUNDED": (INFO, gettext_noop("The score %(value)s was rounded to %(score)s.")),
    "SCORE_NOT_PASSED": (
        INFO,
        gettext_noop("Below the track's minimum score of %(min)s: not passed."),
    ),
    "KIND_UNKNOWN": (
        ERROR,
        gettext_noop(
            "%(value)s is not a kind of test: use tertulis, praktik, lisan or akhir "
            "(written, practical, oral or final)."
        ),
    ),
    "DATE_INVALID": (ERROR, gettext_noop("%(value)s is not a possible date (day/month/year).")),
    "DATE_IN_FUTURE": (ERROR, gettext_noop("The date %(value)s is after today.")),
    # A service refused the row: the text is the service's message.
    "ATTENDANCE_REFUSED": (ERROR, ""),
    "SCORE_REFUSED": (ERROR, ""),
    "ENROLMENT_REFUSED": (ERROR, ""),
}


def make(code, column="", detail="", *, field_name="", **params) -> RowMessage:
    """A row message; the *_REFUSED codes carry a service's (already translated) reason."""
    level, msgid = MESSAGES[code]
    if "reason" in params:
        text = str(params["reason"])
    else:
        text = gettext(msgid) % {"detail": detail, **params}
    return RowMessage(
        code=code, level=level, column=column, text=text, detail=str(detail), field=field_name
    )


# --- permission ------------------------------------------------------------------------------


def can_import(user, batch) -> bool:
    """Ministry staff with training.change_batch, or partner staff of the batch's provider."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_ministry_staff:
        return user.has_perm(PERMISSION)
    membership = getattr(user, "membership", None)
    return bool(
        user.is_partner_staff
        and membership is not None
        and membership.organisation_id == batch.provider_id
    )


# --- the shared core -------------------------------------------------------------------------


@dataclass
class _Line:
    """One data row while it is imported."""

    number: int
    values: dict[str, str]  # original cell texts by header (for the rejected rows file)
    nik: str = ""
    name_text: str = ""
    key: object = None  # what makes two rows duplicates
    messages: list[RowMessage] = field(default_factory=list)
    rejected: bool = False
    outcome: str = ""
    participant: Participant | None = None
    enrolment: Enrolment | None = None
    data: dict = field(default_factory=dict)  # the importer's parsed values

    def reject(self, message: RowMessage):
        self.messages.append(message)
        self.rejected = True


class _SheetImport(ABC):
    """Read the sheet, check every row, write the valid ones, report each row's outcome.

    Subclasses set `kind` and `required` (column codes besides the NIK) and implement
    `parse_values(line, row)`, `resolve(lines)` (queries: who each NIK is) and `write(lines)`
    (the service calls, setting each line's outcome or rejecting it)."""

    kind = ""
    required: tuple[str, ...] = ()

    def __init__(self, *, fileobj, batch, user, filename, dry_run, skip_invalid, target=None):
        self.fileobj = fileobj
        self.batch = batch
        self.target = target or batch
        self.user = user
        self.actor = user if getattr(user, "pk", None) else None
        self.filename = filename
        self.dry_run = dry_run
        self.skip_invalid = skip_invalid
        self.today = timezone.localdate()
        self.index: dict[str, int] = {}
        self.headers: dict[int, str] = {}

    # --- the run ---------------------------------------------------------------------------

    def run(self) -> ImportReport:
        if not can_import(self.user, self.batch):
            raise PermissionDenied(gettext("You may not import sheets into this batch."))
        stream, closers, sha256, size, filename = prepare_upload(self.fileobj, self.filename)
        try:
            run = ImportRun.objects.create(
                user=self.actor,
                kind=self.kind,
                filename=filename[:255],
                sha256=sha256,
                size=size,
                status=ImportRun.Status.RUNNING,
                dry_run=self.dry_run,
                skip_invalid=self.skip_invalid,
                as_of=self.today,
            )
            self.run_record = run
            report = ImportReport(
                filename=filename, sha256=sha256, size=size, dry_run=self.dry_run, run=run
            )
            try:
                self.execute(stream, report)
            except SheetError as error:
                report.refused = error
                report.committed = False
                finish_run(run, ImportRun.Status.REFUSED, report, message=error.message)
                return report
            except BaseException as error:
                report.committed = False
                finish_run(
                    run,
                    ImportRun.Status.FAILED,
                    report,
                    message=f"{type(error).__name__}: {error}",
                )
                raise
            message = ""
            if not self.dry_run and not report.committed:
                message = gettext("Nothing was imported: %(count)d rows were rejected.") % {
                    "count": report.counts["rejected"]
                }
            finish_run(run, ImportRun.Status.DONE, report, message=message)
            return report
        finally:
            for close in reversed(closers):
                close()

    def execute(self, stream, report):
        with read_sheet(stream, filename=report.filename, max_rows=MAX_ROWS) as sheet:
            self.map_columns(sheet, report)
            lines = [self.parse(row) for row in sheet.rows]
            skipped = list(sheet.skipped)
        with transaction.atomic():
            self.check_duplicates(lines)
            self.resolve([line for line in lines if not line.rejected])
            self.write([line for line in lines if not line.rejected])
            self.entries(lines)
            rows = [self.row_report(line) for line in lines]
            rows += [
                RowReport(
                    number=s.number,
                    outcome="skipped",
                    messages=[RowMessage(s.reason_code, INFO, "", s.reason_text)],
                )
                for s in skipped
            ]
            for row in sorted(rows, key=lambda r: r.number):
                report.add(row)
            if self.dry_run or (report.counts["rejected"] and not self.skip_invalid):
                transaction.set_rollback(True)
            else:
                report.committed = True
                audit_event(
                    actor=self.user,
                    obj=self.run_record,
                    event=Event.IMPORT,
                    data={
                        "kind": self.kind,
                        "counts": report.counts,
                        "filename": report.filename,
                        "sha256": report.sha256,
                        "batch": self.batch.pk,
                        **self.audit_data(),
                    },
                )

    def audit_data(self):
        return {}

    # --- columns and rows ------------------------------------------------------------------

    def map_columns(self, sheet, report):
        columns = []
        for column in sheet.columns:
            code = column.code or HEADER_CODES.get(header_key(column.header))
            if code in {"nik", "full_name", *self.required, *self.optional} and (
                code not in self.index
            ):
                self.index[code] = column.index
            self.headers[column.index] = column.header
            columns.append((column.header, code))
        report.columns = columns
        used = set(self.index.values())
        report.unknown_columns = [  # columns this import does not read
            column.header
            for column in sheet.columns
            if column.index not in used and column.code != ROW_NUMBER
        ]
        report.other_sheets = list(sheet.other_sheets)
        if "nik" not in self.index:
            raise SheetError(
                "no_nik_column",
                gettext("The sheet has no NIK column: every row is matched by its NIK."),
            )
        for code in self.required:
            if code not in self.index:
                error_code, text = self.missing_columns[code]
                raise SheetError(error_code, gettext(text))

    optional: tuple[str, ...] = ()
    #: For each required column: the refusal's code and sentence when the sheet lacks it.
    missing_columns: dict[str, tuple[str, str]] = {}  # noqa: RUF012 - read only

    def header(self, code):
        index = self.index.get(code)
        return self.headers.get(index, "") if index is not None else ""

    def cell(self, row, code):
        return row.get(self.index.get(code))

    def parse(self, row) -> _Line:
        values = {
            self.headers.get(i) or gettext("Column %(letter)s") % {"letter": column_letter(i)}: (
                cell.text
            )
            for i, cell in sorted(row.cells.items())
        }
        line = _Line(number=row.number, values=values)
        cell = self.cell(row, "nik")
        raw = "" if cell is None else (cell.value if cell.is_number else cell.text)
        result = normalise_nik(raw, as_of=self.today)
        column = self.header("nik")
        for message in result.messages:
            line.messages.append(
                RowMessage(
                    code=message.code,
                    level=message.level,
                    column=column,
                    text=message.text,
                    detail=message.detail,
                    field="nik",
                )
            )
        if result.errors:
            line.rejected = True
        else:
            line.nik = result.nik
        name = self.cell(row, "full_name")
        line.name_text = " ".join(name.text.split()) if name is not None else ""
        self.parse_values(line, row)
        line.key = self.duplicate_key(line)
        return line

    def parse_values(self, line, row):  # noqa: B027 - optional: enrolments read no other column
        """Read the importer's own columns into `line.data` (rejecting the line if needed)."""

    def duplicate_key(self, line):
        return line.nik

    def duplicate_message(self, first_row):
        return make("DUPLICATE_NIK", self.header("nik"), first_row, row=first_row)

    def check_duplicates(self, lines):
        first = {}
        for line in lines:
            if not line.nik:
                continue
            if line.key in first:
                if not line.rejected:  # a row rejected for its own values says so only
                    line.reject(self.duplicate_message(first[line.key]))
            else:
                first[line.key] = line.number

    # --- who each NIK is -------------------------------------------------------------------

    def visible_people(self, niks):
        return {
            p.nik: p
            for p in Participant.objects.visible_to(self.user)
            .filter(nik__in=niks)
            .only("pk", "nik", "full_name")
        }

    def resolve_enrolments(self, lines):
        """Each line's enrolment in the batch (an open one first, else the latest)."""
        niks = {line.nik for line in lines}
        enrolments = {}
        open_statuses = set(Enrolment.OPEN_STATUSES)
        for enrolment in (
            Enrolment.objects.filter(batch=self.batch, participant__nik__in=niks)
            .select_related("participant", "batch__track")
            .order_by("pk")
        ):
            nik = enrolment.participant.nik
            current = enrolments.get(nik)
            if (
                current is None
                or enrolment.status in open_statuses
                or (current.status not in open_statuses)
            ):
                enrolments[nik] = enrolment
        visible = self.visible_people(niks)
        column = self.header("nik")
        for line in lines:
            enrolment = enrolments.get(line.nik)
            person = visible.get(line.nik)
            if enrolment is None:
                if person is None:
                    line.reject(make("NIK_UNKNOWN", column, line.nik))
                else:
                    line.reject(make("NIK_NOT_ENROLLED", column, line.nik, name=person.full_name))
                continue
            line.enrolment = enrolment
            line.participant = person  # None: the user may not see who it is
            self.check_name(line)

    def check_name(self, line):
        person = line.participant
        if person is None or not line.name_text:
            return
        if header_key(line.name_text) != header_key(person.full_name):
            line.messages.append(
                make(
                    "NAME_DIFFERS",
                    self.header("full_name"),
                    line.name_text,
                    value=line.name_text,
                    name=person.full_name,
                )
            )

    def resolve(self, lines):
        self.resolve_enrolments(lines)

    @abstractmethod
    def write(self, lines):
        """Record the valid `lines` through the training services."""

    # --- results ---------------------------------------------------------------------------

    def entries(self, lines):
        """ImportRunEntry rows for the people whose records were written (one per person)."""
        seen, entries = set(), []
        for line in lines:
            if line.rejected or line.outcome not in {"new", "updated"}:
                continue
            participant_id = line.enrolment.participant_id
            if participant_id is None or participant_id in seen:
                continue
            seen.add(participant_id)
            entries.append(
                ImportRunEntry(
                    run=self.run_record,
                    participant_id=participant_id,
                    outcome=line.outcome,
                    row=line.number,
                )
            )
        ImportRunEntry.objects.bulk_create(entries)

    def row_report(self, line) -> RowReport:
        name = line.participant.full_name if line.participant is not None else line.name_text
        if line.rejected:
            return RowReport(
                number=line.number,
                outcome="rejected",
                nik=line.nik,
                name=name,
                messages=line.messages,
                values=line.values,
            )
        return RowReport(
            number=line.number,
            outcome=line.outcome,
            nik=line.nik,
            name=name,
            messages=line.messages,
        )


# --- attendance ------------------------------------------------------------------------------


class _AttendanceImport(_SheetImport):
    kind = KIND_ATTENDANCE
    required = ("status",)

    def __init__(self, *, session, **kwargs):
        self.session = session
        super().__init__(batch=session.batch, target=session, **kwargs)

    def audit_data(self):
        return {"session": self.session.pk}

    missing_columns = {
        "status": (
            "no_status_column",
            gettext_noop(
                "The sheet has no attendance column: name it Kehadiran, Status, Hadir or "
                "Attendance."
            ),
        )
    }

    def parse_values(self, line, row):
        column = self.header("status")
        cell = self.cell(row, "status")
        text = cell.text.strip() if cell is not None else ""
        if not text:
            line.reject(make("STATUS_MISSING", column))
            return
        status = STATUS_WORDS.get(header_key(text))
        if status is None:
            line.reject(make("STATUS_UNKNOWN", column, text, value=text))
            return
        line.data["status"] = status

    def write(self, lines):
        if not lines:
            return
        labels = dict(Attendance.Status.choices)
        before = dict(
            Attendance.objects.filter(
                session=self.session, enrolment_id__in=[line.enrolment.pk for line in lines]
            ).values_list("enrolment_id", "status")
        )
        statuses = {}
        for line in lines:
            status = line.data["status"]
            previous = before.get(line.enrolment.pk)
            if previous is None:
                line.outcome = "new"
            elif previous == status:
                line.outcome = "unchanged"
            else:
                line.outcome = "updated"
                line.messages.append(
                    make("STATUS_CHANGED", self.header("status"), previous, before=labels[previous])
                )
            statuses[line.enrolment.pk] = status
        try:
            with transaction.atomic():
                services.attendance_record(
                    session=self.session, statuses=statuses, actor=self.actor
                )
        except services.TrainingError as error:
            for line in lines:
                line.reject(make("ATTENDANCE_REFUSED", self.header("status"), reason=error))


# --- scores ----------------------------------------------------------------------------------


def parse_score(cell):
    """(score as a Decimal with 2 places, messages) from a cell; a score of None is refused."""
    if cell.is_number:
        raw = cell.value
        text = cell.text
    else:
        text = cell.text.strip()
        raw = text.replace(" ", "").replace("\u00a0", "")
        if raw.count(",") == 1 and "." not in raw:
            raw = raw.replace(",", ".")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None, "SCORE_INVALID", text
    if not value.is_finite():
        return None, "SCORE_INVALID", text
    if not Decimal(0) <= value <= Decimal(100):
        return None, "SCORE_OUT_OF_RANGE", text
    return value, None, text


class _ScoreImport(_SheetImport):
    kind = KIND_SCORES
    required = ("score",)
    optional = ("kind", "date")

    missing_columns = {
        "score": (
            "no_score_column",
            gettext_noop("The sheet has no score column: name it Nilai, Skor or Score."),
        )
    }

    def parse_values(self, line, row):
        self.parse_kind(line, row)
        self.parse_score(line, row)
        self.parse_date(line, row)

    def parse_score(self, line, row):
        column = self.header("score")
        cell = self.cell(row, "score")
        if cell is None or not cell.text.strip():
            line.reject(make("SCORE_MISSING", column))
            return
        value, error, text = parse_score(cell)
        if error:
            line.reject(make(error, column, text, value=text))
            return
        rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if rounded != value:
            line.messages.append(
                make("SCORE_ROUNDED", column, f"{text}->{rounded}", value=text, score=rounded)
            )
        line.data["score"] = rounded

    def parse_kind(self, line, row):
        column = self.header("kind")
        cell = self.cell(row, "kind")
        text = cell.text.strip() if cell is not None else ""
        if not text:
            line.data["kind"] = AssessmentResult.Kind.FINAL
            return
        kind = KIND_WORDS.get(header_key(text))
        if kind is None:
            line.reject(make("KIND_UNKNOWN", column, text, value=text))
            return
        line.data["kind"] = kind

    def parse_date(self, line, row):
        column = self.header("date")
        cell = self.cell(row, "date")
        if cell is None or not cell.text.strip():
            line.data["date"] = self.today
            return
        value = cell.value if (cell.is_date or cell.is_number) else cell.text
        result = parse_date(value, as_of=self.today, field="assessed_on", prefix="DATE")
        if result.date is None:
            code = (
                "DATE_IN_FUTURE"
                if any(m.code.endswith("IN_FUTURE") for m in result.messages)
                else "DATE_INVALID"
            )
            line.reject(make(code, column, cell.text, value=cell.text))
            return
        for message in result.messages:
            if message.level == INFO:
                line.messages.append(
                    RowMessage(
                        code=message.code,
                        level=INFO,
                        column=column,
                        text=message.text,
                        detail=message.detail,
                        field="assessed_on",
                    )
                )
        if isinstance(result.date, dt.datetime):  # pragma: no cover - parse_date gives dates
            line.data["date"] = result.date.date()
        else:
            line.data["date"] = result.date

    def duplicate_key(self, line):
        return (line.nik, line.data.get("kind"))

    def duplicate_message(self, first_row):
        return make("DUPLICATE_SCORE", self.header("nik"), first_row, row=first_row)

    def write(self, lines):
        if not lines:
            return
        existing = set(
            AssessmentResult.objects.filter(
                enrolment_id__in=[line.enrolment.pk for line in lines]
            ).values_list("enrolment_id", "kind", "assessed_on", "score")
        )
        column = self.header("score")
        for line in lines:
            data = line.data
            key = (line.enrolment.pk, data["kind"], data["date"], data["score"])
            if key in existing:
                line.outcome = "unchanged"
                continue
            try:
                result = services.assessment_record(
                    enrolment=line.enrolment,
                    kind=data["kind"],
                    score=data["score"],
                    assessed_on=data["date"],
                    actor=self.actor,
                )
            except services.TrainingError as error:
                line.reject(make("SCORE_REFUSED", column, reason=error))
                continue
            existing.add(key)
            line.outcome = "new"
            if not result.passed:
                minimum = line.enrolment.batch.track.min_score
                line.messages.append(make("SCORE_NOT_PASSED", column, minimum, min=minimum))


# --- enrolments ------------------------------------------------------------------------------


class _EnrolmentImport(_SheetImport):
    kind = KIND_ENROLMENTS

    def resolve(self, lines):
        people = self.visible_people({line.nik for line in lines})
        column = self.header("nik")
        for line in lines:
            person = people.get(line.nik)
            if person is None:
                line.reject(make("NIK_UNKNOWN", column, line.nik))
                continue
            line.participant = person
            self.check_name(line)

    def write(self, lines):
        column = self.header("nik")
        for line in lines:
            try:
                line.enrolment = services.enrolment_create(
                    participant=line.participant, batch=self.batch, actor=self.actor
                )
            except services.TrainingError as error:
                line.reject(make("ENROLMENT_REFUSED", column, reason=error))
                continue
            line.outcome = "new"


# --- entry points ----------------------------------------------------------------------------


def import_attendance(
    *, fileobj, session, user, filename="", dry_run=False, skip_invalid=False
) -> ImportReport:
    """Import the attendance of one session (see the module docstring)."""
    return _AttendanceImport(
        fileobj=fileobj,
        session=session,
        user=user,
        filename=filename,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    ).run()


def import_scores(
    *, fileobj, batch, user, filename="", dry_run=False, skip_invalid=False
) -> ImportReport:
    """Import assessment scores of a batch's enrolments (see the module docstring)."""
    return _ScoreImport(
        fileobj=fileobj,
        batch=batch,
        user=user,
        filename=filename,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    ).run()


def import_enrolments(
    *, fileobj, batch, user, filename="", dry_run=False, skip_invalid=False
) -> ImportReport:
    """Enrol registered participants in a batch (see the module docstring)."""
    return _EnrolmentImport(
        fileobj=fileobj,
        batch=batch,
        user=user,
        filename=filename,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    ).run()
