"""Building and sending programme reports.

`report_build` is idempotent: a report is one `ReportRun` per (kind, period, partner), claimed
with a conditional UPDATE so two workers never build it at once, and a finished run is returned
as it is unless `force=True` rebuilds it in place. `report_send` notifies through the
notification log, which records each (kind, run, period, recipient) once: sending twice sends
nothing twice.
"""

import datetime as dt
import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from partners.models import Membership

from . import figures, periods
from .models import ReportRun, ReportSubscription

logger = logging.getLogger(__name__)
BOLD = Font(bold=True)


class ReportError(Exception):
    pass


def _claim(run, *, force):
    """Take the run for building (pending, failed, stale running, or done with `force`)."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimable = Q(status__in=[ReportRun.Status.PENDING, ReportRun.Status.FAILED]) | Q(
        status=ReportRun.Status.RUNNING, started_at__lt=stale
    )
    if force:
        claimable |= Q(status=ReportRun.Status.DONE)
    return ReportRun.objects.filter(claimable, pk=run.pk).update(
        status=ReportRun.Status.RUNNING, started_at=now, error=""
    )


def _cell(worksheet, value, *, bold=False):
    cell = WriteOnlyCell(worksheet, value=value)
    if bold:
        cell.font = BOLD
    return cell


def _title(period, partner):
    kind = (
        _("Weekly programme report")
        if period.kind == periods.WEEKLY
        else _("Monthly programme report")
    )
    scope = partner.name if partner else _("National")
    return f"{kind} {period.label} – {scope}"


def write_workbook(report, *, period, partner):
    """The XLSX bytes of `report`: a Summary sheet, then one sheet per area."""
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(title=_("Summary")[:31])
    summary.append([_cell(summary, _title(period, partner), bold=True)])
    summary.append([_("From"), period.start.isoformat(), _("Until"), period.end.isoformat()])
    summary.append([])
    summary.append([_cell(summary, _("Figure"), bold=True), _cell(summary, _("Value"), bold=True)])
    labels = figures.summary_labels()
    for key, value in report.summary.items():
        summary.append([str(labels[key]), _shown(value)])
    if partner is not None:
        summary.append([])
        summary.append(
            [_("Counts from 1 to 4 show as <5; a total that would reveal one is left empty.")]
        )
    for sheet in report.sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:31])
        for table in sheet.tables:
            worksheet.append([_cell(worksheet, table.title, bold=True)])
            worksheet.append(
                [_cell(worksheet, h, bold=True) for h in table.labels]
                + [_cell(worksheet, c.header, bold=True) for c in table.columns]
            )
            for labels_, values in table.rows:
                worksheet.append(list(labels_) + [values[c.key] for c in table.columns])
            if any(c.total for c in table.columns):
                padding = [""] * (len(table.labels) - 1)
                worksheet.append(
                    [_cell(worksheet, _("Total"), bold=True), *padding]
                    + [_shown(report.totals.get(c.key)) if c.total else "" for c in table.columns]
                )
            worksheet.append([])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _shown(value):
    return "" if value is None else value


def _file_name(run, period, partner):
    scope = slugify(partner.slug) if partner else "national"
    return f"report-{run.kind}-{period.label}-{scope}.xlsx"


def report_build(*, kind, period=None, partner=None, today=None, force=False):
    """Build the `kind` report of `period` (default: the last complete one in Asia/Jakarta) for
    `partner` (None: national) and return its ReportRun.

    A finished run is returned untouched unless `force`; a run another worker is building is
    returned as it is (status "running").
    """
    period = periods.resolve(kind, period, today)
    run, _created = ReportRun.objects.get_or_create(kind=kind, period=period.label, partner=partner)
    if not _claim(run, force=force):
        run.refresh_from_db()
        return run
    run.refresh_from_db()
    old_file = run.file.name
    try:
        with translation.override(settings.LANGUAGE_CODE):
            report = figures.compute(period=period, partner=partner)
            content = write_workbook(report, period=period, partner=partner)
        run.file.save(_file_name(run, period, partner), ContentFile(content), save=False)
    except Exception as error:
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportRun.Status.FAILED,
            error=(str(error) or error.__class__.__name__)[:2000],
            finished_at=timezone.now(),
        )
        logger.exception("report %s %s failed", kind, period.label)
        raise
    run.status = ReportRun.Status.DONE
    run.figures = {
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "partner": partner.slug if partner else None,
        "summary": report.summary,
    }
    run.finished_at = timezone.now()
    run.error = ""
    run.save(update_fields=["status", "file", "figures", "finished_at", "error"])
    if old_file and old_file != run.file.name:
        run.file.storage.delete(old_file)
    return run


def report_path(run):
    """The absolute path of a run's workbook in private storage."""
    return run.file.path


def report_recipients(run):
    """Subscribers of the kind (national), or the partner organisation's staff."""
    from portal.accounts.models import MINISTRY_ROLES, User

    if run.partner_id:
        return User.objects.filter(
            pk__in=Membership.objects.filter(organisation_id=run.partner_id).values("user_id"),
            is_active=True,
        ).order_by("pk")
    ministry = Q(is_superuser=True) | Q(groups__name__in=[str(r) for r in MINISTRY_ROLES])
    staff = User.objects.filter(ministry).values("pk")
    return (
        User.objects.filter(
            pk__in=ReportSubscription.objects.filter(kind=run.kind).values("user_id"),
            is_active=True,
        )
        .filter(pk__in=staff)
        .order_by("pk")
    )


def summary_text(run):
    """The one-page summary as plain text (counts only, no personal data)."""
    labels = figures.summary_labels()
    lines = []
    for key, value in run.figures.get("summary", {}).items():
        shown = _("withheld") if value is None else value
        lines.append(f"- {labels.get(key, key)}: {shown}")
    return "\n".join(lines)


def report_message(run):
    """(subject, body, url) of the email about a finished run: the one-page summary in text and
    the link to the download; counts only, no personal data."""
    period = periods.parse(run.kind, run.period)
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("reports:download", args=[run.pk])
    with translation.override(settings.LANGUAGE_CODE):
        title = _title(period, run.partner)
        subject = _("%(title)s is ready") % {"title": title}
        body = "\n\n".join(
            [
                title,
                _("Period: %(start)s to %(end)s")
                % {"start": period.start.isoformat(), "end": period.end.isoformat()},
                summary_text(run),
                _("Download the workbook (login required): %(url)s") % {"url": url},
            ]
        )
    return subject, body, url


def report_send(*, run):
    """Notify each recipient of a finished run once; return the notifications recorded now."""
    from portal.notifications.services import notify

    if run.status != ReportRun.Status.DONE:
        raise ReportError(_("Only a finished report can be sent."))
    due_on = periods.parse(run.kind, run.period).start
    subject, body, url = report_message(run)
    sent = []
    for user in report_recipients(run):
        notification = notify(
            kind="report_ready",
            obj=run,
            due_on=due_on,
            recipient=user,
            subject=subject,
            body=body,
            url=url,
        )
        if notification is not None:
            sent.append(notification)
    ReportRun.objects.filter(pk=run.pk).update(sent_at=timezone.now())
    return sent


def subscription_set(*, user, kind, subscribed):
    """Subscribe ministry staff `user` to reports of `kind` (or unsubscribe)."""
    if not user.is_ministry_staff:
        raise ReportError(_("Only ministry staff subscribe to reports."))
    if subscribed:
        ReportSubscription.objects.get_or_create(user=user, kind=kind)
    else:
        ReportSubscription.objects.filter(user=user, kind=kind).delete()
