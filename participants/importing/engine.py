"""The participant import: read a sheet, apply every rule, write in chunks, in one transaction.

Rows are handled in chunks of `CHUNK_SIZE`. For each chunk: the rows are normalised in Python
(`rows.RowParser`, no queries); the NIKs of the chunk are looked up in one query (people created
by earlier chunks of the same import are found too, inside the same transaction); five more
queries fetch what the merge and the eligibility check need (decile records, open warnings,
pending changes, participations); then new people are bulk-created, filled fields bulk-updated,
and warnings, pending changes, decile records, participations and `ImportRunEntry` rows
bulk-created. The number of queries per chunk is fixed, whatever the chunk holds.

A dry run runs the same code and rolls the transaction back, so its report is exactly what a
commit would do. Without `skip_invalid`, a rejected row rolls everything back too (all or
nothing); an exception anywhere rolls back and marks the run failed. The ImportRun record is
written outside the import transaction. One audit entry records a committed import (bulk writes
bypass auditlog's per-row entries: the run's entries list the people instead).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import JSONField
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from portal.audit.services import Event, audit_event

from ..models import (
    CATEGORY_FIELDS,
    DataWarning,
    DecileRecord,
    ImportRun,
    ImportRunEntry,
    Participant,
    Participation,
    PendingChange,
)
from ..normalise import translations_cached, values_differ
from ..services import eligibility_check, explain
from ..sheets import SheetError, prepare_upload, read_sheet
from .report import ImportReport, RowMessage, RowReport, finish_run
from .rows import FIELD_LABELS, PERSON_FIELDS, ProgrammeIndex, RowParser, make

CHUNK_SIZE = 2_000
PERMISSION = "participants.import_participants"

#: Conflicts become pending changes (or, for the decile, a DESIL_CONFLICT warning): they are
#: not stored a second time as warnings.
_NOT_STORED = {"DUPLICATE_CONFLICT", "EXISTING_CONFLICT"}


def bulk_insert(model, objects, *, batch_size=CHUNK_SIZE):
    """Every insert of the import goes through here (one place to measure or to break in a
    test that checks the rollback): COPY on PostgreSQL, `bulk_create` elsewhere."""
    if not objects:
        return
    if connection.vendor == "postgresql":
        copy_insert(model, objects)
    else:
        model.objects.bulk_create(objects, batch_size=batch_size)


def copy_insert(model, objects):
    """Insert new `objects` with PostgreSQL COPY, as `bulk_create` would: ids drawn from the
    table's sequence first (so related rows can point at them), defaults as the model gave them
    at creation, `auto_now` fields set to now, foreign keys read from related objects saved
    earlier (an unsaved related object is an error, as in `bulk_create`)."""
    meta = model._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    now = timezone.now()
    stamped = {
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    json = {f.attname for f in fields if isinstance(f, JSONField)}
    relations = [(f.attname, f.cache_name) for f in fields if f.many_to_one]
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        missing = [obj for obj in objects if obj.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(missing)],
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk
        columns = ", ".join(quote(field.column) for field in fields)
        with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                values = obj.__dict__
                cache = obj._state.fields_cache
                for attname, name in relations:
                    if values[attname] is None and cache.get(name) is not None:
                        related = cache[name]
                        if related.pk is None:
                            raise ValueError(f"{model.__name__}.{name} is not saved yet.")
                        values[attname] = related.pk
                for attname in stamped:
                    values[attname] = now
                row = [values[attname] for attname in attnames]
                if json:
                    row = [
                        Jsonb(v) if a in json and v is not None else v
                        for a, v in zip(attnames, row, strict=True)
                    ]
                copy.write_row(row)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


@dataclass(slots=True)
class _Seen:
    """What the import remembers of a NIK met earlier in the file (kept small: one per person)."""

    row: int
    decile: str | None = None
    has_entry: bool = False


def new_row(model, related, **values):
    """A new, unsaved `model` instance built from positional values (several times faster than
    keyword construction; the import makes several per row). Fields not given take their
    default. `related` maps a foreign key's name to an object that may not be saved yet: its
    id is read at insert time."""
    spec = _SPECS.get(model)
    if spec is None:
        spec = _SPECS[model] = [
            (
                f.attname,
                f.default if f.has_default() and callable(f.default) else None,
                None if f.has_default() and callable(f.default) else f.get_default(),
            )
            for f in model._meta.concrete_fields
        ]
    args = [
        values[attname] if attname in values else (factory() if factory else default)
        for attname, factory, default in spec
    ]
    obj = model(*args)
    obj._state.fields_cache.update(related)
    return obj


_SPECS: dict = {}


class SeenIndex:
    """The NIKs met earlier in the file, kept in a temporary SQLite file rather than in memory
    (so memory does not grow with the sheet). Each chunk loads the entries of its own NIKs,
    works on them as a dict, and saves them back."""

    def __init__(self):
        self._db = sqlite3.connect("")  # a private temporary file, removed when closed
        self._db.execute(
            "CREATE TABLE seen (nik TEXT PRIMARY KEY, row INTEGER, decile TEXT, has_entry INTEGER)"
        )
        self._chunk: dict[str, _Seen] = {}

    def load(self, niks):
        self._chunk = {}
        niks = list(niks)
        for start in range(0, len(niks), 900):
            part = niks[start : start + 900]
            marks = ", ".join("?" * len(part))
            for nik, row, decile, has_entry in self._db.execute(
                f"SELECT nik, row, decile, has_entry FROM seen WHERE nik IN ({marks})",  # noqa: S608
                part,
            ):
                self._chunk[nik] = _Seen(row=row, decile=decile, has_entry=bool(has_entry))

    def get(self, nik):
        return self._chunk.get(nik)

    def __setitem__(self, nik, seen):
        self._chunk[nik] = seen

    def save(self):
        self._db.executemany(
            "INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?)",
            [(nik, s.row, s.decile, int(s.has_entry)) for nik, s in self._chunk.items()],
        )

    def close(self):
        self._db.close()


def import_participants(
    *,
    fileobj,
    user,
    filename="",
    as_of=None,
    dry_run=False,
    skip_invalid=False,
    progress=None,
    run=None,
    chunk_size=CHUNK_SIZE,
) -> ImportReport:
    """Import a participant sheet (CSV or XLSX, a binary file object or a path) as `user`.

    Returns an ImportReport; raises PermissionDenied without participants.import_participants.
    A refused file returns a report with `refused` set. See the module docstring."""
    if not user.has_perm(PERMISSION):
        raise PermissionDenied(_("You are not allowed to import participants."))
    as_of = as_of or timezone.localdate()
    stream, closers, sha256, size, filename = prepare_upload(fileobj, filename)
    try:
        if run is None:
            run = ImportRun(user=user)
        run.filename, run.sha256, run.size = filename[:255], sha256, size
        run.dry_run, run.skip_invalid, run.as_of = dry_run, skip_invalid, as_of
        run.status = ImportRun.Status.RUNNING
        run.save()
        report = ImportReport(filename=filename, sha256=sha256, size=size, dry_run=dry_run, run=run)
        try:
            sheet = read_sheet(stream, filename=filename)
        except SheetError as error:
            report.refused = error
            finish_run(run, ImportRun.Status.REFUSED, report, message=error.message)
            return report
        report.columns = [(c.header, c.code) for c in sheet.columns]
        report.unknown_columns = [c.header for c in sheet.unknown_columns]
        report.other_sheets = list(sheet.other_sheets)
        try:
            with sheet, transaction.atomic():
                _Importer(
                    sheet=sheet,
                    user=user,
                    run=run,
                    as_of=as_of,
                    report=report,
                    progress=progress,
                    chunk_size=chunk_size,
                ).run()
                if dry_run or (report.counts["rejected"] and not skip_invalid):
                    transaction.set_rollback(True)
                else:
                    report.committed = True
                    audit_event(
                        actor=user,
                        obj=run,
                        event=Event.IMPORT,
                        data={"counts": report.counts, "filename": filename, "sha256": sha256},
                    )
        except SheetError as error:  # a damaged row met while reading (rolled back)
            report.refused = error
            report.committed = False
            finish_run(run, ImportRun.Status.REFUSED, report, message=error.message)
            return report
        except BaseException as error:
            report.committed = False
            finish_run(
                run, ImportRun.Status.FAILED, report, message=f"{type(error).__name__}: {error}"
            )
            raise
        message = ""
        if not dry_run and not report.committed:
            message = _("Nothing was imported: %(count)d rows were rejected.") % {
                "count": report.counts["rejected"]
            }
        finish_run(run, ImportRun.Status.DONE, report, message=message)
        return report
    finally:
        for close in reversed(closers):
            close()


class _Importer:
    def __init__(self, *, sheet, user, run, as_of, report, progress, chunk_size):
        self.sheet = sheet
        self.user = user if getattr(user, "pk", None) else None
        self.run_record = run
        self.as_of = as_of
        self.report = report
        self.progress = progress
        self.chunk_size = chunk_size
        self.parser = RowParser(sheet, as_of=as_of, programmes=ProgrammeIndex())
        self.seen = SeenIndex()
        self.skipped_done = 0
        self.source = f"import #{run.pk}: {run.filename}"[:100]
        self.now = timezone.now()

    def run(self):
        try:
            with translations_cached():
                chunk = []
                for row in self.sheet.rows:
                    chunk.append(row)
                    if len(chunk) >= self.chunk_size:
                        self.chunk(chunk)
                        chunk = []
                self.chunk(chunk)
        finally:
            self.seen.close()

    def drain_skipped(self):
        skipped = self.sheet.skipped[self.skipped_done :]
        self.skipped_done = len(self.sheet.skipped)
        return [
            RowReport(
                number=s.number,
                outcome="skipped",
                messages=[RowMessage(s.reason_code, "info", "", s.reason_text)],
            )
            for s in skipped
        ]

    # --- one chunk -----------------------------------------------------------------------

    def chunk(self, rows):
        parsed = [self.parser.parse(row) for row in rows]
        reports = self.drain_skipped()
        valid = [p for p in parsed if not p.rejected]
        self.seen.load({p.nik for p in valid})
        self.load(valid)
        self.writes = {
            "new": [],
            "update": {},
            "update_fields": set(),
            "warnings": [],
            "pending": [],
            "deciles": [],
            "participations": [],
            "entries": [],
        }
        self.people = {}  # nik -> Participant (new or existing) in this chunk
        for row, item in zip(rows, parsed, strict=True):
            if item.rejected:
                reports.append(
                    RowReport(
                        number=item.number,
                        outcome="rejected",
                        messages=item.messages,
                        values=self.parser.original_values(row),
                    )
                )
            else:
                reports.append(self.apply(item))
        self.write()
        self.seen.save()
        reports.sort(key=lambda r: r.number)
        for report in reports:
            self.report.add(report)
        if self.progress is not None:
            self.progress(sum(self.report.counts.values()), None)

    def load(self, valid):
        """The chunk's queries: a fixed number, whatever the chunk holds."""
        niks = {p.nik for p in valid}
        self.existing = {p.nik: p for p in Participant.objects.filter(nik__in=niks)}
        ids = [p.pk for p in self.existing.values()]
        nik_of = {p.pk: p.nik for p in self.existing.values()}
        kks = {p.values["kk_number"] for p in valid if "kk_number" in p.values}
        kks |= {p.kk_number for p in self.existing.values() if p.kk_number}
        self.latest_decile = {}
        self.decile_on = {}
        for record in DecileRecord.objects.filter(kk_number__in=kks).order_by(
            "kk_number", "-as_of", "-pk"
        ):
            self.latest_decile.setdefault(record.kk_number, record)
            self.decile_on.setdefault((record.kk_number, record.as_of), record)
        self.open_warnings = {
            (nik_of[pid], code, field)
            for pid, code, field in DataWarning.objects.open()
            .filter(participant_id__in=ids)
            .values_list("participant_id", "code", "field")
        }
        self.pending = {
            (nik_of[pid], field, value)
            for pid, field, value in PendingChange.objects.pending()
            .filter(participant_id__in=ids)
            .values_list("participant_id", "field", "proposed_value")
        }
        self.participations = {
            (nik_of[pid], programme_id)
            for pid, programme_id in Participation.objects.filter(
                participant_id__in=ids
            ).values_list("participant_id", "programme_id")
        }

    def apply(self, item) -> RowReport:
        messages = list(item.messages)
        nik = item.nik
        earlier = self.seen.get(nik)
        current = earlier or _Seen(row=item.number)
        self.seen[nik] = current
        person = self.people.get(nik) or self.existing.get(nik)
        filled, conflicts = [], []
        if person is None:
            person = new_row(
                Participant,
                {},
                nik=nik,
                created_at=self.now,
                updated_at=self.now,
                restricted_notes="\n".join(item.notes),
                **{name: item.values[name] for name in PERSON_FIELDS if name in item.values},
                **{CATEGORY_FIELDS[category]: True for category in item.categories},
            )
            self.writes["new"].append(person)
            outcome = "new"
        else:
            filled, conflicts = self.merge(person, item)
            outcome = "merged" if earlier is not None else ("updated" if filled else "unchanged")
            if filled:
                self.mark_update(person, filled)
        self.people[nik] = person
        decile_filled, decile_conflict = self.decile_merge(item, person, earlier, current, messages)
        if outcome != "new":
            # A value that was not stored needs no note on how it was read.
            dropped = {f.removesuffix("_id") for f, _value, _new in conflicts}
            dropped |= {"decile"} if decile_conflict else set()
            messages = [m for m in messages if m.level != "info" or m.field not in dropped]
            self.merge_messages(
                messages, earlier, filled, conflicts, decile_filled, decile_conflict
            )
            for field_name, value, proposed in conflicts:
                self.propose(person, field_name, value, proposed, item.number)
        if self.participate(item, person, messages):
            filled.append("participation")
        if outcome == "unchanged" and (decile_filled or "participation" in filled):
            outcome = "updated"
        stored = self.store_warnings(person, messages)
        touched = outcome != "unchanged" or stored or bool(conflicts) or decile_conflict
        if touched and not current.has_entry:
            current.has_entry = True
            self.writes["entries"].append(
                new_row(
                    ImportRunEntry,
                    {"participant": person},
                    run_id=self.run_record.pk,
                    outcome=outcome,
                    row=item.number,
                )
            )
        return RowReport(
            number=item.number, outcome=outcome, nik=nik, name=person.full_name, messages=messages
        )

    def merge_messages(self, messages, earlier, filled, conflicts, decile_filled, conflict):
        labels = [FIELD_LABELS.get(f, f) for f in filled if f != "restricted_notes"]
        labels += ["desil"] if decile_filled else []
        clashes = [FIELD_LABELS.get(f, f) for f, _value, _new in conflicts]
        clashes += ["desil"] if conflict else []
        if earlier is not None:
            messages.append(make("DUPLICATE_OF_ROW", "", earlier.row, row=earlier.row))
            if labels:
                messages.append(
                    make("DUPLICATE_FILLED", "", "/".join(labels), fields=", ".join(labels))
                )
            if clashes:
                detail = (
                    f"{'/'.join(clashes)}: row {earlier.row} values kept and pending changes "
                    "queued for staff"
                )
                messages.append(
                    make(
                        "DUPLICATE_CONFLICT",
                        "",
                        detail,
                        fields=", ".join(clashes),
                        row=earlier.row,
                    )
                )
            return
        if labels:
            messages.append(make("EXISTING_FILLED", "", "/".join(labels), fields=", ".join(labels)))
        if clashes:
            messages.append(
                make("EXISTING_CONFLICT", "", "/".join(clashes), fields=", ".join(clashes))
            )

    def merge(self, person, item):
        """Fill empty fields; return (filled field names, conflicts as (field, current, new))."""
        filled, conflicts = [], []
        for name in PERSON_FIELDS:
            new = item.values.get(name)
            if new in (None, ""):
                continue
            current = getattr(person, name)
            if current in (None, ""):
                setattr(person, name, new)
                filled.append(name)
            elif values_differ(current, new):
                conflicts.append((name, current, new))
        for category in item.categories:
            flag = CATEGORY_FIELDS[category]
            if not getattr(person, flag):
                setattr(person, flag, True)
                filled.append(flag)
        lines = [line for line in item.notes if line not in person.restricted_notes]
        if lines:
            person.restricted_notes = "\n".join(filter(None, [person.restricted_notes, *lines]))
            filled.append("restricted_notes")
        return filled, conflicts

    def mark_update(self, person, fields):
        if person.pk is None:
            return  # created in this chunk: the insert carries the values
        self.writes["update"][person.pk] = person
        self.writes["update_fields"].update(fields)

    def propose(self, person, field_name, current, proposed, number):
        model_field = field_name.removesuffix("_id")
        key = (person.nik, model_field, str(proposed))
        if key in self.pending:
            return
        self.pending.add(key)
        self.writes["pending"].append(
            PendingChange(
                participant=person,
                field=model_field,
                current_value=str(current),
                proposed_value=str(proposed),
                source=f"{self.source} row {number}"[:200],
                created_by=self.user,
                created_at=self.now,
            )
        )

    def decile_merge(self, item, person, earlier, current, messages):
        """Record the sheet's decile for the family card; returns (filled, conflict).

        Within the file the first row's decile is kept (a later different one is a conflict);
        against the database, a record of the same card and date that differs is a conflict,
        none is filled. Without a KK number the decile cannot be recorded: DESIL_NO_KK keeps it
        in a warning."""
        if item.decile is None and not item.decile_raw:
            return False, False
        shown = str(item.decile) if item.decile is not None else item.decile_raw
        column = self.parser.column("decile")
        if earlier is not None and earlier.decile is not None:
            if earlier.decile == shown:
                return False, False
            detail = f"row {earlier.row}: {earlier.decile} kept / row {item.number}: {shown}"
            self.warn(person, "DESIL_CONFLICT", "decile", detail)
            return False, True
        current.decile = shown
        kk = person.kk_number
        if not kk:
            messages.append(make("DESIL_NO_KK", column, shown, value=shown))
            return earlier is not None, False
        existing = self.decile_on.get((kk, item.decile_as_of))
        if existing is not None:
            stored = str(existing.decile) if existing.decile is not None else existing.raw_text
            if stored == shown:
                return False, False
            self.warn(person, "DESIL_CONFLICT", "decile", f"stored {stored} / sheet {shown}")
            return False, True
        record = DecileRecord(
            kk_number=kk,
            decile=item.decile,
            as_of=item.decile_as_of,
            source=DecileRecord.Source.IMPORT,
            raw_text=item.decile_raw if item.decile is None else "",
            created_at=self.now,
        )
        self.decile_on[(kk, item.decile_as_of)] = record
        latest = self.latest_decile.get(kk)
        if latest is None or latest.as_of <= item.decile_as_of:
            self.latest_decile[kk] = record
        self.writes["deciles"].append(record)
        return True, False

    def warn(self, person, code, field_name, detail):
        key = (person.nik, code, field_name)
        if key in self.open_warnings:
            return False
        self.open_warnings.add(key)
        self.writes["warnings"].append(
            new_row(
                DataWarning,
                {"participant": person},
                code=code,
                field=field_name,
                detail=detail[:300],
                source=self.source,
                state=DataWarning._meta.get_field("state").default,
                created_at=self.now,
            )
        )
        return True

    def store_warnings(self, person, messages):
        stored = False
        for message in messages:
            if message.level == "warning" and message.code not in _NOT_STORED:
                detail = message.detail or message.text
                stored = self.warn(person, message.code, message.field, detail) or stored
        return stored

    def participate(self, item, person, messages):
        """Create the participation when the person is eligible; else warn. True if created."""
        programme = item.programme
        if programme is None:
            return False
        key = (person.nik, programme.pk)
        if key in self.participations:
            return False
        if item.decile is not None:
            decile = DecileRecord(decile=item.decile, as_of=item.decile_as_of)
        else:
            decile = self.latest_decile.get(person.kk_number) if person.kk_number else None
        eligible, explanation = eligibility_check(
            participant=person, programme=programme, on=self.as_of, decile_record=decile
        )
        column = self.parser.column("programme")
        if not eligible:
            reasons = explain(explanation)
            messages.append(
                make(
                    "PROGRAM_NOT_ELIGIBLE",
                    column,
                    f"{programme.name}: {reasons}",
                    programme=programme.name,
                    reasons=reasons,
                )
            )
            return False
        self.participations.add(key)
        self.writes["participations"].append(
            Participation(
                participant=person,
                programme=programme,
                status=Participation.Status.ELIGIBLE,
                eligibility_explanation=explanation,
                decided_at=self.now,
                decided_by=self.user,
                created_at=self.now,
                updated_at=self.now,
            )
        )
        return True

    def write(self):
        writes = self.writes
        bulk_insert(Participant, writes["new"])
        if writes["update"]:
            for person in writes["update"].values():
                person.updated_at = self.now
            fields = sorted(writes["update_fields"] | {"updated_at"})
            Participant.objects.bulk_update(list(writes["update"].values()), fields, batch_size=500)
        for model, key in (
            (DecileRecord, "deciles"),
            (Participation, "participations"),
            (PendingChange, "pending"),
            (DataWarning, "warnings"),
            (ImportRunEntry, "entries"),
        ):
            bulk_insert(model, writes[key])
