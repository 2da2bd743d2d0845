"""Analyst pages: importing participant sheets at /analyst/import/.

Upload -> dry run (a preview of every row's outcome with its warnings and errors) -> commit,
either all or nothing or "the valid rows only"; the history of runs; downloads of the report,
the rejected rows (with a reason column, ready to fix and send again) and the blank template.
Every page needs the permission `participants.import_participants` (the rows show NIKs): 403
without it. A run is visible to the person who made it (ministry admins see all); others get 404.

A file with more than IMPORT_BACKGROUND_ROWS rows is imported by the worker
(`participants.tasks.import_participants_task`); its page shows a progress bar that
static/js/import-progress.js updates from the JSON at `<id>/progress` (without JavaScript the
page offers a refresh link).
"""

import hashlib
import io
import json
import logging
import os

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants import sheets
from participants.importer import OUTCOMES, write_template
from participants.importing.report import OUTCOME_LABELS
from participants.models import ImportRun
from participants.tasks import (
    REJECTED,
    REPORT,
    ROWS_ALL,
    ROWS_WITH_MESSAGES,
    import_participants_task,
    import_run_execute,
    progress_clear,
    progress_get,
    result_name,
    upload_name,
)

logger = logging.getLogger(__name__)

PERMISSION = "participants.import_participants"
HISTORY_PAGE_SIZE = 25
PREVIEW_PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


def _runs(user):
    """The runs this user may see; PermissionDenied without the import permission."""
    if not user.has_perm(PERMISSION):
        raise PermissionDenied
    return ImportRun.objects.visible_to(user).filter(kind="participants").select_related("user")


def _counts(run):
    counts = run.counts or {}
    return [(OUTCOME_LABELS[o], counts.get(o, 0)) for o in OUTCOMES if counts.get(o)]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV or Excel .xlsx)"),
        help_text=gettext_lazy("The first row holds the column names, as in the template."),
    )
    as_of = forms.DateField(
        label=gettext_lazy("Date for ages"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "Ages (and the century of two-digit birth years) are counted on this date. "
            "Leave empty for today."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = sheets.byte_limit()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s, more than the limit of %(limit)s. Split it.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


def _store_upload(upload):
    """Keep the uploaded file in private storage (by content); return (name, sha256, size)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    name = upload_name(sha256)
    if not default_storage.exists(name):
        upload.seek(0)
        name = default_storage.save(name, upload)
    return name, sha256, upload.size


def _runs_in_background(name):
    """True when the stored file has more rows than IMPORT_BACKGROUND_ROWS (the sheet reader's
    row count, which it makes before reading any row)."""
    limit = settings.IMPORT_BACKGROUND_ROWS
    try:
        with default_storage.open(name, "rb") as fileobj:
            sheets.read_sheet(fileobj, max_rows=limit + 1).close()
    except sheets.SheetError as error:
        return error.code == "too_many_rows"
    return False


def _start(*, user, name, filename, sha256, size, as_of, dry_run, skip_invalid):
    """Record a pending run for the stored file `name` and run it now or in the background."""
    run = ImportRun.objects.create(
        user=user,
        filename=filename[:200],
        sha256=sha256,
        size=size,
        status=ImportRun.Status.PENDING,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        as_of=as_of,
    )
    progress_clear(run.pk)
    if _runs_in_background(name):
        import_participants_task.delay_on_commit(run.pk, name)
        return run
    try:
        import_run_execute(run.pk, name)
    except Exception:  # noqa: BLE001 - recorded on the run (status failed) and logged
        logger.exception("import run %s failed in the request", run.pk)
    return run


@login_required
@require_http_methods(["GET", "POST"])
def import_index(request):
    """The upload form, the template downloads and the history of runs."""
    runs = _runs(request.user)
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            name, sha256, size = _store_upload(upload)
            run = _start(
                user=request.user,
                name=name,
                filename=os.path.basename(upload.name or ""),
                sha256=sha256,
                size=size,
                as_of=form.cleaned_data["as_of"],
                dry_run=True,
                skip_invalid=False,
            )
            return redirect("imports:run", pk=run.pk)
    page = Paginator(runs, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    for run in page.object_list:
        run.count_list = _counts(run)
    return render(request, "web/analyst/import_index.html", {"form": form, "page": page})


class StoredRows:
    """The preview rows kept as JSON lines, sliced for the paginator without loading them all."""

    def __init__(self, name):
        self.name = name

    @cached_property
    def _length(self):
        if not self.name or not default_storage.exists(self.name):
            return 0
        with default_storage.open(self.name, "rb") as handle:
            return sum(1 for _line in handle)

    def __len__(self):
        return self._length

    def count(self):
        return self._length

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("StoredRows supports slices only")
        start, stop = index.start or 0, index.stop
        rows = []
        if not self._length:
            return rows
        with default_storage.open(self.name, "rb") as handle:
            for number, line in enumerate(handle):
                if stop is not None and number >= stop:
                    break
                if number >= start:
                    rows.append(json.loads(line))
        return rows


@login_required
@require_GET
def import_run(request, pk):
    """A run: its progress while it runs; then the counts, the rows and what can follow."""
    run = get_object_or_404(_runs(request.user), pk=pk)
    finished = run.status not in (ImportRun.Status.PENDING, ImportRun.Status.RUNNING)
    context = {"run": run, "finished": finished, "counts": _counts(run)}
    if not finished:
        context["progress"] = progress_get(run.pk) or {"done": 0, "total": None}
        return render(request, "web/analyst/import_run.html", context)
    problems = StoredRows(result_name(run, ROWS_WITH_MESSAGES))
    show = request.GET.get("show")
    if show not in ("all", "problems"):
        show = "problems" if len(problems) else "all"
    rows = problems if show == "problems" else StoredRows(result_name(run, ROWS_ALL))
    rows_page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    for row in rows_page.object_list:
        row["outcome_label"] = OUTCOME_LABELS.get(row["outcome"], row["outcome"])
    context |= {
        "show": show,
        "rows_page": rows_page,
        "has_rejected_file": bool((run.counts or {}).get("rejected")) and bool(run.result_file),
        "can_commit": run.dry_run and run.status == ImportRun.Status.DONE,
        "rejected": (run.counts or {}).get("rejected", 0),
    }
    return render(request, "web/analyst/import_run.html", context)


@login_required
@require_POST
def import_commit(request, pk):
    """Import the file of a finished dry run: all or nothing, or the valid rows only."""
    dry_run = get_object_or_404(_runs(request.user), pk=pk)
    if not (dry_run.dry_run and dry_run.status == ImportRun.Status.DONE):
        messages.error(request, _("Only a finished dry run can be imported."))
        return redirect("imports:run", pk=dry_run.pk)
    name = upload_name(dry_run.sha256)
    if not default_storage.exists(name):
        messages.error(request, _("The uploaded file is no longer kept: upload it again."))
        return redirect("imports:run", pk=dry_run.pk)
    run = _start(
        user=request.user,
        name=name,
        filename=dry_run.filename,
        sha256=dry_run.sha256,
        size=dry_run.size,
        as_of=dry_run.as_of,
        dry_run=False,
        skip_invalid=request.POST.get("mode") == "valid",
    )
    return redirect("imports:run", pk=run.pk)


@login_required
@require_GET
@never_cache
def import_progress(request, pk):
    """JSON for the progress bar: status, rows done, rows in all (null while unknown)."""
    run = get_object_or_404(_runs(request.user), pk=pk)
    finished = run.status not in (ImportRun.Status.PENDING, ImportRun.Status.RUNNING)
    progress = progress_get(run.pk) or {}
    done = progress.get("done", 0)
    total = progress.get("total")
    if finished:
        done = run.rows_done or done
        total = run.rows_total or total
    return JsonResponse({"status": run.status, "finished": finished, "done": done, "total": total})


def _attachment(name, filename, content_type):
    if not name or not default_storage.exists(name):
        raise Http404
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def import_report(request, pk):
    """The run's report: row,outcome,nik,messages."""
    run = get_object_or_404(_runs(request.user), pk=pk)
    return _attachment(
        result_name(run, REPORT), f"import-{run.pk}-report.csv", CONTENT_TYPES["csv"]
    )


@login_required
@require_GET
def import_rejected(request, pk, fmt):
    """The rejected rows as sent, with a reason column, ready to fix and upload again."""
    run = get_object_or_404(_runs(request.user), pk=pk)
    return _attachment(
        result_name(run, f"{REJECTED}.{fmt}"), f"import-{run.pk}-rejected.{fmt}", CONTENT_TYPES[fmt]
    )


@login_required
@require_GET
def import_template(request, fmt):
    """The blank template, with the column names in the page's language."""
    _runs(request.user)
    language = "id" if (get_language() or "id").startswith("id") else "en"
    buffer = io.StringIO() if fmt == "csv" else io.BytesIO()
    write_template(buffer, fmt=fmt, language=language)
    content = buffer.getvalue()
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    filename = "templat-peserta" if language == "id" else "participant-template"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


import_urlpatterns = [
    path("", import_index, name="index"),
    path("template.csv", import_template, {"fmt": "csv"}, name="template_csv"),
    path("template.xlsx", import_template, {"fmt": "xlsx"}, name="template_xlsx"),
    path("<int:pk>/", import_run, name="run"),
    path("<int:pk>/commit", import_commit, name="commit"),
    path("<int:pk>/progress", import_progress, name="progress"),
    path("<int:pk>/report.csv", import_report, name="report"),
    path("<int:pk>/rejected.csv", import_rejected, {"fmt": "csv"}, name="rejected_csv"),
    path("<int:pk>/rejected.xlsx", import_rejected, {"fmt": "xlsx"}, name="rejected_xlsx"),
]
