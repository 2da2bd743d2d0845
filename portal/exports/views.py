"""The analyst pages of the export layer, and a participant's own-data download.

/analyst/ is the analysts' home; /analyst/exports/ the export form. A CSV streams in the request;
an Excel file is written in the request when it holds at most EXPORT_BACKGROUND_ROWS rows, else
by the worker (`tasks.build_export_task`) while the job page shows a progress bar
(static/js/import-progress.js polls `<pk>/progress`). Every rule (lists, filters, masking,
pseudonyms, refused exchanges, audit) is the export layer's (`services`); these views only ask.

Who: analysts and ministry staff with the export permission (403 for everyone else). A run's
page is visible to the person who made it and to ministry admins (`ExportRun.visible_to`); its
file is downloaded only by the person who made it (404 for anyone else, admins included), since
the file holds what that person's rights allowed and the download is audited as theirs. The
data-exchange log is for ministry staff only.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.audit.services import Event, audit_event

from . import services
from .datasets import DATASETS
from .forms import ExchangeFilterForm, ExportForm
from .models import ExportRun, Format

PAGE_SIZE = 25
CONTENT_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FINISHED = (ExportRun.Status.DONE, ExportRun.Status.FAILED, ExportRun.Status.INTERRUPTED)


def _require_analyst(user):
    """Analysts and ministry staff who may export; PermissionDenied for everyone else."""
    if not (services.may_export(user) and (user.is_analyst or user.is_ministry_staff)):
        raise PermissionDenied


def _list_labels(run):
    return [str(DATASETS[code].label) if code in DATASETS else code for code in run.datasets]


def _attachment(response, run, filename=None):
    filename = filename or services.export_file_name(run)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_response(run, filename=None):
    response = FileResponse(run.file.open("rb"), content_type=CONTENT_TYPES[run.format])
    return _attachment(response, run, filename)


@login_required
@require_GET
def analyst_home(request):
    """Links to the export form, the background jobs, the exchange log and the import page."""
    _require_analyst(request.user)
    return render(request, "exports/home.html")


@login_required
@require_http_methods(["GET", "POST"])
def export_new(request):
    """The export form; POST starts the export and answers the file or the job page."""
    _require_analyst(request.user)
    form = ExportForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.export_start(user=request.user, **form.export_options())
        except (ValidationError, services.ExportRefused) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            for message in messages:
                form.add_error(None, message)
        else:
            return _deliver(run)
    context = {"form": form, "background_rows": settings.EXPORT_BACKGROUND_ROWS}
    return render(request, "exports/new.html", context)


def _in_language(chunks, language):
    """The streamed file in the request's language: the server iterates it after the view has
    returned. `yield from` passes a stopped download's close() on to the export."""
    with translation.override(language):
        yield from chunks


def _deliver(run):
    """A CSV streams; a small Excel file is written now; a large one goes to the worker."""
    if run.format == Format.CSV:
        chunks = _in_language(services.stream_csv(run=run), translation.get_language())
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[Format.CSV])
        return _attachment(response, run)
    total = services.count_rows(run=run)
    if total <= settings.EXPORT_BACKGROUND_ROWS:
        services.build_xlsx_file(run=run)
        return _file_response(run)
    services.export_enqueue(run=run, rows_total=total, language=translation.get_language())
    return redirect("exports:job", pk=run.pk)


@login_required
@require_GET
def export_jobs(request):
    """The user's exports (all exports for ministry admins), newest first."""
    _require_analyst(request.user)
    runs = ExportRun.objects.visible_to(request.user).select_related("user", "recipient")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for run in page.object_list:
        run.list_labels = _list_labels(run)
        run.expired = run.expires_at is not None and run.expires_at <= now
        run.can_download = run.download_available and run.user_id == request.user.pk
    return render(request, "exports/jobs.html", {"page": page})


def _visible_run(request, pk):
    _require_analyst(request.user)
    return get_object_or_404(
        ExportRun.objects.visible_to(request.user).select_related("user", "recipient", "agreement"),
        pk=pk,
    )


@login_required
@require_GET
def export_job(request, pk):
    """One export: its progress while the worker writes it, then the download link."""
    run = _visible_run(request, pk)
    context = {
        "run": run,
        "list_labels": _list_labels(run),
        "finished": run.status in FINISHED,
        "own": run.user_id == request.user.pk,
        "expired": run.expires_at is not None and run.expires_at <= timezone.now(),
    }
    return render(request, "exports/job.html", context)


@login_required
@require_GET
@never_cache
def export_progress(request, pk):
    """JSON for the progress bar: status, rows written and rows expected (null while unknown)."""
    run = _visible_run(request, pk)
    return JsonResponse(
        {
            "status": run.status,
            "finished": run.status in FINISHED,
            "done": run.rows_done,
            "total": run.rows_total,
        }
    )


@login_required
@require_GET
def export_download(request, pk):
    """The file of a finished background export, for the person who made it, until it expires
    (410 after); each download is audited."""
    _require_analyst(request.user)
    run = get_object_or_404(
        ExportRun.objects.visible_to(request.user).filter(user=request.user), pk=pk
    )
    if not run.download_available:
        if run.expires_at is not None and run.expires_at <= timezone.now():
            return render(request, "exports/expired.html", {"run": run}, status=410)
        raise Http404
    audit_event(actor=request.user, obj=run, event=Event.DOWNLOAD, data={"format": run.format})
    return _file_response(run)


@login_required
@require_GET
def exchange_log(request):
    """The data-exchange log (ministry staff): who sent which lists to whom, under which
    agreement, with the row count, the rows left out for consent and the file's hash."""
    if not request.user.is_ministry_staff:
        raise PermissionDenied
    form = ExchangeFilterForm(request.GET or None)
    runs = ExportRun.objects.exchanges_visible_to(request.user).select_related(
        "user", "recipient", "agreement"
    )
    if form.is_bound:
        runs = form.apply(runs)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    for run in page.object_list:
        run.list_labels = _list_labels(run)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exports/exchanges.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@require_GET
def own_data(request):
    """A participant's own data: every list about them, unmasked, in one Excel file."""
    try:
        participant = request.user.participant
    except ObjectDoesNotExist:
        raise Http404 from None
    run = services.export_start(
        user=request.user, datasets=None, format=Format.XLSX, subject=participant
    )
    services.build_xlsx_file(run=run)
    filename = _("my-data") + timezone.localdate().strftime("-%Y%m%d") + ".xlsx"
    return _file_response(run, filename)
