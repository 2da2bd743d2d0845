"""Admin actions that import a sheet into one session or one batch (issue 6).

"Import attendance from a sheet" (one selected session), "Import scores from a sheet" and "Enrol
from a sheet" (one selected batch) open an upload page. The uploaded file is kept in private
storage (by content, under MEDIA_ROOT/imports/training/) and dry-run at once: the preview lists
every row's outcome with its messages. The commit buttons import the same file, all or nothing
or the valid rows only; the commit form carries a signed token naming the dry run and the
selected object, so only the dry run's own file, by its own user, can be committed.

The importers are in `training.resources`; this module only handles the pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.translation import gettext, gettext_lazy

from participants.importing.report import OUTCOME_LABELS
from participants.models import ImportRun
from participants.sheets import byte_limit

from . import resources
from .admin import action_context, mask_nik, only_one
from .resources import KIND_ATTENDANCE, KIND_ENROLMENTS, KIND_SCORES

UPLOAD_DIR = "imports/training"
TOKEN_SALT = "training.admin_imports"
TOKEN_MAX_AGE = 24 * 3600
PREVIEW_ROWS = 1000


@dataclass(frozen=True)
class SheetImport:
    action: str
    kind: str
    importer: object
    target: str  # the importer's keyword for the selected object
    title: str  # with %(obj)s
    help: str


IMPORTS = {
    KIND_ATTENDANCE: SheetImport(
        action="import_attendance",
        kind=KIND_ATTENDANCE,
        importer=resources.import_attendance,
        target="session",
        title=gettext_lazy("Import attendance for %(obj)s"),
        help=gettext_lazy(
            "Columns: NIK (and optionally the name) and the attendance (Kehadiran, Status, "
            "Hadir or Attendance): Hadir/H, Terlambat/T, Izin/I, Sakit/S or Alpa/A. Every NIK "
            "must be enrolled in the session's batch."
        ),
    ),
    KIND_SCORES: SheetImport(
        action="import_scores",
        kind=KIND_SCORES,
        importer=resources.import_scores,
        target="batch",
        title=gettext_lazy("Import scores for %(obj)s"),
        help=gettext_lazy(
            "Columns: NIK, the score (Nilai, Skor or Score; 0 to 100, 85,5 is accepted), "
            "optionally the kind of test (Jenis Ujian: tertulis, praktik, lisan or akhir; "
            "default akhir) and the date (Tanggal, day first; default today)."
        ),
    ),
    KIND_ENROLMENTS: SheetImport(
        action="import_enrolments",
        kind=KIND_ENROLMENTS,
        importer=resources.import_enrolments,
        target="batch",
        title=gettext_lazy("Enrol in %(obj)s from a sheet"),
        help=gettext_lazy(
            "Column: NIK of participants already registered (optionally their name). Each is "
            "checked against the batch's places and the programme's rules."
        ),
    ),
}


class SheetUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV or Excel .xlsx)"),
        help_text=gettext_lazy("The first row holds the column names."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > byte_limit():
            raise forms.ValidationError(
                gettext("The file is %(size)s, more than the limit of %(limit)s. Split it.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(byte_limit())}
            )
        return upload


def upload_name(sha256):
    return f"{UPLOAD_DIR}/{sha256}"


def _store(upload, sha256):
    name = upload_name(sha256)
    if not default_storage.exists(name):
        upload.seek(0)
        default_storage.save(name, upload)
    return name


def _run_import(spec, obj, request, fileobj, filename, *, dry_run, skip_invalid):
    return spec.importer(
        fileobj=fileobj,
        user=request.user,
        filename=filename,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        **{spec.target: obj},
    )


def _preview_rows(report, user):
    show_nik = user.has_perm("participants.view_nik")
    rows = []
    for row in report.rows[:PREVIEW_ROWS]:
        rows.append(
            {
                "number": row.number,
                "outcome": row.outcome,
                "outcome_label": OUTCOME_LABELS.get(row.outcome, row.outcome),
                "nik": row.nik if show_nik else mask_nik(row.nik),
                "name": row.name,
                "messages": row.messages,
            }
        )
    return rows


def _render(modeladmin, request, obj, spec, template, **extra):
    context = action_context(modeladmin, request, obj, spec.action, spec.title % {"obj": obj})
    context.update({"help": spec.help, "kind": spec.kind, **extra})
    return TemplateResponse(request, f"admin/training/{template}", context)


def _preview(modeladmin, request, obj, spec, report, *, committed_attempt=False):
    counts = report.counts
    rejected = counts.get("rejected", 0)
    writable = sum(counts.get(o, 0) for o in ("new", "updated"))
    token = ""
    if report.refused is None and report.run is not None:
        token = signing.dumps(
            {"run": report.run.pk, "obj": obj.pk, "kind": spec.kind}, salt=TOKEN_SALT
        )
    return _render(
        modeladmin,
        request,
        obj,
        spec,
        "import_preview.html",
        report=report,
        rows=_preview_rows(report, request.user),
        rows_cut=len(report.rows) > PREVIEW_ROWS,
        counts=[(OUTCOME_LABELS[o], counts[o]) for o in OUTCOME_LABELS if counts.get(o)],
        token=token,
        can_commit=bool(token) and writable > 0,
        can_commit_all=bool(token) and writable > 0 and not rejected,
        can_commit_valid=bool(token) and writable > 0 and rejected > 0,
        committed_attempt=committed_attempt,
    )


def _commit(modeladmin, request, obj, spec):
    try:
        data = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        modeladmin.message_user(
            request, gettext("The preview has expired: upload the file again."), messages.ERROR
        )
        return None
    if data.get("obj") != obj.pk or data.get("kind") != spec.kind:
        modeladmin.message_user(
            request, gettext("The preview has expired: upload the file again."), messages.ERROR
        )
        return None
    dry_run = ImportRun.objects.filter(
        pk=data.get("run"), user=request.user, kind=spec.kind, dry_run=True
    ).first()
    name = upload_name(dry_run.sha256) if dry_run is not None else ""
    if dry_run is None or not default_storage.exists(name):
        modeladmin.message_user(
            request,
            gettext("The uploaded file is no longer kept: upload it again."),
            messages.ERROR,
        )
        return None
    skip_invalid = request.POST.get("mode") == "valid"
    with default_storage.open(name, "rb") as fileobj:
        report = _run_import(
            spec,
            obj,
            request,
            fileobj,
            dry_run.filename,
            dry_run=False,
            skip_invalid=skip_invalid,
        )
    if report.refused is not None:
        modeladmin.message_user(request, report.refused.message, messages.ERROR)
        return None
    counts = report.counts
    if not report.committed:
        modeladmin.message_user(
            request,
            gettext("Nothing was imported: %(count)d rows were rejected.")
            % {"count": counts["rejected"]},
            messages.ERROR,
        )
        return _preview(modeladmin, request, obj, spec, report, committed_attempt=True)
    default_storage.delete(name)
    modeladmin.message_user(
        request,
        gettext(
            "Imported %(filename)s: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, "
            "%(rejected)d rejected, %(skipped)d skipped."
        )
        % {"filename": report.filename, **counts},
        messages.WARNING if counts["rejected"] else messages.SUCCESS,
    )
    return None


def sheet_import(modeladmin, request, queryset, kind, what):
    """The upload page, then the dry-run preview, then the commit (see the module docstring)."""
    spec = IMPORTS[kind]
    obj = only_one(modeladmin, request, queryset, what)
    if obj is None:
        return None
    try:
        if "commit" in request.POST:
            return _commit(modeladmin, request, obj, spec)
        if "preview" in request.POST:
            form = SheetUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                report = _run_import(
                    spec, obj, request, upload, upload.name, dry_run=True, skip_invalid=False
                )
                if report.refused is None:
                    _store(upload, report.sha256)
                return _preview(modeladmin, request, obj, spec, report)
        else:
            form = SheetUploadForm()
    except PermissionDenied as error:
        modeladmin.message_user(request, str(error) or gettext("Not allowed."), messages.ERROR)
        return None
    return _render(modeladmin, request, obj, spec, "import_upload.html", form=form)


@admin.action(description=gettext_lazy("Import attendance from a sheet"), permissions=["change"])
def import_attendance(modeladmin, request, queryset):
    return sheet_import(
        modeladmin,
        request,
        queryset.select_related("batch"),
        KIND_ATTENDANCE,
        gettext("session"),
    )


@admin.action(description=gettext_lazy("Import scores from a sheet"), permissions=["change"])
def import_scores(modeladmin, request, queryset):
    return sheet_import(modeladmin, request, queryset, KIND_SCORES, gettext("batch"))


@admin.action(description=gettext_lazy("Enrol from a sheet"), permissions=["change"])
def import_enrolments(modeladmin, request, queryset):
    return sheet_import(modeladmin, request, queryset, KIND_ENROLMENTS, gettext("batch"))
