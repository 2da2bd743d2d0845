"""Training state changes: enrolment, attendance, scores, completion and certificates."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Participation
from participants.services import explain, participation_decide

from .models import AssessmentResult, Attendance, Batch, Certificate, Enrolment, Session


class TrainingError(Exception):
    """A refused training action, with the reason to show."""


def enrolment_create(*, participant, batch, actor, on=None):
    """Enrol a participant: the batch has room, the person is eligible for its programme (the
    decision and its explanation are stored on the participation) and not already enrolled.

    A refusal for eligibility keeps the stored decision: the transaction commits it and the
    error is raised afterwards.
    """
    with transaction.atomic():
        refusal, enrolment = _enrolment_create(
            participant=participant, batch=batch, actor=actor, on=on
        )
    if refusal is not None:
        raise refusal
    return enrolment


def _enrolment_create(*, participant, batch, actor, on):
    """(refusal, enrolment): a refusal to raise once the eligibility decision is saved."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status in {Batch.Status.FINISHED, Batch.Status.CANCELLED}:
        raise TrainingError(_("The batch is %(status)s.") % {"status": batch.get_status_display()})
    if batch.enrolments.filter(
        participant=participant, status__in=Enrolment.OPEN_STATUSES
    ).exists():
        raise TrainingError(
            _("%(name)s is already enrolled in this batch.") % {"name": participant}
        )
    taken = batch.enrolments.filter(status__in=Enrolment.OPEN_STATUSES).count()
    if taken >= batch.capacity:
        raise TrainingError(
            _("The batch is full (%(capacity)s places).") % {"capacity": batch.capacity}
        )
    participation = participation_decide(
        participant=participant,
        programme=batch.programme,
        actor=actor,
        organisations=[batch.provider_id],
        on=on,
    )
    if participation.status == Participation.Status.NOT_ELIGIBLE:
        refusal = TrainingError(
            _("%(name)s is not eligible for %(programme)s: %(why)s")
            % {
                "name": participant,
                "programme": batch.programme,
                "why": explain(participation.eligibility_explanation),
            }
        )
        return refusal, None
    if participation.status in {Participation.Status.WITHDRAWN, Participation.Status.COMPLETED}:
        raise TrainingError(
            _("%(name)s's participation in %(programme)s is %(status)s.")
            % {
                "name": participant,
                "programme": batch.programme,
                "status": participation.get_status_display(),
            }
        )
    if participation.status == Participation.Status.ELIGIBLE:
        participation.status = Participation.Status.ACTIVE
        participation.save(update_fields=["status", "updated_at"])
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                participant=participant,
                batch=batch,
                status=Enrolment.Status.ENROLLED,
                enrolled_on=on or timezone.localdate(),
            )
    except IntegrityError as error:
        raise TrainingError(
            _("%(name)s is already enrolled in this batch.") % {"name": participant}
        ) from error
    return None, enrolment


@transaction.atomic
def batch_set_status(*, batch, status, actor):
    """Move a batch along its allowed transitions (planned -> running -> finished, or
    cancelled before it finishes)."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if status not in Batch.TRANSITIONS[batch.status]:
        raise TrainingError(
            _("A batch cannot go from %(from)s to %(to)s.")
            % {"from": batch.get_status_display(), "to": Batch.Status(status).label}
        )
    batch.status = status
    batch.save(update_fields=["status", "updated_at"])
    return batch


@transaction.atomic
def enrolment_set_status(*, enrolment, status, actor, on=None):
    """Move an enrolment along its allowed transitions."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if status not in Enrolment.TRANSITIONS[enrolment.status]:
        raise TrainingError(
            _("An enrolment cannot go from %(from)s to %(to)s.")
            % {"from": enrolment.get_status_display(), "to": Enrolment.Status(status).label}
        )
    enrolment.status = status
    if status in {Enrolment.Status.COMPLETED, Enrolment.Status.FAILED, Enrolment.Status.WITHDRAWN}:
        enrolment.ended_on = on or timezone.localdate()
    enrolment.save(update_fields=["status", "ended_on", "updated_at"])
    return enrolment


@transaction.atomic
def attendance_record(*, session, statuses, actor):
    """Record the whole session at once: `statuses` maps enrolment id to a status.

    Posting the same statuses again changes nothing (idempotent); enrolments not in the
    session's batch are refused.
    """
    session = Session.objects.select_related("batch").get(pk=session.pk)
    valid = dict(Attendance.Status.choices)
    enrolments = {
        e.pk: e for e in Enrolment.objects.filter(batch_id=session.batch_id, pk__in=list(statuses))
    }
    unknown = sorted(set(statuses) - set(enrolments))
    if unknown:
        raise TrainingError(
            _("Not enrolled in this batch: %(ids)s") % {"ids": ", ".join(map(str, unknown))}
        )
    bad = sorted(str(s) for s in statuses.values() if s not in valid)
    if bad:
        raise TrainingError(_("Unknown attendance status: %(s)s") % {"s": ", ".join(bad)})
    existing = {a.enrolment_id: a for a in session.attendances.filter(enrolment_id__in=enrolments)}
    created, changed = [], []
    for enrolment_id, status in statuses.items():
        row = existing.get(enrolment_id)
        if row is None:
            created.append(
                Attendance(
                    enrolment_id=enrolment_id, session=session, status=status, recorded_by=actor
                )
            )
        elif row.status != status:
            row.status = status
            row.recorded_by = actor
            row.recorded_at = timezone.now()
            changed.append(row)
    Attendance.objects.bulk_create(created)
    Attendance.objects.bulk_update(changed, ["status", "recorded_by", "recorded_at", "updated_at"])
    active = [e.pk for e in enrolments.values() if e.status == Enrolment.Status.ENROLLED]
    Enrolment.objects.filter(pk__in=active).update(
        status=Enrolment.Status.ACTIVE, updated_at=timezone.now()
    )
    return {"created": len(created), "changed": len(changed)}


def consecutive_absences(*, enrolment):
    """Absences in a row counted back from the latest recorded session."""
    return absence_streaks(enrolment_ids=[enrolment.pk]).get(enrolment.pk, 0)


@transaction.atomic
def assessment_record(*, enrolment, kind, score, assessed_on, actor):
    """Record a score (0-100); passed when it reaches the track's minimum score."""
    from decimal import Decimal, InvalidOperation

    try:
        score = Decimal(str(score))
    except InvalidOperation as error:
        raise TrainingError(_("The score must be a number.")) from error
    if not Decimal(0) <= score <= Decimal(100):
        raise TrainingError(_("The score must be between 0 and 100."))
    if enrolment.status in {Enrolment.Status.WITHDRAWN, Enrolment.Status.FAILED}:
        raise TrainingError(_("The enrolment has ended."))
    track = enrolment.batch.track
    return AssessmentResult.objects.create(
        enrolment=enrolment,
        kind=kind,
        score=score,
        assessed_on=assessed_on,
        passed=score >= track.min_score,
        recorded_by=actor,
    )


def completion_status(enrolment):
    """(met, reasons) for the track's completion rule on an enrolment annotated by
    `Enrolment.objects.with_progress()`."""
    track = enrolment.batch.track
    reasons = []
    held = enrolment.sessions_held or 0
    share = (enrolment.sessions_attended / held) if held else 0
    if share < float(track.min_attendance_share):
        reasons.append(
            _("attendance %(share)d%% is below %(min)d%%")
            % {"share": round(share * 100), "min": round(float(track.min_attendance_share) * 100)}
        )
    if enrolment.latest_score is None:
        reasons.append(_("no assessment score yet"))
    elif enrolment.latest_score < track.min_score:
        reasons.append(
            _("score %(score)s is below %(min)s")
            % {"score": enrolment.latest_score, "min": track.min_score}
        )
    return not reasons, reasons


@transaction.atomic
def certificate_issue(
    *,
    enrolment,
    actor,
    issuer,
    number=None,
    issued_on=None,
    expires_on=None,
    welder_qualification=None,
):
    """Issue a certificate to an enrolment that met the completion rule; completes it."""
    annotated = (
        Enrolment.objects.with_progress().select_related("batch__track").get(pk=enrolment.pk)
    )
    if Certificate.objects.filter(enrolment=enrolment).exists():
        raise TrainingError(_("A certificate was already issued for this enrolment."))
    met, reasons = completion_status(annotated)
    if not met:
        raise TrainingError(
            _("The completion rule is not met: %(why)s") % {"why": "; ".join(map(str, reasons))}
        )
    issued_on = issued_on or timezone.localdate()
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        number=number or f"{annotated.batch.code.upper()}-{enrolment.pk:06d}",
        issuer=issuer,
        issued_on=issued_on,
        expires_on=expires_on,
        welder_qualification=welder_qualification,
        issued_by=actor,
    )
    if annotated.status != Enrolment.Status.COMPLETED:
        if annotated.status == Enrolment.Status.ENROLLED:
            enrolment_set_status(enrolment=annotated, status=Enrolment.Status.ACTIVE, actor=actor)
        enrolment_set_status(enrolment=annotated, status=Enrolment.Status.COMPLETED, actor=actor)
    return certificate


def absence_streaks(*, enrolment_ids):
    """{enrolment id: absences in a row counted back from its latest recorded session} for many
    enrolments in one query (the batch page's alert; `consecutive_absences` asks for one)."""
    streaks, closed = {}, set()
    rows = (
        Attendance.objects.filter(enrolment_id__in=list(enrolment_ids))
        .order_by("enrolment_id", "-session__starts_at")
        .values_list("enrolment_id", "status")
    )
    for enrolment_id, status in rows:
        if enrolment_id in closed:
            continue
        if status == Attendance.Status.ABSENT:
            streaks[enrolment_id] = streaks.get(enrolment_id, 0) + 1
        else:
            closed.add(enrolment_id)
    return streaks


def commitments_with_achievement(queryset):
    """Annotate commitments with `enrolled`: the people enrolled (not withdrawn or failed) in
    batches of the commitment's programme, and of its track when it names one. Quotas and
    tracks are achieved by enrolments; budgets keep their entered `achieved`."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    counted = [Enrolment.Status.ENROLLED, Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED]

    def people(rows):
        return (
            rows.order_by()
            .values("batch__programme_id")
            .annotate(n=Count("participant_id", distinct=True))
            .values("n")
        )

    rows = Enrolment.objects.filter(
        batch__programme_id=OuterRef("programme_id"), status__in=counted
    )
    by_programme = people(rows)
    by_track = people(rows.filter(batch__track__code=OuterRef("track_code")))
    return queryset.annotate(
        enrolled_in_programme=Coalesce(Subquery(by_programme), 0),
        enrolled_in_track=Coalesce(Subquery(by_track), 0),
    )


def commitment_achieved(commitment):
    """What a commitment annotated by `commitments_with_achievement` has achieved so far."""
    from partners.models import Commitment

    if commitment.kind == Commitment.Kind.BUDGET or not commitment.programme_id:
        return commitment.achieved
    if commitment.track_code:
        return commitment.enrolled_in_track
    return commitment.enrolled_in_programme
