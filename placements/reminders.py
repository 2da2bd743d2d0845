"""Reminder rules of the placements app: welfare check-ins overdue, cases without follow-up
and work contracts about to end."""

import datetime as dt

from django.db.models import DateField, DateTimeField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.reminders import expiry_window_filter, threshold_for
from portal.notifications.registry import (
    EXPIRY_THRESHOLDS,
    Bilingual,
    Due,
    rule,
    threshold_windows,
)

from .models import Case, CaseUpdate, CheckIn, Phase, Placement

CHECK_IN_EVERY = dt.timedelta(days=30)
CASE_FOLLOW_UP = dt.timedelta(days=14)


@rule(
    code="checkin_overdue",
    label=_("Welfare check-in overdue"),
    subject=_("Welfare check-in overdue: %(name)s"),
    body=_(
        "No welfare check-in with %(name)s (working in %(country)s) has been recorded since "
        "%(since)s. Please contact the worker and record the check-in."
    ),
)
def check_ins_overdue(*, today, now):
    """Workers in the "working" phase whose last check-in (or the start of the phase, when
    later or when there is none) is 30 days old or more; due 30 days after it, to the
    placement's officer (else the participant's)."""
    last_check_in = (
        CheckIn.objects.filter(placement=OuterRef("pk"))
        .order_by()
        .values("placement")
        .annotate(latest=Max("on"))
        .values("latest")
    )
    placements = (
        Placement.objects.filter(phase=Phase.WORKING)
        .annotate(
            last_contact=Greatest(
                "phase_since",
                Coalesce(Subquery(last_check_in), "phase_since"),
                output_field=DateField(),
            ),
            responsible=Coalesce("officer_id", "participant__officer_id"),
        )
        .filter(last_contact__lte=today - CHECK_IN_EVERY, responsible__isnull=False)
        .values_list(
            "pk",
            "last_contact",
            "responsible",
            "participant__full_name",
            "country__name_id",
            "country__name_en",
        )
        .order_by("pk")
    )
    for pk, last_contact, responsible, name, country_id, country_en in placements.iterator(
        chunk_size=2000
    ):
        yield Due(
            obj=Placement(pk=pk),
            due_on=last_contact + CHECK_IN_EVERY,
            recipients=(responsible,),
            context={
                "name": name,
                "country": Bilingual(country_id, country_en),
                "since": last_contact,
            },
            url=reverse("admin:placements_placement_change", args=[pk]),
        )


@rule(
    code="case_followup",
    label=_("Case follow-up"),
    subject=_("Case #%(number)s needs follow-up"),
    body=_(
        "Case #%(number)s (%(type)s, %(status)s) has had no update since %(since)s. Please "
        "record the follow-up."
    ),
)
def cases_without_update(*, today, now):
    """Open cases whose last activity or update is 14 days old or more (by date in
    Asia/Jakarta); due 14 days after it, to the assigned officer."""
    last_update = (
        CaseUpdate.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(latest=Max("at"))
        .values("latest")
    )
    cutoff = timezone.make_aware(
        dt.datetime.combine(today - CASE_FOLLOW_UP + dt.timedelta(days=1), dt.time())
    )
    cases = (
        Case.objects.open()
        .filter(assigned_officer__isnull=False)
        .annotate(
            last_touch=Greatest(
                "last_activity_at",
                Coalesce(Subquery(last_update), "last_activity_at"),
                output_field=DateTimeField(),
            )
        )
        .filter(last_touch__lt=cutoff)
        .values_list("pk", "last_touch", "assigned_officer_id", "type", "status")
        .order_by("pk")
    )
    for pk, last_touch, officer_id, case_type, status in cases.iterator(chunk_size=2000):
        since = timezone.localdate(last_touch)
        yield Due(
            obj=Case(pk=pk),
            due_on=since + CASE_FOLLOW_UP,
            recipients=(officer_id,),
            context={
                "number": pk,
                "type": Case.Type(case_type).label,
                "status": Case.Status(status).label,
                "since": since,
            },
            url=reverse("admin:placements_case_change", args=[pk]),
        )


@rule(
    code="contract_expiry",
    label=_("Work contract expiry"),
    subject=_("Work contract of %(name)s ends in %(days)s days"),
    body=_(
        "The work contract of %(name)s with %(employer)s in %(country)s ends on "
        "%(contract_end)s, %(days)s days from now. Please plan the extension or the return."
    ),
)
def contracts_ending(*, today, now):
    """Contracts of workers abroad (departed or working) ending 90, 30 or 7 days ahead (due on
    the end date minus the threshold), to the worker and the responsible officer."""
    windows = threshold_windows(today, EXPIRY_THRESHOLDS)
    placements = (
        Placement.objects.filter(
            expiry_window_filter("contract_end", windows),
            phase__in=[Phase.DEPARTED, Phase.WORKING],
        )
        .annotate(responsible=Coalesce("officer_id", "participant__officer_id"))
        .values_list(
            "pk",
            "contract_end",
            "responsible",
            "participant__user_id",
            "participant__full_name",
            "employer",
            "country__name_id",
            "country__name_en",
        )
        .order_by("pk")
    )
    for pk, contract_end, responsible, user_id, name, employer, *country in placements.iterator(
        chunk_size=2000
    ):
        yield Due(
            obj=Placement(pk=pk),
            due_on=contract_end - dt.timedelta(days=threshold_for(contract_end, windows)),
            recipients=(user_id, responsible),
            context={
                "name": name,
                "employer": employer or "-",
                "country": Bilingual(*country),
                "contract_end": contract_end,
                "days": (contract_end - today).days,
            },
        )
