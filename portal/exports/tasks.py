"""Background exports: a large Excel export is written by the worker, then downloaded from its
page until the link expires; expired files are removed every hour (the record stays)."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation

from .models import ExportRun
from .services import build_xlsx_file, purge_expired

logger = logging.getLogger(__name__)


def export_run_execute(run_id):
    """Write the file of a pending run; a run already claimed (a duplicated task) is left alone."""
    claimed = ExportRun.objects.filter(pk=run_id, status=ExportRun.Status.PENDING).update(
        status=ExportRun.Status.RUNNING
    )
    if not claimed:
        return None
    run = ExportRun.objects.select_related("user", "subject", "recipient").get(pk=run_id)

    def progress(rows):
        ExportRun.objects.filter(pk=run_id).update(rows_done=rows)

    try:
        return build_xlsx_file(run=run, progress=progress)
    except Exception as error:
        logger.exception("Export %s failed", run_id)
        ExportRun.objects.filter(pk=run_id).update(
            status=ExportRun.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise


@shared_task(
    name="portal.exports.build",
    acks_late=True,
    soft_time_limit=3 * 60 * 60,
    time_limit=3 * 60 * 60 + 300,
)
def build_export_task(run_id, language=None):
    """Headers in the language of the user who asked (the worker has no request)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        run = export_run_execute(run_id)
    return run.row_count if run else None


@shared_task(name="portal.exports.purge_expired")
def purge_expired_task():
    return purge_expired()
