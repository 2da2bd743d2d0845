"""The partner lists: batches (with attendance and scores), participants, agreements, and the
CSV download of each list.

Every read starts from the model's `visible_to(pv.viewer)`: partner staff (or ministry staff
looking through a partner's eyes with a `PartnerLens`) get 404 for another organisation's batch,
participant or agreement, whatever id is typed. The lists and their downloads share one
definition (the `Dataset`s below): the same rows, the same filters, through the export layer.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from participants.models import Participant, Participation
from partners.models import Agreement, Commitment
from placements.models import Phase, Placement
from placements.services import destination_outcomes, placement_next_step
from portal.exports import services as exports
from portal.exports.datasets import PARTNER_BATCHES, PARTNER_PARTICIPANTS
from portal.exports.models import Format
from training.models import Attendance, Batch, Enrolment
from training.services import (
    TrainingError,
    absence_streaks,
    assessment_record,
    attendance_record,
    commitment_achieved,
    commitments_with_achievement,
    completion_status,
)

from .access import partner_page
from .forms import (
    AgreementFilterForm,
    AttendanceForm,
    BatchFilterForm,
    ParticipantFilterForm,
    ScoreForm,
)

PAGE_SIZE = 25
ALERT_ABSENCES = 3
# Enrolments that take part in sessions (attendance is recorded for them).
ATTENDING = [Enrolment.Status.ENROLLED, Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED]


AGREEMENTS_DATASET = "agreements"


# --- Helpers ------------------------------------------------------------------------------


def _page(request, rows):
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _filters_query(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _in_language(chunks, language):
    with translation.override(language):
        yield from chunks


def _download(request, pv, *, dataset, filters):
    """Stream the list as CSV through the export layer (audited as the user's export).

    The export is recorded under the person who asks, so ministry staff looking through a
    partner's eyes download from their own pages instead (403 here)."""
    if pv.looking_as:
        raise PermissionDenied
    try:
        run = exports.export_start(
            user=request.user, datasets=[dataset], format=Format.CSV, filters=filters
        )
    except ValidationError as error:
        return HttpResponseBadRequest("; ".join(error.messages))
    chunks = _in_language(exports.stream_csv(run=run), translation.get_language())
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_file_name(run)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _can_record(pv, batch):
    """Staff of the providing organisation record attendance and scores; ministry staff
    looking through the partner's eyes only read."""
    return not pv.looking_as and batch.provider_id == pv.organisation.pk


def _visible_batch(pv, pk):
    return get_object_or_404(
        Batch.objects.visible_to(pv.viewer).select_related("track", "programme", "provider"),
        pk=pk,
    )


def _roster(pv, batch):
    """The batch's enrolments with progress, each labelled (by name only when shared)."""
    enrolments = list(
        Enrolment.objects.visible_to(pv.viewer)
        .filter(batch=batch)
        .with_progress()
        .select_related("participant", "batch__track")
        .order_by("participant__full_name", "pk")
    )
    named = set(
        Enrolment.objects.shown_by_name_to(pv.viewer)
        .filter(batch=batch)
        .values_list("pk", flat=True)
    )
    streaks = absence_streaks(enrolment_ids=[e.pk for e in enrolments])
    for enrolment in enrolments:
        enrolment.named = enrolment.pk in named
        enrolment.label = (
            enrolment.participant.full_name
            if enrolment.named
            else _("Participant withheld (no consent to sharing), enrolment %(number)s")
            % {"number": enrolment.pk}
        )
        enrolment.met, enrolment.reasons = completion_status(enrolment)
        enrolment.absences = streaks.get(enrolment.pk, 0)
        enrolment.alert = enrolment.absences >= ALERT_ABSENCES
        enrolment.share_percent = (
            None if enrolment.attendance_share is None else round(enrolment.attendance_share * 100)
        )
    return enrolments


# --- Batches -------------------------------------------------------------------------------


@partner_page
@require_GET
def batch_list(request, pv):
    form = BatchFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    rows = PARTNER_BATCHES.prepare(PARTNER_BATCHES.visible(pv.viewer))
    rows = PARTNER_BATCHES.apply_filters(rows, {"status": data.get("status"), "q": data.get("q")})
    rows = rows.select_related("track", "programme").order_by("-starts_on", "code")
    page, query = _page(request, rows)
    return render(
        request,
        "web/partner/batches.html",
        {"pv": pv, "form": form, "page": page, "query": query, "download": _filters_query(request)},
    )


@partner_page
@require_GET
def batch_download(request, pv):
    form = BatchFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown filter value."))
    return _download(
        request,
        pv,
        dataset=PARTNER_BATCHES.code,
        filters={"status": form.cleaned_data["status"], "q": form.cleaned_data.get("q")},
    )


@partner_page
@require_http_methods(["GET", "POST"])
def batch_detail(request, pv, pk):
    """Sessions in the venue's time zone, the roster with progress and absence alerts; the
    providing organisation's staff enter scores here."""
    batch = _visible_batch(pv, pk)
    can_record = _can_record(pv, batch)
    roster = _roster(pv, batch)
    scorable = [
        (e.pk, e.label)
        for e in roster
        if e.status not in {Enrolment.Status.WITHDRAWN, Enrolment.Status.FAILED}
    ]
    score_form = ScoreForm(request.POST if request.method == "POST" else None, enrolments=scorable)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if score_form.is_valid():
            data = score_form.cleaned_data
            enrolment = next(e for e in roster if e.pk == data["enrolment"])
            try:
                assessment_record(
                    enrolment=enrolment,
                    kind=data["kind"],
                    score=data["score"],
                    assessed_on=data["assessed_on"],
                    actor=pv.actor,
                )
            except TrainingError as error:
                score_form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Score %(score)s recorded for %(name)s.")
                    % {"score": data["score"], "name": enrolment.label},
                )
                return redirect("partner:batch", pk=batch.pk)
    sessions = (
        batch.sessions.select_related("module")
        .annotate(recorded=Count("attendances"))
        .order_by("starts_at")
    )
    context = {
        "pv": pv,
        "batch": batch,
        "sessions": sessions,
        "roster": roster,
        "alerts": [e for e in roster if e.alert],
        "can_record": can_record,
        "score_form": score_form,
        "alert_absences": ALERT_ABSENCES,
    }
    return render(request, "web/partner/batch.html", context)


@partner_page
@require_http_methods(["GET", "POST"])
def session_attendance(request, pv, pk, session_pk):
    """One session's attendance: a form for every enrolment (providing organisation), or the
    recorded attendance to read (everyone else who sees the batch)."""
    batch = _visible_batch(pv, pk)
    session = get_object_or_404(batch.sessions.select_related("module"), pk=session_pk)
    can_record = _can_record(pv, batch)
    if request.method == "POST" and not can_record:
        raise PermissionDenied
    roster = [e for e in _roster(pv, batch) if e.status in ATTENDING]
    recorded = dict(session.attendances.values_list("enrolment_id", "status"))
    labels = dict(Attendance.Status.choices)
    for enrolment in roster:
        enrolment.recorded = recorded.get(enrolment.pk)
        enrolment.recorded_label = labels.get(enrolment.recorded, "")
    form = None
    if can_record:
        form = AttendanceForm(
            request.POST if request.method == "POST" else None,
            rows=[(e.pk, e.label, e.recorded) for e in roster],
        )
        if request.method == "POST" and form.is_valid():
            try:
                attendance_record(session=session, statuses=form.statuses(), actor=pv.actor)
            except TrainingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Attendance recorded."))
                return redirect("partner:batch", pk=batch.pk)
    context = {"pv": pv, "batch": batch, "session": session, "roster": roster, "form": form}
    return render(request, "web/partner/session.html", context)


# --- Participants --------------------------------------------------------------------------


def _participant_filter_form(request, pv):
    form = ParticipantFilterForm(request.GET, batches=Batch.objects.visible_to(pv.viewer))
    if not form.is_valid():
        if "batch" in form.errors:
            raise Http404  # another organisation's batch, whatever id is typed
        return form, None
    return form, form.export_filters()


@partner_page
@require_GET
def participant_list(request, pv):
    form, filters = _participant_filter_form(request, pv)
    rows = PARTNER_PARTICIPANTS.prepare(PARTNER_PARTICIPANTS.visible(pv.viewer))
    rows = rows.none() if filters is None else PARTNER_PARTICIPANTS.apply_filters(rows, filters)
    enrolments = Enrolment.objects.visible_to(pv.viewer).select_related("batch")
    rows = (
        rows.select_related("province")
        .prefetch_related(Prefetch("enrolments", queryset=enrolments, to_attr="shown_enrolments"))
        .order_by("full_name", "pk")
    )
    page, query = _page(request, rows)
    for participant in page.object_list:
        participant.phase_label = (
            Phase(participant.placement_phase).label if participant.placement_phase else ""
        )
    context = {
        "pv": pv,
        "form": form,
        "page": page,
        "query": query,
        "download": _filters_query(request),
    }
    return render(request, "web/partner/participants.html", context)


@partner_page
@require_GET
def participant_download(request, pv):
    _form, filters = _participant_filter_form(request, pv)
    if filters is None:
        return HttpResponseBadRequest(_("Unknown filter value."))
    return _download(request, pv, dataset=PARTNER_PARTICIPANTS.code, filters=filters)


@partner_page
@require_GET
def participant_detail(request, pv, pk):
    """Name, categories, programmes, enrolments with progress, certificates, placement phase
    and next step, and destination outcomes; never the restricted fields."""
    participant = get_object_or_404(
        Participant.objects.visible_to(pv.viewer).select_related("province", "regency"), pk=pk
    )
    participations = (
        Participation.objects.visible_to(pv.viewer)
        .filter(participant=participant)
        .select_related("programme")
    )
    enrolments = list(
        Enrolment.objects.visible_to(pv.viewer)
        .filter(participant=participant)
        .with_progress()
        .select_related("batch__track", "batch__provider", "certificate")
        .order_by("-enrolled_on", "-pk")
    )
    for enrolment in enrolments:
        enrolment.met, enrolment.reasons = completion_status(enrolment)
        enrolment.share_percent = (
            None if enrolment.attendance_share is None else round(enrolment.attendance_share * 100)
        )
        enrolment.cert = getattr(enrolment, "certificate", None)
    placement = (
        Placement.objects.visible_to(pv.viewer)
        .filter(participant=participant)
        .select_related("country")
        .order_by("-created_at", "-pk")
        .first()
    )
    next_step = placement_next_step(placement) if placement else None
    context = {
        "pv": pv,
        "participant": participant,
        "participations": participations,
        "enrolments": enrolments,
        "certificates": [e.cert for e in enrolments if e.cert],
        "placement": placement,
        "next_step": Phase(next_step).label if next_step else None,
        "outcomes": [reason for _rule, reason in destination_outcomes(participant=participant)],
    }
    return render(request, "web/partner/participant.html", context)


# --- Agreements ----------------------------------------------------------------------------


def _commitments(queryset):
    commitments = list(commitments_with_achievement(queryset.select_related("programme")))
    for commitment in commitments:
        commitment.achieved_now = commitment_achieved(commitment)
    return commitments


@partner_page
@require_GET
def agreement_list(request, pv):
    form = AgreementFilterForm(request.GET)
    form.is_valid()
    rows = Agreement.objects.visible_to(pv.viewer)
    q = getattr(form, "cleaned_data", {}).get("q")
    if q:
        rows = rows.filter(Q(number__icontains=q) | Q(title__icontains=q))
    commitments = commitments_with_achievement(Commitment.objects.select_related("programme"))
    rows = rows.prefetch_related(
        "scope_items", Prefetch("commitments", queryset=commitments, to_attr="commitment_rows")
    ).order_by("-valid_from", "number")
    page, query = _page(request, rows)
    for agreement in page.object_list:
        for commitment in agreement.commitment_rows:
            commitment.achieved_now = commitment_achieved(commitment)
    context = {"pv": pv, "form": form, "page": page, "query": query}
    return render(request, "web/partner/agreements.html", context)


@partner_page
@require_GET
def agreement_download(request, pv):
    return _download(request, pv, dataset=AGREEMENTS_DATASET, filters={})


@partner_page
@require_GET
def agreement_detail(request, pv, pk):
    agreement = get_object_or_404(
        Agreement.objects.visible_to(pv.viewer).prefetch_related(
            "scope_items", "programmes", "parties__organisation"
        ),
        pk=pk,
    )
    context = {
        "pv": pv,
        "agreement": agreement,
        "commitments": _commitments(agreement.commitments.all()),
    }
    return render(request, "web/partner/agreement.html", context)
