"""The one export layer: every download of lists (analyst page, partner downloads, own-data
download, command line) starts here, so scoping, masking, pseudonyms, consent, audit and the
data-exchange log are decided in one place.

    run = export_start(user=..., datasets=["participants"], format="csv", filters={...})
    response body = stream_csv(run=run)            # a generator of bytes
    write_xlsx(run=run, fileobj=...)              # constant memory (openpyxl write-only)

A run is recorded before the first row is written; the people it contains are recorded while it
is written (`ExportedPerson`); the audit entry and the file's SHA-256 when it ends.
"""

import csv
import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Consent
from partners.models import Agreement, Organisation
from portal.audit.services import Event, audit_event

from .columns import Protection, compile_plan
from .datasets import DATASETS, NIK_PERMISSION, RESTRICTED_PERMISSION, SUBJECT_DATASETS
from .models import ExportedPerson, ExportRun, Format

logger = logging.getLogger(__name__)

EXPORT_PERMISSION = "participants.export_participants"
CHUNK_ROWS = 2000
PEOPLE_FLUSH = 5000
PROGRESS_EVERY = 5000
EXCHANGE_KINDS = {Organisation.Kind.MINISTRY, Organisation.Kind.REGIONAL_OFFICE}


class ExportRefused(Exception):
    """An export that may not be made, with the reason the user is shown."""


def may_export(user):
    """Staff who export lists: ministry staff and analysts with the export permission, and
    partner staff (their organisation's lists only, by the visibility rule)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm(EXPORT_PERMISSION) or user.is_partner_staff


def may_exchange(user):
    return may_export(user) and (user.is_ministry_staff or user.is_analyst)


def default_pseudonymise(user):
    """An analyst's export is pseudonymised unless they ask otherwise."""
    return bool(user.is_analyst and not user.is_ministry_staff)


def consent_purpose_for(recipient):
    """Sharing with a ministry is data exchange; with anyone else, partner sharing."""
    if recipient.kind in EXCHANGE_KINDS:
        return Consent.Purpose.DATA_EXCHANGE
    return Consent.Purpose.PARTNER_SHARING


def exchange_check(*, recipient, agreement, purpose, on=None):
    """Refuse an exchange no active agreement with the recipient covers (ExportRefused)."""
    if not purpose.strip():
        raise ExportRefused(_("Say what the data is for (the purpose of the exchange)."))
    if agreement is None:
        raise ExportRefused(_("Choose the agreement that allows this exchange."))
    if not Agreement.objects.active(on).filter(pk=agreement.pk).exists():
        raise ExportRefused(
            _("Agreement %(number)s is not in force, so it allows no exchange.")
            % {"number": agreement.number}
        )
    if not Agreement.objects.with_party(recipient.pk).filter(pk=agreement.pk).exists():
        raise ExportRefused(
            _("%(recipient)s is not a party to agreement %(number)s.")
            % {"recipient": recipient, "number": agreement.number}
        )
    if not agreement.scope_items.filter(covers_data_exchange=True).exists():
        raise ExportRefused(
            _("Agreement %(number)s does not cover data exchange.") % {"number": agreement.number}
        )


def _clean_filters(datasets, filters):
    """Keep the filters with a value; each must be known to at least one chosen list."""
    cleaned = {
        code: str(value) for code, value in (filters or {}).items() if value not in (None, "")
    }
    for code in cleaned:
        if not any(code in dataset.filter_map() for dataset in datasets):
            raise ValidationError(
                _("None of the chosen lists has the filter %(filter)s.") % {"filter": code}
            )
    for dataset in datasets:
        # Validates each value against the filter's choices (ValidationError names it).
        dataset.apply_filters(dataset.model._default_manager.none(), _known(dataset, cleaned))
    return cleaned


def _known(dataset, filters):
    known = dataset.filter_map()
    return {code: value for code, value in filters.items() if code in known}


@transaction.atomic
def export_start(
    *,
    user,
    datasets,
    format,
    filters=None,
    pseudonymise=None,
    recipient=None,
    agreement=None,
    purpose="",
    subject=None,
):
    """Check what `user` asks for and record the export (status pending).

    `subject` is the data-subject exception: a participant downloading their own data gets all
    of it, restricted fields included and NIK unmasked. Raises PermissionDenied, ValidationError
    (bad list, format or filter) or ExportRefused (an exchange no agreement allows).
    """
    format = Format(format)
    if subject is not None:
        if getattr(subject, "user_id", None) != user.pk:
            raise PermissionDenied
        codes = datasets or SUBJECT_DATASETS
        codes = [code for code in codes if code in SUBJECT_DATASETS]
    else:
        if not may_export(user):
            raise PermissionDenied
        codes = list(datasets)
    if not codes:
        raise ValidationError(_("Choose at least one list."))
    unknown = [code for code in codes if code not in DATASETS]
    if unknown:
        raise ValidationError(_("Unknown list %(code)s.") % {"code": unknown[0]})
    chosen = [DATASETS[code] for code in codes]
    if subject is None:
        for dataset in chosen:
            if not dataset.allowed_for(user):
                raise PermissionDenied
    if format == Format.CSV and len(chosen) > 1:
        raise ValidationError(_("A CSV file holds one list: choose Excel for several sheets."))
    cleaned = _clean_filters(chosen, filters) if subject is None else {}
    if recipient is not None:
        if not may_exchange(user):
            raise PermissionDenied
        exchange_check(recipient=recipient, agreement=agreement, purpose=purpose)
    if subject is not None:
        pseudonymise, masked, restricted = False, False, True
    else:
        pseudonymise = default_pseudonymise(user) if pseudonymise is None else bool(pseudonymise)
        masked = not user.has_perm(NIK_PERMISSION)
        restricted = user.has_perm(RESTRICTED_PERMISSION)
    return ExportRun.objects.create(
        user=user,
        datasets=codes,
        format=format,
        filters=cleaned,
        pseudonymised=pseudonymise,
        nik_masked=masked,
        restricted_included=restricted,
        subject=subject,
        recipient=recipient,
        agreement=agreement if recipient is not None else None,
        purpose=purpose.strip() if recipient is not None else "",
    )


def protection_of(run):
    return Protection(
        pseudonymise=run.pseudonymised,
        mask_nik=run.nik_masked,
        restricted=run.restricted_included,
        pseudonym_key=run.pseudonym_key,
    )


def _queryset(run, dataset):
    if run.subject_id:
        return dataset.subject_rows(run.subject)
    queryset = dataset.rows(run.user)
    return dataset.apply_filters(queryset, _known(dataset, run.filters))


def _withdrawn(run, dataset):
    """For an exchange: an annotation true for people who withdrew consent to this sharing."""
    purpose = consent_purpose_for(run.recipient)
    person = dataset.person_path
    consents = Consent.objects.filter(participant=OuterRef(person), purpose=purpose)
    return Exists(consents.filter(withdrawn_at__isnull=False)) & ~Exists(
        consents.filter(withdrawn_at__isnull=True)
    )


def count_rows(*, run):
    """The number of rows the export will hold (before consent exclusions)."""
    return sum(_queryset(run, DATASETS[code]).count() for code in run.datasets)


class PeopleRecorder:
    """Record the people an export contains as it is written, in chunks (COPY on PostgreSQL)."""

    def __init__(self, run):
        self.run_id = run.pk
        self.pending = set()
        self.last = None

    def add(self, participant_id):
        if participant_id == self.last:
            return
        self.last = participant_id
        self.pending.add(participant_id)
        if len(self.pending) >= PEOPLE_FLUSH:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        ids, self.pending = self.pending, set()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(ExportedPerson._meta.db_table)
                with cursor.copy(f"COPY {table} (run_id, participant_id) FROM STDIN") as copy:
                    for participant_id in ids:
                        copy.write_row((self.run_id, participant_id))
        else:
            ExportedPerson.objects.bulk_create(
                ExportedPerson(run_id=self.run_id, participant_id=pid) for pid in ids
            )


class Writer:
    """One list of an export: its headers and its rows as the run may show them."""

    def __init__(self, run, code, *, typed):
        self.run = run
        self.dataset = DATASETS[code]
        self.plan = compile_plan(
            self.dataset.columns,
            protection_of(run),
            person_path=self.dataset.person_path,
            typed=typed,
        )
        self.rows_written = 0
        self.excluded = 0

    @property
    def headers(self):
        return self.plan.headers

    def rows(self, people):
        """Output rows, recording each person in `people`; consent exclusions counted."""
        queryset = _queryset(self.run, self.dataset)
        paths = list(self.plan.paths)
        screen = self.run.is_exchange and self.dataset.person_path
        if screen:
            queryset = queryset.annotate(_withdrawn=_withdrawn(self.run, self.dataset))
            paths.append("_withdrawn")
        make_row = self.plan.row
        person = self.plan.person_index
        for raw in queryset.values_list(*paths).iterator(chunk_size=CHUNK_ROWS):
            if screen and raw[-1]:
                self.excluded += 1
                continue
            if person is not None:
                people.add(raw[person])
            self.rows_written += 1
            yield make_row(raw)


class _Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value):
        return value


def stream_csv(*, run, progress=None):
    """The CSV file of a one-list run as a generator of bytes (UTF-8 with BOM, for Excel).

    The header goes out before the query runs; rows follow in batches. Memory stays constant
    whatever the number of rows. The run is finished (audit, hash) after the last byte, and
    marked interrupted if the download stops half-way.
    """
    _begin(run)
    writer = Writer(run, run.datasets[0], typed=False)
    people = PeopleRecorder(run)
    digest = hashlib.sha256()
    out = csv.writer(_Echo())
    finished = False
    try:
        head = ("\ufeff" + out.writerow(writer.headers)).encode()
        digest.update(head)
        yield head
        batch = []
        for row in writer.rows(people):
            batch.append(out.writerow(row))
            if len(batch) == 500:
                data = "".join(batch).encode()
                digest.update(data)
                yield data
                batch = []
                if progress and writer.rows_written % PROGRESS_EVERY == 0:
                    progress(writer.rows_written)
        if batch:
            data = "".join(batch).encode()
            digest.update(data)
            yield data
        people.flush()
        finished = True
        _finish(run, rows=writer.rows_written, excluded=writer.excluded, sha256=digest.hexdigest())
    finally:
        if not finished:
            people.flush()
            _interrupt(run, rows=writer.rows_written)


def write_xlsx(*, run, fileobj, progress=None):
    """Write the run's lists as sheets of one workbook to `fileobj` (openpyxl write-only mode:
    rows go to disk as they come, so memory stays constant). Returns the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    _begin(run)
    workbook = Workbook(write_only=True)
    people = PeopleRecorder(run)
    rows = excluded = 0
    try:
        for code in run.datasets:
            writer = Writer(run, code, typed=True)
            sheet = workbook.create_sheet(title=_sheet_title(writer.dataset.label))
            bold = Font(bold=True)
            header = []
            for text in writer.headers:
                cell = WriteOnlyCell(sheet, value=text)
                cell.font = bold
                header.append(cell)
            sheet.append(header)
            sheet.freeze_panes = "A2"
            for row in writer.rows(people):
                sheet.append(row)
                if progress and (rows + writer.rows_written) % PROGRESS_EVERY == 0:
                    progress(rows + writer.rows_written)
            rows += writer.rows_written
            excluded += writer.excluded
        people.flush()
        workbook.save(fileobj)
    except BaseException:
        people.flush()
        _interrupt(run, rows=rows)
        raise
    return rows, excluded


def export_enqueue(*, run, rows_total=None, language=None):
    """Hand a run to the worker (after the transaction commits), with its expected row count for
    the progress bar and the language of its headers."""
    from .tasks import build_export_task

    total = count_rows(run=run) if rows_total is None else rows_total
    ExportRun.objects.filter(pk=run.pk).update(rows_total=total)
    run.rows_total = total
    build_export_task.delay_on_commit(run.pk, language)
    return run


def _sheet_title(label):
    """Sheet names: at most 31 characters, none of []:*?/\\."""
    title = str(label)
    for character in "[]:*?/\\":
        title = title.replace(character, " ")
    return title[:31]


def _begin(run):
    ExportRun.objects.filter(pk=run.pk).update(status=ExportRun.Status.RUNNING)
    run.status = ExportRun.Status.RUNNING


def _interrupt(run, *, rows):
    ExportRun.objects.filter(pk=run.pk, status=ExportRun.Status.RUNNING).update(
        status=ExportRun.Status.INTERRUPTED, rows_done=rows, finished_at=timezone.now()
    )
    run.status = ExportRun.Status.INTERRUPTED
    _audit(run, rows=rows, complete=False)


def _finish(run, *, rows, excluded, sha256, file_name=None):
    run.status = ExportRun.Status.DONE
    run.row_count = rows
    run.rows_done = rows
    run.excluded_count = excluded
    run.sha256 = sha256
    run.finished_at = timezone.now()
    fields = ["status", "row_count", "rows_done", "excluded_count", "sha256", "finished_at"]
    if file_name:
        run.file.name = file_name
        run.expires_at = run.finished_at + timedelta(hours=settings.EXPORT_LINK_HOURS)
        fields += ["file", "expires_at"]
    run.save(update_fields=fields)
    _audit(run, rows=rows, complete=True)


def _audit(run, *, rows, complete):
    """Who, what, filters and row count in the audit trail (the people: ExportedPerson)."""
    data = {
        "lists": run.datasets,
        "format": run.format,
        "filters": run.filters,
        "rows": rows,
        "complete": complete,
        "pseudonymised": run.pseudonymised,
        "nik_masked": run.nik_masked,
        "restricted_included": run.restricted_included,
    }
    if run.subject_id:
        data["own_data_of"] = run.subject_id
    if run.is_exchange:
        data.update(
            recipient=run.recipient_id,
            agreement=run.agreement_id,
            purpose=run.purpose,
            excluded_for_consent=run.excluded_count,
            sha256=run.sha256,
        )
    audit_event(actor=run.user, obj=run, event=Event.EXPORT, data=data)


def build_xlsx_file(*, run, progress=None):
    """Write a run's workbook to private storage (MEDIA_ROOT/exports/, served by no URL) and
    finish the run with the file's hash and an expiring download."""
    import tempfile

    from django.core.files import File

    with tempfile.TemporaryFile() as handle:
        rows, excluded = write_xlsx(run=run, fileobj=handle, progress=progress)
        handle.seek(0)
        digest = hashlib.sha256()
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
        handle.seek(0)
        run.file.save(f"{export_file_name(run)}", File(handle), save=False)
    _finish(run, rows=rows, excluded=excluded, sha256=digest.hexdigest(), file_name=run.file.name)
    return run


def finish_written(*, run, rows, excluded, sha256):
    """Finish a run whose file the caller wrote to a place of its own (the command line writes
    to a path): the record's counts and hash, and the audit entry."""
    _finish(run, rows=rows, excluded=excluded, sha256=sha256)


def export_file_name(run):
    stamp = timezone.localtime(run.created_at).strftime("%Y%m%d-%H%M")
    name = run.datasets[0] if len(run.datasets) == 1 else "portal"
    return f"{name}-{stamp}.{run.format}"


def purge_expired(*, now=None):
    """Delete the files of downloads that expired; the run stays as the record. Returns the
    number of files removed."""
    now = now or timezone.now()
    removed = 0
    for run in ExportRun.objects.filter(expires_at__lte=now).exclude(file=""):
        run.file.delete(save=False)
        ExportRun.objects.filter(pk=run.pk).update(file="")
        removed += 1
    return removed


def exports_including(participant):
    """Every export that contained this person, newest first."""
    return ExportRun.objects.filter(
        pk__in=ExportedPerson.objects.filter(participant=participant).values("run_id")
    ).select_related("user", "recipient", "agreement")
