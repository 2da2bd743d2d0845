"""/me/...: a participant's own pages: status, next step, and everything held about them.

Every page starts from the participant record of the logged-in user (through
`Participant.objects.visible_to`), so there is no other person's ID to type: anything that is
not theirs answers 404. Every view and download is recorded in the audit trail.
"""

import json
from datetime import timedelta
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from participants import services as registry
from participants.models import Participant, Participation
from placements.models import Phase, Placement
from placements.services import _next_step, placement_refusals
from portal.audit.services import Event, audit_event
from portal.exports.columns import Protection, compile_plan
from portal.exports.datasets import DATASETS
from training.models import Enrolment, Session
from training.services import completion_status

UPCOMING_SESSIONS = 10
EXPIRING_WITHIN_DAYS = 90


def participant_page(view):
    """`view(request, participant, ...)` for the participant's own record; 404 for anyone else."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        participant = (
            Participant.objects.visible_to(request.user)
            .filter(user=request.user)
            .select_related("former_prisoner_profile")
            .first()
        )
        if participant is None:
            raise Http404
        return never_cache(view)(request, participant, *args, **kwargs)

    return wrapper


def _audit_view(request, participant, page):
    audit_event(actor=request.user, obj=participant, event="own_page_viewed", data={"page": page})


# --- Status ----------------------------------------------------------------------------------


def _enrolments(user, participant):
    rows = (
        Enrolment.objects.visible_to(user)
        .filter(participant=participant)
        .with_progress()
        .select_related("batch__track", "batch__programme", "batch__provider", "certificate")
        .order_by("-batch__starts_on", "-pk")
    )
    result = []
    for enrolment in rows:
        met, reasons = completion_status(enrolment)
        held = enrolment.sessions_held or 0
        hours = enrolment.time_attended.total_seconds() / 3600 if enrolment.time_attended else 0
        certificate = getattr(enrolment, "certificate", None)
        result.append(
            {
                "enrolment": enrolment,
                "track": enrolment.batch.track,
                "share": round(enrolment.attendance_share * 100) if held else None,
                "hours": round(hours, 1),
                "met": met,
                "reasons": reasons,
                "certificate": certificate,
                "open": enrolment.status in Enrolment.OPEN_STATUSES,
            }
        )
    return result


@require_GET
@participant_page
def status(request, participant):
    """Programmes, enrolments with progress, upcoming sessions and certificates."""
    participations = (
        Participation.objects.visible_to(request.user)
        .filter(participant=participant)
        .select_related("programme")
    )
    enrolments = _enrolments(request.user, participant)
    sessions = (
        Session.objects.filter(
            batch__enrolments__participant=participant,
            batch__enrolments__status__in=Enrolment.OPEN_STATUSES,
            starts_at__gte=timezone.now(),
        )
        .select_related("batch", "module")
        .order_by("starts_at")
        .distinct()[:UPCOMING_SESSIONS]
    )
    _audit_view(request, participant, "status")
    context = {
        "participant": participant,
        "participations": participations,
        "enrolments": enrolments,
        "sessions": sessions,
        "certificates": [row for row in enrolments if row["certificate"]],
        "tab": "status",
    }
    return render(request, "web/me/status.html", context)


# --- Next step -------------------------------------------------------------------------------

SHOWN_REFUSALS = {"document", "not_before", "milestone"}


@require_GET
@participant_page
def next_step(request, participant):
    """The placement phase and, in plain words, what is missing to move on."""
    today = timezone.localdate()
    placement = (
        Placement.objects.visible_to(request.user)
        .filter(participant=participant)
        .open()
        .select_related("country", "participant__former_prisoner_profile")
        .first()
    )
    next_phase, missing, other = None, [], []
    if placement is not None and placement.stage == "before":
        next_phase = _next_step(placement)
        if next_phase:
            for refusal in placement_refusals(placement=placement, to_phase=next_phase, on=today):
                if refusal.code == "milestone":
                    continue  # the next step itself, shown as such
                (missing if refusal.code in SHOWN_REFUSALS else other).append(refusal.message)
    not_before = participant.placement_not_before(today)
    expiring = participant.documents.filter(
        expires_on__isnull=False, expires_on__lte=today + timedelta(days=EXPIRING_WITHIN_DAYS)
    ).order_by("expires_on")
    training = [row for row in _enrolments(request.user, participant) if row["open"]]
    _audit_view(request, participant, "next")
    context = {
        "participant": participant,
        "placement": placement,
        "next_phase": Phase(next_phase).label if next_phase else None,
        "missing": missing,
        "other": other,
        "not_before": not_before,
        "expiring": expiring,
        "today": today,
        "training": training,
        "tab": "next",
    }
    return render(request, "web/me/next.html", context)


# --- My data ---------------------------------------------------------------------------------

OWN_PROTECTION = Protection(pseudonymise=False, mask_nik=False, restricted=True)


def own_data(participant):
    """Every list the export layer knows about a person, as [(code, label, [[(header, value)]])],
    restricted fields and the full NIK included (it is their data). One query per list."""
    lists = []
    for code, dataset in DATASETS.items():
        if not dataset.person_path:
            continue
        plan = compile_plan(
            dataset.columns, OWN_PROTECTION, person_path=dataset.person_path, typed=False
        )
        headers = plan.headers
        rows = [
            list(zip(headers, plan.row(raw), strict=False))
            for raw in dataset.subject_rows(participant).values_list(*plan.paths)
        ]
        lists.append((code, str(dataset.label), rows))
    return lists


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=gettext_lazy("What is wrong"))
    proposed_value = forms.CharField(label=gettext_lazy("The correct value"), max_length=500)
    note = forms.CharField(
        label=gettext_lazy("Anything the officer should know (optional)"),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [
            (name, Participant._meta.get_field(name).verbose_name.capitalize())
            for name in registry.CORRECTABLE_FIELDS
        ]


def _data_context(request, participant, form=None):
    consents = participant.consents.order_by("withdrawn_at", "purpose", "-given_at")
    pending = participant.pending_changes.pending().order_by("-created_at")
    return {
        "participant": participant,
        "lists": own_data(participant),
        "consents": consents,
        "pending": pending,
        "form": form or CorrectionForm(),
        "tab": "data",
    }


@require_GET
@participant_page
def data(request, participant):
    """Everything held about the participant, consents to withdraw, a correction request."""
    context = _data_context(request, participant)
    _audit_view(request, participant, "data")
    return render(request, "web/me/data.html", context)


@require_GET
@participant_page
def data_print(request, participant):
    """The same data on a page made for printing."""
    audit_event(
        actor=request.user,
        obj=participant,
        event=Event.EXPORT,
        data={"format": "print", "own_data_of": participant.pk},
    )
    context = {"participant": participant, "lists": own_data(participant), "now": timezone.now()}
    return render(request, "web/me/data_print.html", context)


@require_GET
@participant_page
def data_json(request, participant):
    """Everything held about the participant as a JSON file (right of access, UU 27/2022)."""
    lists = own_data(participant)
    body = {
        "generated_at": timezone.now(),
        "lists": {
            code: {"label": label, "rows": [dict(row) for row in rows]}
            for code, label, rows in lists
        },
    }
    audit_event(
        actor=request.user,
        obj=participant,
        event=Event.EXPORT,
        data={
            "format": "json",
            "lists": [code for code, _l, _r in lists],
            "own_data_of": participant.pk,
        },
    )
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    name = _("my-data") + timezone.localdate().strftime("-%Y%m%d") + ".json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@participant_page
def consent_withdraw(request, participant, pk):
    """Withdraw one of the participant's own standing consents."""
    consent = get_object_or_404(participant.consents.all(), pk=pk)
    try:
        registry.consent_withdraw(consent=consent, actor=request.user)
    except registry.RegistryError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Your consent is withdrawn: %(purpose)s.")
            % {"purpose": consent.get_purpose_display()},
        )
    return redirect("me:data")


@require_POST
@participant_page
def correction(request, participant):
    """Ask the officers to correct a value; it waits in their review queue."""
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            registry.correction_request(
                participant=participant,
                field=form.cleaned_data["field"],
                proposed_value=form.cleaned_data["proposed_value"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except registry.RegistryError as error:
            form.add_error("proposed_value", str(error))
        else:
            messages.success(
                request, _("Thank you. An officer will check your request and correct the data.")
            )
            return redirect("me:data")
    context = _data_context(request, participant, form=form)
    return render(request, "web/me/data.html", context, status=400)
