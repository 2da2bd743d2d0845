"""Background work of the participants app: running an import that was recorded as pending.

An import run (`ImportRun`) is created by the analyst page with status "pending" and the
uploaded file kept in private storage (`upload_name(sha256)`, under MEDIA_ROOT/imports/, which no
URL serves). `import_run_execute` claims the run with a conditional UPDATE (pending -> running),
so a second call for the same run (a retried or duplicated task) does nothing; it calls the
engine (`participants.importer.import_participants`) with a progress callback that writes to
the cache, outside the import's transaction, and keeps what the pages offer for download next
to each other in private storage:

- `report.csv`: row,outcome,nik,messages (the run's `result_file`);
- `rejected.csv` / `rejected.xlsx`: the rejected rows with their reason, when there are any;
- `rows.jsonl` / `problems.jsonl`: the per-row preview (every row, and the rows with a message).

Small files run in the request (the page calls `import_run_execute` directly); large ones run
in `import_participants_task`, enqueued with `delay_on_commit`.
"""

import io
import json
import logging
import os
import secrets
import tempfile

from celery import shared_task
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl import load_workbook

logger = logging.getLogger(__name__)

IMPORT_DIR = "imports"
PROGRESS_TIMEOUT = 24 * 60 * 60
ROWS_ALL = "rows.jsonl"
ROWS_WITH_MESSAGES = "problems.jsonl"
REPORT = "report.csv"
REJECTED = "rejected"  # .csv and .xlsx


def upload_name(sha256):
    """The storage name of an uploaded sheet: by content, so a dry run and its commit share it."""
    return f"{IMPORT_DIR}/uploads/{sha256}"


def progress_key(run_id):
    return f"participants:import-progress:{run_id}"


def progress_get(run_id):
    """The last progress stored for a run: {"done": int, "total": int | None} or None."""
    return cache.get(progress_key(run_id))


def progress_clear(run_id):
    """Forget a run's progress (a new run: its id may have been used before a restore)."""
    cache.delete(progress_key(run_id))


def _progress_set(run_id, done, total):
    try:
        cache.set(progress_key(run_id), {"done": done, "total": total}, PROGRESS_TIMEOUT)
    except Exception:  # noqa: BLE001 - a progress bar must never break an import
        logger.warning("could not store the progress of import run %s", run_id, exc_info=True)


def result_dir(run):
    """The storage folder of a run's results, or None before it has any."""
    return os.path.dirname(run.result_file.name) if run.result_file else None


def result_name(run, filename):
    folder = result_dir(run)
    return f"{folder}/{filename}" if folder else None


def _save(name, write, *, binary=False):
    """Write a file with `write(stream)` (a text stream, or binary with `binary`) into storage
    as `name`, through a temporary file; return the stored name."""
    with tempfile.TemporaryFile() as raw:
        if binary:
            write(raw)
        else:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            write(text)
            text.flush()
            text.detach()
        raw.seek(0)
        return default_storage.save(name, File(raw, name=os.path.basename(name)))


def _write_rows(report, handle, *, only_messages):
    for row in report.rows:
        if only_messages and not row.messages:
            continue
        record = {
            "number": row.number,
            "outcome": row.outcome,
            "nik": row.nik,
            "name": row.name,
            "messages": [
                {"code": m.code, "level": m.level, "column": m.column, "text": str(m.text)}
                for m in row.messages
            ],
        }
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _keep_results(run, report):
    """Store the report, the rejected rows and the preview rows next to each other."""
    from .importer import write_rejected_rows, write_report_csv

    folder = f"{IMPORT_DIR}/runs/{run.pk}-{secrets.token_hex(8)}"
    report_name = _save(f"{folder}/{REPORT}", lambda out: write_report_csv(report, out))
    _save(f"{folder}/{ROWS_ALL}", lambda out: _write_rows(report, out, only_messages=False))
    _save(
        f"{folder}/{ROWS_WITH_MESSAGES}",
        lambda out: _write_rows(report, out, only_messages=True),
    )
    if report.counts.get("rejected"):
        _save(f"{folder}/{REJECTED}.csv", lambda out: write_rejected_rows(report, out, fmt="csv"))
        _save(
            f"{folder}/{REJECTED}.xlsx",
            lambda out: write_rejected_rows(report, out, fmt="xlsx"),
            binary=True,
        )
    return report_name


def _row_estimate(path):
    """About how many data rows the stored sheet has (for the progress bar), or None: the line
    breaks of a CSV, the declared dimension of an XLSX's first worksheet, less the header."""
    try:
        with default_storage.open(path, "rb") as handle:
            if handle.read(4) != b"PK\x03\x04":
                handle.seek(0)
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
                return max(lines - 1, 0) or None
            handle.seek(0)
            workbook = load_workbook(handle, read_only=True)
            try:
                rows = workbook.worksheets[0].max_row if workbook.worksheets else None
            finally:
                workbook.close()
            return max(rows - 1, 0) or None if rows else None
    except Exception:  # noqa: BLE001 - only an estimate; the importer reports the real errors
        return None


def import_run_execute(run_id, path):
    """Run the pending import `run_id` on the stored file `path`; return the ImportReport, or
    None when the run was not pending (already claimed by another call)."""
    from .importer import import_participants
    from .models import ImportRun

    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.PENDING).update(
        status=ImportRun.Status.RUNNING
    )
    if not claimed:
        logger.info("import run %s is not pending: nothing to do", run_id)
        return None
    run = ImportRun.objects.select_related("user").get(pk=run_id)
    estimate = _row_estimate(path)
    _progress_set(run_id, 0, estimate)

    def progress(done, total):
        total = total or estimate
        _progress_set(run_id, done, max(total, done) if total else None)

    try:
        with default_storage.open(path, "rb") as fileobj:
            report = import_participants(
                fileobj=fileobj,
                user=run.user,
                filename=run.filename,
                as_of=run.as_of,
                dry_run=run.dry_run,
                skip_invalid=run.skip_invalid,
                progress=progress,
                run=run,
            )
    except Exception as error:
        ImportRun.objects.filter(pk=run_id).update(
            status=ImportRun.Status.FAILED,
            message=str(error)[:1000] or error.__class__.__name__,
            finished_at=timezone.now(),
        )
        logger.exception("import run %s failed", run_id)
        raise
    run.refresh_from_db()
    if report.refused is None:
        run.result_file.name = _keep_results(run, report)
        run.save(update_fields=["result_file"])
    return report


@shared_task(name="participants.import_participants")
def import_participants_task(run_id, path):
    """Run a pending import in the background (see `import_run_execute`); returns the counts."""
    report = import_run_execute(run_id, path)
    return None if report is None else dict(report.counts)
