"""Scheduled report jobs (the beat schedule is in settings): build each report, then send it.

Tasks take strings and ids only. Building is idempotent (one run per kind, period and partner,
claimed with a conditional UPDATE) and sending records each recipient once, so a retried or
duplicated task builds nothing twice and sends nothing twice.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import periods

TRANSIENT = (OperationalError, InterfaceError)
OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": 20 * 60,
    "time_limit": 25 * 60,
}


def _build_and_send(kind, period, partner_id=None, force=False):
    from partners.models import Organisation

    from .models import ReportRun
    from .services import report_build, report_send

    partner = Organisation.objects.get(pk=partner_id) if partner_id else None
    run = report_build(kind=kind, period=period, partner=partner, force=force)
    if run.status == ReportRun.Status.DONE:
        report_send(run=run)
    return run.pk


@shared_task(name="portal.reports.build_and_send", **OPTIONS)
def build_and_send(kind, period, partner_id=None, force=False):
    """Build one report (national without `partner_id`) and send it; returns the run id."""
    return _build_and_send(kind, period, partner_id, force)


@shared_task(name="portal.reports.run_weekly", **OPTIONS)
def run_weekly(period=None):
    """The national weekly report of `period` (default: last complete ISO week)."""
    label = periods.resolve(periods.WEEKLY, period).label
    return _build_and_send(periods.WEEKLY, label)


@shared_task(name="portal.reports.run_monthly", **OPTIONS)
def run_monthly(period=None):
    """The national monthly report, and one per organisation party to an agreement in force
    on the period's last day (each in its own task, so one failure stops no other)."""
    from partners.models import Agreement, AgreementParty

    month = periods.resolve(periods.MONTHLY, period)
    partner_ids = list(
        AgreementParty.objects.filter(
            agreement__in=Agreement.objects.active(month.end).values("pk")
        )
        .values_list("organisation_id", flat=True)
        .distinct()
        .order_by("organisation_id")
    )
    for partner_id in partner_ids:
        build_and_send.delay_on_commit(periods.MONTHLY, month.label, partner_id)
    return _build_and_send(periods.MONTHLY, month.label)
