"""Reminder rules of the training app: sessions tomorrow, attendance alerts and certificates
about to expire."""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, FirstValue, Lag
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import Participant
from participants.reminders import expiry_window_filter, threshold_for
from partners.models import Membership
from portal.notifications.registry import EXPIRY_THRESHOLDS, Due, rule, threshold_windows

from .models import Attendance, Batch, Certificate, Enrolment, Session

ACTIVE_BATCH = (Batch.Status.PLANNED, Batch.Status.RUNNING)
# Sessions held before the attendance share is judged.
MIN_SESSIONS_FOR_SHARE = 5
# How far back a third consecutive absence still raises an alert (a scan missed for days
# still catches up; older runs are history).
ABSENCE_LOOKBACK = dt.timedelta(days=14)
# Sessions looked at for consecutive absences.
ABSENCE_WINDOW = dt.timedelta(days=60)


def local_date(moment, zone):
    return timezone.localtime(moment, ZoneInfo(zone)).date()


@rule(
    code="session_upcoming",
    label=_("Upcoming training session"),
    subject=_("Training tomorrow: %(batch)s"),
    body=_(
        'Reminder: your training session "%(topic)s" of %(batch)s is on %(day)s at %(time)s '
        "(venue time), at %(venue)s."
    ),
)
def sessions_tomorrow(*, today, now):
    """Sessions on the next day in the venue's time zone (or later today, for a missed run),
    to the enrolled participants with an account; due on the session's local date."""
    zones = list(
        Batch.objects.filter(status__in=ACTIVE_BATCH)
        .order_by()
        .values_list("timezone", flat=True)
        .distinct()
    )
    window = Q(pk__in=[])
    for zone in zones:
        tz = ZoneInfo(zone)
        day_after = timezone.localtime(now, tz).date() + dt.timedelta(days=2)
        window |= Q(
            batch__timezone=zone, starts_at__lt=dt.datetime.combine(day_after, dt.time(), tz)
        )
    sessions = list(
        Session.objects.filter(window, starts_at__gt=now, batch__status__in=ACTIVE_BATCH)
        .select_related("batch")
        .only("pk", "topic", "starts_at", "batch__name", "batch__venue", "batch__timezone")
        .order_by("starts_at", "pk")
    )
    learners = defaultdict(list)
    for batch_id, user_id in (
        Enrolment.objects.filter(
            batch_id__in={s.batch_id for s in sessions},
            status__in=Enrolment.OPEN_STATUSES,
            participant__status=Participant.Status.ACTIVE,
            participant__user__is_active=True,
        )
        .order_by("pk")
        .values_list("batch_id", "participant__user_id")
    ):
        learners[batch_id].append(user_id)
    for session in sessions:
        local = timezone.localtime(session.starts_at, ZoneInfo(session.batch.timezone))
        yield Due(
            obj=session,
            due_on=local.date(),
            recipients=tuple(learners[session.batch_id]),
            context={
                "topic": session.topic or session.batch.name,
                "batch": session.batch.name,
                "day": local.date(),
                "time": local.strftime("%H:%M %Z"),
                "venue": session.batch.venue,
            },
        )


def _staff_by_organisation(organisation_ids):
    staff = defaultdict(list)
    for organisation_id, user_id in (
        Membership.objects.filter(organisation_id__in=organisation_ids, user__is_active=True)
        .order_by("pk")
        .values_list("organisation_id", "user_id")
    ):
        staff[organisation_id].append(user_id)
    return staff


ALERT_FIELDS = (
    "pk",
    "batch_id",
    "participant__full_name",
    "participant__officer_id",
    "batch__name",
    "batch__provider_id",
    "batch__timezone",
)


@rule(
    code="attendance_absences",
    label=_("Attendance alert: three absences in a row"),
    subject=_("%(name)s missed three sessions in a row (%(batch)s)"),
    body=_(
        "%(name)s was absent from three consecutive sessions of %(batch)s, the last on "
        "%(day)s. Please contact the participant."
    ),
)
def three_absences(*, today, now):
    """Open enrolments of running batches with three consecutive absences (by session order);
    one alert per run of absences, due on the local date of its third session, to the
    provider's staff and the participant's officer."""
    by_session = {
        "partition_by": [F("enrolment_id")],
        "order_by": [F("session__starts_at").asc(), F("session_id").asc()],
    }
    absent = Attendance.Status.ABSENT
    thirds = (
        Attendance.objects.filter(
            enrolment__status__in=Enrolment.OPEN_STATUSES,
            enrolment__batch__status=Batch.Status.RUNNING,
            session__starts_at__lte=now,
            session__starts_at__gte=now - ABSENCE_WINDOW,
        )
        .annotate(
            # The row's own status as a window expression, so that the filter on it applies
            # after the windows are computed (a plain filter would drop the rows lagged over).
            current=Window(FirstValue("status"), partition_by=[F("pk")]),
            before_1=Window(Lag("status", 1, default=Value("")), **by_session),
            before_2=Window(Lag("status", 2, default=Value("")), **by_session),
            before_3=Window(Lag("status", 3, default=Value("")), **by_session),
        )
        .filter(current=absent, before_1=absent, before_2=absent)
        .exclude(before_3=absent)
        .values_list("enrolment_id", "session__starts_at")
    )
    recent = {
        enrolment_id: starts_at
        for enrolment_id, starts_at in thirds
        if starts_at >= now - ABSENCE_LOOKBACK
    }
    yield from _alerts(
        recent, day_of=lambda enrolment, starts_at: local_date(starts_at, enrolment.batch.timezone)
    )


def _alerts(found, *, day_of, extra=None):
    enrolments = list(
        Enrolment.objects.filter(pk__in=list(found))
        .select_related("participant", "batch")
        .only(*ALERT_FIELDS)
        .order_by("pk")
    )
    staff = _staff_by_organisation({e.batch.provider_id for e in enrolments})
    for enrolment in enrolments:
        value = found[enrolment.pk]
        day = day_of(enrolment, value)
        yield Due(
            obj=enrolment,
            due_on=day,
            recipients=(*staff[enrolment.batch.provider_id], enrolment.participant.officer_id),
            context={
                "name": enrolment.participant.full_name,
                "batch": enrolment.batch.name,
                "day": day,
                **(extra(value) if extra else {}),
            },
        )


@rule(
    code="attendance_low",
    label=_("Attendance alert: share under the minimum"),
    subject=_("%(name)s attends too little (%(batch)s)"),
    body=_(
        "%(name)s attended %(attended)s of %(held)s sessions of %(batch)s so far, under the "
        "track's minimum of %(minimum)s%%. Please contact the participant."
    ),
)
def attendance_under_minimum(*, today, now):
    """Open enrolments of running batches, once at least MIN_SESSIONS_FOR_SHARE sessions were
    held, whose share of sessions attended (present or late) is under the track's minimum; one
    alert per enrolment (due on the batch's start date), to the provider's staff and the
    participant's officer."""
    held = (
        Session.objects.filter(batch=OuterRef("batch_id"), starts_at__lte=now)
        .order_by()
        .values("batch")
        .annotate(n=Count("pk"))
        .values("n")
    )
    attended = (
        Attendance.objects.filter(
            enrolment=OuterRef("pk"),
            status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE],
            session__starts_at__lte=now,
        )
        .order_by()
        .values("enrolment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Enrolment.objects.filter(
            status__in=Enrolment.OPEN_STATUSES, batch__status=Batch.Status.RUNNING
        )
        .annotate(held=Coalesce(Subquery(held), 0), attended=Coalesce(Subquery(attended), 0))
        .filter(
            held__gte=MIN_SESSIONS_FOR_SHARE,
            attended__lt=F("batch__track__min_attendance_share") * F("held"),
        )
        .values_list(
            "pk", "held", "attended", "batch__starts_on", "batch__track__min_attendance_share"
        )
    )
    found = {
        pk: (held, attended, starts_on, share) for pk, held, attended, starts_on, share in rows
    }
    yield from _alerts(
        found,
        day_of=lambda enrolment, value: value[2],
        extra=lambda value: {
            "held": value[0],
            "attended": value[1],
            "minimum": int(round(value[3] * 100)),
        },
    )


@rule(
    code="certificate_expiry",
    label=_("Certificate expiry"),
    subject=_("Certificate %(number)s of %(name)s expires in %(days)s days"),
    body=_(
        "The certificate %(number)s (%(track)s) of %(name)s expires on %(expires_on)s, "
        "%(days)s days from now. Please plan its renewal."
    ),
)
def certificates_expiring(*, today, now):
    """Certificates of active participants expiring 90, 30 or 7 days ahead (due on the expiry
    date minus the threshold), to the participant and their responsible officer."""
    windows = threshold_windows(today, EXPIRY_THRESHOLDS)
    certificates = (
        Certificate.objects.filter(
            expiry_window_filter("expires_on", windows),
            enrolment__participant__status=Participant.Status.ACTIVE,
        )
        .select_related("enrolment__participant", "enrolment__batch__track")
        .only(
            "pk",
            "number",
            "expires_on",
            "enrolment__participant__full_name",
            "enrolment__participant__user_id",
            "enrolment__participant__officer_id",
            "enrolment__batch__track__name",
        )
        .order_by("pk")
    )
    for certificate in certificates.iterator(chunk_size=2000):
        participant = certificate.enrolment.participant
        yield Due(
            obj=certificate,
            due_on=certificate.expires_on
            - dt.timedelta(days=threshold_for(certificate.expires_on, windows)),
            recipients=(participant.user_id, participant.officer_id),
            context={
                "number": certificate.number,
                "track": certificate.enrolment.batch.track.name,
                "name": participant.full_name,
                "expires_on": certificate.expires_on,
                "days": (certificate.expires_on - today).days,
            },
        )
